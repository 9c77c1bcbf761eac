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

import dataclasses
import json
import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from ._declare import Operation
from ._operations.sys import Notify, SaveAs
from ._parser import parse
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
from .errors import ProcessError, SaveAsKeyWarning

__all__ = [
    "Explanation",
    "OperationExplanation",
    "ParamExplanation",
    "StageExplanation",
    "canonical",
    "explain",
    "parse_leniently",
    "to_python",
]

SYNC_HEADER = "x-oss-process"
ASYNC_HEADER = "x-oss-async-process"


@dataclasses.dataclass(frozen=True)
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


@dataclasses.dataclass(frozen=True)
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


@dataclasses.dataclass(frozen=True)
class StageExplanation:
    """A part of the string separated by ``|``: the processing, or the ``sys`` stage."""

    role: str
    wire: str
    description: str
    operations: Tuple[OperationExplanation, ...]


@dataclasses.dataclass(frozen=True)
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

    def as_dict(self) -> Dict[str, Any]:
        """A JSON-able dict (``procdsl explain --json``)."""
        return dataclasses.asdict(self)

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
        lines.append("    unknown to procdsl: kept verbatim")
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
        return OperationExplanation(
            name=op.wire_name(),
            family=op.family,
            action=op.action,
            processing=None,
            summary="",
            doc_url="",
            params=tuple(params),
            known=False,
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


def _stages(value: Process) -> Tuple[Tuple[StageExplanation, ...], List[str], str, str]:
    """``(stages, warnings, header, how to send)`` for a stage value."""
    warn: List[str] = []
    if isinstance(value, ImagePipeline):
        stage = StageExplanation(
            "image pipeline",
            value.to_wire(),
            f"{len(value.steps)} image action(s), applied left to right.",
            tuple(_explain_op(op) for op in value.steps),
        )
        return (stage,), warn, SYNC_HEADER, "synchronous; a GET URL parameter, or POST with a save-as"
    if isinstance(value, Style):
        stage = StageExplanation("style", value.to_wire(), f"The image style {value.name!r} stored on the bucket.", ())
        return (stage,), warn, SYNC_HEADER, "synchronous; a GET URL parameter, or POST with a save-as"
    if isinstance(value, SyncProcess):
        stage = StageExplanation(
            "process",
            value.to_wire(),
            f"{len(value.ops)} {value.ops[0].family} operation(s), applied left to right.",
            tuple(_explain_op(op) for op in value.ops),
        )
        return (stage,), warn, SYNC_HEADER, "synchronous; a GET URL parameter, or POST with a save-as"
    if isinstance(value, IfStatus404):
        inner, warn, _, _ = _stages(value.process)
        stage = StageExplanation(
            "conditional",
            value.to_wire(),
            "Runs the process only when the object does not exist yet (HTTP 404), then serves the result.",
            inner[0].operations,
        )
        return (stage,), warn, SYNC_HEADER, "synchronous; a GET URL parameter (no save-as)"
    if isinstance(value, SyncJob):
        inner, warn, _, _ = _stages(value.source)
        last: Optional[AnyOperation] = value.source.steps[-1] if isinstance(value.source, ImagePipeline) else None
        if isinstance(value.source, SyncProcess):
            last = value.source.ops[-1]
        _key_warning(last, value.save, warn)
        return (
            (*inner, _sys_stage(value.save, None)),
            warn,
            SYNC_HEADER,
            "synchronous, saved as an object (POST ?x-oss-process, ProcessObject)",
        )
    if isinstance(value, AsyncOperation):
        stage = StageExplanation(
            "asynchronous operation", value.to_wire(), "Runs as a background task.", (_explain_op(value.op),)
        )
        warn.append("an asynchronous operation needs |sys/saveas,o_… before it can be sent")
        return (stage,), warn, ASYNC_HEADER, "incomplete asynchronous job (add a save-as)"
    if isinstance(value, NotifyOperation):
        stage = StageExplanation(
            "asynchronous operation",
            value.to_wire(),
            "Runs as a background task; the result arrives only in the notification.",
            (_explain_op(value.op),),
        )
        warn.append("this operation delivers its result by notification: add |sys/notify,topic_…")
        return (stage,), warn, ASYNC_HEADER, "incomplete asynchronous job (add a notify)"
    assert isinstance(value, AsyncJob)
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
            if not op.known:
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
    if isinstance(value, str):
        source = value
        if strict:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SaveAsKeyWarning)
                parsed = parse(value)
        else:
            parsed, strict_error = parse_leniently(value)
    else:
        parsed = value
        source = value.to_wire()
    stages, warn, header, sending = _stages(parsed)
    warn.extend(_unknown_warnings(stages))
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
    )


def canonical(value: Process) -> Process:
    """The same value with every operation's parameters in declared order (``value.canonical()``).

    ``str(canonical(parse(s)))`` is the canonical spelling of ``s``: declared
    parameter order, unpadded URL-safe base64, ``sys/notify`` for ``|notify``.
    """
    return value.canonical()


# -- Python code that rebuilds a value ----------------------------------------------------------


def to_python(value: Process, *, name: str = "process") -> str:
    """Python source that rebuilds ``value`` with procdsl, assigned to ``name``.

    Uses the fluent entry points (``Doc.convert(...).save_as(...)``) where the
    catalogue has one, and the operation classes otherwise; the result is
    checked by running it, and falls back to plain constructors if the fluent
    form would not rebuild an equal value.
    """
    for fluent in (True, False):
        code = _Code(fluent).program(value, name)
        if not fluent or _rebuilds(code, value, name):
            return code
    raise AssertionError("unreachable")  # pragma: no cover


def _rebuilds(code: str, value: Process, name: str) -> bool:
    namespace: Dict[str, Any] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SaveAsKeyWarning)
            exec(compile(code, "<procdsl python>", "exec"), namespace)
    except Exception:
        return False
    return bool(namespace.get(name) == value)


def _fluent_entries() -> Dict[Tuple[type, str], Tuple[str, str]]:
    """``(operation class, stage) -> (builder, method)`` for the fluent entry points.

    ``stage`` is ``image`` for pipeline steps, or the stage a factory returns
    (``async``, ``sync``, ``notify``), read from the factory helper that made it.
    """
    from . import _builders as builders
    from . import _image_steps

    found: Dict[Tuple[type, str], Tuple[str, str]] = {}
    for attr, item in vars(_image_steps.ImageSteps).items():
        if isinstance(item, _image_steps.step) and isinstance(item.op, type):
            found[(item.op, "image")] = ("Image", attr)
    from ._introspect import Builder
    from ._stages import AsyncOperation, IfStatus404, NotifyOperation, SyncProcess

    stages = {AsyncOperation: "async", SyncProcess: "sync", NotifyOperation: "notify", IfStatus404: "if_missing"}
    owners: List[Tuple[str, Any]] = [(n, getattr(builders, n)) for n in builders.__all__ if n != "Image"]
    owners.append(("Image", type(builders.Image)))
    for owner_name, owner in owners:
        for attr, item in vars(owner).items():
            if isinstance(item, Builder) and isinstance(item.op, type) and item.returns in stages:
                found.setdefault((item.op, stages[item.returns]), (owner_name, attr))
    return found


class _Code:
    """Writes the source of one value; collects the imports it needs."""

    def __init__(self, fluent: bool) -> None:
        self.fluent = fluent
        self.entries = _fluent_entries() if fluent else {}
        self.imports: Dict[str, set[str]] = {}

    def need(self, module: str, name: str) -> str:
        self.imports.setdefault(module, set()).add(name)
        return name

    def program(self, value: Process, name: str) -> str:
        parts = self.stage(value)
        lines = []
        for module in sorted(self.imports, key=lambda m: (m != "procdsl", m)):
            lines.append(f"from {module} import {', '.join(sorted(self.imports[module]))}")
        lines.append("")
        if len(parts) == 1:
            lines.append(f"{name} = {parts[0]}")
        else:
            lines.append(f"{name} = (")
            lines.extend(f"    {part}" for part in parts)
            lines.append(")")
        return "\n".join(lines) + "\n"

    # stage values -> a chain of parts: ["Doc.convert(...)", ".save_as(...)"]
    def stage(self, value: Process) -> List[str]:
        if not self.fluent:
            return [self.plain(value)]
        if isinstance(value, ImagePipeline):
            first, *rest = value.steps
            entry = self.entry(first, "image")
            if entry:
                parts = [f"{self.need('procdsl', entry[0])}.{entry[1]}({self.args(first)})"]
            else:
                parts = [f"{self.need('procdsl', 'ImagePipeline')}(({self.op(first)},))"]
            for op in rest:
                entry = self.entry(op, "image")
                parts.append(f".{entry[1]}({self.args(op)})" if entry else f".then({self.op(op)})")
            return parts
        if isinstance(value, Style):
            return [f"{self.need('procdsl', 'Style')}({_str(value.name)})"]
        if isinstance(value, SyncProcess):
            head, *tail = value.ops
            entry = self.entry(head, "sync")
            if entry:
                parts = [f"{self.need('procdsl', entry[0])}.{entry[1]}({self.args(head)})"]
            else:
                parts = [f"{self.need('procdsl', 'SyncProcess')}(({self.op(head)},))"]
            parts.extend(f".then({self.op(op)})" for op in tail)
            return parts
        if isinstance(value, IfStatus404):
            ops = value.process.ops
            entry = self.entry(ops[0], "if_missing") if len(ops) == 1 else None
            if entry:
                return [f"{self.need('procdsl', entry[0])}.{entry[1]}({self.args(ops[0])})"]
            return [self.plain(value)]
        if isinstance(value, SyncJob):
            return [*self.stage(value.source), self.save(value.save)]
        if isinstance(value, AsyncOperation):
            return [self.lone(value.op, "async", "AsyncOperation")]
        if isinstance(value, NotifyOperation):
            return [self.lone(value.op, "notify", "NotifyOperation")]
        assert isinstance(value, AsyncJob)
        if value.save is None:
            parts = [self.lone(value.op, "notify", "NotifyOperation")]
        else:
            parts = [self.lone(value.op, "async", "AsyncOperation"), self.save(value.save)]
        if value.notification is not None:
            topic = value.notification.topic
            parts.append(".notify()" if topic is None else f".notify({_str(topic)})")
        return parts

    def lone(self, op: AnyOperation, stage: str, wrapper: str) -> str:
        entry = self.entry(op, stage)
        if entry:
            return f"{self.need('procdsl', entry[0])}.{entry[1]}({self.args(op)})"
        return f"{self.need('procdsl', wrapper)}({self.op(op)})"

    def plain(self, value: Process) -> str:
        """The constructor form: stage classes around operation classes."""
        kind = self.need("procdsl", type(value).__name__)
        if isinstance(value, (ImagePipeline, SyncProcess)):
            ops = value.steps if isinstance(value, ImagePipeline) else value.ops
            return f"{kind}(({''.join(self.op(op) + ', ' for op in ops).rstrip()}))"
        if isinstance(value, Style):
            return f"{kind}({_str(value.name)})"
        if isinstance(value, IfStatus404):
            return f"{kind}({self.plain(value.process)})"
        if isinstance(value, SyncJob):
            return f"{kind}({self.plain(value.source)}, {self.op(value.save)})"
        if isinstance(value, (AsyncOperation, NotifyOperation)):
            return f"{kind}({self.op(value.op)})"
        save = "None" if value.save is None else self.op(value.save)
        notify = "" if value.notification is None else f", {self.op(value.notification)}"
        return f"{kind}({self.op(value.op)}, {save}{notify})"

    def save(self, save: SaveAs) -> str:
        if save.bucket is None:
            return f".save_as({_str(save.key)})"
        return f".save_as({_str(save.bucket)}, {_str(save.key)})"

    def entry(self, op: AnyOperation, stage: str) -> Optional[Tuple[str, str]]:
        if isinstance(op, RawOperation) or op.extra:
            return None
        return self.entries.get((type(op), stage))

    # operations and values
    def op(self, op: AnyOperation) -> str:
        if isinstance(op, RawOperation):
            params = self.literal(op.params)
            return f"{self.need('procdsl', 'RawOperation')}({_str(op.family)}, {_str(op.action)}, {params})"
        cls = type(op)
        module = "procdsl" if cls in (SaveAs, Notify) else cls.__module__
        return f"{self.need(module, cls.__qualname__)}({self.args(op)})"

    def args(self, op: AnyOperation) -> str:
        """Declared order; leading positional parameters (``kw_only=False``) positionally."""
        assert isinstance(op, Operation)
        out: List[str] = []
        bare = [p for p in op.__params__ if not p.kw_only]
        leading = []
        for p in bare:
            if getattr(op, p.name) is None:
                break
            leading.append(p)
        out.extend(self.literal(getattr(op, p.name)) for p in leading)
        for p in op.__params__:
            value = getattr(op, p.name)
            if value is not None and p not in leading:
                out.append(f"{p.name}={self.literal(value)}")
        if op.extra:
            out.append(f"extra={self.literal(op.extra)}")
        return ", ".join(out)

    def literal(self, value: Any) -> str:
        if isinstance(value, (Operation, RawOperation)):
            return self.op(value)
        if isinstance(value, tuple):
            inner = ", ".join(self.literal(v) for v in value)
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        if isinstance(value, list):
            return "[" + ", ".join(self.literal(v) for v in value) + "]"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{self.literal(k)}: {self.literal(v)}" for k, v in value.items()) + "}"
        fields = getattr(type(value), "__fields__", None)
        if fields is not None and not isinstance(value, type):  # a procdsl._values.frozen value
            cls = type(value)
            shown = ", ".join(f"{name}={self.literal(getattr(value, name))}" for name in fields)
            return f"{self.need(cls.__module__, cls.__qualname__)}({shown})"
        if isinstance(value, str):
            return _str(value)
        return repr(value)


def _str(text: str) -> str:
    """A Python string literal, double-quoted like ruff-formatted code."""
    shown = repr(text)
    if shown.startswith("'") and '"' not in text:
        shown = '"' + shown[1:-1].replace("\\'", "'") + '"'
    return shown
