"""Operations procdsl does not know, kept verbatim by lenient parsing."""

from __future__ import annotations

import re
from typing import Any, Optional, Tuple

__all__ = ["RawOperation"]

# What the tokenizer can produce for a parameter: printable ASCII without separators, '%' or
# '@' (so no NUL, DEL or space). Empty parameters (a trailing ',') are kept as written.
_PARAM = re.compile(r"[!-$&-+\--.0-?A-{}~]*")
#: Families that are not operations: sys stages and stored styles have their own values.
_NOT_OPERATIONS = frozenset({"sys", "style"})


class RawOperation:
    """An unknown ``family/action`` and its parameters, exactly as written.

    ``parse(s, strict=False)`` produces these so that strings using operations
    newer than this library still parse and write back unchanged, and for known
    operations whose values OSS would refuse: then ``reason`` says why (it is not
    part of equality).
    """

    __slots__ = ("action", "family", "params", "reason")
    processing: Optional[str] = None
    result_via_notify = False

    family: str
    action: str
    params: Tuple[str, ...]
    reason: Optional[str]

    def __init__(self, family: str, action: str, params: Tuple[str, ...] = (), *, reason: Optional[str] = None) -> None:
        from ._grammar import is_name
        from .errors import ProcessValueError

        if not (isinstance(family, str) and is_name(family) and isinstance(action, str) and is_name(action)):
            raise ProcessValueError(f"not an operation name: {family!r}/{action!r}", param="family/action")
        if family in _NOT_OPERATIONS:
            raise ProcessValueError(
                f"{family}/ is not an operation family (sys stages and styles have their own values)",
                param="family",
                value=family,
            )
        if not isinstance(params, (tuple, list)):
            raise ProcessValueError(f"{family}/{action}: params must be a tuple of strings", param="params")
        for piece in params:
            if not isinstance(piece, str) or not _PARAM.fullmatch(piece):
                raise ProcessValueError(
                    f"{family}/{action}: a raw parameter must be printable ASCII, without , / | % @ or spaces; "
                    f"got {piece!r}",
                    param="params",
                    value=piece,
                )
        object.__setattr__(self, "family", family)
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "params", tuple(str.__str__(p) for p in params))
        object.__setattr__(self, "reason", reason)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("RawOperation is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RawOperation):
            return NotImplemented
        return (self.family, self.action, self.params) == (other.family, other.action, other.params)

    def __hash__(self) -> int:
        return hash((RawOperation, self.family, self.action, self.params))

    def __repr__(self) -> str:
        return f"RawOperation({self.family!r}, {self.action!r}, {self.params!r})"

    def __reduce__(self) -> Any:
        return (_rebuild, (self.family, self.action, self.params, self.reason))

    def canonical(self) -> RawOperation:
        """Itself: procdsl knows no order for an operation it keeps verbatim."""
        return self

    def wire_name(self) -> str:
        return f"{self.family}/{self.action}"

    def to_wire(self, *, with_family: bool = True) -> str:
        head = self.wire_name() if with_family else self.action
        return ",".join((head, *self.params))

    def __str__(self) -> str:
        return self.to_wire()

    def save_key_warning(self, key: str) -> Optional[str]:
        return None


def _rebuild(family: str, action: str, params: Tuple[str, ...], reason: Optional[str]) -> RawOperation:
    return RawOperation(family, action, params, reason=reason)
