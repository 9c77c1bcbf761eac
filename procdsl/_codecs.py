"""Parameter value types: how one Python value becomes one wire value and back.

A codec validates a Python value (``check``), writes it (``encode``), reads it
(``decode``), and describes itself for errors, ``explain``, the docs reference
and the JSON spec. Codecs never know their parameter's name: the caller adds it
to any error (see ``spec.Param``).

Text that could hold a separator (object keys, bucket and topic names,
watermark text, fonts) is URL-safe base64 of UTF-8 without padding on output;
input may be padded and may use the standard alphabet (the .NET and PHP SDK
samples send ``+/`` and ``=``; the PHP one is on
https://help.aliyun.com/zh/oss/developer-reference/asynchronous-processing-using-oss-sdk-for-php-v2).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from typing import Any, Generic, TypeVar, get_args

__all__ = [
    "B64Text",
    "Choice",
    "Codec",
    "CodecError",
    "Flag",
    "Float",
    "HexColor",
    "Int",
    "Resolution",
    "b64decode",
    "b64encode",
    "decoded_note",
    "shown",
]

T = TypeVar("T")

_B64_CHARS = re.compile(r"[A-Za-z0-9_\-+/]*={0,2}")


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def b64encode(text: str) -> str:
    """URL-safe base64 of the UTF-8 bytes, without padding (the canonical form)."""
    return binascii.b2a_base64(text.encode("utf-8"), newline=False).rstrip(b"=").translate(_URLSAFE).decode("ascii")


def b64decode(value: str) -> str:
    """Decode URL-safe (or standard) base64, padded or not, into UTF-8 text.

    Raises ``CodecError`` when the value is not base64 or not UTF-8.
    """
    if not _B64_CHARS.fullmatch(value) or "=" in value.rstrip("="):
        raise CodecError("is not URL-safe base64")
    body = value.rstrip("=")
    if len(body) % 4 == 1:
        raise CodecError("is not URL-safe base64 (impossible length)")
    padded = body.replace("+", "-").replace("/", "_") + "=" * (-len(body) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded)
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - guarded above
        raise CodecError("is not URL-safe base64") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CodecError("does not decode to UTF-8 text") from exc


def shown(value: object, limit: int = 80) -> str:
    """``repr(value)`` for an error message, kept short (and safe for huge integers)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"<an integer of about {int(value.bit_length() * 0.30103)} digits>"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def decoded_note(codec: Codec[Any], value: str) -> str:
    """``" (decodes to '…')"`` for a base64 wire value that decodes, so an error shows the text."""
    if not codec.base64:
        return ""
    try:
        return f" (decodes to {shown(b64decode(value))})"
    except CodecError:
        return ""


class CodecError(Exception):
    """A value does not fit its codec; ``spec`` turns it into ``ProcessValueError``."""


class Codec(Generic[T]):
    """Base class: one parameter's value type."""

    #: The name of the type in the JSON spec (``int``, ``float``, ``enum``, ...).
    kind: str = "string"
    #: True when the wire value is base64 text (``explain`` shows it decoded).
    base64: bool = False

    def check(self, value: object) -> T:
        """Validate a Python value and return it in its stored form."""
        raise NotImplementedError

    def encode(self, value: T) -> str:
        raise NotImplementedError

    def decode(self, text: str) -> T:
        """Read a wire value; the result must already satisfy ``check`` (the parser trusts it)."""
        raise NotImplementedError

    def describe(self) -> str:
        """What is allowed, in words, for errors and docs."""
        raise NotImplementedError

    def inline_check(self, var: str, namespace: dict[str, Any], name: str) -> str | None:
        """A Python expression, true when ``check(var)`` would accept ``var`` and return it unchanged.

        Generated constructors (``procdsl._codegen``) test it first and call ``check``
        only when it is false, so the codec's errors stay the only ones. ``name`` is
        free in ``namespace`` for a constant the expression needs. ``None``: always call ``check``.
        """
        return None

    def inline_encode(self, var: str, namespace: dict[str, Any], name: str) -> str | None:
        """A Python expression equal to ``encode(var)`` for any checked value; ``None``: call ``encode``."""
        return None

    def spec(self) -> dict[str, Any]:
        """This codec as a JSON-able dict for ``procdsl spec``."""
        return {"type": self.kind, "allowed": self.describe()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()})"


# At most 18 digits: every documented value fits, and Python's int() limit is never reached.
_INT = re.compile(r"-?[0-9]{1,18}")
INT_LIMIT = 10**18


class Int(Codec[int]):
    """An integer in ``[lo, hi]`` (either bound may be ``None`` for open)."""

    kind = "int"

    def __init__(self, lo: int | None = None, hi: int | None = None, *, unit: str = "") -> None:
        self.lo, self.hi, self.unit = lo, hi, unit

    def check(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise CodecError(f"must be an integer ({self.describe()})")
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            raise CodecError(f"must be {self.describe()}")
        if not -INT_LIMIT < value < INT_LIMIT:  # what the parser reads back (18 digits)
            raise CodecError(f"must have at most 18 digits ({self.describe()})")
        return int.__index__(value)  # a plain int: an IntEnum member or int subclass writes its number

    def encode(self, value: int) -> str:
        return str(value)

    def inline_check(self, var: str, namespace: dict[str, Any], name: str) -> str | None:
        if type(self).check is not Int.check:  # a subclass that checks more
            return None
        lo = -INT_LIMIT + 1 if self.lo is None else max(self.lo, -INT_LIMIT + 1)
        hi = INT_LIMIT - 1 if self.hi is None else min(self.hi, INT_LIMIT - 1)
        return f"({var}.__class__ is int and {lo} <= {var} <= {hi})"

    def inline_encode(self, var: str, namespace: dict[str, Any], name: str) -> str | None:
        return f"str({var})" if type(self).encode is Int.encode else None

    def decode(self, text: str) -> int:
        if not _INT.fullmatch(text):
            raise CodecError(f"must be an integer ({self.describe()})")
        return self.check(int(text))

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.lo is not None and self.hi is not None:
            return f"an integer in [{self.lo}, {self.hi}]{unit}"
        if self.lo is not None:
            return f"an integer >= {self.lo}{unit}"
        if self.hi is not None:
            return f"an integer <= {self.hi}{unit}"
        return f"an integer{unit}"

    def spec(self) -> dict[str, Any]:
        return {"type": "int", "min": self.lo, "max": self.hi, "unit": self.unit or None}


_FLOAT = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,18})?")


class Float(Codec[float]):
    """A decimal number in a range, with at most ``PLACES`` decimals (29.97, 23.976).

    ``lo_open`` excludes the lower bound. Limiting the decimals keeps the wire
    form plain (never ``1e-05``) and makes every value round-trip exactly.
    """

    kind = "float"
    PLACES = 3

    def __init__(self, lo: float, hi: float, *, lo_open: bool = False, unit: str = "") -> None:
        self.lo, self.hi, self.lo_open, self.unit = lo, hi, lo_open, unit

    def check(self, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CodecError(f"must be a number ({self.describe()})")
        try:
            number = float(value)
        except OverflowError:
            raise CodecError(f"must be {self.describe()}") from None
        if not math.isfinite(number):
            raise CodecError(f"must be a finite number ({self.describe()})")
        too_low = number <= self.lo if self.lo_open else number < self.lo
        if too_low or number > self.hi:
            raise CodecError(f"must be {self.describe()}")
        if round(number, self.PLACES) != number:
            raise CodecError(f"must have at most {self.PLACES} decimal places")
        return number

    def encode(self, value: float) -> str:
        return str(int(value)) if value == int(value) else f"{value:.{self.PLACES}f}".rstrip("0")

    def decode(self, text: str) -> float:
        if not _FLOAT.fullmatch(text):
            raise CodecError(f"must be a decimal number ({self.describe()})")
        return self.check(float(text))

    def describe(self) -> str:
        bracket = "(" if self.lo_open else "["
        unit = f" {self.unit}" if self.unit else ""
        return f"a number in {bracket}{self.encode(self.lo)}, {self.encode(self.hi)}]{unit}"

    def spec(self) -> dict[str, Any]:
        return {
            "type": "float",
            "min": self.lo,
            "max": self.hi,
            "min_exclusive": self.lo_open,
            "unit": self.unit or None,
        }


class Choice(Codec[Any]):
    """One of a fixed set of values, given as a ``Literal[...]`` type or a sequence.

    Taking the ``Literal`` itself keeps the allowed values written once: the same
    alias types the Python argument and drives validation.
    """

    kind = "enum"

    def __init__(self, values: Any) -> None:
        args = get_args(values) if not isinstance(values, (list, tuple)) else tuple(values)
        if not args:
            raise TypeError("Choice needs a Literal type or a non-empty sequence")
        self.values: tuple[Any, ...] = tuple(args)
        self._by_text = {str(v): v for v in self.values}

    def check(self, value: object) -> Any:
        """The allowed value itself (the ``Literal`` member): an equal ``Enum`` member or
        ``str`` subclass is stored as the plain value it equals, so it writes that text;
        ``1.0`` is not ``1`` (it would write ``1.0``)."""
        if not isinstance(value, bool):
            for member in self.values:
                if value == member and isinstance(value, type(member)):
                    return member
        raise CodecError(f"must be {self.describe()}")

    def encode(self, value: Any) -> str:
        return str(value)

    def inline_check(self, var: str, namespace: dict[str, Any], name: str) -> str | None:
        if type(self).check is not Choice.check or not all(type(v) is str for v in self.values):
            return None
        namespace[name] = frozenset(self.values)
        return f"({var}.__class__ is str and {var} in {name})"

    def inline_encode(self, var: str, namespace: dict[str, Any], name: str) -> str | None:
        return f"str({var})" if type(self).encode is Choice.encode else None

    def decode(self, text: str) -> Any:
        if text not in self._by_text:
            raise CodecError(f"must be {self.describe()}")
        return self._by_text[text]

    def describe(self) -> str:
        return "one of " + ", ".join(str(v) for v in self.values)

    def spec(self) -> dict[str, Any]:
        return {"type": "enum", "values": list(self.values)}


class Flag(Codec[bool]):
    """A 0/1 switch, written ``1`` for ``True`` and ``0`` for ``False``."""

    kind = "flag"

    def check(self, value: object) -> bool:
        if not isinstance(value, bool):
            raise CodecError("must be True or False (written 1 or 0)")
        return value

    def encode(self, value: bool) -> str:
        return "1" if value else "0"

    def inline_check(self, var: str, namespace: dict[str, Any], name: str) -> str | None:
        return f"({var}.__class__ is bool)" if type(self).check is Flag.check else None

    def inline_encode(self, var: str, namespace: dict[str, Any], name: str) -> str | None:
        return f"('1' if {var} else '0')" if type(self).encode is Flag.encode else None

    def decode(self, text: str) -> bool:
        if text not in ("0", "1"):
            raise CodecError("must be 0 or 1")
        return text == "1"

    def describe(self) -> str:
        return "0 or 1"

    def spec(self) -> dict[str, Any]:
        return {"type": "flag", "values": [0, 1]}


class B64Text(Codec[str]):
    """Arbitrary text sent as URL-safe base64 of its UTF-8 bytes.

    ``max_bytes`` / ``max_chars`` bound the text before encoding; ``pattern``
    restricts it further (checked on the decoded text).
    """

    kind = "base64"
    base64 = True

    def __init__(
        self,
        *,
        max_bytes: int | None = None,
        max_chars: int | None = None,
        pattern: str | None = None,
        what: str = "text",
    ) -> None:
        self.max_bytes, self.max_chars = max_bytes, max_chars
        self.pattern = re.compile(pattern) if pattern else None
        self.what = what

    def check(self, value: object) -> str:
        if not isinstance(value, str):
            raise CodecError(f"must be a string ({self.describe()})")
        value = str.__str__(value)  # a plain str: a subclass's own __str__ never reaches the wire
        if not value:
            raise CodecError("must not be empty")
        try:
            size = len(value.encode("utf-8"))
        except UnicodeEncodeError:
            raise CodecError("must be text that UTF-8 can encode (no lone surrogates)") from None
        if self.max_bytes is not None and size > self.max_bytes:
            raise CodecError(f"must be at most {self.max_bytes} bytes of UTF-8")
        if self.max_chars is not None and len(value) > self.max_chars:
            raise CodecError(f"must be at most {self.max_chars} characters")
        if self.pattern is not None and not self.pattern.fullmatch(value):
            raise CodecError(f"must be {self.describe()}")
        return value

    def encode(self, value: str) -> str:
        return b64encode(value)

    def inline_encode(self, var: str, namespace: dict[str, Any], name: str) -> str | None:
        if type(self).encode is not B64Text.encode:
            return None
        namespace[name] = b64encode
        return f"{name}({var})"

    def decode(self, text: str) -> str:
        return self.check(b64decode(text))

    def describe(self) -> str:
        limits = []
        if self.max_bytes is not None:
            limits.append(f"at most {self.max_bytes} UTF-8 bytes")
        if self.max_chars is not None:
            limits.append(f"at most {self.max_chars} characters")
        suffix = f" ({', '.join(limits)})" if limits else ""
        return f"{self.what}, sent as URL-safe base64{suffix}"

    def spec(self) -> dict[str, Any]:
        return {
            "type": "base64",
            "encoding": "base64url-nopad",
            "content": self.what,
            "max_bytes": self.max_bytes,
            "max_chars": self.max_chars,
        }


_HEX = re.compile(r"[0-9A-Fa-f]{6}")
_HASH_HEX = re.compile(r"#?[0-9A-Fa-f]{6}")


class _Verbatim(Codec[str]):
    """A text value that is written as it is: reading it is checking it."""

    def encode(self, value: str) -> str:
        return value

    def decode(self, text: str) -> str:
        return self.check(text)


class HexColor(_Verbatim):
    """An ``RRGGBB`` colour; case is kept as written.

    Image pages write it without ``#``; with ``hash_prefix`` an optional leading ``#``
    is accepted too (the document watermark template writes ``color_#FFFFFF``).
    """

    kind = "color"

    def __init__(self, *, hash_prefix: bool = False) -> None:
        self.hash_prefix = hash_prefix
        self._pattern = _HASH_HEX if hash_prefix else _HEX

    def check(self, value: object) -> str:
        if not isinstance(value, str) or not self._pattern.fullmatch(value):
            raise CodecError(f"must be {self.describe()}, such as FF0000")
        return str.__str__(value)

    def describe(self) -> str:
        if self.hash_prefix:
            return "a hex colour RRGGBB, optionally written #RRGGBB"
        return "a hex colour RRGGBB (000000 to FFFFFF)"

    def spec(self) -> dict[str, Any]:
        return {"type": "color", "allowed": self.describe(), "hash_prefix": "optional" if self.hash_prefix else "no"}


_RES = re.compile(r"([0-9]*)x([0-9]*)")


class Resolution(_Verbatim):
    """``WxH`` with sides in ``[lo, hi]``; ``one_side`` allows ``640x`` or ``x360``."""

    kind = "resolution"

    def __init__(self, lo: int, hi: int, *, even: bool = False, one_side: bool = True) -> None:
        self.lo, self.hi, self.even, self.one_side = lo, hi, even, one_side

    def check(self, value: object) -> str:
        if isinstance(value, tuple) and len(value) == 2:
            value = "x".join("" if side is None else str(side) for side in value)
        if not isinstance(value, str):
            raise CodecError(f"must be a 'WxH' string ({self.describe()})")
        value = str.__str__(value)
        match = _RES.fullmatch(value)
        if match is None:
            raise CodecError(f"must be {self.describe()}")
        sides = [s for s in match.groups() if s]
        if not sides or (len(sides) == 1 and not self.one_side):
            raise CodecError(f"must be {self.describe()}")
        for side in sides:
            number = int(side)
            if str(number) != side or not self.lo <= number <= self.hi or (self.even and number % 2):
                raise CodecError(f"must be {self.describe()}")
        return value

    def describe(self) -> str:
        even = " even" if self.even else ""
        omit = "; one side may be left out, as in 640x" if self.one_side else ""
        return f"'WxH' with{even} sides in [{self.lo}, {self.hi}]{omit}"

    def spec(self) -> dict[str, Any]:
        return {"type": "resolution", "min": self.lo, "max": self.hi, "even": self.even, "one_side": self.one_side}
