"""``procdsl url`` and ``procdsl submit`` with ``--header`` and ``--query`` (issue 14 item 1, from a shell)."""

from __future__ import annotations

import io
from typing import Tuple
from urllib.parse import parse_qsl, urlsplit

import pytest

from procdsl._cli import main

PROCESS = "image/resize,w_100"


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("OSS_ACCESS_KEY_SECRET", "example-secret")
    monkeypatch.delenv("OSS_SESSION_TOKEN", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str, str]:
    code = main(list(argv), stdin=io.StringIO(""))
    out, err = capsys.readouterr()
    return code, out, err


def test_url_takes_extra_headers_and_query(capsys: pytest.CaptureFixture[str]) -> None:
    base = ("url", "--region", "cn-hangzhou", "examplebucket", "photo.jpg", PROCESS)
    code, out, err = run(capsys, *base, "--query", "versionId=v1", "--header", "Range: bytes=0-9")
    assert code == 0, err
    query = dict(parse_qsl(urlsplit(out.strip()).query))
    assert query["versionId"] == "v1" and query["x-oss-process"] == PROCESS
    assert query["x-oss-additional-headers"] == "range"  # the header is signed: the URL needs it


@pytest.mark.parametrize(
    ("extra", "message"),
    [(("--header", "no-colon"), "NAME:VALUE"), (("--query", "=v"), "NAME=VALUE"), (("--header", "Host:x"), "Host")],
)
def test_malformed_extras_are_user_errors(capsys: pytest.CaptureFixture[str], extra: Tuple[str, str],
                                          message: str) -> None:  # fmt: skip
    code, _, err = run(capsys, "url", "--region", "cn-hangzhou", "examplebucket", "photo.jpg", PROCESS, *extra)
    assert code == 1 and message in err and "Traceback" not in err


def test_extras_do_not_apply_to_many_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "submit", "--region", "cn-hangzhou", "--jobs", "-", "--header", "a:b")
    assert code == 1 and "single job" in err
