"""The core on document conversion: the documented strings, errors, values."""

from __future__ import annotations

import pickle
import warnings
from typing import Callable, List

import pytest

from procdsl import (
    AsyncJob,
    AsyncOperation,
    Doc,
    ProcessError,
    ProcessSyntaxError,
    ProcessValueError,
    SaveAs,
    SaveAsKeyWarning,
    StageError,
    parse,
)
from procdsl._operations.doc import Convert

# The message-notification page's example, and its parts decoded by hand:
# dGVzdC1idWNrZXQ = "test-bucket", ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw = "doc_images/{index}.png",
# dGVzdC10b3BpYw = "test-topic".
DOC_NOTIFY = (
    "doc/convert,target_png,source_docx|sys/saveas,b_dGVzdC1idWNrZXQ,"
    "o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify,topic_dGVzdC10b3BpYw"
)
DOC_BARE_NOTIFY = (
    "doc/convert,target_png,source_docx|sys/saveas,b_dGVzdC1idWNrZXQ,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify"
)


def sample() -> AsyncJob:
    return Doc.convert(src="docx", to="png").save_as("test-bucket", "doc_images/{index}.png").notify("test-topic")


def test_builder_gives_the_documented_string() -> None:
    assert str(sample()) == DOC_NOTIFY


def test_bare_notify_ends_in_notify() -> None:
    job = Doc.convert(src="docx", to="png").save_as("test-bucket", "doc_images/{index}.png").notify()
    assert str(job) == DOC_BARE_NOTIFY
    assert str(job).endswith("/notify")


def test_parse_gives_equal_values() -> None:
    assert parse(DOC_NOTIFY) == sample()
    assert (
        parse(DOC_BARE_NOTIFY)
        == Doc.convert(src="docx", to="png").save_as("test-bucket", "doc_images/{index}.png").notify()
    )
    assert str(parse(DOC_NOTIFY)) == DOC_NOTIFY


def test_parsed_fields_are_decoded() -> None:
    job = parse(DOC_NOTIFY)
    assert isinstance(job, AsyncJob)
    assert job.op == Convert(to="png", src="docx")
    assert job.save == SaveAs(bucket="test-bucket", key="doc_images/{index}.png")
    assert job.notification is not None and job.notification.topic == "test-topic"


def test_save_as_key_only_uses_source_bucket() -> None:
    job = Doc.convert(to="pdf").save_as("out/{barename}.pdf")
    # b3V0L3tiYXJlbmFtZX0ucGRm = "out/{barename}.pdf"
    assert str(job) == "doc/convert,target_pdf|sys/saveas,o_b3V0L3tiYXJlbmFtZX0ucGRm"
    assert Doc.convert(to="pdf").save_as(key="out/{barename}.pdf") == job


def test_padded_and_standard_base64_and_any_order_parse_to_the_same_value() -> None:
    padded = (
        "doc/convert,source_docx,target_png|sys/saveas,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw,"
        "b_dGVzdC1idWNrZXQ=/notify,topic_dGVzdC10b3BpYw=="
    )
    value = parse(padded)
    assert value == sample()
    # Written back exactly as written; canonical() drops the padding and puts keys in declared order.
    assert str(value) == padded
    assert str(value.canonical()) == str(sample())
    assert isinstance(value, AsyncJob) and isinstance(value.op, Convert)
    assert str(value.op.canonical()) == "doc/convert,target_png,source_docx"


def test_pages_are_base64() -> None:
    op = Doc.convert(to="pdf", src="docx", pages="1,2,4-10")
    # MSwyLDQtMTA = "1,2,4-10" (https://help.aliyun.com/zh/oss/user-guide/document-conversion)
    assert str(op) == "doc/convert,target_pdf,source_docx,pages_MSwyLDQtMTA"
    assert parse("doc/convert,target_pdf,source_docx,pages_MSwyLDQtMTA") == op


def test_values_are_immutable_hashable_and_picklable() -> None:
    job = sample()
    assert hash(job) == hash(sample())
    assert len({job, sample()}) == 1
    assert pickle.loads(pickle.dumps(job)) == job
    op = Convert(to="png")
    with pytest.raises(AttributeError):
        op.to = "pdf"  # type: ignore[misc]
    base = Doc.convert(to="png", src="docx")
    one, two = base.save_as("a/{index}.png"), base.save_as("b/{index}.png")
    assert str(one) != str(two) and str(base) == "doc/convert,target_png,source_docx"


def test_multi_page_images_without_index_warn() -> None:
    with pytest.warns(SaveAsKeyWarning, match=r"\{index\}"):
        Doc.convert(to="png").save_as("doc_images/page.png")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Doc.convert(to="pdf").save_as("one.pdf")


@pytest.mark.parametrize(
    ("text", "error", "position"),
    [
        ("", ProcessSyntaxError, 0),
        ("doc//", ProcessSyntaxError, 4),
        ("doc/convert,target_", ProcessValueError, 19),
        ("doc/convert,target_png|sys/saveas,o_!!", ProcessValueError, 36),
        ("doc/convert,target_png|sys/saveas,o_Zm9v===", ProcessValueError, 36),
        ("doc/unknown,target_png", ProcessSyntaxError, 4),
        ("video2/convert", ProcessSyntaxError, 0),
        ("doc/convert,target_png,colour_red", ProcessSyntaxError, 23),
        ("doc/convert,target_png|sys/notify,topic_dA", StageError, 23),
        ("doc/convert,target_png|sys/saveas,o_YQ|sys/saveas,o_Yg", ProcessSyntaxError, 38),
        ("doc/convert,target_png,,source_docx", ProcessSyntaxError, 23),
        ("doc/convert,target_png|", ProcessSyntaxError, 23),
        ("sys/saveas,o_YQ", ProcessSyntaxError, 0),
        ("example.jpg@100w_100h", ProcessSyntaxError, 11),
        ("doc/convert,target_png|sys/saveas,o_e2Zvb30", ProcessValueError, 36),
    ],
)
def test_garbage_raises_process_errors_with_positions(text: str, error: type, position: int) -> None:
    with pytest.raises(error) as info:
        parse(text)
    assert isinstance(info.value, ProcessError)
    assert info.value.position == position


def test_value_errors_name_parameter_value_and_range() -> None:
    with pytest.raises(ProcessValueError) as info:
        Doc.convert(to="pngg")  # type: ignore[arg-type]
    assert info.value.param == "to (target)"
    assert info.value.value == "pngg"
    assert info.value.allowed == "one of pdf, png, jpg, txt"
    assert "pngg" in str(info.value) and "one of pdf, png, jpg, txt" in str(info.value)


def test_save_as_rejects_unknown_variables_and_bad_buckets() -> None:
    with pytest.raises(ProcessValueError, match=r"unknown variable \{foo\}"):
        Doc.convert(to="pdf").save_as("out/{foo}.pdf")
    with pytest.raises(ProcessValueError, match="bucket name"):
        Doc.convert(to="pdf").save_as("Bad_Bucket", "a.pdf")
    with pytest.raises(ProcessValueError, match="end with '/'"):
        Doc.convert(to="pdf").save_as("dir/")
    assert str(Doc.convert(to="pdf").save_as("{{literal}}.pdf")).endswith("o_e3tsaXRlcmFsfX0ucGRm")


def test_unknown_keys_and_actions_survive_lenient_parsing() -> None:
    text = "doc/convert,target_png,source_docx,dpi_300|sys/saveas,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw"
    with pytest.raises(ProcessSyntaxError, match="unknown parameter 'dpi'"):
        parse(text)
    lenient = parse(text, strict=False)
    assert str(lenient) == text
    assert parse(str(lenient), strict=False) == lenient
    newer = "doc/translate,lang_en|sys/saveas,o_YS50eHQ/notify,topic_dA"
    assert str(parse(newer, strict=False)) == newer


def test_context_checks_the_header() -> None:
    with pytest.raises(StageError):
        parse("doc/convert,target_png,source_docx", context="async")
    with pytest.raises(StageError):
        parse(DOC_NOTIFY, context="sync")
    assert parse("x-oss-async-process=" + DOC_NOTIFY) == sample()


def test_async_operation_alone_is_not_a_job() -> None:
    value = parse("doc/convert,target_png,source_docx")
    assert isinstance(value, AsyncOperation)
    assert str(value) == "doc/convert,target_png,source_docx"


# -- robustness: only ProcessError escapes, and values cannot write what they do not mean ----------


def test_extra_parameters_cannot_inject_separators_or_shadow_keys() -> None:
    from procdsl import Image

    with pytest.raises(ProcessValueError):
        Image.resize(width=1, extra=(("a", "1/rotate,90|sys/saveas,o_YQ"),))
    with pytest.raises(ProcessValueError):
        Image.resize(width=1, extra=(("w", "5"),))  # a declared key
    with pytest.raises(ProcessValueError):
        Image.resize(width=1, extra="ab")  # type: ignore[arg-type]
    assert str(Image.resize(width=1, extra=(("zz", "1"),))) == "image/resize,w_1,zz_1"


def test_huge_numbers_and_lone_surrogates_are_value_errors() -> None:
    from procdsl import Image, Style, Video

    builds: List[Callable[[], object]] = [
        lambda: parse("image/resize,w_" + "9" * 5000),
        lambda: Image.resize(width=10**5000),
        lambda: Video.convert(format="mp4", fps=10**400),
        lambda: Image.watermark(text="\ud800"),
        lambda: Style("a").save_as("x\ud800"),
        lambda: Image.blindwatermark(content="\ud800"),
    ]
    for build in builds:
        with pytest.raises(ProcessValueError):
            build()


def test_percent_decoding_happens_once() -> None:
    # %2C is ',' and %2F is '/': a URL's query value decodes to the plain string ...
    assert str(parse("image%2Fresize%2Cw_100")) == "image/resize,w_100"
    # ... but a '%' left after one decoding is refused, so parsing is idempotent.
    for text in ("image/foo,a_%2541", "image/foo,a_%257Csys", "image/resize,w_100%"):
        with pytest.raises(ProcessSyntaxError):
            parse(text, strict=False)


def test_copies_write_what_the_original_wrote() -> None:
    import copy

    parsed = parse("image/resize,h_100,w_100")
    for clone in (pickle.loads(pickle.dumps(parsed)), copy.deepcopy(parsed)):
        assert clone == parsed and str(clone) == "image/resize,h_100,w_100"
    assert str(parsed.canonical()) == "image/resize,w_100,h_100"


def test_canonical_reaches_nested_operations_and_keeps_wrappers() -> None:
    # o_YQ is "a"; the clip's t/o and the watermark preprocessing's h/w are put in declared order.
    concat = parse("video/concat,f_mp4/pre,t_1,o_YQ")
    assert str(concat.canonical()) == "video/concat,f_mp4/pre,o_YQ,t_1"
    # base64 of "p.png?x-oss-process=image/resize,h_100,w_100"
    image = "cC5wbmc_eC1vc3MtcHJvY2Vzcz1pbWFnZS9yZXNpemUsaF8xMDAsd18xMDA"
    # base64 of "p.png?x-oss-process=image/resize,w_100,h_100"
    ordered = "cC5wbmc_eC1vc3MtcHJvY2Vzcz1pbWFnZS9yZXNpemUsd18xMDAsaF8xMDA"
    assert str(parse(f"image/watermark,image_{image}").canonical()) == f"image/watermark,image_{ordered}"
    segment = "if_status_eq_404{hls/ts,from_YQ}"
    assert str(parse(segment).canonical()) == segment


def test_async_operations_cannot_hide_in_sync_chains() -> None:
    for text in ("video/info/convert,f_mp4", "video/convert,f_mp4/convert,f_mp4|sys/saveas,o_YQ"):
        with pytest.raises(StageError):
            parse(text)
    # the documented synchronous document chain stays valid
    parse("doc/convert,target_jpg,source_docx/snapshot,target_jpg,source_docx,page_2", context="sync")


def test_lenient_parsing_keeps_unknown_sys_keys() -> None:
    text = "image/resize,w_1|sys/saveas,o_YQ,q_1"
    with pytest.raises(ProcessSyntaxError):
        parse(text)
    assert str(parse(text, strict=False)) == text


@pytest.mark.filterwarnings("ignore::procdsl.errors.SaveAsKeyWarning")
def test_every_example_writes_back_as_written() -> None:
    """Each real string parses (leniently where its keys are undocumented) and writes back
    byte for byte; INVALID ones raise."""
    from tests.conftest import load_examples

    checked = 0
    for example in load_examples():
        text = example["process"]
        if "INVALID" in example.get("note", ""):
            with pytest.raises(ProcessError):
                parse(text)
            continue
        try:
            value = parse(text)
        except ProcessError:
            value = parse(text, strict=False)
        assert str(value) == text
        assert parse(str(value), strict=False) == value
        checked += 1
    assert checked >= 130


def test_a_whole_url_gives_its_process() -> None:
    from procdsl import Image

    signed = (
        "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/photo.jpg?x-oss-process=image%2Fresize%2Cw_100"
        "&x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-expires=600&x-oss-signature=0123"
    )
    assert parse(signed) == Image.resize(width=100)
    with pytest.raises(ProcessSyntaxError, match="no x-oss-process"):
        parse("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/photo.jpg?versionId=1")
    with pytest.raises(StageError):  # a GET URL cannot carry an asynchronous job
        parse("https://b.example.com/a.docx?x-oss-process=" + DOC_NOTIFY)


def test_lenient_parsing_keeps_empty_parameters_as_written() -> None:
    # An ali-oss test sends this (with a trailing ',') to a live bucket and gets 200.
    text = "image/watermark,text_aGVsbG8,color_ff6a00,"
    with pytest.raises(ProcessSyntaxError, match="empty parameter"):
        parse(text)
    assert str(parse(text, strict=False)) == text
    assert str(parse(text, strict=False).canonical()) == "image/watermark,text_aGVsbG8,color_ff6a00"


def test_second_review_fixes() -> None:
    import copy

    from procdsl import Image, SyncJob, parse_operation
    from procdsl._operations import hls

    # A leniently kept parameter with braces survives copies and canonical().
    kept = parse("image/resize,w_1,zz_a}b", strict=False)
    assert pickle.loads(pickle.dumps(kept)) == kept == copy.deepcopy(kept)
    assert str(kept.canonical()) == "image/resize,w_1,zz_a}b"
    # Open-ended integers stop at what the parser reads back (18 digits).
    with pytest.raises(ProcessValueError, match="18 digits"):
        hls.M3u8(segment_duration=10**30)
    longest = hls.M3u8(segment_duration=10**18 - 1)
    assert parse_operation(str(longest)) == longest
    # Non-ASCII never reaches a raw parameter: process strings are printable ASCII.
    with pytest.raises(ProcessSyntaxError, match="printable ASCII"):
        parse("image/foo,a_é", strict=False)
    # A query inside the URL's fragment is not the URL's query.
    with pytest.raises(ProcessSyntaxError, match="no x-oss-process"):
        parse("https://b.example.com/k.jpg#x?x-oss-process=image/resize,w_1")
    # Stage values support structural pattern matching.
    job = Image.resize(width=1).save_as("k")
    assert SyncJob.__match_args__ == ("source", "save")
    assert (job.source, job.save) == tuple(getattr(job, name) for name in SyncJob.__match_args__)


def test_hand_built_async_stages_refuse_sys_notify_at_run_time() -> None:
    from procdsl import AsyncJob, AsyncOperation, Notify, SaveAs

    with pytest.raises(StageError):
        AsyncOperation(Notify(topic="abc"))  # type: ignore[arg-type]
    with pytest.raises(StageError):
        AsyncJob(Notify(topic="abc"), SaveAs(key="k"))  # type: ignore[call-overload]
