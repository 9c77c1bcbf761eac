"""Client.submit_many / AsyncClient.submit_many: streaming, laziness, the journal and resuming from it."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any, AsyncIterator, Dict, Iterator, List, Tuple, Union

import httpx
import pytest

from procdsl import AsyncJob, Doc, ProcessValueError
from procdsl.submit import AsyncClient, BulkResult, Client, Credentials, JournalError, RetryPolicy
from procdsl.submit._bulk import job_id, read_journal
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


def test_journal_records_each_state_change(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with client(fake) as c:
        [result] = list(c.submit_many([("bkt", "in.docx", JOB)], journal=path))
    records = lines(path)
    assert records[0] == {"format": "procdsl.submit_many", "version": 1}
    ident = job_id(0, "bkt", "in.docx", JOB_WIRE)
    assert result.job_id == ident
    assert [(r["id"], r["i"], r["state"]) for r in records[1:]] == [
        (ident, 0, "queued"),
        (ident, 0, "sent"),
        (ident, 0, "accepted"),
    ]
    assert records[1]["bucket"] == "bkt" and records[1]["key"] == "in.docx"
    assert records[3]["task_id"] == fake.tasks[0].task_id == result.task_id


def test_job_identity_is_position_bucket_key_and_process() -> None:
    ids = {
        job_id(0, "bkt", "a", JOB_WIRE),
        job_id(1, "bkt", "a", JOB_WIRE),
        job_id(0, "bkt2", "a", JOB_WIRE),
        job_id(0, "bkt", "b", JOB_WIRE),
        job_id(0, "bkt", "a", JOB_WIRE + "x"),
    }
    assert len(ids) == 5
    assert job_id(3, "bkt", "a", JOB_WIRE) == job_id(3, "bkt", "a", JOB_WIRE)


def test_restart_never_resubmits_accepted_jobs(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with client(fake) as c:
        first = list(c.submit_many(jobs(12), concurrency=3, journal=path))
        again = list(c.submit_many(jobs(12), concurrency=3, journal=path))
    assert len(fake.tasks) == 12
    assert all(r.resumed and r.outcome == "accepted" for r in again)
    assert {(r.index, r.task_id) for r in again} == {(r.index, r.task_id) for r in first}


def test_an_edited_input_does_not_inherit_outcomes(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with client(fake) as c:
        list(c.submit_many(jobs(3), journal=path))
        other = Doc.convert(src="docx", to="png").save_as("png/{index}.png")
        results = list(c.submit_many([("bkt", "in/0.docx", other), *list(jobs(3))[1:]], journal=path))
    assert sorted((r.index, r.resumed) for r in results) == [(0, False), (1, True), (2, True)]
    assert len(fake.tasks) == 4


def test_a_torn_last_line_is_tolerated_and_cut(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with client(fake) as c:
        list(c.submit_many(jobs(2), journal=path))
        with open(path, "ab") as fh:  # killed while writing a third job's record
            fh.write(b'{"id":"abc","i":2,"sta')
        results = list(c.submit_many(jobs(3), journal=path))
    assert sorted((r.index, r.resumed) for r in results) == [(0, True), (1, True), (2, False)]
    assert len(fake.tasks) == 3
    assert all(isinstance(r, dict) for r in lines(path))  # every line is whole again


def test_a_damaged_line_in_the_middle_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text('{"format":"procdsl.submit_many","version":1}\nnot json\n{"id":"x","i":0,"state":"queued"}\n')
    with pytest.raises(JournalError, match="line 2"):
        read_journal(path)
    path.write_text('{"format":"something-else","version":1}\n')
    with pytest.raises(JournalError, match="something-else"):
        read_journal(path)


def test_invalid_jobs_fail_with_a_reason_and_are_never_sent(fake: FakeOSS, tmp_path: Path) -> None:
    items: List[Any] = [
        ("bkt", "a.docx", "doc/convert,target_nope"),
        ("Bad_Bucket", "a.docx", JOB),
        ("bkt", "/a.docx", JOB),
        "not a tuple",
        ("bkt", "ok.docx", JOB),
    ]
    with client(fake) as c:
        results = {r.index: r for r in c.submit_many(items, journal=tmp_path / "j.jsonl")}
    assert [results[i].outcome for i in range(5)] == ["failed"] * 4 + ["accepted"]
    assert "target" in (results[0].reason or "")
    assert "bucket" in (results[1].reason or "")
    assert "key" in (results[2].reason or "")
    assert "tuple" in (results[3].reason or "")
    assert [t.key for t in fake.tasks] == ["ok.docx"]
    assert len(fake.requests) == 1


def test_never_sent_jobs_are_retried_on_restart(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    # Nothing listens on port 9 of 127.0.0.1 here: every connection is refused, nothing is sent.
    with Client("cn-hangzhou", CREDS, "http://127.0.0.1:9", retry=NO_WAIT) as c:
        down = list(c.submit_many(jobs(4), concurrency=2, journal=path))
    assert {r.outcome for r in down} == {"failed"}
    assert all("ConnectError" in (r.reason or "") for r in down)
    assert all(rec.get("retry") is True for rec in lines(path) if rec.get("state") == "failed")
    with fake.serve() as url, Client("cn-hangzhou", CREDS, url, retry=NO_WAIT) as c:
        up = list(c.submit_many(jobs(4), concurrency=2, journal=path))
    assert sorted((r.index, r.outcome, r.resumed) for r in up) == [(i, "accepted", False) for i in range(4)]
    assert len(fake.tasks) == 4


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


def test_a_sent_record_without_outcome_counts_as_ambiguous(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    ident = job_id(0, "bkt", "in/0.docx", JOB_WIRE)
    path.write_text(
        '{"format":"procdsl.submit_many","version":1}\n'
        f'{{"id":"{ident}","i":0,"state":"queued"}}\n{{"id":"{ident}","i":0,"state":"sent"}}\n'
    )
    with client(fake) as c:
        results = sorted(c.submit_many(jobs(2), journal=path), key=lambda r: r.index)
    assert [(r.outcome, r.resumed) for r in results] == [("unknown", True), ("accepted", False)]
    assert [t.key for t in fake.tasks] == ["in/1.docx"]


def test_oss_refusals_fail_and_are_not_resent(fake: FakeOSS, tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    fake.fail_next(403, "AccessDenied", "You have no right to access this object.")
    with client(fake) as c:
        [refused] = list(c.submit_many(jobs(1), journal=path))
        [again] = list(c.submit_many(jobs(1), journal=path))
    assert refused.outcome == "failed" and refused.reason is not None and "AccessDenied (403)" in refused.reason
    assert (again.outcome, again.resumed, again.reason) == ("failed", True, refused.reason)
    assert fake.tasks == []


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
    assert err.startswith("\rsubmit_many: ") and err.endswith("3 done, 3 accepted, 0 failed, 0 unknown\n")


@pytest.mark.parametrize("bad", [0, -1, 1001, True, 2.5])
def test_concurrency_is_checked(fake: FakeOSS, bad: Any) -> None:
    with client(fake) as c, pytest.raises(ProcessValueError, match="concurrency"):
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
    assert (code, err) == (0, "")
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
    jobs_file.write_text('{"bucket": "bkt", "key": "a.docx"}\n')
    code, _, err = run_cli(capsys, "submit", "--jobs", str(jobs_file))
    assert code == 1 and "line 1" in err
    code, _, err = run_cli(capsys, "submit", "--jobs", str(tmp_path / "missing.jsonl"))
    assert code == 1 and "no such jobs file" in err
    code, _, err = run_cli(capsys, "submit", "--journal", str(tmp_path / "j.jsonl"))
    assert code == 1 and "--journal needs --jobs" in err
    code, _, err = run_cli(capsys, "submit", "bkt", "a.docx", JOB_WIRE, "--jobs", str(jobs_file))
    assert code == 1 and "not both" in err
