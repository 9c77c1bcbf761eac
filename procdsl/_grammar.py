"""The wire grammar, as tokens with positions.

::

    process  := stage ( "|" stage )*
    stage    := [ family "/" ] segment ( "/" segment )*
    segment  := name ( "," token )*
    token    := key "_" value | value          (split at the first "_" only)

``image/resize,w_100/rotate,90|sys/saveas,o_ZGVzdC5qcGc`` is two stages: family
``image`` with segments ``resize,w_100`` and ``rotate,90``, then family ``sys``
with ``saveas,o_…``. What a family's segments mean (a chain of image actions,
concat clips, ``saveas`` then ``notify``) is the parser's business, not this
module's. Every piece carries its offset so errors can point at it.
``skip_empty`` (lenient parsing) drops empty parameters, such as a trailing ``,``.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Optional, Tuple

from .errors import ProcessSyntaxError

__all__ = ["Segment", "Stage", "Token", "split_key", "tokenize"]

_NAME = re.compile(r"[a-z][a-z0-9_-]*|[A-Za-z0-9][A-Za-z0-9_.-]*")
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9]*")
#: A process string is printable ASCII without spaces: names, numbers and base64 (text that
#: could hold anything is base64). Anything else is refused where it stands.
_BAD_CHAR = re.compile(r"[^\x21-\x7e]")


class Token(NamedTuple):
    text: str
    position: int


class Segment(NamedTuple):
    name: Token
    params: Tuple[Token, ...]


class Stage(NamedTuple):
    family: Optional[Token]
    segments: Tuple[Segment, ...]
    position: int


def _fail(message: str, source: str, position: int) -> ProcessSyntaxError:
    return ProcessSyntaxError(message, source=source, position=position)


def tokenize(source: str, *, skip_empty: bool = False) -> Tuple[Stage, ...]:
    """Split a process string into stages, segments and tokens, or raise ``ProcessSyntaxError``."""
    if not isinstance(source, str):
        raise ProcessSyntaxError(f"a process string must be str, not {type(source).__name__}")
    if not source:
        raise ProcessSyntaxError("empty process string", source=source, position=0)
    bad = _BAD_CHAR.search(source)
    if bad is not None:
        raise _fail(
            f"unexpected character {bad.group()!r} (a process string is printable ASCII without spaces; "
            "text goes in base64)",
            source,
            bad.start(),
        )
    if "@" in source:
        raise _fail(
            "this is the legacy '@' image syntax (object@100w_100h), which procdsl does not write; "
            "use image/resize,w_100,h_100",
            source,
            source.index("@"),
        )
    stages = []
    offset = 0
    for stage_text in source.split("|"):
        stages.append(_stage(stage_text, offset, source, skip_empty))
        offset += len(stage_text) + 1
    return tuple(stages)


def _stage(text: str, offset: int, source: str, skip_empty: bool) -> Stage:
    if not text:
        raise _fail("empty stage (two '|' in a row, or '|' at an end)", source, offset)
    parts = text.split("/")
    family: Optional[Token] = None
    start = offset
    if len(parts) > 1 and "," not in parts[0]:
        if not parts[0]:
            raise _fail("missing family before '/'", source, offset)
        family = Token(parts[0], offset)
        start = offset + len(parts[0]) + 1
        parts = parts[1:]
    segments = []
    for part in parts:
        segments.append(_segment(part, start, source, skip_empty))
        start += len(part) + 1
    return Stage(family, tuple(segments), offset)


def _segment(text: str, offset: int, source: str, skip_empty: bool) -> Segment:
    if not text:
        raise _fail("empty action (nothing between '/' separators)", source, offset)
    pieces = text.split(",")
    if not pieces[0]:
        raise _fail("missing action name before ','", source, offset)
    tokens = []
    position = offset + len(pieces[0]) + 1
    for piece in pieces[1:]:
        if not piece:
            if skip_empty:  # lenient: OSS was seen to accept a trailing ',' (an SDK test against a live bucket)
                position += 1
                continue
            raise _fail("empty parameter (two ',' in a row, or ',' at an end)", source, position)
        tokens.append(Token(piece, position))
        position += len(piece) + 1
    return Segment(Token(pieces[0], offset), tuple(tokens))


def split_key(token: Token, *, keyed: bool = True, source: Optional[str] = None) -> Tuple[Optional[str], str, int]:
    """``(key, value, value_position)``; ``key`` is ``None`` for a bare positional value.

    The split is at the first ``_``: values may hold ``_`` (URL-safe base64).
    With ``keyed=False`` (the action has only a positional parameter) nothing is split.
    """
    text = token.text
    if keyed and "_" in text:
        key, value = text.split("_", 1)
        if _KEY.fullmatch(key):
            return key, value, token.position + len(key) + 1
        raise ProcessSyntaxError(f"malformed parameter key {key!r}", source=source, position=token.position)
    return None, text, token.position


def is_key(text: str) -> bool:
    """True for a well-formed parameter key (``w``, ``Q``, ``abopt``)."""
    return bool(_KEY.fullmatch(text))


def is_name(text: str) -> bool:
    """True for a plausible action or family name."""
    return bool(_NAME.fullmatch(text))
