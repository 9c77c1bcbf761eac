"""``procdsl render`` and ``procdsl explain --render``: files written, errors as messages."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Tuple

import pytest

pytest.importorskip("PIL")

from PIL import Image

from procdsl._cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "in.jpg"
    Image.new("RGB", (400, 300), (30, 120, 200)).save(path, "JPEG")
    return path


def test_render_writes_a_viewable_file(capsys: pytest.CaptureFixture[str], source: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.png"
    code, _, err = run(capsys, "render", "image/resize,m_fill,w_120,h_80/format,png", str(source), str(target))
    assert code == 0 and f"wrote {target}" in err
    with Image.open(target) as image:
        assert image.format == "PNG" and image.size == (120, 80)


def test_render_json_and_watermark_objects(capsys: pytest.CaptureFixture[str], source: Path, tmp_path: Path) -> None:
    target = tmp_path / "info.json"
    assert run(capsys, "render", "image/info", str(source), str(target))[0] == 0
    assert json.loads(target.read_text())["ImageWidth"] == {"value": "400"}
    mark = tmp_path / "mark.png"
    Image.new("RGB", (20, 10), (255, 0, 0)).save(mark)
    out = tmp_path / "marked.png"
    # watermark,image_bWFyay5wbmc = the object "mark.png", at g_nw, x_10, y_10
    process = "image/watermark,image_bWFyay5wbmc,g_nw/format,png"
    assert run(capsys, "render", process, str(source), str(out), "--object", f"mark.png={mark}")[0] == 0
    with Image.open(out) as image:
        assert image.convert("RGB").getpixel((15, 15)) == (255, 0, 0)


def test_render_errors_are_messages(capsys: pytest.CaptureFixture[str], source: Path, tmp_path: Path) -> None:
    code, _, err = run(capsys, "render", "image/crop,x_999", str(source), str(tmp_path / "x.jpg"))
    assert code == 1 and "out of image" in err and "Traceback" not in err
    code, _, err = run(capsys, "render", "image/resize,w_10", str(tmp_path / "missing.jpg"), str(tmp_path / "x.jpg"))
    assert code == 1 and "cannot read" in err
    code, _, err = run(capsys, "render", "image/watermark,image_bWFyay5wbmc", str(source), str(tmp_path / "x.jpg"))
    assert code == 1 and "was not supplied" in err
    code, _, err = run(capsys, "render", "image/resize,w_10", str(source), "x", "--object", "no-equals-sign")
    assert code == 1 and "KEY=FILE" in err


def test_explain_render_writes_before_and_after(
    capsys: pytest.CaptureFixture[str], source: Path, tmp_path: Path
) -> None:
    picture = tmp_path / "ba.png"
    code, out, err = run(capsys, "explain", "image/resize,w_100", "--render", str(source), "--picture", str(picture))
    assert code == 0 and "image/resize" in out and f"wrote {picture}" in err
    with Image.open(io.BytesIO(picture.read_bytes())) as image:
        assert image.format == "PNG"
        assert image.width > 400 + 100 and image.height > 300  # both panels side by side, unscaled
