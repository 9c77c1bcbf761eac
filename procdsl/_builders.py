"""The entry points users start from: ``Image``, ``Video``, ``Audio``, ``Doc``, ``Hls``.

Each factory has exactly its operation class's signature (``ParamSpec``) and
returns the stage that operation starts: an ``ImagePipeline`` for image
actions, an ``AsyncOperation`` for asynchronous media and document work (which
then needs ``save_as``), a ``SyncProcess`` for synchronous media and document
operations, a ``NotifyOperation`` for blind-watermark extraction.
"""

from __future__ import annotations

from typing import Any, Callable, List, Tuple

from ._compat import ParamSpec
from ._declare import MessageTask, ObjectTask, Operation
from ._image_steps import ImageSteps
from ._introspect import Builder
from ._operations import audio, doc, hls, pointcloud, video
from ._operations.image import Deblindwatermark, ImageOperation
from ._stages import AsyncOperation, IfStatus404, ImagePipeline, NotifyOperation, SyncProcess, _pipeline

__all__ = ["Audio", "Doc", "Hls", "Image", "PointCloud", "Video", "entry_points"]

P = ParamSpec("P")


def async_op(cls: Callable[P, ObjectTask]) -> Builder[P, AsyncOperation]:
    """A factory for an asynchronous operation (needs ``save_as`` next)."""
    return Builder(cls, AsyncOperation, AsyncOperation)


def _sync_process(op: Operation) -> SyncProcess:
    return SyncProcess((op,))


def sync_op(cls: Callable[P, Operation]) -> Builder[P, SyncProcess]:
    """A factory for a synchronous, GET-able non-image operation."""
    return Builder(cls, _sync_process, SyncProcess)


def _if_missing(op: Operation) -> IfStatus404:
    return IfStatus404(SyncProcess((op,)))


def if_missing_op(cls: Callable[P, Operation]) -> Builder[P, IfStatus404]:
    """A factory for an operation wrapped in ``if_status_eq_404{…}`` (``hls/ts``)."""
    return Builder(cls, _if_missing, IfStatus404)


def notify_op(cls: Callable[P, MessageTask]) -> Builder[P, NotifyOperation]:
    """A factory for an operation whose result comes only by notification."""
    return Builder(cls, NotifyOperation, NotifyOperation)


class _ImageNamespace(ImageSteps):
    """``Image.resize(...)`` starts a pipeline; every image step is available here."""

    __slots__ = ()

    deblindwatermark = notify_op(Deblindwatermark)

    def _then(self, op: ImageOperation) -> ImagePipeline:
        return _pipeline((op,))

    def __repr__(self) -> str:
        return "procdsl.Image"


Image = _ImageNamespace()


class Doc:
    """Document processing: ``Doc.convert(src="docx", to="png")``."""

    convert = async_op(doc.Convert)
    snapshot = sync_op(doc.Snapshot)
    preview = sync_op(doc.Preview)
    edit = sync_op(doc.Edit)


class Video:
    """Video processing (transcoding, snapshots, sprites, animations, concatenation, info)."""

    convert = async_op(video.Convert)
    snapshots = async_op(video.Snapshots)
    sprite = async_op(video.Sprite)
    animation = async_op(video.Animation)
    concat = async_op(video.Concat)
    snapshot = sync_op(video.Snapshot)
    info = sync_op(video.Info)


class Audio:
    """Audio processing (transcoding, concatenation, info)."""

    convert = async_op(audio.Convert)
    concat = async_op(audio.Concat)
    info = sync_op(audio.Info)


class Hls:
    """HLS live transcoding (``hls/m3u8``, ``hls/sign``, ``hls/ts`` inside ``if_status_eq_404{…}``)."""

    m3u8 = sync_op(hls.M3u8)
    sign = sync_op(hls.Sign)
    ts = if_missing_op(hls.Ts)


class PointCloud:
    """Point-cloud processing: ``PointCloud.compress(method="octree", octree=Octree(...))``."""

    compress = sync_op(pointcloud.Compress)


def entry_points() -> Tuple[Tuple[str, Any], ...]:
    """``(name users call, builder)`` for every entry point: ``("Image.resize", …)``, ``("Doc.convert", …)``.

    Image steps are given bound to ``Image``; the docs and the introspection tests walk this.
    """
    from ._image_steps import step

    found: List[Tuple[str, Any]] = []
    for label, namespace in (
        ("Image", _ImageNamespace),
        ("Video", Video),
        ("Audio", Audio),
        ("Doc", Doc),
        ("Hls", Hls),
        ("PointCloud", PointCloud),
    ):
        for klass in reversed(namespace.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, staticmethod):
                    value = value.__func__
                if isinstance(value, (Builder, step)):
                    found.append((f"{label}.{name}", getattr(Image, name) if label == "Image" else value))
    return tuple(found)
