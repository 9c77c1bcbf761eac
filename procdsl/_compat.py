"""Typing names from ``typing`` where the running Python has them, else ``typing_extensions``.

``typing_extensions`` imports ``inspect``, which costs more than the rest of
``import procdsl``; on Python 3.11+ nothing here needs it.
"""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    from typing import Literal, ParamSpec, Self, dataclass_transform
else:  # pragma: no cover - exercised by the Python 3.9 CI run
    from typing_extensions import Literal, ParamSpec, Self, dataclass_transform

__all__ = ["Literal", "ParamSpec", "Self", "dataclass_transform"]
