"""Bulk AsyncProcessObject submission: each job sent once, across processes, machines, edits and interrupts.

``Client.submit_many`` and ``AsyncClient.submit_many`` are thin wrappers around
one engine, :func:`_engine`: it pulls ``(bucket, key, job[, id])`` items lazily
from any iterable (or async iterable), keeps at most ``concurrency`` jobs in
flight, and yields one :class:`BulkResult` per input in order of completion.

A job is identified by what it does (:func:`job_id`: bucket, key, canonical
process string and the optional caller-given id), never by its position, so a
reordered, shortened or extended input resumes correctly. Before its request
leaves, each job is *claimed* in a store (``procdsl.submit._stores``: memory,
JSONL journal, SQLite, PostgreSQL), atomically and durably; its outcome is
recorded before the result is yielded. Claims and outcomes queued while the
store is busy are written together (group commit), so a store costs one round
trip per batch, not per job. The rules (what is sent again, what is not) are
in :func:`procdsl.submit._stores.may_take` and in docs/bulk.md.

Ctrl-C (SIGINT in ``Client.submit_many`` on the main thread, task cancellation
in ``AsyncClient.submit_many``) stops taking new jobs, waits up to ``grace``
seconds for the answers in flight and records them; a second Ctrl-C stops
waiting. Reasons are written with the AccessKey secret and STS token replaced
by ``<hidden>``; no store holds a URL, header or signature.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import hashlib
import json
import math
import signal
import sys
import threading
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

from .._parser import parse
from .._stages import AsyncJob
from ..errors import ProcessError
from ._errors import (
    AccessDeniedError,
    ConfigurationError,
    JournalError,
    NotFoundError,
    OSSError,
    RequestTimeTooSkewedError,
    TaskMayExistError,
    ThrottlingError,
    TransportError,
)
from ._requests import PreparedRequest, parse_async_result
from ._stores import Entry, JobStore, JournalStore, MemoryStore, PathLike, Ticket, _text
from ._transport import Answer

if TYPE_CHECKING:
    from ._client import AsyncClient, Client

__all__ = [
    "DEFAULT_GRACE",
    "BulkResult",
    "JobItem",
    "JobSpec",
    "Jobs",
    "Journal",
    "JournalError",
    "Outcome",
    "PathLike",
    "Unreadable",
    "job_id",
    "run_async",
    "run_sync",
]

Outcome = Literal["accepted", "failed", "unknown", "skipped"]
JobSpec = Union[Tuple[str, str, Union[AsyncJob, str]], Tuple[str, str, Union[AsyncJob, str], str]]
JobItem = Union[JobSpec, "Unreadable"]
Jobs = Union[Iterable[JobItem], AsyncIterable[JobItem]]
Journal = Union[PathLike, JobStore]

DEFAULT_CONCURRENCY = 16
DEFAULT_GRACE = 5.0


@dataclasses.dataclass(frozen=True)
class Unreadable:
    """An input item that could not be read (e.g. a malformed JSONL line): reported ``failed`` with ``reason``."""

    reason: str
    bucket: str = ""
    key: str = ""


@dataclasses.dataclass(frozen=True)
class BulkResult:
    """How one input job ended. ``index`` is its 0-based position in this run's input.

    ``outcome`` is ``accepted`` (with ``task_id``), ``failed`` (no task exists: OSS
    refused it, it was invalid, or it was never sent), ``unknown`` (the task may
    exist: not sent again unless asked) or ``skipped`` (a duplicate of an earlier
    input of this run, or being sent by another worker right now).
    ``resumed`` is True when the outcome comes from the store (an earlier run or another worker).
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


@functools.lru_cache(maxsize=1024)  # bulk jobs mostly share a few templates
def _canonical(text: str) -> str:
    """The canonical spelling of a process string (declared parameter order): one job, however it was written."""
    try:
        return str(parse(text, context="async").canonical())
    except ProcessError:  # sent as given (lenient client): the text is its identity
        return text


def job_id(bucket: str, key: str, process: str, id: Optional[str] = None) -> str:
    """The identity of a job: what it does (and the caller's ``id`` when given), not where it is in the input."""
    parts = [bucket, key, process] if id is None else [bucket, key, process, id]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]


# ---- group commit -------------------------------------------------------------------------------


class _Committer:
    """Claims and outcomes wait here while the store writes the previous batch; one batch per store call.

    Store calls run on one private thread (stores are blocking, and SQLite wants one
    thread at a time). Outcomes are written before claims in a batch.
    """

    def __init__(self, store: JobStore, resubmit_unknown: bool) -> None:
        self.store = store
        self.resubmit_unknown = resubmit_unknown
        self._claims: List[Tuple[Ticket, asyncio.Future[Optional[Entry]]]] = []
        self._records: List[Tuple[Ticket, Entry, asyncio.Future[None]]] = []
        self._task: Optional[asyncio.Future[None]] = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="procdsl-store")

    def claim(self, ticket: Ticket) -> asyncio.Future[Optional[Entry]]:
        future: asyncio.Future[Optional[Entry]] = asyncio.get_running_loop().create_future()
        self._claims.append((ticket, future))
        self._kick()
        return future

    def record(self, ticket: Ticket, entry: Entry) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._records.append((ticket, entry, future))
        self._kick()
        return future

    def _kick(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    def _apply(self, tickets: List[Ticket], outcomes: List[Tuple[Ticket, Entry]]) -> List[Optional[Entry]]:
        self.store.record(outcomes)
        return self.store.claim(tickets, self.resubmit_unknown) if tickets else []

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._claims or self._records:
                claims, self._claims = self._claims, []
                records, self._records = self._records, []
                tickets = [t for t, _ in claims]
                outcomes = [(t, e) for t, e, _ in records]
                try:
                    answers = await loop.run_in_executor(self._thread, self._apply, tickets, outcomes)
                except Exception as exc:
                    for _, _, done in records:
                        _fail(done, exc)
                    for _, taken in claims:
                        _fail(taken, exc)
                    continue
                for _, _, done in records:
                    if not done.done():
                        done.set_result(None)
                for (_, taken), answer in zip(claims, answers):
                    if not taken.done():
                        taken.set_result(answer)
        finally:
            self._task = None

    async def drain(self) -> None:
        """Return once everything queued is written (or failed)."""
        while self._task is not None:
            await asyncio.shield(self._task)

    def close(self) -> None:
        self._thread.shutdown(wait=True)


def _fail(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
        future.exception()  # retrieved: nobody may be waiting for it any more (interrupted)


# ---- progress -----------------------------------------------------------------------------------


class _Progress:
    """One ``\\r``-rewritten status line on stderr, only when stderr is a terminal (or asked for)."""

    def __init__(self, stream: Optional[IO[str]], total: Optional[int]) -> None:
        self._stream = stream
        self._total = total
        self._counts: Dict[str, int] = {"accepted": 0, "failed": 0, "unknown": 0, "skipped": 0}
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
            f"\rsubmit_many: {done}{of} done, {c['accepted']} accepted, {c['failed']} failed, {c['unknown']} unknown, "
            f"{c['skipped']} skipped"
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


def _redactor(redact: Callable[[str], str]) -> Callable[[str], str]:
    """The client's redaction (every secret and token it signed with), then the journal's text rules."""
    return lambda text: _text(redact(text))


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
    ticket: Ticket
    prepared: Optional[PreparedRequest]  # None: the job cannot be sent
    problem: Optional[str] = None


SendOne = Callable[[PreparedRequest], Awaitable[Answer]]
Prepare = Callable[[str, str, Union[AsyncJob, str]], PreparedRequest]


def _describe(item: Any) -> Tuple[str, str, str]:
    """Bucket, key and process text of an input item, as well as they can be read (for invalid items)."""
    try:
        if isinstance(item, Unreadable):
            return _text(item.bucket), _text(item.key), _text(item.reason)
        if isinstance(item, tuple) and len(item) in (3, 4):
            bucket, key, job = item[:3]
            return _text(str(bucket)), _text(str(key)), _text(job if isinstance(job, str) else str(job))
        return "", "", _text(repr(item)[:200])
    except Exception:  # e.g. RecursionError from a deeply nested item
        return "", "", f"<unprintable {type(item).__name__}>"


class _Interrupt:
    """Ctrl-C requests: the first stops taking jobs and waits ``grace`` seconds; the second stops waiting."""

    def __init__(self) -> None:
        self.count = 0
        self._event: Optional[asyncio.Event] = None

    def event(self) -> asyncio.Event:
        if self._event is None:
            self._event = asyncio.Event()  # created on the running loop (Python 3.9 binds it at creation)
            if self.count:
                self._event.set()
        return self._event

    def request(self) -> None:
        self.count += 1
        if self._event is not None:
            self._event.set()


class _Engine:
    def __init__(
        self, send_one: SendOne, prepare: Prepare, committer: _Committer, owner: str, redact: Callable[[str], str]
    ) -> None:
        self.send_one = send_one
        self.prepare = prepare
        self.committer = committer
        self.owner = owner
        self.redact = redact
        self.stopping = False  # no new job is sent
        self.abandoning = False  # answers still in flight are no longer awaited

    def plan(self, index: int, item: Any) -> _Planned:
        """Prepare one input; a job that cannot be prepared is planned as a failure with its reason."""
        try:
            if isinstance(item, Unreadable):
                raise ValueError(item.reason)
            if not (isinstance(item, tuple) and len(item) in (3, 4)):
                raise TypeError(f"each job must be a (bucket, key, job[, id]) tuple, not {type(item).__name__}")
            bucket, key, job = item[:3]
            given = item[3] if len(item) == 4 else None
            if given is not None and not isinstance(given, str):
                raise TypeError(f"a job id must be a string, not {type(given).__name__}")
            prepared = self.prepare(bucket, key, job)
            process = _canonical(prepared.body.split(b"=", 1)[1].decode("utf-8"))
            for text in (prepared.bucket, prepared.key, given or ""):
                text.encode("utf-8")  # a lone surrogate cannot be sent: refuse it now, not mid-request
        except Exception as exc:  # anything wrong with this one input: report it, go on with the rest
            bucket, key, text = _describe(item)
            ticket = Ticket(job_id(bucket, key, text), bucket, key)
            return _Planned(index, ticket, None, self._reason(exc))
        return _Planned(index, Ticket(job_id(prepared.bucket, prepared.key, process, given), bucket, key), prepared)

    def _reason(self, exc: BaseException) -> str:
        try:
            return self.redact(f"{type(exc).__name__}: {exc}")
        except Exception:
            return type(exc).__name__

    def _result(self, planned: _Planned, outcome: Outcome, **fields: Any) -> BulkResult:
        t = planned.ticket
        return BulkResult(planned.index, t.job_id, t.bucket, t.key, outcome, **fields)

    def _settled(self, planned: _Planned, entry: Entry) -> BulkResult:
        """The result of a job the store did not let us take."""
        if entry.owner == self.owner:
            return self._result(planned, "skipped", reason="duplicate: the same job is earlier in this run's input")
        if entry.state == "claimed":
            return self._result(planned, "skipped", reason=f"being sent by another worker ({entry.owner})")
        if entry.state == "accepted":
            return self._result(planned, "accepted", task_id=entry.task_id, resumed=True)
        if entry.state == "failed":
            return self._result(planned, "failed", reason=entry.reason, resumed=True)
        reason = f"{entry.reason or 'the outcome is unknown'} (not resubmitted: pass resubmit_unknown to send it again)"
        return self._result(planned, "unknown", reason=reason, resumed=True)

    async def _record(self, result: BulkResult, planned: _Planned, entry: Entry) -> BulkResult:
        """Make ``entry`` durable, then return ``result`` (also when abandoned meanwhile: it is written anyway)."""
        try:
            await asyncio.shield(self.committer.record(planned.ticket, entry))
        except asyncio.CancelledError:
            if not self.abandoning:
                raise
        return result

    async def run_one(self, planned: _Planned) -> BulkResult:
        claim = self.committer.claim(planned.ticket)
        try:
            entry = await asyncio.shield(claim)
        except asyncio.CancelledError:
            claim.add_done_callback(lambda f: self._not_sent_after_cancel(planned, f))
            if not self.abandoning:
                raise
            return self._result(planned, "failed", reason="interrupted before it was sent")
        if entry is not None:
            return self._settled(planned, entry)
        if planned.prepared is None:
            result = self._result(planned, "failed", reason=planned.problem)
            return await self._record(result, planned, Entry("failed", self.owner, reason=planned.problem))
        if self.stopping:
            reason = "interrupted before it was sent"
            result = self._result(planned, "failed", reason=reason)
            return await self._record(result, planned, Entry("failed", self.owner, reason=reason, retry=True))
        entry = await self._send(planned, planned.prepared)
        outcome: Outcome = entry.state if entry.state != "claimed" else "unknown"
        result = self._result(planned, outcome, task_id=entry.task_id, reason=entry.reason)
        return await self._record(result, planned, entry)

    def _not_sent_after_cancel(self, planned: _Planned, claim: asyncio.Future[Optional[Entry]]) -> None:
        if not claim.cancelled() and claim.exception() is None and claim.result() is None:
            reason = "interrupted before it was sent"
            self.committer.record(planned.ticket, Entry("failed", self.owner, reason=reason, retry=True))

    async def _send(self, planned: _Planned, prepared: PreparedRequest) -> Entry:
        me = self.owner
        try:
            response = await self.send_one(prepared)
        except asyncio.CancelledError:
            reason = "interrupted while waiting for the answer: the task may have been created"
            if not self.abandoning:
                self.committer.record(planned.ticket, Entry("unknown", me, reason=reason))
                raise
            return Entry("unknown", me, reason=reason)
        except TaskMayExistError as exc:
            return Entry("unknown", me, reason=self._reason(exc))
        except TransportError as exc:
            if exc.sent:  # the client turns these into TaskMayExistError; if one gets here, the task may exist
                return Entry("unknown", me, reason=self._reason(exc))
            return Entry("failed", me, reason=self._reason(exc) + " (never sent: sent again on rerun)", retry=True)
        except (ThrottlingError, RequestTimeTooSkewedError) as exc:  # refused before any work
            return Entry("failed", me, reason=self._reason(exc), retry=True)
        except (AccessDeniedError, NotFoundError) as exc:
            # Refused before any task existed, for a cause outside the job (credentials, region,
            # permissions, a source not uploaded yet): once that is fixed, the next run sends it.
            return Entry("failed", me, reason=self._reason(exc) + " (no task: sent again on rerun)", retry=True)
        except OSSError as exc:  # the job itself was refused (400): the same request fails the same way
            return Entry("failed", me, reason=self._reason(exc))
        except Exception as exc:  # anything unexpected once the send began: the task may exist
            return Entry("unknown", me, reason=self._reason(exc))
        try:
            task = parse_async_result(response.status, response.headers, response.body)
        except OSSError as exc:  # a 2xx we cannot read: OSS most likely created the task
            reason = self._reason(exc) + " (after a 2xx answer: the task was probably created)"
            return Entry("unknown", me, reason=reason)
        return Entry("accepted", me, task_id=task.task_id)


def _check_concurrency(concurrency: int) -> int:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= 1000:
        raise ConfigurationError(
            f"concurrency must be an integer from 1 to 1000; got {concurrency!r}", param="concurrency"
        )
    return concurrency


def _check_grace(grace: float) -> float:
    if isinstance(grace, bool) or not isinstance(grace, (int, float)) or not (0 <= grace <= 3600):
        raise ConfigurationError(f"grace must be a number of seconds from 0 to 3600; got {grace!r}", param="grace")
    return float(grace)


def _open(journal: Optional[Journal]) -> Tuple[JobStore, bool]:
    """The store to use and whether this run owns (closes) it."""
    if journal is None:
        return MemoryStore(), True
    if isinstance(journal, JobStore):
        return journal, False
    return JournalStore(journal), True


async def _engine(
    send_one: SendOne,
    prepare: Prepare,
    jobs: Jobs,
    *,
    concurrency: int,
    journal: Optional[Journal],
    resubmit_unknown: bool,
    progress: Optional[bool],
    redact: Callable[[str], str],
    grace: float,
    interrupt: Optional[_Interrupt] = None,
) -> AsyncGenerator[BulkResult, None]:
    window = _check_concurrency(concurrency)
    grace = _check_grace(grace)
    store, owned = _open(journal)
    committer = _Committer(store, resubmit_unknown)
    engine = _Engine(send_one, prepare, committer, store.owner, _redactor(redact))
    bar = _Progress(_progress_stream(progress), len(jobs) if isinstance(jobs, Sized) else None)
    loop = asyncio.get_running_loop()
    source = _aiter(jobs)
    pending: Set[asyncio.Future[BulkResult]] = set()
    signal_ = (interrupt or _Interrupt()).event()
    stop = asyncio.ensure_future(signal_.wait())
    deadline = math.inf
    index, exhausted = 0, False
    try:
        while True:
            while not exhausted and not engine.stopping and len(pending) < window:
                try:
                    item = await source.__anext__()
                except StopAsyncIteration:
                    exhausted = True
                    break
                pending.add(asyncio.ensure_future(engine.run_one(engine.plan(index, item))))
                index += 1
            if not pending:
                break
            if stop.done():  # Ctrl-C: the first stops taking jobs, the second stops waiting for answers
                deadline = loop.time() + (0.0 if engine.stopping else grace)
                engine.stopping = True
                signal_.clear()
                stop = asyncio.ensure_future(signal_.wait())
            timeout = None if deadline == math.inf else max(0.0, deadline - loop.time())
            waiting: Set[asyncio.Future[Any]] = {*pending, stop}
            done, _ = await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if not done and engine.stopping:
                await _abandon(engine, pending)
            finished = sorted((f for f in pending if f in done), key=_index)
            pending -= set(finished)
            for future in finished:
                result = future.result()  # a store failure ends the run
                bar.add(result)
                yield result
    finally:  # also when cancelled, closed early (GeneratorExit) or failed: record what is in flight
        engine.stopping = True
        if pending:
            limit = grace if deadline == math.inf else max(0.0, deadline - loop.time())
            if limit > 0:
                await asyncio.wait(pending, timeout=limit)
            await _abandon(engine, pending)
        stop.cancel()
        await asyncio.gather(stop, return_exceptions=True)
        await committer.drain()
        committer.close()
        await _close_source(source)
        if owned:
            store.close()
        bar.close()


def _index(future: asyncio.Future[BulkResult]) -> int:
    if future.cancelled() or future.exception() is not None:
        return -1
    return future.result().index


async def _abandon(engine: _Engine, pending: Set[asyncio.Future[BulkResult]]) -> None:
    """Stop waiting for the answers still in flight: they are recorded ``unknown`` (or never sent)."""
    engine.abandoning = True
    for future in pending:
        future.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


async def _close_source(source: AsyncIterator[Any]) -> None:
    aclose = getattr(source, "aclose", None)
    if aclose is not None:
        with contextlib.suppress(Exception):
            await aclose()


def run_async(
    client: AsyncClient,
    jobs: Jobs,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    journal: Optional[Journal] = None,
    resubmit_unknown: bool = False,
    progress: Optional[bool] = None,
    grace: float = DEFAULT_GRACE,
) -> AsyncIterator[BulkResult]:
    """``AsyncClient.submit_many``: results as an async iterator, in order of completion."""
    _check_concurrency(concurrency)
    _check_grace(grace)
    return _engine(
        client.send, client.prepare_submit, jobs, concurrency=concurrency, journal=journal,
        resubmit_unknown=resubmit_unknown, progress=progress, redact=client.redact, grace=grace,
    )  # fmt: skip


def run_sync(
    client: Client,
    jobs: Iterable[Any],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    journal: Optional[Journal] = None,
    resubmit_unknown: bool = False,
    progress: Optional[bool] = None,
    grace: float = DEFAULT_GRACE,
) -> Iterator[BulkResult]:
    """``Client.submit_many``: the same engine on a private event loop; each send runs in a daemon thread.

    On the main thread, Ctrl-C while it runs ends the run gracefully (the answers in
    flight are awaited up to ``grace`` seconds, recorded and yielded), then raises
    ``KeyboardInterrupt``. Must not be called from a thread that runs an event loop.
    """
    _check_concurrency(concurrency)
    _check_grace(grace)
    return _drive(client, jobs, concurrency, journal, resubmit_unknown, progress, grace)


def _threaded(send: Callable[[PreparedRequest], Answer]) -> SendOne:
    """``send`` on a daemon thread: an interrupted run never waits for it at interpreter exit."""

    async def send_one(prepared: PreparedRequest) -> Answer:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()

        def settle(ok: bool, value: Any) -> None:
            if not future.done():
                future.set_result(value) if ok else future.set_exception(value)

        def work() -> None:
            try:
                outcome: Tuple[bool, Any] = (True, send(prepared))
            except BaseException as exc:
                outcome = (False, exc)
            with contextlib.suppress(RuntimeError):  # the loop is closed: the run gave up waiting for this answer
                loop.call_soon_threadsafe(settle, *outcome)

        threading.Thread(target=work, name="procdsl-submit-many", daemon=True).start()
        return await future

    return send_one


def _drive(
    client: Client,
    jobs: Iterable[Any],
    concurrency: int,
    journal: Optional[Journal],
    resubmit_unknown: bool,
    progress: Optional[bool],
    grace: float,
) -> Iterator[BulkResult]:
    loop = asyncio.new_event_loop()
    interrupt = _Interrupt()
    results = _engine(
        _threaded(client.send), client.prepare_submit, jobs, concurrency=concurrency, journal=journal,
        resubmit_unknown=resubmit_unknown, progress=progress, redact=client.redact, grace=grace,
        interrupt=interrupt,
    )  # fmt: skip
    try:
        while True:
            try:
                result = _step(loop, results.__anext__(), interrupt)
            except StopAsyncIteration:
                break
            yield result
        if interrupt.count:
            raise KeyboardInterrupt
    finally:
        try:
            _step(loop, results.aclose(), interrupt)
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()


def _step(loop: asyncio.AbstractEventLoop, step: Awaitable[Any], interrupt: _Interrupt) -> Any:
    """Run one step of the engine with Ctrl-C turned into a graceful stop (main thread, default handler only)."""
    handled = False
    main = threading.current_thread() is threading.main_thread()
    if main and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        try:
            loop.add_signal_handler(signal.SIGINT, interrupt.request)
            handled = True
        except (NotImplementedError, RuntimeError, ValueError):  # pragma: no cover - Windows
            pass
    try:
        return loop.run_until_complete(step)
    finally:
        if handled:
            loop.remove_signal_handler(signal.SIGINT)
