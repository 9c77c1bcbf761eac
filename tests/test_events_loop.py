"""The whole asynchronous loop against the stand-in: submit, receive the notification, parse it, fetch the pages."""

from __future__ import annotations

from procdsl import Doc, Image, Var
from procdsl.events import ObjectRef, parse_event
from procdsl.submit import Client, Credentials
from procdsl.testing import FakeOSS

CREDS = Credentials("AK", "SK")


def test_submit_notify_parse_fetch() -> None:
    fake = FakeOSS(CREDS, auto_complete=False, pages=2)
    fake.put_object("doc-demo", "example.docx", b"DOCX")
    # The OSS message-notification page's job (doc/convert → test-bucket/doc_images/{index}.png → test-topic).
    job = Doc.convert(src="docx", to="png").save_as("test-bucket", "doc_images/{index}.png").notify("test-topic")
    assert str(job) == (
        "doc/convert,target_png,source_docx"
        "|sys/saveas,b_dGVzdC1idWNrZXQ,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify,topic_dGVzdC10b3BpYw"
    )
    with Client("cn-hangzhou", CREDS, transport=fake.transport()) as client:
        task = client.submit("doc-demo", "example.docx", job)
        assert fake.messages("test-topic") == []  # still running
        fake.complete(task.task_id)
        [message] = fake.messages("test-topic")
        event = parse_event(message)
        assert (event.task_id, event.request_id, event.status) == (task.task_id, task.request_id, "Succeeded")
        assert event.sources == (ObjectRef("doc-demo", "example.docx"),)
        assert event.targets == (
            ObjectRef("test-bucket", "doc_images/1.png"),
            ObjectRef("test-bucket", "doc_images/2.png"),
        )
        assert event.matches(job)
        pages = [client.get(t.bucket, t.key, Image.resize(width=800)) for t in event.targets]
    assert pages == [b"DOCX\n#1", b"DOCX\n#2"]


def test_events_pick_their_job_among_several() -> None:
    fake = FakeOSS(CREDS)
    jobs = {}
    with Client("cn-hangzhou", CREDS, transport=fake.transport()) as client:
        for name in ("a", "b"):
            fake.put_object("docs", f"in/{name}.docx", b"D")
            job = Doc.convert(to="pdf").save_as(f"out/{Var.barename}.{Var.autoext}").notify("done")
            jobs[name] = (job, client.submit("docs", f"in/{name}.docx", job))
    events = [parse_event(m) for m in fake.messages("done")]
    assert [e.targets for e in events] == [(ObjectRef("docs", "out/a.pdf"),), (ObjectRef("docs", "out/b.pdf"),)]
    # Both jobs share a template: the source fills {barename}, so each event matches its own job's target only.
    other = Doc.convert(to="pdf").save_as("elsewhere/{barename}.pdf")
    assert all(e.matches(jobs["a"][0]) and not e.matches(other) for e in events)
    assert [e.task_id for e in events] == [jobs["a"][1].task_id, jobs["b"][1].task_id]
