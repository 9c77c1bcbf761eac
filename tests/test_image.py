"""Image processing: the documented strings, the examples file, validation, watermarks, styles."""

from __future__ import annotations

import base64
import pickle
import re
from typing import Any, Dict, List

import pytest

from procdsl import (
    AsyncJob,
    Image,
    ImagePipeline,
    NotifyOperation,
    ProcessError,
    ProcessSyntaxError,
    ProcessValueError,
    SaveAs,
    StageError,
    Style,
    SyncJob,
    WatermarkImage,
    WatermarkResize,
    parse,
)
from procdsl._declare import lookup
from procdsl._operations import image as ops
from tests.conftest import load_examples

# -- the examples file ------------------------------------------------------------------

# Examples that are not strict image strings, and why.
LENIENT_ONLY = {
    # SDK sample; `r` is no documented crop key (https://www.alibabacloud.com/help/en/oss/user-guide/custom-crop).
    "image/crop,w_100,h_100,x_100,y_100,r_1",
    # Legacy IMM actions filed under kind "image"; the imm/ family is not image processing.
    "imm/detectface",
    "imm/tagimage",
}


def image_examples() -> List[Dict[str, Any]]:
    return [e for e in load_examples() if e["kind"] == "image"]


def unpadded(text: str) -> str:
    """The string with base64 '=' padding dropped (the canonical output never pads)."""
    return re.sub(r"=+(?=[,/|]|$)", "", text)


def test_every_image_example_parses_and_round_trips() -> None:
    examples = image_examples()
    assert len(examples) > 70
    checked = 0
    for example in examples:
        text = example["process"]
        if "INVALID" in example["note"]:
            with pytest.raises(ProcessError):
                parse(text)
            continue
        if text in LENIENT_ONLY:
            with pytest.raises(ProcessSyntaxError):
                parse(text)
            value = parse(text, strict=False)
            assert str(value) == text
            assert parse(str(value), strict=False) == value
            continue
        if "t_90,g_se,x_10,y_10,t_50" in text:
            continue  # the repeated key; see test_repeated_key_is_refused_strictly_and_kept_leniently
        value = parse(text)
        assert parse(str(value)) == value, text
        assert str(value) == text, text
        assert parse(str(value.canonical())) == value
        checked += 1
    assert checked > 60


def test_invalid_blur_scale_names_parameter_value_and_range() -> None:
    # Error page 0004-00000244: p_1000 is refused, p_50 is the documented fix.
    with pytest.raises(ProcessValueError) as info:
        parse("image/blur,g_face,p_1000,r_25,s_50")
    assert info.value.param == "scale (p)"
    assert info.value.value == "1000"
    assert info.value.position == len("image/blur,g_face,p_")
    assert "1000" in str(info.value) and "[1, 200]" in str(info.value)  # 1-200: the blur page
    assert parse("image/blur,g_face,p_50,r_25,s_50") == Image.blur(region="face", scale=50, radius=25, sigma=50)


# -- typed builders reproduce the documented strings --------------------------------------

# base64 decoded by hand:
# cGFuZGEucG5n = "panda.png"; VHVsaXBzLmpwZw = "Tulips.jpg"; SGVsbG8gV29ybGQ = "Hello World"
# cGFuZGEucG5nP3gtb3NzLXByb2Nlc3M9aW1hZ2UvcmVzaXplLFBfMzA = "panda.png?x-oss-process=image/resize,P_30"
# cGljcy9KZWxseWZpc2guanBnP3gtb3NzLXByb2Nlc3M9aW1hZ2UvcmVzaXplLFBfMjA
#   = "pics/Jellyfish.jpg?x-oss-process=image/resize,P_20"
# cGljcy9Lb2FsYS5qcGc_eC1vc3MtcHJvY2Vzcz1pbWFnZS9yZXNpemUsUF8yMA = "pics/Koala.jpg?x-oss-process=image/resize,P_20"
# cGljcy9UdWxpcHMuanBnP3gtb3NzLXByb2Nlc3M9aW1hZ2UvcmVzaXplLFBfMjA = "pics/Tulips.jpg?x-oss-process=image/resize,P_20"
# V2F0ZXJtYXJrIDE = "Watermark 1"; V2F0ZXJtYXJrIDI = "Watermark 2"
# SGVsbG8g5Zu-54mH5pyN5YqhIQ = "Hello 图片服务!"
PANDA = WatermarkImage("panda.png")
PANDA_30 = WatermarkImage("panda.png", WatermarkResize(main_percent=30))


def _pics(name: str) -> WatermarkImage:
    return WatermarkImage(f"pics/{name}.jpg", WatermarkResize(main_percent=20))


DOCUMENTED = [
    # resize page (https://help.aliyun.com/zh/oss/user-guide/resize-images-4)
    (Image.resize(height=100), "image/resize,h_100"),
    (Image.resize(mode="pad", width=100, height=100), "image/resize,m_pad,w_100,h_100"),
    (
        Image.resize(color="FF0000", height=100, width=100, mode="pad"),
        "image/resize,m_pad,w_100,h_100,color_FF0000",
    ),
    (Image.resize(percent=50), "image/resize,p_50"),
    (Image.resize(shorter=200, limit=False), "image/resize,s_200,limit_0"),
    (Image.resize(width=3000, limit=False), "image/resize,w_3000,limit_0"),
    (Image.resize(longer=200), "image/resize,l_200"),
    (Image.resize(width=100, height=100, mode="fill"), "image/resize,m_fill,w_100,h_100"),
    # crop page (https://www.alibabacloud.com/help/en/oss/user-guide/custom-crop)
    (Image.crop(width=200, height=200, gravity="se"), "image/crop,w_200,h_200,g_se"),
    (Image.crop(gravity="se", width=200, height=200, x=10, y=10), "image/crop,x_10,y_10,w_200,h_200,g_se"),
    (Image.crop(x=100, y=50), "image/crop,x_100,y_50"),
    # format page (convert-image-formats-2) and its neighbours
    (Image.format("png"), "image/format,png"),
    (Image.resize(width=200).format("webp"), "image/resize,w_200/format,webp"),
    (Image.interlace(True).format("jpg"), "image/interlace,1/format,jpg"),
    (Image.format("jpg").interlace(True), "image/format,jpg/interlace,1"),
    (Image.circle(radius=100).format("png"), "image/circle,r_100/format,png"),
    # watermark page (https://help.aliyun.com/zh/oss/user-guide/add-watermarks)
    (Image.watermark(image=PANDA), "image/watermark,image_cGFuZGEucG5n"),
    (Image.watermark(text="Hello World"), "image/watermark,text_SGVsbG8gV29ybGQ"),
    (
        Image.resize(width=300).watermark(image=PANDA_30, opacity=90, gravity="se", x=10, y=10),
        "image/resize,w_300/watermark,image_cGFuZGEucG5nP3gtb3NzLXByb2Nlc3M9aW1hZ2UvcmVzaXplLFBfMzA,t_90,g_se,x_10,y_10",
    ),
    (
        Image.watermark(image=PANDA).watermark(image=WatermarkImage("Tulips.jpg"), gravity="west", x=10, y=10),
        "image/watermark,image_cGFuZGEucG5n/watermark,image_VHVsaXBzLmpwZw,g_west,x_10,y_10",
    ),
    (
        Image.watermark(text="Hello World", image=PANDA_30),
        "image/watermark,image_cGFuZGEucG5nP3gtb3NzLXByb2Nlc3M9aW1hZ2UvcmVzaXplLFBfMzA,text_SGVsbG8gV29ybGQ",
    ),
    (
        Image.watermark(text="Hello World").watermark(text="Hello World2", y=60),
        "image/watermark,text_SGVsbG8gV29ybGQ/watermark,text_SGVsbG8gV29ybGQy,y_60",
    ),
    (
        Image.resize(mode="fixed", width=100, height=100).watermark(text="Hello 图片服务!"),
        "image/resize,m_fixed,w_100,h_100/watermark,text_SGVsbG8g5Zu-54mH5pyN5YqhIQ",
    ),
    (
        Image.watermark(image=_pics("Jellyfish"), gravity="nw", x=10, y=10)
        .watermark(image=_pics("Koala"), gravity="se", x=10, y=10)
        .watermark(image=_pics("Tulips"), gravity="west", x=10, y=10)
        .watermark(text="Watermark 1", size=20, gravity="ne", x=10, y=200)
        .watermark(text="Watermark 2", color="0000b7", size=20, gravity="sw", x=100, y=50),
        "image/watermark,image_cGljcy9KZWxseWZpc2guanBnP3gtb3NzLXByb2Nlc3M9aW1hZ2UvcmVzaXplLFBfMjA,g_nw,x_10,y_10"
        "/watermark,image_cGljcy9Lb2FsYS5qcGc_eC1vc3MtcHJvY2Vzcz1pbWFnZS9yZXNpemUsUF8yMA,g_se,x_10,y_10"
        "/watermark,image_cGljcy9UdWxpcHMuanBnP3gtb3NzLXByb2Nlc3M9aW1hZ2UvcmVzaXplLFBfMjA,g_west,x_10,y_10"
        "/watermark,text_V2F0ZXJtYXJrIDE,size_20,g_ne,x_10,y_200"
        "/watermark,text_V2F0ZXJtYXJrIDI,color_0000b7,size_20,g_sw,x_100,y_50",
    ),
    (
        Image.resize(width=300, height=300)
        .auto_orient(True)
        .quality(relative=90)
        .format("jpg")
        .watermark(image=PANDA, opacity=90, gravity="se", x=10, y=10),
        "image/resize,w_300,h_300/auto-orient,1/quality,q_90/format,jpg/watermark,image_cGFuZGEucG5n,t_90,g_se,x_10,y_10",
    ),
    # the other action pages
    (Image.rotate(70), "image/rotate,70"),
    (Image.resize(width=200).bright(50), "image/resize,w_200/bright,50"),
    (Image.resize(width=200).contrast(-50), "image/resize,w_200/contrast,-50"),
    (Image.resize(width=200).sharpen(100), "image/resize,w_200/sharpen,100"),
    (Image.blur(radius=3, sigma=30), "image/blur,r_3,s_30"),
    (Image.indexcrop(x=100, index=0), "image/indexcrop,x_100,i_0"),
    (Image.rounded_corners(radius=30), "image/rounded-corners,r_30"),
    (Image.resize(width=100).auto_orient(False), "image/resize,w_100/auto-orient,0"),
    (Image.resize(width=100, height=100).quality(absolute=80), "image/resize,w_100,h_100/quality,Q_80"),
    (Image.resize(width=100).quality(relative=80), "image/resize,w_100/quality,q_80"),
    (Image.info(), "image/info"),
    (Image.average_hue(), "image/average-hue"),
]


@pytest.mark.parametrize(("built", "text"), DOCUMENTED, ids=[t for _, t in DOCUMENTED])
def test_builders_write_the_documented_strings(built: ImagePipeline, text: str) -> None:
    assert str(built) == text
    assert parse(text) == built
    assert str(parse(text)) == text


def test_the_issue_example_reads_like_the_docs() -> None:
    pipeline = Image.resize(width=100, height=100, mode="fill").rotate(90).format("webp")
    assert str(pipeline) == "image/resize,m_fill,w_100,h_100/rotate,90/format,webp"


def test_written_parameter_order_is_kept_and_canonical_order_is_declared() -> None:
    value = parse("image/resize,h_100,w_100,m_fixed")
    assert str(value) == "image/resize,h_100,w_100,m_fixed"
    assert value == Image.resize(mode="fixed", width=100, height=100)
    assert isinstance(value, ImagePipeline)
    assert str(value.steps[0].canonical()) == "image/resize,m_fixed,w_100,h_100"


# -- watermark images ---------------------------------------------------------------------


def test_watermark_image_value_is_decoded_into_its_preprocessing_steps() -> None:
    value = parse(
        "image/resize,w_300/watermark,image_cGFuZGEucG5nP3gtb3NzLXByb2Nlc3M9aW1hZ2UvcmVzaXplLFBfMzA,t_90,g_se,x_10,y_10"
    )
    assert isinstance(value, ImagePipeline)
    mark = value.steps[1]
    assert isinstance(mark, ops.Watermark) and mark.image is not None
    assert mark.image.key == "panda.png"
    assert mark.image.process == (WatermarkResize(main_percent=30),)
    assert mark.image == WatermarkImage("panda.png", ImagePipeline((WatermarkResize(main_percent=30),)))
    assert str(mark.image) == "panda.png?x-oss-process=image/resize,P_30"


def test_padded_watermark_image_parses_and_writes_as_written() -> None:
    # ...LHdfNTA= is "panda.png?x-oss-process=image/resize,w_50" with one '=' of padding.
    padded = "image/watermark,image_cGFuZGEucG5nP3gtb3NzLXByb2Nlc3M9aW1hZ2UvcmVzaXplLHdfNTA=,t_90"
    value = parse(padded)
    expected = Image.watermark(image=WatermarkImage("panda.png", Image.resize(width=50)), opacity=90)
    assert value == expected
    assert str(value) == padded
    assert (
        str(value.canonical()) == "image/watermark,image_cGFuZGEucG5nP3gtb3NzLXByb2Nlc3M9aW1hZ2UvcmVzaXplLHdfNTA,t_90"
    )


def test_a_resize_in_preprocessing_equals_its_watermark_resize() -> None:
    plain = WatermarkImage("a.png", Image.resize(width=50))
    assert plain == WatermarkImage("a.png", WatermarkResize(width=50))
    assert plain.process is not None and type(plain.process[0]) is WatermarkResize


def test_uppercase_p_exists_only_in_watermark_preprocessing() -> None:
    with pytest.raises(ProcessSyntaxError, match="unknown parameter 'P'"):
        parse("image/resize,P_30")
    with pytest.raises(TypeError):
        Image.resize(main_percent=30)  # type: ignore[call-arg]
    assert lookup("image", "resize") is ops.Resize
    with pytest.raises(ProcessValueError) as info:
        WatermarkResize(main_percent=101)
    assert info.value.param == "main_percent (P)" and "[1, 100]" in str(info.value)


def test_nested_watermark_is_refused_as_oss_refuses_it() -> None:
    with pytest.raises(ProcessValueError, match="0040-00000373"):
        WatermarkImage("a.png", Image.watermark(text="x"))
    inner = base64.urlsafe_b64encode(b"a.png?x-oss-process=image/watermark,text_eA").decode().rstrip("=")
    with pytest.raises(ProcessValueError, match="0040-00000373") as info:
        parse(f"image/watermark,image_{inner}")
    assert info.value.param == "image"
    assert info.value.position == len("image/watermark,image_")


def test_preprocessing_allows_only_the_documented_actions() -> None:
    with pytest.raises(ProcessValueError, match="circle"):
        WatermarkImage("a.png", Image.circle(radius=10))
    blurred = base64.urlsafe_b64encode(b"a.png?x-oss-process=image/blur,r_3,s_2").decode()
    with pytest.raises(ProcessValueError, match="blur"):
        parse(f"image/watermark,image_{blurred}")
    every = WatermarkImage(
        "logo/a.png",
        Image.resize(width=50)
        .crop(width=40, height=40)
        .indexcrop(x=10)
        .rounded_corners(radius=5)
        .rotate(90)
        .auto_orient(True),
    )
    mark = Image.watermark(image=every)
    assert parse(str(mark)) == mark


def test_watermark_image_key_is_checked() -> None:
    with pytest.raises(ProcessValueError, match="must not be empty"):
        WatermarkImage("")
    with pytest.raises(ProcessValueError, match="x-oss-process"):
        WatermarkImage("a.png?x-oss-process=image/resize,w_1")


def test_watermark_text_limit_is_64_utf8_bytes() -> None:
    assert Image.watermark(text="a" * 64)
    assert Image.watermark(text="图" * 21)  # 63 bytes
    with pytest.raises(ProcessValueError) as info:
        Image.watermark(text="图" * 22)  # 66 bytes
    assert info.value.param == "text" and "64" in str(info.value)


def test_font_is_a_base64_choice() -> None:
    # d3F5LXplbmhlaQ = "wqy-zenhei", ZmFuZ3poZW5naGVpdGk = "fangzhengheiti" (watermark page font table)
    mark = Image.watermark(text="Hello World", font="fangzhengheiti")
    assert str(mark) == "image/watermark,text_SGVsbG8gV29ybGQ,type_ZmFuZ3poZW5naGVpdGk"
    assert parse("image/watermark,text_SGVsbG8gV29ybGQ,type_d3F5LXplbmhlaQ==") == Image.watermark(
        text="Hello World", font="wqy-zenhei"
    )
    with pytest.raises(ProcessValueError, match="one of wqy-zenhei"):
        parse("image/watermark,text_SGVsbG8gV29ybGQ,type_YXJpYWw")  # "arial"


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: Image.watermark(opacity=50), "at least one of image, text"),
        (
            lambda: Image.watermark(text="a", voffset=1001),
            r"voffset must be .*\[-1000, 1000\] px; got 1001",
        ),
        (lambda: Image.watermark(text="a", size=0), r"\[1, 1000\]"),
        (lambda: Image.watermark(text="a", color="#FF0000"), "hex colour"),
    ],
)
def test_watermark_rules(build: Any, match: str) -> None:
    with pytest.raises(ProcessValueError, match=match):
        build()


def test_text_and_image_together_with_order_align_interval() -> None:
    mark = Image.watermark(image=PANDA, text="Hello World", order=1, align=1, interval=10, fill=True, padx=5)
    assert str(mark) == (
        "image/watermark,image_cGFuZGEucG5n,text_SGVsbG8gV29ybGQ,fill_1,padx_5,order_1,align_1,interval_10"
    )
    assert parse(str(mark)) == mark


def test_questionable_watermark_w_is_strict_error_and_lenient_keeps_it() -> None:
    # The REST sample "image/watermark,w_100": w is no key of https://help.aliyun.com/zh/oss/user-guide/add-watermarks.
    with pytest.raises(ProcessSyntaxError, match="unknown parameter 'w'"):
        parse("image/watermark,w_100")
    lenient = parse("image/watermark,w_100", strict=False)
    assert str(lenient) == "image/watermark,w_100"
    assert parse(str(lenient), strict=False) == lenient


def test_repeated_key_is_refused_strictly_and_kept_leniently() -> None:
    # FAQ (faq-2) writes t_90 ... t_50; no page says which value OSS applies for every key, so strict
    # parsing names both columns; lenient parsing means the last and writes the string back unchanged.
    text = (
        "image/resize,w_300/watermark,image_cGFuZGEucG5nP3gtb3NzLXByb2Nlc3M9aW1hZ2UvcmVzaXplLFBfMzA,"
        "t_90,g_se,x_10,y_10,t_50"
    )
    with pytest.raises(ProcessSyntaxError, match="given twice, at columns 92 and 112"):
        parse(text)
    value = parse(text, strict=False)
    assert value == Image.resize(width=300).watermark(image=PANDA_30, opacity=50, gravity="se", x=10, y=10)
    assert str(value) == text


# -- validation of the other actions --------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "param", "allowed"),
    [
        (lambda: Image.resize(width=0), "width (w)", "an integer in [1, 16384] px"),
        (lambda: Image.resize(percent=1001), "percent (p)", "an integer in [1, 1000] %"),
        (lambda: Image.rotate(361), "degrees", "an integer in [0, 360] degrees"),
        (lambda: Image.bright(-101), "amount", "an integer in [-100, 100]"),
        (lambda: Image.contrast(101), "amount", "an integer in [-100, 100]"),
        (lambda: Image.sharpen(49), "amount", "an integer in [50, 399]"),
        (lambda: Image.blur(radius=51, sigma=2), "radius (r)", "an integer in [1, 50]"),
        (lambda: Image.blur(radius=3, sigma=0), "sigma (s)", "an integer in [1, 50]"),
        (lambda: Image.quality(relative=0), "relative (q)", "an integer in [1, 100] %"),
        (lambda: Image.quality(absolute=101), "absolute (Q)", "an integer in [1, 100]"),
        (lambda: Image.circle(radius=4097), "radius (r)", "an integer in [1, 4096] px"),
        (
            lambda: Image.format("jpeg"),  # type: ignore[arg-type]
            "to",
            "one of jpg, png, webp, bmp, gif, tiff, heic, avif",
        ),
        (lambda: Image.blindwatermark(content="x", quality=69), "quality (q)", "an integer in [70, 100]"),
        (lambda: Image.blindwatermark(content="x" * 257), "content", None),
    ],
)
def test_range_errors_name_parameter_value_and_range(build: Any, param: str, allowed: Any) -> None:
    with pytest.raises(ProcessValueError) as info:
        build()
    assert info.value.param == param
    if allowed is not None:
        assert info.value.allowed == allowed
        assert allowed in str(info.value)
    assert repr(info.value.value)[:10] in str(info.value)


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: Image.resize(mode="fill"), "at least one of width, height, longer, shorter, percent"),
        (lambda: Image.indexcrop(index=1), "at least one of x, y"),
        (lambda: Image.quality(), "at least one of relative, absolute, value"),
    ],
)
def test_cross_parameter_rules(build: Any, match: str) -> None:
    with pytest.raises(ProcessValueError, match=match):
        build()


def test_positional_actions_parse_bare_values_only() -> None:
    assert parse("image/bright,-50") == Image.bright(-50)
    assert parse("image/auto-orient,0") == Image.auto_orient(False)
    with pytest.raises(ProcessValueError, match="0 or 1"):
        parse("image/interlace,2")
    with pytest.raises(ProcessSyntaxError, match="unexpected bare value"):
        parse("image/rotate,90,180")
    with pytest.raises(ProcessValueError):
        parse("image/rotate,r_90")
    with pytest.raises(ProcessSyntaxError):
        parse("image/info,exif_1")


def test_keys_are_case_sensitive() -> None:
    assert parse("image/quality,Q_80") == Image.quality(absolute=80)
    assert parse("image/quality,q_80") == Image.quality(relative=80)
    with pytest.raises(ProcessSyntaxError):
        parse("image/resize,W_100")


def test_legacy_at_syntax_is_named_as_such() -> None:
    with pytest.raises(ProcessSyntaxError, match="legacy '@' image syntax") as info:
        parse("example.jpg@100w_100h")
    assert info.value.position == len("example.jpg")


def test_image_values_are_immutable_hashable_and_picklable() -> None:
    base = Image.resize(width=300).watermark(image=PANDA_30, text="Hello World")
    assert pickle.loads(pickle.dumps(base)) == base
    assert hash(base) == hash(parse(str(base)))
    with pytest.raises(AttributeError):
        PANDA.key = "x"  # type: ignore[misc]
    one, two = base.rotate(90), base.rotate(180)
    assert str(one).endswith("/rotate,90") and str(two).endswith("/rotate,180")
    assert len(base.steps) == 2


# -- styles, save-as, blind watermarks ------------------------------------------------------


def test_style_with_save_as() -> None:
    # dGVzdC5qcGc = "test.jpg", dGVzdA = "test" (Save processed images page)
    text = "style/examplestyle|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA"
    job = Style("examplestyle").save_as("test", "test.jpg")
    assert isinstance(job, SyncJob)
    assert parse(text) == job
    assert str(parse(text)) == text
    assert str(job) == "style/examplestyle|sys/saveas,b_dGVzdA,o_dGVzdC5qcGc"
    with pytest.raises(ProcessValueError, match="style name"):
        Style("bad/name")
    with pytest.raises(ProcessSyntaxError, match="name only"):
        parse("style/small/resize,w_100")


def test_image_chain_with_save_as() -> None:
    # The Save processed images page: scale to width 100 and save as test.jpg in bucket test.
    job = Image.resize(width=100).save_as("test", "test.jpg")
    assert parse("image/resize,w_100|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA") == job
    assert job.save == SaveAs(bucket="test", key="test.jpg")
    with pytest.raises(StageError):
        parse("image/resize,w_100|sys/saveas,o_dGVzdC5qcGc/notify,topic_dA")


def test_blindwatermark_is_sync_and_saved() -> None:
    # 6Zi_6YeM5LqR54mI5p2D5omA5pyJ = "阿里云版权所有" (add-blindwatermarks page)
    job = Image.blindwatermark(content="阿里云版权所有", strength="low", quality=90).save_as("out.jpg")
    assert str(job).startswith("image/blindwatermark,content_6Zi_6YeM5LqR54mI5p2D5omA5pyJ,s_low,q_90|sys/saveas,o_")
    assert parse(str(job)) == job


def test_deblindwatermark_goes_with_notify() -> None:
    # aW1tLWJsaW5kd2F0ZXJtYXJrLXRlc3Q = "imm-blindwatermark-test" (PHP v2 async sample)
    text = "image/deblindwatermark,s_low,t_text|sys/notify,topic_aW1tLWJsaW5kd2F0ZXJtYXJrLXRlc3Q"
    pending = Image.deblindwatermark(strength="low", watermark_type="text")
    assert isinstance(pending, NotifyOperation)
    job = pending.notify("imm-blindwatermark-test")
    assert isinstance(job, AsyncJob)
    assert str(job) == text
    assert parse(text) == job
    assert parse(text, context="async") == job
    assert isinstance(parse("image/deblindwatermark,s_low,t_text"), NotifyOperation)
    with pytest.raises(StageError):
        parse("image/resize,w_100/deblindwatermark,s_low")
    with pytest.raises(StageError):
        parse("image/deblindwatermark,s_low|sys/saveas,o_YQ")
