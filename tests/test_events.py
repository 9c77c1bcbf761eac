"""procdsl.events against the messages the IMM notification page documents."""

from __future__ import annotations

import base64
import json
import pickle
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procdsl import Doc, ProcessError, Video
from procdsl.errors import EventError
from procdsl.events import ObjectRef, TaskEvent, parse_event
from tests.data.imm_notifications import CONTENTS, ENVELOPES, MEDIA_CONVERT


@pytest.mark.parametrize("name", sorted(ENVELOPES))
def test_every_documented_envelope_parses(name: str) -> None:
    assert isinstance(parse_event(ENVELOPES[name]), TaskEvent)


@pytest.mark.parametrize("name", sorted(CONTENTS))
def test_every_documented_content_parses_alone(name: str) -> None:
    event = parse_event(CONTENTS[name])
    assert event.extra["ProjectName"] == "immtest"  # unknown fields are kept
    assert event.start_time is not None and event.start_time.utcoffset() == timedelta(hours=8)


def test_the_media_convert_message_field_by_field() -> None:
    event = parse_event(MEDIA_CONVERT)
    assert event.id == "25E-1uBJUMOshisffTNk8Nr3GIj****"
    assert event.source == "acs.imm"
    assert event.type == "imm:Task:MediaConvert"
    assert event.subject == "acs:imm:cn-beijing:102321002467****:test-***/imm:Task:MediaConvert"
    # 1724133063161 ms after the epoch, worked out by hand: 2024-08-20 05:51:03.161 UTC.
    assert event.time == datetime(2024, 8, 20, 5, 51, 3, 161000, tzinfo=timezone.utc)
    assert event.task_id == "MediaConvert-db7faf5a-99c5-4afe-8309-d167fe53****"
    assert event.task_type == "MediaConvert"
    assert event.status == "Succeeded" and event.succeeded
    assert event.code == "" and event.message == ""
    assert event.request_id == "F9F8F37F-3188-5EFE-9292-9F0AF98D****"
    assert event.start_time == datetime(2024, 8, 20, 7, 3, 7, 360000, tzinfo=timezone.utc)
    assert event.end_time == datetime(2024, 8, 20, 7, 3, 8, 570000, tzinfo=timezone.utc)
    assert event.user_data == ""
    assert event.sources == (ObjectRef("your-bucket", "immtest/test.mp4"),)
    assert event.targets == (ObjectRef("your-bucket", "dest.png"),)  # the empty URIs are not objects
    assert event.extra["ProjectName"] == "test-project"
    assert event.extra["EventSourceId"] == ""
    assert event.content["Sources"][0]["SubtitleSources"] is None


def test_nanosecond_times_with_an_offset() -> None:
    event = parse_event(CONTENTS["index-file-meta-ok"])
    assert event.start_time == datetime(2023, 1, 4, 13, 17, 0, 270148, tzinfo=timezone(timedelta(hours=8)))
    assert event.start_time == datetime(2023, 1, 4, 5, 17, 0, 270148, tzinfo=timezone.utc)
    assert event.extra["Files"][0]["URI"] == "oss://test-bucket/test-object"


def test_events_are_immutable_values() -> None:
    event = parse_event(MEDIA_CONVERT)
    with pytest.raises(AttributeError):
        event.status = "Failed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        event.extra["ProjectName"] = "x"  # type: ignore[index]
    assert event == parse_event(MEDIA_CONVERT) and hash(event) == hash(parse_event(MEDIA_CONVERT))


def test_events_pickle() -> None:
    event = parse_event(MEDIA_CONVERT)
    again: TaskEvent = pickle.loads(pickle.dumps(event))
    assert again == event and again.targets == event.targets and isinstance(again.targets, tuple)
    assert again.content["Sources"][0]["URI"] == "oss://your-bucket/immtest/test.mp4"
    with pytest.raises(TypeError):
        again.content["x"] = 1  # type: ignore[index]


def test_base64_with_line_breaks() -> None:
    wrapped = base64.encodebytes(MEDIA_CONVERT.encode())  # 76-column lines
    assert b"\n" in wrapped.strip() and parse_event(wrapped) == parse_event(MEDIA_CONVERT)


def test_base64_and_bytes_and_dict_forms_read_the_same() -> None:
    plain = parse_event(MEDIA_CONVERT)
    assert parse_event(base64.b64encode(MEDIA_CONVERT.encode())) == plain
    assert parse_event(base64.b64encode(MEDIA_CONVERT.encode()).decode()) == plain
    assert parse_event(MEDIA_CONVERT.encode()) == plain
    assert parse_event(json.loads(MEDIA_CONVERT)) == plain
    envelope = json.loads(MEDIA_CONVERT)
    envelope["content"] = json.loads(envelope["content"])  # content already decoded
    assert parse_event(envelope) == plain


def test_smq_json_and_xml_notification_wrappers() -> None:
    # NotifyContentFormat JSON and XML (https://www.alibabacloud.com/help/en/mns/developer-reference/notifycontentformat)
    wrapped = {
        "TopicOwner": "TopicOwner",
        "TopicName": "TopicName",
        "Subscriber": "Subscriber",
        "SubscriptionName": "SubscriptionName",
        "MessageId": "6CC4D900CA59A2CD-1-15180534A8F-20000****",
        "Message": MEDIA_CONVERT,
        "MessageMD5": "F1E92841751D795AB325861034B5****",
        "PublishTime": "1449556920975",
    }
    assert parse_event(json.dumps(wrapped)) == parse_event(MEDIA_CONVERT)
    xml_body = MEDIA_CONVERT.replace("&", "&amp;").replace("<", "&lt;")
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><Notification xmlns="http://mns.aliyuncs.com/doc/v1/">'
        f"<TopicName>t</TopicName><MessageId>1</MessageId><Message>{xml_body}</Message></Notification>"
    )
    assert parse_event(xml) == parse_event(MEDIA_CONVERT)


def test_a_failed_task() -> None:
    content = {"TaskId": "t-1", "Status": "Failed", "Code": "InvalidArgument", "Message": "bad codec", "Future": 1}
    event = parse_event({"id": "x", "content": json.dumps(content), "new": True})
    assert not event.succeeded and (event.code, event.message) == ("InvalidArgument", "bad codec")
    assert event.extra == {"Future": 1} and event.envelope_extra == {"new": True}


@pytest.mark.parametrize(
    ("message", "says"),
    [
        ("", "empty"),
        ("[1, 2]", "JSON object"),
        ("{", "not valid JSON"),
        ("not json at all!", "base64"),
        ("{}", "no 'content'"),
        ('{"content": 5}', "'content' must be"),
        ('{"content": "[]"}', "'content' must be a JSON object"),
        ('{"content": "{\\"StartTime\\": \\"yesterday\\"}"}', "RFC 3339"),
        ('{"content": "{\\"StartTime\\": \\"2024-02-30T00:00:00Z\\"}"}', "not a real time"),
        ('{"content": "{}", "time": "soon"}', "milliseconds"),
        ('{"content": "{\\"Status\\": 3.5}"}', "'Status' must be a string"),
        ('{"content": "{\\"Targets\\": [{\\"URI\\": \\"http://x/y\\"}]}"}', "not oss://bucket/key"),
        ('{"content": "{\\"Targets\\": 7}"}', "list of objects"),
        (b"\xff\xfe", "UTF-8"),
        ("<Notification><Nothing/></Notification>", "no <Message>"),
        ("<Notification>", "not well-formed"),
        ('<!DOCTYPE x [<!ENTITY a "b">]><Notification><Message>&a;</Message></Notification>', "DTD"),
    ],
)
def test_bad_messages_raise_event_error_saying_why(message: Any, says: str) -> None:
    with pytest.raises(EventError) as caught:
        parse_event(message)
    assert says in str(caught.value)
    assert isinstance(caught.value, ProcessError)


def test_wrong_type_is_an_event_error_too() -> None:
    with pytest.raises(EventError, match="text, bytes or a dict"):
        parse_event(42)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.text(max_size=80),
        st.binary(max_size=80),
        st.binary(max_size=60).map(base64.b64encode),
        st.text(max_size=60).map(lambda t: "<Notification><MessageId>1</MessageId><Message>" + t),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
            lambda children: (
                st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4)
            ),
            max_leaves=12,
        ).map(lambda v: json.dumps({"content": json.dumps(v)} if not isinstance(v, dict) else {"content": v})),
    )
)
def test_garbage_raises_only_the_documented_error(message: Any) -> None:
    try:
        event = parse_event(message)
    except EventError:
        return
    assert isinstance(event, TaskEvent)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["TaskId", "Status", "StartTime", "Targets", "Sources", "UserData", "Code"]),
                       st.one_of(st.none(), st.text(max_size=20), st.integers(), st.lists(st.text(max_size=10))),
                       max_size=5))  # fmt: skip
def test_typed_fields_with_wrong_values_raise_only_event_error(content: Any) -> None:
    try:
        event = parse_event({"content": json.dumps(content)})
    except EventError:
        return
    assert isinstance(event.targets, tuple)


# -- matching an event to its job ------------------------------------------------------------


def _event(source: str, *targets: str) -> TaskEvent:
    content = {
        "TaskId": "t",
        "Status": "Succeeded",
        "Sources": [{"URI": source}],
        "Targets": [{"URI": t} for t in targets],
    }
    return parse_event({"content": json.dumps(content)})


def test_matches_the_documented_doc_conversion_job() -> None:
    # The OSS message-notification page's job: example.docx → oss://test-bucket/doc_images/{index}.png
    job = Doc.convert(src="docx", to="png").save_as("test-bucket", "doc_images/{index}.png").notify("test-topic")
    event = _event(
        "oss://doc-demo/example.docx", "oss://test-bucket/doc_images/1.png", "oss://test-bucket/doc_images/2.png"
    )
    assert event.matches(job)
    other = Doc.convert(src="docx", to="png").save_as("test-bucket", "other/{index}.png")
    assert not event.matches(other)
    assert not _event("oss://doc-demo/example.docx", "oss://elsewhere/doc_images/1.png").matches(job)
    assert not _event("oss://doc-demo/example.docx", "oss://test-bucket/doc_images/x.png").matches(job)


def test_source_variables_are_filled_from_the_event_source() -> None:
    job = Video.snapshots(format="jpg", interval=1000).save_as("frames/{dirname}/{barename}/{index}.{autoext}")
    hit = _event("oss://media/in/cat.mp4", "oss://media/frames/in/cat/3.jpg")
    assert hit.matches(job)
    assert not _event("oss://media/in/dog.mp4", "oss://media/frames/in/cat/3.jpg").matches(job)
    # No b_ in the save-as: the target must be in the bucket the job was sent to.
    assert not _event("oss://media/in/cat.mp4", "oss://other/frames/in/cat/3.jpg").matches(job)
    assert hit.matches(job, bucket="media") and not hit.matches(job, bucket="other")


def test_literal_braces_and_regex_characters_in_keys() -> None:
    job = Video.convert(format="mp4").save_as("out/{{x}}+(1).{barename}.mp4")
    assert _event("oss://b1/a.mov", "oss://b1/out/{x}+(1).a.mp4").matches(job)
    assert not _event("oss://b1/a.mov", "oss://b1/out/{x}+1.a.mp4").matches(job)


def test_an_event_without_targets_matches_nothing() -> None:
    job = Video.convert(format="mp4").save_as("out.mp4")
    assert not parse_event(ENVELOPES["generic"]).matches(job)
    with pytest.raises(TypeError):
        parse_event(MEDIA_CONVERT).matches("video/convert")  # type: ignore[arg-type]


def test_object_ref_reads_only_oss_uris() -> None:
    assert ObjectRef.from_uri("oss://b/a/b.c").key == "a/b.c"
    assert str(ObjectRef("b", "k")) == "oss://b/k"
    for bad in ("oss://b/", "oss:/b/k", "https://b/k", ""):
        with pytest.raises(EventError):
            ObjectRef.from_uri(bad)


@pytest.mark.parametrize(
    "message",
    [
        '{"content":{"Foo":' + "[" * 600 + "]" * 600 + "}}",
        '{"content":"{\\"Targets\\":' + "[" * 500 + "]" * 500 + '}"}',
    ],
)
def test_a_deeply_nested_message_is_an_event_error(message: str) -> None:
    with pytest.raises(EventError, match="nested too deeply"):
        parse_event(message)
