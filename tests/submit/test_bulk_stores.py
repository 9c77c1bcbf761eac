"""The exactly-once stores: one contract for all four, and several worker processes sharing one store.

Requests are counted at a loopback server (``FaultServer`` in front of ``FakeOSS``)
that sees every request of every worker: exactly-once is checked where the money is
spent, not in the store. PostgreSQL runs for real: ``pgserver`` (a PyPI package with
PostgreSQL binaries) starts a private server in a temporary directory.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from procdsl.submit import Entry, JobStore, JournalStore, MemoryStore, PostgresStore, SQLiteStore, StoreError, Ticket
from procdsl.testing import FakeOSS
from tests.submit.faultserver import FaultServer

ROOT = Path(__file__).resolve().parents[2]
CREDS_ARGS = ("AKIDexample0001", "SECRET-must-not-leak-0123456789")
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A PostgreSQL server for this test session (pgserver: installed by the dev extra)."""
    pgserver = pytest.importorskip("pgserver", reason="needs the dev extra (pgserver, psycopg)")
    pytest.importorskip("psycopg")
    # As root, pgserver runs PostgreSQL as the user "pgserver": give it a directory it can reach.
    home = Path(tempfile.mkdtemp(prefix="procdsl-pg-"))
    home.chmod(0o755)
    server = pgserver.get_server(home / "data", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(home, ignore_errors=True)


KINDS = ["journal", "sqlite", "postgres"]


def target(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where a store of ``kind`` lives: a file, or a PostgreSQL URI with a fresh table (``#table``)."""
    if kind == "journal":
        return str(tmp_path / "run.jsonl")
    if kind == "sqlite":
        return str(tmp_path / "run.sqlite")
    uri: str = request.getfixturevalue("postgres")
    return f"{uri}#t_{secrets.token_hex(4)}"


def open_store(kind: str, where: str) -> JobStore:
    if kind == "journal":
        return JournalStore(where, wait=True)
    if kind == "sqlite":
        return SQLiteStore(where)
    if kind == "memory":
        return MemoryStore()
    uri, _, table = where.partition("#")
    return PostgresStore(uri, table=table)


T = [Ticket(f"id{i}", "bkt", f"k{i}") for i in range(4)]


@pytest.mark.parametrize("kind", ["memory", *KINDS])
def test_every_store_keeps_the_same_rules(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    where = target(kind, tmp_path, request) if kind != "memory" else ""
    store = open_store(kind, where)
    me = store.owner
    assert store.claim([T[0], T[1], T[0]], False) == [None, None, Entry("claimed", me)]  # the third: a duplicate
    store.record([(T[0], Entry("accepted", me, task_id="task-0"))])
    store.record([(T[1], Entry("failed", me, reason="throttled", retry=True))])
    store.record([(T[2], Entry("unknown", me, reason="read timeout"))])
    assert store.lookup("missing") is None
    if kind == "memory":  # it remembers only what this run has seen: duplicates
        assert store.claim([T[0], T[2]], True) == [Entry("claimed", me)] * 2
        assert store.lookup("id0") == Entry("claimed", me)
        return
    assert store.lookup("id0") == Entry("accepted", me, task_id="task-0")
    assert store.claim([T[0]], False) == [Entry("accepted", me, task_id="task-0")]  # settled by this run
    store.claim([T[3]], False)  # left claimed: its owner will be gone
    store.close()
    with pytest.raises(StoreError):
        store.lookup("id0")
    again = open_store(kind, where)  # a later run, another owner
    try:
        answers = again.claim([T[0], T[1], T[2], T[3]], False)
        assert answers[0] == Entry("accepted", me, task_id="task-0")  # final
        assert answers[1] is None  # failed before any work: taken again
        assert answers[2] == Entry("unknown", me, reason="read timeout")  # not taken ...
        assert answers[3] is not None and answers[3].state == "unknown"  # a dead worker's claim reads unknown
        assert "stopped before the answer" in (answers[3].reason or "")
        assert again.claim([T[2], T[3]], True) == [None, None]  # ... unless resubmit_unknown
    finally:
        again.close()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_live_workers_claim_is_not_taken(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    where = target(kind, tmp_path, request)
    first, second = open_store(kind, where), open_store(kind, where)
    try:
        assert first.claim([T[0]], False) == [None]
        [answer] = second.claim([T[0]], True)  # even with resubmit_unknown: its worker is alive
        assert answer == Entry("claimed", first.owner)
    finally:
        first.close()
        second.close()


WORKER = """
import json, sys
from procdsl import Doc
from procdsl.submit import Client, Credentials, JournalStore, PostgresStore, RetryPolicy, SQLiteStore
url, kind, where, keys = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
if kind == "journal":
    store = JournalStore(where, wait=True)
elif kind == "sqlite":
    store = SQLiteStore(where)
else:
    uri, _, table = where.partition("#")
    store = PostgresStore(uri, table=table)
job = Doc.convert(src="docx", to="pdf").save_as("out/{barename}.pdf")
with store, Client("cn-hangzhou", Credentials(*sys.argv[5:7]), url, retry=RetryPolicy(base_delay=0.0), timeout=10) as c:
    for r in c.submit_many((("bkt", k, job) for k in keys), concurrency=4, journal=store):
        print(json.dumps(r.as_dict()), flush=True)
"""


def worker(url: str, kind: str, where: str, keys: List[str]) -> subprocess.Popen[str]:
    argv = [sys.executable, "-c", WORKER, url, kind, where, json.dumps(keys), *CREDS_ARGS]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, text=True)


@pytest.mark.parametrize("kind", KINDS)
def test_three_workers_on_overlapping_lists_send_each_job_once(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    where = target(kind, tmp_path, request)
    fake = FakeOSS(_creds(), assume_sources=True)
    server = FaultServer(fake, default="slow", delay=0.005)
    keys = [f"in/{i}.docx" for i in range(90)]
    lists = [keys[:60], keys[15:75][::-1], keys[30:] + keys[:30]]  # overlapping, in different orders
    with server.serve() as url:
        workers = [worker(url, kind, where, part) for part in lists]
        outputs = [w.communicate(timeout=120) for w in workers]
    for w, (_, err) in zip(workers, outputs):
        assert w.returncode == 0, err
    assert {k: len(server.seen[k]) for k in keys} == dict.fromkeys(keys, 1)  # each key requested once
    assert sorted(t.key for t in fake.tasks) == sorted(keys)  # each task created once
    results = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert len(results) == sum(map(len, lists))  # every worker reports every job of its list
    tasks = {t.key: t.task_id for t in fake.tasks}
    for r in results:
        assert r["outcome"] in ("accepted", "skipped"), r
        if r["outcome"] == "accepted":
            assert r["task_id"] == tasks[r["key"]]
        else:
            assert "another worker" in r["reason"]
    assert {r["key"] for r in results if r["outcome"] == "accepted"} == set(keys)


def _creds() -> Any:
    from procdsl.submit import Credentials

    return Credentials(*CREDS_ARGS)


@pytest.mark.parametrize("kind", KINDS)
def test_killed_at_random_points_then_resumed(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """SIGKILL a worker at random moments (mid-request, mid-store-write), three times, then finish the list."""
    where = target(kind, tmp_path, request)
    fake = FakeOSS(_creds(), assume_sources=True)
    server = FaultServer(fake, default="slow", delay=0.004)
    keys = [f"kill/{i}.docx" for i in range(120)]
    rng = random.Random(13)
    killed_runs: List[List[Dict[str, Any]]] = []
    with server.serve() as url:
        for _ in range(3):
            before = sum(server.counts.values())
            child = worker(url, kind, where, keys)
            deadline = time.monotonic() + 30
            while sum(server.counts.values()) == before and time.monotonic() < deadline:
                time.sleep(0.005)  # started sending (start-up time varies with the machine's load) ...
            time.sleep(rng.uniform(0.0, 0.25))  # ... then anywhere in the run: mid-request, mid-store-write
            child.send_signal(signal.SIGKILL)
            out, _ = child.communicate(timeout=30)
            killed_runs.append([json.loads(line) for line in out.splitlines() if line.endswith("}")])
        final = worker(url, kind, where, keys)
        out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    results = {r["key"]: r for r in map(json.loads, out.splitlines())}
    assert sorted(results) == sorted(keys)
    created = Counter(t.key for t in fake.tasks)
    assert all(n == 1 for n in created.values()), f"created twice: {created}"
    assert all(len(server.seen[k]) <= 1 for k in keys), "a key was requested twice"
    tasks = {t.key: t.task_id for t in fake.tasks}
    for key, r in results.items():
        if r["outcome"] == "accepted":
            assert r["task_id"] == tasks[key]
        else:  # in flight at a kill: the task may exist, reported and not resent
            assert r["outcome"] == "unknown" and r["resumed"], r
    assert any(r["resumed"] for r in results.values()), "no killed run got anywhere"
    unknown = [k for k, r in results.items() if r["outcome"] == "unknown"]
    assert len(unknown) <= 3 * 4  # at most the window of each killed run
    for run in killed_runs:  # what a killed run reported accepted stays accepted with the same task
        for r in run:
            if r["outcome"] == "accepted":
                assert results[r["key"]]["task_id"] == r["task_id"]
