from procdsl import Doc, Image, Style
from procdsl.events import parse_event
from procdsl.submit import AsyncClient, Credentials
from procdsl.web import Origin, SignedOrigin, srcset

origin = Origin.domain("https://img.example.com")
origin.url("cat.jpg", Doc.convert(to="pdf").save_as("o.pdf"))  # E: arg-type
origin.url("cat.jpg", Image.resize(width=10).save_as("o.jpg"))  # E: arg-type
srcset(origin, "cat.jpg", Style("small"), widths=[320])  # E: arg-type
srcset(origin, "cat.jpg", Image.resize(width=10), widths=["320"])  # E: list-item
SignedOrigin(AsyncClient("cn-hangzhou", Credentials("AK", "SK")), "bucket")  # E: arg-type
parse_event(42)  # E: arg-type
parse_event(b"{}").matches(Image.resize(width=10))  # E: arg-type
parse_event(b"{}").status = "Failed"  # E: misc
