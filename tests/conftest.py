"""Shared fixtures: the real process strings collected from the OSS docs and SDKs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "examples.jsonl"


def load_examples() -> List[Dict[str, Any]]:
    if not EXAMPLES.exists():
        pytest.skip(f"{EXAMPLES} is not here (it sits beside the repository in CI)")
    with EXAMPLES.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
