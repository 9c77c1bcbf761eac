"""The floor: the benchmark's image job and doc job, specialised by hand.

This is what a careful engineer would write for exactly these two jobs, with
the same checks procdsl makes on them: slotted value classes, a keyword-only
``__init__`` with the range, enum and naming checks written inline, one
writer per class, and the save-as bucket/key rules with base64. It is written
by hand on purpose (not generated from procdsl's declarations), so that
``benchmarks/run.py`` can report procdsl against the cost of validated values
in pure Python, next to the unchecked f-string.

It is not a second implementation to maintain: it covers only the benchmark's
parameters, and ``run.py`` asserts that it writes exactly what procdsl writes.
"""

from __future__ import annotations

import base64
import re
from typing import Optional, Tuple

__all__ = [
    "DocConvert",
    "Format",
    "ImageJob",
    "Notify",
    "Quality",
    "Resize",
    "Rotate",
    "SaveAs",
    "doc_job",
    "image_job",
]

_MODES = frozenset({"lfit", "mfit", "fill", "pad", "fixed"})
_IMAGE_FORMATS = frozenset({"jpg", "png", "webp", "bmp", "gif", "tiff", "heic", "avif"})
_DOC_SOURCES = frozenset(
    {
        "doc",
        "docx",
        "wps",
        "wpss",
        "docm",
        "dotm",
        "dot",
        "dotx",
        "html",
        "pptx",
        "ppt",
        "pot",
        "potx",
        "pps",
        "ppsx",
        "dps",
        "dpt",
        "pptm",
        "potm",
        "ppsm",
        "dpss",
        "xls",
        "xlt",
        "et",
        "ett",
        "xlsx",
        "xltx",
        "csv",
        "xlsb",
        "xlsm",
        "xltm",
        "ets",
        "pdf",
    }
)
_DOC_TARGETS = frozenset({"png", "jpg", "pdf", "txt"})
_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
_TOPIC = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,255}")
_VARIABLE = re.compile(r"\{([a-z_]+)\}")
_VARIABLES = frozenset(
    {
        "bucket",
        "key",
        "dirname",
        "barename",
        "basename",
        "ext",
        "year",
        "mon",
        "day",
        "hour",
        "min",
        "sec",
        "t_year",
        "t_mon",
        "t_day",
        "t_hour",
        "t_min",
        "t_sec",
        "index",
        "autoext",
    }
)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).rstrip(b"=").decode("ascii")


def _int(name: str, value: object, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}]; got {value!r}")
    return value


class Resize:
    __slots__ = ("height", "mode", "width")

    def __init__(
        self, *, mode: Optional[str] = None, width: Optional[int] = None, height: Optional[int] = None
    ) -> None:
        if mode is not None and mode not in _MODES:
            raise ValueError(f"mode must be one of {sorted(_MODES)}; got {mode!r}")
        if width is None and height is None:
            raise ValueError("resize needs width or height")
        self.mode = mode
        self.width = None if width is None else _int("width", width, 1, 16384)
        self.height = None if height is None else _int("height", height, 1, 16384)

    def __str__(self) -> str:
        parts = ["resize"]
        if self.mode is not None:
            parts.append("m_" + self.mode)
        if self.width is not None:
            parts.append("w_%d" % self.width)
        if self.height is not None:
            parts.append("h_%d" % self.height)
        return ",".join(parts)


class Rotate:
    __slots__ = ("degrees",)

    def __init__(self, degrees: int) -> None:
        self.degrees = _int("degrees", degrees, 0, 360)

    def __str__(self) -> str:
        return "rotate,%d" % self.degrees


class Format:
    __slots__ = ("to",)

    def __init__(self, to: str) -> None:
        if to not in _IMAGE_FORMATS:
            raise ValueError(f"format must be one of {sorted(_IMAGE_FORMATS)}; got {to!r}")
        self.to = to

    def __str__(self) -> str:
        return "format," + self.to


class Quality:
    __slots__ = ("relative",)

    def __init__(self, *, relative: int) -> None:
        self.relative = _int("relative", relative, 1, 100)

    def __str__(self) -> str:
        return "quality,q_%d" % self.relative


def _check_key(key: object) -> str:
    if not isinstance(key, str) or not key:
        raise ValueError("the object key must be a non-empty string")
    if len(key.encode("utf-8")) > 1023:
        raise ValueError("the object key must be at most 1023 bytes")
    if key.endswith("/") or key.startswith(("/", "\\")):
        raise ValueError("the object key must not start with '/' or '\\' or end with '/'")
    if ("{" in key or "}" in key) and (
        not set(_VARIABLE.findall(key)) <= _VARIABLES or "{" in (rest := _VARIABLE.sub("", key)) or "}" in rest
    ):
        raise ValueError(f"the object key uses an unknown variable: {key!r}")
    return key


class SaveAs:
    __slots__ = ("bucket", "key")

    def __init__(self, bucket: str, key: str) -> None:
        if not isinstance(bucket, str) or not _BUCKET.fullmatch(bucket):
            raise ValueError(f"not a bucket name: {bucket!r}")
        self.bucket = bucket
        self.key = _check_key(key)

    def __str__(self) -> str:
        return f"sys/saveas,b_{_b64(self.bucket)},o_{_b64(self.key)}"


class Notify:
    __slots__ = ("topic",)

    def __init__(self, topic: str) -> None:
        if not isinstance(topic, str) or not _TOPIC.fullmatch(topic):
            raise ValueError(f"not an SMQ topic name: {topic!r}")
        self.topic = topic

    def __str__(self) -> str:
        return "notify,topic_" + _b64(self.topic)


class ImageJob:
    """An image pipeline, extended one step at a time like procdsl's fluent API (a new tuple per step)."""

    __slots__ = ("save", "steps")

    def __init__(self, steps: Tuple[object, ...] = (), save: Optional[SaveAs] = None) -> None:
        self.steps = steps
        self.save = save

    def then(self, step: object) -> ImageJob:
        return ImageJob((*self.steps, step))

    def save_as(self, bucket: str, key: str) -> ImageJob:
        return ImageJob(self.steps, SaveAs(bucket, key))

    def __str__(self) -> str:
        text = "image/" + "/".join(map(str, self.steps))
        return text if self.save is None else f"{text}|{self.save}"


class DocConvert:
    __slots__ = ("notify", "save", "source", "target")

    def __init__(self, *, src: str, to: str, save: Optional[SaveAs] = None, notify: Optional[Notify] = None) -> None:
        if src not in _DOC_SOURCES:
            raise ValueError(f"src must be one of {sorted(_DOC_SOURCES)}; got {src!r}")
        if to not in _DOC_TARGETS:
            raise ValueError(f"to must be one of {sorted(_DOC_TARGETS)}; got {to!r}")
        self.source, self.target, self.save, self.notify = src, to, save, notify

    def save_as(self, bucket: str, key: str) -> DocConvert:
        return DocConvert(src=self.source, to=self.target, save=SaveAs(bucket, key))

    def with_notify(self, topic: str) -> DocConvert:
        if self.save is None:
            raise ValueError("notify needs a save-as first")
        return DocConvert(src=self.source, to=self.target, save=self.save, notify=Notify(topic))

    def __str__(self) -> str:
        text = f"doc/convert,target_{self.target},source_{self.source}"
        if self.save is not None:
            text += f"|{self.save}"
        if self.notify is not None:
            text += f"/{self.notify}"
        return text


def image_job(width: int, height: int, quality: int, bucket: str, key: str) -> str:
    """The benchmark's image job, built step by step and written."""
    job = (
        ImageJob()
        .then(Resize(mode="lfit", width=width, height=height))
        .then(Rotate(90))
        .then(Format("webp"))
        .then(Quality(relative=quality))
        .save_as(bucket, key)
    )
    return str(job)


def doc_job(bucket: str, key: str, topic: str) -> str:
    """The benchmark's doc job, built and written."""
    return str(DocConvert(src="docx", to="png").save_as(bucket, key).with_notify(topic))
