"""The httpx transport: the only module of ``procdsl.submit`` that imports httpx (see ``_transport.py``).

httpx's ``Client.send`` is called with a request built here, not with
``Client.build_request``, so a caller's ``httpx.Client`` adds no default headers,
cookies or auth to a signed request, and ``follow_redirects=False`` is passed on
every send, whatever the client was configured with: a redirect is an answer, never
followed with the token and job body to another host.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from typing import Dict, List, Optional, Union

import httpx

from ._errors import DeadlineExceededError, ResponseTooLargeError, TLSError, TransportError
from ._requests import WireRequest
from ._transport import MAX_ERROR_BODY, Answer, remaining

__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncHttpxTransport",
    "HttpxTransport",
    "Timeout",
    "as_timeout",
]

# alibabacloud-oss-v2 defaults: connect 10 s, read/write 20 s (alibabacloud_oss_v2/defaults.py).
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=10.0)
Timeout = httpx.Timeout
HttpxClient = httpx.Client
AsyncHttpxClient = httpx.AsyncClient
HttpxBaseTransport = httpx.BaseTransport
AsyncHttpxBaseTransport = httpx.AsyncBaseTransport

# Failures that happen before a byte of the request is written: connecting, TLS, the pool,
# an unsupported scheme, a header h11 refuses to serialise.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)


def as_timeout(value: Union[float, httpx.Timeout]) -> httpx.Timeout:
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)


def _scrub(text: str, request: WireRequest) -> str:
    """An httpx message can quote a header value: the signature and the token must not travel with it."""
    for name, value in request.headers:
        if name.lower() in ("authorization", "x-oss-security-token") and value:
            text = text.replace(value, "<hidden>")
    return text


def _is_tls(exc: BaseException) -> bool:
    seen: Optional[BaseException] = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class _Base:
    """Request building, clamped timeouts and error mapping shared by the two transports."""

    def __init__(self, timeout: httpx.Timeout) -> None:
        self.timeout = timeout

    def _request(self, wire: WireRequest, deadline: Optional[float]) -> httpx.Request:
        left = remaining(deadline, sent=False)
        t = self.timeout
        if left is not None:
            t = httpx.Timeout(
                connect=_clamp(t.connect, left), read=_clamp(t.read, left),
                write=_clamp(t.write, left), pool=_clamp(t.pool, left),
            )  # fmt: skip
        try:
            return httpx.Request(
                wire.method, wire.url, headers=list(wire.headers), content=wire.body,
                extensions={"timeout": t.as_dict()},
            )  # fmt: skip
        except (httpx.InvalidURL, UnicodeError, ValueError, TypeError) as exc:
            raise TransportError(f"the request cannot be sent: {_scrub(_describe(exc), wire)}", sent=False) from None

    def _error(self, exc: Exception, wire: WireRequest) -> TransportError:
        text = _scrub(_describe(exc), wire)
        if isinstance(exc, httpx.ConnectError) and _is_tls(exc):
            return TLSError(f"TLS handshake failed: {text}", sent=False)
        return TransportError(text, sent=not isinstance(exc, _NOT_SENT))

    @staticmethod
    def _answer(response: httpx.Response, body: _Body) -> Answer:
        headers: Dict[str, str] = {}
        for name, value in response.headers.multi_items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return Answer(response.status_code, headers, b"".join(body.chunks))


def _clamp(value: Optional[float], left: float) -> float:
    return left if value is None else min(value, left)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class _Body:
    """A body read up to a limit: a 2xx body over it is refused, an error body cut at it."""

    def __init__(self, response: httpx.Response, max_body: int) -> None:
        self.ok = 200 <= response.status_code < 300
        self.limit = max_body if self.ok else MAX_ERROR_BODY
        length = response.headers.get("content-length", "")
        if self.ok and length.isdigit() and int(length) > self.limit:
            raise ResponseTooLargeError(
                f"the answer's body is {length} bytes, over the {self.limit} allowed", sent=True
            )
        self.chunks: List[bytes] = []
        self.size = 0

    def add(self, chunk: bytes) -> bool:
        """Keep ``chunk``; False once the (error) body is full."""
        if self.size + len(chunk) > self.limit:
            if self.ok:
                raise ResponseTooLargeError(f"the answer's body is over the {self.limit} bytes allowed", sent=True)
            self.chunks.append(chunk[: self.limit - self.size])
            return False
        self.chunks.append(chunk)
        self.size += len(chunk)
        return True


class HttpxTransport(_Base):
    """``httpx.Client`` behind the ``SyncTransport`` protocol; closes the client only if it made it."""

    def __init__(
        self,
        http_client: Optional[httpx.Client] = None,
        transport: Optional[httpx.BaseTransport] = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(timeout)
        self._owns = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(transport=transport)

    def send(self, request: WireRequest, *, deadline: Optional[float], max_body: int) -> Answer:
        built = self._request(request, deadline)
        try:
            response = self._http.send(built, stream=True, follow_redirects=False, auth=httpx.Auth())
            try:
                body = _Body(response, max_body)
                for chunk in response.iter_bytes():
                    if not body.add(chunk):
                        break
                    if deadline is not None and time.monotonic() > deadline:
                        raise DeadlineExceededError("the call's deadline passed while reading the answer", sent=True)
                return self._answer(response, body)
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise self._error(exc, request) from None

    def close(self) -> None:
        if self._owns:
            self._http.close()


class AsyncHttpxTransport(_Base):
    """``httpx.AsyncClient`` behind the ``AsyncTransport`` protocol; the deadline also bounds each attempt."""

    def __init__(
        self,
        http_client: Optional[httpx.AsyncClient] = None,
        transport: Optional[httpx.AsyncBaseTransport] = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(timeout)
        self._owns = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient(transport=transport)

    async def send(self, request: WireRequest, *, deadline: Optional[float], max_body: int) -> Answer:
        built = self._request(request, deadline)
        left = remaining(deadline, sent=False)
        try:
            return await asyncio.wait_for(self._send(built, max_body), left)
        except asyncio.TimeoutError:
            raise DeadlineExceededError("the call's deadline passed", sent=True) from None
        except httpx.HTTPError as exc:
            raise self._error(exc, request) from None

    async def _send(self, built: httpx.Request, max_body: int) -> Answer:
        response = await self._http.send(built, stream=True, follow_redirects=False, auth=httpx.Auth())
        try:
            body = _Body(response, max_body)
            async for chunk in response.aiter_bytes():
                if not body.add(chunk):
                    break
            return self._answer(response, body)
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        if self._owns:
            await self._http.aclose()
