"""URLs for web pages: image URLs on a public bucket, a CDN domain or signed, and ``srcset``.

Three ways an image reaches a browser, each an object with ``url(key, process)``:

- :meth:`Origin.oss`: a public-read bucket at its OSS domain
  (``https://<bucket>.oss-<region>.aliyuncs.com/<key>?x-oss-process=…``), unsigned;
- :meth:`Origin.domain`: a custom domain or CDN bound to the bucket, unsigned;
- :class:`SignedOrigin`: a private bucket, through a ``procdsl.submit.Client`` (V4
  presigned URLs). With ``window=``, URLs are *cache-stable*: every URL asked for
  within one window is byte-identical (signed as of the window's start), and stays
  valid for at least ``expires`` seconds from any moment of the window.

:func:`srcset` writes the HTML ``srcset`` value for a pipeline over widths
(``320w, 640w``) or pixel densities (``1x, 2x, 3x``). The process string goes in the
query percent-encoded, ``,`` as ``%2C``: a srcset candidate ends at whitespace, and a
candidate URL that ends in ``,`` loses it (HTML "parse a srcset attribute",
https://html.spec.whatwg.org/multipage/images.html#parsing-a-srcset-attribute), so
encoding keeps every process intact whatever it holds.

:func:`install_jinja` adds the ``oss_url`` and ``oss_srcset`` filters to a Jinja2
environment; ``procdsl.web_django`` is the Django template tag library. Neither
engine is imported unless used. This module never imports httpx: a ``SignedOrigin``
takes a client that already exists.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Union
from urllib.parse import quote, urlsplit

from typing_extensions import Protocol

from ._operations.image import Quality, Resize
from ._parser import parse
from ._stages import GET_STAGES, GetProcess, ImagePipeline
from .errors import ProcessValueError, StageError

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "MAX_EXPIRES",
    "Origin",
    "SignedOrigin",
    "Signer",
    "URLSource",
    "install_jinja",
    "srcset",
    "window_start",
    "with_quality",
    "with_width",
]

_REGION = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")

#: V4 presigned URLs live at most 7 days (https://www.alibabacloud.com/help/en/oss/developer-reference/add-signatures-to-urls).
MAX_EXPIRES = 7 * 24 * 3600

Density = Union[int, float]


class URLSource(Protocol):
    """Anything that makes the URL of an object, optionally processed: ``Origin``, ``SignedOrigin``."""

    def url(self, key: str, process: Union[GetProcess, str, None] = None) -> str: ...


class Signer(Protocol):
    """What ``SignedOrigin`` needs of a client: ``procdsl.submit.Client`` is one."""

    def now(self) -> datetime: ...

    def sign_url(
        self,
        bucket: str,
        key: str,
        process: Union[GetProcess, str],
        expires: int = ...,
        *,
        signed_at: Optional[datetime] = ...,
    ) -> str: ...


def _process_text(process: Union[GetProcess, str]) -> str:
    """The process as sent in a URL, checked like ``Client.get`` checks it."""
    if isinstance(process, GET_STAGES):
        return str(process)
    if isinstance(process, str):
        parsed = parse(process, context="sync")
        if not isinstance(parsed, GET_STAGES):
            raise StageError("a URL takes a process without |sys/saveas", source=process)
        return str(parsed)
    raise TypeError(f"expected an image pipeline, a style or a process string, not {type(process).__name__}")


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not key or key.startswith(("/", "\\")):
        raise ProcessValueError(
            f"object key must be a non-empty string not starting with '/'; got {key!r}", param="key", value=key
        )
    return key


@dataclasses.dataclass(frozen=True)
class Origin:
    """Unsigned URLs under ``base`` (``scheme://host``): a public bucket or a domain in front of it."""

    base: str

    def __post_init__(self) -> None:
        parts = urlsplit(self.base)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/") or parts.query:
            raise ProcessValueError(
                f"an origin is scheme://host[:port] without a path; got {self.base!r}", param="base", value=self.base
            )
        object.__setattr__(self, "base", f"{parts.scheme}://{parts.netloc}")

    @classmethod
    def oss(cls, bucket: str, region: str = "cn-hangzhou", *, internal: bool = False, scheme: str = "https") -> Origin:
        """A public-read bucket at its OSS domain, ``<bucket>.oss-<region>[-internal].aliyuncs.com``.

        Hosts: https://www.alibabacloud.com/help/en/oss/user-guide/regions-and-endpoints
        """
        from ._variables import BUCKET_PATTERN

        if not isinstance(bucket, str) or not BUCKET_PATTERN.fullmatch(bucket):
            raise ProcessValueError(f"not a bucket name: {bucket!r}", param="bucket", value=bucket)
        # The region id rule procdsl.submit applies too: lowercase letters, digits and '-'.
        if not isinstance(region, str) or not _REGION.fullmatch(region) or region.startswith("oss-"):
            raise ProcessValueError(
                f"region must be a region id such as 'cn-hangzhou'; got {region!r}", param="region", value=region
            )
        suffix = "-internal" if internal else ""
        return cls(f"{scheme}://{bucket}.oss-{region}{suffix}.aliyuncs.com")

    @classmethod
    def domain(cls, base: str) -> Origin:
        """A custom domain or CDN bound to the bucket: ``Origin.domain("https://img.example.com")``."""
        return cls(base)

    def url(self, key: str, process: Union[GetProcess, str, None] = None) -> str:
        """``<base>/<key>[?x-oss-process=<process>]``, key and process percent-encoded."""
        path = quote(_check_key(key), safe="/")
        if process is None:
            return f"{self.base}/{path}"
        return f"{self.base}/{path}?x-oss-process={quote(_process_text(process), safe='')}"


def window_start(now: datetime, window: int) -> datetime:
    """The start of the ``window``-second slot (counted from the Unix epoch) that holds ``now``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    seconds = int(now.timestamp())
    return datetime.fromtimestamp(seconds - seconds % window, tz=timezone.utc)


class SignedOrigin:
    """Presigned V4 URLs for ``bucket`` through ``client`` (a ``procdsl.submit.Client``).

    ``expires`` is how long each URL must stay valid, in seconds. Without ``window``
    each URL is signed now and changes every second. With ``window`` (seconds or a
    ``timedelta``), URLs are signed as of the start of the current window with
    ``expires + window`` seconds, so within a window the same request gives the same
    URL, and each is valid at least ``expires`` seconds from any moment of the window.
    ``expires + window`` must fit the 7-day limit of V4 URLs.
    """

    def __init__(
        self,
        client: Signer,
        bucket: str,
        *,
        expires: int = 3600,
        window: Union[int, timedelta, None] = None,
    ) -> None:
        seconds = int(window.total_seconds()) if isinstance(window, timedelta) else window
        if isinstance(expires, bool) or not isinstance(expires, int) or expires < 1:
            raise ProcessValueError(f"expires must be a positive number of seconds; got {expires!r}", param="expires")
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 1):
            raise ProcessValueError(f"window must be a positive number of seconds; got {window!r}", param="window")
        if expires + (seconds or 0) > MAX_EXPIRES:
            raise ProcessValueError(
                f"expires + window must be at most {MAX_EXPIRES} s (7 days, the V4 limit); "
                f"got {expires} + {seconds or 0}",
                param="expires",
            )
        self.client, self.bucket, self.expires, self.window = client, bucket, expires, seconds

    def __repr__(self) -> str:
        return f"SignedOrigin(bucket={self.bucket!r}, expires={self.expires}, window={self.window})"

    def url(self, key: str, process: Union[GetProcess, str, None] = None) -> str:
        """A presigned GET URL; a signed URL needs a ``process`` (``Client.sign_url`` signs processed GETs)."""
        if process is None:
            raise TypeError("SignedOrigin.url() needs a process (Client.sign_url signs x-oss-process GETs)")
        if self.window is None:
            return self.client.sign_url(self.bucket, key, process, self.expires)
        start = window_start(self.client.now(), self.window)
        return self.client.sign_url(self.bucket, key, process, self.expires + self.window, signed_at=start)


# -- responsive images ------------------------------------------------------------------------


def with_width(pipeline: ImagePipeline, width: int) -> ImagePipeline:
    """``pipeline`` with its first resize set to ``width`` px, or with ``resize,w_<width>`` put first.

    A resize that also has a height keeps its aspect ratio (the height is scaled with
    the width); ``l``, ``s`` and ``p`` give way to the width.
    """
    steps = list(pipeline.steps)
    for i, step in enumerate(steps):
        if isinstance(step, Resize):
            height = step.height
            if height is not None:
                height = max(1, round(height * width / step.width)) if step.width else None
            steps[i] = step.replace(width=width, height=height, longer=None, shorter=None, percent=None)
            return ImagePipeline(tuple(steps))
    return ImagePipeline((Resize(width=width), *steps))


def with_quality(pipeline: ImagePipeline, quality: int) -> ImagePipeline:
    """``pipeline`` with absolute quality ``Q_<quality>``: its quality step changed, or one added at the end."""
    steps = list(pipeline.steps)
    for i, step in enumerate(steps):
        if isinstance(step, Quality):
            steps[i] = Quality(absolute=quality)
            return ImagePipeline(tuple(steps))
    return ImagePipeline((*steps, Quality(absolute=quality)))


def _density(d: Density) -> str:
    if isinstance(d, bool) or not isinstance(d, (int, float)) or not 0 < d < float("inf"):
        raise ProcessValueError(
            f"a pixel density must be a positive finite number; got {d!r}", param="densities", value=d
        )
    return f"{d:g}x"


def srcset(
    source: URLSource,
    key: str,
    pipeline: ImagePipeline,
    *,
    widths: Optional[Sequence[int]] = None,
    width: Optional[int] = None,
    densities: Sequence[Density] = (1, 2, 3),
    quality: Optional[Mapping[Density, int]] = None,
) -> str:
    """The ``srcset`` attribute value for ``key`` processed by ``pipeline``.

    ``widths=[320, 640]``: one candidate per width, ``<url> 320w, <url> 640w``.
    ``width=300``: one candidate per pixel density, ``<url> 1x, <url> 2x, <url> 3x``,
    the image ``width × density`` px wide; ``quality={2: 60, 3: 40}`` lowers the
    quality of the denser ones. Give ``widths`` or ``width``, not both.
    """
    if not isinstance(pipeline, ImagePipeline):
        raise TypeError(f"srcset() takes an image pipeline (Image.resize(...)...), not {type(pipeline).__name__}")
    if (widths is None) == (width is None):
        raise TypeError("srcset() takes widths=[...] or width=... (with densities), not both or neither")
    candidates = []
    if widths is not None:
        if not widths:
            raise ProcessValueError("widths must not be empty", param="widths")
        for w in widths:
            candidates.append(f"{source.url(key, with_width(pipeline, w))} {w}w")
    else:
        assert width is not None
        for d in densities:
            descriptor = _density(d)
            step = with_width(pipeline, round(width * d))
            if quality is not None and d in quality:
                step = with_quality(step, quality[d])
            candidates.append(f"{source.url(key, step)} {descriptor}")
    return ", ".join(candidates)


# -- template engines -------------------------------------------------------------------------


def install_jinja(environment: jinja2.Environment, source: URLSource) -> None:
    """Add ``oss_url`` and ``oss_srcset`` filters that make URLs through ``source``.

    ``{{ "cat.jpg" | oss_url(thumb) }}``, ``{{ "cat.jpg" | oss_srcset(thumb, widths=[320, 640]) }}``;
    both take ``source=`` to use another origin. The results are plain strings, so
    autoescaping writes ``&`` as ``&amp;`` inside attributes, as HTML wants.
    """

    def oss_url(key: str, process: Union[GetProcess, str, None] = None, source: URLSource = source) -> str:
        return source.url(key, process)

    def oss_srcset(key: str, pipeline: ImagePipeline, source: URLSource = source, **options: Any) -> str:
        return srcset(source, key, pipeline, **options)

    environment.filters["oss_url"] = oss_url
    environment.filters["oss_srcset"] = oss_srcset
