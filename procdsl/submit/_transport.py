"""The transport seam: a signed ``WireRequest`` in, a plain :class:`Answer` out.

The retry loop (``_client._Attempts``) sees only these values, so another HTTP
library is one small class with ``send`` (and ``close``/``aclose``) — see
``_httpx.py``, the only module of the submit layer that imports httpx.

A transport must: send exactly the request's method, URL, headers and body (no
default headers, cookies or auth of its own); never follow redirects; give up
when ``deadline`` (a ``time.monotonic()`` value) passes (``DeadlineExceededError``);
read at most ``max_body`` bytes of a 2xx body (``ResponseTooLargeError``) and
at most ``MAX_ERROR_BODY`` of an error body (the rest is dropped: an error body
is a few hundred bytes); and raise ``TransportError`` for every failure, with
``sent=False`` only when the request provably never left (``TLSError`` for a
failed handshake).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Mapping, Optional

from typing_extensions import Protocol

from ._errors import DeadlineExceededError
from ._requests import WireRequest

__all__ = ["MAX_ERROR_BODY", "Answer", "AsyncTransport", "SyncTransport", "remaining"]

MAX_ERROR_BODY = 64 * 1024


@dataclasses.dataclass(frozen=True)
class Answer:
    """An HTTP answer, read: ``headers`` with lowercase names (repeated headers joined with ``, ``)."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def __repr__(self) -> str:
        return f"Answer(status={self.status}, body={len(self.body)} bytes)"


class SyncTransport(Protocol):
    def send(self, request: WireRequest, *, deadline: Optional[float], max_body: int) -> Answer: ...

    def close(self) -> None: ...


class AsyncTransport(Protocol):
    async def send(self, request: WireRequest, *, deadline: Optional[float], max_body: int) -> Answer: ...

    async def aclose(self) -> None: ...


def remaining(deadline: Optional[float], *, sent: bool) -> Optional[float]:
    """Seconds left before ``deadline`` (None: no deadline); raises once it has passed."""
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlineExceededError("the call's deadline passed", sent=sent)
    return left
