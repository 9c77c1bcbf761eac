"""Hypothesis strategies derived from the operation definitions.

For property-testing procdsl and code built on it::

    from hypothesis import given
    from procdsl import strategies

    @given(strategies.processes())
    def test_my_cache_key(process): ...

Every strategy is built from the ``param()`` declarations and their codecs, so
a new operation or parameter is covered as soon as it is declared. Hypothesis
is imported here only: importing ``procdsl`` never imports it.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Optional, Tuple, Type, TypeVar, cast

from hypothesis import assume
from hypothesis import strategies as st

from ._codecs import INT_LIMIT, B64Text, Choice, Codec, Flag, Float, HexColor, Int, Resolution
from ._declare import MessageTask, ObjectTask, Operation, Sections, SubSection, all_operations
from ._operations.sys import Notify, SaveAs
from ._stages import (
    AsyncJob,
    AsyncOperation,
    ImagePipeline,
    ImageStep,
    NotifyOperation,
    Process,
    Style,
    SyncJob,
    SyncProcess,
)
from ._variables import VARIABLES, BucketName, ObjectKey, TopicName
from .errors import ProcessValueError

__all__ = [
    "async_jobs",
    "codec_values",
    "image_pipelines",
    "operations",
    "processes",
    "register",
    "save_as",
    "text",
]

C = TypeVar("C", bound=Codec[Any])
_MAKERS: Dict[type, Callable[[Any], st.SearchStrategy[Any]]] = {}

#: Any Unicode text but surrogates (which UTF-8 cannot carry).
text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40)


def register(codec_type: Type[C]) -> Callable[[Callable[[C], Any]], Callable[[C], Any]]:
    """Register how to draw valid values for a codec class (and its subclasses)."""

    def add(maker: Callable[[C], Any]) -> Callable[[C], Any]:
        _MAKERS[codec_type] = maker
        return maker

    return add


def codec_values(codec: Codec[Any]) -> st.SearchStrategy[Any]:
    """Valid Python values for one codec (checked by the codec itself)."""
    for klass in type(codec).__mro__:
        if klass in _MAKERS:
            return _MAKERS[klass](codec).map(codec.check)
    raise TypeError(f"no strategy registered for {type(codec).__name__}; add one with strategies.register")


@register(Int)
def _ints(codec: Int) -> st.SearchStrategy[int]:
    lo = codec.lo if codec.lo is not None else -(INT_LIMIT - 1)
    hi = codec.hi if codec.hi is not None else INT_LIMIT - 1
    return st.integers(lo, hi)


@register(Float)
def _floats(codec: Float) -> st.SearchStrategy[float]:
    scale = 10**codec.PLACES
    lo = math.floor(codec.lo * scale) + (1 if codec.lo_open else 0)
    return st.integers(max(lo, math.ceil(codec.lo * scale)), math.floor(codec.hi * scale)).map(
        lambda n: round(n / scale, codec.PLACES)
    )


@register(Choice)
def _choices(codec: Choice) -> st.SearchStrategy[Any]:
    return st.sampled_from(codec.values)


@register(Flag)
def _flags(codec: Flag) -> st.SearchStrategy[bool]:
    return st.booleans()


@register(HexColor)
def _colours(codec: HexColor) -> st.SearchStrategy[str]:
    return st.from_regex(r"#?[0-9A-Fa-f]{6}" if codec.hash_prefix else r"[0-9A-Fa-f]{6}", fullmatch=True)


@register(Resolution)
def _resolutions(codec: Resolution) -> st.SearchStrategy[str]:
    side = st.integers(codec.lo, codec.hi).map(lambda n: n - n % 2 if codec.even and n - n % 2 >= codec.lo else n)
    side = side.filter(lambda n: not codec.even or n % 2 == 0)
    both = st.tuples(side, side).map(lambda wh: f"{wh[0]}x{wh[1]}")
    if not codec.one_side:
        return both
    return st.one_of(both, side.map(lambda w: f"{w}x"), side.map(lambda h: f"x{h}"))


def _fits(codec: B64Text) -> Callable[[str], bool]:
    def ok(value: str) -> bool:
        try:
            codec.check(value)
        except Exception:
            return False
        return True

    return ok


@register(B64Text)
def _texts(codec: B64Text) -> st.SearchStrategy[str]:
    if codec.pattern is not None:
        return st.from_regex(codec.pattern, fullmatch=True).filter(_fits(codec))
    return text.filter(_fits(codec))


@register(ObjectKey)
def _keys(codec: ObjectKey) -> st.SearchStrategy[str]:
    plain = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="{}"), min_size=1, max_size=30)
    variable = st.sampled_from(sorted(VARIABLES)).map(lambda v: "{%s}" % v)
    pieces = st.lists(st.one_of(plain, variable, st.just("{{"), st.just("}}")), min_size=1, max_size=4)
    return pieces.map("".join).filter(_fits(codec))


@register(BucketName)
def _buckets(codec: BucketName) -> st.SearchStrategy[str]:
    return st.from_regex(r"[a-z0-9][a-z0-9-]{1,20}[a-z0-9]", fullmatch=True)


@register(TopicName)
def _topics(codec: TopicName) -> st.SearchStrategy[str]:
    return st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,30}", fullmatch=True)


@st.composite
def _operation(draw: st.DrawFn, cls: Type[Operation]) -> Operation:
    values: Dict[str, Any] = {}
    for p in cls.__params__:
        value = draw(codec_values(p.codec)) if p.required else draw(st.none() | codec_values(p.codec))
        if value is not None:
            values[p.name] = value
    try:
        op = cls(**values)
    except ProcessValueError:
        assume(False)
        raise  # pragma: no cover - assume() never returns here
    return op


def operations(cls: Type[Operation]) -> st.SearchStrategy[Operation]:
    """Valid instances of one operation class (cross-parameter rules respected)."""
    return _operation(cls)


def _family_ops(predicate: Callable[[Type[Operation]], bool]) -> st.SearchStrategy[Operation]:
    classes = [cls for cls in all_operations() if predicate(cls)]
    return st.sampled_from(classes).flatmap(operations)


def _image_step(cls: Type[Operation]) -> bool:
    return cls.family == "image" and cls.processing == "sync"


def image_pipelines(max_steps: int = 4) -> st.SearchStrategy[ImagePipeline]:
    """Image pipelines of 1..max_steps actions."""
    steps = st.lists(_family_ops(_image_step), min_size=1, max_size=max_steps)
    return steps.map(lambda ops: ImagePipeline(cast("Tuple[ImageStep, ...]", tuple(ops))))


def save_as() -> st.SearchStrategy[SaveAs]:
    """Save-as stages, with and without a bucket, keys that hold every variable."""
    return _operation(SaveAs)  # type: ignore[return-value]


def _index_key(save: SaveAs) -> SaveAs:
    return save if "{index}" in save.key else SaveAs(bucket=save.bucket, key=save.key + "{index}")


def async_jobs() -> st.SearchStrategy[AsyncJob]:
    """Complete asynchronous jobs: an operation, a save-as (keys hold ``{index}``) and maybe notify."""
    writers = _family_ops(lambda c: c.processing == "async" and not c.result_via_notify and c.family != "sys")
    notifies = st.none() | _operation(Notify)
    saved = st.builds(lambda op, save, note: AsyncJob(op, _index_key(save), note), writers, save_as(), notifies)
    messengers = _family_ops(lambda c: c.result_via_notify)
    told = st.builds(lambda op, note: AsyncJob(op, None, note), messengers, _operation(Notify))
    has_messengers = any(c.result_via_notify for c in all_operations())
    return st.one_of(saved, told) if has_messengers else saved


def _sync_processes() -> Optional[st.SearchStrategy[SyncProcess]]:
    classes = [c for c in all_operations() if c.processing == "sync" and c.family not in ("image", "sys")]
    if not classes:
        return None
    return st.sampled_from(classes).flatmap(operations).map(lambda op: SyncProcess((op,)))


def processes() -> st.SearchStrategy[Process]:
    """Any stage value procdsl can write: pipelines, styles, sync and async jobs."""
    styles = st.from_regex(r"[0-9A-Za-z_.\-]{1,63}", fullmatch=True).map(Style)
    gets: list[st.SearchStrategy[Any]] = [styles]
    if any(_image_step(c) for c in all_operations()):
        gets.append(image_pipelines())
    sync = _sync_processes()
    if sync is not None:
        gets.append(sync)
    get = st.one_of(*gets)
    sync_jobs = st.builds(lambda p, s: SyncJob(p, _index_key(s)), get, save_as())
    asyncs = _family_ops(lambda c: c.processing == "async" and not c.result_via_notify and c.family != "sys")
    pending = asyncs.map(lambda op: AsyncOperation(cast(ObjectTask, op)))
    parts: list[st.SearchStrategy[Any]] = [get, sync_jobs, pending, async_jobs()]
    if any(c.result_via_notify for c in all_operations()):
        parts.append(_family_ops(lambda c: c.result_via_notify).map(lambda op: NotifyOperation(cast(MessageTask, op))))
    return st.one_of(*parts)


# -- codecs of the catalogue modules --------------------------------------------------------
# Imported late: the catalogue modules import the core, never this module.
from ._operations.image import WatermarkImage, WatermarkImageCodec  # noqa: E402


@register(Sections)
def _sections(codec: Sections) -> st.SearchStrategy[Any]:
    section = st.sampled_from(sorted(codec.types.values(), key=lambda t: t.action)).flatmap(_operation)
    return st.lists(section, min_size=codec.min_items, max_size=min(codec.max_items, 4)).map(tuple)


@register(SubSection)
def _subsection(codec: SubSection) -> st.SearchStrategy[Any]:
    return _operation(codec.type)


@register(WatermarkImageCodec)
def _watermark_images(codec: WatermarkImageCodec) -> st.SearchStrategy[WatermarkImage]:
    from ._operations import image

    keys = text.filter(lambda k: "?x-oss-process=" not in k)
    preprocess: List[Type[Operation]] = [
        image.WatermarkResize,
        image.Crop,
        image.IndexCrop,
        image.RoundedCorners,
        image.Rotate,
        image.AutoOrient,
    ]
    steps = st.sampled_from(preprocess).flatmap(_operation)
    pipelines = st.lists(steps, min_size=1, max_size=3).map(tuple)
    return st.builds(WatermarkImage, keys, st.none() | pipelines)
