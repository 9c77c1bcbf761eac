"""Request builders and response parsers, without I/O (shared by ``Client`` and ``AsyncClient``).

Wire format (as the Go SDK ``oss/api_op_object.go``, alibabacloud-oss-v2 ``operations/object_basic.py``
and oss2 ``oss2/api.py`` build it):

- AsyncProcessObject: ``POST /<key>?x-oss-async-process=`` with the raw body
  ``x-oss-async-process=<process>`` (not URL-encoded), ``Content-MD5`` as the
  v2 SDKs add it, no Content-Type. Answer: JSON ``EventId``/``RequestId``/``TaskId``.
- ProcessObject: the same with ``x-oss-process``. Answer: JSON
  ``bucket``/``fileSize``/``object``/``status``.
- GetObject with ``?x-oss-process=<process>``: the processed bytes.

API pages: https://www.alibabacloud.com/help/en/oss/developer-reference/asyncprocessobject
and https://www.alibabacloud.com/help/en/oss/developer-reference/postprocessobject .
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import math
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

from typing_extensions import Literal

from ._credentials import Credentials
from ._endpoints import Endpoint, check_bucket, check_key
from ._errors import ConfigurationError, OSSError, error_class
from ._signers import signer
from ._signing import SigningContext, SigningRequest
from ._signing_v4 import encode_query, join_query

__all__ = [
    "AsyncTask",
    "Expires",
    "Operation",
    "PreparedRequest",
    "ProcessResult",
    "WireRequest",
    "async_process_request",
    "expires_seconds",
    "get_request",
    "parse_async_result",
    "parse_error",
    "parse_process_result",
    "presign_url",
    "process_request",
    "server_time",
    "sign_request",
]

Operation = Literal["AsyncProcessObject", "ProcessObject", "GetObject"]
Headers = Tuple[Tuple[str, str], ...]
Expires = Union[int, timedelta, datetime]


@dataclasses.dataclass(frozen=True)
class PreparedRequest:
    """One OSS call before signing: what to send, independent of time and credentials.

    ``query`` is decoded; it is encoded strictly when signed. ``additional_headers``
    names the caller's headers that are signed besides the default set (``x-oss-*``,
    ``Content-Type``, ``Content-MD5``). ``idempotent`` is False for AsyncProcessObject:
    sending it twice may create two tasks.
    """

    operation: Operation
    method: str
    bucket: str
    key: str
    query: Tuple[Tuple[str, str], ...]
    headers: Headers = ()
    body: bytes = b""
    additional_headers: Tuple[str, ...] = ()

    @property
    def idempotent(self) -> bool:
        return self.operation == "GetObject"

    def signing_request(self) -> SigningRequest:
        return SigningRequest(self.method, self.bucket, self.key, self.query, self.headers, self.additional_headers)


@dataclasses.dataclass(frozen=True)
class WireRequest:
    """A signed request, byte for byte what goes on the wire."""

    method: str
    url: str
    headers: Headers
    body: bytes

    def __repr__(self) -> str:
        # The Authorization header and the STS token stay out of reprs and logs.
        return f"WireRequest(method={self.method!r}, url={_redact_url(self.url)!r})"


def _redact_url(url: str) -> str:
    base, _, query = url.partition("?")
    return base + ("?…" if query else "")


def _content_md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode("ascii")


# RFC 9110 token characters for header names.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Set by the signer or by the request itself: a caller's value would be overwritten or break the signature.
_RESERVED_HEADERS = frozenset(
    {
        "authorization", "host", "date", "content-length", "content-md5", "transfer-encoding", "connection",
        "expect", "x-oss-date", "x-oss-content-sha256", "x-oss-security-token",
    }
)  # fmt: skip
_RESERVED_QUERY = frozenset(
    {
        "x-oss-process", "x-oss-async-process", "x-oss-signature", "x-oss-signature-version", "x-oss-credential",
        "x-oss-date", "x-oss-expires", "x-oss-additional-headers", "x-oss-security-token", "OSSAccessKeyId",
        "Expires", "Signature", "security-token",
    }
)  # fmt: skip


def _default_signed(name: str) -> bool:
    lower = name.lower()
    return lower.startswith("x-oss-") or lower in ("content-type", "content-md5")


def extra_headers(headers: Optional[Mapping[str, str]]) -> Tuple[Headers, Tuple[str, ...]]:
    """The caller's extra headers, checked, and those of them signed as V4 additional headers.

    ``x-oss-*``, ``Content-Type`` and ``Content-MD5`` are signed anyway; every other
    one is signed as an additional header, so nobody can change it in transit
    (alibabacloud-oss-v2 signs them when named in ``Config.additional_headers``).
    """
    if not headers:
        return (), ()
    if not isinstance(headers, Mapping):
        raise ConfigurationError("headers must be a mapping of names to values", param="headers")
    checked = []
    seen = set()
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise ConfigurationError(f"header name {name!r} is not an HTTP token", param="headers")
        lower = name.lower()
        if lower in _RESERVED_HEADERS:
            raise ConfigurationError(f"header {name!r} is set by the client and cannot be given", param="headers")
        if lower in seen:
            raise ConfigurationError(f"header {name!r} is given twice", param="headers")
        seen.add(lower)
        if not isinstance(value, str) or not all(" " <= c <= "~" for c in value):
            raise ConfigurationError(
                f"header {name!r} must have a printable ASCII value (no control characters)", param="headers"
            )
        checked.append((name, value.strip()))
    additional = tuple(sorted({n.lower() for n, _ in checked if not _default_signed(n)}))
    return tuple(checked), additional


def extra_query(query: Optional[Mapping[str, str]]) -> Tuple[Tuple[str, str], ...]:
    """The caller's query parameters (``versionId``, ``response-content-type``, ...), decoded."""
    if not query:
        return ()
    if not isinstance(query, Mapping):
        raise ConfigurationError("query must be a mapping of names to values", param="query")
    pairs = []
    for name, value in query.items():
        if not isinstance(name, str) or not name or not isinstance(value, str):
            raise ConfigurationError(
                f"query parameter {name!r} must be a non-empty name with a str value", param="query"
            )
        if name in _RESERVED_QUERY:
            raise ConfigurationError(
                f"query parameter {name!r} is set by the client and cannot be given", param="query"
            )
        try:
            (name + value).encode("utf-8")
        except UnicodeEncodeError:
            raise ConfigurationError(f"query parameter {name!r} is not encodable as UTF-8", param="query") from None
        pairs.append((name, value))
    return tuple(pairs)


def _post(
    operation: Operation, name: str, bucket: str, key: str, process: str,
    headers: Optional[Mapping[str, str]], query: Optional[Mapping[str, str]],
) -> PreparedRequest:  # fmt: skip
    body = f"{name}={process}".encode()
    extra, additional = extra_headers(headers)
    return PreparedRequest(
        operation,
        "POST",
        check_bucket(bucket),
        check_key(key),
        ((name, ""), *extra_query(query)),
        (("Content-MD5", _content_md5(body)), *extra),
        body,
        additional,
    )


def async_process_request(
    bucket: str, key: str, process: str, *, headers: Optional[Mapping[str, str]] = None,
    query: Optional[Mapping[str, str]] = None,
) -> PreparedRequest:  # fmt: skip
    """AsyncProcessObject for an already validated ``x-oss-async-process`` string."""
    return _post("AsyncProcessObject", "x-oss-async-process", bucket, key, process, headers, query)


def process_request(
    bucket: str, key: str, process: str, *, headers: Optional[Mapping[str, str]] = None,
    query: Optional[Mapping[str, str]] = None,
) -> PreparedRequest:  # fmt: skip
    """ProcessObject (synchronous, with ``sys/saveas``) for a validated ``x-oss-process`` string."""
    return _post("ProcessObject", "x-oss-process", bucket, key, process, headers, query)


def get_request(
    bucket: str, key: str, process: Optional[str], *, headers: Optional[Mapping[str, str]] = None,
    query: Optional[Mapping[str, str]] = None,
) -> PreparedRequest:  # fmt: skip
    """GetObject, with ``?x-oss-process=<process>`` unless ``process`` is None."""
    extra, additional = extra_headers(headers)
    pairs = (("x-oss-process", process),) if process is not None else ()
    return PreparedRequest(
        "GetObject", "GET", check_bucket(bucket), check_key(key), (*pairs, *extra_query(query)), extra, b"",
        additional,
    )  # fmt: skip


def sign_request(
    prepared: PreparedRequest,
    *,
    endpoint: Endpoint,
    credentials: Credentials,
    region: str,
    now: datetime,
    product: str = "oss",
    version: str = "v4",
) -> WireRequest:
    """Sign with ``version``'s headers; the URL's query is exactly the encoding that was signed."""
    context = SigningContext(credentials, region, now, product)
    headers = dict(prepared.headers)
    headers.update(signer(version).sign_headers(prepared.signing_request(), context))
    url = endpoint.url(prepared.bucket, prepared.key, join_query(encode_query(prepared.query)))
    return WireRequest(prepared.method, url, tuple(headers.items()), prepared.body)


def expires_seconds(expires: Expires, now: datetime) -> int:
    """``expires`` as whole seconds from ``now``: seconds, a ``timedelta``, or an aware ``datetime`` (as the SDKs)."""
    if isinstance(expires, bool):
        raise ConfigurationError("expires must be seconds, a timedelta or a datetime, not a bool", param="expires")
    if isinstance(expires, int):
        return expires
    if isinstance(expires, datetime):
        if expires.tzinfo is None:
            raise ConfigurationError("an expiry datetime must be timezone-aware", param="expires")
        # Whole seconds on both sides: the URL then ends at the requested second, for V1 (absolute
        # Expires, as alibabacloud-oss-v2 writes int(expiration.timestamp())) and V4 alike.
        return math.floor(expires.timestamp()) - math.floor(now.timestamp())
    if isinstance(expires, timedelta):
        return int(expires.total_seconds())
    raise ConfigurationError(
        f"expires must be seconds, a timedelta or a datetime, not {type(expires).__name__}", param="expires"
    )


def presign_url(
    prepared: PreparedRequest,
    *,
    endpoint: Endpoint,
    credentials: Credentials,
    region: str,
    now: datetime,
    expires: Expires,
    version: str = "v4",
    product: str = "oss",
) -> str:
    """A presigned URL. V4 by default; V1 (``OSSAccessKeyId``/``Expires``/``Signature``) on request."""
    context = SigningContext(credentials, region, now, product)
    pairs = signer(version).presign_query(prepared.signing_request(), context, expires_seconds(expires, now))
    return endpoint.url(prepared.bucket, prepared.key, join_query(encode_query(pairs)))


# ---- responses ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AsyncTask:
    """An accepted AsyncProcessObject.

    ``request_id`` is the JSON ``RequestId`` (the IMM/MPS task request); the OSS
    request id (``x-oss-request-id`` header) is ``oss_request_id`` (oss2 ``unittests/test_bucket.py``).
    """

    task_id: str
    event_id: str
    request_id: str
    oss_request_id: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class ProcessResult:
    """A finished ProcessObject: the saved object and its size; ``status`` is ``"OK"`` on success."""

    bucket: str
    key: str
    size: int
    status: str
    oss_request_id: Optional[str] = None


def _lower(headers: Mapping[str, str]) -> Dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _json(status: int, headers: Mapping[str, str], body: bytes) -> Dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise OSSError(
            "BadResponse",
            "the answer is not a JSON object",
            status_code=status,
            request_id=_lower(headers).get("x-oss-request-id"),
        )
    return data


def parse_async_result(status: int, headers: Mapping[str, str], body: bytes) -> AsyncTask:
    """The accepted task; an unreadable 2xx body is ``OSSError("BadResponse")`` (then ``TaskMayExistError``)."""
    data = _json(status, headers, body)
    if not isinstance(data.get("TaskId"), str) or not data["TaskId"]:
        raise OSSError(
            "BadResponse",
            "the answer names no TaskId",
            status_code=status,
            request_id=_lower(headers).get("x-oss-request-id"),
        )
    return AsyncTask(
        task_id=str(data.get("TaskId", "")),
        event_id=str(data.get("EventId", "")),
        request_id=str(data.get("RequestId", "")),
        oss_request_id=_lower(headers).get("x-oss-request-id"),
    )


def parse_process_result(status: int, headers: Mapping[str, str], body: bytes) -> ProcessResult:
    data = _json(status, headers, body)
    size = data.get("fileSize", 0)
    return ProcessResult(
        bucket=str(data.get("bucket", "")),  # "" in the source bucket (Go oss/client_mock_test.go)
        key=str(data.get("object", "")),
        size=int(size) if isinstance(size, (int, str)) and str(size).isdigit() else 0,
        status=str(data.get("status", "")),
        oss_request_id=_lower(headers).get("x-oss-request-id"),
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_fields(body: bytes) -> Tuple[Optional[Dict[str, str]], str]:
    """The children of an ``<Error>`` root, or None and why not.

    Like alibabacloud-oss-v2 ``_client.py::_to_service_error``: a body that does not
    parse but holds ``<Error>...</Error>`` still gives its Code and Message.
    """
    try:
        root = ET.fromstring(body)
    except (ET.ParseError, RecursionError, ValueError):
        text = body.decode("utf-8", "replace")
        if "<Error>" in text and "</Error>" in text:
            fields = {}
            for tag in ("Code", "Message", "RequestId", "HostId", "EC"):
                match = re.search(f"<{tag}>(.*?)</{tag}>", text, re.S)
                if match:
                    fields[tag] = match.group(1)
            if "Code" in fields:
                return fields, ""
        return None, "the error body is not well-formed XML"
    if _local(root.tag) != "Error":
        return None, f"the error body's root is <{_local(root.tag)[:40]}>, not <Error>"
    return {_local(child.tag): (child.text or "") for child in root}, ""


def _json_fields(body: bytes, lower: Mapping[str, str]) -> Tuple[Optional[Dict[str, str]], str]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, "the error body is not JSON"
    if not isinstance(data, dict):
        return None, "the error body is not a JSON object"
    if "x-oss-error-type" in lower:  # {"message": "..."} with the code in a header (alibabacloud-oss-v2)
        return {"Code": lower["x-oss-error-type"], "Message": str(data.get("message", ""))}, ""
    inner = data.get("Error", data)
    if not isinstance(inner, dict):
        return None, "the JSON error has no Error object"
    return {str(k): str(v) for k, v in inner.items() if isinstance(v, (str, int, float))}, ""


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<hidden>")
    return text


def parse_error(status: int, headers: Mapping[str, str], body: bytes, *, secrets: Sequence[str] = ()) -> OSSError:
    """An error answer as the matching ``OSSError`` subclass, as the SDKs read it.

    Reads XML ``<Error>`` (recovering Code and Message from a malformed one), the
    base64 ``x-oss-err`` header when the body is empty (HEAD), JSON ``{"Error": {...}}``,
    and ``x-oss-error-type`` + ``{"message": ...}``; anything else is
    ``BadErrorResponse`` (alibabacloud-oss-v2 ``_client.py``). Request id and EC fall
    back to the ``x-oss-request-id`` / ``x-oss-ec`` headers. Elements echoing what
    was signed are dropped, and ``secrets`` (the secret, the token) are replaced by ``<hidden>``.
    """
    lower = _lower(headers)
    if not body.strip() and lower.get("x-oss-err"):
        try:
            body = base64.b64decode(lower["x-oss-err"], validate=False)
        except ValueError:
            body = b""
    fields: Optional[Dict[str, str]] = None
    why = ""
    if "x-oss-error-type" in lower or "json" in lower.get("content-type", "") or body.lstrip().startswith(b"{"):
        fields, why = _json_fields(body, lower)
    elif body.strip():
        fields, why = _xml_fields(body)
    if fields is None:
        fields = {"Code": "BadErrorResponse", "Message": why or f"HTTP {status} without an error body"}
    code = fields.get("Code") or "BadErrorResponse"
    safe = {k: _scrub(v, secrets) for k, v in fields.items()}
    return error_class(code, status)(
        _scrub(code, secrets),
        safe.get("Message", ""),
        status_code=status,
        request_id=safe.get("RequestId") or lower.get("x-oss-request-id"),
        ec=safe.get("EC") or lower.get("x-oss-ec"),
        host_id=safe.get("HostId"),
        fields=safe,
        headers={k: _scrub(v, secrets) for k, v in lower.items()},
        server_time=_date(lower),
    )


def _date(lower: Mapping[str, str]) -> Optional[datetime]:
    date = lower.get("date")
    if not date:
        return None
    try:
        parsed = parsedate_to_datetime(date)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def server_time(headers: Mapping[str, str], error: Optional[OSSError] = None) -> Optional[datetime]:
    """The server's clock from ``ServerTime`` in a RequestTimeTooSkewed body, or the ``Date`` header.

    UNCERTAIN: whether OSS puts ``ServerTime`` in that body (S3 does); the ``Date``
    header of every OSS answer is the fallback, as the Go SDK uses it (``oss/client.go``).
    """
    if error is not None and error.fields.get("ServerTime"):
        text = error.fields["ServerTime"]
        for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
            try:
                return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
            except ValueError:
                pass
    return _date(_lower(headers))
