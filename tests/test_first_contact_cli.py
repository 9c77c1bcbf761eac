"""The command line as a shell user meets it: ``-`` reads stdin, ``url`` of a save-as job is a
usage error, and a closed standard output ends quietly."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from typing import Any, Dict, Tuple

import pytest

from procdsl import parse
from procdsl._cli import EXIT_BROKEN_PIPE, main

# From the OSS docs: resize (https://help.aliyun.com/zh/oss/user-guide/resize-images-4) and the
# message-notification page's doc/convert example (o_ = doc_images/{index}.png, b_ = test-bucket).
RESIZE = "image/resize,w_100"
DOC_NOTIFY = (
    "doc/convert,target_png,source_docx|sys/saveas,b_dGVzdC1idWNrZXQ,"
    "o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify,topic_dGVzdC10b3BpYw"
)
STDIN = f"{RESIZE}\n\n# a comment line is skipped\n{DOC_NOTIFY}\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = "") -> Tuple[int, str, str]:
    code = main(list(argv), stdin=io.StringIO(stdin))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_explain_reads_stdin(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "explain", "-", stdin=STDIN)
    assert (code, err) == (0, "")
    assert out.startswith(RESIZE + "\n") and f"\n\n{DOC_NOTIFY}\n" in out
    assert "'doc_images/{index}.png'" in out  # decoded base64

    code, out, _ = run(capsys, "explain", "--json", "-", stdin=STDIN)
    documents = [json.loads(line) for line in out.splitlines()]  # JSON Lines
    assert code == 0 and [d["kind"] for d in documents] == ["ImagePipeline", "AsyncJob"]


def test_explain_stdin_reports_each_bad_line_and_goes_on(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "explain", "--json", "-", stdin=f"image/resize,w_0\n{RESIZE}\n")
    assert code == 1
    assert err.startswith("<stdin>:1:16: error: image/resize: width (w) must be an integer in [1, 16384] px")
    # Both are described (the bad one with its diagnostics), one JSON document a line.
    assert [json.loads(line)["source"] for line in out.splitlines()] == ["image/resize,w_0", RESIZE]


def test_check_and_format_read_stdin(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "-", stdin=STDIN)
    assert code == 0 and out.splitlines() == [f"ok  {RESIZE}", f"ok  {DOC_NOTIFY}"]
    # Documented order w then m; canonical order is the declaration's (m first).
    code, out, _ = run(capsys, "format", "-", stdin="image/resize,w_100,m_fill\nsys/notify\n")
    assert out.splitlines()[0] == "image/resize,m_fill,w_100"
    code, out, err = run(capsys, "check", "-", stdin="image/resize,w_100\nimage/frobnicate,x_1\n")
    assert code == 1 and "<stdin>:2" in err


def test_python_reads_stdin_and_names_each_value(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "python", "-", stdin=STDIN)
    assert (code, err) == (0, "")
    namespace: Dict[str, Any] = {}
    exec(out, namespace)
    assert namespace["process_1"] == parse(RESIZE)
    assert namespace["process_2"] == parse(DOC_NOTIFY)

    code, out, _ = run(capsys, "python", "--name", "thumb", "-", stdin=RESIZE + "\n")
    assert code == 0 and "thumb = Image.resize(width=100)" in out


def test_url_of_a_save_as_job_is_a_usage_error(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    monkeypatch.setenv("OSS_ACCESS_KEY_ID", "AK")
    monkeypatch.setenv("OSS_ACCESS_KEY_SECRET", "SK")
    # o_YQ = "a"
    code, out, err = run(capsys, "url", "--region", "cn-hangzhou", "bucket", "k.jpg", f"{RESIZE}|sys/saveas,o_YQ")
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert err.startswith("procdsl url: error: a URL can only carry a process read with GET; this is a SyncJob")
    assert "Traceback" not in err and "TypeError" not in err


def test_closed_stdout_ends_quietly_with_a_non_zero_status() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head` after it has read what it wanted
    try:
        result = subprocess.run(
            [sys.executable, "-m", "procdsl", "spec"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == EXIT_BROKEN_PIPE == 141
    assert result.stderr == ""


def test_closed_stdout_while_reading_stdin() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "procdsl", "format", "-"],
            input=f"{RESIZE}\n" * 2000,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (EXIT_BROKEN_PIPE, "")
