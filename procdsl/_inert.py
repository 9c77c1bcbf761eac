"""Parameters that are valid but do nothing in context ("only takes effect when ...").

The OSS pages say of several parameters that they only take effect in some
context: resize ``color`` with ``m_pad``, watermark ``padx``/``pady`` with
``fill_1``, text keys on text watermarks. OSS does not refuse them, so procdsl
accepts them too (one rule everywhere) and ``explain``/``check`` warn that the
parameter has no effect. An operation lists these cases in ``inert``.
"""

from __future__ import annotations

from typing import Any, Callable, List, Mapping, Tuple

__all__ = ["Inert", "inert_warnings", "unless"]


class Inert:
    """``name`` has no effect when ``idle(values)`` holds; ``when`` says when it does."""

    __slots__ = ("idle", "name", "when")

    def __init__(self, name: str, when: str, idle: Callable[[Mapping[str, Any]], bool]) -> None:
        self.name, self.when, self.idle = name, when, idle

    def __repr__(self) -> str:
        return f"Inert({self.name!r}, {self.when!r})"


def unless(name: str, other: str, *values: Any, when: str = "") -> Inert:
    """``name`` only takes effect when ``other`` is set (to one of ``values``, if given)."""
    if values:
        text = when or f"{other} is " + " or ".join(str(v) for v in values)
        return Inert(name, text, lambda v: v.get(other) not in values)
    return Inert(name, when or f"{other} is given", lambda v: v.get(other) is None)


def inert_warnings(op: Any) -> List[Tuple[str, str]]:
    """``(parameter name, message)`` for each parameter of ``op`` that has no effect."""
    rules: Tuple[Inert, ...] = getattr(type(op), "inert", ())
    if not rules:
        return []
    values = {name: getattr(op, name) for name in getattr(op, "_order", ())}
    out = []
    for rule in rules:
        if values.get(rule.name) is not None and rule.idle(values):
            p = type(op).param(rule.name)
            label = p.key or p.name
            out.append(
                (rule.name, f"{op.wire_name()}: {label} has no effect here: it only takes effect when {rule.when}")
            )
    return out
