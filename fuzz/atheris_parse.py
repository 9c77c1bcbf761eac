"""Coverage-guided fuzzing of ``procdsl.parse`` with atheris (kept out of CI).

Only ``ProcessError`` may escape ``parse()``; anything else is a crash that
atheris reports with the input that caused it. Strings that parse must also
write back to a string that parses to the same value.

    pip install -e '.[fuzz]'              # atheris wheels exist for CPython 3.8-3.11 on Linux x86-64
    python fuzz/atheris_parse.py --seconds 60
    python fuzz/atheris_parse.py --runs 200000 -- -max_len=4096   # extra libFuzzer flags after --

The corpus is seeded with the real strings kept in the repo (tests/data/examples.jsonl)
when they are there; crashes are written to the current directory as crash-<hash>.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any, List

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "tests" / "data" / "examples.jsonl"
sys.path.insert(0, str(ROOT))


def check(data: bytes) -> None:
    """The property under test, for one input."""
    from procdsl import ProcessError, parse

    text = data.decode("utf-8", errors="surrogateescape")
    for strict in (True, False):
        try:
            value = parse(text, strict=strict)
        except ProcessError:
            continue
        again = parse(str(value), strict=strict)
        if again != value:
            raise AssertionError(f"round trip changed {text!r}: {value!r} -> {again!r}")


def _seed_corpus(directory: Path) -> None:
    seeds: List[str] = ["image/resize,w_100|sys/saveas,o_ZGVzdC5qcGc"]
    if EXAMPLES.exists():
        with EXAMPLES.open(encoding="utf-8") as handle:
            seeds += [json.loads(line)["process"] for line in handle if line.strip()]
    for i, seed in enumerate(seeds):
        (directory / f"seed-{i}").write_text(seed, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description="Coverage-guided fuzzing of procdsl.parse (atheris).")
    parser.add_argument("--seconds", type=int, default=60, help="stop after this many seconds (default 60)")
    parser.add_argument("--runs", type=int, default=0, help="stop after this many inputs (0: no limit)")
    parser.add_argument("libfuzzer", nargs="*", help="extra libFuzzer flags, after --")
    args = parser.parse_args()
    try:  # untyped and optional: imported by name
        atheris: Any = importlib.import_module("atheris")
    except ImportError:
        print("atheris is not installed: pip install -e '.[fuzz]' (Linux, CPython <= 3.11 wheels)", file=sys.stderr)
        return 2
    with atheris.instrument_imports():
        import procdsl._parser  # noqa: F401  (the whole package, instrumented for coverage feedback)
    corpus = Path(tempfile.mkdtemp(prefix="procdsl-fuzz-"))
    _seed_corpus(corpus)
    flags = [sys.argv[0], str(corpus), f"-max_total_time={args.seconds}", *args.libfuzzer]
    if args.runs:
        flags.append(f"-runs={args.runs}")
    atheris.Setup(flags, check)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
