from procdsl import (
    AsyncJob,
    AsyncOperation,
    Audio,
    Doc,
    DocWatermark,
    Hls,
    IfStatus404,
    Pre,
    Sur,
    SyncJob,
    SyncProcess,
    Var,
    Video,
)
from procdsl.submit import Client, Credentials

convert: AsyncOperation = Video.convert(format="mp4", video_codec="h264", resolution="1280x", fps=25, fps_policy=1)
job: AsyncJob = convert.save_as("bucket", f"out/{Var.barename}.{Var.autoext}").notify("topic")
shots: AsyncJob = Video.snapshots(format="jpg", interval=1000).save_as(f"frames/{Var.index}.jpg")
sprite: AsyncJob = Video.sprite(format="png", mode="dhash", threshold=20).save_as(key=f"s/{Var.index}.png")
anim: AsyncJob = Video.animation(format="webp", fps=10).save_as("a.webp")
concat: AsyncJob = Video.concat(
    format="mp4", video_codec="h264", clips=(Pre("a.mp4"), Sur("b.mp4", duration=0))
).save_as("j.mp4")
audio: AsyncJob = Audio.convert(format="flac", bit_depth=24, sample_rate=48000).save_as("a.flac")
joined: AsyncJob = Audio.concat(format="mp3", clips=(Pre("x.mp3", start=1000),)).save_as("j.mp3").notify()
frame: SyncProcess = Video.snapshot(time=1000, format="jpg", mode="fast")
saved: SyncJob = Video.snapshot(time=0, format="png").save_as("thumb.png")
info: SyncProcess = Audio.info()
preview: SyncProcess = Doc.preview(allow_copy=False, watermark=DocWatermark("secret", opacity=50))
page: SyncProcess = Doc.snapshot(to="jpg", page=2)
playlist: SyncProcess = Hls.m3u8(video_codec="h265", segment_duration=5000)
segment: IfStatus404 = Hls.ts(playlist="output/media.m3u8")
signed: SyncProcess = Hls.sign()

client = Client("cn-hangzhou", Credentials("AK", "SK"))
client.submit("bucket", "key", job)
