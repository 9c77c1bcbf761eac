import asyncio

from procdsl import AsyncJob, Doc, Image, Style, SyncJob
from procdsl.submit import AsyncClient, AsyncTask, Client, Credentials, ProcessResult

creds = Credentials("AK", "SK", security_token=None)
job: AsyncJob = Doc.convert(src="docx", to="pdf").save_as("out.pdf")
saved: SyncJob = Image.resize(width=100).save_as("thumb.jpg")

with Client(region="cn-hangzhou", credentials=creds, endpoint=None) as client:
    task: AsyncTask = client.submit("bucket", "in.docx", job)
    ids: str = task.task_id + task.event_id + task.request_id
    result: ProcessResult = client.process("bucket", "in.jpg", saved)
    size: int = result.size
    url: str = client.sign_url("bucket", "in.jpg", Image.resize(width=100), expires=600)
    url_v1: str = client.sign_url("bucket", "in.jpg", Style("small"), version="v1")
    data: bytes = client.get("bucket", "in.jpg", "image/resize,w_100")
    by_string: AsyncTask = client.submit("bucket", "in.docx", "doc/convert,target_pdf|sys/saveas,o_b3V0LnBkZg")


async def main() -> bytes:
    async with AsyncClient("cn-hangzhou", creds) as aclient:
        await aclient.submit("bucket", "in.docx", job)
        await aclient.process("bucket", "in.jpg", Style("small").save_as("s.jpg"))
        return await aclient.get("bucket", "in.jpg", Style("small"))


asyncio.run(main())


async def signed_async() -> str:
    from procdsl.submit import AsyncClient

    async with AsyncClient("cn-hangzhou") as client:
        return await client.sign_url("bucket", "in.jpg", Image.resize(width=100), expires=600)
