"""A loopback HTTP/1.1 server in front of ``procdsl.testing.FakeOSS`` that injects faults per object key.

Each request is answered by the fake (signature checks, task creation) unless
its key's fault plan says otherwise. ``plan[key]`` lists the fault of each
successive request for that key; requests beyond the list (and keys without a
plan) get ``default``. Faults:

- ``ok``: the fake's answer;
- ``slow``: the fake's answer after ``delay`` seconds;
- ``429`` / ``503``: throttled before any work (no task is created);
- ``500``: an InternalError before any work (no task; the client cannot know);
- ``500-after``: the task is created, then InternalError;
- ``404``: NoSuchKey before any work;
- ``reset``: the connection is reset before any work;
- ``reset-after``: the task is created, then the connection is reset;
- ``truncate``: the task is created, the body is cut short (Content-Length lies);
- ``garbage``: the task is created, the 200 body is not JSON.

``python -m tests.submit.faultserver`` serves a bare 200 answer to every POST
without a fake (for benchmarks: no signature check, minimal server cost) and
prints its URL.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import sys
import threading
from collections import Counter, defaultdict
from contextlib import contextmanager
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Set, Tuple
from urllib.parse import unquote, urlsplit

from procdsl.testing import FakeOSS

__all__ = ["FAULTS", "FaultServer"]

FAULTS = ("ok", "slow", "429", "503", "500", "500-after", "404", "reset", "reset-after", "truncate", "garbage")
_BEFORE = {
    "429": (429, "QpsLimitExceeded", "Please reduce your request rate."),  # help/en/oss/support/429-error
    "503": (503, "ServiceUnavailable", "Please reduce your request rate."),
    "500": (500, "InternalError", "We encountered an internal error. Please try again."),
    "404": (404, "NoSuchKey", "The specified key does not exist."),
}
_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests"}
_REASONS.update({500: "Internal Server Error", 503: "Service Unavailable"})
_BARE = json.dumps({"EventId": "1-E", "RequestId": "R", "TaskId": "T"}).encode()


def _xml_error(status: int, code: str, message: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
        f"<RequestId>FAULT-{status}</RequestId></Error>"
    ).encode()


class FaultServer:
    """Serve ``fake`` (or a bare 200 answer when ``fake`` is None) on 127.0.0.1 with scripted faults."""

    def __init__(
        self,
        fake: Optional[FakeOSS],
        plan: Optional[Mapping[str, Sequence[str]]] = None,
        *,
        default: str = "ok",
        delay: float = 0.05,
    ) -> None:
        for faults in [*(plan or {}).values(), [default]]:
            unknown = set(faults) - set(FAULTS)
            if unknown:
                raise ValueError(f"unknown faults {sorted(unknown)}; choose from {FAULTS}")
        self.fake = fake
        self.plan = {k: list(v) for k, v in (plan or {}).items()}
        self.default = default
        self.delay = delay
        self.seen: Dict[str, List[str]] = defaultdict(list)  # key -> the fault of each of its requests
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._connections: Set[asyncio.Task[None]] = set()  # cancelled on stop (a "slow" answer may be pending)

    def _fault(self, key: str) -> str:
        with self._lock:
            n = len(self.seen[key])
            planned = self.plan.get(key, [])
            fault = planned[n] if n < len(planned) else self.default
            self.seen[key].append(fault)
            self.counts[fault] += 1
            return fault

    def _answer(self, method: str, target: str, headers: Dict[str, str], body: bytes) -> Tuple[int, list, bytes]:  # type: ignore[type-arg]
        if self.fake is None:
            return 200, [("Content-Type", "application/json")], _BARE
        return self.fake.handle(method, headers.get("host", ""), target, headers, body)

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """One request on a kept-alive connection; False when the connection is done."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return False
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
        path = urlsplit(target).path
        key = unquote(path[1:].partition("/")[2])
        fault = self._fault(key)
        if fault == "reset":
            self._reset(writer)
            return False
        if fault in _BEFORE:
            status, code, message = _BEFORE[fault]
            out: List[Tuple[str, str]] = [("Content-Type", "application/xml")]
            content = _xml_error(status, code, message)
        else:
            if fault == "slow":
                await asyncio.sleep(self.delay)
            status, out, content = self._answer(method, target, headers, body)
            if status == 0 or fault == "reset-after":
                self._reset(writer)
                return False
            if fault == "500-after":
                status, out, content = 500, [("Content-Type", "application/xml")], _xml_error(500, "InternalError", "x")
            elif fault == "garbage":
                status, out, content = 200, [("Content-Type", "application/json")], b"<html>proxy error"
        length = len(content) + (100 if fault == "truncate" else 0)
        reason = _REASONS.get(status, "Other")
        text = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in out)
        text += f"Content-Length: {length}\r\n\r\n"
        writer.write(text.encode("latin-1") + content)
        await writer.drain()
        if fault == "truncate":
            writer.close()
            return False
        return True

    @staticmethod
    def _reset(writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:  # RST instead of FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while await self._serve_one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            self._connections.discard(task)

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Run on 127.0.0.1 (a free port) in a thread with its own event loop; yields the base URL."""
        loop = asyncio.new_event_loop()
        started = threading.Event()
        holder: Dict[str, asyncio.Server] = {}

        async def start() -> None:
            holder["server"] = await asyncio.start_server(self._connection, "127.0.0.1", 0)
            started.set()

        def run() -> None:
            loop.run_until_complete(start())
            loop.run_forever()

        thread = threading.Thread(target=run, name="FaultServer", daemon=True)
        thread.start()
        started.wait(10)
        server = holder["server"]
        try:
            yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        finally:

            async def stop() -> None:
                server.close()
                for task in list(self._connections):
                    task.cancel()
                await asyncio.gather(*self._connections, return_exceptions=True)
                await server.wait_closed()

            asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()


def main() -> None:  # pragma: no cover - used by benchmarks/run.py
    """Serve bare 200 answers until stdin closes; print the URL first."""
    with FaultServer(None).serve() as url:
        print(url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":  # pragma: no cover
    main()
