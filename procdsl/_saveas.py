"""What a save-as key with ``{variables}`` becomes: expanded for one source, or a pattern for any.

The meanings are those of the OSS "Variables" page
(https://www.alibabacloud.com/help/en/oss/user-guide/variables) and the IMM TargetURI
template table it refers to (https://www.alibabacloud.com/help/en/imm/user-guide/targeturi-template):
``{key}`` is ``{dirname}/{basename}``; ``{barename}`` is the file name without its
suffix; ``{ext}`` the source suffix; ``{year}``…``{sec}`` the upload time and
``{t_year}``…``{t_sec}`` the task's creation time (yyyy, mm, dd, HH, MM, SS);
``{index}`` the output number from 1; ``{autoext}`` the output format's suffix;
``{{``/``}}`` literal braces. Used by :mod:`procdsl.events` (matching a result to its
job) and by :class:`procdsl.testing.FakeOSS` (writing the outputs).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Dict, Mapping, Optional

__all__ = ["expand", "pattern", "source_values", "time_values"]

_PIECE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")

# What each variable can stand for when its value is not known (a regular expression).
_ANY: Dict[str, str] = {
    "bucket": r"[a-z0-9][a-z0-9-]*",
    "key": r".+",
    "dirname": r".*",
    "barename": r"[^/]*",
    "basename": r"[^/]+",
    "ext": r"[^/.]*",
    "autoext": r"[A-Za-z0-9]+",
    "index": r"[0-9]+",
    "year": r"[0-9]{4}",
    "t_year": r"[0-9]{4}",
}
_TWO_DIGITS = r"[0-9]{2}"


def source_values(bucket: str, key: str) -> Dict[str, str]:
    """The variables that depend on the source object only (``bucket``, ``key``, ``dirname``, …)."""
    dirname, _, basename = key.rpartition("/")
    barename, dot, ext = basename.rpartition(".")
    if not dot:  # no suffix: the whole name is the bare name
        barename, ext = basename, ""
    return {"bucket": bucket, "key": key, "dirname": dirname, "basename": basename, "barename": barename, "ext": ext}


def time_values(uploaded: Optional[datetime], created: Optional[datetime]) -> Dict[str, str]:
    """``{year}``…``{sec}`` from the upload time and ``{t_year}``…``{t_sec}`` from the task's creation."""
    values: Dict[str, str] = {}
    for prefix, moment in (("", uploaded), ("t_", created)):
        if moment is not None:
            values.update(
                {
                    prefix + "year": f"{moment.year:04d}",
                    prefix + "mon": f"{moment.month:02d}",
                    prefix + "day": f"{moment.day:02d}",
                    prefix + "hour": f"{moment.hour:02d}",
                    prefix + "min": f"{moment.minute:02d}",
                    prefix + "sec": f"{moment.second:02d}",
                }
            )
    return values


def expand(template: str, values: Mapping[str, str]) -> str:
    """``template`` with every ``{name}`` in ``values`` replaced; ``{{``/``}}`` become braces.

    Variables without a value are left as written (``{tags.x}`` from IMM, for instance).
    """

    def one(match: re.Match[str]) -> str:
        piece = match.group(0)
        if piece in ("{{", "}}"):
            return piece[0]
        return values.get(match.group(1), piece)

    return _PIECE.sub(one, template)


def pattern(template: str, values: Mapping[str, str]) -> re.Pattern[str]:
    """A regular expression matching what OSS may write for ``template``.

    Variables in ``values`` match exactly; the others match what they can stand for.
    """
    out = []
    position = 0
    for match in _PIECE.finditer(template):
        out.append(re.escape(template[position : match.start()]))
        piece = match.group(0)
        if piece in ("{{", "}}"):
            out.append(re.escape(piece[0]))
        else:
            name = match.group(1)
            if name in values:
                out.append(re.escape(values[name]))
            else:
                out.append("(?:" + _ANY.get(name, _TWO_DIGITS if name in _TIME_PARTS else r"[^/]*") + ")")
        position = match.end()
    out.append(re.escape(template[position:]))
    return re.compile("".join(out))


_TIME_PARTS = frozenset(f"{p}{n}" for p in ("", "t_") for n in ("mon", "day", "hour", "min", "sec"))
