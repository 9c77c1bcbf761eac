"""Request builders and response parsers, without I/O (shared by ``Client`` and ``AsyncClient``).

Wire format (submit.md §1, from the Go, Python v2 and oss2 SDKs):

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
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Dict, Mapping, Optional, Tuple

from typing_extensions import Literal

from . import _signing_v1 as signing_v1
from . import _signing_v4 as signing_v4
from ._credentials import Credentials
from ._endpoints import Endpoint, check_bucket, check_key
from ._errors import OSSError, error_class

__all__ = [
    "AsyncTask",
    "Operation",
    "PreparedRequest",
    "ProcessResult",
    "WireRequest",
    "async_process_request",
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


@dataclasses.dataclass(frozen=True)
class PreparedRequest:
    """One OSS call before signing: what to send, independent of time and credentials.

    ``query`` is decoded; it is encoded strictly when signed. ``idempotent`` is
    False for AsyncProcessObject: sending it twice may create two tasks.
    """

    operation: Operation
    method: str
    bucket: str
    key: str
    query: Tuple[Tuple[str, str], ...]
    headers: Headers = ()
    body: bytes = b""

    @property
    def idempotent(self) -> bool:
        # ProcessObject overwrites the same target object, so repeating it is harmless (submit.md §4).
        return self.operation != "AsyncProcessObject"


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


def _post(operation: Operation, name: str, bucket: str, key: str, process: str) -> PreparedRequest:
    body = f"{name}={process}".encode()
    return PreparedRequest(
        operation,
        "POST",
        check_bucket(bucket),
        check_key(key),
        ((name, ""),),
        (("Content-MD5", _content_md5(body)),),
        body,
    )


def async_process_request(bucket: str, key: str, process: str) -> PreparedRequest:
    """AsyncProcessObject for an already validated ``x-oss-async-process`` string."""
    return _post("AsyncProcessObject", "x-oss-async-process", bucket, key, process)


def process_request(bucket: str, key: str, process: str) -> PreparedRequest:
    """ProcessObject (synchronous, with ``sys/saveas``) for a validated ``x-oss-process`` string."""
    return _post("ProcessObject", "x-oss-process", bucket, key, process)


def get_request(bucket: str, key: str, process: str) -> PreparedRequest:
    """GetObject with ``?x-oss-process=<process>``."""
    return PreparedRequest("GetObject", "GET", check_bucket(bucket), check_key(key), (("x-oss-process", process),))


def _query_string(pairs: Any) -> str:
    return signing_v4.join_query(signing_v4.encode_query(pairs))


def sign_request(
    prepared: PreparedRequest,
    *,
    endpoint: Endpoint,
    credentials: Credentials,
    region: str,
    now: datetime,
    product: str = "oss",
) -> WireRequest:
    """Sign with V4 headers; the URL's query is exactly the encoding that was signed."""
    headers = dict(prepared.headers)
    headers.update(
        signing_v4.sign_headers(
            method=prepared.method,
            bucket=prepared.bucket,
            key=prepared.key,
            query=prepared.query,
            headers=headers,
            credentials=credentials,
            region=region,
            now=now,
            product=product,
        )
    )
    url = endpoint.url(prepared.bucket, prepared.key, _query_string(prepared.query))
    return WireRequest(prepared.method, url, tuple(headers.items()), prepared.body)


def presign_url(
    prepared: PreparedRequest,
    *,
    endpoint: Endpoint,
    credentials: Credentials,
    region: str,
    now: datetime,
    expires: int,
    version: Literal["v4", "v1"] = "v4",
    product: str = "oss",
) -> str:
    """A presigned URL. V4 by default; V1 (``OSSAccessKeyId``/``Expires``/``Signature``) on request."""
    if version == "v4":
        pairs = signing_v4.presign_query(
            method=prepared.method,
            bucket=prepared.bucket,
            key=prepared.key,
            query=prepared.query,
            headers=dict(prepared.headers),
            credentials=credentials,
            region=region,
            now=now,
            expires=expires,
            product=product,
        )
    elif version == "v1":
        if isinstance(expires, bool) or not isinstance(expires, int) or expires < 1:
            from ..errors import ProcessValueError

            raise ProcessValueError(
                f"expires must be a positive number of seconds; got {expires!r}", param="expires", value=expires
            )
        expires_at = int(now.timestamp()) + expires
        pairs = signing_v1.presign_query(
            credentials,
            prepared.method,
            prepared.bucket,
            prepared.key,
            prepared.query,
            expires_at,
            dict(prepared.headers),
        )
    else:
        raise ValueError(f"signature version must be 'v4' or 'v1'; got {version!r}")
    return endpoint.url(prepared.bucket, prepared.key, _query_string(pairs))


# ---- responses ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AsyncTask:
    """An accepted AsyncProcessObject.

    ``request_id`` is the JSON ``RequestId`` (the IMM/MPS task request); the OSS
    request id (``x-oss-request-id`` header) is ``oss_request_id`` (submit.md §1.1).
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
    except (UnicodeDecodeError, ValueError):
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
    data = _json(status, headers, body)
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
        bucket=str(data.get("bucket", "")),  # "" when saved in the source bucket (SDK mocks; submit.md §1.2)
        key=str(data.get("object", "")),
        size=int(size) if isinstance(size, (int, str)) and str(size).isdigit() else 0,
        status=str(data.get("status", "")),
        oss_request_id=_lower(headers).get("x-oss-request-id"),
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_fields(body: bytes) -> Optional[Dict[str, str]]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    if _local(root.tag) != "Error":
        return None
    return {_local(child.tag): (child.text or "") for child in root}


def parse_error(status: int, headers: Mapping[str, str], body: bytes) -> OSSError:
    """An error answer as the matching ``OSSError`` subclass.

    Reads XML ``<Error>``, the base64 ``x-oss-err`` header when the body is
    empty (HEAD), JSON ``{"Error": {...}}`` or ``{"Code": ...}``, and
    ``x-oss-error-type`` + ``{"message": ...}``; anything else is ``BadErrorResponse``
    (as alibabacloud-oss-v2 ``_client.py`` does).
    """
    lower = _lower(headers)
    fields: Optional[Dict[str, str]] = None
    if not body.strip() and lower.get("x-oss-err"):
        try:
            body = base64.b64decode(lower["x-oss-err"])
        except ValueError:
            body = b""
    if "json" in lower.get("content-type", "") or body.lstrip().startswith(b"{"):
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            data = None
        if isinstance(data, dict):
            inner = data.get("Error", data)
            if isinstance(inner, dict):
                fields = {str(k): str(v) for k, v in inner.items() if not isinstance(v, (dict, list))}
                if "x-oss-error-type" in lower and "Code" not in fields:
                    fields["Code"] = lower["x-oss-error-type"]
                if "message" in fields and "Message" not in fields:
                    fields["Message"] = fields["message"]
    elif body.strip():
        fields = _xml_fields(body)
    if fields is None:
        fields = {"Code": "BadErrorResponse", "Message": f"HTTP {status} without a parsable OSS error body"}
    code = fields.get("Code") or ("BadErrorResponse" if body.strip() else f"HTTP{status}")
    cls = error_class(code, status)
    return cls(
        code,
        fields.get("Message", ""),
        status_code=status,
        request_id=fields.get("RequestId") or lower.get("x-oss-request-id"),
        ec=fields.get("EC") or lower.get("x-oss-ec"),
        host_id=fields.get("HostId"),
        fields=fields,
    )


def server_time(headers: Mapping[str, str], error: Optional[OSSError] = None) -> Optional[datetime]:
    """The server's clock from ``ServerTime`` in a RequestTimeTooSkewed body, or the ``Date`` header.

    UNCERTAIN: whether OSS puts ``ServerTime`` in that body (S3 does); the ``Date``
    header of every OSS answer is the fallback, as the Go SDK uses it (submit.md §4).
    """
    if error is not None and error.fields.get("ServerTime"):
        text = error.fields["ServerTime"]
        for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
            try:
                return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
            except ValueError:
                pass
    date = _lower(headers).get("date")
    if date:
        try:
            parsed = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None
