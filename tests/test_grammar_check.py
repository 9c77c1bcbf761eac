"""``check`` reports every problem at once, with the fix; lenient parsing never gives up."""

from __future__ import annotations

import json
import pickle
import warnings
from typing import Any, List, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procdsl import AsyncJob, Diagnostic, ImagePipeline, ProcessError, RawOperation, check, parse, strategies
from procdsl._cli import main
from procdsl._diagnostics import operations_of
from procdsl._explain import explain


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def errors(text: str) -> List[Diagnostic]:
    return [d for d in check(text) if d.severity == "error"]


def test_three_problems_give_three_diagnostics(capsys: pytest.CaptureFixture[str]) -> None:
    text = "image/resize,w_99999,W_1,m_fil"
    code, out, err = run(capsys, "check", text)
    assert code == 1 and out == ""
    assert err.count(": error: ") == 3
    assert "<arg 1>:16: error: image/resize: width (w) must be an integer in [1, 16384] px" in err
    assert "<arg 1>:22: error: image/resize: unknown parameter 'W'" in err and "did you mean w_1?" in err
    assert "<arg 1>:28: error: image/resize: mode (m) must be one of" in err and "did you mean m_fill?" in err
    assert "  " + text + "\n  " + " " * 15 + "^~~~~\n" in err  # the caret spans 99999


@pytest.mark.parametrize(
    ("text", "column", "hint"),
    [
        # resize page: m takes mfit; crop page: g takes north (https://help.aliyun.com/zh/oss/user-guide/resize-images-4,
        # https://www.alibabacloud.com/help/en/oss/user-guide/custom-crop)
        ("image/resize,mfit,w_1", 14, "did you mean m_mfit?"),
        ("image/crop,north,w_10", 12, "did you mean g_north?"),
        # procdsl's own names for t, f and num
        ("image/watermark,text_YQ,opacity_80", 25, "procdsl calls t 'opacity': write t_80"),
        ("video/convert,format_mp4|sys/saveas,o_YQ", 15, "procdsl calls f 'format': write f_mp4"),
        ("video/snapshots,count_3,f_jpg|sys/saveas,o_e2luZGV4fQ", 17, "procdsl calls num 'count': write num_3"),
        ("image/format,webpp", 14, "did you mean webp?"),
        ("image/resiz,w_1", 7, "did you mean image/resize?"),
        ("image/resize,w_1/image/format,webp", 18, "write the family once"),
        ("video/convert,f_avi|saveas,o_b3V0LmF2aQ", 21, "insert sys/ after '|'"),
        ("resize,w_1", 1, "write image/resize"),
        ("image/resize,w_1,g_se", 18, "g is a parameter of image/blur, image/crop, image/watermark"),
    ],
)
def test_suggestions_from_the_catalogue(text: str, column: int, hint: str) -> None:
    found = errors(text)
    assert len(found) == 1, found
    assert found[0].position == column - 1
    assert found[0].hint is not None and hint in found[0].hint


def test_base64_values_are_shown_decoded() -> None:
    # TXlfQnVja2V0 = base64("My_Bucket"): not a bucket name (bucket-naming-conventions page)
    (problem,) = errors("image/resize,w_1|sys/saveas,b_TXlfQnVja2V0,o_YQ")
    assert "decodes to 'My_Bucket'" in problem.message and problem.position == 30


def test_every_error_of_a_string_is_reported_and_structured() -> None:
    found = check("image/resize,m_pad,h_200,h_300/format,webpp|sys/saveas,o_YQ/notify")
    assert [d.code for d in found] == ["duplicate", "bad-value"]
    assert "columns 20 and 26" in found[0].message
    assert found[0].as_dict()["severity"] == "error"


def test_warnings_do_not_fail_a_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "image/resize,w_1,color_FF0000")
    assert code == 0 and out.startswith("ok") and ": warning: " in err and "m is pad" in err


def test_lenient_reader_never_gives_up_and_explain_flags_the_problems() -> None:
    # A missing required value, an out-of-range value, a bare value where a key was meant, and a
    # watermark preprocessing action the add-watermarks page does not list (blur).
    preprocess = "YS5wbmc_eC1vc3MtcHJvY2Vzcz1pbWFnZS9ibHVyLHJfMyxzXzI"  # a.png?x-oss-process=image/blur,r_3,s_2
    for text in (
        "image/circle",
        "image/resize,w_99999",
        "image/resize,mfit,w_1",
        f"image/watermark,image_{preprocess}",
    ):
        with pytest.raises(ProcessError):
            parse(text)
        value = parse(text, strict=False)
        assert isinstance(value, ImagePipeline) and str(value) == text
        step = value.steps[0]
        assert isinstance(step, RawOperation) and step.reason is not None
        assert pickle.loads(pickle.dumps(value)) == value and str(value.canonical()) == text
        result = explain(text, strict=False)
        assert result.lenient and any(d.severity == "error" for d in result.diagnostics), text


def test_an_invalid_operation_with_sections_stays_one_job() -> None:
    # video-stitching page: concat owns its /pre and /sur clips; ss_x is not a time.
    text = "video/concat,f_mp4/pre,o_YQ,ss_x|sys/saveas,o_YQ"
    value = parse(text, strict=False)
    assert isinstance(value, AsyncJob) and isinstance(value.op, RawOperation)
    assert [s.action for s in value.op.sections] == ["pre"] and value.op.reason is not None
    assert str(value) == value.to_wire() == text
    assert pickle.loads(pickle.dumps(value)) == value
    assert explain(text, strict=False).header == "x-oss-async-process"


def test_explain_json_carries_the_diagnostics(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "explain", "--json", "image/format,webpp")
    data = json.loads(out)
    assert code == 1 and "did you mean webp?" in err
    assert data["diagnostics"][0]["hint"] == "did you mean webp?"
    assert data["diagnostics"][0]["position"] == 13


def test_an_unreadable_string_is_still_explained() -> None:
    result = explain("image/resize,w_1|sys/notify,topic_YQ", strict=False)
    assert result.kind == "invalid" and result.diagnostics


def test_lenient_check_turns_unknown_parts_into_warnings() -> None:
    found = check("doc/frobnicate,x_1", strict=False)
    assert [d.severity for d in found] == ["warning"]
    assert [d.code for d in errors("doc/frobnicate,x_1")] == ["unknown-action"]


_EDIT_CHARS = "abcmpwxz_,/|{}=+-019ABXY"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.processes(), st.lists(st.tuples(st.integers(0, 400), st.sampled_from(_EDIT_CHARS), st.booleans())))
def test_check_finds_an_error_exactly_when_parse_refuses(process: Any, edits: List[Tuple[int, str, bool]]) -> None:
    chars = list(str(process))
    for position, char, insert in edits[:3]:
        position = min(position, len(chars))
        if insert or position == len(chars):
            chars.insert(position, char)
        else:
            chars[position] = char
    text = "".join(chars)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parse(text)
        accepted = True
    except ProcessError:
        accepted = False
    found = [d for d in check(text) if d.severity == "error"]
    assert accepted == (not found), (text, found)
    # Leniently: an error exactly when lenient parsing fails or keeps a known operation OSS would refuse.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kept = parse(text, strict=False)
        refused = any(isinstance(op, RawOperation) and op.reason for op in operations_of(kept))
    except ProcessError:
        refused = True
    assert refused == any(d.severity == "error" for d in check(text, strict=False)), text
    # The lenient explanation never fails.
    explain(text, strict=False)


def test_a_string_with_an_invalid_save_as_is_still_described() -> None:
    # TXlfQnVja2V0 = base64("My_Bucket"): the pipeline is explained, the sys stage shown as written.
    result = explain("image/resize,w_1|sys/saveas,b_TXlfQnVja2V0,o_YQ", strict=False)
    assert result.kind == "invalid"
    assert [stage.role for stage in result.stages] == ["image pipeline", "sys"]
    assert [p.wire for p in result.stages[1].operations[0].params] == ["b_TXlfQnVja2V0", "o_YQ"]
    assert "My_Bucket" in result.diagnostics[0].message
