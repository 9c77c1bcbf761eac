"""The ``procdsl`` command line: every command, errors with carets, no tracebacks, the spec and its schema."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import types
import warnings
from pathlib import Path
from typing import Any, ClassVar, Dict, List, Tuple

import pytest

from procdsl import parse
from procdsl._catalog import SPEC_FORMAT_VERSION, SPEC_SCHEMA, build_spec
from procdsl._cli import main
from procdsl._explain import parse_leniently
from tests.conftest import load_examples

DOC_NOTIFY = (
    "doc/convert,target_png,source_docx|sys/saveas,b_dGVzdC1idWNrZXQ,"
    "o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify,topic_dGVzdC10b3BpYw"
)
ROOT = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = "") -> Tuple[int, str, str]:
    code = main(list(argv), stdin=io.StringIO(stdin))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_explain_prints_decoded_values(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "explain", DOC_NOTIFY)
    assert code == 0 and err == ""
    assert "'test-bucket'" in out and "'doc_images/{index}.png'" in out and "'test-topic'" in out
    assert "x-oss-async-process" in out
    assert "\033[" not in out  # not a terminal: no colour


def test_explain_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "--json", DOC_NOTIFY)
    assert code == 0
    assert json.loads(out)["kind"] == "AsyncJob"


def test_colour_only_when_asked_or_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "--color", "always", DOC_NOTIFY)
    assert code == 0 and "\033[" in out


def test_explain_falls_back_to_lenient_parsing_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "doc/frobnicate,x_1")
    assert code == 0
    assert "parsed leniently" in out
    code, _, err = run(capsys, "explain", "--strict", "doc/frobnicate,x_1")
    assert code == 1 and "unknown operation doc/frobnicate" in err


def test_check_points_at_the_column(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", DOC_NOTIFY, "doc/convert,target_pngg")
    assert code == 1
    assert out.startswith("ok  ")
    # 'pngg' starts after "doc/convert,target_" = 19 characters: column 20
    assert "<arg 2>:20: error:" in err
    assert "  doc/convert,target_pngg\n  " + " " * 19 + "^" in err
    assert "Traceback" not in err


def test_check_reads_stdin_one_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", stdin=f"{DOC_NOTIFY}\n\n# a comment\ndoc//\n")
    assert code == 1
    assert out.count("ok  ") == 1
    assert "<stdin>:4:5: error:" in err
    code, _, _ = run(capsys, "check", "-q", "-", stdin=DOC_NOTIFY + "\n")
    assert code == 0


def test_check_is_strict_unless_lenient(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "doc/frobnicate,x_1")[0] == 1
    code, _, err = run(capsys, "check", "--lenient", "doc/frobnicate,x_1")
    assert code == 0 and "accepted leniently" in err


def test_check_reports_save_key_warning(capsys: pytest.CaptureFixture[str]) -> None:
    # ZG9jX2ltYWdlcy9wLnBuZw = "doc_images/p.png": several pages, one key
    code, _, err = run(capsys, "check", "doc/convert,target_png|sys/saveas,o_ZG9jX2ltYWdlcy9wLnBuZw")
    assert code == 0 and "{index}" in err


GARBAGE = ["", "doc//", "doc/convert,target_", "xxx", "doc/convert,target_png|sys/saveas,o_!!"]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_gives_messages_not_tracebacks(capsys: pytest.CaptureFixture[str], garbage: str) -> None:
    for command in ("explain", "format", "python", "check"):
        code, _, err = run(capsys, command, garbage)
        assert code == 1, (command, garbage)
        assert "error:" in err and "Traceback" not in err


def test_format_gives_the_canonical_form(capsys: pytest.CaptureFixture[str]) -> None:
    messy = (
        "doc/convert,source_docx,target_png|sys/saveas,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw,"
        "b_dGVzdC1idWNrZXQ=/notify,topic_dGVzdC10b3BpYw=="
    )
    code, out, _ = run(capsys, "format", messy)
    assert code == 0 and out == DOC_NOTIFY + "\n"


def test_python_output_rebuilds_the_value(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "python", "--name", "job", DOC_NOTIFY)
    assert code == 0
    namespace: Dict[str, Any] = {}
    exec(out, namespace)
    assert namespace["job"] == parse(DOC_NOTIFY)
    assert run(capsys, "python", "--name", "not valid", DOC_NOTIFY)[0] == 1


def test_help_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ([], ["explain"], ["check"], ["format"], ["python"], ["url"], ["submit"], ["spec"]):
        code, out, _ = run(capsys, *command, "--help")
        assert code == 0 and "usage: procdsl" in out
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "invalid choice" in err
    assert run(capsys)[0] == 2


def test_spec_document_validates_against_its_schema(capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    code, out, _ = run(capsys, "spec")
    assert code == 0
    document = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(SPEC_SCHEMA)
    jsonschema.validate(document, SPEC_SCHEMA)
    code, out, _ = run(capsys, "spec", "--schema")
    assert json.loads(out) == SPEC_SCHEMA
    broken = json.loads(json.dumps(document))
    broken["families"][0]["operations"][0]["parameters"][0]["encoding"] = "rot13"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SPEC_SCHEMA)


def test_spec_describes_doc_convert_from_its_definition() -> None:
    spec = build_spec()
    assert spec["format_version"] == SPEC_FORMAT_VERSION
    families = {f["name"]: f for f in spec["families"]}
    convert = next(op for op in families["doc"]["operations"] if op["action"] == "convert")
    assert convert["processing"] == "async"
    assert convert["doc_url"] == "https://help.aliyun.com/zh/oss/user-guide/document-conversion"
    by_key = {p["key"]: p for p in convert["parameters"]}
    assert by_key["target"]["name"] == "to" and by_key["target"]["required"]
    assert by_key["target"]["value"]["values"] == ["pdf", "png", "jpg", "txt"]
    assert by_key["pages"]["encoding"] == "base64url-nopad"
    assert by_key["source"]["server_default"] == "the object's extension"
    saveas = next(op for op in families["sys"]["operations"] if op["action"] == "saveas")
    assert [p["key"] for p in saveas["parameters"]] == ["b", "o"]
    assert "index" in spec["save_as_variables"]


class FakeCredentials:
    @classmethod
    def from_env(cls) -> FakeCredentials:
        return cls()


class FakeClient:
    calls: ClassVar[List[Tuple[Any, ...]]] = []

    def __init__(self, *, region: str, credentials: FakeCredentials) -> None:
        self.calls.append(("init", region, type(credentials).__name__))

    def sign_url(self, bucket: str, key: str, process: Any, *, expires: int) -> str:
        self.calls.append(("sign_url", bucket, key, str(process), expires))
        return f"https://{bucket}.example/{key}?signed"

    def submit(self, bucket: str, key: str, job: Any) -> Dict[str, str]:
        self.calls.append(("submit", bucket, key, str(job)))
        return {"TaskId": "t-1"}


@pytest.fixture
def fake_submit(monkeypatch: pytest.MonkeyPatch) -> List[Tuple[Any, ...]]:
    module = types.ModuleType("procdsl.submit")
    module.Client = FakeClient  # type: ignore[attr-defined]
    module.Credentials = FakeCredentials  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "procdsl.submit", module)
    monkeypatch.setenv("OSS_ACCESS_KEY_ID", "ak")
    monkeypatch.setenv("OSS_ACCESS_KEY_SECRET", "sk")
    FakeClient.calls = []
    return FakeClient.calls


def test_url_and_submit_use_the_submit_layer(capsys: pytest.CaptureFixture[str], fake_submit: Any) -> None:
    code, out, err = run(capsys, "submit", "--region", "cn-hangzhou", "bucket", "a.docx", DOC_NOTIFY)
    assert code == 0, err
    assert json.loads(out) == {"TaskId": "t-1"}
    assert fake_submit == [("init", "cn-hangzhou", "FakeCredentials"), ("submit", "bucket", "a.docx", DOC_NOTIFY)]
    code, out, err = run(capsys, "url", "--region", "cn-hangzhou", "--expires", "60", "bucket", "a.docx", DOC_NOTIFY)
    assert code == 1 and "asynchronous operation cannot be sent as x-oss-process" in err


def test_url_signs_a_sync_process(capsys: pytest.CaptureFixture[str], fake_submit: Any) -> None:
    # the documented synchronous document chain (convert then snapshot page 2)
    sync = "doc/convert,target_jpg,source_docx/snapshot,target_jpg,source_docx,page_2"
    parse(sync, context="sync")  # the documented chain is a GET-able process
    code, out, err = run(capsys, "url", "--region", "cn-hangzhou", "bucket", "a.docx", sync)
    assert code == 0, err
    assert out == "https://bucket.example/a.docx?signed\n"
    assert fake_submit[-1] == ("sign_url", "bucket", "a.docx", sync, 600)


def test_missing_credentials_and_region_are_clear(
    capsys: pytest.CaptureFixture[str], fake_submit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OSS_ACCESS_KEY_SECRET")
    code, _, err = run(capsys, "submit", "--region", "cn-hangzhou", "bucket", "a.docx", DOC_NOTIFY)
    assert code == 1 and "OSS_ACCESS_KEY_SECRET" in err and "Traceback" not in err
    monkeypatch.delenv("OSS_REGION", raising=False)
    code, _, err = run(capsys, "submit", "bucket", "a.docx", DOC_NOTIFY)
    assert code == 1 and "--region" in err


def test_every_example_through_explain_check_format_python(capsys: pytest.CaptureFixture[str]) -> None:
    checked = 0
    for example in load_examples():
        text = example["process"]
        if "INVALID" in example.get("note", ""):
            # OSS refuses it: every command says so (explain still describes it), with a caret.
            for command in ("explain", "format", "python", "check"):
                code, _, err = run(capsys, command, text)
                assert code == 1 and "error:" in err, (command, text)
            code, _, err = run(capsys, "check", "--lenient", text)
            assert code == 1 and "^" in err, text
            continue
        value, strict_error = parse_leniently(text)
        for command in ("explain", "format", "python"):
            code, out, err = run(capsys, command, text)
            assert code == 0, (command, text, err)
            assert ("parsed leniently" in out + err) == (strict_error is not None), (command, text)
        code, out, _ = run(capsys, "python", text)
        namespace: Dict[str, Any] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(out, namespace)
        assert namespace["process"] == value, text
        assert run(capsys, "check", "--lenient", text)[0] == 0
        assert run(capsys, "check", text)[0] == (0 if strict_error is None else 1)
        checked += 1
    assert checked > 100


def test_python_dash_m_procdsl_explain() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "procdsl", "explain", DOC_NOTIFY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "'doc_images/{index}.png'" in result.stdout
