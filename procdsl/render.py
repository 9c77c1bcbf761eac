"""Render synchronous image pipelines locally, as OSS would (optional extra ``procdsl[render]``).

``render(data, process)`` applies an ``image/…`` pipeline to an encoded image and returns the
encoded result: output sizes follow the formulas of the OSS pages exactly (each step below names
its page); pixels are Pillow's, so they resemble OSS output but are not byte-identical. Where a
page leaves a detail open (fonts, filters, blur kernel, shadow offset) the plainest behaviour is
chosen and said in a ``Choice:`` comment; docs/render.md lists them all.

The core never imports this module, and importing it needs Pillow.
"""

from __future__ import annotations

import io
import json
import math
import warnings
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

try:
    from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageStat
    from PIL.ExifTags import GPSTAGS, TAGS
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    # Still a ModuleNotFoundError naming PIL, so code that skips optional modules sees what is missing.
    message = f"procdsl.render needs Pillow: pip install 'procdsl[render]' ({exc})"
    raise ModuleNotFoundError(message, name="PIL") from None

from ._operations import image as ops
from ._parser import parse
from ._raw import RawOperation
from ._stages import ImagePipeline, Style, SyncJob
from .errors import ProcessError

__all__ = [
    "MAX_OUTPUT_PIXELS",
    "MAX_OUTPUT_SIDE",
    "MAX_SOURCE_BYTES",
    "MAX_SOURCE_PIXELS",
    "MAX_SOURCE_SIDE",
    "ROTATE_MAX_SIDE",
    "RenderError",
    "Rendered",
    "before_after",
    "render",
    "render_result",
]

_IMG = "https://www.alibabacloud.com/help/en/oss/user-guide/"
_RESIZE_PAGE = "https://help.aliyun.com/zh/oss/user-guide/resize-images-4"

# Source limits (https://help.aliyun.com/zh/oss/user-guide/resize-images-4, "使用限制"): at most
# 20 MB, each side at most 30,000 px, at most 250,000,000 px (animated: w x h x frames).
MAX_SOURCE_BYTES = 20 * 1024 * 1024
MAX_SOURCE_SIDE = 30_000
MAX_SOURCE_PIXELS = 250_000_000
# Resized images: each side at most 16,384 px, at most 16,777,216 px (same page).
MAX_OUTPUT_SIDE = 16_384
MAX_OUTPUT_PIXELS = 16_777_216
# "An image that you want to rotate cannot exceed 4096 x 4096 pixels"
# (https://www.alibabacloud.com/help/doc-detail/44690.html); auto-orient needs both sides
# below 4096 (https://www.alibabacloud.com/help/tc/object-storage-service/latest/auto-rotate).
ROTATE_MAX_SIDE = 4096

# Pillow format name -> OSS format name (the ``Format`` of ``info`` and the ``format`` values).
_OSS_NAME = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "BMP": "bmp", "GIF": "gif", "TIFF": "tiff", "HEIF": "heic"}
_PIL_NAME = {
    "jpg": "JPEG",
    "png": "PNG",
    "webp": "WEBP",
    "bmp": "BMP",
    "gif": "GIF",
    "tiff": "TIFF",
    "heic": "HEIF",
    "avif": "AVIF",
}
_MEDIA_TYPE = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "bmp": "image/bmp",
    "gif": "image/gif",
    "tiff": "image/tiff",
    "heic": "image/heic",
    "avif": "image/avif",
}
_PREPROCESS = ("resize", "crop", "indexcrop", "rounded-corners", "rotate", "auto-orient")

Objects = Union[Mapping[str, bytes], Callable[[str], Optional[bytes]]]


class RenderError(ProcessError):
    """A pipeline that cannot be rendered here, or an image OSS would refuse.

    Raised for undecodable or truncated images, sources above the documented limits
    (``MAX_SOURCE_BYTES``, ``MAX_SOURCE_SIDE``, ``MAX_SOURCE_PIXELS``), results above
    ``MAX_OUTPUT_SIDE``/``MAX_OUTPUT_PIXELS``, actions this renderer does not draw
    (``blindwatermark``, face blur, styles, unknown actions), output formats the
    installed Pillow cannot write, and a watermark image that was not supplied.
    ``unsupported`` is True when OSS would process the request but this renderer cannot;
    ``undecodable`` when the bytes are not an image of a format OSS reads (or are damaged).
    """

    def __init__(self, message: str, *, unsupported: bool = False, undecodable: bool = False) -> None:
        super().__init__(message)
        self.unsupported = unsupported
        self.undecodable = undecodable


@dataclass(frozen=True)
class Rendered:
    """The result of a pipeline: the body bytes and their media type (``image/png``, ``application/json``)."""

    data: bytes
    media_type: str


def render(data: bytes, process: Union[str, ImagePipeline, SyncJob], *, objects: Optional[Objects] = None) -> bytes:
    """Apply the synchronous image pipeline ``process`` to the encoded image ``data``.

    ``process`` is a value or a string (``image/resize,w_100/format,png``, read with
    :func:`procdsl.parse`); a ``SyncJob`` renders its source pipeline. Returns the encoded
    image, or the JSON body for ``info`` and ``average-hue``. ``objects`` supplies the
    objects that image watermarks name (a mapping of key to bytes, or a function).
    Raises only :class:`procdsl.ProcessError` (a bad string) or :class:`RenderError`.
    """
    return render_result(data, process, objects=objects).data


def render_result(
    data: bytes, process: Union[str, ImagePipeline, SyncJob], *, objects: Optional[Objects] = None
) -> Rendered:
    """Like :func:`render`, with the media type of the result (what OSS sends as Content-Type)."""
    pipeline = _pipeline(process)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise RenderError(f"render needs the image as bytes; got {type(data).__name__}")
    return _Renderer(bytes(data), pipeline, objects).run()


def _pipeline(process: Union[str, ImagePipeline, SyncJob]) -> ImagePipeline:
    value: Any = parse(process, context="sync") if isinstance(process, str) else process
    if isinstance(value, SyncJob):
        value = value.source
    if isinstance(value, Style):
        raise RenderError(
            f"{value} names a style stored in the bucket; render its image/… content instead", unsupported=True
        )
    if not isinstance(value, ImagePipeline):
        raise RenderError(f"only image/… pipelines can be rendered; got {value}")
    return value


# -- decoding ---------------------------------------------------------------------------


@dataclass
class _Source:
    image: Image.Image
    format: str  # OSS name: jpg, png, …
    quality: int  # estimated JPEG quality; 100 for other formats
    exif: Image.Exif
    frames: int
    size_bytes: int
    info: Dict[Any, Any]
    opened: Image.Image  # the decoder, for the other frames of an animation


def _decode(data: bytes, what: str = "the image") -> _Source:
    if len(data) > MAX_SOURCE_BYTES:
        raise RenderError(f"{what} is {len(data)} bytes; OSS processes sources of at most 20 MB ({_RESIZE_PAGE})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limits apply below
            image = Image.open(io.BytesIO(data))
            fmt = image.format or ""
            width, height = image.size
            frames = int(getattr(image, "n_frames", 1))
    except Image.DecompressionBombError as exc:
        raise RenderError(f"{what} declares too many pixels ({exc})") from None
    except Exception as exc:  # Pillow's plugins raise many types for bad input
        raise RenderError(f"{what} cannot be decoded: {exc}", undecodable=True) from None
    name = _OSS_NAME.get(fmt)
    if name is None:
        raise RenderError(
            f"{what} is {fmt or 'not an image'}; OSS processes JPG, PNG, BMP, GIF, WebP, TIFF and HEIC",
            undecodable=True,
        )
    if width > MAX_SOURCE_SIDE or height > MAX_SOURCE_SIDE or width * height * frames > MAX_SOURCE_PIXELS:
        raise RenderError(
            f"{what} is {width}x{height} px ({frames} frame(s)); OSS refuses sources over "
            f"{MAX_SOURCE_SIDE} px per side or {MAX_SOURCE_PIXELS} px in all ({_RESIZE_PAGE})"
        )
    try:
        quality = _jpeg_quality(image) if fmt == "JPEG" else 100
        exif = image.getexif()
        info = dict(image.info)
        image.seek(0)  # Choice: animated sources are rendered from their first frame.
        image.load()
        pixels = image.convert("RGBA" if _has_alpha(image) else "RGB")
    except Exception as exc:
        raise RenderError(f"{what} cannot be decoded: {exc}", undecodable=True) from None
    return _Source(pixels, name, quality, exif, frames, len(data), info, image)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


# libjpeg's standard luminance table (ITU-T T.81 Annex K), which Pillow and most encoders scale.
_STD_LUMA = (
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
)  # fmt: skip


def _jpeg_quality(image: Image.Image) -> int:
    """The IJG quality whose scaled standard table is closest to the image's luminance table."""
    tables = getattr(image, "quantization", None) or {}
    table = tables.get(0)
    if not table or len(table) != 64:
        return 100
    # Scaling is monotonic, so comparing sorted values needs no zigzag/row-major bookkeeping.
    actual = sorted(table)

    def scaled(quality: int) -> List[int]:
        scale = 5000 // quality if quality < 50 else 200 - 2 * quality
        return sorted(min(255, max(1, (q * scale + 50) // 100)) for q in _STD_LUMA)

    return min(range(1, 101), key=lambda q: (sum(abs(a - b) for a, b in zip(actual, scaled(q))), -q))


# -- geometry ---------------------------------------------------------------------------


def _round(value: Fraction) -> int:
    """Round half up to an integer of at least 1 ("四舍五入", resize page)."""
    return max(1, math.floor(value + Fraction(1, 2)))


def _fit(width: int, height: int, box_w: int, box_h: int, cover: bool) -> Tuple[int, int]:
    """Proportional size inside (lfit) or covering (mfit) a box; the bound side is exact."""
    by_width = Fraction(box_w, width) <= Fraction(box_h, height)
    if cover:
        by_width = not by_width
    if by_width:
        return box_w, _round(Fraction(height * box_w, width))
    return _round(Fraction(width * box_h, height)), box_h


@dataclass(frozen=True)
class _Plan:
    """What a resize does: scale to ``scaled``, then crop (fill) or pad (pad) to ``final``."""

    scaled: Tuple[int, int]
    final: Tuple[int, int]
    mode: str
    limited: bool  # subject to ``limit`` (not for ``p``)


def _resize_plan(width: int, height: int, op: ops.Resize, main: Optional[Tuple[int, int]] = None) -> _Plan:
    """Sizes of https://help.aliyun.com/zh/oss/user-guide/resize-images-4 ("缩放计算方式")."""
    mode = op.mode or "lfit"
    box: Optional[Tuple[int, int]] = None
    if op.width is not None or op.height is not None:
        # Only one of w/h: lfit, mfit and fixed keep the ratio; pad and fill use a square box.
        if op.width is not None and op.height is not None:
            box = (op.width, op.height)
        elif mode in ("pad", "fill"):
            side = op.width if op.width is not None else op.height
            assert side is not None
            box = (side, side)
        else:
            if op.width is not None:
                size = (op.width, _round(Fraction(height * op.width, width)))
            else:
                assert op.height is not None
                size = (_round(Fraction(width * op.height, height)), op.height)
            return _Plan(size, size, "fixed", True)
    elif op.longer is not None or op.shorter is not None:
        # l/s: the longer (shorter) side of the source; with both, m applies to that box.
        landscape = width >= height
        if op.longer is not None and op.shorter is not None:
            box = (op.longer, op.shorter) if landscape else (op.shorter, op.longer)
        elif op.longer is not None:
            size = (
                _fit(width, height, op.longer, 10**9, False)
                if landscape
                else _fit(width, height, 10**9, op.longer, False)
            )
            return _Plan(size, size, "fixed", True)
        else:
            assert op.shorter is not None
            size = (
                _fit(width, height, 10**9, op.shorter, False)
                if landscape
                else _fit(width, height, op.shorter, 10**9, False)
            )
            return _Plan(size, size, "fixed", True)
    elif isinstance(op, ops.WatermarkResize) and op.main_percent is not None and main is not None:
        # P: a percentage of the main image; Choice: the mark keeps its ratio inside that box.
        box_w = _round(Fraction(main[0] * op.main_percent, 100))
        box_h = _round(Fraction(main[1] * op.main_percent, 100))
        size = _fit(width, height, box_w, box_h, False)
        return _Plan(size, size, "fixed", False)
    elif op.percent is not None:
        # p enlarges without limit_0 (the page's p_120 example: 2500x1875 -> 3000x2250).
        size = (_round(Fraction(width * op.percent, 100)), _round(Fraction(height * op.percent, 100)))
        return _Plan(size, size, "fixed", False)
    else:
        raise RenderError(f"{op.to_wire()}: nothing to resize by")
    box_w, box_h = box
    if mode == "fixed":
        return _Plan(box, box, "fixed", True)
    scaled = _fit(width, height, box_w, box_h, cover=mode in ("mfit", "fill"))
    final = box if mode in ("fill", "pad") else scaled
    return _Plan(scaled, final, mode, True)


def _check_output(size: Tuple[int, int], what: str) -> None:
    w, h = size
    if w > MAX_OUTPUT_SIDE or h > MAX_OUTPUT_SIDE or w * h > MAX_OUTPUT_PIXELS:
        raise RenderError(
            f"{what} would make {w}x{h} px; OSS allows at most {MAX_OUTPUT_SIDE} px per side and "
            f"{MAX_OUTPUT_PIXELS} px in all ({_RESIZE_PAGE})"
        )


def _hex(color: str) -> Tuple[int, int, int]:
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


# -- the steps --------------------------------------------------------------------------


def _resize(
    image: Image.Image, op: ops.Resize, main: Optional[Tuple[int, int]] = None, *, gif: bool = False
) -> Image.Image:
    plan = _resize_plan(image.width, image.height, op, main)
    sw, sh = plan.scaled
    # limit_1 (the default): a target larger than the source returns the source; GIF images are
    # never enlarged, whatever limit says (resize page).
    enlarges = sw > image.width or sh > image.height
    if enlarges and ((plan.limited and op.limit is not False) or gif):
        return image
    _check_output(plan.scaled, op.to_wire())
    _check_output(plan.final, op.to_wire())
    # Choice: Lanczos resampling.
    scaled = image.resize(plan.scaled, Image.Resampling.LANCZOS) if plan.scaled != image.size else image
    fw, fh = plan.final
    if plan.mode == "fill":
        left, top = (sw - fw) // 2, (sh - fh) // 2
        return scaled.crop((left, top, left + fw, top + fh))
    if plan.mode == "pad":
        fill = _hex(op.color or "FFFFFF")
        canvas = Image.new(scaled.mode, plan.final, (*fill, 255) if scaled.mode == "RGBA" else fill)
        canvas.paste(scaled, ((fw - sw) // 2, (fh - sh) // 2))
        return canvas
    return scaled


#: Each gravity's (column, row) cell in the 3x3 grid of the crop and watermark pages.
_CELLS = {
    "nw": ("w", "n"),
    "north": ("c", "n"),
    "ne": ("e", "n"),
    "west": ("w", "c"),
    "center": ("c", "c"),
    "east": ("e", "c"),
    "sw": ("w", "s"),
    "south": ("c", "s"),
    "se": ("e", "s"),
}


def _grid(gravity: str, width: int, height: int, w: int, h: int) -> Tuple[int, int]:
    """Origin of a 3x3 grid cell (custom-crop page table): srcW/2 - w/2, srcW - w, …"""
    column = {"w": 0, "c": width // 2 - w // 2, "e": width - w}
    row = {"n": 0, "c": height // 2 - h // 2, "s": height - h}
    col, r = _CELLS[gravity]
    return column[col], row[r]


def _crop(image: Image.Image, op: ops.Crop) -> Image.Image:
    """https://www.alibabacloud.com/help/en/oss/user-guide/custom-crop: w/h default to the maximum."""
    width, height = image.size
    # Choice: w_0/h_0 (allowed by the range [0, image width]) mean the default, the maximum.
    w = op.width or width
    h = op.height or height
    ox, oy = _grid(op.gravity or "nw", width, height, min(w, width), min(h, height))
    left, top = max(0, ox) + (op.x or 0), max(0, oy) + (op.y or 0)
    if left >= width or top >= height:
        raise RenderError(f"{op.to_wire()}: Advance cut's position is out of image. (BadRequest, custom-crop page)")
    return image.crop((left, top, min(width, left + w), min(height, top + h)))


def _indexcrop(image: Image.Image, op: ops.IndexCrop) -> Image.Image:
    """https://www.alibabacloud.com/help/doc-detail/44696.htm: y wins; an index past the end returns the source."""
    width, height = image.size
    index = op.index or 0
    if op.y is not None:
        step = min(op.y, height)
        if index * step >= height:
            return image
        return image.crop((0, index * step, width, min(height, (index + 1) * step)))
    assert op.x is not None
    step = min(op.x, width)
    if index * step >= width:
        return image
    return image.crop((index * step, 0, min(width, (index + 1) * step), height))


def _rgba(image: Image.Image) -> Image.Image:
    return image if image.mode == "RGBA" else image.convert("RGBA")


def _circle(image: Image.Image, op: ops.Circle) -> Image.Image:
    """https://www.alibabacloud.com/help/en/oss/user-guide/circle-crop: side 2r, at most the shorter side."""
    width, height = image.size
    side = min(2 * op.radius, width, height)
    left, top = (width - side) // 2, (height - side) // 2
    square = _rgba(image.crop((left, top, left + side, top + side)))
    mask = Image.new("L", (side, side), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, side - 1, side - 1), fill=255)
    return _with_mask(square, mask)


def _with_mask(image: Image.Image, mask: Image.Image) -> Image.Image:
    """``image`` (RGBA) made transparent where ``mask`` is 0."""
    out = image.copy()
    out.putalpha(ImageChops.darker(image.getchannel("A"), mask))
    return out


def _rounded(image: Image.Image, op: ops.RoundedCorners) -> Image.Image:
    """https://help.aliyun.com/en/oss/user-guide/rounded-rectangle-4: r is capped at half the shorter side."""
    width, height = image.size
    radius = min(op.radius, min(width, height) // 2)
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, width - 1, height - 1), radius=radius, fill=255)
    return _with_mask(_rgba(image), mask)


_TRANSPOSE = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


def _rotate(image: Image.Image, degrees: int, what: str) -> Image.Image:
    """https://www.alibabacloud.com/help/doc-detail/44690.html: clockwise; other angles enlarge the canvas."""
    if image.width > ROTATE_MAX_SIDE or image.height > ROTATE_MAX_SIDE:
        raise RenderError(f"{what}: OSS rotates images of at most {ROTATE_MAX_SIDE}x{ROTATE_MAX_SIDE} px")
    degrees %= 360
    if degrees == 0:
        return image
    if degrees in _TRANSPOSE:
        return image.transpose(_TRANSPOSE[degrees])
    # Choice: bicubic, the new corners transparent (white in JPG output).
    return _rgba(image).rotate(-degrees, Image.Resampling.BICUBIC, expand=True)


def _orient(image: Image.Image, exif: Image.Exif) -> Image.Image:
    """EXIF Orientation (tag 274) applied: auto-orient,1 (https://help.aliyun.com/en/oss/user-guide/auto-rotate-4)."""
    orientation = exif.get(274)
    if orientation in (None, 1):
        return image
    if image.width >= ROTATE_MAX_SIDE or image.height >= ROTATE_MAX_SIDE:
        raise RenderError(f"auto-orient,1: OSS needs both sides below {ROTATE_MAX_SIDE} px")
    method = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }.get(orientation)
    return image if method is None else image.transpose(method)


def _blur(image: Image.Image, op: ops.Blur) -> Image.Image:
    """https://www.alibabacloud.com/help/doc-detail/44701.htm: r and s in [1, 50], larger is blurrier."""
    if op.region is not None or op.scale is not None:
        raise RenderError(
            f"{op.to_wire()}: face blur needs face detection, which this renderer does not do", unsupported=True
        )
    # Choice: a Gaussian of standard deviation s, no wider than the radius r (Pillow has no kernel cap).
    return image.filter(ImageFilter.GaussianBlur(min(op.radius, op.sigma)))


def _enhance(image: Image.Image, enhancer: Any, amount: int) -> Image.Image:
    """bright (https://www.alibabacloud.com/help/doc-detail/44698.html) and contrast
    (https://www.alibabacloud.com/help/doc-detail/44699.htm): below 0 less, 0 unchanged, above 0 more."""
    # Choice: the amount is a percentage change, factor 1 + amount/100 (pages: "the percentage").
    out = enhancer(image.convert("RGB") if image.mode == "RGBA" else image).enhance(1 + amount / 100)
    assert isinstance(out, Image.Image)
    if image.mode == "RGBA":
        out.putalpha(image.getchannel("A"))
    return out


def _sharpen(image: Image.Image, op: ops.Sharpen) -> Image.Image:
    """https://www.alibabacloud.com/help/doc-detail/44700.htm: [50, 399], 100 recommended."""
    # Choice: an unsharp mask of radius 1 px and strength ``amount`` percent.
    return image.filter(ImageFilter.UnsharpMask(radius=1, percent=op.amount, threshold=0))


# -- watermarks -------------------------------------------------------------------------


def _font(size: int) -> Any:
    # Choice: Pillow's built-in font at the requested size (OSS fonts are not bundled).
    return ImageFont.load_default(size)


def _text_mark(op: ops.Watermark) -> Image.Image:
    """https://help.aliyun.com/zh/oss/user-guide/add-watermarks: text, size 40, colour 000000, shadow, rotate."""
    assert op.text is not None
    font = _font(op.size or 40)
    left, top, right, bottom = font.getbbox(op.text)
    shadow = op.shadow or 0
    # Choice: the shadow is the text in black, offset by size/20 (at least 1 px) right and down.
    offset = max(1, (op.size or 40) // 20) if shadow else 0
    mark = Image.new("RGBA", (max(1, right - left + offset), max(1, bottom - top + offset)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(mark)
    if shadow:
        draw.text((offset - left, offset - top), op.text, font=font, fill=(0, 0, 0, round(255 * shadow / 100)))
    draw.text((-left, -top), op.text, font=font, fill=(*_hex(op.color or "000000"), 255))
    if op.rotate:
        mark = mark.rotate(-op.rotate, Image.Resampling.BICUBIC, expand=True)
    return mark


def _combine(first: Image.Image, second: Image.Image, align: int, interval: int) -> Image.Image:
    """Image and text side by side (order), aligned top/middle/bottom (0/1/2), ``interval`` apart."""
    height = max(first.height, second.height)
    canvas = Image.new("RGBA", (first.width + interval + second.width, height), (0, 0, 0, 0))
    for x, part in ((0, first), (first.width + interval, second)):
        y = {0: 0, 1: (height - part.height) // 2, 2: height - part.height}[align]
        canvas.alpha_composite(part, (x, y))
    return canvas


def _position(op: ops.Watermark, size: Tuple[int, int], mark: Tuple[int, int]) -> Tuple[int, int]:
    """Reference points of the watermark page: x for the left/right columns, y for the top/bottom rows."""
    width, height = size
    w, h = mark
    gravity = op.gravity or "se"
    x = 10 if op.x is None else op.x
    y = 10 if op.y is None else op.y
    # Choice: a positive voffset moves the mark up from the midline (the pages do not say which way).
    voffset = op.voffset or 0
    column = {"w": x, "c": (width - w) // 2, "e": width - w - x}
    row = {"n": y, "c": (height - h) // 2 - voffset, "s": height - h - y}
    col, r = _CELLS[gravity]
    return column[col], row[r]


# -- the renderer -----------------------------------------------------------------------


class _Renderer:
    def __init__(self, data: bytes, pipeline: ImagePipeline, objects: Optional[Objects]) -> None:
        self.data = data
        self.pipeline = pipeline
        self.objects = objects
        self.gif = False

    def run(self) -> Rendered:
        steps = list(self.pipeline.steps)
        for step in steps:
            _check_supported(step)
        names = [step.action for step in steps]
        source = _decode(self.data)
        if "info" in names:
            if len(steps) != 1:
                raise RenderError(
                    "info cannot be combined with other actions "
                    "(https://www.alibabacloud.com/help/en/oss/user-guide/query-the-exif-data-of-an-image-4)"
                )
            return Rendered(_info(source).encode(), "application/json")
        if "average-hue" in names[:-1]:
            raise RenderError("average-hue returns JSON, so it must be the last action")
        out_format = source.format
        quality: Optional[ops.Quality] = None
        progressive = False
        for step in steps:  # output settings apply wherever they are written
            if isinstance(step, ops.Format):
                # gif only for GIF sources; otherwise the source format is kept (convert-image-formats-2).
                if step.to != "gif" or source.format == "gif":
                    out_format = step.to
            elif isinstance(step, ops.Quality):
                quality = step
            elif isinstance(step, ops.Interlace):
                # JPG output only (https://www.alibabacloud.com/help/doc-detail/44704.html).
                progressive = step.progressive
        actions = [step for step in steps if not isinstance(step, (ops.Format, ops.Quality, ops.Interlace))]
        self.gif = source.format == "gif"
        if self.gif and any(isinstance(step, ops.RoundedCorners) for step in actions):
            raise RenderError(
                "rounded-corners: OSS does not support GIF images (https://help.aliyun.com/en/oss/user-guide/rounded-rectangle-4)"
            )
        if actions and isinstance(actions[-1], ops.AverageHue):
            image = self._frame(source.image, actions[:-1], source)
            return Rendered(_average_hue(image).encode(), "application/json")
        if _stays_animated(source, out_format, actions):
            frames, durations = _all_frames(source)
            rendered = [self._frame(frame, actions, source) for frame in frames]
            return Rendered(_encode_animation(rendered, durations, source), _MEDIA_TYPE["gif"])
        image = self._frame(source.image, actions, source)
        return Rendered(_encode(image, out_format, source, quality, progressive), _MEDIA_TYPE[out_format])

    def _frame(self, image: Image.Image, actions: List[Any], source: _Source) -> Image.Image:
        """Run the image actions on one picture (one frame of an animation)."""
        # auto-orient,1 rotates before anything else: resize,w_100/auto-orient,1 on the 424x333
        # f.jpg (Orientation 7) gives 100x127 (https://www.alibabacloud.com/help/tc/object-storage-service/latest/auto-rotate).
        if any(isinstance(step, ops.AutoOrient) and step.enabled for step in actions):
            image = _orient(image, source.exif)
        for step in actions:
            image = self._apply(image, step)
        return image

    def _apply(self, image: Image.Image, step: Any) -> Image.Image:
        if isinstance(step, ops.Resize):
            return _resize(image, step, gif=self.gif)
        if isinstance(step, ops.Crop):
            return _crop(image, step)
        if isinstance(step, ops.IndexCrop):
            return _indexcrop(image, step)
        if isinstance(step, ops.Circle):
            return _circle(image, step)
        if isinstance(step, ops.RoundedCorners):
            return _rounded(image, step)
        if isinstance(step, ops.Rotate):
            return _rotate(image, step.degrees, step.to_wire())
        if isinstance(step, ops.AutoOrient):
            return image  # applied first (see run)
        if isinstance(step, ops.Blur):
            return _blur(image, step)
        if isinstance(step, ops.Bright):
            return _enhance(image, ImageEnhance.Brightness, step.amount)
        if isinstance(step, ops.Contrast):
            return _enhance(image, ImageEnhance.Contrast, step.amount)
        if isinstance(step, ops.Sharpen):
            return _sharpen(image, step)
        if isinstance(step, ops.Watermark):
            return self._watermark(image, step)
        raise RenderError(f"{step.to_wire()} cannot be rendered")  # pragma: no cover - _check_supported

    def _watermark(self, image: Image.Image, op: ops.Watermark) -> Image.Image:
        marks: List[Image.Image] = []
        if op.image is not None:
            marks.append(self._image_mark(op.image, image.size))
        if op.text is not None:
            marks.append(_text_mark(op))
        if len(marks) == 2:
            first, second = marks if (op.order or 0) == 0 else marks[::-1]
            mark = _combine(first, second, 2 if op.align is None else op.align, op.interval or 0)
        else:
            mark = marks[0]
        opacity = 100 if op.opacity is None else op.opacity
        if opacity < 100:
            mark.putalpha(mark.getchannel("A").point([round(a * opacity / 100) for a in range(256)]))
        base = _rgba(image).copy()
        if op.fill:
            # Choice: tiles start at the top-left corner, padx/pady apart.
            step_x, step_y = mark.width + (op.padx or 0), mark.height + (op.pady or 0)
            for top in range(0, base.height, step_y):
                for left in range(0, base.width, step_x):
                    _paste(base, mark, (left, top))
        else:
            _paste(base, mark, _position(op, base.size, mark.size))
        return base if image.mode == "RGBA" else base.convert("RGB")

    def _image_mark(self, mark: ops.WatermarkImage, main: Tuple[int, int]) -> Image.Image:
        data = self._object(mark.key)
        source = _decode(data, f"watermark image {mark.key!r}")
        if source.format not in ("jpg", "png", "bmp", "webp", "tiff"):
            raise RenderError(
                f"watermark image {mark.key!r} is {source.format}; OSS uses JPG, PNG, BMP, WebP and TIFF "
                "images as watermarks (https://help.aliyun.com/zh/oss/user-guide/add-watermarks)"
            )
        image = source.image
        steps = list(mark.process or ())
        if any(isinstance(step, ops.AutoOrient) and step.enabled for step in steps):
            image = _orient(image, source.exif)
        for step in steps:
            _check_supported(step)
            if isinstance(step, ops.Resize):
                image = _resize(image, step, main)
            elif step.action in _PREPROCESS:
                image = self._apply(image, step)
        return _rgba(image)

    def _object(self, key: str) -> bytes:
        found: Optional[bytes] = None
        if callable(self.objects):
            found = self.objects(key)
        elif self.objects is not None:
            found = self.objects.get(key)
        if found is None:
            raise RenderError(
                f"watermark image {key!r} was not supplied: pass objects={{{key!r}: <bytes>}} to render"
                f" (on the command line: --object {key}=FILE)"
            )
        return found


def _stays_animated(source: _Source, out_format: str, actions: List[Any]) -> bool:
    """An animated GIF written as GIF stays animated unless an action makes it static.

    Rotation and percentage resizing make animated GIFs static (rotate and resize pages);
    Choice: other actions are applied to every frame.
    """
    if source.frames < 2 or source.format != "gif" or out_format != "gif":
        return False
    for step in actions:
        if isinstance(step, ops.Rotate):
            return False
        if isinstance(step, ops.Resize) and all(
            value is None for value in (step.width, step.height, step.longer, step.shorter)
        ):
            return False
    return True


def _all_frames(source: _Source) -> Tuple[List[Image.Image], List[int]]:
    frames: List[Image.Image] = []
    durations: List[int] = []
    try:
        for index in range(source.frames):
            source.opened.seek(index)
            frames.append(source.opened.convert("RGBA"))
            durations.append(int(source.opened.info.get("duration", 100)))
    except Exception as exc:
        raise RenderError(f"the image cannot be decoded: {exc}", undecodable=True) from None
    return frames, durations


def _encode_animation(frames: List[Image.Image], durations: List[int], source: _Source) -> bytes:
    buffer = io.BytesIO()
    try:
        frames[0].save(
            buffer,
            "GIF",
            save_all=True,
            append_images=frames[1:],
            duration=durations,
            loop=int(source.info.get("loop", 0)),
            disposal=2,
        )
    except Exception as exc:
        raise RenderError(f"cannot write gif: {exc}") from None
    return buffer.getvalue()


def _paste(base: Image.Image, mark: Image.Image, at: Tuple[int, int]) -> None:
    """Composite ``mark`` at ``at``, clipped to ``base`` (negative positions allowed)."""
    x, y = at
    left, top = max(0, -x), max(0, -y)
    right, bottom = min(mark.width, base.width - x), min(mark.height, base.height - y)
    if right <= left or bottom <= top:
        return
    base.alpha_composite(mark.crop((left, top, right, bottom)), (x + left, y + top))


_SUPPORTED = (
    "resize",
    "crop",
    "indexcrop",
    "circle",
    "rounded-corners",
    "rotate",
    "auto-orient",
    "blur",
    "bright",
    "contrast",
    "sharpen",
    "format",
    "quality",
    "interlace",
    "watermark",
    "info",
    "average-hue",
)


def _check_supported(step: Any) -> None:
    if isinstance(step, RawOperation):
        raise RenderError(f"{step.to_wire()}: unknown action, cannot be rendered", unsupported=True)
    if step.action not in _SUPPORTED:
        raise RenderError(f"{step.to_wire()}: rendering supports only {', '.join(_SUPPORTED)}", unsupported=True)
    if step.extra:
        keys = ", ".join(key for key, _ in step.extra)
        raise RenderError(f"{step.to_wire()}: unknown parameter(s) {keys} cannot be rendered", unsupported=True)


# -- output -----------------------------------------------------------------------------


def _encode(
    image: Image.Image, out_format: str, source: _Source, quality: Optional[ops.Quality], progressive: bool
) -> bytes:
    pil_name = _PIL_NAME[out_format]
    Image.init()
    if pil_name not in Image.SAVE:
        raise RenderError(
            f"format,{out_format}: the installed Pillow cannot write {out_format} (a plugin is missing)",
            unsupported=True,
        )
    if out_format == "webp" and (image.width > 16383 or image.height > 16383):
        raise RenderError("format,webp: WebP output needs both sides at most 16383 px (convert-image-formats-2)")
    options: Dict[str, Any] = {}
    if out_format == "jpg":
        if image.mode == "RGBA":
            # JPG has no alpha: transparent areas become white (circle and format pages).
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        options["quality"] = _quality(source, quality)
        options["progressive"] = progressive
    elif out_format in ("webp", "avif", "heic"):
        options["quality"] = _quality(source, quality)
    buffer = io.BytesIO()
    try:
        image.save(buffer, pil_name, **options)
    except Exception as exc:
        raise RenderError(f"cannot write {out_format}: {exc}") from None
    return buffer.getvalue()


def _quality(source: _Source, quality: Optional[ops.Quality]) -> int:
    """https://www.alibabacloud.com/help/doc-detail/44705.html: Q is absolute, never above a JPG source's
    quality; q is relative to a JPG source's quality and acts as Q for other sources; Q wins over q."""
    jpg = source.format == "jpg"
    start = source.quality if jpg else 100
    if quality is None:
        # Choice: keep a JPG source's quality; 90 otherwise.
        return start if jpg else 90
    if quality.absolute is not None:
        return max(1, min(quality.absolute, start))
    assert quality.relative is not None
    return max(1, round(start * quality.relative / 100)) if jpg else quality.relative


def _average_hue(image: Image.Image) -> str:
    """``{"RGB": "0xRRGGBB"}``: the mean colour (https://www.alibabacloud.com/help/doc-detail/44976.htm gives
    ``0xRRGGBB``; the body is JSON with an ``RGB`` key, as code that calls OSS parses it)."""
    rgb = image.convert("RGB") if image.mode != "RGB" else image
    means = ImageStat.Stat(rgb).mean
    return json.dumps({"RGB": "0x" + "".join(f"{min(255, round(m)):02x}" for m in means[:3])})


def _info(source: _Source) -> str:
    """The JSON of https://www.alibabacloud.com/help/en/oss/user-guide/query-the-exif-data-of-an-image-4:
    ``{"FileSize": {"value": "21839"}, "Format": {"value": "jpg"}, …}`` with every value a string."""
    fields: Dict[str, str] = {
        "FileSize": str(source.size_bytes),
        "Format": source.format,
        "FrameCount": str(source.frames),
        "ImageHeight": str(source.image.height),
        "ImageWidth": str(source.image.width),
    }
    jfif = source.info.get("jfif_density")
    if isinstance(jfif, tuple) and len(jfif) == 2:
        unit = int(source.info.get("jfif_unit", 0))
        fields["ResolutionUnit"] = str(unit + 1)  # JFIF 0/1/2 -> EXIF 1 (none), 2 (inch), 3 (cm)
        fields["XResolution"] = f"{jfif[0]}/1"
        fields["YResolution"] = f"{jfif[1]}/1"
    if source.format != "png":  # "You cannot use the info action to query EXIF data of PNG images."
        fields.update(_exif_fields(source.exif))
    return json.dumps({key: {"value": fields[key]} for key in sorted(fields)})


_EXIF_POINTERS = {0x8769: "ExifTag", 0x8825: "GPSTag"}


def _exif_fields(exif: Image.Exif) -> Dict[str, str]:
    """EXIF tags by their standard names. Choice: values as stored (rationals ``n/d``), not interpreted."""
    out: Dict[str, str] = {}
    for tag, value in exif.items():
        name = _EXIF_POINTERS.get(tag) or TAGS.get(tag)
        if name:
            out[name] = _exif_text(value)
    for pointer, names in ((0x8769, TAGS), (0x8825, GPSTAGS)):
        try:
            ifd = exif.get_ifd(pointer)
        except Exception:  # a broken sub-IFD: keep the main fields
            continue
        for tag, value in ifd.items():
            name = names.get(tag)
            if name and not isinstance(value, dict):
                out[name] = _exif_text(value)
    return out


def _exif_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.rstrip(b"\x00").decode("latin-1")
    if isinstance(value, (tuple, list)):
        return " ".join(_exif_text(v) for v in value)
    numerator = getattr(value, "numerator", None)
    denominator = getattr(value, "denominator", None)
    if numerator is not None and denominator is not None and not isinstance(value, int):
        return f"{numerator}/{denominator}"
    return str(value).rstrip("\x00")


# -- before/after pictures (CLI ``explain --render`` and the docs) ---------------------------------


def before_after(
    data: bytes,
    process: Union[str, ImagePipeline, SyncJob],
    *,
    objects: Optional[Objects] = None,
    max_height: int = 360,
) -> bytes:
    """A PNG with the source on the left and the rendered result on the right, both labelled.

    Both panels are scaled by one factor (never enlarged) so the taller fits ``max_height``;
    transparency shows as a checkerboard; a JSON result (``info``, ``average-hue``) is shown as text.
    """
    result = render_result(data, process, objects=objects)
    before = _decode(data)
    panels = [(before.image, f"before: {before.image.width}x{before.image.height} {before.format}")]
    text = result.media_type == "application/json"
    if text:
        panels.append((_text_panel(result.data.decode()), "after: JSON"))
    else:
        after = _decode(result.data, "the result")
        panels.append((after.image, f"after: {after.image.width}x{after.image.height} {after.format}"))
    tallest = max(image.height for image, _ in panels[: 1 if text else 2])
    scale = min(1.0, max_height / tallest)
    font = _font(13)
    gap, label = 16, 22
    shown = [_scaled(panels[0][0], scale), panels[1][0] if text else _scaled(panels[1][0], scale)]
    width = sum(image.width for image in shown) + gap * (len(shown) + 1)
    height = max(image.height for image in shown) + label + 2 * gap
    canvas = Image.new("RGB", (max(width, 240), height), (245, 245, 245))
    draw = ImageDraw.Draw(canvas)
    left = gap
    for image, (_, caption) in zip(shown, panels):
        canvas.paste(_checkered(image), (left, gap))
        draw.text((left, gap + image.height + 4), caption, font=font, fill=(40, 40, 40))
        left += image.width + gap
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _scaled(image: Image.Image, scale: float) -> Image.Image:
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _checkered(image: Image.Image) -> Image.Image:
    if image.mode != "RGBA":
        return image.convert("RGB")
    board = Image.new("RGBA", image.size, (255, 255, 255, 255))
    draw = ImageDraw.Draw(board)
    for top in range(0, image.height, 8):
        for left in range((top // 8) % 2 * 8, image.width, 16):
            draw.rectangle((left, top, left + 7, top + 7), fill=(204, 204, 204, 255))
    board.alpha_composite(image)
    return board.convert("RGB")


def _text_panel(text: str) -> Image.Image:
    try:
        fields = json.loads(text)
        lines = [f"{key}: {value['value'] if isinstance(value, dict) else value}" for key, value in fields.items()]
    except (ValueError, AttributeError, TypeError):
        fields, lines = {}, [text]
    font = _font(13)
    swatch = 0
    color = fields.get("RGB") if isinstance(fields, dict) else None
    if isinstance(color, str) and len(color) == 8:
        swatch = 80  # average-hue: show the colour too
    width = max(160, 8 + max(len(line) for line in lines) * 8)
    panel = Image.new("RGB", (width, 8 + 18 * len(lines) + swatch), (255, 255, 255))
    draw = ImageDraw.Draw(panel)
    for number, line in enumerate(lines):
        draw.text((6, 4 + 18 * number), line, font=font, fill=(20, 20, 20))
    if swatch:
        assert isinstance(color, str)
        draw.rectangle((6, 8 + 18 * len(lines), width - 7, panel.height - 7), fill=_hex(color[2:]))
    return panel
