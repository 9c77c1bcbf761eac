"""The type checkers accept correct programs and reject misuse, on the lines marked ``# E: code``.

Each file in ``tests/typing/pass`` must type-check cleanly; each file in
``tests/typing/fail`` must produce an error on exactly the lines that carry an
``# E:`` comment (with the mypy error code named there) and nowhere else.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

pytestmark = pytest.mark.typing

HERE = Path(__file__).parent / "typing"
PASS = sorted((HERE / "pass").glob("*.py"))
FAIL = sorted((HERE / "fail").glob("*.py"))
_MARK = re.compile(r"#\s*E:\s*([a-z-]+)")


def expected(path: Path) -> Dict[int, str]:
    marks = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = _MARK.search(line)
        if match:
            marks[number] = match.group(1)
    return marks


def run_mypy(paths: List[Path]) -> List[Tuple[str, int, str]]:
    from mypy import api

    out, _err, _status = api.run(["--strict", "--no-incremental", "--show-error-codes", *map(str, paths)])
    found = []
    for line in out.splitlines():
        match = re.match(r"(.+?):(\d+): error: .*\[([a-z-]+)\]$", line)
        if match:
            found.append((str(Path(match.group(1)).resolve()), int(match.group(2)), match.group(3)))
    return found


def test_fail_files_mark_errors() -> None:
    assert FAIL and PASS
    for path in FAIL:
        assert expected(path), f"{path.name} has no '# E:' marks"


def test_mypy_accepts_correct_programs() -> None:
    assert run_mypy(PASS) == []


def test_mypy_rejects_misuse_on_marked_lines() -> None:
    found = run_mypy(FAIL)
    for path in FAIL:
        marks = expected(path)
        got = {(line, code) for file, line, code in found if file == str(path.resolve())}
        assert got == set(marks.items()), f"{path.name}: expected {sorted(marks.items())}, got {sorted(got)}"


@pytest.mark.skipif(
    shutil.which("pyright") is None and not Path(sys.executable).with_name("pyright").exists(),
    reason="pyright is not installed",
)
def test_pyright_agrees() -> None:
    exe = shutil.which("pyright") or str(Path(sys.executable).with_name("pyright"))
    # The project's pyright settings exclude the programs that must fail: they are checked
    # here with tests/typing/pyrightconfig.json (on the oldest supported Python's typing).
    proc = subprocess.run(
        [exe, "--outputjson", "--pythonpath", sys.executable, "--project", str(HERE)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(proc.stdout)
    errors: Dict[str, Set[int]] = {}
    for diag in report["generalDiagnostics"]:
        if diag["severity"] == "error":
            errors.setdefault(str(Path(diag["file"]).resolve()), set()).add(diag["range"]["start"]["line"] + 1)
    for path in PASS:
        assert str(path.resolve()) not in errors, (
            f"pyright rejected {path.name}: lines {errors.get(str(path.resolve()))}"
        )
    for path in FAIL:
        lines = errors.get(str(path.resolve()), set())
        assert lines == set(expected(path)), (
            f"{path.name}: pyright flagged {sorted(lines)}, marks {sorted(expected(path))}"
        )
