"""FakeOSS behaves like OSS for what procdsl sends: missing sources, save-as variables, task results."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import pytest

from procdsl import Doc, Image, Var, Video
from procdsl.events import ObjectRef, parse_event
from procdsl.submit import Client, Credentials, NotFoundError
from procdsl.testing import FakeOSS

CREDS = Credentials("AK", "SK")
# A fixed clock: upload and task times are known, so time variables can be checked by hand.
NOW = datetime(2024, 8, 20, 7, 3, 7, tzinfo=timezone.utc)


def _client(fake: FakeOSS) -> Client:
    return Client("cn-hangzhou", CREDS, transport=fake.transport(), clock=lambda: NOW)


def test_a_missing_source_is_404_no_such_key_for_async_and_sync_jobs() -> None:
    fake = FakeOSS(CREDS, clock=lambda: NOW)
    with _client(fake) as client:
        with pytest.raises(NotFoundError) as async_error:
            client.submit("bkt", "absent.docx", Doc.convert(to="pdf").save_as("out.pdf"))
        with pytest.raises(NotFoundError) as sync_error:
            client.process("bkt", "absent.jpg", Image.resize(width=10).save_as("out.jpg"))
    assert async_error.value.code == sync_error.value.code == "NoSuchKey"
    assert fake.tasks == [] and fake.objects == {}
    assert [(r.operation, r.status) for r in fake.requests] == [("AsyncProcessObject", 404), ("ProcessObject", 404)]


def test_no_such_key_body_is_oss_xml() -> None:
    fake = FakeOSS(CREDS, clock=lambda: NOW)
    with _client(fake) as client:
        wire = client.sign(client.prepare_submit("bkt", "absent.docx", Doc.convert(to="pdf").save_as("out.pdf")))
    status, headers, body = fake.handle(
        wire.method, "bkt.oss-cn-hangzhou.aliyuncs.com", wire.url.split("aliyuncs.com", 1)[1], dict(wire.headers),
        wire.body,
    )  # fmt: skip
    assert status == 404 and ("Content-Type", "application/xml") in headers
    root = ET.fromstring(body)  # OSS's XML error (https://www.alibabacloud.com/help/en/oss/user-guide/error-responses)
    assert root.tag == "Error"
    assert {child.tag: child.text for child in root}["Code"] == "NoSuchKey"
    assert {child.tag for child in root} >= {"Code", "Message", "RequestId", "HostId"}


def test_sync_save_as_variables_are_expanded() -> None:
    fake = FakeOSS(CREDS, clock=lambda: NOW)
    fake.put_object("bkt", "photos/2024/cat.jpg", b"JPEG")
    with _client(fake) as client:
        plain = client.process("bkt", "photos/2024/cat.jpg", Image.resize(width=10).save_as("thumbs/{barename}.{ext}"))
        webp = client.process(
            "bkt",
            "photos/2024/cat.jpg",
            Image.resize(width=10).format("webp").save_as("{dirname}/s/{basename}.{autoext}"),
        )
        dated = client.process(
            "bkt", "photos/2024/cat.jpg", Image.resize(width=10).save_as("{year}/{mon}{day}-{sec}.jpg")
        )
    assert plain.key == "thumbs/cat.jpg"
    assert webp.key == "photos/2024/s/cat.jpg.webp"
    assert dated.key == "2024/0820-07.jpg"
    assert fake.objects[("bkt", "thumbs/cat.jpg")] == b"JPEG"
    assert ("bkt", "thumbs/{barename}.{ext}") not in fake.objects


def test_an_async_job_completes_at_once_writing_numbered_pages_and_notifying() -> None:
    fake = FakeOSS(CREDS, clock=lambda: NOW)
    fake.put_object("docs", "in/report.docx", b"DOCX")
    job = Doc.convert(to="png").save_as("{dirname}/{barename}/{index}.{autoext}").notify("doc-events")
    with _client(fake) as client:
        task = client.submit("docs", "in/report.docx", job)
        assert [client.get("docs", f"in/report/{i}.png", Image.resize(width=10)) for i in (1, 2, 3)] == [
            b"DOCX\n#1",
            b"DOCX\n#2",
            b"DOCX\n#3",
        ]
    assert fake.tasks[0].status == "Succeeded" and fake.pending() == []
    [body] = fake.messages("doc-events")
    event = parse_event(body)
    assert event.task_id == task.task_id and event.request_id == task.request_id
    assert event.succeeded and event.source == "acs.imm" and event.type == "imm:Task:OfficeConversion"
    assert event.sources == (ObjectRef("docs", "in/report.docx"),)
    assert event.targets == tuple(ObjectRef("docs", f"in/report/{i}.png") for i in (1, 2, 3))
    assert event.start_time == event.end_time == NOW
    assert event.matches(job)
    assert fake.messages("other-topic") == []


def test_tasks_complete_when_the_test_says_and_can_fail() -> None:
    fake = FakeOSS(CREDS, clock=lambda: NOW, auto_complete=False)
    fake.put_object("media", "raw/a.mov", b"MOV")
    job = Video.convert(format="mp4").save_as("media", f"out/{Var.barename}.{Var.autoext}").notify("media-events")
    with _client(fake) as client:
        first = client.submit("media", "raw/a.mov", job)
        second = client.submit("media", "raw/a.mov", job)
    assert [t.task_id for t in fake.pending()] == [first.task_id, second.task_id]
    assert fake.messages("media-events") == [] and ("media", "out/a.mp4") not in fake.objects

    done = fake.complete(first.task_id)
    assert done.outputs == (("media", "out/a.mp4"),) and fake.objects[("media", "out/a.mp4")] == b"MOV"
    failed = fake.complete(second.task_id, "Failed", "InvalidArgument", "unsupported codec")
    assert failed.outputs == ()

    ok, bad = (parse_event(m) for m in fake.messages("media-events"))
    assert ok.succeeded and ok.type == "imm:Task:MediaConvert" and ok.targets == (ObjectRef("media", "out/a.mp4"),)
    assert (bad.status, bad.code, bad.message, bad.targets) == ("Failed", "InvalidArgument", "unsupported codec", ())
    with pytest.raises(ValueError, match="already completed"):
        fake.complete(first.task_id)
    with pytest.raises(KeyError):
        fake.complete("no-such-task")


def test_a_single_output_operation_writes_one_object_even_with_index() -> None:
    fake = FakeOSS(CREDS, clock=lambda: NOW)
    fake.put_object("bkt", "a.docx", b"D")
    with _client(fake) as client:
        client.submit("bkt", "a.docx", Doc.convert(to="pdf").save_as("out/{index}-{t_year}{t_mon}.pdf"))
    assert fake.tasks[0].outputs == (("bkt", "out/1-202408.pdf"),)


def test_outputs_go_to_the_save_as_bucket_with_variables() -> None:
    fake = FakeOSS(CREDS, clock=lambda: NOW)
    fake.put_object("bkt", "a.mov", b"M")
    with _client(fake) as client:
        client.submit("bkt", "a.mov", Video.convert(format="mp4").save_as("{bucket}-out", "{key}.{autoext}"))
    assert fake.tasks[0].outputs == (("bkt-out", "a.mov.mp4"),)
    assert fake.objects[("bkt-out", "a.mov.mp4")] == b"M"


def test_frame_capture_writes_one_object_per_frame_numbered_by_index() -> None:
    fake = FakeOSS(CREDS, clock=lambda: NOW, pages=2)
    fake.put_object("media", "clips/a.mp4", b"MP4")
    with _client(fake) as client:
        client.submit(
            "media", "clips/a.mp4", Video.snapshots(format="jpg", count=5).save_as("f/{barename}-{index}.{autoext}")
        )
        client.submit(
            "media", "clips/a.mp4", Video.snapshots(format="png", count=1).save_as("f/{barename}-{index}.{autoext}")
        )
    assert [t.outputs for t in fake.tasks] == [
        (("media", "f/a-1.jpg"), ("media", "f/a-2.jpg")),
        (("media", "f/a-1.png"),),
    ]
