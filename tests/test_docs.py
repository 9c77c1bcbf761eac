"""Every ``python`` code sample in docs/*.md and README.md runs; the reference is generated; mkdocs builds."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from procdsl._declare import all_operations, known_families

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md")) + [p for p in [ROOT / "README.md"] if p.exists()]
# A block runs unless it is preceded by "<!-- requires: FAMILY -->" and that family is not in the catalogue.
BLOCK = re.compile(r"(?:<!-- requires: (?P<family>[a-z]+) -->\n)?```python\n(?P<code>.*?)```", re.S)


def blocks(page: Path) -> List[Tuple[str, str]]:
    return [(m.group("family") or "", m.group("code")) for m in BLOCK.finditer(page.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_code_samples_run(page: Path) -> None:
    namespace: Dict[str, Any] = {"__name__": f"docs_{page.stem}"}
    for number, (family, code) in enumerate(blocks(page), 1):
        if family and family not in known_families():
            continue
        exec(compile(code, f"{page.name} (python block {number})", "exec"), namespace)


def test_docs_have_samples() -> None:
    assert sum(len(blocks(page)) for page in PAGES) >= 10


def test_reference_is_generated_from_every_definition() -> None:
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import gen_reference
    finally:
        sys.path.remove(str(ROOT / "docs"))
    text = gen_reference.on_page_markdown("# Reference\n\n" + gen_reference.MARKER + "\n")
    assert gen_reference.MARKER not in text
    for cls in all_operations():
        assert f"` · `{cls.wire_name()}`\n" in text
        for p in cls.__params__:
            assert f"| `{p.name}` |" in text
    # Listed by the names users call, with the wire name and the call's parameters.
    assert "### `Image.resize` · `image/resize`" in text
    assert "### `Video.convert` · `video/convert`" in text
    assert "### `Doc.convert` · `doc/convert`" in text
    assert "### `.save_as` · `sys/saveas`" in text
    assert "\nImage.rotate(degrees)\n" in text
    assert "\nDoc.convert(*, to, src=None, pages=None)\n" in text
    assert not re.search(r"^### `(Resize|Convert|Rotate)`", text, re.M)  # no internal class names as headings
    # doc/convert, from its definition: the target key and its values
    assert "| `to` | `target` | one of pdf, png, jpg, txt | **required** |" in text
    # The watermark's resize, which is not registered, is documented with its own P.
    assert "### `WatermarkResize`" in text and "| `main_percent` | `P` |" in text

    builders = gen_reference.on_page_markdown(gen_reference.BUILDERS_MARKER)
    for name in ("Image.resize", "Image.deblindwatermark", "Video.convert", "Audio.convert", "Doc.convert", "Hls.ts"):
        assert f"### `{name}`" in builders
    assert "Doc.convert(*, to, src=None, pages=None) -> AsyncOperation" in builders


@pytest.mark.docs
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "reference" / "index.html").exists()
