from procdsl import Doc, Image, Style, Video, WatermarkImage

Image.format("pngg")  # E: arg-type
Image.resize(width=100).rotate("90")  # E: arg-type
Image.resize(widht=100)  # E: call-arg
Image.resize(width=100, mode="fit")  # E: arg-type
Image.resize(main_percent=30)  # E: call-arg
Image.watermark(image="panda.png")  # E: arg-type
Image.watermark(text="a", font="arial")  # E: arg-type
WatermarkImage("a.png", "image/resize,P_30")  # E: arg-type
Doc.convert(to="png").resize(width=100)  # E: attr-defined
Style("small").rotate(90)  # E: attr-defined
Image.resize(width=100).save_as("out.jpg").rotate(90)  # E: attr-defined
Image.resize(width=100).save_as("out.jpg").notify("topic")  # E: attr-defined
Image.deblindwatermark(strength="low").save_as("out.jpg")  # E: attr-defined
Image.deblindwatermark(strength="low").notify("t").rotate(90)  # E: attr-defined
Image.resize(width=1).then(Video.convert(format="mp4").op)  # E: arg-type
