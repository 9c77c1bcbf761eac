"""A new user's first contact: the built artefacts, and the types seen from another folder.

- ``python -m build`` gives an sdist and a wheel that ``twine check --strict`` accepts; the
  wheel holds ``procdsl/py.typed``, the licence and no tests; installed into a fresh virtual
  environment it imports and runs ``procdsl --version``.
- A program written in a temporary folder outside the repository is checked with
  ``mypy --strict`` and ``pyright`` against the README's editable install (a ``.pth`` path
  entry, which both checkers follow) and against the installed wheel: a correct program is
  clean, and each misuse is reported on its own line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path
from typing import Dict, List, Set

import pytest

import procdsl

pytestmark = pytest.mark.typing

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

GOOD = """\
from procdsl import AsyncJob, Doc, Image, ImagePipeline, SyncJob, Video, parse
from procdsl.submit import Client, Credentials

thumb: ImagePipeline = Image.resize(width=200, height=200, mode="fill").format("webp").quality(relative=90)
saved: SyncJob = thumb.save_as("thumbs/a.webp")
job: AsyncJob = Doc.convert(src="docx", to="png").save_as("bucket", "doc/{index}.png").notify("topic")
video: AsyncJob = Video.convert(format="mp4", video_codec="h264").save_as("out.mp4")
print(parse(str(job)) == job, saved)


def send(client: Client) -> str:
    return client.submit("bucket", "in.mp4", video).task_id


with Client(region="cn-hangzhou", credentials=Credentials("AK", "SK")) as client:
    print(send(client))
"""

# Each misuse line ends with "# E" and must be reported there, by both checkers; no other line may be.
BAD = """\
from procdsl import Image, Video
from procdsl.submit import Client, Credentials

Image.resize(mode="fit")  # E
Image.resize(width=100).save_as("k.jpg").notify()  # E
Video.convert(format="mp4").notify("topic")  # E
with Client(region="cn-hangzhou", credentials=Credentials("AK", "SK")) as client:
    client.submit("bucket", "in.mp4", Video.convert(format="mp4"))  # E
"""


def _clean_env() -> Dict[str, str]:
    """The environment without anything that would point a checker at the repository."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH", "VIRTUAL_ENV")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run(args: List[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600, env=_clean_env(), check=False)


def _marked(source: str) -> Set[int]:
    return {n for n, line in enumerate(source.splitlines(), 1) if line.endswith("# E")}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build`` of the working tree (sdist, then the wheel built from it)."""
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: the dev extra installs the backend (hatchling), so no download is needed.
    result = _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)], cwd=out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="module")
def wheel_python(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel and its one dependency installed."""
    venv = tmp_path_factory.mktemp("wheel-venv") / "venv"
    result = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=venv.parent)
    assert result.returncode == 0, result.stderr
    python = venv / "bin" / "python"
    (wheel,) = dist.glob("*.whl")
    # The dev environment's pip installs into the new environment (pip's cache serves typing-extensions).
    result = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-compile", str(wheel)],
        cwd=venv.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return python


def test_build_gives_an_sdist_and_a_wheel_that_twine_accepts(dist: Path) -> None:
    (sdist,) = dist.glob("procdsl-*.tar.gz")
    (wheel,) = dist.glob("procdsl-*-py3-none-any.whl")
    result = _run([sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)], cwd=dist)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2

    names = zipfile.ZipFile(wheel).namelist()
    assert "procdsl/py.typed" in names
    assert "procdsl/__init__.py" in names and "procdsl/submit/__init__.py" in names
    assert not [n for n in names if n.startswith("tests/") or "/tests/" in n or "conftest" in n]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: Apache-2.0" in text
    assert "Classifier: Typing :: Typed" in text
    assert f"Version: {procdsl.__version__}" in text
    assert re.search(r"^Keywords: .*x-oss-process", text, re.M)

    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    # The sdist is a complete source tree: the tests and their data run from it.
    assert {"LICENSE", "README.md", "pyproject.toml", "procdsl/py.typed", "tests/data/examples.jsonl"} <= members
    assert not [m for m in members if m.startswith((".venv", ".git/")) or "__pycache__" in m]


def test_the_wheel_works_in_a_fresh_venv(wheel_python: Path) -> None:
    away = wheel_python.parents[2]  # not the repository, whose procdsl/ would shadow the wheel
    where = _run([str(wheel_python), "-c", "import procdsl, sys; print(procdsl.__file__); print(sys.prefix)"], away)
    assert where.returncode == 0, where.stderr
    module, prefix = where.stdout.split()
    assert Path(module).is_relative_to(Path(prefix)), "procdsl must come from the wheel, not the repository"
    assert (Path(module).parent / "py.typed").is_file()
    version = _run([str(wheel_python.parent / "procdsl"), "--version"], away)
    assert version.returncode == 0, version.stderr
    assert procdsl.__version__ in version.stdout
    explained = _run([str(wheel_python.parent / "procdsl"), "format", "image/resize,w_100,m_fill"], away)
    assert explained.stdout.strip() == "image/resize,m_fill,w_100", explained.stderr


def _mypy(folder: Path, python: Path) -> Dict[str, Set[int]]:
    result = _run(
        [
            str(BIN / "mypy"),
            "--strict",
            "--python-executable",
            str(python),
            "--cache-dir",
            str(folder.parent / "mypy-cache"),
            "good.py",
            "bad.py",
        ],
        cwd=folder,
    )
    assert "Cannot find implementation or library stub" not in result.stdout, result.stdout
    errors: Dict[str, Set[int]] = {}
    for match in re.finditer(r"^(\w+\.py):(\d+): error:", result.stdout, re.M):
        errors.setdefault(match.group(1), set()).add(int(match.group(2)))
    return errors


def _pyright(folder: Path, python: Path) -> Dict[str, Set[int]]:
    exe = shutil.which("pyright", path=str(BIN)) or "pyright"
    result = _run([exe, "--outputjson", "--pythonpath", str(python), "good.py", "bad.py"], cwd=folder)
    report = json.loads(result.stdout)
    errors: Dict[str, Set[int]] = {}
    for diag in report["generalDiagnostics"]:
        if diag["severity"] == "error":
            assert "reportMissingImports" not in diag.get("rule", ""), diag
            errors.setdefault(Path(diag["file"]).name, set()).add(diag["range"]["start"]["line"] + 1)
    return errors


@pytest.fixture
def program(tmp_path: Path) -> Path:
    folder = tmp_path / "user-project"  # outside the repository: no config, no path to procdsl
    folder.mkdir()
    (folder / "good.py").write_text(GOOD, encoding="utf-8")
    (folder / "bad.py").write_text(BAD, encoding="utf-8")
    assert not folder.resolve().is_relative_to(ROOT)
    return folder


def test_readme_install_types_seen_from_another_folder(program: Path) -> None:
    """The README's ``pip install -e`` puts a path entry in site-packages that both checkers follow."""
    site_packages = Path(sysconfig.get_paths()["purelib"])
    entries = [p.name for p in site_packages.glob("*.pth") if p.read_text(encoding="utf-8").strip() == str(ROOT)]
    assert entries, f"no .pth in {site_packages} names {ROOT}: run the README's pip install -e"
    expected = {"bad.py": _marked(BAD)}
    assert _mypy(program, Path(sys.executable)) == expected
    assert _pyright(program, Path(sys.executable)) == expected


def test_wheel_install_types_seen_from_another_folder(program: Path, wheel_python: Path) -> None:
    """Installed from the wheel, ``py.typed`` makes the package typed for both checkers."""
    expected = {"bad.py": _marked(BAD)}
    assert _mypy(program, wheel_python) == expected
    assert _pyright(program, wheel_python) == expected
