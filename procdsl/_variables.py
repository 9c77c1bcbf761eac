"""Save-as variables and the codecs for the names that may carry them.

OSS expands ``{name}`` in a ``sys/saveas`` object key (``o``) and bucket (``b``);
``{{`` and ``}}`` are literal braces. The set below is the one on the OSS
"Variables" page (https://www.alibabacloud.com/help/en/oss/user-guide/variables)
and the IMM TargetURI template page it refers to
(https://www.alibabacloud.com/help/en/imm/user-guide/targeturi-template).
``{index}`` and ``{autoext}`` are filled by operations that write several
objects or choose the extension. Write them raw (``"out/{index}.png"``) or with
the constants of ``Var`` (``f"out/{Var.index}.png"``).
"""

from __future__ import annotations

import re
from typing import Any, Final, FrozenSet

from ._codecs import B64Text, CodecError

__all__ = ["BUCKET_PATTERN", "BucketName", "ObjectKey", "TopicName", "VARIABLES", "Var", "variables_in"]

VARIABLES: Final[FrozenSet[str]] = frozenset(
    {
        "bucket",
        "key",
        "dirname",
        "barename",
        "basename",
        "ext",
        "year",
        "mon",
        "day",
        "hour",
        "min",
        "sec",
        "t_year",
        "t_mon",
        "t_day",
        "t_hour",
        "t_min",
        "t_sec",
        "index",
        "autoext",
    }
)

_PIECE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_KNOWN_ONLY = re.compile(r"(?:[^{}]|\{(?:" + "|".join(sorted(VARIABLES)) + r")\})*")
_SIMPLE = re.compile(r"\{([a-z_]+)\}")


class Var:
    """The variables as ready-made ``{name}`` strings, for use in f-strings."""

    bucket: Final = "{bucket}"
    key: Final = "{key}"
    dirname: Final = "{dirname}"
    barename: Final = "{barename}"
    basename: Final = "{basename}"
    ext: Final = "{ext}"
    year: Final = "{year}"
    mon: Final = "{mon}"
    day: Final = "{day}"
    hour: Final = "{hour}"
    min: Final = "{min}"
    sec: Final = "{sec}"
    t_year: Final = "{t_year}"
    t_mon: Final = "{t_mon}"
    t_day: Final = "{t_day}"
    t_hour: Final = "{t_hour}"
    t_min: Final = "{t_min}"
    t_sec: Final = "{t_sec}"
    index: Final = "{index}"
    autoext: Final = "{autoext}"

    @staticmethod
    def tag(name: str) -> str:
        """``{tags.<name>}``: an IMM tag of the source (documented for IMM TargetURI)."""
        return "{tags.%s}" % name


def variables_in(text: str) -> tuple[str, ...]:
    """The variable names used in ``text``; raises ``CodecError`` for unknown ones or stray braces."""
    if "{" not in text and "}" not in text:
        return ()
    if _KNOWN_ONLY.fullmatch(text):  # the common case: only {name} of known variables
        return tuple(_SIMPLE.findall(text))
    names = []
    for match in _PIECE.finditer(text):
        piece = match.group(0)
        if piece in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            raise CodecError(f"has a stray {piece!r}; write {piece * 2!r} for a literal brace")
        if name not in VARIABLES and not re.fullmatch(r"tags\.[^{}]+", name):
            known = ", ".join("{%s}" % v for v in sorted(VARIABLES))
            raise CodecError(f"uses unknown variable {{{name}}} (known: {known}, {{tags.<name>}})")
        names.append(name)
    return tuple(names)


# What ObjectKey.check accepts, for keys of at most 255 characters (so at most 1020
# UTF-8 bytes): no leading '/' or '\\', no trailing '/', no lone surrogate, braces only
# around known variables. Generated constructors test it before calling check().
_PLAIN_KEY = re.compile(r"(?![/\\])(?:[^{}\ud800-\udfff]|\{(?:" + "|".join(sorted(VARIABLES)) + r")\})+(?<!/)")


class ObjectKey(B64Text):
    """A save-as object key: 1–1023 bytes, no trailing ``/``, known variables only."""

    def __init__(self) -> None:
        super().__init__(max_bytes=1023, what="an object key (variables allowed)")

    def inline_check(self, var: str, namespace: dict[str, Any], name: str) -> str | None:
        namespace[name] = _PLAIN_KEY.fullmatch
        return f"({var}.__class__ is str and len({var}) <= 255 and {name}({var}) is not None)"

    def check(self, value: object) -> str:
        key = super().check(value)
        if key.endswith("/"):
            # The console's task page: "不支持以正斜线（/）结尾的路径" (no trailing slash).
            raise CodecError("must not end with '/'")
        if key.startswith(("/", "\\")):
            # https://www.alibabacloud.com/help/en/oss/user-guide/object-naming-conventions
            raise CodecError("must not start with '/' or '\\'")
        variables_in(key)
        return key


#: Bucket naming rules (https://www.alibabacloud.com/help/en/oss/user-guide/bucket-naming-conventions):
#: 3-63 of a-z, 0-9 and '-', starting and ending with a letter or digit. The submit layer uses it too.
BUCKET_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
_BUCKET = BUCKET_PATTERN


class BucketName(B64Text):
    """A bucket name (3–63 of ``a-z0-9-``, no leading or trailing ``-``) or a variable template."""

    def __init__(self) -> None:
        super().__init__(what="a bucket name")

    def inline_check(self, var: str, namespace: dict[str, Any], name: str) -> str | None:
        namespace[name] = BUCKET_PATTERN.fullmatch  # a plain bucket name; templates take check()
        return f"({var}.__class__ is str and {name}({var}) is not None)"

    def check(self, value: object) -> str:
        name = super().check(value)
        if "{" in name:
            variables_in(name)
        elif not _BUCKET.fullmatch(name):
            raise CodecError(
                "must be a bucket name: 3-63 lowercase letters, digits and '-', not starting or ending with '-'"
            )
        return name


class TopicName(B64Text):
    """An SMQ (MNS) topic name: a letter, then up to 255 letters, digits and ``-``."""

    def __init__(self) -> None:
        super().__init__(pattern=r"[A-Za-z][A-Za-z0-9-]{0,255}", what="an SMQ (MNS) topic name")

    def inline_check(self, var: str, namespace: dict[str, Any], name: str) -> str | None:
        assert self.pattern is not None
        namespace[name] = self.pattern.fullmatch  # ASCII only, so the UTF-8 checks hold too
        return f"({var}.__class__ is str and {name}({var}) is not None)"
