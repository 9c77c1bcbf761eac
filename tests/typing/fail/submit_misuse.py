from procdsl import Doc, Image, Style
from procdsl.submit import AsyncClient, Client, Credentials

client = Client("cn-hangzhou", Credentials("AK", "SK"))
client.submit("bucket", "key", Image.resize(width=100))  # E: arg-type
client.submit("bucket", "key", Doc.convert(to="pdf"))  # E: arg-type
client.submit("bucket", "key", Style("small").save_as("x.jpg"))  # E: arg-type
client.process("bucket", "key", Style("small"))  # E: arg-type
client.process("bucket", "key", Doc.convert(to="pdf").save_as("out.pdf"))  # E: arg-type
client.get("bucket", "key", Style("small").save_as("x.jpg"))  # E: arg-type
client.sign_url("bucket", "key", Doc.convert(to="pdf").save_as("o.pdf"))  # E: arg-type
client.sign_url("bucket", "key", Style("s"), version="v2")  # E: arg-type
data: str = client.get("bucket", "key", Style("small"))  # E: assignment


async def misuse(aclient: AsyncClient) -> None:
    await aclient.submit("bucket", "key", Image.resize(width=100))  # E: arg-type
