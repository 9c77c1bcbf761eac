"""Synchronous image processing (``image/``), plus blind-watermark extraction.

Every action of the IMG parameter list (https://www.alibabacloud.com/help/doc-detail/183902.htm)
is one class here. Field order is the canonical output order, chosen so the
builders write the strings of the official resize, crop, watermark and format
pages as printed there (``resize,m_pad,w_100,h_100,color_FF0000``,
``crop,x_10,y_10,w_200,h_200,g_se``, ``watermark,image_…,t_90,g_se,x_10,y_10``,
``watermark,text_…,color_0000b7,size_20,g_sw,x_100,y_50``).

Image watermarks name their object through ``WatermarkImage``: an object key and
an optional preprocessing pipeline, sent together as base64 of
``key?x-oss-process=image/…``. Inside that pipeline ``resize`` also takes ``P``
(percent of the main image), which is why it is ``WatermarkResize`` there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Literal, Optional, Tuple, Type, Union

from .._codecs import B64Text, Choice, Codec, CodecError, Flag, HexColor, Int, b64decode, b64encode, shown
from .._declare import MessageTask, Operation, Rule, at_least_one, param
from .._grammar import tokenize
from .._inert import Inert, unless
from .._values import frozen
from ..errors import ProcessError, ProcessValueError

if TYPE_CHECKING:
    from .._stages import ImagePipeline

__all__ = [
    "ImageOperation",
    "Align",
    "AutoOrient",
    "AverageHue",
    "B64Choice",
    "Blindwatermark",
    "Bodies",
    "Cars",
    "Codes",
    "Blur",
    "BlurRegion",
    "Bright",
    "Circle",
    "Contrast",
    "Crop",
    "Deblindwatermark",
    "Faces",
    "Font",
    "Format",
    "Gravity",
    "ImageFormat",
    "IndexCrop",
    "Info",
    "Interlace",
    "Labels",
    "Quality",
    "Resize",
    "ResizeMode",
    "Rotate",
    "RoundedCorners",
    "Score",
    "Sharpen",
    "Strength",
    "Watermark",
    "WatermarkImage",
    "WatermarkImageCodec",
    "WatermarkOrder",
    "WatermarkResize",
]

_IMG = "https://www.alibabacloud.com/help/en/oss/user-guide/"
# The 2021 official doc sources, one page per action (the AlibabaCloudDocs/oss repository).
_S3 = (
    "https://github.com/AlibabaCloudDocs/oss/blob/master/intl.en-US/"
    "Developer%20Guide/Data%20Processing/Image%20Processing/Parameters/"
)

ResizeMode = Literal["lfit", "mfit", "fill", "pad", "fixed"]
Gravity = Literal["nw", "north", "ne", "west", "center", "east", "sw", "south", "se"]
# Output formats. heic: S3 "图片高级压缩" (image/format,heic); avif: listed by the current
# overview (https://www.alibabacloud.com/help/en/oss/user-guide/overview-17). Neither
# 'heif' nor 'jpeg' appears in any OSS page, so they are not accepted
# (https://www.alibabacloud.com/help/en/oss/user-guide/convert-image-formats-2).
ImageFormat = Literal["jpg", "png", "webp", "bmp", "gif", "tiff", "heic", "avif"]
# Fonts of the text watermark (https://help.aliyun.com/zh/oss/user-guide/add-watermarks).
Font = Literal[
    "wqy-zenhei",
    "wqy-microhei",
    "fangzhengshusong",
    "fangzhengkaiti",
    "fangzhengheiti",
    "fangzhengfangsong",
    "droidsansfallback",
]
Strength = Literal["low", "medium", "high"]
# face: the largest face; faces: every detected face (https://help.aliyun.com/en/oss/user-guide/blur).
BlurRegion = Literal["face", "faces"]
WatermarkOrder = Literal[0, 1]
Align = Literal[0, 1, 2]

# The largest side OSS reads (https://help.aliyun.com/zh/oss/user-guide/resize-images-4:
# source images are at most 30,000 px per side); crop offsets and sizes cannot exceed it.
_SIDE = 30000
_PREPROCESS_ACTIONS = ("resize", "crop", "indexcrop", "rounded-corners", "rotate", "auto-orient")
_PROCESS_MARK = "?x-oss-process="


class B64Choice(Choice):
    """One of fixed text values, sent as URL-safe base64 (the watermark font ``type``)."""

    kind = "base64-enum"
    base64 = True

    def encode(self, value: Any) -> str:
        return b64encode(str(value))

    def decode(self, text: str) -> Any:
        return super().decode(b64decode(text))

    def describe(self) -> str:
        return super().describe() + ", sent as URL-safe base64"

    def spec(self) -> dict[str, Any]:
        return {"type": "base64-enum", "encoding": "base64url-nopad", "values": list(self.values)}


# -- geometry ---------------------------------------------------------------------------


class ImageOperation(Operation):
    """Base of the synchronous image actions: what an ``ImagePipeline`` holds.

    Typing ``ImagePipeline`` with it lets the type checker refuse a video or
    document operation in an image chain.
    """

    family: ClassVar[str] = "image"


class Resize(ImageOperation):
    """Scale an image by a box, a side, or a percentage.

    Page: https://help.aliyun.com/zh/oss/user-guide/resize-images-4. When both a
    w/h box and ``p`` are given OSS runs only the box; that is allowed here (not an error).
    """

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "resize"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/user-guide/resize-images-4"
    rules: ClassVar[Tuple[Rule, ...]] = (at_least_one("width", "height", "longer", "shorter", "percent"),)
    # "color ... only takes effect when m is pad" (resize page): accepted, flagged by explain/check.
    inert: ClassVar[Tuple[Inert, ...]] = (unless("color", "mode", "pad", when="m is pad"),)

    mode: Optional[ResizeMode] = param(
        "m", Choice(ResizeMode), default=None, server_default="lfit", doc="How the box is filled."
    )
    width: Optional[int] = param("w", Int(1, 16384, unit="px"), default=None, doc="Target width.")
    height: Optional[int] = param("h", Int(1, 16384, unit="px"), default=None, doc="Target height.")
    longer: Optional[int] = param("l", Int(1, 16384, unit="px"), default=None, doc="Target longer side.")
    shorter: Optional[int] = param("s", Int(1, 16384, unit="px"), default=None, doc="Target shorter side.")
    limit: Optional[bool] = param(
        "limit", Flag(), default=None, server_default="1", doc="True: never enlarge beyond the source size."
    )
    color: Optional[str] = param(
        "color", HexColor(), default=None, server_default="FFFFFF", doc="Padding colour (mode pad only)."
    )
    percent: Optional[int] = param("p", Int(1, 1000, unit="%"), default=None, doc="Scale by a percentage.")


class WatermarkResize(Resize):
    """``resize`` inside a watermark image's preprocessing: also takes ``P``.

    ``P`` scales the watermark to a percentage of the *main* image, [1, 100]
    (https://help.aliyun.com/zh/oss/user-guide/add-watermarks; "a value from 1 to 100" on
    https://help.aliyun.com/en/oss/user-guide/image-watermark). It exists only there,
    so this class is not registered (it declares no family/action of its own):
    top-level parsing never produces it.
    """

    rules: ClassVar[Tuple[Rule, ...]] = (
        at_least_one("width", "height", "longer", "shorter", "percent", "main_percent"),
    )

    main_percent: Optional[int] = param(
        "P", Int(1, 100, unit="% of the main image"), default=None, doc="Scale relative to the main image."
    )


class Crop(ImageOperation):
    """Cut a rectangle from a 3x3-grid origin plus an offset.

    Page: https://www.alibabacloud.com/help/en/oss/user-guide/custom-crop. Bounds
    beyond the image are clipped by OSS; the ``r`` of some SDK samples is not a
    documented key (strict parsing refuses it, lenient keeps it).
    """

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "crop"
    doc_url: ClassVar[str] = _IMG + "custom-crop"

    x: Optional[int] = param("x", Int(0, _SIDE, unit="px"), default=None, server_default="0", doc="X offset.")
    y: Optional[int] = param("y", Int(0, _SIDE, unit="px"), default=None, server_default="0", doc="Y offset.")
    width: Optional[int] = param(
        "w", Int(0, _SIDE, unit="px"), default=None, server_default="to the edge", doc="Crop width."
    )
    height: Optional[int] = param(
        "h", Int(0, _SIDE, unit="px"), default=None, server_default="to the edge", doc="Crop height."
    )
    gravity: Optional[Gravity] = param(
        "g", Choice(Gravity), default=None, server_default="nw", doc="Grid cell the offsets start from."
    )


class Circle(ImageOperation):
    """Cut the incircle (transparent outside for PNG/WebP; white for JPG)."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "circle"
    doc_url: ClassVar[str] = "https://www.alibabacloud.com/help/doc-detail/44695.htm"

    # [1,4096]: https://www.alibabacloud.com/help/doc-detail/44695.htm (2024), same as 2021.
    radius: int = param("r", Int(1, 4096, unit="px"), doc="Radius; clamped to half the shorter side.")


class IndexCrop(ImageOperation):
    """Cut the image into slices along one axis and keep slice ``index``.

    If both ``x`` and ``y`` are given OSS uses ``y``; an index past the last slice
    returns the source image (indexed-cut page, 2021 doc source).
    """

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "indexcrop"
    doc_url: ClassVar[str] = _S3 + "Indexed%20cut.md"
    rules: ClassVar[Tuple[Rule, ...]] = (at_least_one("x", "y"),)

    x: Optional[int] = param("x", Int(1, _SIDE, unit="px"), default=None, doc="Slice width (horizontal cut).")
    y: Optional[int] = param("y", Int(1, _SIDE, unit="px"), default=None, doc="Slice height (vertical cut).")
    index: Optional[int] = param("i", Int(0, None), default=None, server_default="0", doc="Which slice, from 0.")


class RoundedCorners(ImageOperation):
    """Round the corners (transparency as for ``circle``)."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "rounded-corners"
    doc_url: ClassVar[str] = _IMG + "rounded-rectangle-4"

    # [1,4096]: https://www.alibabacloud.com/help/en/oss/user-guide/rounded-rectangle-4 (2026).
    radius: int = param("r", Int(1, 4096, unit="px"), doc="Corner radius; clamped to half the shorter side.")


class AutoOrient(ImageOperation):
    """Rotate by the EXIF Orientation first (``auto-orient,1``) or keep it (``,0``)."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "auto-orient"
    doc_url: ClassVar[str] = "https://www.alibabacloud.com/help/tc/object-storage-service/latest/auto-rotate"

    enabled: bool = param(None, Flag(), kw_only=False, doc="True: apply the EXIF orientation.")


class Rotate(ImageOperation):
    """Rotate clockwise; angles other than multiples of 90 enlarge the canvas."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "rotate"
    doc_url: ClassVar[str] = _S3 + "Rotate.md"

    degrees: int = param(None, Int(0, 360, unit="degrees"), kw_only=False, doc="Clockwise angle.")


# -- effects ----------------------------------------------------------------------------


class Blur(ImageOperation):
    """Gaussian blur of the whole image, or of the detected faces (``g``).

    Page: https://help.aliyun.com/en/oss/user-guide/blur (also the id edition,
    https://www.alibabacloud.com/help/id/oss/user-guide/blur): ``r`` and ``s`` required,
    1-50; ``g`` is ``face`` (largest face) or ``faces`` (all); ``p`` resizes the blurred
    area, 1-200 % of the face, and only takes effect with ``g``.
    """

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "blur"
    doc_url: ClassVar[str] = "https://help.aliyun.com/en/oss/user-guide/blur"
    inert: ClassVar[Tuple[Inert, ...]] = (unless("scale", "region", when="g is set"),)

    region: Optional[BlurRegion] = param("g", Choice(BlurRegion), default=None, doc="Blur only this region.")
    scale: Optional[int] = param(
        "p",
        Int(1, 200, unit="% of the face"),
        default=None,
        doc="Size of the blurred area relative to the face (with g only).",
        note="1-200: https://help.aliyun.com/en/oss/user-guide/blur",
    )
    radius: int = param("r", Int(1, 50), doc="Blur radius; larger is blurrier.")
    sigma: int = param("s", Int(1, 50), doc="Standard deviation; larger is blurrier.")


class Bright(ImageOperation):
    """Brightness: below 0 darker, above 0 brighter (``bright,-50``)."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "bright"
    doc_url: ClassVar[str] = _S3 + "Brightness.md"

    amount: int = param(None, Int(-100, 100), kw_only=False, doc="Brightness change.")


class Contrast(ImageOperation):
    """Contrast: below 0 less, above 0 more (``contrast,-50``)."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "contrast"
    doc_url: ClassVar[str] = _S3 + "Contrast.md"

    amount: int = param(None, Int(-100, 100), kw_only=False, doc="Contrast change.")


class Sharpen(ImageOperation):
    """Sharpen; 100 is the recommended amount."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "sharpen"
    doc_url: ClassVar[str] = _S3 + "Sharpen.md"

    amount: int = param(None, Int(50, 399), kw_only=False, doc="Sharpening strength.")


# -- output -----------------------------------------------------------------------------


class Interlace(ImageOperation):
    """Progressive JPEG (``interlace,1``); JPG output only."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "interlace"
    doc_url: ClassVar[str] = _S3 + "Gradual%20display.md"

    progressive: bool = param(None, Flag(), kw_only=False, doc="True: progressive; False: baseline.")


class Quality(ImageOperation):
    """JPG/WebP quality: ``q`` relative to the source, ``Q`` absolute (``Q`` wins if both).

    A bare ``quality,N`` is documented by error page
    https://help.aliyun.com/zh/oss/support/0040-00000310 (``image/quality,200`` refused as out
    of [1, 100]); which quality it sets is not stated there (UNCERTAIN).
    """

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "quality"
    doc_url: ClassVar[str] = _S3 + "Quality%20transformation.md"
    rules: ClassVar[Tuple[Rule, ...]] = (at_least_one("relative", "absolute", "value"),)

    relative: Optional[int] = param("q", Int(1, 100, unit="%"), default=None, doc="Percent of the source quality.")
    absolute: Optional[int] = param("Q", Int(1, 100), default=None, doc="Absolute quality, capped at the source's.")
    value: Optional[int] = param(
        None,
        Int(1, 100),
        default=None,
        doc="The bare form quality,N.",
        note="Documented only by https://help.aliyun.com/zh/oss/support/0040-00000310; meaning UNCERTAIN.",
    )


class Format(ImageOperation):
    """Convert the output format; put it last, or right after resize when watermarking.

    Page: https://www.alibabacloud.com/help/en/oss/user-guide/convert-image-formats-2.
    ``gif`` output works only for GIF sources.
    """

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "format"
    doc_url: ClassVar[str] = _IMG + "convert-image-formats-2"

    to: ImageFormat = param(None, Choice(ImageFormat), kw_only=False, doc="Output format.")


class Info(ImageOperation):
    """Return the image's size, format and EXIF as JSON instead of the image."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "info"
    doc_url: ClassVar[str] = _S3 + "Query%20image%20information.md"


class AverageHue(ImageOperation):
    """Return the average colour as ``0xRRGGBB`` instead of the image."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "average-hue"
    doc_url: ClassVar[str] = _S3 + "Query%20the%20average%20tone.md"


# -- image intelligence (IMM-backed, synchronous, JSON results) ----------------------------
# "Image intelligence ... x-oss-process=image/*" (https://help.aliyun.com/en/oss/user-guide/synchronous-processing);
# the IMM image-intelligence overview lists the six actions faces, bodies, cars, codes, labels, score. Their
# pages show the bare action and no parameter table, so none is declared; lenient parsing keeps other keys.


class Faces(ImageOperation):
    """Detect faces and their attributes (age, gender, emotion, position) as JSON."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "faces"
    doc_url: ClassVar[str] = "https://www.alibabacloud.com/help/en/oss/user-guide/face-detection"


class Bodies(ImageOperation):
    """Detect human bodies (bounding box and confidence) as JSON."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "bodies"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/body-detection"


class Cars(ImageOperation):
    """Detect vehicles and licence plates as JSON."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "cars"
    doc_url: ClassVar[str] = "https://www.alibabacloud.com/help/en/oss/user-guide/vehicle-detection"


class Codes(ImageOperation):
    """Read QR codes and barcodes (up to five per image) as JSON."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "codes"
    doc_url: ClassVar[str] = "https://www.alibabacloud.com/help/pt-br/oss/user-guide/qrcode-recognition"


class Labels(ImageOperation):
    """Detect scene, object and event labels as JSON."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "labels"
    doc_url: ClassVar[str] = "https://help.aliyun.com/en/oss/user-guide/image-label-detection"


class Score(ImageOperation):
    """Score the image's visual quality from 0 to 1 as JSON."""

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "score"
    doc_url: ClassVar[str] = "https://help.aliyun.com/en/oss/user-guide/image-quality-score"


# -- watermarks -------------------------------------------------------------------------


def _preprocess_classes() -> Dict[str, Type[ImageOperation]]:
    return {
        "resize": WatermarkResize,
        "crop": Crop,
        "indexcrop": IndexCrop,
        "rounded-corners": RoundedCorners,
        "rotate": Rotate,
        "auto-orient": AutoOrient,
    }


def _nested_refusal(name: str) -> str:
    if name == "watermark":
        return "nests a watermark in a watermark image's preprocessing, which OSS refuses (error 0040-00000373)"
    return f"uses {name!r} in a watermark image's preprocessing (allowed: {', '.join(_PREPROCESS_ACTIONS)})"


@frozen
class WatermarkImage:
    """The object of an image watermark (same bucket), optionally preprocessed.

    ``WatermarkImage("panda.png", WatermarkResize(main_percent=30))`` is sent as
    base64 of ``panda.png?x-oss-process=image/resize,P_30``. Preprocessing may use
    resize (with ``P``), crop, indexcrop, rounded-corners, rotate and auto-orient
    (https://help.aliyun.com/zh/oss/user-guide/add-watermarks), given as one
    operation, an ``ImagePipeline`` (``Image.resize(width=50).rotate(90)``) or a
    tuple of operations; it is kept as the tuple of its steps, and a ``Resize``
    given here is stored as the equal ``WatermarkResize``.
    """

    __slots__ = ("key", "process")
    key: str
    #: The preprocessing steps, in order; ``None`` for none.
    process: Optional[Tuple[ImageOperation, ...]]

    def __init__(
        self, key: str, process: Union[ImagePipeline, Operation, Tuple[ImageOperation, ...], None] = None
    ) -> None:
        try:
            _KEY.check(key)
            if _PROCESS_MARK in key:
                raise CodecError(f"must not contain {_PROCESS_MARK!r}; pass the preprocessing as process")
        except CodecError as exc:
            raise ProcessValueError(
                f"watermark image key {exc}; got {key!r}", param="image", value=key, allowed=_KEY.describe()
            ) from None
        steps: Optional[Tuple[ImageOperation, ...]] = None
        if isinstance(process, Operation):
            steps = (_as_preprocess(process),)
        elif process is not None:
            items = getattr(process, "steps", process)  # an ImagePipeline holds its steps
            if not isinstance(items, (tuple, list)) or not items:
                raise ProcessValueError(
                    f"watermark image process must be an ImagePipeline; got {process!r}",
                    param="image",
                    value=process,
                    allowed="an ImagePipeline of " + ", ".join(_PREPROCESS_ACTIONS),
                )
            steps = tuple(_as_preprocess(step) for step in items)
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "process", steps)

    def __reduce__(self) -> Any:
        return (WatermarkImage, (self.key, self.process))

    def canonical(self) -> WatermarkImage:
        """The same image with its preprocessing in declared parameter order."""
        return WatermarkImage(self.key, None if self.process is None else tuple(s.canonical() for s in self.process))

    def __str__(self) -> str:
        """The text that is base64-encoded into ``image_``."""
        if self.process is None:
            return self.key
        return f"{self.key}{_PROCESS_MARK}image/" + "/".join(s.to_wire(with_family=False) for s in self.process)

    @classmethod
    def from_text(cls, text: str) -> WatermarkImage:
        """Read ``key`` or ``key?x-oss-process=image/…`` (the decoded ``image_`` value)."""
        if _PROCESS_MARK not in text:
            return cls(text)
        key, process = text.split(_PROCESS_MARK, 1)
        return cls(key, _parse_preprocess(process))


_KEY = B64Text(max_bytes=1023, what="an object key in the source bucket")


def _as_preprocess(step: Any) -> ImageOperation:
    if type(step) is Resize:
        return WatermarkResize(**dict(step.items()), extra=step.extra)._with_order(step._order)
    if not isinstance(step, ImageOperation) or step.action not in _PREPROCESS_ACTIONS:
        name = step.action if hasattr(step, "action") else type(step).__name__
        raise ProcessValueError(
            f"watermark image {_nested_refusal(name)}",
            param="image",
            value=step,
            allowed=", ".join(_PREPROCESS_ACTIONS),
        )
    return step


def _parse_preprocess(text: str) -> Tuple[ImageOperation, ...]:
    stages = tokenize(text)
    if len(stages) != 1 or stages[0].family is None or stages[0].family.text != "image":
        raise ProcessValueError(
            f"watermark image preprocessing must be one image/… chain; got {text!r}",
            param="image",
            value=text,
            allowed=", ".join(_PREPROCESS_ACTIONS),
        )
    classes = _preprocess_classes()
    ops: List[ImageOperation] = []
    for segment in stages[0].segments:
        cls = classes.get(segment.name.text)
        if cls is None:
            raise ProcessValueError(
                f"watermark image {_nested_refusal(segment.name.text)}",
                param="image",
                value=text,
                allowed=", ".join(_PREPROCESS_ACTIONS),
            )
        ops.append(cls.from_tokens(segment.params, strict=True, source=text))
    return tuple(ops)


class WatermarkImageCodec(Codec[WatermarkImage]):
    """A ``WatermarkImage``, sent as URL-safe base64 of ``key[?x-oss-process=image/…]``."""

    kind = "watermark-image"
    base64 = True

    def check(self, value: object) -> WatermarkImage:
        if not isinstance(value, WatermarkImage):
            raise CodecError(f"must be a WatermarkImage ({self.describe()})")
        return value

    def encode(self, value: WatermarkImage) -> str:
        return b64encode(str(value))

    def decode(self, text: str) -> WatermarkImage:
        decoded = b64decode(text)
        try:
            return WatermarkImage.from_text(decoded)
        except ProcessError as exc:
            reason = exc.message.removeprefix("watermark image ").split("; got ", 1)[0]
            raise CodecError(f"decodes to {shown(decoded)}, but {reason}") from None

    def describe(self) -> str:
        return (
            "an object key with optional preprocessing (" + ", ".join(_PREPROCESS_ACTIONS) + "; resize may use P), "
            "sent as URL-safe base64"
        )

    def spec(self) -> dict[str, Any]:
        return {
            "type": "watermark-image",
            "encoding": "base64url-nopad",
            "content": "object key [+ ?x-oss-process=image/<preprocessing>]",
            "key_max_bytes": 1023,
            "preprocess_actions": list(_PREPROCESS_ACTIONS),
        }


_BOTH = ("order", "align", "interval")


def _mixed_only(name: str) -> Inert:
    return Inert(name, "both image and text are given", lambda v: v.get("image") is None or v.get("text") is None)


_TEXT_ONLY = ("font", "color", "size", "shadow", "rotate")
# x moves a mark away from the left/right edge and y from the top/bottom edge; voffset moves it off the
# middle row (add-watermarks page). Reading which cells ignore them is ours (UNCERTAIN).
_MIDDLE_COLUMN = ("north", "center", "south")
_MIDDLE_ROW = ("west", "center", "east")


class Watermark(ImageOperation):
    """A text and/or image watermark; chain several for several marks.

    Page: https://help.aliyun.com/zh/oss/user-guide/add-watermarks. Parameters the page
    says "only take effect" in some context (text keys on text marks, ``padx``/``pady``
    with ``fill_1``, ``order``/``align``/``interval`` on mixed marks, ``x``/``y`` at the
    edges, ``voffset`` in the middle row) are accepted; ``explain``/``check`` say when one
    has no effect. ``fill`` tiles image marks too (current page).
    """

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "watermark"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/user-guide/add-watermarks"
    rules: ClassVar[Tuple[Rule, ...]] = (at_least_one("image", "text"),)
    inert: ClassVar[Tuple[Inert, ...]] = (
        *(unless(name, "text", when="the mark is text") for name in _TEXT_ONLY),
        unless("padx", "fill", True, when="fill is 1"),
        unless("pady", "fill", True, when="fill is 1"),
        *(_mixed_only(name) for name in _BOTH),
        Inert("x", "g is at a left or right edge", lambda v: v.get("gravity") in _MIDDLE_COLUMN),
        Inert("y", "g is at a top or bottom edge", lambda v: v.get("gravity") in _MIDDLE_ROW),
        Inert("voffset", "g is west, center or east", lambda v: v.get("gravity", "se") not in _MIDDLE_ROW),
    )

    image: Optional[WatermarkImage] = param("image", WatermarkImageCodec(), default=None, doc="Image mark.")
    text: Optional[str] = param(
        "text",
        B64Text(max_bytes=64, what="watermark text"),
        default=None,
        doc="Text mark, at most 64 UTF-8 bytes (21 Chinese characters).",
    )
    font: Optional[Font] = param("type", B64Choice(Font), default=None, server_default="wqy-zenhei", doc="Font.")
    color: Optional[str] = param("color", HexColor(), default=None, server_default="000000", doc="Text colour.")
    size: Optional[int] = param("size", Int(1, 1000, unit="px"), default=None, server_default="40", doc="Text size.")
    shadow: Optional[int] = param("shadow", Int(0, 100), default=None, server_default="0", doc="Shadow opacity.")
    rotate: Optional[int] = param(
        "rotate", Int(0, 360, unit="degrees"), default=None, server_default="0", doc="Clockwise text rotation."
    )
    fill: Optional[bool] = param("fill", Flag(), default=None, server_default="0", doc="Tile across the image.")
    padx: Optional[int] = param("padx", Int(0, 4096, unit="px"), default=None, doc="Horizontal gap between tiles.")
    pady: Optional[int] = param("pady", Int(0, 4096, unit="px"), default=None, doc="Vertical gap between tiles.")
    opacity: Optional[int] = param("t", Int(0, 100), default=None, server_default="100", doc="Opacity.")
    gravity: Optional[Gravity] = param("g", Choice(Gravity), default=None, server_default="se", doc="Position.")
    x: Optional[int] = param("x", Int(0, 4096, unit="px"), default=None, server_default="10", doc="Horizontal margin.")
    y: Optional[int] = param("y", Int(0, 4096, unit="px"), default=None, server_default="10", doc="Vertical margin.")
    voffset: Optional[int] = param(
        "voffset", Int(-1000, 1000, unit="px"), default=None, server_default="0", doc="Offset from the midline."
    )
    order: Optional[WatermarkOrder] = param(
        "order", Choice(WatermarkOrder), default=None, server_default="0", doc="0: image first; 1: text first."
    )
    # Default 2 per the current page and the 2021 English page; one 2021 zh page says 0.
    align: Optional[Align] = param(
        "align", Choice(Align), default=None, server_default="2", doc="0 top, 1 middle, 2 bottom."
    )
    interval: Optional[int] = param(
        "interval", Int(0, 1000, unit="px"), default=None, server_default="0", doc="Gap between image and text."
    )

    def _validate(self) -> None:
        if self.extra and self.image is None and self.text is None:
            # Lenient parsing kept unknown keys (the doc artefact ``watermark,w_100``):
            # keep the string rather than judge what an unknown key might supply.
            return
        super()._validate()


# -- blind watermarks (require an IMM project bound to the bucket) ------------------------


class Blindwatermark(ImageOperation):
    """Embed an invisible text watermark; save the result with ``save_as``.

    Page: https://help.aliyun.com/zh/oss/user-guide/add-blindwatermarks.
    """

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "blindwatermark"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/user-guide/add-blindwatermarks"

    content: str = param("content", B64Text(max_chars=256, what="watermark text"), doc="Text to embed.")
    strength: Optional[Strength] = param(
        "s", Choice(Strength), default=None, server_default="low", doc="Stronger survives more, distorts more."
    )
    quality: Optional[int] = param(
        "q", Int(70, 100), default=None, server_default="90", doc="Output quality (JPG input only)."
    )


class Deblindwatermark(MessageTask):
    """Extract a blind watermark (asynchronous; the text arrives in the notify message).

    Only ``s`` and ``t`` appear in the documented example
    (https://help.aliyun.com/zh/oss/developer-reference/asynchronous-processing-using-oss-sdk-for-php-v2);
    both are optional here, and ``t`` has the one documented value ``text`` (UNCERTAIN).
    """

    family: ClassVar[str] = "image"
    action: ClassVar[str] = "deblindwatermark"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/user-guide/add-blindwatermarks"

    strength: Optional[Strength] = param("s", Choice(Strength), default=None, doc="Strength used when embedding.")
    watermark_type: Optional[Literal["text"]] = param("t", Choice(Literal["text"]), default=None, doc="Watermark type.")
