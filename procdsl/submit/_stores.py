"""Where ``submit_many`` keeps its exactly-once record: one small interface, four implementations.

A store maps a job id (see ``procdsl.submit._bulk.job_id``: bucket, key, canonical
process string and an optional caller-given id) to the last :class:`Entry` of that job:

    claimed(owner)  ->  accepted(task_id) | failed(reason, retry) | unknown(reason)

``claim`` is the only step that decides who sends a job, and it is atomic per
store: a job is taken (and the claim made durable) before its request leaves,
or the entry that stands is returned instead. One rule, :func:`may_take`, is
shared by every store:

- no entry, or ``failed`` with ``retry`` (provably never created): take it;
- an entry written by this same store object (an earlier job of this run): a duplicate, not taken;
- ``claimed`` by a live owner (another worker is sending it right now): not taken;
- ``claimed`` by an owner that is gone (killed after sending) or ``unknown``: the task may exist;
  taken only with ``resubmit_unknown``;
- ``accepted`` or ``failed`` without ``retry``: final.

Implementations: :class:`MemoryStore` (no persistence: only duplicates within one run),
:class:`JournalStore` (JSON Lines, one process at a time under an exclusive lock),
:class:`SQLiteStore` (several processes on one machine) and :class:`PostgresStore`
(many machines; ``pip install 'procdsl[postgres]'``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import secrets
import socket
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, Union

from typing_extensions import Literal, Protocol, Self, runtime_checkable

from ._errors import JournalError, StoreError

if TYPE_CHECKING:
    import sqlite3

__all__ = [
    "Entry",
    "JobStore",
    "JournalError",
    "JournalStore",
    "MemoryStore",
    "PathLike",
    "PostgresStore",
    "SQLiteStore",
    "State",
    "StoreError",
    "Ticket",
    "may_take",
]

PathLike = Union[str, "os.PathLike[str]"]
State = Literal["claimed", "accepted", "failed", "unknown"]

JOURNAL_FORMAT = "procdsl.submit_many"
JOURNAL_VERSION = 2
_HEADER = json.dumps({"format": JOURNAL_FORMAT, "version": JOURNAL_VERSION}, separators=(",", ":")).encode() + b"\n"


@dataclasses.dataclass(frozen=True)
class Entry:
    """The last word on one job. ``owner`` identifies the store object (worker) that wrote it."""

    state: State
    owner: str
    task_id: Optional[str] = None
    reason: Optional[str] = None
    retry: bool = False  # failed before any work: safe to send again


@dataclasses.dataclass(frozen=True)
class Ticket:
    """A job asking to be claimed: its id and, for people reading the store, where it points."""

    job_id: str
    bucket: str
    key: str


def may_take(entry: Optional[Entry], owner: str, resubmit_unknown: bool, alive: Callable[[str], bool]) -> bool:
    """Whether ``owner`` may claim (and send) a job whose current entry is ``entry``: the rule of every store."""
    if entry is None:
        return True
    if entry.owner == owner:
        return False  # this run already has it: a duplicate in the input
    if entry.state == "failed":
        return entry.retry
    if entry.state == "claimed" and alive(entry.owner):
        return False  # another worker is sending it now
    if entry.state in ("claimed", "unknown"):
        return resubmit_unknown
    return False


def _seen(entry: Entry, alive: Callable[[str], bool]) -> Entry:
    """The entry as the caller should read it: a claim whose owner is gone is ``unknown``."""
    if entry.state == "claimed" and not alive(entry.owner):
        return dataclasses.replace(
            entry, state="unknown", reason="the run that sent it stopped before the answer arrived"
        )
    return entry


@runtime_checkable
class JobStore(Protocol):
    """The exactly-once record behind ``submit_many``. Calls come from one thread at a time."""

    owner: str

    def claim(self, tickets: Sequence[Ticket], resubmit_unknown: bool) -> List[Optional[Entry]]:
        """For each ticket, in order: ``None`` if it is now durably claimed by this store (send it), else the
        entry that stands (see :func:`may_take`)."""
        ...

    def record(self, outcomes: Sequence[Tuple[Ticket, Entry]]) -> None:
        """Make these outcomes durable (the owner of each entry is this store's)."""
        ...

    def lookup(self, job_id: str) -> Optional[Entry]:
        """The last entry of a job, as ``claim`` would read it."""
        ...

    def close(self) -> None: ...


def _new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(6)}"


def _text(value: str) -> str:
    """A string every store can encode (a lone surrogate in a bad key becomes ``\\udxxx``)."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


class _Mapped:
    """Shared logic of the stores that keep their entries in a dict (memory, journal)."""

    owner: str

    def __init__(self) -> None:
        self._entries: Dict[str, Entry] = {}
        self._lock = threading.Lock()

    def _alive(self, owner: str) -> bool:
        return owner == self.owner  # one process at a time: any other owner has gone

    def _write(self, lines: Sequence[Tuple[str, Ticket, Entry]]) -> None:
        pass

    def _check_open(self) -> None:
        pass

    def claim(self, tickets: Sequence[Ticket], resubmit_unknown: bool) -> List[Optional[Entry]]:
        answers: List[Optional[Entry]] = []
        taken: List[Tuple[str, Ticket, Entry]] = []
        with self._lock:
            self._check_open()
            for ticket in tickets:
                entry = self._entries.get(ticket.job_id)
                if may_take(entry, self.owner, resubmit_unknown, self._alive):
                    mine = Entry("claimed", self.owner)
                    self._entries[ticket.job_id] = mine
                    taken.append((ticket.job_id, ticket, mine))
                    answers.append(None)
                else:
                    assert entry is not None
                    answers.append(_seen(entry, self._alive))
            self._write(taken)
        return answers

    def record(self, outcomes: Sequence[Tuple[Ticket, Entry]]) -> None:
        with self._lock:
            self._check_open()
            for ticket, entry in outcomes:
                self._entries[ticket.job_id] = entry
            self._write([(t.job_id, t, e) for t, e in outcomes])

    def lookup(self, job_id: str) -> Optional[Entry]:
        with self._lock:
            self._check_open()
            entry = self._entries.get(job_id)
        return None if entry is None else _seen(entry, self._alive)

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MemoryStore:
    """No persistence: catches duplicates within one run (used when ``submit_many`` has no journal).

    It remembers only which jobs this run has taken (one integer per job), not their
    outcomes: every job it knows is this run's, so ``claim`` and ``lookup`` answer
    ``claimed`` by this owner for it (a duplicate).
    """

    def __init__(self) -> None:
        self.owner = _new_owner()
        self._seen: Set[int] = set()

    def _key(self, job_id: str) -> Any:
        try:
            return int(job_id, 16)
        except ValueError:
            return job_id

    def claim(self, tickets: Sequence[Ticket], resubmit_unknown: bool) -> List[Optional[Entry]]:
        answers: List[Optional[Entry]] = []
        for ticket in tickets:
            key = self._key(ticket.job_id)
            answers.append(Entry("claimed", self.owner) if key in self._seen else None)
            self._seen.add(key)
        return answers

    def record(self, outcomes: Sequence[Tuple[Ticket, Entry]]) -> None:
        self._seen.update(self._key(t.job_id) for t, _ in outcomes)

    def lookup(self, job_id: str) -> Optional[Entry]:
        return Entry("claimed", self.owner) if self._key(job_id) in self._seen else None

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---- the JSONL journal ---------------------------------------------------------------------------


def _entry_line(job_id: str, ticket: Ticket, entry: Entry) -> bytes:
    record: Dict[str, Any] = {"id": job_id, "state": entry.state, "owner": entry.owner}
    if entry.state == "claimed":
        record.update(bucket=_text(ticket.bucket), key=_text(ticket.key))
    for name in ("task_id", "reason"):
        value = getattr(entry, name)
        if value is not None:
            record[name] = _text(value)
    if entry.retry:
        record["retry"] = True
    return json.dumps(record, separators=(",", ":")).encode() + b"\n"


_STATES: Dict[str, State] = {"claimed": "claimed", "accepted": "accepted", "failed": "failed", "unknown": "unknown"}


def _entry_of(record: Dict[str, Any]) -> Optional[Tuple[str, Entry]]:
    ident, state, owner = record.get("id"), record.get("state"), record.get("owner")
    if not (isinstance(ident, str) and isinstance(owner, str)):
        return None
    known = _STATES.get(state) if isinstance(state, str) else None
    if known is None:
        return None
    task_id, reason = record.get("task_id"), record.get("reason")
    return ident, Entry(
        known, owner, task_id if isinstance(task_id, str) else None, reason if isinstance(reason, str) else None,
        record.get("retry") is True,
    )  # fmt: skip


class JournalStore(_Mapped):
    """An append-only JSON Lines file, fsynced, held under an exclusive ``flock`` while open.

    A second process opening the same journal gets ``JournalError`` at once, or waits
    for the first to finish with ``wait=True``. The first line names the format, so a
    file that is not a journal is refused rather than adopted. A last line cut short by
    a kill (any length) is dropped; a complete last line missing only its ``\\n`` is kept.
    """

    def __init__(self, path: PathLike, *, wait: bool = False) -> None:
        super().__init__()
        self.path = os.fspath(path)
        self.owner = _new_owner()
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            raise JournalError("the journal needs fcntl.flock (POSIX); use SQLiteStore on this system") from None
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise JournalError(f"cannot open the journal {self.path}: {exc.strerror or exc}") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                raise JournalError(
                    f"the journal {self.path} is in use by another process (wait for it, or pass wait=True)"
                ) from None
            self._load(fd)
        except OSError as exc:
            os.close(fd)
            raise JournalError(f"cannot read the journal {self.path}: {exc.strerror or exc}") from None
        except BaseException:
            os.close(fd)
            raise
        self._fd: Optional[int] = fd

    def _load(self, fd: int) -> None:
        chunks = []
        os.lseek(fd, 0, os.SEEK_SET)
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        data = b"".join(chunks)
        lines = data.split(b"\n")
        tail = lines.pop()  # b"" when the file ends with "\n"
        if tail and not lines and _HEADER.startswith(tail):
            tail = b""  # killed while writing the header: start over
        if tail:
            try:
                json.loads(tail)
                complete = True
            except ValueError:
                complete = False
            if complete:  # the last record was written whole; only its newline is missing
                lines.append(tail)
                self._append(fd, b"\n")
            else:  # torn by a kill mid-write: drop it so the next record starts on its own line
                os.ftruncate(fd, len(data) - len(tail))
        if not lines:
            os.ftruncate(fd, 0)
            self._append(fd, _HEADER)
            os.fsync(fd)
            _fsync_directory(self.path)  # a new file's name must survive a crash too
            return
        self._check_header(lines[0])
        for number, line in enumerate(lines[1:], 2):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                raise JournalError(f"journal {self.path}, line {number}: not a JSON record") from None
            parsed = _entry_of(record) if isinstance(record, dict) else None
            if parsed is None:
                raise JournalError(f"journal {self.path}, line {number}: not a journal record")
            self._entries[parsed[0]] = parsed[1]

    def _check_header(self, line: bytes) -> None:
        try:
            header = json.loads(line)
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("format") != JOURNAL_FORMAT:
            raise JournalError(f"{self.path} is not a procdsl journal (its first line is not the journal header)")
        if header.get("version") != JOURNAL_VERSION:
            raise JournalError(
                f"journal {self.path} is version {header.get('version')!r}; this procdsl reads version "
                f"{JOURNAL_VERSION} (version 1 identified jobs by position): start a new journal"
            )

    @staticmethod
    def _append(fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]

    def _check_open(self) -> None:
        if self._fd is None:
            raise JournalError(f"the journal {self.path} is closed")

    def _write(self, lines: Sequence[Tuple[str, Ticket, Entry]]) -> None:
        if not lines or self._fd is None:
            return
        try:
            self._append(self._fd, b"".join(_entry_line(*line) for line in lines))
            os.fsync(self._fd)
        except OSError as exc:
            raise JournalError(f"cannot write the journal {self.path}: {exc.strerror or exc}") from None

    def close(self) -> None:
        """Release the lock (closing the file releases the ``flock``)."""
        with self._lock:
            fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def _fsync_directory(path: str) -> None:
    try:
        fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows: directories cannot be opened
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


# ---- SQL stores ---------------------------------------------------------------------------------

_COLUMNS = "state, owner, task_id, reason, retry"


def _row_entry(row: Sequence[Any]) -> Entry:
    state, owner, task_id, reason, retry = row[:5]
    return Entry(state, owner, task_id, reason, bool(retry))


def _setup_retrying(db: sqlite3.Connection, timeout: float) -> None:
    """WAL mode and the table. Processes opening a new database together can get "locked" at once here
    (SQLite refuses a lock upgrade that could deadlock instead of waiting), so this step retries."""
    import sqlite3

    deadline = time.monotonic() + timeout
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS procdsl_jobs (id TEXT PRIMARY KEY, state TEXT NOT NULL,"
                " owner TEXT NOT NULL, task_id TEXT, reason TEXT, retry INTEGER NOT NULL DEFAULT 0,"
                " bucket TEXT, key TEXT)"
            )
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class SQLiteStore:
    """A SQLite database (stdlib ``sqlite3``, WAL, synchronous=FULL): several processes on one machine.

    Each claim batch is one ``BEGIN IMMEDIATE`` transaction, so two processes never take
    the same job. A worker holds an ``flock`` on ``<path>.owners/<id>`` while open, which
    tells the others whether its claims are live or left by a killed run.
    """

    def __init__(self, path: PathLike, *, timeout: float = 30.0) -> None:
        import sqlite3

        self.path = os.fspath(path)
        self._lock = threading.Lock()
        token = secrets.token_hex(6)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{token}"
        self._owners = self.path + ".owners"
        try:
            import fcntl

            os.makedirs(self._owners, exist_ok=True)
            self._owner_fd: Optional[int] = os.open(os.path.join(self._owners, token), os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._owner_fd, fcntl.LOCK_EX)
        except (OSError, ImportError) as exc:
            raise StoreError(f"cannot register with the SQLite store {self.path}: {exc}") from None
        try:
            db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
            _setup_retrying(db, timeout)
        except sqlite3.Error as exc:
            self._release()
            raise StoreError(f"cannot open the SQLite store {self.path}: {exc}") from None
        self._db: Optional[sqlite3.Connection] = db

    def _alive(self, owner: str) -> bool:
        if owner == self.owner:
            return True
        import fcntl

        path = os.path.join(self._owners, os.path.basename(owner.rsplit(":", 1)[-1]))
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True  # its process still holds the lock
        finally:
            os.close(fd)
        return False

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError(f"the SQLite store {self.path} is closed")
        return self._db

    def _transaction(self, body: Callable[[sqlite3.Connection], Any]) -> Any:
        import sqlite3

        with self._lock:
            db = self._conn()
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    result = body(db)
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
                return result
            except sqlite3.Error as exc:
                raise StoreError(f"SQLite store {self.path}: {exc}") from None

    def claim(self, tickets: Sequence[Ticket], resubmit_unknown: bool) -> List[Optional[Entry]]:
        def body(db: sqlite3.Connection) -> List[Optional[Entry]]:
            answers: List[Optional[Entry]] = []
            for t in tickets:
                row = db.execute(f"SELECT {_COLUMNS} FROM procdsl_jobs WHERE id = ?", (t.job_id,)).fetchone()
                entry = None if row is None else _row_entry(row)
                if may_take(entry, self.owner, resubmit_unknown, self._alive):
                    db.execute(
                        "INSERT OR REPLACE INTO procdsl_jobs (id, state, owner, bucket, key)"
                        " VALUES (?, 'claimed', ?, ?, ?)",
                        (t.job_id, self.owner, _text(t.bucket), _text(t.key)),
                    )
                    answers.append(None)
                else:
                    assert entry is not None
                    answers.append(_seen(entry, self._alive))
            return answers

        result: List[Optional[Entry]] = self._transaction(body)
        return result

    def record(self, outcomes: Sequence[Tuple[Ticket, Entry]]) -> None:
        if not outcomes:
            return
        rows = [_outcome_row(t, e) for t, e in outcomes]
        self._transaction(
            lambda db: db.executemany(
                "INSERT INTO procdsl_jobs (id, state, owner, task_id, reason, retry, bucket, key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state,"
                " owner = excluded.owner, task_id = excluded.task_id, reason = excluded.reason, retry = excluded.retry",
                rows,
            )
        )

    def lookup(self, job_id: str) -> Optional[Entry]:
        with self._lock:
            row = self._conn().execute(f"SELECT {_COLUMNS} FROM procdsl_jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else _seen(_row_entry(row), self._alive)

    def _release(self) -> None:
        fd, self._owner_fd = self._owner_fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(self._owners, self.owner.rsplit(":", 1)[-1]))
            os.close(fd)

    def close(self) -> None:
        with self._lock:
            db, self._db = self._db, None
        if db is not None:
            db.close()
        self._release()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Known:
    """A liveness answer already established (for the owner of the entry being judged)."""

    def __init__(self, alive: bool) -> None:
        self.alive = alive

    def __call__(self, owner: str) -> bool:
        return self.alive


def _outcome_row(ticket: Ticket, entry: Entry) -> Tuple[Any, ...]:
    reason = None if entry.reason is None else _text(entry.reason)
    return (ticket.job_id, entry.state, entry.owner, entry.task_id, reason, int(entry.retry),
            _text(ticket.bucket), _text(ticket.key))  # fmt: skip


_CREATE_LOCK = 0x70726F6364736C  # "procdsl": the advisory lock that serialises table creation


class PostgresStore:
    """A PostgreSQL table shared by many workers on many machines (``pip install 'procdsl[postgres]'``).

    A job is claimed with ``INSERT … ON CONFLICT DO NOTHING`` (or a compare-and-swap
    ``UPDATE`` when the rule allows taking an existing entry) and committed before its
    request leaves. Each worker holds a session advisory lock on its own id while
    connected, so a claim whose worker died (its session ended) reads as ``unknown``.
    """

    def __init__(self, conninfo: str, *, table: str = "procdsl_jobs") -> None:
        try:
            import psycopg
        except ImportError:
            raise StoreError("PostgresStore needs psycopg 3: pip install 'procdsl[postgres]'") from None
        if not table.isidentifier():
            raise StoreError(f"table must be a plain SQL identifier; got {table!r}")
        self.table = table
        self._lock = threading.Lock()
        self._key = secrets.randbits(62) + 1
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{self._key}"
        try:
            self._db: Any = psycopg.connect(conninfo, autocommit=True)
            self._db.execute("SELECT pg_advisory_lock(%s)", (self._key,))
            with self._db.transaction():  # workers starting together: CREATE TABLE IF NOT EXISTS is not atomic
                self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_CREATE_LOCK,))
                self._db.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, state TEXT NOT NULL,"
                    " owner TEXT NOT NULL, task_id TEXT, reason TEXT, retry BOOLEAN NOT NULL DEFAULT FALSE,"
                    " bucket TEXT, key TEXT, rev BIGINT NOT NULL DEFAULT 0)"
                )
        except psycopg.Error as exc:
            raise StoreError(f"cannot open the PostgreSQL store: {exc}") from None
        self._error = psycopg.Error

    def _alive(self, owner: str) -> bool:
        if owner == self.owner:
            return True
        try:
            key = int(owner.rsplit(":", 1)[-1])
        except ValueError:
            return False
        got = self._db.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]
        if got:  # nobody holds it: that worker's session has ended
            self._db.execute("SELECT pg_advisory_unlock(%s)", (key,))
        return not got

    def _run(self, body: Callable[[], Any]) -> Any:
        with self._lock:
            if self._db is None:
                raise StoreError("the PostgreSQL store is closed")
            try:
                return body()
            except self._error as exc:
                raise StoreError(f"PostgreSQL store: {exc}") from None

    def claim(self, tickets: Sequence[Ticket], resubmit_unknown: bool) -> List[Optional[Entry]]:
        def body() -> List[Optional[Entry]]:
            ids = list(dict.fromkeys(t.job_id for t in tickets))
            first = {t.job_id: t for t in reversed(tickets)}
            with self._db.transaction():
                inserted = self._db.execute(
                    f"INSERT INTO {self.table} (id, state, owner, bucket, key)"
                    " SELECT i, 'claimed', %s, b, k FROM unnest(%s::text[], %s::text[], %s::text[]) AS u(i, b, k)"
                    " ON CONFLICT DO NOTHING RETURNING id",
                    (self.owner, ids, [_text(first[i].bucket) for i in ids], [_text(first[i].key) for i in ids]),
                ).fetchall()
            taken = {row[0] for row in inserted}
            answers: Dict[str, Optional[Entry]] = dict.fromkeys(taken)
            others = [i for i in ids if i not in taken]
            if others:
                rows = self._db.execute(
                    f"SELECT id, {_COLUMNS}, rev FROM {self.table} WHERE id = ANY(%s)", (others,)
                ).fetchall()
                for row in rows:
                    ident, entry, rev = row[0], _row_entry(row[1:]), row[6]
                    answers[ident] = self._take_existing(ident, entry, rev, resubmit_unknown)
            result: List[Optional[Entry]] = []
            mine = Entry("claimed", self.owner)
            for t in tickets:
                answer = answers.get(t.job_id)
                result.append(answer)
                if answer is None:
                    answers[t.job_id] = mine  # a later duplicate in the same batch is not taken again
            return result

        answer: List[Optional[Entry]] = self._run(body)
        return answer

    def _take_existing(self, ident: str, entry: Entry, rev: int, resubmit_unknown: bool) -> Optional[Entry]:
        """Take a job that has an entry if the rule allows: a compare-and-swap on ``rev``, re-judged on a change."""
        for _ in range(5):
            alive = entry.state != "claimed" or self._alive(entry.owner)
            if not alive:  # its worker's lock is gone: it died, or it finished after we read the row
                row = self._select(ident)
                if row[5] != rev:  # it finished (or another worker took it): judge the new entry
                    entry, rev = _row_entry(row), row[5]
                    continue
            judged = _Known(alive)
            if not may_take(entry, self.owner, resubmit_unknown, judged):
                return _seen(entry, judged)
            swapped = self._db.execute(
                f"UPDATE {self.table} SET state = 'claimed', owner = %s, task_id = NULL, reason = NULL,"
                " retry = FALSE, rev = rev + 1 WHERE id = %s AND rev = %s RETURNING id",
                (self.owner, ident, rev),
            ).fetchone()
            if swapped is not None:
                return None
            row = self._select(ident)  # another worker changed it first
            entry, rev = _row_entry(row), row[5]
        return _seen(entry, self._alive)

    def _select(self, ident: str) -> Any:
        return self._db.execute(f"SELECT {_COLUMNS}, rev FROM {self.table} WHERE id = %s", (ident,)).fetchone()

    def record(self, outcomes: Sequence[Tuple[Ticket, Entry]]) -> None:
        if not outcomes:
            return
        rows = [_outcome_row(t, e) for t, e in outcomes]

        def body() -> None:
            with self._db.transaction(), self._db.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO {self.table} (id, state, owner, task_id, reason, retry, bucket, key)"
                    " VALUES (%s, %s, %s, %s, %s, %s::int::boolean, %s, %s) ON CONFLICT (id) DO UPDATE SET"
                    " state = excluded.state, owner = excluded.owner, task_id = excluded.task_id,"
                    f" reason = excluded.reason, retry = excluded.retry, rev = {self.table}.rev + 1",
                    rows,
                )

        self._run(body)

    def lookup(self, job_id: str) -> Optional[Entry]:
        def body() -> Optional[Entry]:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM {self.table} WHERE id = %s", (job_id,)).fetchone()
            return None if row is None else _seen(_row_entry(row), self._alive)

        found: Optional[Entry] = self._run(body)
        return found

    def close(self) -> None:
        with self._lock:
            db, self._db = self._db, None
        if db is not None:
            db.close()  # ends the session: its advisory lock goes with it

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
