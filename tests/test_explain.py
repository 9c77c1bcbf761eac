"""``explain``, ``canonical`` and ``to_python`` on documented strings and on every shared example."""

from __future__ import annotations

import json
import warnings
from typing import Any, Dict

import pytest

from procdsl import Doc, ProcessError, ProcessSyntaxError, RawOperation, SyncProcess, parse
from procdsl._explain import Explanation, ParamExplanation, canonical, explain, parse_leniently
from procdsl._pycode import to_python
from tests.conftest import load_examples

# The message-notification page's example; its base64 decoded by hand:
# dGVzdC1idWNrZXQ = "test-bucket", ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw = "doc_images/{index}.png",
# dGVzdC10b3BpYw = "test-topic".
DOC_NOTIFY = (
    "doc/convert,target_png,source_docx|sys/saveas,b_dGVzdC1idWNrZXQ,"
    "o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify,topic_dGVzdC10b3BpYw"
)
# ZG9jX2ltYWdlcy9wLnBuZw = "doc_images/p.png" (no {index})
NO_INDEX = "doc/convert,target_png|sys/saveas,o_ZG9jX2ltYWdlcy9wLnBuZw"


def params(result: Explanation) -> Dict[str, ParamExplanation]:
    return {f"{op.name}:{p.name}": p for stage in result.stages for op in stage.operations for p in op.params}


def test_explain_decodes_base64_and_names_parameters() -> None:
    result = explain(DOC_NOTIFY)
    assert result.kind == "AsyncJob"
    assert result.header == "x-oss-async-process"
    assert [s.role for s in result.stages] == ["asynchronous operation", "sys"]
    found = params(result)
    assert found["sys/saveas:bucket"].value == "test-bucket"
    assert found["sys/saveas:bucket"].key == "b"
    assert found["sys/saveas:bucket"].decoded
    assert found["sys/saveas:key"].value == "doc_images/{index}.png"
    assert found["sys/notify:topic"].value == "test-topic"
    assert found["doc/convert:to"].key == "target"
    assert found["doc/convert:to"].value == "png"
    assert not found["doc/convert:to"].decoded
    assert result.warnings == ()
    text = result.text()
    assert "'test-bucket'" in text and "'doc_images/{index}.png'" in text and "'test-topic'" in text
    assert "to (target)" in text


def test_explain_shows_documented_server_defaults_of_unset_parameters() -> None:
    found = params(explain("doc/convert,target_pdf|sys/saveas,o_b3V0LnBkZg"))
    assert not found["doc/convert:pages"].given
    assert found["doc/convert:pages"].server_default == "all pages"
    assert found["sys/saveas:bucket"].server_default == "the source bucket"
    assert "server default is all pages" in explain("doc/convert,target_pdf|sys/saveas,o_b3V0LnBkZg").text()


def test_explain_warns_about_multi_output_without_index() -> None:
    result = explain(NO_INDEX)
    assert len(result.warnings) == 1
    assert "{index}" in result.warnings[0]
    assert "warning:" in result.text()


def test_explain_warns_about_missing_save_as() -> None:
    result = explain("doc/convert,target_pdf")
    assert result.kind == "AsyncOperation"
    assert any("saveas" in w for w in result.warnings)


def test_explain_json_is_plain_json() -> None:
    data: Dict[str, Any] = json.loads(explain(DOC_NOTIFY).to_json())
    assert data["canonical"] == DOC_NOTIFY
    saveas = data["stages"][1]["operations"][0]
    assert saveas["name"] == "sys/saveas"
    assert {p["key"]: p["value"] for p in saveas["params"]} == {"b": "test-bucket", "o": "doc_images/{index}.png"}


def test_strict_explain_refuses_unknown_and_lenient_says_so() -> None:
    text = "doc/frobnicate,x_1"
    with pytest.raises(ProcessSyntaxError):
        explain(text)
    result = explain(text, strict=False)
    assert result.lenient and result.strict_error is not None and "frobnicate" in result.strict_error
    assert result.stages[0].operations[0].known is False
    assert any("unknown to procdsl" in w for w in result.warnings)
    assert "parsed leniently" in result.text()


def test_parse_leniently_raises_the_strict_error_when_both_fail() -> None:
    with pytest.raises(ProcessSyntaxError) as info:
        parse_leniently("doc//")
    assert info.value.position is not None


def test_canonical_reorders_and_unpads() -> None:
    messy = (
        "doc/convert,source_docx,target_png|sys/saveas,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw,"
        "b_dGVzdC1idWNrZXQ=/notify,topic_dGVzdC10b3BpYw=="
    )
    assert str(canonical(parse(messy))) == DOC_NOTIFY
    assert explain(messy).canonical == DOC_NOTIFY


def test_canonical_keeps_raw_operations_verbatim() -> None:
    value = parse("doc/convert,target_png,source_docx/frob,z_2,a_1", strict=False)
    assert isinstance(value, SyncProcess)
    assert value.ops[1] == RawOperation("doc", "frob", ("z_2", "a_1"))
    assert str(canonical(value)) == "doc/convert,target_png,source_docx/frob,z_2,a_1"


def test_to_python_uses_the_fluent_builders() -> None:
    code = to_python(parse(DOC_NOTIFY))
    assert code == (
        "from procdsl import Doc\n"
        "\n"
        "process = (\n"
        '    Doc.convert(to="png", src="docx")\n'
        '    .save_as("test-bucket", "doc_images/{index}.png")\n'
        '    .notify("test-topic")\n'
        ")\n"
    )
    namespace: Dict[str, Any] = {}
    exec(code, namespace)
    assert namespace["process"] == Doc.convert(src="docx", to="png").save_as(
        "test-bucket", "doc_images/{index}.png"
    ).notify("test-topic")


def test_to_python_bare_notify_and_key_only_save() -> None:
    value = Doc.convert(to="pdf").save_as("out/{barename}.pdf").notify()
    namespace: Dict[str, Any] = {}
    exec(to_python(value, name="job"), namespace)
    assert namespace["job"] == value
    assert '.save_as("out/{barename}.pdf")' in to_python(value)


def _examples_parse() -> Any:
    for example in load_examples():
        try:
            yield example, parse_leniently(example["process"])
        except ProcessError:
            yield example, None


def test_every_example_is_explained_formatted_and_rebuilt() -> None:
    done = 0
    for example, parsed in _examples_parse():
        text = example["process"]
        if parsed is None:
            continue  # reported by test_cli (check prints the error); not this module's concern
        value, strict_error = parsed
        result = explain(text, strict=False)
        assert result.lenient == (strict_error is not None)
        # canonical form is a fixed point and parses back to an equal value
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            again = parse(result.canonical, strict=False)
        assert again == value, text
        assert explain(result.canonical, strict=False).canonical == result.canonical
        namespace: Dict[str, Any] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(to_python(value), namespace)
        assert namespace["process"] == value, text
        # the example file's hand-decoded values appear decoded in the explanation
        decoded = {p.key: p.value for stage in result.stages for op in stage.operations for p in op.params if p.decoded}
        for key, expected in (example.get("decoded") or {}).items():
            if key in decoded:
                assert decoded[key] == expected, (text, key)
        done += 1
    assert done > 100


def test_canonical_takes_a_string_like_check_and_explain() -> None:
    from procdsl import ProcessError, canonical

    assert str(canonical("image/resize,h_100,w_0100")) == "image/resize,w_100,h_100"
    with pytest.raises(ProcessError):
        canonical("image/resize,w_0")


def test_explaining_a_presigned_url_does_not_echo_its_signature_or_token() -> None:
    from procdsl import explain

    url = (
        "https://b.oss-cn-hangzhou.aliyuncs.com/a.jpg?x-oss-process=image%2Fresize%2Cw_100"
        "&x-oss-security-token=SECRET-TOKEN&x-oss-signature=SECRET-SIGNATURE"
    )
    for strict in (True, False):
        explained = explain(url, strict=strict)
        assert explained.source == "image/resize,w_100"
        assert "SECRET" not in str(explained.as_dict()) and "SECRET" not in explained.text()
