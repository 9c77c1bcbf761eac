from procdsl import (
    AsyncJob,
    Image,
    ImagePipeline,
    NotifyOperation,
    Style,
    SyncJob,
    WatermarkImage,
    WatermarkResize,
)

pipeline: ImagePipeline = Image.resize(width=100, height=100, mode="fill").rotate(90).format("webp")
longer: ImagePipeline = pipeline.bright(-50).contrast(20).sharpen(100).blur(radius=3, sigma=2)
effects: ImagePipeline = Image.auto_orient(False).interlace(True).quality(absolute=80).info()
hue: ImagePipeline = Image.crop(x=10, y=10, width=200, height=200, gravity="se").average_hue()
shapes: ImagePipeline = Image.circle(radius=100).rounded_corners(radius=30).indexcrop(x=100, index=0)
logo = WatermarkImage("panda.png", WatermarkResize(main_percent=30))
marked: ImagePipeline = Image.watermark(image=logo, text="Hello", font="wqy-zenhei", order=1, align=2)
saved: SyncJob = marked.save_as("bucket", "out.jpg")
styled: SyncJob = Style("examplestyle").save_as("test", "test.jpg")
blind: SyncJob = Image.blindwatermark(content="copyright", strength="high").save_as(key="b.jpg")
pending: NotifyOperation = Image.deblindwatermark(strength="low", watermark_type="text")
job: AsyncJob = pending.notify("topic")
