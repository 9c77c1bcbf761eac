"""``to_python``: Python source that rebuilds a process value with procdsl (``procdsl python``).

It prefers the fluent entry points (``Doc.convert(...).save_as(...)``), found by
``fluent_entries()`` from the builders themselves, and falls back to the stage and
operation constructors when the fluent form would not rebuild an equal value.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Dict, List, Optional, Tuple, Union

from ._declare import Operation
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
from .errors import SaveAsKeyWarning

__all__ = ["fluent_entries", "to_python"]


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


def fluent_entries() -> Dict[Tuple[type, str], Tuple[str, str]]:
    """``(operation class, stage) -> (builder, method)`` for the fluent entry points.

    ``stage`` is ``image`` for pipeline steps, or the stage a builder returns
    (``async``, ``sync``, ``notify``, ``if_missing``), read from ``Builder.returns``.
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
        self.entries = fluent_entries() if fluent else {}
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
        return self.fluent_stage(value)

    # One method per stage type, for the fluent form and for the constructor form.
    @functools.singledispatchmethod
    def fluent_stage(self, value: Process) -> List[str]:
        """The fluent form as a chain of parts: ``["Doc.convert(...)", ".save_as(...)"]``."""
        raise TypeError(f"not a process value: {value!r}")

    def chain(self, ops: Tuple[AnyOperation, ...], stage: str, kind: str, fluent_steps: bool) -> List[str]:
        """A builder call for the first operation, then ``.step(...)`` or ``.then(op)`` for the others."""
        first, *rest = ops
        entry = self.entry(first, stage)
        if entry:
            parts = [f"{self.need('procdsl', entry[0])}.{entry[1]}({self.args(first)})"]
        else:
            parts = [f"{self.need('procdsl', kind)}(({self.op(first)},))"]
        for op in rest:
            entry = self.entry(op, stage) if fluent_steps else None
            parts.append(f".{entry[1]}({self.args(op)})" if entry else f".then({self.op(op)})")
        return parts

    @fluent_stage.register(ImagePipeline)
    def _(self, value: ImagePipeline) -> List[str]:
        return self.chain(value.steps, "image", "ImagePipeline", fluent_steps=True)

    @fluent_stage.register(Style)
    def _(self, value: Style) -> List[str]:
        return [f"{self.need('procdsl', 'Style')}({_str(value.name)})"]

    @fluent_stage.register(SyncProcess)
    def _(self, value: SyncProcess) -> List[str]:
        return self.chain(value.ops, "sync", "SyncProcess", fluent_steps=False)

    @fluent_stage.register(IfStatus404)
    def _(self, value: IfStatus404) -> List[str]:
        ops = value.process.ops
        entry = self.entry(ops[0], "if_missing") if len(ops) == 1 else None
        if entry:
            return [f"{self.need('procdsl', entry[0])}.{entry[1]}({self.args(ops[0])})"]
        return [self.plain(value)]

    @fluent_stage.register(SyncJob)
    def _(self, value: SyncJob) -> List[str]:
        return [*self.stage(value.source), self.save(value.save)]

    @fluent_stage.register(AsyncOperation)
    def _(self, value: AsyncOperation) -> List[str]:
        return [self.lone(value.op, "async", "AsyncOperation")]

    @fluent_stage.register(NotifyOperation)
    def _(self, value: NotifyOperation) -> List[str]:
        return [self.lone(value.op, "notify", "NotifyOperation")]

    @fluent_stage.register(AsyncJob)
    def _(self, value: AsyncJob) -> List[str]:
        if isinstance(value.op, Style):  # Style(...).save_as(...).notify(...) or .asynchronous()
            assert value.save is not None
            parts = [*self.stage(value.op), self.save(value.save)]
            if value.notification is None:
                return [*parts, ".asynchronous()"]
            topic = value.notification.topic
            return [*parts, ".notify()" if topic is None else f".notify({_str(topic)})"]
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
        return f"{self.need('procdsl', type(value).__name__)}({self.plain_args(value)})"

    @functools.singledispatchmethod
    def plain_args(self, value: Process) -> str:
        raise TypeError(f"not a process value: {value!r}")

    @plain_args.register(ImagePipeline)
    def _(self, value: ImagePipeline) -> str:
        return self.op_tuple(value.steps)

    @plain_args.register(SyncProcess)
    def _(self, value: SyncProcess) -> str:
        return self.op_tuple(value.ops)

    @plain_args.register(Style)
    def _(self, value: Style) -> str:
        return _str(value.name)

    @plain_args.register(IfStatus404)
    def _(self, value: IfStatus404) -> str:
        return self.plain(value.process)

    @plain_args.register(SyncJob)
    def _(self, value: SyncJob) -> str:
        return f"{self.plain(value.source)}, {self.op(value.save)}"

    @plain_args.register(AsyncOperation)
    @plain_args.register(NotifyOperation)
    def _(self, value: Union[AsyncOperation, NotifyOperation]) -> str:
        return self.op(value.op)

    @plain_args.register(AsyncJob)
    def _(self, value: AsyncJob) -> str:
        save = "None" if value.save is None else self.op(value.save)
        notify = "" if value.notification is None else f", {self.op(value.notification)}"
        op = self.plain(value.op) if isinstance(value.op, Style) else self.op(value.op)
        return f"{op}, {save}{notify}"

    def op_tuple(self, ops: Tuple[AnyOperation, ...]) -> str:
        return f"({''.join(self.op(op) + ', ' for op in ops).rstrip()})"

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
