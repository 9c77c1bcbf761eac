"""``Client`` (blocking) and ``AsyncClient`` (asyncio) on httpx.

Both share every step but the send: building the request, signing it, parsing
the answer and deciding on retries are the pure functions of
``procdsl.submit._requests`` and ``procdsl.submit._retry``. Each client has one
method that sends one prepared request, ``send``; the calls are thin wrappers
around it, so new calls (e.g. bulk submission) only need a builder and a parser.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import AsyncIterator, Callable, Iterable, Iterator, Optional, Type, Union

import httpx
from typing_extensions import Literal

from .._parser import parse
from .._stages import GET_STAGES, AsyncJob, GetProcess, SyncJob
from ..errors import StageError
from . import _bulk as bulk
from ._credentials import Credentials
from ._endpoints import AddressStyle, Endpoint, EndpointKind
from ._errors import OSSError, SubmitError, TransportError
from ._requests import (
    AsyncTask,
    PreparedRequest,
    ProcessResult,
    WireRequest,
    async_process_request,
    get_request,
    parse_async_result,
    parse_error,
    parse_process_result,
    presign_url,
    process_request,
    server_time,
    sign_request,
)
from ._retry import Decision, RetryPolicy, decide

__all__ = ["AsyncClient", "Client", "DEFAULT_TIMEOUT"]

log = logging.getLogger("procdsl.submit")

# alibabacloud-oss-v2 defaults: connect 10 s, read/write 20 s (config defaults, submit.md §6).
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=10.0)

_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def _async_text(job: Union[AsyncJob, str], strict: bool) -> str:
    if isinstance(job, AsyncJob):
        return str(job)
    if isinstance(job, str):
        return str(parse(job, strict=strict, context="async"))
    raise TypeError(f"submit() takes an AsyncJob or an x-oss-async-process string, not {type(job).__name__}")


def _sync_job_text(job: Union[SyncJob, str], strict: bool) -> str:
    if isinstance(job, SyncJob):
        return str(job)
    if isinstance(job, str):
        parsed = parse(job, strict=strict, context="sync")
        if not isinstance(parsed, SyncJob):
            raise StageError("process() needs a process saved with |sys/saveas (ProcessObject)", source=job)
        return str(parsed)
    raise TypeError(f"process() takes a SyncJob (a process with save_as) or a string, not {type(job).__name__}")


def _get_text(process: Union[GetProcess, str], strict: bool) -> str:
    if isinstance(process, GET_STAGES):
        return str(process)
    if isinstance(process, str):
        parsed = parse(process, strict=strict, context="sync")
        if not isinstance(parsed, GET_STAGES):
            raise StageError("a GET takes a process without |sys/saveas; use process() to save", source=process)
        return str(parsed)
    raise TypeError(
        "expected an image pipeline, a style, a synchronous process or if_status_eq_404{…}, "
        f"not {type(process).__name__}"
    )


def _redacted(url: str) -> str:
    return url.partition("?")[0]


class _BaseClient:
    """Configuration, request preparation, signing and retry bookkeeping shared by both clients."""

    def __init__(
        self,
        region: str = "cn-hangzhou",
        credentials: Optional[Credentials] = None,
        endpoint: Optional[str] = None,
        *,
        address_style: Optional[AddressStyle] = None,
        endpoint_kind: EndpointKind = "public",
        timeout: Union[float, httpx.Timeout] = DEFAULT_TIMEOUT,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - immutable
        strict: bool = True,
        product: str = "oss",
        clock: Optional[Callable[[], datetime]] = None,
    ) -> None:
        self.region = region
        self.endpoint = Endpoint.resolve(region, endpoint, style=address_style, kind=endpoint_kind)
        self._credentials = credentials if credentials is not None else Credentials.from_env()
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.retry = retry
        self.strict = strict
        self.product = product
        self._clock = clock
        self._clock_offset = 0.0  # seconds added to the local clock after RequestTimeTooSkewed

    def __repr__(self) -> str:
        e = self.endpoint
        return f"{type(self).__name__}(region={self.region!r}, endpoint='{e.scheme}://{e.host}', style={e.style!r})"

    def now(self) -> datetime:
        """The signing clock: local UTC time, corrected by the server's after a RequestTimeTooSkewed."""
        base = self._clock() if self._clock is not None else datetime.now(timezone.utc)
        return base + timedelta(seconds=self._clock_offset)

    # -- pure preparation (no I/O) --

    def prepare_submit(self, bucket: str, key: str, job: Union[AsyncJob, str]) -> PreparedRequest:
        return async_process_request(bucket, key, _async_text(job, self.strict))

    def prepare_process(self, bucket: str, key: str, job: Union[SyncJob, str]) -> PreparedRequest:
        return process_request(bucket, key, _sync_job_text(job, self.strict))

    def prepare_get(self, bucket: str, key: str, process: Union[GetProcess, str]) -> PreparedRequest:
        return get_request(bucket, key, _get_text(process, self.strict))

    def sign(self, prepared: PreparedRequest, now: Optional[datetime] = None) -> WireRequest:
        """Sign with V4 headers at ``now`` (default: the corrected clock)."""
        return sign_request(
            prepared,
            endpoint=self.endpoint,
            credentials=self._credentials,
            region=self.region,
            now=now if now is not None else self.now(),
            product=self.product,
        )

    def _presign(
        self,
        bucket: str,
        key: str,
        process: Union[GetProcess, str],
        expires: int,
        version: Literal["v4", "v1"],
        signed_at: Optional[datetime] = None,
    ) -> str:
        """The presigned GET URL of ``sign_url`` (shared: signing is pure, no I/O)."""
        return presign_url(
            self.prepare_get(bucket, key, process),
            endpoint=self.endpoint,
            credentials=self._credentials,
            region=self.region,
            now=signed_at if signed_at is not None else self.now(),
            expires=expires,
            version=version,
            product=self.product,
        )

    # -- shared send bookkeeping --

    def _build(self, http: Union[httpx.Client, httpx.AsyncClient], wire: WireRequest) -> httpx.Request:
        return http.build_request(
            wire.method, wire.url, headers=list(wire.headers), content=wire.body, timeout=self.timeout
        )

    def _transport_error(self, prepared: PreparedRequest, exc: httpx.HTTPError) -> TransportError:
        sent = not isinstance(exc, _NOT_SENT)
        where = f"{prepared.operation} {prepared.bucket}/{prepared.key}"
        return TransportError(f"{where}: {type(exc).__name__}: {exc}", sent=sent)

    def _outcome(self, prepared: PreparedRequest, wire: WireRequest, response: httpx.Response) -> Optional[OSSError]:
        log.debug(
            "%s %s -> %s (x-oss-request-id %s)",
            wire.method,
            _redacted(wire.url),
            response.status_code,
            response.headers.get("x-oss-request-id"),
        )
        if 200 <= response.status_code < 300:
            return None
        return parse_error(response.status_code, response.headers, response.content)

    def _decide(
        self,
        prepared: PreparedRequest,
        attempt: int,
        error: SubmitError,
        signed_at: datetime,
        offset_at_sign: float,
        headers: Optional[httpx.Headers],
        corrected: bool,
    ) -> Decision:
        server = server_time(headers, error if isinstance(error, OSSError) else None) if headers is not None else None
        decision = decide(
            self.retry, prepared, attempt, error, server_now=server, local_now=signed_at, skew_corrected=corrected
        )
        if decision.clock_offset is not None:
            # Set, not add: concurrent calls that all hit RequestTimeTooSkewed agree on one offset.
            self._clock_offset = offset_at_sign + decision.clock_offset
        log.debug("%s attempt %d failed (%s): %s", prepared.operation, attempt, type(error).__name__,
                  "retrying" if decision.retry else "giving up")  # fmt: skip
        return decision


class _Attempts:
    """The send-and-retry loop of one request, without the I/O: both clients drive it.

    ``request()`` signs the next attempt; ``settle()`` takes its answer (a response or
    the transport error) and returns the 2xx response, or the seconds to wait before
    the next attempt, or raises the error that ends the call.
    """

    def __init__(self, client: _BaseClient, prepared: PreparedRequest) -> None:
        self.client, self.prepared = client, prepared
        self.attempt, self.corrected = 0, False

    def request(self) -> WireRequest:
        self.attempt += 1
        self.signed_at, self.offset = self.client.now(), self.client._clock_offset
        self.wire = self.client.sign(self.prepared, self.signed_at)
        return self.wire

    def settle(self, answer: Union[httpx.Response, httpx.HTTPError]) -> Union[httpx.Response, float]:
        headers: Optional[httpx.Headers] = None
        if isinstance(answer, httpx.HTTPError):
            error: SubmitError = self.client._transport_error(self.prepared, answer)
        else:
            found = self.client._outcome(self.prepared, self.wire, answer)
            if found is None:
                return answer
            error, headers = found, answer.headers
        decision = self.client._decide(
            self.prepared, self.attempt, error, self.signed_at, self.offset, headers, self.corrected
        )
        self.corrected = self.corrected or decision.clock_offset is not None
        if not decision.retry:
            assert decision.error is not None
            raise decision.error
        return decision.delay or 0.0


class Client(_BaseClient):
    """Blocking client. ``with Client(...) as c:`` closes the connection pool it created.

    Pass ``http_client`` to use your own ``httpx.Client`` (it is then yours to close),
    or ``transport`` (e.g. ``procdsl.testing.FakeOSS().transport()``).
    ``credentials=None`` reads ``OSS_ACCESS_KEY_ID``/``OSS_ACCESS_KEY_SECRET``/``OSS_SESSION_TOKEN``.
    """

    def __init__(
        self,
        region: str = "cn-hangzhou",
        credentials: Optional[Credentials] = None,
        endpoint: Optional[str] = None,
        *,
        http_client: Optional[httpx.Client] = None,
        transport: Optional[httpx.BaseTransport] = None,
        address_style: Optional[AddressStyle] = None,
        endpoint_kind: EndpointKind = "public",
        timeout: Union[float, httpx.Timeout] = DEFAULT_TIMEOUT,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - immutable
        strict: bool = True,
        product: str = "oss",
        clock: Optional[Callable[[], datetime]] = None,
    ) -> None:
        super().__init__(
            region, credentials, endpoint, address_style=address_style, endpoint_kind=endpoint_kind,
            timeout=timeout, retry=retry, strict=strict, product=product, clock=clock,
        )  # fmt: skip
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(transport=transport)

    def send(self, prepared: PreparedRequest) -> httpx.Response:
        """Sign and send one prepared request, retrying what is safe; return the 2xx response (body read).

        Raises ``OSSError`` for an error answer, ``TransportError`` when there was
        none, and ``TaskMayExistError`` when an AsyncProcessObject failed after it
        was sent (the task may exist; it is never resubmitted automatically).
        """
        attempts = _Attempts(self, prepared)
        while True:
            answer: Union[httpx.Response, httpx.HTTPError]
            try:
                answer = self._http.send(self._build(self._http, attempts.request()))
                answer.read()
            except httpx.HTTPError as exc:
                answer = exc
            result = attempts.settle(answer)
            if isinstance(result, httpx.Response):
                return result
            if result:
                time.sleep(result)

    def submit(self, bucket: str, key: str, job: Union[AsyncJob, str]) -> AsyncTask:
        """AsyncProcessObject: start an asynchronous task (``x-oss-async-process``).

        Never resubmitted after an ambiguous failure: a read timeout or a 5xx
        (other than 503) raises ``TaskMayExistError`` because OSS may have
        created the task already. Connection failures before sending, 429/503 and
        RequestTimeTooSkewed are retried.
        """
        response = self.send(self.prepare_submit(bucket, key, job))
        return parse_async_result(response.status_code, response.headers, response.content)

    def submit_many(
        self,
        jobs: Iterable[bulk.JobItem],
        *,
        concurrency: int = bulk.DEFAULT_CONCURRENCY,
        journal: Optional[bulk.Journal] = None,
        resubmit_unknown: bool = False,
        progress: Optional[bool] = None,
        grace: float = bulk.DEFAULT_GRACE,
    ) -> Iterator[bulk.BulkResult]:
        """Submit ``(bucket, key, job[, id])`` items lazily, ``concurrency`` at a time; yield results as they finish.

        ``journal`` (a JSONL path, or a ``JobStore`` such as ``SQLiteStore``/``PostgresStore``)
        records each job by what it does: a rerun, another process or another machine never
        resends an accepted job nor an ambiguous one (unless ``resubmit_unknown``). Ctrl-C
        waits up to ``grace`` seconds for answers in flight. See docs/bulk.md.
        """
        return bulk.run_sync(
            self, jobs, concurrency=concurrency, journal=journal, resubmit_unknown=resubmit_unknown, progress=progress,
            grace=grace,
        )  # fmt: skip

    def sign_url(
        self,
        bucket: str,
        key: str,
        process: Union[GetProcess, str],
        expires: int = 600,
        *,
        version: Literal["v4", "v1"] = "v4",
        signed_at: Optional[datetime] = None,
    ) -> str:
        """A presigned GET URL carrying ``x-oss-process`` (V4; ``version="v1"`` for the legacy form).

        V4 URLs last at most 7 days. ``signed_at`` (aware) signs as of that time instead
        of now, so the same arguments give the same URL (``procdsl.web`` caches on it).
        """
        return self._presign(bucket, key, process, expires, version, signed_at)

    def process(self, bucket: str, key: str, job: Union[SyncJob, str]) -> ProcessResult:
        """ProcessObject: run a synchronous process and save the result (``|sys/saveas``)."""
        response = self.send(self.prepare_process(bucket, key, job))
        return parse_process_result(response.status_code, response.headers, response.content)

    def get(self, bucket: str, key: str, process: Union[GetProcess, str]) -> bytes:
        """GetObject with ``x-oss-process``: the processed bytes."""
        return self.send(self.prepare_get(bucket, key, process)).content

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()


class AsyncClient(_BaseClient):
    """asyncio client with ``Client``'s methods as coroutines.

    ``async with AsyncClient(...) as c:`` closes the pool it created; pass
    ``http_client`` to use your own ``httpx.AsyncClient``.
    """

    def __init__(
        self,
        region: str = "cn-hangzhou",
        credentials: Optional[Credentials] = None,
        endpoint: Optional[str] = None,
        *,
        http_client: Optional[httpx.AsyncClient] = None,
        transport: Optional[httpx.AsyncBaseTransport] = None,
        address_style: Optional[AddressStyle] = None,
        endpoint_kind: EndpointKind = "public",
        timeout: Union[float, httpx.Timeout] = DEFAULT_TIMEOUT,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - immutable
        strict: bool = True,
        product: str = "oss",
        clock: Optional[Callable[[], datetime]] = None,
    ) -> None:
        super().__init__(
            region, credentials, endpoint, address_style=address_style, endpoint_kind=endpoint_kind,
            timeout=timeout, retry=retry, strict=strict, product=product, clock=clock,
        )  # fmt: skip
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient(transport=transport)

    async def send(self, prepared: PreparedRequest) -> httpx.Response:
        """As ``Client.send``."""
        attempts = _Attempts(self, prepared)
        while True:
            answer: Union[httpx.Response, httpx.HTTPError]
            try:
                answer = await self._http.send(self._build(self._http, attempts.request()))
                await answer.aread()
            except httpx.HTTPError as exc:
                answer = exc
            result = attempts.settle(answer)
            if isinstance(result, httpx.Response):
                return result
            if result:
                await asyncio.sleep(result)

    async def submit(self, bucket: str, key: str, job: Union[AsyncJob, str]) -> AsyncTask:
        """As ``Client.submit`` (never resubmitted after an ambiguous failure)."""
        response = await self.send(self.prepare_submit(bucket, key, job))
        return parse_async_result(response.status_code, response.headers, response.content)

    def submit_many(
        self,
        jobs: bulk.Jobs,
        *,
        concurrency: int = bulk.DEFAULT_CONCURRENCY,
        journal: Optional[bulk.Journal] = None,
        resubmit_unknown: bool = False,
        progress: Optional[bool] = None,
        grace: float = bulk.DEFAULT_GRACE,
    ) -> AsyncIterator[bulk.BulkResult]:
        """As ``Client.submit_many``, as an async iterator; cancelling the task waits ``grace`` seconds for answers."""
        return bulk.run_async(
            self, jobs, concurrency=concurrency, journal=journal, resubmit_unknown=resubmit_unknown, progress=progress,
            grace=grace,
        )  # fmt: skip

    async def sign_url(
        self,
        bucket: str,
        key: str,
        process: Union[GetProcess, str],
        expires: int = 600,
        *,
        version: Literal["v4", "v1"] = "v4",
        signed_at: Optional[datetime] = None,
    ) -> str:
        """As ``Client.sign_url`` (a coroutine like every ``AsyncClient`` method; it does no I/O)."""
        return self._presign(bucket, key, process, expires, version, signed_at)

    async def process(self, bucket: str, key: str, job: Union[SyncJob, str]) -> ProcessResult:
        """As ``Client.process``."""
        response = await self.send(self.prepare_process(bucket, key, job))
        return parse_process_result(response.status_code, response.headers, response.content)

    async def get(self, bucket: str, key: str, process: Union[GetProcess, str]) -> bytes:
        """As ``Client.get``."""
        return (await self.send(self.prepare_get(bucket, key, process))).content

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.aclose()
