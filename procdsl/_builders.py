"""The entry points users start from: ``Image``, ``Video``, ``Audio``, ``Doc``, ``Hls``.

Each factory has exactly its operation class's signature (``ParamSpec``) and
returns the stage that operation starts: an ``ImagePipeline`` for image
actions, an ``AsyncOperation`` for asynchronous media and document work (which
then needs ``save_as``), a ``SyncProcess`` for synchronous media and document
operations, a ``NotifyOperation`` for blind-watermark extraction.
"""

from __future__ import annotations

from typing import Callable

from ._compat import ParamSpec
from ._declare import MessageTask, ObjectTask, Operation
from ._image_steps import ImageSteps
from ._operations import audio, doc, hls, pointcloud, video
from ._operations.image import Deblindwatermark, ImageOperation
from ._stages import AsyncOperation, IfStatus404, ImagePipeline, NotifyOperation, SyncProcess, _pipeline

__all__ = ["Audio", "Doc", "Hls", "Image", "PointCloud", "Video"]

P = ParamSpec("P")


def async_op(cls: Callable[P, ObjectTask]) -> Callable[P, AsyncOperation]:
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


def if_missing_op(cls: Callable[P, Operation]) -> Callable[P, IfStatus404]:
    """A factory for an operation wrapped in ``if_status_eq_404{…}`` (``hls/ts``)."""

    def build(*args: P.args, **kwargs: P.kwargs) -> IfStatus404:
        return IfStatus404(SyncProcess((cls(*args, **kwargs),)))

    build.__doc__ = cls.__doc__
    return build


def notify_op(cls: Callable[P, MessageTask]) -> Callable[P, NotifyOperation]:
    """A factory for an operation whose result comes only by notification."""

    def build(*args: P.args, **kwargs: P.kwargs) -> NotifyOperation:
        return NotifyOperation(cls(*args, **kwargs))

    build.__doc__ = cls.__doc__
    return build


class _ImageNamespace(ImageSteps):
    """``Image.resize(...)`` starts a pipeline; every image step is available here."""

    __slots__ = ()

    deblindwatermark = staticmethod(notify_op(Deblindwatermark))

    def _then(self, op: ImageOperation) -> ImagePipeline:
        return _pipeline((op,))

    def __repr__(self) -> str:
        return "procdsl.Image"


Image = _ImageNamespace()


class Doc:
    """Document processing: ``Doc.convert(src="docx", to="png")``."""

    convert = staticmethod(async_op(doc.Convert))
    snapshot = staticmethod(sync_op(doc.Snapshot))
    preview = staticmethod(sync_op(doc.Preview))
    edit = staticmethod(sync_op(doc.Edit))


class Video:
    """Video processing (transcoding, snapshots, sprites, animations, concatenation, info)."""

    convert = staticmethod(async_op(video.Convert))
    snapshots = staticmethod(async_op(video.Snapshots))
    sprite = staticmethod(async_op(video.Sprite))
    animation = staticmethod(async_op(video.Animation))
    concat = staticmethod(async_op(video.Concat))
    snapshot = staticmethod(sync_op(video.Snapshot))
    info = staticmethod(sync_op(video.Info))


class Audio:
    """Audio processing (transcoding, concatenation, info)."""

    convert = staticmethod(async_op(audio.Convert))
    concat = staticmethod(async_op(audio.Concat))
    info = staticmethod(sync_op(audio.Info))


class Hls:
    """HLS live transcoding (``hls/m3u8``, ``hls/sign``, ``hls/ts`` inside ``if_status_eq_404{…}``)."""

    m3u8 = staticmethod(sync_op(hls.M3u8))
    sign = staticmethod(sync_op(hls.Sign))
    ts = staticmethod(if_missing_op(hls.Ts))


class PointCloud:
    """Point-cloud processing: ``PointCloud.compress(method="octree", octree=Octree(...))``."""

    compress = staticmethod(sync_op(pointcloud.Compress))
