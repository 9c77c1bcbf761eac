"""Operations procdsl does not know, kept verbatim by lenient parsing."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, Optional, Tuple

from ._values import frozen

__all__ = ["RawOperation"]

# What the tokenizer can produce for a parameter: printable ASCII without separators, '%' or
# '@' (so no NUL, DEL or space). Empty parameters (a trailing ',') are kept as written.
_PARAM = re.compile(r"[!-$&-+\--.0-?A-{}~]*")
#: Families that are not operations: sys stages and stored styles have their own values.
_NOT_OPERATIONS = frozenset({"sys", "style"})


@frozen
class RawOperation:
    """An unknown ``family/action`` and its parameters, exactly as written.

    ``parse(s, strict=False)`` produces these so that strings using operations
    newer than this library still parse and write back unchanged, and for known
    operations whose values OSS would refuse: then ``reason`` says why (it is not
    part of equality). ``sections`` holds the ``/pre,…``-style segments such an
    operation owns, each itself a ``RawOperation`` of the same family.
    """

    __slots__ = ("action", "family", "params", "reason", "sections")
    processing: ClassVar[Optional[str]] = None
    result_via_notify: ClassVar[bool] = False

    family: str
    action: str
    params: Tuple[str, ...]
    sections: Tuple[RawOperation, ...]
    if TYPE_CHECKING:  # not a field: equality, hashing and repr ignore it
        reason: Optional[str]

    def __init__(
        self,
        family: str,
        action: str,
        params: Tuple[str, ...] = (),
        *,
        reason: Optional[str] = None,
        sections: Tuple[RawOperation, ...] = (),
    ) -> None:
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
        if not all(isinstance(s, RawOperation) and s.family == family and not s.sections for s in sections):
            raise ProcessValueError(f"{family}/{action}: sections must be RawOperation values of family {family}")
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "sections", tuple(sections))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RawOperation):
            return NotImplemented
        return self._key() == other._key()

    def _key(self) -> Tuple[Any, ...]:
        return (self.family, self.action, self.params, self.sections)

    def __hash__(self) -> int:
        return hash((RawOperation, *self._key()))

    def __repr__(self) -> str:
        sections = f", sections={self.sections!r}" if self.sections else ""
        return f"RawOperation({self.family!r}, {self.action!r}, {self.params!r}{sections})"

    def __reduce__(self) -> Any:
        return (_rebuild, (self.family, self.action, self.params, self.reason, self.sections))

    def canonical(self) -> RawOperation:
        """Itself: procdsl knows no order for an operation it keeps verbatim."""
        return self

    def wire_name(self) -> str:
        return f"{self.family}/{self.action}"

    def to_wire(self, *, with_family: bool = True) -> str:
        head = self.wire_name() if with_family else self.action
        return "/".join((",".join((head, *self.params)), *(s.to_wire(with_family=False) for s in self.sections)))

    def __str__(self) -> str:
        return self.to_wire()

    def save_key_warning(self, key: str) -> Optional[str]:
        return None


def _rebuild(
    family: str,
    action: str,
    params: Tuple[str, ...],
    reason: Optional[str],
    sections: Tuple[RawOperation, ...] = (),
) -> RawOperation:
    return RawOperation(family, action, params, reason=reason, sections=sections)
