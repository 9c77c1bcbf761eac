"""Shared fixtures: the real process strings collected from the OSS docs and SDKs (``tests/data``)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

from hypothesis import settings

# Hypothesis's per-example deadline (200 ms) measures the machine, not procdsl: on a loaded CI
# runner a first call that imports or compiles something overshoots it and the run fails as
# "flaky". Speed has its own checks (benchmarks/); properties here check behaviour only.
settings.register_profile("procdsl", deadline=None)
settings.load_profile("procdsl")

#: One JSON object a line; every row names its source page or SDK file (see tests/data/README.md).
EXAMPLES = Path(__file__).resolve().parent / "data" / "examples.jsonl"


@cache
def _read() -> Tuple[Dict[str, Any], ...]:
    with EXAMPLES.open(encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle if line.strip())


def load_examples() -> List[Dict[str, Any]]:
    """Every example (copies of the rows, so a test may not change another's data)."""
    return [dict(row) for row in _read()]


def example_strings() -> List[str]:
    """The example process strings, for fuzzers that need seeds at import time."""
    return [row["process"] for row in _read()]
