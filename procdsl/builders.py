"""The entry points users start from: ``Image``, ``Video``, ``Audio``, ``Doc``, ``Hls``.

Each factory has exactly its operation class's signature (``ParamSpec``) and
returns the stage that operation starts: an ``ImagePipeline`` for image
actions, an ``AsyncOperation`` for asynchronous media and document work (which
then needs ``save_as``), a ``SyncProcess`` for synchronous media and document
operations, a ``NotifyOperation`` for blind-watermark extraction.
"""

from __future__ import annotations

from typing import Callable

from typing_extensions import ParamSpec

from ._image_steps import ImageSteps
from .operations import doc
from .operations.image import Deblindwatermark
from .spec import Operation
from .stages import AsyncOperation, ImagePipeline, NotifyOperation, SyncProcess

__all__ = ["Audio", "Doc", "Hls", "Image", "Video"]

P = ParamSpec("P")


def async_op(cls: Callable[P, Operation]) -> Callable[P, AsyncOperation]:
    """A factory for an asynchronous operation (needs ``save_as`` next)."""

    def build(*args: P.args, **kwargs: P.kwargs) -> AsyncOperation:
        return AsyncOperation(cls(*args, **kwargs))

    build.__doc__ = cls.__doc__
    return build


def sync_op(cls: Callable[P, Operation]) -> Callable[P, SyncProcess]:
    """A factory for a synchronous, GET-able non-image operation."""

    def build(*args: P.args, **kwargs: P.kwargs) -> SyncProcess:
        return SyncProcess((cls(*args, **kwargs),))

    build.__doc__ = cls.__doc__
    return build


def notify_op(cls: Callable[P, Operation]) -> Callable[P, NotifyOperation]:
    """A factory for an operation whose result comes only by notification."""

    def build(*args: P.args, **kwargs: P.kwargs) -> NotifyOperation:
        return NotifyOperation(cls(*args, **kwargs))

    build.__doc__ = cls.__doc__
    return build


class _ImageNamespace(ImageSteps):
    """``Image.resize(...)`` starts a pipeline; every image step is available here."""

    __slots__ = ()

    deblindwatermark = staticmethod(notify_op(Deblindwatermark))

    def _then(self, op: Operation) -> ImagePipeline:
        return ImagePipeline((op,))

    def __repr__(self) -> str:
        return "procdsl.Image"


Image = _ImageNamespace()


class Doc:
    """Document processing: ``Doc.convert(src="docx", to="png")``."""

    convert = staticmethod(async_op(doc.Convert))


class Video:
    """Video processing (transcoding, snapshots, sprites, animations, concatenation, info)."""


class Audio:
    """Audio processing (transcoding, concatenation, info)."""


class Hls:
    """HLS live transcoding (``hls/m3u8``, ``hls/sign``)."""
