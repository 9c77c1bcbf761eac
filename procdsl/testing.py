"""An OSS stand-in for tests: no account, no network beyond 127.0.0.1.

``FakeOSS`` answers AsyncProcessObject, ProcessObject and GetObject (with
``x-oss-process``) the way OSS does: JSON results, XML ``<Error>`` bodies,
``x-oss-request-id`` headers. It checks every request's Signature V4 (headers
or presigned URL; V1 too), the ``Content-MD5``, and parses the process string
strictly with :func:`procdsl.parse` in the right context. Every request is
recorded in ``requests``; accepted async tasks in ``tasks``.

Two ways to reach it::

    fake = FakeOSS(Credentials("AK", "SK"))
    fake.put_object("bucket", "in.jpg", b"...")
    with Client("cn-hangzhou", creds, "https://oss-cn-hangzhou.aliyuncs.com", transport=fake.transport()) as c:
        ...                                     # in-process httpx transport (sync and async)
    with fake.serve() as url:                   # a real HTTP server on 127.0.0.1 in a thread
        with Client("cn-hangzhou", creds, url) as c:   # path-style, as for any IP endpoint
            ...

Image pipelines are rendered when Pillow is installed (``procdsl[render]``): GET with
``x-oss-process=image/…`` answers the rendered image (or the JSON of ``info``), and
ProcessObject saves it, so tests can assert sizes and formats; set ``render_images = False``
on the instance to turn that off. Without Pillow, and for anything else (video, documents,
styles, actions the renderer cannot draw), GET returns the stored bytes and ProcessObject
copies the source to the save-as target. Failures can be scripted with
:meth:`FakeOSS.fail_next` and :meth:`FakeOSS.drop_next`.

What OSS does with a job, it does too: a missing source object is a 404
``NoSuchKey``; save-as ``{variables}`` are expanded on the keys written (the
OSS "Variables" page); an accepted AsyncProcessObject completes at once
(``auto_complete=True``) or when the test calls :meth:`FakeOSS.complete`,
writing its outputs (``pages`` of them when the operation writes one object per
page or frame and the key has ``{index}``) and, for a job with
``notify,topic_…``, delivering the IMM notification message to that topic, read
with :meth:`FakeOSS.messages` and :func:`procdsl.events.parse_event`.
``assume_sources=True`` accepts async jobs on any key (for tests of the sending
machinery that do not care about objects).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import itertools
import json
import re
import threading
import uuid
from collections import deque
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Deque, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

import httpx

from ._parser import parse
from ._saveas import expand, source_values, time_values
from ._stages import GET_STAGES, AsyncJob, ImagePipeline, Process, SyncJob
from .errors import ProcessError
from .submit import _signing_v1 as signing_v1
from .submit import _signing_v4 as signing_v4
from .submit._credentials import Credentials
from .submit._endpoints import _is_ip_or_localhost

__all__ = ["FakeOSS", "RecordedRequest", "SubmittedTask"]

Answer = Tuple[int, List[Tuple[str, str]], bytes]


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it, and the status it answered."""

    method: str
    host: str
    bucket: Optional[str]
    key: Optional[str]
    raw_query: str
    query: Tuple[Tuple[str, str], ...]
    headers: Tuple[Tuple[str, str], ...]
    body: bytes
    status: int
    operation: Optional[str] = None
    process: Optional[Process] = None

    def header(self, name: str) -> Optional[str]:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def __repr__(self) -> str:
        # Signatures and STS tokens stay out of reprs.
        return (
            f"RecordedRequest(method={self.method!r}, bucket={self.bucket!r}, key={self.key!r}, "
            f"operation={self.operation!r}, status={self.status})"
        )


@dataclasses.dataclass(frozen=True)
class SubmittedTask:
    """An accepted AsyncProcessObject."""

    bucket: str
    key: str
    job: AsyncJob
    task_id: str
    event_id: str
    request_id: str
    created: Optional[datetime] = None
    #: ``None`` until the task completes, then ``"Succeeded"`` or the status given to ``complete``.
    status: Optional[str] = None
    #: The objects the task wrote, as ``(bucket, key)``.
    outputs: Tuple[Tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class _Script:
    status: int
    code: str
    message: str
    after_processing: bool
    drop: bool


class _Failure(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


class _Dropped(Exception):
    """Answer nothing (the connection is closed / the transport times out)."""


_AUTH_V1 = re.compile(r"^OSS ([^:]+):(.+)$")


def _split_query(raw: str) -> List[Tuple[str, str]]:
    pairs = []
    for part in raw.split("&") if raw else []:
        k, _, v = part.partition("=")
        pairs.append((k, v))
    return pairs


class FakeOSS:
    """An in-memory OSS that checks signatures and process strings (see the module docstring)."""

    def __init__(
        self,
        credentials: Union[Credentials, Iterable[Credentials]],
        region: str = "cn-hangzhou",
        *,
        strict: bool = True,
        product: str = "oss",
        clock: Optional[Callable[[], datetime]] = None,
        # OSS refuses requests more than 15 minutes off its clock with 403 RequestTimeTooSkewed
        # (doc mirror https://developer.aliyun.com/ask/2590).
        max_skew: timedelta = timedelta(minutes=15),
        cname_bucket: Optional[str] = None,
        auto_complete: bool = True,
        pages: int = 3,
        assume_sources: bool = False,
    ) -> None:
        creds = [credentials] if isinstance(credentials, Credentials) else list(credentials)
        self._keys: Dict[str, Credentials] = {c.access_key_id: c for c in creds}
        self.region = region
        self.strict = strict
        self.product = product
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.max_skew = max_skew
        self.cname_bucket = cname_bucket
        self.objects: Dict[Tuple[str, str], bytes] = {}
        self.requests: List[RecordedRequest] = []
        self.tasks: List[SubmittedTask] = []
        self.auto_complete = auto_complete
        self.pages = pages
        # For tests of the sending machinery only: every async source counts as an empty object.
        self.assume_sources = assume_sources
        self.uploaded: Dict[Tuple[str, str], datetime] = {}
        self._topics: Dict[str, List[str]] = {}
        self._scripts: Deque[_Script] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FakeOSS(region={self.region!r}, objects={len(self.objects)}, requests={len(self.requests)})"

    # -- set-up --

    def put_object(self, bucket: str, key: str, data: bytes) -> None:
        self.objects[(bucket, key)] = data
        self.uploaded[(bucket, key)] = self.clock()

    def fail_next(self, status: int, code: str, message: str = "", *, after_processing: bool = False) -> None:
        """Answer the next signed request with an error; ``after_processing`` does the work first (a 5xx after send)."""
        self._scripts.append(_Script(status, code, message or code, after_processing, drop=False))

    def drop_next(self, *, after_processing: bool = True) -> None:
        """Answer the next signed request with nothing: a read timeout (transport) or a closed connection (server)."""
        self._scripts.append(_Script(0, "", "", after_processing, drop=True))

    # -- the service --

    def handle(self, method: str, host: str, target: str, headers: Mapping[str, str], body: bytes) -> Answer:
        """Answer one request; ``target`` is the raw request target (path and query as sent)."""
        with self._lock:
            return self._handle(method, host, target, {k.lower(): v for k, v in headers.items()}, body)

    def _request_id(self) -> str:
        return f"{next(self._ids):024X}"

    def _handle(self, method: str, host: str, target: str, headers: Dict[str, str], body: bytes) -> Answer:
        request_id = self._request_id()
        split = urlsplit(target)
        raw_query = split.query
        encoded = _split_query(raw_query)
        query = tuple((unquote(k), unquote(v)) for k, v in encoded)
        bucket, key = self._address(host, split.path)
        record: Dict[str, Any] = {"operation": None, "process": None}
        try:
            script = self._authenticate(method, bucket, key, split.path, encoded, query, headers)
            if script is not None and not script.after_processing:
                raise _Dropped() if script.drop else _Failure(script.status, script.code, script.message)
            answer = self._dispatch(method, bucket, key, dict(query), headers, body, request_id, record)
            if script is not None:
                raise _Dropped() if script.drop else _Failure(script.status, script.code, script.message)
        except _Failure as failure:
            answer = self._error(failure, request_id, host)
        except _Dropped:
            answer = (0, [], b"")
        self.requests.append(
            RecordedRequest(
                method, host, bucket, key, raw_query, query, tuple(headers.items()), body, answer[0], **record
            )
        )
        answer[1].append(("x-oss-request-id", request_id))
        answer[1].append(("Date", format_datetime(self.clock().astimezone(timezone.utc), usegmt=True)))
        return answer

    def _address(self, host: str, path: str) -> Tuple[Optional[str], Optional[str]]:
        hostname = urlsplit("//" + host).hostname or ""
        if self.cname_bucket is not None:
            bucket, rest = self.cname_bucket, path[1:]
        elif _is_ip_or_localhost(hostname):
            bucket, _, rest = path[1:].partition("/")
        else:
            bucket, rest = hostname.split(".")[0], path[1:]
        return (bucket or None), (unquote(rest, errors="strict") or None)

    def _error(self, failure: _Failure, request_id: str, host: str) -> Answer:
        fields = {"Code": failure.code, "Message": failure.message, "RequestId": request_id, "HostId": host}
        fields.update(failure.extra)
        xml = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{xml}</Error>'.encode()
        headers = [("Content-Type", "application/xml")]
        if "EC" in failure.extra:
            headers.append(("x-oss-ec", failure.extra["EC"]))
        return failure.status, headers, body

    # -- authentication --

    def _authenticate(
        self,
        method: str,
        bucket: Optional[str],
        key: Optional[str],
        path: str,
        encoded: List[Tuple[str, str]],
        query: Tuple[Tuple[str, str], ...],
        headers: Dict[str, str],
    ) -> Optional[_Script]:
        auth = headers.get("authorization", "")
        params = dict(query)
        if auth.startswith("OSS4-HMAC-SHA256 "):
            self._check_v4_header(method, bucket, key, encoded, headers, auth)
        elif auth.startswith("OSS "):
            self._check_v1(
                method, bucket, key, query, headers, auth, headers.get("x-oss-date") or headers.get("date", "")
            )
        elif params.get("x-oss-signature-version") == signing_v4.ALGORITHM:
            self._check_v4_query(method, bucket, key, encoded, params, headers)
        elif "Signature" in params and "OSSAccessKeyId" in params:
            self._check_v1_query(method, bucket, key, query, params, headers)
        else:
            raise _Failure(403, "AccessDenied", "anonymous access is not allowed by this fake")
        return self._scripts.popleft() if self._scripts else None

    def _secret(self, access_key_id: str, token: Optional[str]) -> Credentials:
        creds = self._keys.get(access_key_id)
        if creds is None:
            raise _Failure(
                403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records."
            )
        if creds.security_token is not None and token != creds.security_token:
            raise _Failure(403, "InvalidSecurityToken", "The security token you provided is invalid.")
        return creds

    def _check_scope(self, scope: str) -> Tuple[str, str, str]:
        parts = scope.split("/")
        if len(parts) != 5 or parts[4] != "aliyun_v4_request":
            raise _Failure(400, "InvalidArgument", "malformed credential scope")
        access_key_id, date, region, product = parts[0], parts[1], parts[2], parts[3]
        if region != self.region or product != self.product:
            raise _Failure(403, "SignatureDoesNotMatch", f"invalid region or product in the scope: {region}/{product}")
        return access_key_id, date, region

    def _check_time(self, timestamp: str) -> datetime:
        try:
            signed = datetime.strptime(timestamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            raise _Failure(400, "InvalidArgument", "x-oss-date must be YYYYMMDDTHHMMSSZ") from None
        now = self.clock()
        if abs(now - signed) > self.max_skew:
            raise _Failure(
                403,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
                RequestTime=signed.strftime("%Y-%m-%dT%H:%M:%SZ"),
                ServerTime=now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            )
        return signed

    def _verify_v4(
        self,
        method: str,
        bucket: Optional[str],
        key: Optional[str],
        encoded: List[Tuple[str, str]],
        headers: Dict[str, str],
        additional: List[str],
        timestamp: str,
        scope: str,
        creds: Credentials,
        given: str,
    ) -> None:
        access_key_id, date, region = self._check_scope(scope)
        if date != timestamp[:8]:
            raise _Failure(403, "SignatureDoesNotMatch", "the scope date is not the x-oss-date day")
        canonical = signing_v4.canonical_request(
            method, signing_v4.canonical_uri(bucket, key), encoded, headers, additional
        )
        to_sign = signing_v4.string_to_sign(timestamp, scope.split("/", 1)[1], canonical)
        expected = signing_v4.signature(creds.access_key_secret, date, region, self.product, to_sign)
        if not hmac.compare_digest(expected, given):
            raise _Failure(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
                EC="0002-00000040",
                OSSAccessKeyId=access_key_id,
                StringToSign=to_sign,
                CanonicalRequest=canonical,
            )

    def _check_v4_header(
        self,
        method: str,
        bucket: Optional[str],
        key: Optional[str],
        encoded: List[Tuple[str, str]],
        headers: Dict[str, str],
        auth: str,
    ) -> None:
        # Both ",Signature=" (alibabacloud-oss-v2, Go) and ", Signature=" (oss2) separators, any order.
        fields = dict(part.strip().split("=", 1) for part in auth[len("OSS4-HMAC-SHA256 ") :].split(",") if "=" in part)
        if "Credential" not in fields or "Signature" not in fields:
            raise _Failure(400, "InvalidArgument", "Authorization lacks Credential or Signature")
        scope = fields["Credential"]
        creds = self._secret(scope.split("/")[0], headers.get("x-oss-security-token"))
        timestamp = headers.get("x-oss-date", "")
        self._check_time(timestamp)
        additional = sorted(h for h in fields.get("AdditionalHeaders", "").split(";") if h)
        self._verify_v4(method, bucket, key, encoded, headers, additional, timestamp, scope, creds, fields["Signature"])

    def _check_v4_query(
        self,
        method: str,
        bucket: Optional[str],
        key: Optional[str],
        encoded: List[Tuple[str, str]],
        params: Dict[str, str],
        headers: Dict[str, str],
    ) -> None:
        scope = params.get("x-oss-credential", "")
        creds = self._secret(scope.split("/")[0], params.get("x-oss-security-token"))
        timestamp = params.get("x-oss-date", "")
        try:
            signed = datetime.strptime(timestamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            expires = int(params.get("x-oss-expires", ""))
        except ValueError:
            raise _Failure(400, "InvalidArgument", "bad x-oss-date or x-oss-expires") from None
        if self.clock() > signed + timedelta(seconds=expires):
            raise _Failure(403, "AccessDenied", "Request has expired.")
        additional = sorted(h for h in params.get("x-oss-additional-headers", "").split(";") if h)
        unsigned = [(k, v) for k, v in encoded if k != "x-oss-signature"]
        self._verify_v4(
            method,
            bucket,
            key,
            unsigned,
            headers,
            additional,
            timestamp,
            scope,
            creds,
            params.get("x-oss-signature", ""),
        )

    def _check_v1(
        self,
        method: str,
        bucket: Optional[str],
        key: Optional[str],
        query: Tuple[Tuple[str, str], ...],
        headers: Dict[str, str],
        auth: str,
        date: str,
    ) -> None:
        match = _AUTH_V1.match(auth)
        if match is None:
            raise _Failure(400, "InvalidArgument", "malformed V1 Authorization")
        creds = self._secret(match.group(1), headers.get("x-oss-security-token"))
        to_sign = signing_v1.string_to_sign(method, headers, date, bucket, key, query)
        expected = signing_v1.authorization(creds, method, headers, bucket, key, query)
        if not hmac.compare_digest(expected, auth):
            raise _Failure(403, "SignatureDoesNotMatch", "V1 signature mismatch", StringToSign=to_sign)

    def _check_v1_query(
        self,
        method: str,
        bucket: Optional[str],
        key: Optional[str],
        query: Tuple[Tuple[str, str], ...],
        params: Dict[str, str],
        headers: Dict[str, str],
    ) -> None:
        creds = self._secret(params["OSSAccessKeyId"], params.get("security-token"))
        try:
            expires_at = int(params.get("Expires", ""))
        except ValueError:
            raise _Failure(400, "InvalidArgument", "bad Expires") from None
        if self.clock().timestamp() > expires_at:
            raise _Failure(403, "AccessDenied", "Request has expired.")
        rest = [(k, v) for k, v in query if k not in ("OSSAccessKeyId", "Expires", "Signature", "security-token")]
        expected = dict(signing_v1.presign_query(creds, method, bucket, key, rest, expires_at, headers))["Signature"]
        if not hmac.compare_digest(expected, params["Signature"]):
            raise _Failure(403, "SignatureDoesNotMatch", "V1 signature mismatch")

    # -- operations --

    def _parse(self, text: str, context: Any) -> Process:
        try:
            return parse(text, strict=self.strict, context=context)
        except ProcessError as exc:
            raise _Failure(400, "InvalidArgument", str(exc)) from None

    def _dispatch(
        self,
        method: str,
        bucket: Optional[str],
        key: Optional[str],
        params: Dict[str, str],
        headers: Dict[str, str],
        body: bytes,
        request_id: str,
        record: Dict[str, Any],
    ) -> Answer:
        if bucket is None or key is None:
            raise _Failure(400, "InvalidArgument", "this fake serves object requests only")
        if "content-md5" in headers:
            digest = base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()
            if digest != headers["content-md5"]:
                raise _Failure(400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
        if method == "POST" and ("x-oss-async-process" in params or "x-oss-process" in params):
            name = "x-oss-async-process" if "x-oss-async-process" in params else "x-oss-process"
            prefix = f"{name}=".encode()
            if not body.startswith(prefix):
                raise _Failure(400, "InvalidRequest", f"no {name} parameter found")
            try:
                text = body[len(prefix) :].decode("utf-8")
            except UnicodeDecodeError:
                raise _Failure(400, "InvalidArgument", "the process is not UTF-8") from None
            if name == "x-oss-async-process":
                return self._async(bucket, key, text, request_id, record)
            return self._process(bucket, key, text, record)
        if method == "GET":
            data = self.objects.get((bucket, key))
            process = params.get("x-oss-process")
            record["operation"] = "GetObject"
            if process is not None:
                parsed = self._parse(process, "sync")
                record["process"] = parsed
                if not isinstance(parsed, GET_STAGES):
                    raise _Failure(400, "InvalidArgument", "sys/saveas needs POST (ProcessObject)")
            if data is None:
                raise _Failure(404, "NoSuchKey", "The specified key does not exist.")
            rendered = self._rendered(bucket, data, record["process"])
            if rendered is not None:
                return 200, [("Content-Type", rendered[1])], rendered[0]
            return 200, [("Content-Type", "application/octet-stream")], data
        raise _Failure(405, "MethodNotAllowed", f"{method} is not supported by this fake")

    def _async(self, bucket: str, key: str, text: str, request_id: str, record: Dict[str, Any]) -> Answer:
        job = self._parse(text, "async")
        record["operation"], record["process"] = "AsyncProcessObject", job
        assert isinstance(job, AsyncJob)
        if (bucket, key) not in self.objects and not self.assume_sources:
            raise _Failure(404, "NoSuchKey", "The specified key does not exist.")
        n = len(self.tasks) + 1
        task = SubmittedTask(
            bucket, key, job, f"FakeTask-{n:08d}", f"{n:03X}-FakeEvent", f"FAKE-TASK-REQUEST-{n:06d}", self.clock()
        )
        self.tasks.append(task)
        if self.auto_complete:
            self._complete(len(self.tasks) - 1, "Succeeded", "", "")
        data = {"EventId": task.event_id, "RequestId": task.request_id, "TaskId": task.task_id}
        return 200, [("Content-Type", "application/json")], json.dumps(data).encode()

    def _process(self, bucket: str, key: str, text: str, record: Dict[str, Any]) -> Answer:
        job = self._parse(text, "sync")
        record["operation"], record["process"] = "ProcessObject", job
        if not isinstance(job, SyncJob):
            raise _Failure(400, "InvalidArgument", "ProcessObject needs |sys/saveas")
        data = self.objects.get((bucket, key))
        if data is None:
            raise _Failure(404, "NoSuchKey", "The specified key does not exist.")
        rendered = self._rendered(bucket, data, job.source)
        if rendered is not None:
            data = rendered[0]
        values = self._variables(bucket, key, _sync_ext(job))
        target_bucket = expand(job.save.bucket, values) if job.save.bucket else bucket
        target_key = expand(job.save.key, {**values, "index": "1"})
        self._store(target_bucket, target_key, data)
        saved_bucket = target_bucket if job.save.bucket else ""  # "" when saved in the source bucket
        result = {"bucket": saved_bucket, "fileSize": len(data), "object": target_key, "status": "OK"}
        return 200, [("Content-Type", "application/json")], json.dumps(result).encode()

    # -- asynchronous tasks: completion, outputs, notifications --

    def complete(self, task_id: str, status: str = "Succeeded", code: str = "", message: str = "") -> SubmittedTask:
        """Finish a pending task (``auto_complete=False``): write its outputs and send its notification.

        Any ``status`` other than ``"Succeeded"`` writes nothing and reports ``code``
        and ``message`` in the notification, as a failed IMM task does.
        """
        with self._lock:
            for i, task in enumerate(self.tasks):
                if task.task_id == task_id:
                    if task.status is not None:
                        raise ValueError(f"task {task_id} has already completed ({task.status})")
                    return self._complete(i, status, code, message)
        raise KeyError(f"no task {task_id!r} was submitted to this fake")

    def pending(self) -> List[SubmittedTask]:
        """Accepted tasks that have not completed yet."""
        with self._lock:
            return [t for t in self.tasks if t.status is None]

    def messages(self, topic: str) -> List[str]:
        """The message bodies delivered to SMQ topic ``topic``, oldest first (the IMM envelope JSON)."""
        with self._lock:
            return list(self._topics.get(topic, ()))

    def _variables(self, bucket: str, key: str, autoext: str) -> Dict[str, str]:
        values = source_values(bucket, key)
        values.update(time_values(self.uploaded.get((bucket, key)), self.clock()))
        values["autoext"] = autoext or values["ext"]
        return values

    def _store(self, bucket: str, key: str, data: bytes) -> None:
        self.objects[(bucket, key)] = data
        self.uploaded[(bucket, key)] = self.clock()

    def _outputs(self, task: SubmittedTask) -> List[Tuple[str, str, bytes]]:
        """What the task writes: one object, or ``pages`` numbered ones for a multi-object operation."""
        save = task.job.save
        if save is None:
            return []
        source = self.objects.get((task.bucket, task.key), b"")
        values = self._variables(task.bucket, task.key, _async_ext(task.job))
        values.update(time_values(None, task.created))
        bucket = expand(save.bucket, values) if save.bucket else task.bucket
        several = task.job.op.save_key_warning("fake.out") is not None and "{index}" in save.key
        if not several:
            return [(bucket, expand(save.key, {**values, "index": "1"}), source)]
        return [
            (bucket, expand(save.key, {**values, "index": str(i)}), source + f"\n#{i}".encode())
            for i in range(1, self.pages + 1)
        ]

    def _complete(self, index: int, status: str, code: str, message: str) -> SubmittedTask:
        task = self.tasks[index]
        outputs = self._outputs(task) if status == "Succeeded" else []
        for bucket, key, data in outputs:
            self._store(bucket, key, data)
        done = dataclasses.replace(task, status=status, outputs=tuple((b, k) for b, k, _ in outputs))
        self.tasks[index] = done
        topic = task.job.notification.topic if task.job.notification is not None else None
        if topic is not None:
            self._topics.setdefault(topic, []).append(self._notification(done, code, message))
        return done

    def _notification(self, task: SubmittedTask, code: str, message: str) -> str:
        """The IMM notification envelope (https://help.aliyun.com/document_detail/2743997.html)."""
        kind = _task_type(task.job)
        now = self.clock().astimezone(timezone.utc)
        started = (task.created or now).astimezone(timezone.utc)
        content = {
            "ProjectName": "fake-project",
            "DatasetName": "",
            "RequestId": task.request_id,
            "StartTime": _rfc3339(started),
            "EndTime": _rfc3339(now),
            "UserData": "",
            "TaskType": kind,
            "TaskId": task.task_id,
            "Status": task.status,
            "Code": code,
            "Message": message,
            "EventSourceId": "",
            "Sources": [{"URI": f"oss://{task.bucket}/{task.key}"}],
            "Targets": [{"URI": f"oss://{b}/{k}"} for b, k in task.outputs],
        }
        envelope = {
            "id": f"{task.event_id}-{uuid.uuid4().hex[:12]}",
            "source": "acs.imm",
            "type": f"imm:Task:{kind}",
            "subject": f"acs:imm:{self.region}:0000000000000000:fake-project/imm:Task:{kind}",
            "time": str(int(now.timestamp() * 1000)),
            "content": json.dumps(content, separators=(",", ":")),
        }
        return json.dumps(envelope, indent=2)

    # -- rendering (procdsl[render]) --

    render_images = True

    def _rendered(self, bucket: str, data: bytes, process: Any) -> Optional[Tuple[bytes, str]]:
        """The rendered body and media type of an image pipeline; None to answer the stored bytes."""
        if not self.render_images or not isinstance(process, ImagePipeline):
            return None
        try:
            from . import render
        except ImportError:  # no Pillow: stored bytes, as before rendering existed
            return None
        try:
            result = render.render_result(data, process, objects=lambda key: self.objects.get((bucket, key)))
        except render.RenderError as exc:
            if exc.unsupported or exc.undecodable:  # placeholder bytes, or beyond the renderer
                return None
            raise _Failure(400, "BadRequest", exc.message) from None
        return result.data, result.media_type

    # -- the two ways in --

    def transport(self) -> httpx.MockTransport:
        """An httpx transport (for ``httpx.Client`` and ``httpx.AsyncClient``) answering from this fake."""

        def respond(request: httpx.Request) -> httpx.Response:
            body = request.read()
            target = request.url.raw_path.decode("ascii")
            status, headers, content = self.handle(
                request.method, request.url.netloc.decode(), target, request.headers, body
            )
            if status == 0:
                raise httpx.ReadTimeout("the fake dropped the answer", request=request)
            return httpx.Response(status, headers=headers, content=content)

        return httpx.MockTransport(respond)

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Run a real HTTP/1.1 server on 127.0.0.1 (a free port) in a thread; yields its base URL."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items()}
                status, out, content = fake.handle(self.command, self.headers.get("Host", ""), self.path, headers, body)
                if status == 0:
                    self.close_connection = True
                    return
                self.send_response(status)
                for k, v in out:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, name="FakeOSS", daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


def _rfc3339(moment: datetime) -> str:
    """As IMM writes times: ``2024-08-20T07:03:07.36Z`` (UTC, centiseconds)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 10000:02d}Z"


def _param(wire: str, *names: str) -> str:
    """The first value of one of the ``key_value`` parameters ``names`` in an operation's wire form."""
    for segment in wire.split("/"):
        for token in segment.split(",")[1:]:
            key, _, value = token.partition("_")
            if key in names and value:
                return value
    return ""


def _async_ext(job: AsyncJob) -> str:
    """``{autoext}``: the output format of the operation (doc ``target_``, media ``f_``)."""
    return _param(job.op.to_wire(with_family=False), "target", "f")


def _sync_ext(job: SyncJob) -> str:
    """``{autoext}`` of a ProcessObject: the pipeline's last ``format``, if any."""
    if isinstance(job.source, ImagePipeline):
        for step in reversed(job.source.steps):
            if step.action == "format":
                return step.to_wire(with_family=False).partition(",")[2]
    return ""


def _task_type(job: AsyncJob) -> str:
    """The IMM task type in the message; video/audio ones are ``MediaConvert``.

    Page: the IMM asynchronous notification message format (help.aliyun.com document 2743997).

    ``OfficeConversion`` for doc/* follows IMM's naming and is not confirmed by an OSS page.
    """
    family = job.op.family
    if family == "doc":
        return "OfficeConversion"
    if family == "image":
        return "DecodeBlindWatermark"
    return "MediaConvert"
