"""procdsl.render: output sizes from the OSS pages, formats by magic bytes, JSON bodies, errors."""

from __future__ import annotations

import contextlib
import io
import json
import struct
import zlib
from typing import Callable, Dict, Tuple

import pytest

pytest.importorskip("PIL")

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from procdsl import Image as Img
from procdsl import ImagePipeline, ProcessError, WatermarkImage, WatermarkResize, strategies
from procdsl.render import RenderError, render, render_result

RESIZE = "https://help.aliyun.com/zh/oss/user-guide/resize-images-4"


def encode(
    size: Tuple[int, int], fmt: str = "PNG", color: Tuple[int, ...] = (90, 140, 200), **options: object
) -> bytes:
    mode = "RGBA" if len(color) == 4 else "RGB"
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **options)
    return buffer.getvalue()


def size_of(data: bytes) -> Tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return int(image.width), int(image.height)


def pixel(data: bytes, at: Tuple[int, int], mode: str = "RGB") -> Tuple[int, ...]:
    with Image.open(io.BytesIO(data)) as image:
        value = image.convert(mode).getpixel(at)
        assert isinstance(value, tuple)
        return value


# -- the table of issue 17, a 400x300 source ------------------------------------------------

SOURCE_400x300 = encode((400, 300), "JPEG", quality=90)


@pytest.mark.parametrize(
    ("process", "expected"),
    [
        ("image/resize,m_lfit,w_100,h_100", (100, 75)),
        ("image/resize,m_mfit,w_100,h_100", (133, 100)),
        ("image/resize,m_fill,w_100,h_100", (100, 100)),
        ("image/resize,m_pad,w_100,h_100", (100, 100)),
        ("image/resize,m_fixed,w_100,h_100", (100, 100)),
        ("image/resize,p_50", (200, 150)),
        ("image/resize,w_800", (400, 300)),  # limit defaults to 1: no enlarging
        ("image/resize,w_800,limit_0", (800, 600)),
        ("image/rotate,90", (300, 400)),
        ("image/indexcrop,x_100,i_0", (100, 300)),
        ("image/circle,r_50", (100, 100)),
    ],
)
def test_issue_table(process: str, expected: Tuple[int, int]) -> None:
    assert size_of(render(SOURCE_400x300, process)) == expected


# -- sizes printed on the OSS pages -----------------------------------------------------------

SOURCE_2500 = encode((2500, 1875), "JPEG", quality=60)


@pytest.mark.parametrize(
    ("process", "expected"),
    [
        # resize page examples, source 2500 x 1875
        ("image/resize,p_50", (1250, 938)),
        ("image/resize,w_200", (200, 150)),
        ("image/resize,h_100", (133, 100)),
        ("image/resize,l_200", (200, 150)),
        ("image/resize,s_200", (267, 200)),
        ("image/resize,m_pad,w_100,h_100", (100, 100)),
        ("image/resize,m_pad,w_100,h_100,color_FF0000", (100, 100)),
        ("image/resize,m_fill,w_100,h_100", (100, 100)),
        ("image/resize,m_fixed,w_100,h_100", (100, 100)),
        ("image/resize,h_2000,limit_0", (2667, 2000)),
    ],
)
def test_resize_page_examples(process: str, expected: Tuple[int, int]) -> None:
    assert size_of(render(SOURCE_2500, process)) == expected  # RESIZE, "使用示例"


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("lfit", (150, 75)), ("mfit", (160, 80)), ("fill", (150, 80)), ("pad", (150, 80)), ("fixed", (150, 80))],
)
def test_resize_modes_of_the_calculation_table(mode: str, expected: Tuple[int, int]) -> None:
    # RESIZE "缩放计算方式": a 200 x 100 source and w=150, h=80.
    assert size_of(render(encode((200, 100)), f"image/resize,m_{mode},w_150,h_80")) == expected


def test_one_side_given() -> None:
    # RESIZE: 256 x 144, h=100 -> w 178 for lfit/mfit/fixed; pad and fill make 100 x 100.
    source = encode((256, 144))
    for mode in ("lfit", "mfit", "fixed"):
        assert size_of(render(source, f"image/resize,m_{mode},h_100")) == (178, 100)
    for mode in ("pad", "fill"):
        assert size_of(render(source, f"image/resize,m_{mode},h_100")) == (100, 100)


def test_pad_colour_and_fill_centre() -> None:
    out = Image.open(
        io.BytesIO(render(encode((200, 100), color=(0, 0, 255)), "image/resize,m_pad,w_100,h_100,color_FF0000"))
    )
    assert out.getpixel((50, 5)) == (255, 0, 0)  # padding above the 100 x 50 picture
    assert out.getpixel((50, 50)) == (0, 0, 255)


def test_auto_orient_runs_first() -> None:
    # https://www.alibabacloud.com/help/tc/object-storage-service/latest/auto-rotate: f.jpg is 424 x 333 with
    # Orientation 7; resize,w_100/auto-orient,1 gives 100 x 127.
    exif = Image.Exif()
    exif[274] = 7
    source = encode((424, 333), "JPEG", exif=exif.tobytes())
    assert size_of(render(source, "image/resize,w_100/auto-orient,1")) == (100, 127)
    assert size_of(render(source, "image/resize,w_100/auto-orient,0")) == (100, 79)


def test_circle_radius_capped_at_the_shorter_side() -> None:
    # https://www.alibabacloud.com/help/en/oss/user-guide/circle-crop: r = (short - 1)/2, side = 2r + 1.
    assert size_of(render(encode((400, 300)), "image/circle,r_1000")) == (300, 300)
    out = render(encode((400, 300)), "image/circle,r_50/format,png")
    assert pixel(out, (0, 0), "RGBA")[3] == 0 and pixel(out, (50, 50), "RGBA")[3] == 255  # transparent (PNG)
    jpg = render(encode((400, 300), color=(0, 0, 0)), "image/circle,r_50/format,jpg")
    assert pixel(jpg, (0, 0)) == (255, 255, 255)  # white outside for JPG


def test_rounded_corners_keep_the_size() -> None:
    out = render(encode((200, 100)), "image/rounded-corners,r_30/format,png")
    assert size_of(out) == (200, 100)
    assert pixel(out, (0, 0), "RGBA")[3] == 0 and pixel(out, (100, 50), "RGBA")[3] == 255


def test_crop() -> None:
    # https://www.alibabacloud.com/help/en/oss/user-guide/custom-crop: w/h default to the maximum, clipped at
    # the edge; g picks the grid origin; a start outside the image is BadRequest.
    source = encode((400, 300))
    assert size_of(render(source, "image/crop,x_100,y_50")) == (300, 250)
    assert size_of(render(source, "image/crop,x_300,y_250,w_300,h_300")) == (100, 50)
    assert size_of(render(source, "image/crop,w_100,h_100,g_se")) == (100, 100)
    assert size_of(render(source, "image/crop,x_10,y_10,w_100,h_100,g_se")) == (90, 90)
    with pytest.raises(RenderError, match="out of image"):
        render(source, "image/crop,x_400,y_10")


def test_indexcrop() -> None:
    # https://www.alibabacloud.com/help/doc-detail/44696.htm: y wins over x; an index past the last slice
    # returns the source.
    source = encode((400, 250))
    assert size_of(render(source, "image/indexcrop,y_100,i_2")) == (400, 50)
    assert size_of(render(source, "image/indexcrop,x_100,y_100,i_0")) == (400, 100)
    assert size_of(render(source, "image/indexcrop,y_100,i_10")) == (400, 250)


def test_rotate_other_angles_enlarge() -> None:
    # https://www.alibabacloud.com/help/doc-detail/44690.html
    width, height = size_of(render(encode((400, 300)), "image/rotate,45"))
    assert width > 400 and height > 300
    assert size_of(render(encode((400, 300)), "image/rotate,180")) == (400, 300)
    assert size_of(render(encode((400, 300)), "image/rotate,360")) == (400, 300)


def test_effects_change_pixels_not_sizes() -> None:
    source = encode((64, 64), color=(100, 100, 100))
    darker = pixel(render(source, "image/bright,-50"), (5, 5))
    brighter = pixel(render(source, "image/bright,50"), (5, 5))
    assert darker[0] < 100 < brighter[0]
    for process in ("image/blur,r_3,s_2", "image/contrast,-50", "image/sharpen,100"):
        assert size_of(render(source, process)) == (64, 64)


def test_values_render_like_strings() -> None:
    value = Img.resize(width=100, height=100, mode="fill").format("png")
    assert render(SOURCE_400x300, value) == render(SOURCE_400x300, str(value))
    assert size_of(render(SOURCE_400x300, value.save_as("out.png"))) == (100, 100)  # a SyncJob: its source


# -- property tests: sizes against the formulas of the resize page --------------------------------


def half_up(numerator: int, denominator: int) -> int:
    """round(numerator / denominator), halves up, at least 1 (the page's "四舍五入")."""
    return max(1, (2 * numerator + denominator) // (2 * denominator))


sides = st.integers(min_value=1, max_value=120)


@settings(max_examples=40, deadline=None)
@given(src_w=sides, src_h=sides, w=sides, h=sides, mode=st.sampled_from(["lfit", "mfit", "fill", "pad", "fixed"]))
def test_box_modes_follow_the_formulas(src_w: int, src_h: int, w: int, h: int, mode: str) -> None:
    out = size_of(render(encode((src_w, src_h)), f"image/resize,m_{mode},w_{w},h_{h},limit_0"))
    # lfit: the larger fitting size; mfit: the smaller covering size; one side is the box side exactly.
    width_bound = w * src_h <= h * src_w  # w/src_w <= h/src_h
    inside = (w, half_up(src_h * w, src_w)) if width_bound else (half_up(src_w * h, src_h), h)
    covering = (half_up(src_w * h, src_h), h) if width_bound else (w, half_up(src_h * w, src_w))
    expected = {"lfit": inside, "mfit": covering, "fill": (w, h), "pad": (w, h), "fixed": (w, h)}[mode]
    assert out == expected


@settings(max_examples=30, deadline=None)
@given(src_w=sides, src_h=sides, w=st.integers(1, 300), h=st.integers(1, 300))
def test_limit_1_never_enlarges(src_w: int, src_h: int, w: int, h: int) -> None:
    out_w, out_h = size_of(render(encode((src_w, src_h)), f"image/resize,m_lfit,w_{w},h_{h}"))
    assert out_w <= src_w and out_h <= src_h
    assert (out_w, out_h) == (src_w, src_h) or out_w == w or out_h == h


@settings(max_examples=30, deadline=None)
@given(src_w=sides, src_h=sides, p=st.integers(1, 300))
def test_percent(src_w: int, src_h: int, p: int) -> None:
    assert size_of(render(encode((src_w, src_h)), f"image/resize,p_{p}")) == (
        half_up(src_w * p, 100),
        half_up(src_h * p, 100),
    )


@settings(max_examples=30, deadline=None)
@given(src_w=sides, src_h=sides, side=st.integers(1, 200), longer=st.booleans())
@example(src_w=1, src_h=96, side=171, longer=False)  # 171 x 16416: over the output limit
def test_longer_and_shorter_side(src_w: int, src_h: int, side: int, longer: bool) -> None:
    key = "l" if longer else "s"
    along_width = (src_w >= src_h) == longer  # the side named is the source's width
    expected = (side, half_up(src_h * side, src_w)) if along_width else (half_up(src_w * side, src_h), side)
    process = f"image/resize,{key}_{side},limit_0"
    if max(expected) > 16384:  # resize page: at most 16,384 px per side
        with pytest.raises(RenderError, match="16384"):
            render(encode((src_w, src_h)), process)
    else:
        assert size_of(render(encode((src_w, src_h)), process)) == expected


@settings(max_examples=30, deadline=None)
@given(src_w=sides, src_h=sides, r=st.integers(1, 100), step=st.integers(1, 150), i=st.integers(0, 5))
def test_circle_and_indexcrop(src_w: int, src_h: int, r: int, step: int, i: int) -> None:
    source = encode((src_w, src_h))
    side = min(2 * r, src_w, src_h)
    assert size_of(render(source, f"image/circle,r_{r}")) == (side, side)
    slice_w = min(step, src_w)
    start = i * slice_w
    expected = (src_w, src_h) if start >= src_w else (min(slice_w, src_w - start), src_h)
    assert size_of(render(source, f"image/indexcrop,x_{step},i_{i}")) == expected
    assert size_of(render(source, "image/rotate,90")) == (src_h, src_w)


# -- formats, by magic bytes -------------------------------------------------------------------

MAGIC: Dict[str, Callable[[bytes], bool]] = {
    "jpg": lambda b: b[:3] == b"\xff\xd8\xff",
    "png": lambda b: b[:8] == b"\x89PNG\r\n\x1a\n",
    "webp": lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP",
    "bmp": lambda b: b[:2] == b"BM",
    "gif": lambda b: b[:6] in (b"GIF87a", b"GIF89a"),
    "tiff": lambda b: b[:4] in (b"II*\x00", b"MM\x00*"),
    "avif": lambda b: b[4:12] == b"ftypavif",
    "heic": lambda b: b[4:8] == b"ftyp" and b[8:12] in (b"heic", b"heix", b"mif1"),
}
MEDIA = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "bmp": "image/bmp", "tiff": "image/tiff"}


@pytest.mark.parametrize("fmt", ["jpg", "png", "webp", "bmp", "tiff"])
def test_format_magic_bytes(fmt: str) -> None:
    result = render_result(SOURCE_400x300, f"image/resize,w_50/format,{fmt}")
    assert MAGIC[fmt](result.data) and result.media_type == MEDIA[fmt]
    assert MAGIC["jpg"](render(encode((20, 20)), "image/format,jpg"))
    assert MAGIC["png"](render(SOURCE_400x300, "image/format,png/resize,w_10"))  # position does not matter


def test_source_format_is_kept() -> None:
    assert MAGIC["png"](render(encode((50, 50)), "image/resize,w_20"))
    assert MAGIC["webp"](render(encode((50, 50), "WEBP"), "image/resize,w_20"))


def test_gif_only_from_gif() -> None:
    # https://www.alibabacloud.com/help/zh/object-storage-service/latest/format-conversion: gif is kept for GIF
    # sources; for others the source format is kept.
    assert MAGIC["jpg"](render(SOURCE_400x300, "image/format,gif"))
    gif = encode((40, 40), "GIF")
    assert MAGIC["gif"](render(gif, "image/resize,w_20/format,gif"))


@pytest.mark.parametrize("fmt", ["avif", "heic"])
def test_heic_and_avif_when_pillow_writes_them(fmt: str) -> None:
    Image.init()
    writable = {"avif": "AVIF", "heic": "HEIF"}[fmt] in Image.SAVE
    if writable:
        assert MAGIC[fmt](render(SOURCE_400x300, f"image/resize,w_40/format,{fmt}"))
    else:
        with pytest.raises(RenderError, match=f"cannot write {fmt}"):
            render(SOURCE_400x300, f"image/format,{fmt}")


def test_interlace_makes_a_progressive_jpeg() -> None:
    # https://www.alibabacloud.com/help/doc-detail/44704.html; progressive JPEGs carry an SOF2 marker (FFC2).
    assert b"\xff\xc2" in render(SOURCE_400x300, "image/interlace,1")
    assert b"\xff\xc2" not in render(SOURCE_400x300, "image/interlace,0")
    assert b"\xff\xc2" in render(encode((30, 30)), "image/format,jpg/interlace,1")


def quantization(data: bytes) -> Dict[int, object]:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.quantization)


def test_quality() -> None:
    # https://www.alibabacloud.com/help/doc-detail/44705.html: a JPG of quality 80; q_50 -> 40, Q_50 -> 50,
    # Q_90 stays at 80 (never above the source), Q wins over q. Compared with Pillow's own tables.
    source = encode((64, 64), "JPEG", quality=80)

    def table(quality: int) -> Dict[int, object]:
        return quantization(encode((8, 8), "JPEG", quality=quality))

    assert quantization(render(source, "image/quality,q_50")) == table(40)
    assert quantization(render(source, "image/quality,Q_50")) == table(50)
    assert quantization(render(source, "image/quality,Q_90")) == table(80)
    assert quantization(render(source, "image/quality,q_10,Q_70")) == table(70)
    assert quantization(render(encode((64, 64)), "image/format,jpg/quality,q_50")) == table(50)


# -- info and average-hue --------------------------------------------------------------------


def test_info_json() -> None:
    # https://www.alibabacloud.com/help/en/oss/user-guide/query-the-exif-data-of-an-image-4:
    # {"FileSize": {"value": "21839"}, "Format": {"value": "jpg"}, "FrameCount": {"value": "1"}, ...}
    exif = Image.Exif()
    exif[274] = 6
    exif[271] = "procdsl"
    exif[306] = "2015:02:11 15:38:27"
    source = encode((424, 333), "JPEG", exif=exif.tobytes())
    result = render_result(source, "image/info")
    assert result.media_type == "application/json"
    info = json.loads(result.data)
    assert info["FileSize"] == {"value": str(len(source))}
    assert info["Format"] == {"value": "jpg"}
    assert info["FrameCount"] == {"value": "1"}
    assert info["ImageHeight"] == {"value": "333"} and info["ImageWidth"] == {"value": "424"}
    assert info["Orientation"] == {"value": "6"}
    assert info["Make"] == {"value": "procdsl"}
    assert info["DateTime"] == {"value": "2015:02:11 15:38:27"}
    assert list(info) == sorted(info)
    assert all(set(v) == {"value"} and isinstance(v["value"], str) for v in info.values())
    png = json.loads(render(encode((7, 5)), "image/info"))
    assert png["Format"] == {"value": "png"} and png["ImageWidth"] == {"value": "7"}


def test_info_stands_alone() -> None:
    with pytest.raises(RenderError, match="info cannot be combined"):
        render(SOURCE_400x300, "image/resize,s_700,limit_0/info")  # the page's own counter-example


def test_average_hue() -> None:
    # https://www.alibabacloud.com/help/doc-detail/44976.htm: 0xRRGGBB; the body is {"RGB": "0x…"}.
    assert json.loads(render(encode((16, 16), color=(10, 20, 30)), "image/average-hue")) == {"RGB": "0x0a141e"}
    half = Image.new("RGB", (2, 1), (0, 0, 0))
    half.putpixel((1, 0), (200, 100, 50))
    buffer = io.BytesIO()
    half.save(buffer, "PNG")
    assert json.loads(render(buffer.getvalue(), "image/average-hue")) == {"RGB": "0x643219"}
    assert json.loads(render(encode((40, 40), color=(255, 0, 0)), "image/resize,w_10/average-hue"))["RGB"] == "0xff0000"
    with pytest.raises(RenderError, match="last action"):
        render(SOURCE_400x300, "image/average-hue/resize,w_10")


# -- watermarks ------------------------------------------------------------------------------


WHITE = encode((200, 100), color=(255, 255, 255))
RED_MARK = encode((20, 10), color=(255, 0, 0))


def test_image_watermark_position() -> None:
    # https://help.aliyun.com/zh/oss/user-guide/add-watermarks: g defaults to se, x and y to 10.
    objects = {"mark.png": RED_MARK}
    out = render(WHITE, Img.watermark(image=WatermarkImage("mark.png")), objects=objects)
    assert pixel(out, (200 - 10 - 20, 100 - 10 - 10)) == (255, 0, 0)
    assert pixel(out, (200 - 10 - 21, 100 - 10 - 10)) == (255, 255, 255)
    out = render(WHITE, Img.watermark(image=WatermarkImage("mark.png"), gravity="nw", x=5, y=7), objects=objects)
    assert pixel(out, (5, 7)) == (255, 0, 0) and pixel(out, (4, 7)) == (255, 255, 255)
    out = render(WHITE, Img.watermark(image=WatermarkImage("mark.png"), gravity="center"), objects=objects)
    assert pixel(out, (90, 45)) == (255, 0, 0) and pixel(out, (89, 45)) == (255, 255, 255)
    # voffset moves a mark on the midline (this renderer: positive is up; the pages give no direction)
    out = render(WHITE, Img.watermark(image=WatermarkImage("mark.png"), gravity="east", voffset=20), objects=objects)
    assert pixel(out, (200 - 10 - 20, 45 - 20)) == (255, 0, 0) and pixel(out, (170, 45)) == (255, 255, 255)
    # x and y only move marks at the edges
    out = render(WHITE, Img.watermark(image=WatermarkImage("mark.png"), gravity="north", x=50, y=0), objects=objects)
    assert pixel(out, (90, 0)) == (255, 0, 0)


def test_image_watermark_preprocessing_and_opacity() -> None:
    # P: a percentage of the main image (add-watermarks page): 20% of 200 x 100 -> a 40 x 20 box.
    objects = {"mark.png": RED_MARK}
    mark = WatermarkImage("mark.png", WatermarkResize(main_percent=20))
    out = render(WHITE, Img.watermark(image=mark, gravity="nw", x=0, y=0), objects=objects)
    assert pixel(out, (39, 19)) == (255, 0, 0) and pixel(out, (40, 19)) == (255, 255, 255)
    out = render(WHITE, Img.watermark(image=WatermarkImage("mark.png"), opacity=50, gravity="nw"), objects=objects)
    red, green, _ = pixel(out, (15, 15))
    assert red == 255 and 110 < green < 145  # half opaque red on white


def test_tiled_watermark() -> None:
    objects = {"mark.png": RED_MARK}
    out = render(WHITE, Img.watermark(image=WatermarkImage("mark.png"), fill=True, padx=10, pady=10), objects=objects)
    assert pixel(out, (0, 0)) == (255, 0, 0) and pixel(out, (30, 20)) == (255, 0, 0)
    assert pixel(out, (25, 5)) == (255, 255, 255)  # in the 10 px gap


def test_text_watermark_draws_near_its_corner() -> None:
    out = render(WHITE, Img.watermark(text="procdsl", color="000000", size=30, shadow=50, rotate=10))
    with Image.open(io.BytesIO(out)) as image:
        gray = image.convert("L")
        assert gray.crop((100, 50, 200, 100)).getextrema()[0] < 100  # dark text in the south-east quarter
        assert gray.crop((0, 0, 60, 30)).getextrema() == (255, 255)  # nothing in the north-west


def test_missing_watermark_object() -> None:
    with pytest.raises(RenderError, match="was not supplied"):
        render(WHITE, Img.watermark(image=WatermarkImage("nowhere.png")))
    assert size_of(render(WHITE, Img.watermark(image=WatermarkImage("m.png")), objects=lambda key: RED_MARK)) == (
        200,
        100,
    )


# -- bad input: only ProcessError / RenderError -----------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` but holds almost no pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")
    )


def test_sources_over_the_limits_are_refused() -> None:
    # RESIZE "使用限制": each side at most 30,000 px, at most 250 million px, at most 20 MB.
    with pytest.raises(RenderError, match="30000 px per side"):
        render(png_header(30001, 10), "image/resize,w_10")
    with pytest.raises(RenderError):
        render(png_header(20000, 20000), "image/resize,w_10")  # 400 million px
    with pytest.raises(RenderError, match="20 MB"):
        render(b"\x00" * (20 * 1024 * 1024 + 1), "image/resize,w_10")


def test_resize_output_limit() -> None:
    with pytest.raises(RenderError, match="16384"):
        render(encode((10, 10)), "image/resize,w_16384,h_16384,m_fixed,limit_0")


def test_truncated_and_garbage() -> None:
    with pytest.raises(RenderError, match="cannot be decoded"):
        render(SOURCE_400x300[: len(SOURCE_400x300) // 2], "image/resize,w_10")
    with pytest.raises(RenderError):
        render(b"not an image", "image/resize,w_10")
    with pytest.raises(RenderError, match="OSS processes JPG"):
        render(encode((10, 10), "PPM"), "image/resize,w_10")  # decodable, but not a format OSS reads


def test_what_cannot_be_rendered() -> None:
    with pytest.raises(RenderError, match="blindwatermark"):
        render(SOURCE_400x300, "image/blindwatermark,content_5LqR")
    with pytest.raises(RenderError, match="face"):
        render(SOURCE_400x300, "image/blur,g_face,p_50,r_25,s_50")
    with pytest.raises(RenderError, match="style"):
        render(SOURCE_400x300, "style/small")
    with pytest.raises(RenderError, match="only image"):
        render(SOURCE_400x300, "video/snapshot,t_1000,f_jpg")
    with pytest.raises(ProcessError):
        render(SOURCE_400x300, "image/resize,w_0")
    assert issubclass(RenderError, ProcessError)


SMALL_PNG = encode((30, 20))


def damaged(data: bytes) -> st.SearchStrategy[bytes]:
    """``data`` cut short, or with one byte replaced (often in the header)."""
    cut = st.integers(0, len(data)).map(lambda n: data[:n])
    flipped = st.tuples(st.integers(0, min(len(data), 64) - 1), st.integers(0, 255)).map(
        lambda at: data[: at[0]] + bytes([at[1]]) + data[at[0] + 1 :]
    )
    return cut | flipped


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200) | damaged(SOURCE_400x300) | damaged(SMALL_PNG))
def test_bad_bytes_raise_only_render_errors(data: bytes) -> None:
    with contextlib.suppress(RenderError):  # anything else fails the test
        render(data, "image/resize,w_10/format,png")


def small_enough(pipeline: ImagePipeline) -> bool:
    """Keep generated pipelines quick: no resize beyond 300 px or 300 %."""
    for step in pipeline.steps:
        if step.action == "resize":
            sizes = [getattr(step, name) for name in ("width", "height", "longer", "shorter", "percent")]
            if any(value is not None and value > 300 for value in sizes):
                return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(strategies.image_pipelines(max_steps=3).filter(small_enough))
def test_any_valid_pipeline_renders_or_raises_render_error(pipeline: ImagePipeline) -> None:
    # Every pipeline procdsl can build either renders or says why not; nothing else escapes.
    try:
        result = render_result(SMALL_PNG, pipeline, objects=lambda key: SMALL_PNG)
    except RenderError:
        return
    assert result.media_type == "application/json" or size_of(result.data)[0] >= 1


# -- animated GIFs -----------------------------------------------------------------------------


def animation(frames: int = 4, size: Tuple[int, int] = (40, 30)) -> bytes:
    pictures = [Image.new("RGB", size, (60 * index, 255 - 60 * index, 0)) for index in range(frames)]
    buffer = io.BytesIO()
    pictures[0].save(buffer, "GIF", save_all=True, append_images=pictures[1:], duration=80, loop=0)
    return buffer.getvalue()


def frames_of(data: bytes) -> Tuple[str, Tuple[int, int], int]:
    with Image.open(io.BytesIO(data)) as image:
        return str(image.format), (int(image.width), int(image.height)), int(getattr(image, "n_frames", 1))


def test_animated_gif_stays_animated() -> None:
    # Resizing by width/height keeps the animation; rotation and percentage resizing make it static
    # (rotate page: "the animated GIF image becomes a static GIF image"; resize page on p).
    gif = animation()
    assert frames_of(render(gif, "image/resize,w_20")) == ("GIF", (20, 15), 4)
    assert frames_of(render(gif, "image/crop,w_10,h_10/watermark,text_eA,size_8")) == ("GIF", (10, 10), 4)
    assert frames_of(render(gif, "image/rotate,90")) == ("GIF", (30, 40), 1)
    assert frames_of(render(gif, "image/resize,p_50")) == ("GIF", (20, 15), 1)
    assert frames_of(render(gif, "image/resize,w_20/format,png")) == ("PNG", (20, 15), 1)
    assert json.loads(render(gif, "image/info"))["FrameCount"] == {"value": "4"}


def test_gif_rules() -> None:
    # GIF images cannot be enlarged, even with limit_0 (resize page); rounded-corners does not support GIF
    # (rounded-rectangle page); GIF is not a watermark image format (add-watermarks page).
    gif = animation()
    assert frames_of(render(gif, "image/resize,w_80,limit_0"))[1] == (40, 30)
    with pytest.raises(RenderError, match="GIF"):
        render(gif, "image/rounded-corners,r_5")
    with pytest.raises(RenderError, match="as watermarks"):
        render(WHITE, Img.watermark(image=WatermarkImage("a.gif")), objects={"a.gif": gif})
