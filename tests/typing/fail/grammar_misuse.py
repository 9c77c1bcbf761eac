from procdsl import Image, PointCloud, Style, check

Style("s").save_as("k").notify(1)  # E: arg-type
PointCloud.compress(method="zip")  # E: arg-type
Image.blur(radius=3, sigma=2, region="eyes")  # E: arg-type
check("image/resize,w_1", context="both")  # E: arg-type
