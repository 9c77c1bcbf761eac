"""``parse``: any process string back into the typed values that write it.

Strict by default: an unknown action or parameter is an error pointing at its
column. ``strict=False`` keeps unknown actions as ``RawOperation`` and unknown
parameters in ``Operation.extra``, so strings that use newer OSS features still
parse. Whatever is accepted writes back byte for byte (``str(parse(s)) == s``);
``canonical()`` gives the normal spelling. A repeated parameter is a strict error;
leniently the last one is its meaning.
"""

from __future__ import annotations

from typing import Dict, List, Literal, Optional, Sequence, Tuple, TypeVar, Union, cast

from . import _stages
from ._declare import MessageTask, ObjectTask, is_family, known_families, lookup
from ._grammar import Segment, Stage, Token, tokenize
from ._operations.sys import Notify, SaveAs
from ._raw import RawOperation
from ._stages import (
    AnyOperation,
    AsyncJob,
    AsyncOperation,
    IfStatus404,
    ImagePipeline,
    ImageStep,
    NotifyOperation,
    Process,
    Style,
    StyleJob,
    SyncJob,
    SyncProcess,
    async_job,
)
from .errors import ProcessError, ProcessSyntaxError, StageError

__all__ = ["MAX_LENGTH", "parse", "parse_operation", "prepare", "read"]

Context = Literal["sync", "async"]
#: The longest string procdsl reads (its own documented limit: docs/errors.md). OSS refuses an
#: over-long x-oss-process with error 0017-00000288 but publishes no number; every documented
#: string is far shorter. Refusing longer input first keeps every later step linear and bounded.
MAX_LENGTH = 65536
_PREFIXES = (("x-oss-process=", "sync"), ("x-oss-async-process=", "async"))


def parse(text: str, *, strict: bool = True, context: Optional[Context] = None) -> Process:
    """Parse a process string (``x-oss-process`` or ``x-oss-async-process`` value).

    ``context`` says which header the string is for: ``"async"`` requires a
    complete ``AsyncJob``; ``"sync"`` refuses asynchronous operations. A leading
    ``x-oss-process=`` / ``x-oss-async-process=`` (a request body) is accepted and
    sets the context. Percent-encoded input is decoded first, and a whole URL
    (``https://bucket.oss-….aliyuncs.com/key?x-oss-process=…``, signed or not)
    gives its ``x-oss-process`` value.
    """
    key = (text, strict, context)
    if type(text) is str:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
    warned = _stages.key_warnings
    value = read(text, strict=strict, context=context)
    if len(text) <= _CACHE_TEXT and _stages.key_warnings == warned:  # a hit must warn like a miss
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()  # simple and safe under threads; the next reads fill it again
        _CACHE[key] = value
    return value


def read(text: str, *, strict: bool = True, context: Optional[Context] = None) -> Process:
    """``parse`` without its cache: read ``text`` afresh."""
    decoded, context = prepare(text, context)
    return _parse_decoded(decoded, strict, context)


# Values are immutable, so a string read again (a stored job, a template) can return the
# value read before. Bounded (emptied when full); only short strings.
_CACHE: Dict[Tuple[str, bool, Optional[Context]], Process] = {}
_CACHE_SIZE = 512
_CACHE_TEXT = 4096


def prepare(text: str, context: Optional[Context] = None) -> Tuple[str, Optional[Context]]:
    """The process text itself and its context: a URL, a request-body prefix and percent-encoding
    removed; the length limit checked first, so that everything after runs in linear time."""
    if not isinstance(text, str):
        raise ProcessSyntaxError(f"a process string must be str, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ProcessSyntaxError(
            f"a process string is at most {MAX_LENGTH} characters; got {len(text)}", position=MAX_LENGTH
        )
    if text.startswith(("https://", "http://")):
        text = _from_url(text)
        if context is None and not text.startswith("x-oss-"):
            context = "sync"  # a GET URL carries x-oss-process only
    for prefix, implied in _PREFIXES:
        if text.startswith(prefix):
            if context is not None and context != implied:
                raise StageError(f"{prefix!r} body given where a {context} process was expected")
            text, context = text[len(prefix) :], implied  # type: ignore[assignment]
            break
    if "%" in text:
        text = _percent_decoded(text)
    return text, context


def _from_url(url: str) -> str:
    """The ``x-oss-process`` value of a URL (a signed one too), still percent-encoded."""
    query = url.partition("#")[0].partition("?")[2]
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name == "x-oss-process":
            return value
    raise ProcessSyntaxError("this URL has no x-oss-process query parameter", source=url, position=len(url))


def _percent_decoded(text: str) -> str:
    """Decode a URL's percent-encoding once; a ``%`` left after that is an error.

    No process string holds ``%`` (values that could are base64), so refusing a
    leftover one keeps parsing idempotent: ``%2541`` is not read as ``A`` later.
    """
    from urllib.parse import unquote  # only here: it costs a few ms at import

    try:
        decoded = unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise ProcessSyntaxError("percent-encoding that is not UTF-8", source=text, position=text.index("%")) from None
    if "%" in decoded:
        raise ProcessSyntaxError(
            "'%' is not allowed in a process string (after percent-decoding once)",
            source=decoded,
            position=decoded.index("%"),
        )
    return decoded


def _parse_decoded(text: str, strict: bool, context: Optional[Context]) -> Process:
    if text.startswith(_IF_404):
        return _conditional(text, strict, context)
    first, *rest = tokenize(text, skip_empty=not strict)
    if len(rest) > 1:
        raise ProcessSyntaxError(
            "at most one '|sys/…' stage may follow the operation", source=text, position=rest[1].position - 1
        )
    main = _main(first, text, strict)
    result: Process
    if not rest:
        result = main
    else:
        save, notify = _sys(rest[0], text, strict)
        result = _combine(main, save, notify, context, text, rest[0].position)
    _check_context(result, context, text)
    return _as_written(result, text)


_P = TypeVar("_P", bound=Process)


def _as_written(result: _P, text: str) -> _P:
    """``result``, writing back exactly ``text`` (lossless: padding, ``+/``, zero-padded numbers,
    duplicates, unknown parts and ``|notify`` stay as written). Equality compares meaning;
    ``canonical()`` rebuilds the value and so writes the normal spelling."""
    object.__setattr__(result, "_wire", text)
    return result


_IF_404 = "if_status_eq_404{"


def _conditional(text: str, strict: bool, context: Optional[Context]) -> IfStatus404:
    """``if_status_eq_404{<sync process>}`` (https://help.aliyun.com/zh/oss/live-transcoding)."""
    if not text.endswith("}"):
        raise _fail("if_status_eq_404{ is not closed with '}'", text, len(text))
    if text.startswith(_IF_404, len(_IF_404)):
        # It holds one synchronous process, so it cannot nest: refused here, before any recursion.
        raise StageError("if_status_eq_404{…} cannot be nested", source=text, position=len(_IF_404))
    try:
        inner = _parse_decoded(text[len(_IF_404) : -1], strict, context)
    except ProcessError as exc:
        exc.source, exc.position = text, None if exc.position is None else exc.position + len(_IF_404)
        raise
    if type(inner) is not SyncProcess:
        raise StageError(
            "if_status_eq_404{…} holds one synchronous non-image process such as hls/ts,from_…",
            source=text,
            position=len(_IF_404),
        )
    return _as_written(IfStatus404(inner), text)


def parse_operation(text: str, *, strict: bool = True) -> AnyOperation:
    """Parse one operation, ``family/action,params`` (with its ``/pre``-style sections), by itself.

    Unlike ``parse`` it does not check stages: ``hls/ts,…`` or ``video/convert,…``
    alone are fine. Used to test and explain single operations.
    """
    stages = tokenize(text, skip_empty=not strict)
    family = stages[0].family
    if len(stages) != 1 or family is None:
        raise ProcessSyntaxError("expected one family/action,params operation", source=text, position=0)
    ops = _ops(family, stages[0].segments, text, strict)
    if len(ops) != 1:
        raise ProcessSyntaxError("expected one operation, not a chain", source=text, position=0)
    return ops[0]


def _fail(message: str, source: str, position: int) -> ProcessSyntaxError:
    return ProcessSyntaxError(message, source=source, position=position)


def _ops(family: Token, segments: Sequence[Segment], source: str, strict: bool) -> List[AnyOperation]:
    ops: List[AnyOperation] = []
    if strict and not is_family(family.text):
        known = ", ".join(sorted(known_families() | {"style"}))
        raise _fail(f"unknown family {family.text!r} (known: {known})", source, family.position)
    i = 0
    while i < len(segments):
        segment = segments[i]
        name = segment.name.text
        cls = lookup(family.text, name)
        i += 1
        if cls is None:
            if strict:
                raise _fail(f"unknown operation {family.text}/{name}", source, segment.name.position)
            ops.append(_raw(family.text, segment, None))
            continue
        subs = []
        while cls.subsections and i < len(segments) and segments[i].name.text in cls.subsections:
            subs.append(segments[i])
            i += 1
        try:
            ops.append(cls.from_segments(segment.params, subs, strict=strict, source=source))
        except ProcessError as exc:
            if strict:
                raise
            # Lenient parsing never gives up on a known operation: it is kept verbatim, with the reason.
            sections = tuple(_raw(family.text, sub, None) for sub in subs)
            ops.append(_raw(family.text, segment, exc.message, sections))
    return ops


def _raw(family: str, segment: Segment, reason: Optional[str], sections: Tuple[RawOperation, ...] = ()) -> RawOperation:
    params = tuple(t.text for t in segment.params)
    return RawOperation(family, segment.name.text, params, reason=reason, sections=sections)


def _main(
    stage: Stage, source: str, strict: bool
) -> Union[ImagePipeline, Style, SyncProcess, AsyncOperation, NotifyOperation]:
    family = stage.family
    if family is None:
        raise _fail(
            "missing family: a process starts with image/, video/, audio/, doc/, hls/ or style/", source, stage.position
        )
    if family.text == "sys":
        raise _fail("a process cannot start with sys/; save-as and notify follow '|'", source, family.position)
    if family.text == "style":
        if len(stage.segments) != 1 or stage.segments[0].params:
            raise _fail("style/<name> takes a name only", source, stage.segments[0].name.position)
        return Style(stage.segments[0].name.text)
    ops = _ops(family, stage.segments, source, strict)
    try:
        if len(ops) == 1 and isinstance(ops[0], MessageTask):
            return NotifyOperation(ops[0])
        if family.text == "image":
            return ImagePipeline(cast("Tuple[ImageStep, ...]", tuple(ops)))  # each step checked at run time
        if len(ops) == 1 and isinstance(ops[0], ObjectTask):
            return AsyncOperation(ops[0])
        return SyncProcess(tuple(ops))
    except StageError as exc:
        exc.source, exc.position = source, stage.position
        raise


def _sys(stage: Stage, source: str, strict: bool) -> Tuple[Optional[SaveAs], Optional[Notify]]:
    segments = stage.segments
    family = stage.family
    if family is None and len(segments) == 1 and segments[0].name.text == "notify":
        pass  # "|notify,topic_…": the abstract form on the notification page; written back as sys/notify
    elif family is None or family.text != "sys":
        raise _fail("only a sys/ stage (saveas, notify) may follow '|'", source, stage.position)
    save: Optional[SaveAs] = None
    notify: Optional[Notify] = None
    for segment in segments:
        name = segment.name.text
        if name == "saveas" and save is None and notify is None:
            save = SaveAs.from_tokens(segment.params, strict=strict, source=source)
        elif name == "notify" and notify is None:
            notify = Notify.from_tokens(segment.params, strict=strict, source=source)
        elif name in ("saveas", "notify"):
            raise _fail(
                f"sys/{name} is out of place: write saveas once, then notify once", source, segment.name.position
            )
        else:
            raise _fail(f"unknown sys action {name!r} (known: saveas, notify)", source, segment.name.position)
    return save, notify


def _combine(
    main: Union[ImagePipeline, Style, SyncProcess, AsyncOperation, NotifyOperation],
    save: Optional[SaveAs],
    notify: Optional[Notify],
    context: Optional[Context],
    source: str,
    position: int,
) -> Process:
    try:
        if isinstance(main, AsyncOperation):
            if save is None:
                raise StageError(f"{main.op.wire_name()} writes objects: it needs sys/saveas before notify")
            return AsyncJob(main.op, save, notify)
        if isinstance(main, NotifyOperation):
            return async_job(main.op, save, notify)  # checked at run time (a save-as is refused)
        if isinstance(main, Style):
            # style/<name>|sys/saveas runs under either header; /notify makes it asynchronous
            # (styles page: https://help.aliyun.com/en/oss/user-guide/styles).
            if notify is not None or context == "async":
                return async_job(main, save, notify)
            assert save is not None
            return StyleJob(main, save)
        raw = _lone_raw(main)
        if raw is not None and (notify is not None or context == "async" or _known_async(raw)):
            return async_job(raw, save, notify)
        if notify is not None:
            raise StageError("notify is only for asynchronous processing (x-oss-async-process)")
        assert save is not None
        return SyncJob(main, save)
    except StageError as exc:
        exc.source, exc.position = source, position
        raise


def _known_async(raw: RawOperation) -> bool:
    """True for a known asynchronous operation kept verbatim because a value was invalid."""
    cls = lookup(raw.family, raw.action)
    return cls is not None and cls.processing == "async"


def _lone_raw(main: Union[ImagePipeline, Style, SyncProcess]) -> Optional[RawOperation]:
    if isinstance(main, SyncProcess) and len(main.ops) == 1 and isinstance(main.ops[0], RawOperation):
        return main.ops[0]
    return None


def _check_context(result: Process, context: Optional[Context], source: str) -> None:
    if context == "async" and not isinstance(result, AsyncJob):
        if isinstance(result, AsyncOperation):
            raise StageError(
                "an asynchronous job needs |sys/saveas (and optionally /notify)", source=source, position=len(source)
            )
        if isinstance(result, NotifyOperation):
            raise StageError(
                "this operation needs |sys/notify,topic_… to deliver its result", source=source, position=len(source)
            )
        raise StageError("a synchronous process cannot be sent as x-oss-async-process", source=source, position=0)
    if context == "sync" and isinstance(result, (AsyncJob, AsyncOperation, NotifyOperation)):
        raise StageError("an asynchronous operation cannot be sent as x-oss-process", source=source, position=0)
