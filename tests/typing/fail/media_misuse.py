from procdsl import AsyncJob, AsyncOperation, Audio, Doc, Hls, Image, NotifyOperation, Pre, Video
from procdsl.submit import Client, Credentials

client = Client("cn-hangzhou", Credentials("AK", "SK"))
Video.convert(format="mp4").resize(width=100)  # E: attr-defined
Video.snapshot(time=0, format="jpg").rotate(90)  # E: attr-defined
Audio.info().resize(width=10)  # E: attr-defined
Video.convert(format="mp4").notify("topic")  # E: attr-defined
client.submit("bucket", "key", Video.convert(format="mp4"))  # E: arg-type
client.submit("bucket", "key", Video.snapshot(time=0, format="jpg").save_as("a.jpg"))  # E: arg-type
Video.snapshot(time=0, format="jpg").notify("topic")  # E: attr-defined
Video.snapshot(time=0, format="jpg").save_as("a.jpg").notify("topic")  # E: attr-defined
Hls.m3u8().save_as("a.m3u8").notify()  # E: attr-defined
Doc.snapshot(to="jpg").notify("topic")  # E: attr-defined
Video.convert(format="mp5")  # E: arg-type
Video.convert(format="mp4", video_codec="h266")  # E: arg-type
Video.convert(format="mp4", fps_policy=3)  # E: arg-type
Video.convert(format="mp4", vcodec="h264")  # E: call-arg
Video.concat(format="mp4", clips=["a.mp4"])  # E: arg-type
Video.concat(format="mp4")  # E: call-arg
Video.sprite(format="jpg", mode="fast")  # E: arg-type
Audio.convert(format="mp4")  # E: arg-type
Pre(key=3)  # E: arg-type
Hls.ts(playlist="output/media.m3u8").save_as("seg.ts")  # E: attr-defined
AsyncOperation(Image.resize(width=1).steps[0])  # E: arg-type
AsyncJob(Video.info().ops[0], None, None)  # E: call-overload
NotifyOperation(Video.convert(format="mp4").op)  # E: arg-type
