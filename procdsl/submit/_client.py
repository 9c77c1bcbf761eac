"""``Client`` (blocking) and ``AsyncClient`` (asyncio): one implementation, two ways of waiting.

Building the request, signing it, parsing the answer and deciding on retries are
the pure functions of ``_requests`` and ``_retry``, driven by one loop,
:class:`_Attempts`, on plain values (``WireRequest`` out, ``Answer`` or
``TransportError`` in). Each client only sends (through a transport, ``_transport.py``;
httpx lives in ``_httpx.py``) and sleeps.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import AsyncIterator, Callable, Iterable, Iterator, Mapping, Optional, Tuple, Type, Union

from .._parser import parse
from .._stages import GET_STAGES, AsyncJob, GetProcess, SyncJob
from ..errors import StageError
from . import _bulk as bulk
from ._credentials import Credentials, CredentialsProvider, as_provider, resolve
from ._endpoints import AddressStyle, Endpoint, EndpointKind, resolve_region
from ._errors import ConfigurationError, OSSError, SubmitError, TransportError
from ._httpx import (
    DEFAULT_TIMEOUT,
    AsyncHttpxBaseTransport,
    AsyncHttpxClient,
    AsyncHttpxTransport,
    HttpxBaseTransport,
    HttpxClient,
    HttpxTransport,
    Timeout,
    as_timeout,
)
from ._requests import (
    AsyncTask,
    Expires,
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
from ._retry import Decision, RetryPolicy, decide, may_exist
from ._signers import SignatureVersion, signer
from ._transport import Answer, AsyncTransport, SyncTransport

__all__ = ["DEFAULT_DEADLINE", "DEFAULT_MAX_BODY_SIZE", "DEFAULT_TIMEOUT", "AsyncClient", "Client"]

log = logging.getLogger("procdsl.submit")

DEFAULT_DEADLINE = 120.0
DEFAULT_MAX_BODY_SIZE = 128 * 1024 * 1024
# AsyncProcessObject and ProcessObject answer a small JSON object.
_MAX_JSON_BODY = 1024 * 1024

Headers = Optional[Mapping[str, str]]
Query = Optional[Mapping[str, str]]


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


def _get_text(process: Union[GetProcess, str, None], strict: bool) -> Optional[str]:
    if process is None:
        return None
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


def _positive(name: str, value: object, kinds: Tuple[type, ...]) -> None:
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if number is None or not isinstance(value, kinds) or not 0 < number < float("inf"):
        raise ConfigurationError(f"{name} must be a positive finite number; got {value!r}", param=name)


class _BaseClient:
    """Configuration, request preparation, signing and retry bookkeeping shared by both clients."""

    def __init__(
        self,
        region: Optional[str] = None,
        credentials: Union[Credentials, CredentialsProvider, None] = None,
        endpoint: Optional[str] = None,
        *,
        address_style: Optional[AddressStyle] = None,
        endpoint_kind: EndpointKind = "public",
        timeout: Union[float, Timeout] = DEFAULT_TIMEOUT,
        deadline: Optional[float] = DEFAULT_DEADLINE,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - immutable
        signature_version: SignatureVersion = "v4",
        strict: bool = True,
        product: str = "oss",
        clock: Optional[Callable[[], datetime]] = None,
    ) -> None:
        self.region = resolve_region(region)
        self.endpoint = Endpoint.resolve(self.region, endpoint, style=address_style, kind=endpoint_kind)
        self._provider = as_provider(credentials)
        self.timeout = as_timeout(timeout)
        if deadline is not None:
            _positive("deadline", deadline, (int, float))
        _positive("max_body_size", max_body_size, (int,))
        self.deadline, self.max_body_size = deadline, max_body_size
        if not isinstance(retry, RetryPolicy):
            raise ConfigurationError("retry must be a RetryPolicy", param="retry")
        self.retry = retry
        self.signature_version = signer(signature_version).name
        self.strict = strict
        self.product = product
        self._clock = clock
        self._clock_offset = 0.0  # seconds added to the local clock after RequestTimeTooSkewed
        self._hidden: Tuple[str, ...] = ()  # every secret and token signed with, for redact()

    def __repr__(self) -> str:
        e = self.endpoint
        return f"{type(self).__name__}(region={self.region!r}, endpoint='{e.scheme}://{e.host}', style={e.style!r})"

    def now(self) -> datetime:
        """The signing clock: local UTC time, corrected by the server's after a RequestTimeTooSkewed."""
        base = self._clock() if self._clock is not None else datetime.now(timezone.utc)
        return base + timedelta(seconds=self._clock_offset)

    def credentials(self) -> Credentials:
        """The provider's current credentials (what the next request is signed with)."""
        creds = resolve(self._provider)
        for value in (creds.access_key_secret, creds.security_token):
            if value and value not in self._hidden:
                # Replaced, never mutated (safe for readers in threads); longest first for redact().
                self._hidden = tuple(sorted({*self._hidden, value}, key=len, reverse=True))
        return creds

    def redact(self, text: str) -> str:
        """``text`` with every AccessKey secret and STS token this client has signed with replaced by ``<hidden>``."""
        for value in self._hidden:
            text = text.replace(value, "<hidden>")
        return text

    # -- pure preparation (no I/O) --

    def prepare_submit(
        self, bucket: str, key: str, job: Union[AsyncJob, str], *, headers: Headers = None, query: Query = None
    ) -> PreparedRequest:
        return async_process_request(bucket, key, _async_text(job, self.strict), headers=headers, query=query)

    def prepare_process(
        self, bucket: str, key: str, job: Union[SyncJob, str], *, headers: Headers = None, query: Query = None
    ) -> PreparedRequest:
        return process_request(bucket, key, _sync_job_text(job, self.strict), headers=headers, query=query)

    def prepare_get(
        self, bucket: str, key: str, process: Union[GetProcess, str, None], *, headers: Headers = None,
        query: Query = None,
    ) -> PreparedRequest:  # fmt: skip
        return get_request(bucket, key, _get_text(process, self.strict), headers=headers, query=query)

    def sign(
        self, prepared: PreparedRequest, now: Optional[datetime] = None, credentials: Optional[Credentials] = None
    ) -> WireRequest:
        """Sign with the client's signature version at ``now`` (default: the corrected clock).

        ``credentials`` default to the provider's current ones.
        """
        return sign_request(
            prepared,
            endpoint=self.endpoint,
            credentials=credentials if credentials is not None else self.credentials(),
            region=self.region,
            now=now if now is not None else self.now(),
            product=self.product,
            version=self.signature_version,
        )

    def _presign(
        self, bucket: str, key: str, process: Union[GetProcess, str, None], expires: Expires, version: SignatureVersion,
        headers: Headers, query: Query, credentials: Optional[Credentials] = None,
        signed_at: Optional[datetime] = None,
    ) -> str:  # fmt: skip
        """The presigned GET URL of ``sign_url`` (shared: signing is pure, no I/O)."""
        return presign_url(
            self.prepare_get(bucket, key, process, headers=headers, query=query),
            endpoint=self.endpoint,
            credentials=credentials if credentials is not None else self.credentials(),
            region=self.region,
            now=signed_at if signed_at is not None else self.now(),
            expires=expires,
            version=version,
            product=self.product,
        )

    def _max_body(self, prepared: PreparedRequest) -> int:
        return self.max_body_size if prepared.operation == "GetObject" else min(self.max_body_size, _MAX_JSON_BODY)

    def _task(self, prepared: PreparedRequest, answer: Answer) -> AsyncTask:
        """The accepted task; a 2xx answer that cannot be read means the task was probably created."""
        try:
            return parse_async_result(answer.status, answer.headers, answer.body)
        except OSSError as exc:
            raise may_exist(prepared, exc, answer.headers.get("x-oss-request-id")) from None


class _Attempts:
    """The send-and-retry loop of one request, on plain values: both clients drive it.

    ``request()`` signs the next attempt; ``settle()`` takes its answer (an ``Answer``
    or the ``TransportError``) and returns the 2xx answer, or the seconds to wait
    before the next attempt, or raises the error that ends the call.
    """

    def __init__(self, client: _BaseClient, prepared: PreparedRequest) -> None:
        self.client, self.prepared = client, prepared
        self.attempt, self.corrected = 0, False
        self.deadline = time.monotonic() + client.deadline if client.deadline is not None else None
        self.max_body = client._max_body(prepared)

    def request(self, credentials: Optional[Credentials] = None) -> WireRequest:
        self.attempt += 1
        self.signed_at, self.offset = self.client.now(), self.client._clock_offset
        self.wire = self.client.sign(self.prepared, self.signed_at, credentials)
        return self.wire

    def settle(self, answer: Union[Answer, TransportError]) -> Union[Answer, float]:
        client = self.client
        headers: Optional[Mapping[str, str]] = None
        if isinstance(answer, TransportError):
            error: SubmitError = answer
        else:
            log.debug("%s %s -> %s (x-oss-request-id %s)", self.wire.method, _redacted(self.wire.url),
                      answer.status, answer.headers.get("x-oss-request-id"))  # fmt: skip
            if 200 <= answer.status < 300:
                return answer
            headers = answer.headers
            error = parse_error(answer.status, headers, answer.body, secrets=client._hidden)
        decision = self._decide(error, headers)
        if not decision.retry:
            assert decision.error is not None
            raise decision.error
        if self.deadline is not None and time.monotonic() + decision.delay >= self.deadline:
            raise error  # no time left for another attempt; what was retryable is safe to report as is
        return decision.delay

    def _decide(self, error: SubmitError, headers: Optional[Mapping[str, str]]) -> Decision:
        client = self.client
        server = server_time(headers, error if isinstance(error, OSSError) else None) if headers is not None else None
        decision = decide(
            client.retry, self.prepared, self.attempt, error, server_now=server, local_now=self.signed_at,
            skew_corrected=self.corrected, headers=headers,
        )  # fmt: skip
        if decision.clock_offset is not None:
            # Set, not add: concurrent calls that all hit RequestTimeTooSkewed agree on one offset.
            client._clock_offset = self.offset + decision.clock_offset
            self.corrected = True
        log.debug("%s attempt %d failed (%s): %s", self.prepared.operation, self.attempt, type(error).__name__,
                  "retrying" if decision.retry else "giving up")  # fmt: skip
        return decision


def _sync_transport(
    http_client: Optional[HttpxClient], transport: Union[HttpxBaseTransport, SyncTransport, None], timeout: Timeout
) -> SyncTransport:
    if transport is not None and not isinstance(transport, HttpxBaseTransport):
        return transport  # a SyncTransport of the caller's (another HTTP library)
    return HttpxTransport(http_client, transport, timeout)


def _async_transport(
    http_client: Optional[AsyncHttpxClient],
    transport: Union[AsyncHttpxBaseTransport, AsyncTransport, None],
    timeout: Timeout,
) -> AsyncTransport:
    if transport is not None and not isinstance(transport, AsyncHttpxBaseTransport):
        return transport
    return AsyncHttpxTransport(http_client, transport, timeout)


class Client(_BaseClient):
    """Blocking client. ``with Client(...) as c:`` closes the connection pool it created.

    ``region`` is required (or ``OSS_REGION``). ``credentials``: ``Credentials``, any
    provider with ``get_credentials()``, or None for ``OSS_ACCESS_KEY_ID``/``OSS_ACCESS_KEY_SECRET``/
    ``OSS_SESSION_TOKEN``. Pass ``http_client`` to use your own ``httpx.Client`` (it is then
    yours to close; its redirects, auth and default headers are not used), or ``transport``:
    an httpx transport (e.g. ``procdsl.testing.FakeOSS().transport()``) or any object with
    ``send(request, *, deadline, max_body)`` and ``close()`` (``procdsl.submit._transport``).
    """

    def __init__(
        self,
        region: Optional[str] = None,
        credentials: Union[Credentials, CredentialsProvider, None] = None,
        endpoint: Optional[str] = None,
        *,
        http_client: Optional[HttpxClient] = None,
        transport: Union[HttpxBaseTransport, SyncTransport, None] = None,
        address_style: Optional[AddressStyle] = None,
        endpoint_kind: EndpointKind = "public",
        timeout: Union[float, Timeout] = DEFAULT_TIMEOUT,
        deadline: Optional[float] = DEFAULT_DEADLINE,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - immutable
        signature_version: SignatureVersion = "v4",
        strict: bool = True,
        product: str = "oss",
        clock: Optional[Callable[[], datetime]] = None,
    ) -> None:
        super().__init__(
            region, credentials, endpoint, address_style=address_style, endpoint_kind=endpoint_kind,
            timeout=timeout, deadline=deadline, max_body_size=max_body_size, retry=retry,
            signature_version=signature_version, strict=strict, product=product, clock=clock,
        )  # fmt: skip
        self._transport = _sync_transport(http_client, transport, self.timeout)

    def send(self, prepared: PreparedRequest) -> Answer:
        """Sign and send one prepared request, retrying what is safe; return the 2xx answer (body read).

        Raises ``OSSError`` for an error answer, ``TransportError`` when there was
        none, and ``TaskMayExistError`` when an AsyncProcessObject failed after it
        was sent (the task may exist; it is never resubmitted automatically).
        """
        attempts = _Attempts(self, prepared)
        while True:
            answer: Union[Answer, TransportError]
            try:
                answer = self._transport.send(attempts.request(), deadline=attempts.deadline,
                                              max_body=attempts.max_body)  # fmt: skip
            except TransportError as exc:
                answer = exc
            result = attempts.settle(answer)
            if isinstance(result, Answer):
                return result
            if result:
                time.sleep(result)

    def submit(
        self, bucket: str, key: str, job: Union[AsyncJob, str], *, headers: Headers = None, query: Query = None
    ) -> AsyncTask:
        """AsyncProcessObject: start an asynchronous task (``x-oss-async-process``).

        Never resubmitted after it may have reached OSS: a read timeout, a 5xx or an
        unreadable 2xx raises ``TaskMayExistError``. Requests that never left, throttling
        answers and RequestTimeTooSkewed are retried (docs/submit.md, "Send and retry").
        """
        prepared = self.prepare_submit(bucket, key, job, headers=headers, query=query)
        return self._task(prepared, self.send(prepared))

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
        process: Union[GetProcess, str, None] = None,
        expires: Expires = 600,
        *,
        version: SignatureVersion = "v4",
        headers: Headers = None,
        query: Query = None,
        signed_at: Optional[datetime] = None,
    ) -> str:
        """A presigned GET URL, carrying ``x-oss-process`` when ``process`` is given.

        ``expires``: seconds, a ``timedelta`` or an aware ``datetime``; V4 URLs last at most
        7 days. ``headers`` are signed, so whoever uses the URL must send them as given.
        ``signed_at`` (aware) signs as of that time instead of now, so the same arguments
        give the same URL (``procdsl.web`` caches on it).
        """
        return self._presign(bucket, key, process, expires, version, headers, query, signed_at=signed_at)

    def process(
        self, bucket: str, key: str, job: Union[SyncJob, str], *, headers: Headers = None, query: Query = None
    ) -> ProcessResult:
        """ProcessObject: run a synchronous process and save the result (``|sys/saveas``)."""
        answer = self.send(self.prepare_process(bucket, key, job, headers=headers, query=query))
        return parse_process_result(answer.status, answer.headers, answer.body)

    def get(
        self, bucket: str, key: str, process: Union[GetProcess, str, None], *, headers: Headers = None,
        query: Query = None,
    ) -> bytes:  # fmt: skip
        """GetObject with ``x-oss-process``: the processed bytes."""
        return self.send(self.prepare_get(bucket, key, process, headers=headers, query=query)).body

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()


class AsyncClient(_BaseClient):
    """asyncio client with ``Client``'s methods as coroutines.

    ``async with AsyncClient(...) as c:`` closes the pool it created; pass
    ``http_client`` to use your own ``httpx.AsyncClient``, or ``transport`` as for ``Client``
    (an object with ``async send(...)`` and ``async aclose()``).
    """

    def __init__(
        self,
        region: Optional[str] = None,
        credentials: Union[Credentials, CredentialsProvider, None] = None,
        endpoint: Optional[str] = None,
        *,
        http_client: Optional[AsyncHttpxClient] = None,
        transport: Union[AsyncHttpxBaseTransport, AsyncTransport, None] = None,
        address_style: Optional[AddressStyle] = None,
        endpoint_kind: EndpointKind = "public",
        timeout: Union[float, Timeout] = DEFAULT_TIMEOUT,
        deadline: Optional[float] = DEFAULT_DEADLINE,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - immutable
        signature_version: SignatureVersion = "v4",
        strict: bool = True,
        product: str = "oss",
        clock: Optional[Callable[[], datetime]] = None,
    ) -> None:
        super().__init__(
            region, credentials, endpoint, address_style=address_style, endpoint_kind=endpoint_kind,
            timeout=timeout, deadline=deadline, max_body_size=max_body_size, retry=retry,
            signature_version=signature_version, strict=strict, product=product, clock=clock,
        )  # fmt: skip
        self._transport = _async_transport(http_client, transport, self.timeout)

    async def send(self, prepared: PreparedRequest) -> Answer:
        """As ``Client.send``."""
        attempts = _Attempts(self, prepared)
        while True:
            answer: Union[Answer, TransportError]
            try:
                wire = attempts.request(await self._credentials_off_loop())
                answer = await self._transport.send(wire, deadline=attempts.deadline,
                                                    max_body=attempts.max_body)  # fmt: skip
            except TransportError as exc:
                answer = exc
            result = attempts.settle(answer)
            if isinstance(result, Answer):
                return result
            if result:
                await asyncio.sleep(result)

    async def _credentials_off_loop(self) -> Credentials:
        """A provider may block (the ECS one fetches over HTTP when refreshing): ask it in a worker thread."""
        if isinstance(self._provider, Credentials):
            return self.credentials()
        return await asyncio.get_running_loop().run_in_executor(None, self.credentials)

    async def submit(
        self, bucket: str, key: str, job: Union[AsyncJob, str], *, headers: Headers = None, query: Query = None
    ) -> AsyncTask:
        """As ``Client.submit`` (never resubmitted after it may have reached OSS)."""
        prepared = self.prepare_submit(bucket, key, job, headers=headers, query=query)
        return self._task(prepared, await self.send(prepared))

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
        process: Union[GetProcess, str, None] = None,
        expires: Expires = 600,
        *,
        version: SignatureVersion = "v4",
        headers: Headers = None,
        query: Query = None,
        signed_at: Optional[datetime] = None,
    ) -> str:
        """As ``Client.sign_url`` (a coroutine like every ``AsyncClient`` method; only a provider may do I/O)."""
        credentials = await self._credentials_off_loop()
        return self._presign(bucket, key, process, expires, version, headers, query, credentials, signed_at)

    async def process(
        self, bucket: str, key: str, job: Union[SyncJob, str], *, headers: Headers = None, query: Query = None
    ) -> ProcessResult:
        """As ``Client.process``."""
        answer = await self.send(self.prepare_process(bucket, key, job, headers=headers, query=query))
        return parse_process_result(answer.status, answer.headers, answer.body)

    async def get(
        self, bucket: str, key: str, process: Union[GetProcess, str, None], *, headers: Headers = None,
        query: Query = None,
    ) -> bytes:  # fmt: skip
        """As ``Client.get``."""
        return (await self.send(self.prepare_get(bucket, key, process, headers=headers, query=query))).body

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.aclose()
