"""The API pages cover the public surface, and no example builds a process string by hand."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import procdsl
import procdsl.errors

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _api_text() -> str:
    sys.path.insert(0, str(DOCS))
    try:
        import gen_reference
    finally:
        sys.path.remove(str(DOCS))
    pages = [p.read_text(encoding="utf-8") for p in [*sorted(DOCS.glob("api*.md")), DOCS / "cli.md"]]
    return gen_reference.on_page_markdown("\n".join(pages))


def test_every_root_name_is_on_an_api_page() -> None:
    text = _api_text()
    assert "::: procdsl.errors\n" in text  # documents ProcessError, StageError, SaveAsKeyWarning, …
    errors = set(procdsl.errors.__all__)
    documented = [name for name in procdsl.__all__ if f"::: procdsl.{name}\n" in text or f"`{name}" in text]
    missing = [name for name in procdsl.__all__ if name not in errors and name not in documented]
    assert missing == []


@pytest.mark.parametrize("module", ["procdsl.errors", "procdsl.submit", "procdsl.testing", "procdsl.strategies"])
def test_public_modules_have_a_page(module: str) -> None:
    assert f"::: {module}\n" in _api_text()  # mkdocstrings renders the module's __all__


def test_cli_page_documents_stdin_url_and_closed_pipes() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert "the string `-` reads the strings from standard" in text
    assert "exits with status 2" in text and "status 141" in text


def test_no_example_builds_a_process_string_by_hand() -> None:
    family = r"(image|video|audio|doc|hls|style|sys)/"
    for page in PAGES:
        for code in PYTHON_BLOCK.findall(page.read_text(encoding="utf-8")):
            assert not re.search(r"\bbase64\.|import base64|b64encode", code), page.name
            for line in code.splitlines():
                # an f-string that holds a process string (object keys with {Var.…} are fine)
                assert not re.search(rf'f"[^"]*{family}[^"]*\{{', line), (page.name, line)


def test_builder_links_use_the_anchors_mkdocs_makes() -> None:
    toc = pytest.importorskip("markdown.extensions.toc")
    sys.path.insert(0, str(DOCS))
    try:
        import gen_reference
    finally:
        sys.path.remove(str(DOCS))
    for name, wire in (("Image.resize", "image/resize"), ("Hls.ts", "hls/ts"), (".save_as", "sys/saveas")):
        assert gen_reference._anchor(name, wire) == toc.slugify(f"{name} · {wire}", "-")
