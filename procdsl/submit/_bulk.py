"""Bulk AsyncProcessObject submission that loses nothing and submits nothing twice.

``Client.submit_many`` and ``AsyncClient.submit_many`` are thin wrappers around
one engine, :func:`run_async`: it pulls ``(bucket, key, job)`` items lazily from
any iterable (or async iterable), keeps at most ``concurrency`` requests in
flight, and yields one :class:`BulkResult` per input in order of completion.

The journal (optional, JSON Lines, append-only, fsynced) records every state
change of every job::

    queued -> sent -> accepted(task_id) | failed(reason) | unknown(reason)

``sent`` is durable *before* the request goes out, and an outcome before the
result is yielded (one fsync serves every record written meanwhile: group
commit), so after a crash a job is
in one of three cases when the same journal is used again:

- accepted: never sent again; reported with ``resumed=True``;
- provably not created (no ``sent`` line, or ``failed`` with ``retry: true``:
  the connection was never made, or OSS refused it with 429/503 or
  RequestTimeTooSkewed before any work): submitted again;
- ambiguous (``sent`` without an outcome, or ``unknown``: the request may have
  created a task, see ``TaskMayExistError``): reported as ``unknown`` and not
  resubmitted unless ``resubmit_unknown=True`` — OSS has no idempotency token
  for AsyncProcessObject, so a second submission may start a second, billed task.

Failures OSS answered definitively (400, 403, 404, ...) and invalid jobs are
recorded as ``failed`` with ``retry: false`` and reported again on resume, not
resent: the same request would fail the same way.

A job's identity is a hash of its input position, bucket, key and canonical
process string, so re-running the same input finds its own records, and an
edited input never inherits another job's outcome. Reasons are written with the
AccessKey secret and STS token replaced by ``<hidden>``; the journal holds no
URL, header or signature.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import (
    IO,
    TYPE_CHECKING,
    Any,
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Optional,
    Set,
    Sized,
    Tuple,
    Union,
)

from typing_extensions import Literal

from .._stages import AsyncJob
from ..errors import ProcessError
from ._errors import (
    JournalError,
    OSSError,
    RequestTimeTooSkewedError,
    TaskMayExistError,
    ThrottlingError,
    TransportError,
)
from ._requests import PreparedRequest, parse_async_result
from ._transport import Answer

if TYPE_CHECKING:
    from ._client import AsyncClient, Client

__all__ = [
    "BulkResult",
    "JobSpec",
    "Jobs",
    "PathLike",
    "JournalError",
    "Outcome",
    "job_id",
    "read_journal",
    "run_async",
    "run_sync",
]

Outcome = Literal["accepted", "failed", "unknown"]
JobSpec = Tuple[str, str, Union[AsyncJob, str]]
Jobs = Union[Iterable[JobSpec], AsyncIterable[JobSpec]]
PathLike = Union[str, "os.PathLike[str]"]

JOURNAL_FORMAT = "procdsl.submit_many"
JOURNAL_VERSION = 1
DEFAULT_CONCURRENCY = 16


@dataclasses.dataclass(frozen=True)
class BulkResult:
    """How one input job ended. ``index`` is its 0-based position in the input.

    ``outcome`` is ``accepted`` (with ``task_id``), ``failed`` (OSS refused it, or it
    was invalid: no task exists) or ``unknown`` (the task may exist: not resubmitted).
    ``resumed`` is True when the outcome comes from the journal of an earlier run.
    """

    index: int
    job_id: str
    bucket: str
    key: str
    outcome: Outcome
    task_id: Optional[str] = None
    reason: Optional[str] = None
    resumed: bool = False

    def as_dict(self) -> Dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


def job_id(index: int, bucket: str, key: str, process: str) -> str:
    """The stable identity of the job at input position ``index``."""
    data = json.dumps([index, bucket, key, process], ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()[:24]


# ---- the journal -----------------------------------------------------------------------------


def read_journal(path: PathLike) -> Dict[str, Dict[str, Any]]:
    """The last record of each job id. A torn last line (the run was killed while writing) is ignored."""
    last: Dict[str, Dict[str, Any]] = {}
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return last
    lines = data.split(b"\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            if number == len(lines):  # no newline after it: torn by a kill mid-write
                continue
            raise JournalError(f"journal {os.fspath(path)!s}, line {number}: not a JSON record") from None
        if not isinstance(record, dict):
            raise JournalError(f"journal {os.fspath(path)!s}, line {number}: not a JSON object")
        if "format" in record:
            if record.get("format") != JOURNAL_FORMAT or record.get("version") != JOURNAL_VERSION:
                raise JournalError(
                    f"journal {os.fspath(path)!s}: format {record.get('format')!r} version {record.get('version')!r} "
                    f"is not {JOURNAL_FORMAT} version {JOURNAL_VERSION}"
                )
            continue
        ident = record.get("id")
        if isinstance(ident, str):
            last[ident] = record
    return last


def _fsync_directory(path: str) -> None:
    try:
        fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    except OSError:  # e.g. Windows: directories cannot be opened; NTFS journals metadata itself
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _Journal:
    """Append-only JSONL with group commit: lines are buffered and made durable by one fsync per batch."""

    def __init__(self, path: PathLike) -> None:
        self.path = os.fspath(path)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            size = os.lseek(fd, 0, os.SEEK_END)
            if size:
                # Drop a torn last line so the next record starts on a line of its own.
                os.lseek(fd, max(0, size - 65536), os.SEEK_SET)
                tail = os.read(fd, 65536)
                if not tail.endswith(b"\n"):
                    cut = tail.rfind(b"\n")
                    if cut >= 0 or size <= len(tail):
                        size = size - len(tail) + cut + 1
                        os.ftruncate(fd, size)
                    else:  # a torn line longer than the tail read: end it so the next record stands alone
                        os.lseek(fd, 0, os.SEEK_END)
                        os.write(fd, b"\n")
            os.lseek(fd, 0, os.SEEK_END)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._buffer: List[bytes] = []
        self._appended = 0  # lines handed to write()
        self._durable = 0  # lines known to be on disk
        self._flush: Optional[asyncio.Future[None]] = None
        if size == 0:
            self.write({"format": JOURNAL_FORMAT, "version": JOURNAL_VERSION})
            _fsync_directory(self.path)  # a new file's name must survive a crash too

    def write(self, record: Dict[str, Any]) -> None:
        self._buffer.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        self._appended += 1

    def _write_out(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        os.fsync(self._fd)

    def _take(self) -> Tuple[bytes, int]:
        data, upto = b"".join(self._buffer), self._appended
        self._buffer = []
        return data, upto

    async def sync(self) -> None:
        """Return once every line written so far is on disk (one fsync serves all waiting jobs)."""
        target = self._appended
        while self._durable < target:
            if self._flush is None:
                self._flush = asyncio.ensure_future(self._flush_once())
            await asyncio.shield(self._flush)

    async def _flush_once(self) -> None:
        try:
            data, upto = self._take()
            if data:
                await asyncio.get_running_loop().run_in_executor(None, self._write_out, data)
            self._durable = upto
        except OSError as exc:
            raise JournalError(f"cannot write the journal {self.path}: {exc}") from exc
        finally:
            self._flush = None

    def close(self) -> None:
        """Write what is buffered (synchronously: also on cancellation) and close."""
        try:
            data, upto = self._take()
            if data:
                self._write_out(data)
            self._durable = upto
        finally:
            os.close(self._fd)


# ---- progress -----------------------------------------------------------------------------------


class _Progress:
    """One ``\\r``-rewritten status line on stderr, only when stderr is a terminal."""

    def __init__(self, stream: Optional[IO[str]], total: Optional[int]) -> None:
        self._stream = stream
        self._total = total
        self._counts: Dict[str, int] = {"accepted": 0, "failed": 0, "unknown": 0}
        self._last = 0.0

    def add(self, result: BulkResult) -> None:
        self._counts[result.outcome] += 1
        if self._stream is not None and time.monotonic() - self._last >= 0.1:
            self._draw()

    def _draw(self) -> None:
        assert self._stream is not None
        done = sum(self._counts.values())
        of = f"/{self._total}" if self._total is not None else ""
        c = self._counts
        self._stream.write(
            f"\rsubmit_many: {done}{of} done, {c['accepted']} accepted, {c['failed']} failed, {c['unknown']} unknown"
        )
        self._stream.flush()
        self._last = time.monotonic()

    def close(self) -> None:
        if self._stream is not None:
            self._draw()
            self._stream.write("\n")
            self._stream.flush()


def _progress_stream(progress: Optional[bool]) -> Optional[IO[str]]:
    stream = sys.stderr
    if progress is None:
        isatty = getattr(stream, "isatty", None)
        progress = bool(isatty and isatty())
    return stream if progress else None


# ---- the engine ---------------------------------------------------------------------------------


async def _aiter(jobs: Jobs) -> AsyncIterator[Any]:
    if isinstance(jobs, AsyncIterable):
        async for item in jobs:
            yield item
    else:
        for item in jobs:
            yield item


@dataclasses.dataclass(frozen=True)
class _Planned:
    index: int
    job_id: str
    bucket: str
    key: str
    prepared: PreparedRequest


SendOne = Callable[[PreparedRequest], Awaitable[Answer]]
Prepare = Callable[[str, str, Union[AsyncJob, str]], PreparedRequest]


def _describe(item: Any) -> Tuple[str, str, str]:
    """Bucket, key and process text of an input item, as well as they can be read (for invalid items)."""
    if isinstance(item, tuple) and len(item) == 3:
        bucket, key, job = item
        return str(bucket), str(key), job if isinstance(job, str) else str(job)
    return "", "", repr(item)[:200]


class _Engine:
    def __init__(
        self,
        send_one: SendOne,
        prepare: Prepare,
        *,
        journal: Optional[_Journal],
        previous: Dict[str, Dict[str, Any]],
        resubmit_unknown: bool,
        redact: Callable[[str], str],
    ) -> None:
        self.send_one = send_one
        self.prepare = prepare
        self.journal = journal
        self.previous = previous
        self.resubmit_unknown = resubmit_unknown
        self.redact = redact

    def _record(self, planned: Union[_Planned, BulkResult], state: str, **fields: Any) -> None:
        if self.journal is not None:
            self.journal.write({"id": planned.job_id, "i": planned.index, "state": state, **fields})

    def plan(self, index: int, item: Any) -> Union[_Planned, BulkResult]:
        """Prepare one input, or settle it at once (invalid, or already settled by an earlier run)."""
        try:
            if not (isinstance(item, tuple) and len(item) == 3):
                raise TypeError(f"each job must be a (bucket, key, job) tuple, not {type(item).__name__}")
            bucket, key, job = item
            prepared = self.prepare(bucket, key, job)
        except (ProcessError, TypeError, ValueError) as exc:
            bucket, key, text = _describe(item)
            result = BulkResult(
                index, job_id(index, bucket, key, text), bucket, key, "failed", reason=self._reason(exc)
            )
            self._record(result, "queued", bucket=bucket, key=key)
            self._record(result, "failed", reason=result.reason, retry=False)
            return result
        text = prepared.body.split(b"=", 1)[1].decode("utf-8")
        ident = job_id(index, prepared.bucket, prepared.key, text)
        before = self.previous.get(ident)
        if before is not None:
            settled = self._settled(index, ident, prepared, before)
            if settled is not None:
                return settled
        planned = _Planned(index, ident, prepared.bucket, prepared.key, prepared)
        self._record(planned, "queued", bucket=prepared.bucket, key=prepared.key)
        return planned

    def _settled(
        self, index: int, ident: str, prepared: PreparedRequest, record: Dict[str, Any]
    ) -> Optional[BulkResult]:
        state = record.get("state")
        base = (index, ident, prepared.bucket, prepared.key)
        if state == "accepted":
            return BulkResult(*base, "accepted", task_id=str(record.get("task_id", "")), resumed=True)
        if state == "failed" and not record.get("retry"):
            return BulkResult(*base, "failed", reason=str(record.get("reason", "")), resumed=True)
        if state in ("sent", "unknown") and not self.resubmit_unknown:
            reason = record.get("reason") or "the run stopped after sending it and before the answer arrived"
            return BulkResult(
                *base, "unknown", reason=f"{reason} (not resubmitted: pass resubmit_unknown to send it again)",
                resumed=True,
            )  # fmt: skip
        return None  # queued, failed before any work, or unknown with resubmit_unknown: send (again)

    def _reason(self, exc: BaseException) -> str:
        return self.redact(f"{type(exc).__name__}: {exc}")

    async def run_one(self, planned: _Planned) -> BulkResult:
        base = (planned.index, planned.job_id, planned.bucket, planned.key)
        self._record(planned, "sent")
        if self.journal is not None:
            await self.journal.sync()  # durable before it can reach OSS
        try:
            response = await self.send_one(planned.prepared)
        except TaskMayExistError as exc:
            reason = self._reason(exc)
            self._record(planned, "unknown", reason=reason)
            return BulkResult(*base, "unknown", reason=reason)
        except (TransportError, ThrottlingError, RequestTimeTooSkewedError) as exc:
            # Refused before any work, or never sent (a sent TransportError became TaskMayExistError).
            reason = self._reason(exc)
            retry = not isinstance(exc, TransportError) or not exc.sent
            state: Outcome = "failed" if retry else "unknown"
            self._record(planned, state, reason=reason, **({"retry": True} if retry else {}))
            return BulkResult(*base, state, reason=reason)
        except OSSError as exc:
            reason = self._reason(exc)
            self._record(planned, "failed", reason=reason, retry=False)
            return BulkResult(*base, "failed", reason=reason)
        except Exception as exc:  # anything unexpected after "sent": the task may exist
            reason = self._reason(exc)
            self._record(planned, "unknown", reason=reason)
            return BulkResult(*base, "unknown", reason=reason)
        try:
            task = parse_async_result(response.status, response.headers, response.body)
        except OSSError as exc:  # a 2xx we cannot read: OSS most likely created the task
            reason = self._reason(exc) + " (after a 2xx answer: the task was probably created)"
            self._record(planned, "unknown", reason=reason)
            return BulkResult(*base, "unknown", reason=reason)
        self._record(planned, "accepted", task_id=task.task_id, request_id=task.request_id)
        return BulkResult(*base, "accepted", task_id=task.task_id)


def _check_concurrency(concurrency: int) -> int:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= 1000:
        from ..errors import ProcessValueError

        raise ProcessValueError(
            f"concurrency must be an integer from 1 to 1000; got {concurrency!r}",
            param="concurrency",
            value=concurrency,
            allowed="1-1000",
        )
    return concurrency


async def _engine(
    send_one: SendOne,
    prepare: Prepare,
    jobs: Jobs,
    *,
    concurrency: int,
    journal: Optional[PathLike],
    resubmit_unknown: bool,
    progress: Optional[bool],
    redact: Callable[[str], str],
) -> AsyncGenerator[BulkResult, None]:
    window = _check_concurrency(concurrency)
    previous = read_journal(journal) if journal is not None else {}
    book = _Journal(journal) if journal is not None else None
    engine = _Engine(
        send_one, prepare, journal=book, previous=previous, resubmit_unknown=resubmit_unknown,
        redact=redact,
    )  # fmt: skip
    total = len(jobs) if isinstance(jobs, Sized) else None
    bar = _Progress(_progress_stream(progress), total)
    source = _aiter(jobs)
    pending: Set[asyncio.Future[BulkResult]] = set()
    index, exhausted = 0, False
    try:
        while True:
            while not exhausted and len(pending) < window:
                try:
                    item = await source.__anext__()
                except StopAsyncIteration:
                    exhausted = True
                    break
                planned = engine.plan(index, item)
                index += 1
                if isinstance(planned, BulkResult):
                    if book is not None:
                        await book.sync()  # what the caller is told is on disk first
                    bar.add(planned)
                    yield planned
                else:
                    pending.add(asyncio.ensure_future(engine.run_one(planned)))
            if not pending:
                break
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            if book is not None:
                await book.sync()
            for finished in sorted(done, key=lambda f: f.result().index):
                result = finished.result()
                bar.add(result)
                yield result
    finally:
        for future in pending:
            future.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        if book is not None:
            book.close()
        bar.close()


def run_async(
    client: AsyncClient,
    jobs: Jobs,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    journal: Optional[PathLike] = None,
    resubmit_unknown: bool = False,
    progress: Optional[bool] = None,
) -> AsyncIterator[BulkResult]:
    """``AsyncClient.submit_many``: results as an async iterator, in order of completion."""
    return _engine(
        client.send, client.prepare_submit, jobs, concurrency=concurrency, journal=journal,
        resubmit_unknown=resubmit_unknown, progress=progress, redact=client.redact,
    )  # fmt: skip


def run_sync(
    client: Client,
    jobs: Iterable[JobSpec],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    journal: Optional[PathLike] = None,
    resubmit_unknown: bool = False,
    progress: Optional[bool] = None,
) -> Iterator[BulkResult]:
    """``Client.submit_many``: the same engine on a private event loop, sends on the client's pool in threads.

    Must not be called from a thread that runs an event loop (use ``AsyncClient`` there).
    """
    _check_concurrency(concurrency)
    return _drive(client, jobs, concurrency, journal, resubmit_unknown, progress)


def _drive(
    client: Client,
    jobs: Iterable[JobSpec],
    concurrency: int,
    journal: Optional[PathLike],
    resubmit_unknown: bool,
    progress: Optional[bool],
) -> Iterator[BulkResult]:
    loop = asyncio.new_event_loop()
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="procdsl-submit-many")

    async def send_one(prepared: PreparedRequest) -> Answer:
        return await loop.run_in_executor(pool, client.send, prepared)

    results = _engine(
        send_one, client.prepare_submit, jobs, concurrency=concurrency, journal=journal,
        resubmit_unknown=resubmit_unknown, progress=progress, redact=client.redact,
    )  # fmt: skip
    try:
        while True:
            try:
                yield loop.run_until_complete(results.__anext__())
            except StopAsyncIteration:
                return
    finally:
        try:
            loop.run_until_complete(results.aclose())
        except RuntimeError:  # interrupted (Ctrl-C) while the engine was running: nothing more to close
            pass
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
