"""Stages: what can follow what, in the types and at run time.

::

    Image.resize(...).rotate(90)          ImagePipeline    sync, GET-able
    Style("name")                         Style            sync, GET-able
      .save_as(bucket, key)               StyleJob         a SyncJob (POST ?x-oss-process) ...
      .save_as(...).notify(topic)         AsyncJob         ... or, async, POST ?x-oss-async-process
    Video.snapshot(...), Doc.preview()    SyncProcess      sync, GET-able (non-image)
      .save_as(bucket, key)               SyncJob          POST ?x-oss-process
    Video.convert(...), Doc.convert(...)  AsyncOperation   needs save-as before sending
      .save_as(bucket, key)               AsyncJob         POST ?x-oss-async-process
      .notify(topic)                      AsyncJob         + /notify
    Image.deblindwatermark(...)           NotifyOperation  result only in the message
      .notify(topic)                      AsyncJob         + |sys/notify

Each stage is an immutable value (frozen, slotted, hashable, picklable);
``str()`` gives the wire string. Methods return new values.
"""

from __future__ import annotations

import os
import re
import warnings
from typing import Any, ClassVar, Optional, Tuple, Union, cast, overload

from ._compat import Self
from ._declare import MessageTask, ObjectTask, Operation, canonical_value
from ._image_steps import ImageSteps
from ._operations.image import ImageOperation
from ._operations.sys import Notify, SaveAs
from ._raw import RawOperation
from ._values import frozen
from .errors import SaveAsKeyWarning, StageError

__all__ = [
    "AnyOperation",
    "AsyncJob",
    "AsyncOperation",
    "GET_STAGES",
    "GetProcess",
    "ImageStep",
    "IfStatus404",
    "ImagePipeline",
    "NotifyOperation",
    "Process",
    "Style",
    "StyleJob",
    "SyncJob",
    "SyncProcess",
]

AnyOperation = Union[Operation, RawOperation]
#: What an image pipeline holds: a synchronous image action, or an unknown one kept by lenient parsing.
ImageStep = Union[ImageOperation, RawOperation]


class _Stage:
    """Shared behaviour of the stage values (immutable, slotted: see ``_values.frozen``)."""

    __slots__ = ("_wire",)
    _wire: ClassVar[Optional[str]]  # an instance slot (the cached wire string); ClassVar keeps it out of __init__

    def __str__(self) -> str:
        # Values are immutable, so the wire string is computed once and kept.
        wire: Optional[str] = self._wire  # None until first written (set by every constructor)
        if wire is None:
            wire = self.to_wire()
            object.__setattr__(self, "_wire", wire)
        return wire

    def to_wire(self) -> str:
        raise NotImplementedError

    def canonical(self) -> Self:
        """The same value with every operation's parameters in declared order (``procdsl format``).

        ``str(parse(s).canonical())`` is the normal spelling of ``s``: declared order,
        unpadded base64, ``sys/notify`` for ``|notify``.
        """
        values = [canonical_value(getattr(self, name)) for name in getattr(type(self), "__fields__")]  # noqa: B009
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SaveAsKeyWarning)  # warned when first built
            rebuilt: Self = cast(Any, type(self))(*values)
        return rebuilt


def _is_sync(op: AnyOperation) -> bool:
    return isinstance(op, RawOperation) or op.processing == "sync"


#: How many SaveAsKeyWarnings were given; ``parse`` caches only values whose building gave none.
key_warnings = 0


def _warn_key(op: Union[AnyOperation, Style], save: SaveAs) -> None:
    global key_warnings
    message = op.save_key_warning(save.key)
    if message is not None:
        key_warnings += 1
        warnings.warn(message, SaveAsKeyWarning, stacklevel=_caller_level())


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep  # procdsl/ (os is loaded at start-up)


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside procdsl (and outside ``copy``/``pickle``),
    so a warning names the user's line whatever path built the value: a builder, ``save_as``,
    ``notify``, ``parse``, ``copy.copy`` or a rebuild."""
    import sys

    skipped = {getattr(sys.modules.get(name), "__file__", None) for name in ("copy", "copyreg", "pickle")}
    frame = sys._getframe(1)  # _caller_level's caller is level 1 for warnings.warn
    level = 1
    while frame.f_back is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE) and filename not in skipped:
            break
        frame = frame.f_back
        level += 1
    return level


def _save(args: Tuple[Optional[str], ...], bucket: Optional[str], key: Optional[str]) -> SaveAs:
    """Read ``save_as(key)``, ``save_as(bucket, key)`` or their keyword forms."""
    if bucket is None and key is None and len(args) == 2 and args[1] is not None:  # the common call, first
        return SaveAs(bucket=args[0], key=args[1])
    if len(args) > 2:
        raise TypeError("save_as() takes a key, or a bucket and a key")
    if len(args) == 2:
        if bucket is not None or key is not None:
            raise TypeError("save_as() got the bucket or key twice")
        bucket, key = args
    elif len(args) == 1:
        if key is not None:
            if bucket is not None:
                raise TypeError("save_as() got the bucket twice")
            bucket = args[0]
        else:
            key = args[0]
    if key is None:
        raise TypeError("save_as() needs an object key")
    return SaveAs(bucket=bucket, key=key)


class _SavesSync(_Stage):
    __slots__ = ()

    @overload
    def save_as(self, key: str, /) -> SyncJob: ...
    @overload
    def save_as(self, bucket: Optional[str], key: str, /) -> SyncJob: ...
    @overload
    def save_as(self, *, key: str, bucket: Optional[str] = None) -> SyncJob: ...
    def save_as(self, *args: Optional[str], bucket: Optional[str] = None, key: Optional[str] = None) -> SyncJob:
        """Save the result as an object (ProcessObject): ``save_as(key)`` or ``save_as(bucket, key)``."""
        assert isinstance(self, (ImagePipeline, SyncProcess))
        return SyncJob(self, _save(args, bucket, key))


def _check_image_step(step: object) -> None:
    if not isinstance(step, (Operation, RawOperation)) or step.family != "image" or not _is_sync(step):
        name = step.wire_name() if isinstance(step, (Operation, RawOperation)) else repr(step)
        raise StageError(f"{name} is not a synchronous image action")


@frozen
class ImagePipeline(_SavesSync, ImageSteps):
    """A chain of image actions, run left to right: ``image/resize,w_100/rotate,90``."""

    __slots__ = ("steps",)
    steps: Tuple[ImageStep, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(self.steps))
        if not self.steps:
            raise StageError("an image pipeline needs at least one action")
        for step in self.steps:
            _check_image_step(step)

    def then(self, step: ImageStep) -> ImagePipeline:
        """This pipeline with one more action at the end (only the new action is checked)."""
        _check_image_step(step)
        return _pipeline((*self.steps, step))

    def _then(self, op: ImageOperation) -> ImagePipeline:
        # The fluent methods' path: each builds an operation of a synchronous image class.
        pipeline = object.__new__(ImagePipeline)
        object.__setattr__(pipeline, "steps", (*self.steps, op))
        object.__setattr__(pipeline, "_wire", None)
        return pipeline

    def to_wire(self) -> str:
        return "image/" + "/".join([step.to_wire(with_family=False) for step in self.steps])


ImageSteps.pipeline_type = ImagePipeline  # the return annotation of inspect.signature(pipeline.resize)


def _pipeline(steps: Tuple[ImageStep, ...]) -> ImagePipeline:
    """An ``ImagePipeline`` of steps already checked."""
    pipeline = object.__new__(ImagePipeline)
    object.__setattr__(pipeline, "steps", steps)
    object.__setattr__(pipeline, "_wire", None)
    return pipeline


# 1-63 of 0-9A-Za-z_.- (https://alibabacloud.com/help/doc-detail/44687.html); built-in styles are
# written style/::<name> (UNCERTAIN: the styles-page citation; not found with the search tool).
_STYLE_NAME = re.compile(r"(::)?[0-9A-Za-z_.\-]{1,63}")


@frozen
class Style(_Stage):
    """A stored style, ``style/<name>`` (1–63 of ``0-9A-Za-z_.-``; ``::<name>`` for a built-in one).

    A style runs synchronously (a GET URL), or is saved: ``save_as`` gives a ``StyleJob``,
    sent with ``x-oss-process`` as it is, or asynchronously once ``.notify(topic)`` or
    ``.asynchronous()`` makes it an ``AsyncJob``: the styles page documents
    ``x-oss-async-process=style/StyleName|sys/saveas,b_…,o_…`` (https://help.aliyun.com/en/oss/user-guide/styles).
    """

    __slots__ = ("name",)
    name: str
    #: As an ``AsyncJob``'s task a style reads like an operation: ``style/<name>``.
    family: ClassVar[str] = "style"
    processing: ClassVar[str] = "sync"
    result_via_notify: ClassVar[bool] = False

    def __post_init__(self) -> None:
        from .errors import ProcessValueError

        if not isinstance(self.name, str) or not _STYLE_NAME.fullmatch(self.name):
            raise ProcessValueError(
                f"style name must be 1-63 of 0-9, A-Z, a-z, '_', '.', '-' (or ::<name>); got {self.name!r}",
                param="name",
                value=self.name,
                allowed="1-63 characters of 0-9A-Za-z_.-, optionally after ::",
            )
        object.__setattr__(self, "name", str.__str__(self.name))

    @overload
    def save_as(self, key: str, /) -> StyleJob: ...
    @overload
    def save_as(self, bucket: Optional[str], key: str, /) -> StyleJob: ...
    @overload
    def save_as(self, *, key: str, bucket: Optional[str] = None) -> StyleJob: ...
    def save_as(self, *args: Optional[str], bucket: Optional[str] = None, key: Optional[str] = None) -> StyleJob:
        """Save the styled result: a ``StyleJob`` (sync as is; ``.notify()``/``.asynchronous()`` for async)."""
        return StyleJob(self, _save(args, bucket, key))

    @property
    def action(self) -> str:
        """The style's name, in the place of an operation's action."""
        return self.name

    def wire_name(self) -> str:
        return self.to_wire()

    def to_wire(self, *, with_family: bool = True) -> str:
        return f"style/{self.name}" if with_family else self.name

    def save_key_warning(self, key: str) -> Optional[str]:
        """None: what a style writes is decided on the server."""
        return None


@frozen
class SyncProcess(_SavesSync):
    """Synchronous non-image operations of one family, chained with ``/``.

    ``video/snapshot,t_1000,f_jpg`` or the documented document chain
    ``doc/convert,target_jpg,source_docx/snapshot,target_jpg,source_docx,page_2``.
    """

    __slots__ = ("ops",)
    ops: Tuple[AnyOperation, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "ops", tuple(self.ops))
        if not self.ops:
            raise StageError("a process needs at least one operation")
        family = self.ops[0].family
        for op in self.ops:
            if op.family != family:
                raise StageError(f"{op.wire_name()} cannot be chained after a {family}/ operation")
            if op.family == "image":
                raise StageError("image actions belong in an ImagePipeline")
        # Every operation is synchronous, except that a doc/convert may open a chain of
        # synchronous doc operations, as the synchronous-processing page documents
        # (doc/convert,target_jpg,source_docx/snapshot,target_jpg,source_docx,page_2).
        for i, op in enumerate(self.ops):
            if _is_sync(op) or (i == 0 and len(self.ops) > 1 and op.family == "doc"):
                continue
            raise StageError(f"{op.wire_name()} is asynchronous; send it with x-oss-async-process")

    def then(self, op: AnyOperation) -> SyncProcess:
        return SyncProcess((*self.ops, op))

    def to_wire(self) -> str:
        first, *rest = self.ops
        return "/".join([first.to_wire(), *(op.to_wire(with_family=False) for op in rest)])


@frozen
class IfStatus404(_Stage):
    """``if_status_eq_404{…}``: run ``process`` only when the object does not exist (HTTP 404).

    The conditional processing expression of https://help.aliyun.com/zh/oss/live-transcoding,
    used to transcode an ``hls/ts`` segment on its first request. It is read with GET and
    has no save-as (none is documented for it), so it is a stage of its own.
    """

    __slots__ = ("process",)
    process: SyncProcess

    def __post_init__(self) -> None:
        if type(self.process) is not SyncProcess:
            raise StageError("if_status_eq_404{…} holds one synchronous non-image process such as hls/ts,from_…")

    def to_wire(self) -> str:
        return "if_status_eq_404{" + str(self.process) + "}"


GetProcess = Union[ImagePipeline, Style, SyncProcess, IfStatus404]
#: The same stages, for ``isinstance`` (what a GET URL can carry).
GET_STAGES = (ImagePipeline, Style, SyncProcess, IfStatus404)


@frozen
class SyncJob(_Stage):
    """A synchronous process saved as an object: ``<process>|sys/saveas,…`` (ProcessObject)."""

    __slots__ = ("save", "source")
    source: Union[ImagePipeline, Style, SyncProcess]
    save: SaveAs

    def __new__(cls, *args: Any, **kwargs: Any) -> SyncJob:
        # A saved style is always a StyleJob (it can also run asynchronously), however it is built.
        source = args[0] if args else kwargs.get("source")
        if cls is SyncJob and isinstance(source, Style):
            cls = StyleJob
        job: SyncJob = object.__new__(cls)
        return job

    def __post_init__(self) -> None:
        if not isinstance(self.source, (ImagePipeline, Style, SyncProcess)):
            raise StageError("only a synchronous process can be saved with x-oss-process")
        if isinstance(self.source, SyncProcess):
            _warn_key(self.source.ops[-1], self.save)

    def to_wire(self) -> str:
        return f"{self.source}|{self.save.to_wire()}"


@frozen
class StyleJob(SyncJob):
    """A style saved as an object: a ``SyncJob`` that can also run asynchronously.

    ``style/<name>|sys/saveas,…`` is valid under both headers (styles page,
    https://help.aliyun.com/en/oss/user-guide/styles); ``asynchronous()`` and ``notify()``
    give the ``AsyncJob`` that ``Client.submit`` sends with ``x-oss-async-process``.
    """

    __slots__ = ()
    source: Style

    def __post_init__(self) -> None:
        if not isinstance(self.source, Style):
            raise StageError("a StyleJob saves a Style")

    def asynchronous(self) -> AsyncJob:
        """The same job for ``x-oss-async-process`` (no notification)."""
        return AsyncJob(self.source, self.save)

    def notify(self, topic: Optional[str] = None) -> AsyncJob:
        """The same job, asynchronous, sending the task result to SMQ topic ``topic``."""
        return AsyncJob(self.source, self.save, Notify(topic=topic))


@frozen
class AsyncOperation(_Stage):
    """An asynchronous operation that still needs ``save_as`` before it can be sent."""

    __slots__ = ("op",)
    op: Union[ObjectTask, RawOperation]

    def __post_init__(self) -> None:
        if not isinstance(self.op, (ObjectTask, RawOperation)):
            raise StageError(f"{self.op.wire_name()} is not an asynchronous operation that writes objects")

    @overload
    def save_as(self, key: str, /) -> AsyncJob: ...
    @overload
    def save_as(self, bucket: Optional[str], key: str, /) -> AsyncJob: ...
    @overload
    def save_as(self, *, key: str, bucket: Optional[str] = None) -> AsyncJob: ...
    def save_as(self, *args: Optional[str], bucket: Optional[str] = None, key: Optional[str] = None) -> AsyncJob:
        """Where the task writes its output: ``save_as(key)`` or ``save_as(bucket, key)``."""
        return AsyncJob(self.op, _save(args, bucket, key))

    def to_wire(self) -> str:
        return self.op.to_wire()


@frozen
class NotifyOperation(_Stage):
    """An asynchronous operation whose result arrives only as a notify message."""

    __slots__ = ("op",)
    op: Union[MessageTask, RawOperation]

    def __post_init__(self) -> None:
        if not isinstance(self.op, (MessageTask, RawOperation)):
            raise StageError(f"{self.op.wire_name()} does not deliver its result by notification")

    def notify(self, topic: Optional[str] = None) -> AsyncJob:
        """Send the result to SMQ topic ``topic``: ``|sys/notify,topic_…``."""
        return AsyncJob(self.op, None, Notify(topic=topic))

    def to_wire(self) -> str:
        return self.op.to_wire()


@frozen
class AsyncJob(_Stage):
    """A complete ``x-oss-async-process`` job (AsyncProcessObject)."""

    __slots__ = ("notification", "op", "save")
    #: A ``Style`` runs asynchronously too (styles page, https://help.aliyun.com/en/oss/user-guide/styles).
    op: Union[ObjectTask, MessageTask, RawOperation, Style]
    save: Optional[SaveAs]
    notification: Optional[Notify]

    @overload
    def __init__(
        self, op: Union[ObjectTask, RawOperation, Style], save: SaveAs, notification: Optional[Notify] = None
    ) -> None: ...
    @overload
    def __init__(self, op: Union[MessageTask, RawOperation], save: None, notification: Notify) -> None: ...
    def __init__(
        self,
        op: Union[ObjectTask, MessageTask, RawOperation, Style],
        save: Optional[SaveAs],
        notification: Optional[Notify] = None,
    ) -> None:
        object.__setattr__(self, "op", op)
        object.__setattr__(self, "save", save)
        object.__setattr__(self, "notification", notification)
        object.__setattr__(self, "_wire", None)
        self.__post_init__()

    def __post_init__(self) -> None:
        if not isinstance(self.op, (ObjectTask, MessageTask, RawOperation, Style)):
            name = self.op.wire_name() if isinstance(self.op, Operation) else repr(self.op)
            raise StageError(f"{name} is not an asynchronous task; use x-oss-process (a SyncJob)")
        if self.save is None:
            if self.notification is None:
                raise StageError("an asynchronous job needs a save-as or a notify stage")
            if isinstance(self.op, (ObjectTask, Style)):
                raise StageError(f"{self.op.wire_name()} writes objects: it needs a save-as")
        else:
            if isinstance(self.op, MessageTask):
                raise StageError(f"{self.op.wire_name()} writes no object; send it with notify only")
            _warn_key(self.op, self.save)

    def notify(self, topic: Optional[str] = None) -> AsyncJob:
        """Also send the task result to SMQ topic ``topic`` (bare ``/notify`` without one)."""
        # The operation and save-as were checked (and warned about) when this job was built.
        job = object.__new__(AsyncJob)
        for name, value in (("op", self.op), ("save", self.save), ("notification", Notify(topic=topic))):
            object.__setattr__(job, name, value)
        object.__setattr__(job, "_wire", None)
        return job

    def to_wire(self) -> str:
        sys_actions = []
        if self.save is not None:
            sys_actions.append(self.save.to_wire(with_family=False))
        if self.notification is not None:
            sys_actions.append(self.notification.to_wire(with_family=False))
        return f"{self.op.to_wire()}|sys/" + "/".join(sys_actions)


def async_job(
    op: Union[AnyOperation, Style], save: Optional[SaveAs], notification: Optional[Notify] = None
) -> AsyncJob:
    """An ``AsyncJob`` from parts whose fit is checked at run time (parsed values), not by the types."""
    job: AsyncJob = cast(Any, AsyncJob)(op, save, notification)
    return job


Process = Union[ImagePipeline, Style, SyncProcess, IfStatus404, SyncJob, AsyncOperation, NotifyOperation, AsyncJob]
