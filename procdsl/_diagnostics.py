"""``check``: every problem in a process string at once, each with its column and a fix.

``parse`` stops at the first problem; ``check`` walks the whole string against the
catalogue and reports each one, compiler style, with "did you mean" suggestions drawn
from the catalogue: wire keys, procdsl's own parameter names (``opacity_80`` is ``t``),
enum values (``webpp``), action names, a missing ``sys/``, a repeated family prefix, a
bare value that needs its key (``mfit`` on resize is ``m_mfit``). Base64 values are
shown decoded. Structural problems that only whole-string parsing sees (what may follow
what, the header) are added from a strict ``parse`` once the parts are sound; warnings
(parameters without effect, a notify without topic, a multi-object save-as key without
``{index}``) come from ``explain``.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Dict, List, NamedTuple, Optional, Sequence, Tuple, Type

from ._codecs import Choice, Codec, CodecError, decoded_note, shown
from ._declare import Operation, all_operations, is_family, known_families, lookup
from ._grammar import Segment, Stage, Token, is_key, tokenize
from ._inert import inert_warnings
from ._operations.sys import Notify, SaveAs
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

if TYPE_CHECKING:
    from ._parser import Context

__all__ = ["Diagnostic", "check", "context_warnings", "operations_of", "prepared_source", "process_warnings", "render"]


class Diagnostic(NamedTuple):
    """One problem: where it is, what is wrong, and how to fix it."""

    #: ``"error"`` (OSS or procdsl refuses the string) or ``"warning"`` (accepted, but probably not meant).
    severity: str
    #: What is wrong, in words.
    message: str
    #: 0-based offset into the process string (after a URL, prefix or percent-encoding is removed).
    position: Optional[int]
    #: How many characters the problem spans (the caret's width).
    length: int = 1
    #: The fix, when the catalogue suggests one ("did you mean m_mfit?").
    hint: Optional[str] = None
    #: A short stable name of the kind of problem (``unknown-key``, ``bad-value``, ...).
    code: str = "error"

    def as_dict(self) -> Dict[str, Any]:
        return dict(self._asdict())


def render(source: str, diagnostic: Diagnostic, where: str = "<string>") -> str:
    """``where:column: error: message``, the source, a caret line and the hint."""
    column = "" if diagnostic.position is None else f":{diagnostic.position + 1}"
    lines = [f"{where}{column}: {diagnostic.severity}: {diagnostic.message}"]
    if diagnostic.position is not None:
        lines.append(f"  {source}")
        lines.append("  " + " " * diagnostic.position + "^" + "~" * max(0, diagnostic.length - 1))
    if diagnostic.hint:
        lines.append(f"  hint: {diagnostic.hint}")
    return "\n".join(lines)


def check(text: str, *, context: Optional[Context] = None, strict: bool = True) -> List[Diagnostic]:
    """Every problem in ``text`` (errors in string order, then warnings); empty when it is fine.

    ``context`` is ``"sync"`` or ``"async"`` as for ``parse``. With ``strict=False`` an
    unknown operation or parameter is a warning (kept verbatim by lenient parsing), not an
    error. Positions are offsets into the process string itself (a URL or ``x-oss-…=``
    prefix and percent-encoding removed: see ``prepared_source``).
    """
    from ._parser import prepare

    try:
        source, ctx = prepare(text, context)
    except ProcessError as exc:
        return [_from_error(exc)]
    return _Checker(source, strict).run(ctx)


def prepared_source(text: str) -> str:
    """The string ``check`` positions refer to (for rendering); ``text`` when it cannot be read."""
    from ._parser import prepare

    try:
        return prepare(text)[0]
    except ProcessError:
        return text


def _from_error(exc: ProcessError, code: str = "syntax") -> Diagnostic:
    return Diagnostic("error", exc.message, exc.position, 1, None, code)


def _close(word: str, options: Sequence[str], n: int = 1) -> List[str]:
    import difflib  # only here: check is not on the import path of procdsl

    return difflib.get_close_matches(word, list(options), n=n, cutoff=0.6)


#: What lenient parsing accepts: a warning there, an error in strict checking.
_LENIENT = {
    "unknown-key": "; kept verbatim and not checked",
    "unknown-action": "; kept verbatim and not checked",
    "unknown-family": "; kept verbatim and not checked",
    "duplicate": "; lenient parsing uses the last one",
    # An SDK test sends a trailing ',' to a live bucket and gets 200 (see _grammar).
    "empty-parameter": "; lenient parsing keeps it (OSS was seen to accept a trailing ',')",
}


class _Checker:
    def __init__(self, source: str, strict: bool = True) -> None:
        self.source = source
        self.strict = strict
        self.out: List[Diagnostic] = []

    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.out)

    def add(
        self,
        message: str,
        position: Optional[int],
        length: int = 1,
        hint: Optional[str] = None,
        code: str = "error",
        severity: str = "error",
    ) -> None:
        if not self.strict and code in _LENIENT:
            severity, message = "warning", message + _LENIENT[code]
        self.out.append(Diagnostic(severity, message, position, max(1, length), hint, code))

    def run(self, context: Optional[Context]) -> List[Diagnostic]:
        text = self.source
        offset = 0
        if text.startswith(_IF_404):
            if not text.endswith("}"):
                self.add("if_status_eq_404{ is not closed with '}'", len(text), code="syntax")
                return self.out
            offset = len(_IF_404)
            text = text[offset:-1]
            if text.startswith(_IF_404):
                self.add("if_status_eq_404{…} cannot be nested", offset, len(_IF_404), code="stage")
                return self.out
        self._empty_parameters(text, offset)
        try:
            stages = tokenize(text, skip_empty=True)
        except ProcessError as exc:
            position = None if exc.position is None else exc.position + offset
            self.add(exc.message, position, code="syntax")
            return self.out
        stages = tuple(_shift(stage, offset) for stage in stages) if offset else stages
        self._main(stages[0])
        for extra in stages[2:]:
            self.add(
                "at most one '|sys/…' stage may follow the operation",
                extra.position - 1,
                hint="put saveas and notify in one stage: |sys/saveas,…/notify,…",
                code="stage",
            )
        if len(stages) > 1:
            self._sys(stages[1])
        if not any(d.severity == "error" for d in self.out):
            self._whole(context)
        errors = [d for d in self.out if d.severity == "error"]
        notes = [d for d in self.out if d.severity != "error"]
        return sorted(errors, key=_order) + sorted(notes, key=_order)

    # -- pieces -------------------------------------------------------------------------------
    def _empty_parameters(self, text: str, offset: int) -> None:
        for i, char in enumerate(text):
            if char == "," and (i + 1 == len(text) or text[i + 1] in ",/|"):
                self.add(
                    "empty parameter (two ',' in a row, or ',' at an end)",
                    i + offset,
                    hint="remove the extra ','",
                    code="empty-parameter",
                )

    def _main(self, stage: Stage) -> None:
        family = stage.family
        if family is None:
            name = stage.segments[0].name.text
            owners = sorted(f for f in known_families() if lookup(f, name) is not None and f != "sys")
            hint = f"write {owners[0]}/{name}" if owners else None
            self.add(
                "missing family: a process starts with image/, video/, audio/, doc/, hls/, pointcloud/ or style/",
                stage.position,
                len(name),
                hint,
                code="missing-family",
            )
            return
        if family.text == "sys":
            self.add("a process cannot start with sys/; save-as and notify follow '|'", family.position, 3)
            return
        if family.text == "style":
            return  # the name is checked by whole-string parsing
        if not is_family(family.text):
            options = sorted((known_families() - {"sys"}) | {"style"})
            close = _close(family.text, options)
            self.add(
                f"unknown family {family.text!r}",
                family.position,
                len(family.text),
                f"did you mean {close[0]}/?" if close else "known: " + ", ".join(options),
                code="unknown-family",
            )
            return
        self._segments(family.text, stage.segments)

    def _segments(self, family: str, segments: Sequence[Segment]) -> None:
        i = 0
        while i < len(segments):
            segment = segments[i]
            name = segment.name
            i += 1
            if name.text == family or (is_family(name.text) and lookup(family, name.text) is None):
                self.add(
                    f"{name.text}/ is written again inside the {family}/ chain",
                    name.position,
                    len(name.text) + 1,
                    f"write the family once: {family}/a,…/b,… (remove this {name.text}/)",
                    code="repeated-family",
                )
                continue
            cls = lookup(family, name.text)
            if cls is None:
                self._unknown_action(family, name)
                continue
            subs = []
            while cls.subsections and i < len(segments) and segments[i].name.text in cls.subsections:
                subs.append(segments[i])
                i += 1
            self._operation(cls, segment, subs)

    def _unknown_action(self, family: str, name: Token) -> None:
        actions = sorted(c.action for c in all_operations() if c.family == family)
        close = _close(name.text, actions)
        elsewhere = sorted(c.family for c in all_operations() if c.action == name.text and c.family not in ("sys",))
        if close:
            hint: Optional[str] = f"did you mean {family}/{close[0]}?"
        elif elsewhere:
            hint = f"{name.text} is a {elsewhere[0]}/ action"
        elif name.text in ("saveas", "notify"):
            hint = f"save-as and notify follow '|': |sys/{name.text},…"
        else:
            hint = None
        self.add(f"unknown operation {family}/{name.text}", name.position, len(name.text), hint, "unknown-action")

    def _operation(self, cls: Type[Operation], segment: Segment, subs: Sequence[Segment]) -> None:
        head = getattr(cls, "head", cls)
        before = self.errors()
        self._tokens(head, segment)
        for sub in subs:
            section = _section_class(cls, sub.name.text)
            if section is not None:
                self._tokens(section, sub)
        if self.errors() > before:
            return  # parameter errors first: rules and required keys are judged on sound values
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SaveAsKeyWarning)
                op = cls.from_segments(segment.params, subs, strict=self.strict, source=self.source)
        except ProcessError as exc:
            self.add(exc.message, segment.name.position, len(segment.name.text), code="rule")
            return
        for name, message in inert_warnings(op):
            token = _token_of(cls, name, segment, subs)
            position = token.position if token is not None else segment.name.position
            length = len(token.text) if token is not None else len(segment.name.text)
            self.add(message, position, length, f"remove it, or set what it needs ({name})", "no-effect", "warning")

    def _tokens(self, cls: Type[Operation], segment: Segment) -> None:
        """Each parameter of one segment: known key, valid value, not repeated, bare where allowed."""
        by_key = cls._by_key
        bare = list(cls._bare)
        keyed = bool(by_key) or not bare  # as the parser reads: an action with only a bare value splits nothing
        seen: Dict[str, int] = {}
        for token in segment.params:
            text = token.text
            key, sep, value = text.partition("_")
            if keyed and sep and key in by_key:
                p = by_key[key]
                if p.name in seen:
                    self.add(
                        f"{cls.wire_name()}: {p.label} is given twice, at columns {seen[p.name] + 1} and "
                        f"{token.position + 1}",
                        token.position,
                        len(text),
                        "keep one of them",
                        "duplicate",
                    )
                    continue
                seen[p.name] = token.position
                self._value(cls, p, value, token.position + len(key) + 1, len(value), key=key)
            elif keyed and sep and is_key(key):
                self._unknown_key(cls, token, key, value)
            elif keyed and sep:
                self.add(f"malformed parameter key {key!r}", token.position, len(key) or 1, code="syntax")
            elif bare:
                p = bare.pop(0)
                seen[p.name] = token.position
                self._value(cls, p, text, token.position, len(text))
            else:
                self._bare_value(cls, token)

    def _value(self, cls: Type[Operation], p: Any, value: str, position: int, length: int, key: str = "") -> None:
        try:
            p.codec.decode(value)
        except CodecError as exc:
            hint = None
            if isinstance(p.codec, Choice):
                close = _close(value, [str(v) for v in p.codec.values])
                if close:
                    hint = f"did you mean {key + '_' if key else ''}{close[0]}?"
            note = decoded_note(p.codec, value)
            self.add(
                f"{cls.wire_name()}: {p.label} {exc}; got {shown(value)}{note}",
                position,
                length,
                hint,
                "bad-value",
            )

    def _bare_value(self, cls: Type[Operation], token: Token) -> None:
        """A value without its key: find the parameter that takes it."""
        text = token.text
        owners = [p for p in cls.__params__ if p.key is not None and _accepts(p.codec, text)]
        choice_owners = [p for p in owners if isinstance(p.codec, Choice)]
        best = (choice_owners or owners)[:1]
        hint = f"did you mean {best[0].key}_{text}?" if best else None
        if not best and text in cls._by_key:
            hint = f"{text} is a key: write {text}_<value>"
        self.add(
            f"{cls.wire_name()}: a bare value {text!r} where a key_value parameter was expected",
            token.position,
            len(text),
            hint,
            "missing-key",
        )

    def _unknown_key(self, cls: Type[Operation], token: Token, key: str, value: str) -> None:
        by_key = cls._by_key
        hint: Optional[str] = None
        named = cls._by_name.get(key) or next(
            (p for p in cls.__params__ if p.name.startswith(key) and len(key) >= 3), None
        )
        if named is not None and named.key is not None:
            hint = f"procdsl calls {named.key} {named.name!r}: write {named.key}_{value}"
        else:
            close = _close(key, list(by_key)) or [k for k in by_key if k.lower() == key.lower()]
            owners = sorted(
                c.wire_name() for c in all_operations() if c.family == cls.family and key in c._by_key and c is not cls
            )
            if close:
                hint = f"did you mean {close[0]}_{value}?"
            elif owners:
                hint = f"{key} is a parameter of {', '.join(owners[:3])}"
        known = ", ".join(sorted(by_key)) or "none"
        self.add(
            f"{cls.wire_name()}: unknown parameter {key!r} (known: {known})",
            token.position,
            len(key),
            hint,
            "unknown-key",
        )

    def _sys(self, stage: Stage) -> None:
        family = stage.family
        first = stage.segments[0].name
        if family is None:
            if first.text == "saveas":
                self.add(
                    "saveas is a sys/ action: write |sys/saveas,…",
                    first.position,
                    len(first.text),
                    "insert sys/ after '|'",
                    "missing-sys",
                )
            elif first.text != "notify":
                self.add("only a sys/ stage (saveas, notify) may follow '|'", stage.position, code="stage")
                return
        elif family.text != "sys":
            self.add(
                "only a sys/ stage (saveas, notify) may follow '|'",
                family.position,
                len(family.text),
                "write |sys/saveas,o_…",
                "stage",
            )
            return
        for segment in stage.segments:
            name = segment.name.text
            if name == "saveas":
                self._operation(SaveAs, segment, ())
            elif name == "notify":
                self._operation(Notify, segment, ())
            else:
                close = _close(name, ["saveas", "notify"])
                self.add(
                    f"unknown sys action {name!r} (known: saveas, notify)",
                    segment.name.position,
                    len(name),
                    f"did you mean sys/{close[0]}?" if close else None,
                    "unknown-action",
                )

    def _whole(self, context: Optional[Context]) -> None:
        """What only the whole string shows: stages that cannot follow each other, and warnings."""
        from ._parser import parse

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SaveAsKeyWarning)
                value = parse(self.source, context=context, strict=self.strict)
        except ProcessError as exc:
            self.add(exc.message, exc.position, code="stage")
            return
        flagged = {d.message for d in self.out}
        for message in process_warnings(value):
            if message not in flagged:
                self.add(message, None, code="warning", severity="warning")


_IF_404 = "if_status_eq_404{"


def operations_of(value: Process) -> List[AnyOperation]:
    """Every operation in ``value``, in written order (sys ones last)."""
    if isinstance(value, ImagePipeline):
        return list(value.steps)
    if isinstance(value, SyncProcess):
        return list(value.ops)
    if isinstance(value, IfStatus404):
        return list(value.process.ops)
    if isinstance(value, SyncJob):
        return [*operations_of(value.source), value.save]
    if isinstance(value, (AsyncOperation, NotifyOperation)):
        return [value.op]
    if isinstance(value, AsyncJob):
        ops: List[AnyOperation] = [] if isinstance(value.op, Style) else [value.op]
        return [*ops, *(x for x in (value.save, value.notification) if x is not None)]
    return []


def context_warnings(value: Process) -> List[str]:
    """Parameters that have no effect where they stand, and a notify that sends nothing."""
    out: List[str] = []
    for op in operations_of(value):
        if isinstance(op, Operation):
            out.extend(message for _name, message in inert_warnings(op))
            if isinstance(op, Notify) and op.topic is None:
                # The message-notification page makes topic required: without one no message is sent.
                out.append("sys/notify has no topic: OSS accepts the job, but no message will be sent")
    return out


def process_warnings(value: Process) -> List[str]:
    """What ``check`` warns about a valid value: no-effect parameters, a notify without topic,
    a multi-object save-as key without ``{index}``, a job that is not complete yet."""
    out = context_warnings(value)
    if isinstance(value, AsyncOperation):
        out.append("an asynchronous operation needs |sys/saveas,o_… before it can be sent")
    elif isinstance(value, NotifyOperation):
        out.append("this operation delivers its result by notification: add |sys/notify,topic_…")
    save = value.save if isinstance(value, (SyncJob, AsyncJob)) else None
    ops = [op for op in operations_of(value) if not isinstance(op, (SaveAs, Notify))]
    if save is not None and ops and not isinstance(ops[-1], RawOperation):
        message = ops[-1].save_key_warning(save.key)
        if message is not None:
            out.append(message)
    return out


def _order(d: Diagnostic) -> Tuple[int, int]:
    return (-1 if d.position is None else d.position, 0)


def _shift(stage: Stage, offset: int) -> Stage:
    def token(t: Token) -> Token:
        return Token(t.text, t.position + offset)

    family = None if stage.family is None else token(stage.family)
    segments = tuple(Segment(token(s.name), tuple(token(p) for p in s.params)) for s in stage.segments)
    return Stage(family, segments, stage.position + offset)


def _accepts(codec: Codec[Any], text: str) -> bool:
    try:
        codec.decode(text)
    except CodecError:
        return False
    return True


def _section_class(cls: Type[Operation], name: str) -> Optional[Type[Operation]]:
    for p in cls.__params__:
        types = getattr(p.codec, "types", None)
        if isinstance(types, dict) and name in types:
            found: Type[Operation] = types[name]
            return found
    return None


def _token_of(cls: Type[Operation], name: str, segment: Segment, subs: Sequence[Segment]) -> Optional[Token]:
    p = cls.param(name)
    if p.key is None:
        types = getattr(p.codec, "types", {})
        return next((sub.name for sub in subs if sub.name.text in types), None)
    for token in segment.params:
        if token.text.startswith(p.key + "_"):
            return token
    return None
