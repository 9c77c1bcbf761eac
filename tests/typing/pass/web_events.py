from datetime import datetime
from typing import Optional, Tuple

from procdsl import Doc, Image, Style
from procdsl.events import ObjectRef, TaskEvent, parse_event
from procdsl.submit import Client, Credentials
from procdsl.web import Origin, SignedOrigin, URLSource, srcset

origin: URLSource = Origin.domain("https://img.example.com")
url: str = origin.url("cat.jpg", Image.resize(width=100))
styled: str = origin.url("cat.jpg", Style("small"))
widths: str = srcset(origin, "cat.jpg", Image.resize(width=100), widths=[320, 640])
dense: str = srcset(origin, "cat.jpg", Image.format("webp"), width=300, densities=(1, 1.5, 2), quality={2: 60})

client = Client("cn-hangzhou", Credentials("AK", "SK"))
signed: URLSource = SignedOrigin(client, "bucket", expires=600, window=3600)
fixed: str = client.sign_url("bucket", "cat.jpg", Style("s"), 60, signed_at=datetime(2024, 1, 1))

event: TaskEvent = parse_event(b"{}")
when: Optional[datetime] = event.end_time
targets: Tuple[ObjectRef, ...] = event.targets
mine: bool = event.matches(Doc.convert(to="pdf").save_as("out.pdf"))
