"""``explain``: what a process string does, in words, from the operation definitions.

The opaque parts of a process string (``o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw``) are
what people struggle with. ``explain`` walks a parsed value and, for every
operation, lists each parameter with its readable name, wire key, value (base64
decoded), unit and the documented server default of the parameters left out,
plus warnings such as a multi-output job whose save-as key has no ``{index}``.
Everything comes from the ``param()`` declarations, so new operations are
explained without touching this module.

>>> print(explain("doc/convert,target_pdf|sys/saveas,o_b3V0LnBkZg").text())  # doctest: +ELLIPSIS
doc/convert,target_pdf|sys/saveas,o_b3V0LnBkZg
...
"""

from __future__ import annotations

import functools
import json
import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple, Type, Union

from ._declare import Operation, lookup
from ._diagnostics import Diagnostic, check, context_warnings
from ._operations.sys import Notify, SaveAs
from ._parser import parse, prepare
from ._raw import RawOperation
from ._stages import (
    AnyOperation,
    AsyncJob,
    AsyncOperation,
    IfStatus404,
    ImagePipeline,
    NotifyOperation,
    Process,
    Style,
    SyncJob,
    SyncProcess,
)
from ._values import as_dict, frozen
from .errors import ProcessError, SaveAsKeyWarning

__all__ = [
    "Explanation",
    "OperationExplanation",
    "ParamExplanation",
    "StageExplanation",
    "canonical",
    "explain",
    "parse_leniently",
]

SYNC_HEADER = "x-oss-process"
ASYNC_HEADER = "x-oss-async-process"


@frozen
class ParamExplanation:
    """One parameter: set on the wire, or left to its documented server default."""

    name: str
    key: Optional[str]
    #: The wire token as written (``o_b3V0LnBkZg``); empty when not set.
    wire: str
    #: The Python value (decoded text for base64 parameters); ``None`` when not set.
    value: Any
    #: True when the wire value is base64 text and ``value`` is its decoded form.
    decoded: bool
    unit: Optional[str]
    allowed: str
    doc: str
    #: False for a parameter that is not sent and falls back to ``server_default``.
    given: bool
    server_default: Optional[str]
    note: str = ""
    #: False for an unknown ``key_value`` kept by lenient parsing.
    known: bool = True
    #: Operations held as the value (``/pre``/``/sur`` clips of a concat, nested steps).
    parts: Tuple[OperationExplanation, ...] = ()


@frozen
class OperationExplanation:
    """One operation (``family/action``) with its parameters."""

    name: str
    family: str
    action: str
    processing: Optional[str]
    summary: str
    doc_url: str
    params: Tuple[ParamExplanation, ...]
    #: False for an operation procdsl does not know (kept verbatim by lenient parsing).
    known: bool = True
    #: Why a known operation was kept verbatim: OSS would refuse one of its values.
    problem: Optional[str] = None


@frozen
class StageExplanation:
    """A part of the string separated by ``|``: the processing, or the ``sys`` stage."""

    role: str
    wire: str
    description: str
    operations: Tuple[OperationExplanation, ...]


@frozen
class Explanation:
    """Everything ``explain`` found: stages, how to send the string, warnings."""

    source: str
    canonical: str
    #: The stage type of the value (``AsyncJob``, ``ImagePipeline``, ...).
    kind: str
    #: The request parameter or header to send it with.
    header: str
    #: How the string can be sent (GET URL, POST with save-as, async job).
    sending: str
    stages: Tuple[StageExplanation, ...]
    warnings: Tuple[str, ...]
    #: True when strict parsing failed and unknown parts were kept verbatim.
    lenient: bool = False
    #: The strict-parse error that made ``lenient`` true.
    strict_error: Optional[str] = None
    #: Every problem ``check`` finds in the string (errors OSS would refuse, warnings), with columns.
    diagnostics: Tuple[Diagnostic, ...] = ()

    def as_dict(self) -> Dict[str, Any]:
        """A JSON-able dict (``procdsl explain --json``)."""
        data: Dict[str, Any] = as_dict(self)
        data["diagnostics"] = [d.as_dict() for d in self.diagnostics]
        return data

    def to_json(self, *, indent: Optional[int] = 2) -> str:
        return json.dumps(self.as_dict(), indent=indent, ensure_ascii=False, default=_json_default)

    def text(self, *, style: Optional[Callable[[str, str], str]] = None) -> str:
        """A readable report; ``style(kind, text)`` may colour parts (the CLI does on a tty)."""
        paint = style or (lambda _kind, text: text)
        lines = [paint("bold", self.source)]
        if self.canonical != self.source:
            lines.append(f"  canonical: {self.canonical}")
        lines.append(f"  {self.kind}: {self.sending}")
        lines.append(f"  send as: {self.header}")
        if self.lenient:
            lines.append(paint("warn", f"  parsed leniently (strict parsing failed: {self.strict_error})"))
        for number, stage in enumerate(self.stages, 1):
            lines.append("")
            lines.append(paint("bold", f"stage {number}: {stage.role}") + f"  {stage.wire}")
            lines.append(f"  {stage.description}")
            for op in stage.operations:
                lines.extend(_op_lines(op, paint))
        if self.warnings:
            lines.append("")
            lines.extend(paint("warn", f"warning: {w}") for w in self.warnings)

        return "\n".join(lines)


def _op_lines(op: OperationExplanation, paint: Callable[[str, str], str], indent: str = "") -> List[str]:
    return [indent + line for line in _op_lines_flat(op, paint)]


def _op_lines_flat(op: OperationExplanation, paint: Callable[[str, str], str]) -> List[str]:
    head = f"  {paint('name', op.name)}"
    if op.processing and op.family not in ("sys", ""):
        head += f" ({op.processing})"
    if op.summary:
        head += f" — {op.summary}"
    lines = [head]
    if op.doc_url:
        lines.append(f"    docs: {op.doc_url}")
    if not op.known:
        lines.append("    kept verbatim" if op.problem is not None else "    unknown to procdsl: kept verbatim")
    width = max((len(_param_label(p)) for p in op.params), default=0)
    for p in op.params:
        label = _param_label(p).ljust(width)
        if p.given and p.parts:
            lines.append(f"    {label} =")
            for part in p.parts:
                lines.extend(_op_lines(part, paint, "    "))
        elif p.given:
            shown = _show(p)
            extra = []
            if p.decoded:
                extra.append(f"sent as base64 {_wire_value(p)}")
            if p.doc:
                extra.append(p.doc)
            if op.known and not p.known:
                extra.append("unknown parameter, kept verbatim")
            tail = f"  ({'; '.join(extra)})" if extra else ""
            lines.append(f"    {label} = {paint('value', shown)}{tail}")
        else:
            lines.append(paint("dim", f"    {label}   not set: server default is {p.server_default}"))
        if p.note:
            lines.append(paint("dim", f"    {' ' * width}   note: {p.note}"))
    return lines


def _param_label(p: ParamExplanation) -> str:
    if p.parts:
        return f"{p.name} (segments)"
    if p.key is None:
        return f"{p.name} (positional)"
    if p.key == p.name:
        return p.name
    return f"{p.name} ({p.key})"


def _show(p: ParamExplanation) -> str:
    if p.decoded:
        return repr(p.value)
    if isinstance(p.value, bool):
        return f"{p.value} ({p.wire.rsplit('_', 1)[-1]})"
    text = _wire_value(p)
    return f"{text} {p.unit}" if p.unit else text


def _wire_value(p: ParamExplanation) -> str:
    if p.key is None:
        return p.wire
    return p.wire[len(p.key) + 1 :]


def _json_default(value: Any) -> Any:
    if isinstance(value, (tuple, frozenset, set)):
        return list(value)
    if isinstance(value, (Operation, RawOperation)):
        return str(value)
    return repr(value)


# -- walking the stage values ---------------------------------------------------------------


def _summary(doc: Optional[str]) -> str:
    return (doc or "").strip().split("\n", 1)[0].strip().replace("``", "")


def _explain_param_values(op: Operation) -> Tuple[ParamExplanation, ...]:
    out = []
    by_name = {p.name: p for p in op.__params__}
    written = set(op._order)
    for name in op._order:
        p = by_name[name]
        value = getattr(op, name)
        text = p.codec.encode(value)
        parts: Tuple[Any, ...] = value if isinstance(value, tuple) else (value,)
        nested = all(isinstance(x, (Operation, RawOperation)) for x in parts)
        out.append(
            ParamExplanation(
                name=p.name,
                key=p.key,
                wire=text if p.key is None else f"{p.key}_{text}",
                parts=tuple(_explain_op(x) for x in parts) if nested else (),
                value=value,
                decoded=bool(getattr(p.codec, "base64", False)),
                unit=getattr(p.codec, "unit", None) or None,
                allowed=p.codec.describe(),
                doc=p.doc,
                given=True,
                server_default=p.server_default,
                note=p.note,
            )
        )
    for p in op.__params__:
        if p.name not in written and p.server_default is not None:
            out.append(
                ParamExplanation(
                    name=p.name,
                    key=p.key,
                    wire="",
                    value=None,
                    decoded=False,
                    unit=getattr(p.codec, "unit", None) or None,
                    allowed=p.codec.describe(),
                    doc=p.doc,
                    given=False,
                    server_default=p.server_default,
                    note=p.note,
                )
            )
    for key, value in op.extra:
        out.append(_unknown_param(key, value))
    return tuple(out)


def _unknown_param(key: Optional[str], value: str) -> ParamExplanation:
    return ParamExplanation(
        name=key or "value",
        key=key,
        wire=value if key is None else f"{key}_{value}",
        value=value,
        decoded=False,
        unit=None,
        allowed="unknown",
        doc="",
        given=True,
        server_default=None,
        known=False,
    )


def _explain_op(op: AnyOperation) -> OperationExplanation:
    if isinstance(op, RawOperation):
        params = []
        for token in op.params:
            key, sep, value = token.partition("_")
            params.append(_unknown_param(key, value) if sep else _unknown_param(None, token))
        params.extend(_unknown_param(None, "/" + section.to_wire(with_family=False)) for section in op.sections)
        known = lookup(op.family, op.action)
        return OperationExplanation(
            name=op.wire_name(),
            family=op.family,
            action=op.action,
            processing=None if known is None else known.processing,
            summary="" if op.reason is None else f"kept verbatim because OSS would refuse it: {op.reason}",
            doc_url="" if known is None else known.doc_url,
            params=tuple(params),
            known=False,
            problem=op.reason,
        )
    cls = type(op)
    return OperationExplanation(
        name=cls.wire_name().lstrip("/") if not cls.family else cls.wire_name(),
        family=cls.family,
        action=cls.action,
        processing=cls.processing,
        summary=_summary(cls.__doc__),
        doc_url=cls.doc_url,
        params=_explain_param_values(op),
    )


def _sys_stage(save: Optional[SaveAs], notify: Optional[Notify]) -> StageExplanation:
    ops: List[AnyOperation] = [x for x in (save, notify) if x is not None]
    parts = []
    if save is not None:
        parts.append("write the result as an object")
    if notify is not None:
        topic = f"SMQ topic {notify.topic!r}" if notify.topic else "the default notification (no topic given)"
        parts.append(f"send the task result to {topic}")
    wire = "sys/" + "/".join(op.to_wire(with_family=False) for op in ops)
    text = "; ".join(parts)
    return StageExplanation("sys", wire, text[:1].upper() + text[1:] + ".", tuple(_explain_op(op) for op in ops))


_Found = Tuple[Tuple[StageExplanation, ...], List[str], str, str]
_GET_OR_POST = "synchronous; a GET URL parameter, or POST with a save-as"


@functools.singledispatch
def _stages(value: Process) -> _Found:
    """``(stages, warnings, header, how to send)`` for a stage value; one function per stage type."""
    raise TypeError(f"not a process value: {value!r}")


def _chain(role: str, value: Process, ops: Tuple[AnyOperation, ...], what: str) -> _Found:
    """A stage of ``ops`` applied left to right (an image pipeline or a synchronous process)."""
    described = f"{len(ops)} {what}(s), applied left to right."
    stage = StageExplanation(role, value.to_wire(), described, tuple(_explain_op(op) for op in ops))
    return (stage,), [], SYNC_HEADER, _GET_OR_POST


@_stages.register(ImagePipeline)
def _pipeline_stages(value: ImagePipeline) -> _Found:
    return _chain("image pipeline", value, value.steps, "image action")


@_stages.register(Style)
def _style_stages(value: Style) -> _Found:
    stage = StageExplanation("style", value.to_wire(), f"The image style {value.name!r} stored on the bucket.", ())
    return (stage,), [], SYNC_HEADER, _GET_OR_POST


@_stages.register(SyncProcess)
def _process_stages(value: SyncProcess) -> _Found:
    return _chain("process", value, value.ops, f"{value.ops[0].family} operation")


@_stages.register(IfStatus404)
def _conditional_stages(value: IfStatus404) -> _Found:
    inner, warn, _, _ = _stages(value.process)
    stage = StageExplanation(
        "conditional",
        value.to_wire(),
        "Runs the process only when the object does not exist yet (HTTP 404), then serves the result.",
        inner[0].operations,
    )
    return (stage,), warn, SYNC_HEADER, "synchronous; a GET URL parameter (no save-as)"


@_stages.register(SyncJob)
def _sync_job_stages(value: SyncJob) -> _Found:
    inner, warn, _, _ = _stages(value.source)
    last: Optional[AnyOperation] = None
    if isinstance(value.source, ImagePipeline):
        last = value.source.steps[-1]
    elif isinstance(value.source, SyncProcess):
        last = value.source.ops[-1]
    _key_warning(last, value.save, warn)
    return (
        (*inner, _sys_stage(value.save, None)),
        warn,
        SYNC_HEADER,
        "synchronous, saved as an object (POST ?x-oss-process, ProcessObject)",
    )


@_stages.register(AsyncOperation)
def _async_operation_stages(value: AsyncOperation) -> _Found:
    stage = StageExplanation(
        "asynchronous operation", value.to_wire(), "Runs as a background task.", (_explain_op(value.op),)
    )
    warn = ["an asynchronous operation needs |sys/saveas,o_… before it can be sent"]
    return (stage,), warn, ASYNC_HEADER, "incomplete asynchronous job (add a save-as)"


@_stages.register(NotifyOperation)
def _notify_operation_stages(value: NotifyOperation) -> _Found:
    stage = StageExplanation(
        "asynchronous operation",
        value.to_wire(),
        "Runs as a background task; the result arrives only in the notification.",
        (_explain_op(value.op),),
    )
    warn = ["this operation delivers its result by notification: add |sys/notify,topic_…"]
    return (stage,), warn, ASYNC_HEADER, "incomplete asynchronous job (add a notify)"


@_stages.register(AsyncJob)
def _async_job_stages(value: AsyncJob) -> _Found:
    warn: List[str] = []
    if isinstance(value.op, Style):
        # A style run asynchronously (styles page: https://help.aliyun.com/en/oss/user-guide/styles).
        described = f"The style {value.op.name!r} stored on the bucket, run as a background task."
        main = StageExplanation("style", value.op.to_wire(), described, ())
    else:
        main = StageExplanation(
            "asynchronous operation", value.op.to_wire(), "Runs as a background task.", (_explain_op(value.op),)
        )
        _key_warning(value.op, value.save, warn)
    return (
        (main, _sys_stage(value.save, value.notification)),
        warn,
        ASYNC_HEADER,
        "asynchronous job (POST ?x-oss-async-process, AsyncProcessObject)",
    )


def _key_warning(op: Optional[AnyOperation], save: Optional[SaveAs], out: List[str]) -> None:
    if op is not None and save is not None:
        message = op.save_key_warning(save.key)
        if message is not None:
            out.append(message)


def _unknown_warnings(stages: Tuple[StageExplanation, ...]) -> List[str]:
    out = []
    for stage in stages:
        for op in stage.operations:
            if op.problem is not None:
                out.append(f"{op.name} is kept verbatim: OSS would refuse it ({op.problem})")
            elif not op.known:
                out.append(f"{op.name} is unknown to procdsl: it is kept verbatim and not checked")
            for p in op.params:
                if op.known and not p.known:
                    out.append(f"{op.name}: parameter {p.key!r} is unknown to procdsl: kept verbatim, not checked")
    return out


# -- public API -------------------------------------------------------------------------------


def parse_leniently(text: str) -> Tuple[Process, Optional[ProcessError]]:
    """Parse strictly, or, when that fails, with ``strict=False``.

    Returns the value and the strict error (``None`` when strict parsing worked).
    Raises the strict error when lenient parsing fails too. ``SaveAsKeyWarning``
    is not emitted here: ``explain`` reports it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaveAsKeyWarning)
        try:
            return parse(text), None
        except ProcessError as strict_error:
            try:
                return parse(text, strict=False), strict_error
            except ProcessError:
                raise strict_error from None


def explain(value: Union[str, Process], *, strict: bool = True) -> Explanation:
    """Explain a process string or stage value.

    With ``strict=False``, a string that strict parsing refuses is parsed
    leniently and the explanation says so (``lenient``, ``strict_error``).
    """
    strict_error: Optional[ProcessError] = None
    diagnostics: Tuple[Diagnostic, ...] = ()
    if isinstance(value, str):
        source = _shown(value)
        if strict:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SaveAsKeyWarning)
                parsed = parse(value)
        else:
            diagnostics = tuple(check(value, strict=False))
            try:
                parsed, strict_error = parse_leniently(value)
            except ProcessError as exc:
                return _unreadable(source, exc, diagnostics)
    else:
        parsed = value
        source = value.to_wire()
    stages, warn, header, sending = _stages(parsed)
    warn.extend(_unknown_warnings(stages))
    warn.extend(context_warnings(parsed))
    return Explanation(
        source=source,
        canonical=canonical(parsed).to_wire(),
        kind=type(parsed).__name__,
        header=header,
        sending=sending,
        stages=stages,
        warnings=tuple(warn),
        lenient=strict_error is not None,
        strict_error=None if strict_error is None else str(strict_error),
        diagnostics=diagnostics,
    )


def _shown(text: str) -> str:
    """What an explanation shows of its input: for a URL only its process, since a presigned
    URL also carries a signature and perhaps an STS token, which must not be echoed."""
    if not text.startswith(("https://", "http://")):
        return text
    try:
        return prepare(text)[0]
    except ProcessError:
        return text.partition("?")[0]


def _unreadable(source: str, error: ProcessError, diagnostics: Tuple[Diagnostic, ...]) -> Explanation:
    """What can be said of a string that does not parse even leniently: its parts, and its problems.

    The part before the first ``|`` is explained when it reads by itself; each later stage
    is shown as written, segment by segment.
    """
    return Explanation(
        source=source,
        canonical=source,
        kind="invalid",
        header="",
        sending="not valid: OSS would refuse it (see the errors)",
        stages=_parts(source),
        warnings=(),
        lenient=True,
        strict_error=str(error),
        diagnostics=diagnostics or (Diagnostic("error", error.message, error.position),),
    )


def _parts(source: str) -> Tuple[StageExplanation, ...]:
    from ._grammar import tokenize

    head, _, tail = source.partition("|")
    stages: List[StageExplanation] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SaveAsKeyWarning)
            stages.extend(_stages(parse(head, strict=False))[0])
    except ProcessError:
        tail = source
    if tail:
        try:
            parsed = tokenize(tail, skip_empty=True)
        except ProcessError:
            return tuple(stages)
        for stage in parsed:
            family = "sys" if stage.family is None else stage.family.text
            ops = tuple(
                _as_written(family, segment.name.text, [t.text for t in segment.params]) for segment in stage.segments
            )
            wire = tail[stage.position :].split("|", 1)[0]
            stages.append(StageExplanation(family, wire, "Not valid as written: see the errors.", ops))
    return tuple(stages)


def _as_written(family: str, action: str, tokens: List[str]) -> OperationExplanation:
    """An operation shown token by token, without judging it (the errors say what is wrong)."""
    params = []
    for token in tokens:
        key, sep, value = token.partition("_")
        params.append(_unknown_param(key, value) if sep else _unknown_param(None, token))
    sys_classes: Dict[str, Type[Operation]] = {"saveas": SaveAs, "notify": Notify}
    known = sys_classes.get(action) if family == "sys" else lookup(family, action)
    return OperationExplanation(
        name=f"{family}/{action}",
        family=family,
        action=action,
        processing=None,
        summary="",
        doc_url="" if known is None else known.doc_url,
        params=tuple(params),
        known=False,
        problem="not valid as written",
    )


def canonical(value: Union[Process, str]) -> Process:
    """The same value with every operation's parameters in declared order (``value.canonical()``).

    ``str(canonical(parse(s)))`` is the canonical spelling of ``s``: declared
    parameter order, unpadded URL-safe base64, ``sys/notify`` for ``|notify``.
    A string is parsed first (strictly), like ``check`` and ``explain`` take one.
    """
    if isinstance(value, str):
        value = parse(value)
    return value.canonical()
