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


@pytest.mark.parametrize(
    "module",
    ["procdsl.errors", "procdsl.submit", "procdsl.testing", "procdsl.strategies", "procdsl.web", "procdsl.events"],
)
def test_public_modules_have_a_page(module: str) -> None:
    assert f"::: {module}\n" in _api_text()  # mkdocstrings renders the module's __all__


def test_cli_page_documents_stdin_url_and_closed_pipes() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert "the string `-` reads the strings from standard" in text
    assert "exits with status 2" in text and "status 141" in text


def test_no_example_builds_a_process_string_by_hand() -> None:
    # A process string glued with f-strings, or base64 computed by hand for one of its values.
    glued = re.compile(r'f"[^"]*((image|video|audio|doc|hls|style|sys)/|,[a-z]+_\{)[^"]*\{')
    hand_base64 = re.compile(r"b64encode.*(saveas|[,|/][a-z]+_)|(saveas|[,|/][a-z]+_).*b64encode")
    for page in PAGES:
        for code in PYTHON_BLOCK.findall(page.read_text(encoding="utf-8")):
            for line in code.splitlines():
                assert not glued.search(line), (page.name, line)
                assert not hand_base64.search(line), (page.name, line)


def test_builder_links_use_the_anchors_mkdocs_makes() -> None:
    toc = pytest.importorskip("markdown.extensions.toc")
    sys.path.insert(0, str(DOCS))
    try:
        import gen_reference
    finally:
        sys.path.remove(str(DOCS))
    for name, wire in (("Image.resize", "image/resize"), ("Hls.ts", "hls/ts"), (".save_as", "sys/saveas")):
        assert gen_reference._anchor(name, wire) == toc.slugify(f"{name} · {wire}", "-")
