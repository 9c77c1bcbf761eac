"""Shared fixtures: the real process strings collected from the OSS docs and SDKs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "examples.jsonl"
#: Used by the fuzzers when the examples file is not beside the repository (outside CI).
FALLBACK = ["image/resize,w_100|sys/saveas,o_ZGVzdC5qcGc"]


def _read() -> List[Dict[str, Any]]:
    with EXAMPLES.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_examples() -> List[Dict[str, Any]]:
    """Every example; skips outside the CI layout, and fails in CI, when the file is missing."""
    if not EXAMPLES.exists():
        if os.environ.get("CI"):
            raise FileNotFoundError(f"{EXAMPLES} is missing: CI lays shared/ beside the repository")
        pytest.skip(f"{EXAMPLES} is not here (it sits beside the repository in CI)")
    return _read()


def example_strings() -> List[str]:
    """The example process strings, for fuzzers that need seeds at import time."""
    if not EXAMPLES.exists():
        if os.environ.get("CI"):
            raise FileNotFoundError(f"{EXAMPLES} is missing: CI lays shared/ beside the repository")
        return FALLBACK
    return [example["process"] for example in _read()]
