"""Client.submit_many / AsyncClient.submit_many: streaming, laziness, the journal and resuming from it."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, AsyncIterator, Dict, Iterator, List, Tuple, Union

import httpx
import pytest

from procdsl import AsyncJob, Doc
from procdsl.submit import (
    Answer,
    AsyncClient,
    BulkResult,
    Client,
    ConfigurationError,
    Credentials,
    JournalError,
    PreparedRequest,
    RetryPolicy,
    TransportError,
    Unreadable,
)
from procdsl.submit._bulk import JobSpec, job_id
from procdsl.submit._stores import JournalStore
from procdsl.testing import FakeOSS

SECRET = "SECRET-must-not-leak-0123456789"
TOKEN = "TOKEN-must-not-leak-abcdefghij"
CREDS = Credentials("AKIDexample0001", SECRET)
STS = Credentials("STS.AKIDexample0002", SECRET + "x", TOKEN)
JOB = Doc.convert(src="docx", to="pdf").save_as("out/{barename}.pdf")
# b64url("out/{barename}.pdf") = b3V0L3tiYXJlbmFtZX0ucGRm, decoded by hand (as in test_submit_client.py).
JOB_WIRE = "doc/convert,target_pdf,source_docx|sys/saveas,o_b3V0L3tiYXJlbmFtZX0ucGRm"
NO_WAIT = RetryPolicy(base_delay=0.0)
ENDPOINT = "https://oss-cn-hangzhou.aliyuncs.com"

Spec = Tuple[str, str, Union[AsyncJob, str]]


def jobs(n: int, prefix: str = "in") -> Iterator[Spec]:
    for i in range(n):
        yield "bkt", f"{prefix}/{i}.docx", JOB


def client(fake: FakeOSS, creds: Credentials = CREDS) -> Client:
    return Client("cn-hangzhou", creds, ENDPOINT, transport=fake.transport(), retry=NO_WAIT)


def lines(path: Path) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def fake() -> FakeOSS:
    return FakeOSS([CREDS, STS], assume_sources=True)


def test_every_job_is_accepted_once_and_reported_once(fake: FakeOSS) -> None:
    with client(fake) as c:
        results = list(c.submit_many(jobs(25), concurrency=4))
    assert sorted(r.index for r in results) == list(range(25))
    assert {r.outcome for r in results} == {"accepted"}
    assert sorted(t.key for t in fake.tasks) == sorted(f"in/{i}.docx" for i in range(25))
    by_key = {t.key: t.task_id for t in fake.tasks}
    assert all(r.task_id == by_key[r.key] for r in results)
    assert all(str(t.job) == JOB_WIRE for t in fake.tasks)


def test_async_client_takes_an_async_iterable(fake: FakeOSS) -> None:
    async def source() -> AsyncIterator[Spec]:
        for i in range(10):
            await asyncio.sleep(0)
            yield "bkt", f"a/{i}.docx", JOB_WIRE  # a string is parsed (strictly) like submit() does

    async def run() -> List[BulkResult]:
        async with AsyncClient("cn-hangzhou", CREDS, ENDPOINT, transport=fake.transport(), retry=NO_WAIT) as c:
            return [r async for r in c.submit_many(source(), concurrency=3)]

    results = asyncio.run(run())
    assert sorted(r.index for r in results) == list(range(10))
    assert {r.outcome for r in results} == {"accepted"}
    assert len(fake.tasks) == 10


def test_input_is_consumed_lazily(fake: FakeOSS) -> None:
    pulled = 0

    def source() -> Iterator[Spec]:
        nonlocal pulled
        for item in jobs(100_000):
            pulled += 1
            yield item

    with client(fake) as c:
        results = c.submit_many(source(), concurrency=5)
        first = next(results)
        assert first.outcome == "accepted"
        assert pulled <= 6  # the window, not the input
        for _ in range(10):
            next(results)
        assert pulled <= 16
        results.close()  # type: ignore[attr-defined]
    assert len(fake.tasks) <= 16


HEADER = '{"format":"procdsl.submit_many","version":2}\n'


def keys_of(results: List[BulkResult]) -> Dict[str, BulkResult]:
    return {r.key: r for r in results}


def test_journal_records_each_state_change(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with client(fake) as c:
        [result] = list(c.submit_many([("bkt", "in.docx", JOB)], journal=path))
    records = lines(path)
    assert records[0] == {"format": "procdsl.submit_many", "version": 2}
    assert result.job_id == "6b5af332deec83bd3e284679c58d5a8f"  # sha256 of the JSON list, by sha256sum
    assert [(r["id"], r["state"]) for r in records[1:]] == [(result.job_id, "claimed"), (result.job_id, "accepted")]
    assert records[1]["bucket"] == "bkt" and records[1]["key"] == "in.docx"
    assert records[2]["task_id"] == fake.tasks[0].task_id == result.task_id
    assert records[1]["owner"] == records[2]["owner"]


def test_job_identity_is_what_the_job_does_not_where_it_is() -> None:
    # Values computed outside the code: printf '%s' '["bkt", "in.docx", "<wire>"]' | sha256sum | cut -c1-32
    assert job_id("bkt", "in.docx", JOB_WIRE) == "6b5af332deec83bd3e284679c58d5a8f"
    assert job_id("bkt", "in.docx", JOB_WIRE, "retake-2") == "0ac4580e5a49795f989123d8a5e268f8"
    ids = {job_id("bkt", "a", JOB_WIRE), job_id("bkt2", "a", JOB_WIRE), job_id("bkt", "b", JOB_WIRE)}
    assert len(ids | {job_id("bkt", "a", JOB_WIRE + "x"), job_id("bkt", "a", JOB_WIRE, "1")}) == 5


def test_a_string_and_a_value_of_the_same_job_are_one_job(fake: FakeOSS) -> None:
    spelled = "doc/convert,source_docx,target_pdf|sys/saveas,o_b3V0L3tiYXJlbmFtZX0ucGRm"  # another parameter order
    with client(fake) as c:
        results = list(c.submit_many([("bkt", "a.docx", JOB), ("bkt", "a.docx", spelled)]))
    assert sorted(r.outcome for r in results) == ["accepted", "skipped"]
    assert len(fake.tasks) == 1


def test_restart_never_resubmits_accepted_jobs(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with client(fake) as c:
        first = list(c.submit_many(jobs(12), concurrency=3, journal=path))
        again = list(c.submit_many(jobs(12), concurrency=3, journal=path))
    assert len(fake.tasks) == 12
    assert all(r.resumed and r.outcome == "accepted" for r in again)
    assert {(r.key, r.task_id) for r in again} == {(r.key, r.task_id) for r in first}


@pytest.mark.parametrize(
    "edit, expected_new",
    [
        ("reverse", set()),
        ("drop-first-10", set()),
        ("insert-at-5", {"new.docx"}),
        ("extend", {"in/100.docx", "in/101.docx"}),
    ],
)
def test_an_edited_list_sends_exactly_the_jobs_not_yet_accepted(
    fake: FakeOSS,
    tmp_path: Path,
    edit: str,
    expected_new: set,  # type: ignore[type-arg]
) -> None:
    path = tmp_path / "run.jsonl"
    accepted = list(jobs(100))
    edited = {
        "reverse": accepted[::-1],
        "drop-first-10": accepted[10:],
        "insert-at-5": [*accepted[:5], ("bkt", "new.docx", JOB), *accepted[5:]],
        "extend": list(jobs(102)),
    }[edit]
    with client(fake) as c:
        list(c.submit_many(accepted, concurrency=8, journal=path))
        before = len(fake.requests)
        results = list(c.submit_many(edited, concurrency=8, journal=path))
    sent = {r.key for r in fake.requests[before:]}
    assert sent == expected_new  # nothing accepted is sent again, every new job is
    by_key = keys_of(results)
    assert all(by_key[k].outcome == "accepted" and not by_key[k].resumed for k in expected_new)
    assert all(r.resumed for r in results if r.key not in expected_new and r.outcome == "accepted")
    assert len({t.key for t in fake.tasks}) == len(fake.tasks)


def test_duplicates_in_one_list_are_sent_once_and_reported(fake: FakeOSS, tmp_path: Path) -> None:
    items: List[Spec] = [("bkt", "a.docx", JOB), ("bkt", "b.docx", JOB), ("bkt", "a.docx", JOB), ("bkt", "a.docx", JOB)]
    with client(fake) as c:
        results = sorted(c.submit_many(items, concurrency=4, journal=tmp_path / "j.jsonl"), key=lambda r: r.index)
    assert [r.outcome for r in results] == ["accepted", "accepted", "skipped", "skipped"]
    assert all("duplicate" in (r.reason or "") for r in results[2:])
    assert results[2].job_id == results[0].job_id
    assert sorted(t.key for t in fake.tasks) == ["a.docx", "b.docx"]


def test_a_caller_given_id_makes_a_deliberate_second_task(fake: FakeOSS) -> None:
    items: List[JobSpec] = [("bkt", "a.docx", JOB), ("bkt", "a.docx", JOB, "second take")]
    with client(fake) as c:
        results = list(c.submit_many(items))
    assert [r.outcome for r in results] == ["accepted", "accepted"]
    assert len(fake.tasks) == 2


# ---- the journal file -----------------------------------------------------------------------


def test_a_torn_last_line_of_any_length_is_dropped(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with client(fake) as c:
        list(c.submit_many(jobs(2), journal=path))
        with open(path, "ab") as fh:  # killed while writing a record longer than any read-ahead
            fh.write(b'{"id":"abc","state":"accepted","owner":"x","reason":"' + b"r" * 100_000)
        results = list(c.submit_many(jobs(3), journal=path))
        assert sorted((r.key, r.resumed) for r in results) == [
            ("in/0.docx", True),
            ("in/1.docx", True),
            ("in/2.docx", False),
        ]
        again = list(c.submit_many(jobs(3), journal=path))  # and the journal stays readable
    assert all(r.resumed for r in again)
    assert len(fake.tasks) == 3
    assert all(isinstance(r, dict) for r in lines(path))


def test_a_complete_last_line_without_newline_is_kept(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with client(fake) as c:
        list(c.submit_many(jobs(1), journal=path))
        path.write_bytes(path.read_bytes().rstrip(b"\n"))  # the accepted record lost only its newline
        [again] = list(c.submit_many(jobs(1), journal=path))
        [third] = list(c.submit_many(jobs(1), journal=path))
    assert (again.outcome, again.resumed, third.resumed) == ("accepted", True, True)
    assert len(fake.tasks) == 1


def test_a_damaged_line_in_the_middle_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text(HEADER + 'not json\n{"id":"x","state":"claimed","owner":"o"}\n')
    with pytest.raises(JournalError, match="line 2"):
        JournalStore(path)


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"bucket": "bkt", "key": "a.docx", "process": "x"}\n', "not a procdsl journal"),
        ('{"format":"something-else","version":2}\n', "not a procdsl journal"),
        ('{"format":"procdsl.submit_many","version":1}\n', "version 1"),
    ],
)
def test_files_that_are_not_its_own_are_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text(content)
    with pytest.raises(JournalError, match=message):
        JournalStore(path)
    assert path.read_text() == content  # untouched


def test_journal_problems_are_journal_errors(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="cannot open"):
        JournalStore(tmp_path)  # a directory
    with pytest.raises(JournalError, match="cannot open"):
        JournalStore(tmp_path / "missing-dir" / "j.jsonl")
    if os.geteuid() != 0:  # root reads any file
        locked = tmp_path / "locked.jsonl"
        locked.write_text(HEADER)
        locked.chmod(0)
        with pytest.raises(JournalError, match="cannot open"):
            JournalStore(locked)


def test_a_second_process_is_refused_at_once_or_waits(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    holder = JournalStore(path)
    code = (
        "import sys, time; from procdsl.submit import JournalStore, JournalError\n"
        "t = time.monotonic()\n"
        "try:\n    JournalStore(sys.argv[1]); print('opened')\n"
        "except JournalError as e:\n    print('refused', round(time.monotonic() - t, 1), e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=30)
    assert out.stdout.startswith("refused 0.") and "in use by another process" in out.stdout
    waiter = subprocess.Popen(
        [sys.executable, "-c", "import sys; from procdsl.submit import JournalStore; "
         "JournalStore(sys.argv[1], wait=True); print('opened')", str(path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(0.3)
    assert waiter.poll() is None  # still waiting for the lock
    holder.close()
    assert waiter.communicate(timeout=30)[0] == "opened\n"


# ---- bad jobs, never-sent jobs, ambiguous jobs ------------------------------------------------


def test_bad_jobs_fail_with_a_reason_and_the_rest_go_on(fake: FakeOSS, tmp_path: Path) -> None:
    nested: Any = ()
    for _ in range(100_000):
        nested = (nested,)
    items: List[Any] = [
        ("bkt", "a.docx", "doc/convert,target_nope"),
        ("Bad_Bucket", "a.docx", JOB),
        ("bkt", "/a.docx", JOB),
        "not a tuple",
        ("bkt", "lone\udc80surrogate.docx", JOB),
        ("bkt", "a.docx", nested),
        Unreadable("jobs.jsonl line 7: not JSON"),
        ("bkt", "ok.docx", JOB),
    ]
    path = tmp_path / "j.jsonl"
    with client(fake) as c:
        results = {r.index: r for r in c.submit_many(items, journal=path)}
        again = {r.index: r for r in c.submit_many(items, journal=path)}  # the same place does not stop it either
    assert [results[i].outcome for i in range(8)] == ["failed"] * 7 + ["accepted"]
    reasons = [results[i].reason or "" for i in range(7)]
    assert "target" in reasons[0] and "bucket" in reasons[1] and "key" in reasons[2] and "tuple" in reasons[3]
    assert "surrogate" in reasons[4] and "line 7" in reasons[6]
    assert [t.key for t in fake.tasks] == ["ok.docx"]
    assert len(fake.requests) == 1
    assert [again[i].outcome for i in range(8)] == ["failed"] * 7 + ["accepted"]
    assert lines(path)  # the journal stays readable with the bad key written escaped


def test_never_sent_jobs_are_sent_again_on_rerun(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    # Nothing listens on port 9 of 127.0.0.1 here: every connection is refused, nothing is sent.
    with Client("cn-hangzhou", CREDS, "http://127.0.0.1:9", retry=NO_WAIT) as c:
        down = list(c.submit_many(jobs(4), concurrency=2, journal=path))
    assert {r.outcome for r in down} == {"failed"}
    assert all("ConnectError" in (r.reason or "") and "never sent" in (r.reason or "") for r in down)
    with fake.serve() as url, Client("cn-hangzhou", CREDS, url, retry=NO_WAIT) as c:
        up = list(c.submit_many(jobs(4), concurrency=2, journal=path))
    assert sorted((r.key, r.outcome, r.resumed) for r in up) == [(f"in/{i}.docx", "accepted", False) for i in range(4)]
    assert len(fake.tasks) == 4


def test_a_dns_failure_is_never_sent_and_sent_again(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with Client("cn-hangzhou", CREDS, "https://oss.invalid", retry=NO_WAIT) as c:  # .invalid never resolves (RFC 2606)
        [down] = list(c.submit_many(jobs(1), journal=path))
    assert down.outcome == "failed" and "never sent" in (down.reason or "")
    with client(fake) as c:
        [up] = list(c.submit_many(jobs(1), journal=path))
    assert (up.outcome, up.resumed) == ("accepted", False)


@pytest.mark.parametrize("sent, outcome, resent", [(False, "failed", True), (True, "unknown", False)])
def test_the_clients_sent_flag_decides_a_resend(
    fake: FakeOSS, tmp_path: Path, sent: bool, outcome: str, resent: bool
) -> None:
    """Whatever the client's reason (refused connection, DNS, a header refused before writing), ``sent`` decides."""
    path = tmp_path / "run.jsonl"

    class Failing(Client):
        def send(self, prepared: PreparedRequest) -> Answer:
            raise TransportError("the request could not be written", sent=sent)

    with Failing("cn-hangzhou", CREDS, ENDPOINT, transport=fake.transport(), retry=NO_WAIT) as c:
        [first] = list(c.submit_many(jobs(1), journal=path))
    with client(fake) as c:
        [second] = list(c.submit_many(jobs(1), journal=path))
    assert first.outcome == outcome
    assert (second.outcome, second.resumed) == (("accepted", False) if resent else ("unknown", True))
    assert len(fake.tasks) == int(resent)


def test_ambiguous_jobs_are_reported_not_resubmitted_unless_asked(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    fake.drop_next(after_processing=True)  # the task is created, the answer is lost
    with client(fake) as c:
        [lost] = list(c.submit_many(jobs(1), journal=path))
        assert lost.outcome == "unknown" and "may have been created" in (lost.reason or "")
        [again] = list(c.submit_many(jobs(1), journal=path))
        assert (again.outcome, again.resumed) == ("unknown", True)
        assert "resubmit_unknown" in (again.reason or "")
        assert len(fake.tasks) == 1
        [forced] = list(c.submit_many(jobs(1), journal=path, resubmit_unknown=True))
    assert (forced.outcome, forced.resumed) == ("accepted", False)
    assert len(fake.tasks) == 2  # the user asked for it


def test_a_claim_without_outcome_counts_as_ambiguous(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    ident = job_id("bkt", "in/0.docx", JOB_WIRE)
    path.write_text(HEADER + f'{{"id":"{ident}","state":"claimed","owner":"host:1:dead"}}\n')
    with client(fake) as c:
        results = sorted(c.submit_many(jobs(2), journal=path), key=lambda r: r.index)
    assert [(r.outcome, r.resumed) for r in results] == [("unknown", True), ("accepted", False)]
    assert "stopped before the answer" in (results[0].reason or "")
    assert [t.key for t in fake.tasks] == ["in/1.docx"]


def test_a_refused_job_fails_and_is_not_resent(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    fake.fail_next(400, "InvalidArgument", "The process string is invalid.")
    with client(fake) as c:
        [refused] = list(c.submit_many(jobs(1), journal=path))
        [again] = list(c.submit_many(jobs(1), journal=path))
    assert refused.outcome == "failed" and refused.reason is not None and "InvalidArgument (400)" in refused.reason
    assert (again.outcome, again.resumed, again.reason) == ("failed", True, refused.reason)
    assert fake.tasks == []


@pytest.mark.parametrize(
    ("status", "code"),
    [(403, "SignatureDoesNotMatch"), (403, "InvalidAccessKeyId"), (403, "AccessDenied"), (404, "NoSuchKey")],
)
def test_a_refusal_outside_the_job_is_sent_again_once_fixed(
    fake: FakeOSS, tmp_path: Path, status: int, code: str
) -> None:
    # Wrong secret or region, a missing permission, a source not uploaded yet: OSS made no task,
    # so the next run (after the fix) sends the job instead of keeping it failed for ever.
    path = tmp_path / "run.jsonl"
    fake.fail_next(status, code, "refused")
    with client(fake) as c:
        [refused] = list(c.submit_many(jobs(1), journal=path))
        [again] = list(c.submit_many(jobs(1), journal=path))
    assert refused.outcome == "failed" and f"{code} ({status})" in (refused.reason or "")
    assert "sent again on rerun" in (refused.reason or "")
    assert (again.outcome, again.resumed) == ("accepted", False)
    assert len(fake.tasks) == 1


def test_a_200_with_an_unreadable_body_is_unknown(tmp_path: Path) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b"<html>proxy"))
    with Client("cn-hangzhou", CREDS, ENDPOINT, transport=transport, retry=NO_WAIT) as c:
        [result] = list(c.submit_many(jobs(1), journal=tmp_path / "j.jsonl"))
        [again] = list(c.submit_many(jobs(1), journal=tmp_path / "j.jsonl"))
    assert result.outcome == "unknown" and "probably created" in (result.reason or "")
    assert (again.outcome, again.resumed) == ("unknown", True)


def _echo_secret_transport(secret: str, token: str) -> httpx.MockTransport:
    def respond(request: httpx.Request) -> httpx.Response:
        body = f"<Error><Code>InvalidArgument</Code><Message>echo {secret} {token}</Message></Error>"
        return httpx.Response(400, content=body.encode(), headers={"x-oss-request-id": "R1"})

    return httpx.MockTransport(respond)


def test_secrets_never_reach_the_journal_results_or_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "run.jsonl"
    caplog.set_level(logging.DEBUG)
    transport = _echo_secret_transport(STS.access_key_secret, TOKEN)
    with Client("cn-hangzhou", STS, ENDPOINT, transport=transport, retry=NO_WAIT) as c:
        results = list(c.submit_many(jobs(2), journal=path))
        text = repr(c) + repr(results) + str([r.as_dict() for r in results])
    assert {r.outcome for r in results} == {"failed"}
    assert all("echo <hidden> <hidden>" in (r.reason or "") for r in results)
    for where in (text, path.read_text(), caplog.text):
        assert SECRET not in where and TOKEN not in where


def test_progress_line_only_on_request_or_terminal(fake: FakeOSS, capsys: pytest.CaptureFixture[str]) -> None:
    with client(fake) as c:
        list(c.submit_many(jobs(3)))  # stderr is captured, not a terminal: no progress
        assert capsys.readouterr().err == ""
        list(c.submit_many(jobs(3, "p"), progress=True))
    err = capsys.readouterr().err
    assert err.startswith("\rsubmit_many: ") and err.endswith("3 done, 3 accepted, 0 failed, 0 unknown, 0 skipped\n")


@pytest.mark.parametrize("bad", [0, -1, 1001, True, 2.5])
def test_concurrency_is_checked(fake: FakeOSS, bad: Any) -> None:
    with client(fake) as c, pytest.raises(ConfigurationError, match="concurrency"):
        c.submit_many(jobs(1), concurrency=bad)


# ---- procdsl submit --jobs FILE.jsonl --journal PATH ------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str, str]:
    from procdsl._cli import main

    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def cli_fake(monkeypatch: pytest.MonkeyPatch, fake: FakeOSS) -> FakeOSS:
    import procdsl._cli

    monkeypatch.setattr(procdsl._cli, "_client", lambda region: client(fake))
    return fake


def test_cli_submits_a_jobs_file_and_resumes(
    capsys: pytest.CaptureFixture[str], cli_fake: FakeOSS, tmp_path: Path
) -> None:
    jobs_file, journal = tmp_path / "jobs.jsonl", tmp_path / "journal.jsonl"
    rows = [{"bucket": "bkt", "key": f"cli/{i}.docx", "process": JOB_WIRE} for i in range(3)]
    jobs_file.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    code, out, err = run_cli(capsys, "submit", "--jobs", str(jobs_file), "--journal", str(journal))
    assert (code, err) == (0, "procdsl submit: 3 jobs: 3 accepted (0 earlier), 0 failed, 0 unknown, 0 skipped\n")
    printed = sorted((json.loads(line) for line in out.splitlines()), key=lambda r: r["index"])
    assert [(r["index"], r["key"], r["outcome"], r["resumed"]) for r in printed] == [
        (i, f"cli/{i}.docx", "accepted", False) for i in range(3)
    ]
    assert sorted(t.task_id for t in cli_fake.tasks) == sorted(r["task_id"] for r in printed)
    code, out, _ = run_cli(capsys, "submit", "--jobs", str(jobs_file), "--journal", str(journal))
    assert code == 0 and all(json.loads(line)["resumed"] for line in out.splitlines())
    assert len(cli_fake.tasks) == 3


def test_cli_exit_status_and_mistakes(capsys: pytest.CaptureFixture[str], cli_fake: FakeOSS, tmp_path: Path) -> None:
    jobs_file = tmp_path / "jobs.jsonl"
    jobs_file.write_text(json.dumps({"bucket": "bkt", "key": "a.docx", "process": "doc/convert,target_nope"}) + "\n")
    code, out, _ = run_cli(capsys, "submit", "--jobs", str(jobs_file))
    assert code == 1 and json.loads(out)["outcome"] == "failed"
    code, _, err = run_cli(capsys, "submit", "--jobs", str(tmp_path / "missing.jsonl"))
    assert code == 1 and "no such jobs file" in err
    code, _, err = run_cli(capsys, "submit", "--journal", str(tmp_path / "j.jsonl"))
    assert code == 1 and "need --jobs" in err
    code, _, err = run_cli(capsys, "submit", "bkt", "a.docx", JOB_WIRE, "--jobs", str(jobs_file))
    assert code == 1 and "not both" in err
    code, _, err = run_cli(capsys, "submit", "--jobs", str(jobs_file), "--journal", "j", "--store", "sqlite:x")
    assert code == 1 and "not both" in err
    code, _, err = run_cli(capsys, "submit", "--jobs", str(jobs_file), "--store", "mysql://x")
    assert code == 1 and "--store must be" in err


def test_cli_bad_lines_fail_and_the_rest_are_sent(
    capsys: pytest.CaptureFixture[str], cli_fake: FakeOSS, tmp_path: Path
) -> None:
    jobs_file = tmp_path / "jobs.jsonl"
    good = json.dumps({"bucket": "bkt", "key": "ok.docx", "process": JOB_WIRE})
    deep = "[" * 100_000 + "]" * 100_000
    jobs_file.write_text('{"bucket": "bkt", "key": "a.docx"}\nnot json\n' + deep + "\n" + good + "\n")
    code, out, err = run_cli(capsys, "submit", "--jobs", str(jobs_file), "--journal", str(tmp_path / "j.jsonl"))
    printed = sorted((json.loads(line) for line in out.splitlines()), key=lambda r: r["index"])
    assert code == 1  # not every job was accepted
    assert [r["outcome"] for r in printed] == ["failed", "failed", "failed", "accepted"]
    assert ["line 1" in printed[0]["reason"], "line 2" in printed[1]["reason"], "line 3" in printed[2]["reason"]] == [
        True
    ] * 3
    assert "1 accepted (0 earlier), 3 failed" in err
    assert [t.key for t in cli_fake.tasks] == ["ok.docx"]


@pytest.mark.parametrize(
    "outcomes, code",
    [(["accepted", "accepted"], 0), (["accepted", "unknown"], 1), (["accepted", "failed"], 1)],
)
def test_cli_exit_code_is_zero_only_when_every_job_is_done(
    capsys: pytest.CaptureFixture[str], cli_fake: FakeOSS, tmp_path: Path, outcomes: List[str], code: int
) -> None:
    jobs_file, journal = tmp_path / "jobs.jsonl", tmp_path / "j.jsonl"
    rows = [{"bucket": "bkt", "key": f"{i}.docx", "process": JOB_WIRE} for i in range(2)]
    jobs_file.write_text("".join(json.dumps(r) + "\n" for r in rows))
    if outcomes[1] == "unknown":
        cli_fake.drop_next(after_processing=True)
    elif outcomes[1] == "failed":
        cli_fake.fail_next(400, "InvalidArgument", "The process string is invalid.")
    first = run_cli(capsys, "submit", "--jobs", str(jobs_file), "--journal", str(journal), "--concurrency", "1")
    assert first[0] == code
    again = run_cli(capsys, "submit", "--jobs", str(jobs_file), "--journal", str(journal))
    assert again[0] == code  # already done is done; an earlier unknown or failure still is not


def test_cli_stdout_closed_early_stops_quietly_with_failure(fake: FakeOSS, tmp_path: Path) -> None:
    from tests.submit.faultserver import FaultServer

    jobs_file, journal = tmp_path / "jobs.jsonl", tmp_path / "j.jsonl"
    jobs_file.write_text("".join(json.dumps({"bucket": "bkt", "key": f"{i}.docx", "process": JOB_WIRE}) + "\n"
                                 for i in range(300)))  # fmt: skip
    code = (
        "import sys, procdsl._cli as cli\n"
        "from procdsl.submit import Client, Credentials, RetryPolicy\n"
        "creds = Credentials('AKIDexample0001', 'SECRET-must-not-leak-0123456789')\n"
        "cli._client = lambda region: Client('cn-hangzhou', creds, sys.argv[1], retry=RetryPolicy(base_delay=0))\n"
        "sys.exit(cli.main(['submit', '--jobs', sys.argv[2], '--journal', sys.argv[3], '--region', 'cn-hangzhou']))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    with FaultServer(fake, default="slow", delay=0.01).serve() as url:
        child = subprocess.Popen(
            [sys.executable, "-c", code, url, str(jobs_file), str(journal)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        assert child.stdout is not None and child.stderr is not None
        child.stdout.readline()
        child.stdout.close()  # like `| head -1`
        err = child.stderr.read()
        child.wait(30)
    assert child.returncode == 1
    assert err == b""  # quiet: no traceback, no "Exception ignored"
    assert len(fake.tasks) < 300  # it stopped sending
    with JournalStore(journal) as store:  # and what was sent is recorded
        assert all(store.lookup(job_id("bkt", t.key, JOB_WIRE)) is not None for t in fake.tasks)


# ---- interrupts -------------------------------------------------------------------------------

INTERRUPTED_CHILD = """
import json, sys
from procdsl import Doc
from procdsl.submit import Client, Credentials, RetryPolicy
url, journal, grace = sys.argv[1], sys.argv[2], float(sys.argv[3])
job = Doc.convert(src="docx", to="pdf").save_as("out/{barename}.pdf")
creds = Credentials("AKIDexample0001", "SECRET-must-not-leak-0123456789")
with Client("cn-hangzhou", creds, url, retry=RetryPolicy(base_delay=0.0), timeout=60) as c:
    try:
        for r in c.submit_many((("bkt", f"int/{i}.docx", job) for i in range(40)), concurrency=4, journal=journal,
                               grace=grace):
            print(json.dumps(r.as_dict()), flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
"""


def _interrupted_run(url: str, journal: Path, grace: float, server: Any) -> Tuple[List[Dict[str, Any]], str, float]:
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")]),
    )
    child = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED_CHILD, url, str(journal), str(grace)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while sum(server.counts.values()) < 4 and time.monotonic() < deadline:  # four requests in flight
        time.sleep(0.01)
    start = time.monotonic()
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    elapsed = time.monotonic() - start
    assert child.returncode == 130 and out.endswith("interrupted\n"), (out, err)
    return [json.loads(line) for line in out.splitlines()[:-1]], err, elapsed


def test_ctrl_c_waits_for_answers_in_flight_and_records_them(fake: FakeOSS, tmp_path: Path) -> None:
    from tests.submit.faultserver import FaultServer

    path = tmp_path / "j.jsonl"
    server = FaultServer(fake, default="slow", delay=0.5)
    with server.serve() as url:
        printed, err, elapsed = _interrupted_run(url, path, 5.0, server)
        assert elapsed < 4.0  # the answers came after 0.5 s: no need to wait the whole grace
        assert err == ""  # no traceback, no "Task was destroyed"
        assert len(printed) == 4 and {r["outcome"] for r in printed} == {"accepted"}  # accepted stays accepted
        assert sorted(r["key"] for r in printed) == sorted(t.key for t in fake.tasks)
        with Client("cn-hangzhou", CREDS, url, retry=NO_WAIT) as c:
            after = list(c.submit_many(((b, f"int/{i}.docx", j) for i, (b, _, j) in enumerate(jobs(40))), journal=path))
    assert sum(r.resumed for r in after) == 4
    assert {r.outcome for r in after} == {"accepted"}
    assert sorted(len(v) for v in server.seen.values()) == [1] * 40  # nothing sent twice


def test_ctrl_c_against_a_hanging_server_exits_after_the_grace(fake: FakeOSS, tmp_path: Path) -> None:
    from tests.submit.faultserver import FaultServer

    path = tmp_path / "j.jsonl"
    server = FaultServer(fake, default="slow", delay=30)
    with server.serve() as url:
        printed, err, elapsed = _interrupted_run(url, path, 0.5, server)
    assert elapsed < 5.0 and err == ""
    assert len(printed) == 4 and {r["outcome"] for r in printed} == {"unknown"}
    assert all("interrupted while waiting" in r["reason"] for r in printed)
    with JournalStore(path) as store:
        found = [store.lookup(r["job_id"]) for r in printed]
    assert [e.state if e else None for e in found] == ["unknown"] * 4


def test_cancelling_the_async_consumer_records_what_was_in_flight(fake: FakeOSS, tmp_path: Path) -> None:
    from tests.submit.faultserver import FaultServer

    path = tmp_path / "j.jsonl"
    server = FaultServer(fake, default="slow", delay=0.3)

    async def consume(url: str) -> None:
        async with AsyncClient("cn-hangzhou", CREDS, url, retry=NO_WAIT) as c:
            async for _ in c.submit_many(jobs(20), concurrency=3, journal=path, grace=5):
                pass

    async def main(url: str) -> None:
        task = asyncio.ensure_future(consume(url))
        while sum(server.counts.values()) < 3:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    with server.serve() as url:
        asyncio.run(main(url))
    assert len(fake.tasks) == 3
    with JournalStore(path) as store:
        states = [store.lookup(job_id("bkt", t.key, JOB_WIRE)) for t in fake.tasks]
    assert [s.state if s else None for s in states] == ["accepted"] * 3


def test_cli_store_sqlite_resumes(capsys: pytest.CaptureFixture[str], cli_fake: FakeOSS, tmp_path: Path) -> None:
    jobs_file = tmp_path / "jobs.jsonl"
    rows = [{"bucket": "bkt", "key": f"s/{i}.docx", "process": JOB_WIRE} for i in range(3)]
    jobs_file.write_text("".join(json.dumps(r) + "\n" for r in rows))
    store = f"sqlite:{tmp_path / 'jobs.sqlite'}"
    code, _, _ = run_cli(capsys, "submit", "--jobs", str(jobs_file), "--store", store)
    assert code == 0
    rows.reverse()  # another order, the same jobs
    jobs_file.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, err = run_cli(capsys, "submit", "--jobs", str(jobs_file), "--store", store)
    assert code == 0 and all(json.loads(line)["resumed"] for line in out.splitlines())
    assert "3 accepted (3 earlier)" in err
    assert len(cli_fake.tasks) == 3
