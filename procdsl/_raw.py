"""Operations procdsl does not know, kept verbatim by lenient parsing."""

from __future__ import annotations

import re
from typing import ClassVar, Optional, Tuple

from ._values import frozen

__all__ = ["RawOperation"]

_PARAM = re.compile(r"[^,/|%@\s]+")


@frozen
class RawOperation:
    """An unknown ``family/action`` and its parameters, exactly as written.

    ``parse(s, strict=False)`` produces these so that strings using operations
    newer than this library still parse and write back unchanged.
    """

    __slots__ = ("action", "family", "params")
    processing: ClassVar[Optional[str]] = None
    result_via_notify: ClassVar[bool] = False

    family: str
    action: str
    params: Tuple[str, ...]

    def __init__(self, family: str, action: str, params: Tuple[str, ...] = ()) -> None:
        from ._grammar import is_name
        from .errors import ProcessValueError

        if not (isinstance(family, str) and is_name(family) and isinstance(action, str) and is_name(action)):
            raise ProcessValueError(f"not an operation name: {family!r}/{action!r}", param="family/action")
        if not isinstance(params, (tuple, list)):
            raise ProcessValueError(f"{family}/{action}: params must be a tuple of strings", param="params")
        for piece in params:
            if not isinstance(piece, str) or not _PARAM.fullmatch(piece) or not piece.isascii():
                raise ProcessValueError(
                    f"{family}/{action}: a raw parameter must be ASCII, without , / | % @ or spaces; got {piece!r}",
                    param="params",
                    value=piece,
                )
        object.__setattr__(self, "family", family)
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "params", tuple(params))

    def __repr__(self) -> str:
        return f"RawOperation({self.family!r}, {self.action!r}, {self.params!r})"

    def wire_name(self) -> str:
        return f"{self.family}/{self.action}"

    def to_wire(self, *, with_family: bool = True) -> str:
        head = self.wire_name() if with_family else self.action
        return ",".join((head, *self.params))

    def __str__(self) -> str:
        return self.to_wire()

    def save_key_warning(self, key: str) -> Optional[str]:
        return None
