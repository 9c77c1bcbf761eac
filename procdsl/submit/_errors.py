"""Every error the submit layer raises, in one tree (the core's ``ProcessError`` aside).

::

    SubmitError
    ├── ConfigurationError            a bad client option or call argument; raised before any I/O
    │   └── CredentialsError          credentials missing, malformed, or a provider that failed
    ├── OSSError                      OSS answered with an error (code, message, request id, EC, ...)
    │   ├── BadRequestError           400: InvalidArgument, MissingArgument, a refused process string
    │   ├── AccessDeniedError         403
    │   │   ├── SignatureDoesNotMatchError
    │   │   └── RequestTimeTooSkewedError
    │   ├── NotFoundError             404: NoSuchKey, NoSuchFile, NoSuchStyle, NoSuchBucket
    │   ├── ThrottlingError           429/503 with a throttling code: refused before any work
    │   └── ServerError               5xx (and 503 without a throttling code)
    ├── TransportError                no usable answer; ``sent`` says whether it may have reached OSS
    │   ├── TLSError                  the TLS handshake failed (not retried: retrying cannot fix it)
    │   ├── DeadlineExceededError     the call's overall deadline passed
    │   └── ResponseTooLargeError     the answer's body is larger than the configured maximum
    ├── TaskMayExistError             an async task submission failed after it may have arrived
    └── StoreError                    ``submit_many``'s record (SQLite, PostgreSQL) cannot be read or written
        └── JournalError              the JSON Lines journal cannot be opened, locked, read or written

A process string that does not parse raises the core's ``ProcessError`` before any I/O.
Messages never contain the AccessKey secret or the STS token; ``OSSError`` drops the
echoed ``CanonicalRequest``/``StringToSign``/``SignatureProvided`` elements.
Error codes and statuses: https://www.alibabacloud.com/help/doc-detail/32005.htm and
https://www.alibabacloud.com/help/doc-detail/44706.html (image processing).
Constructors take keyword-only attributes after the message, so errors pickle simply.
"""

from __future__ import annotations

from datetime import datetime
from typing import Dict, Mapping, Optional, Type

from ..errors import _reduce_by_state

__all__ = [
    "AccessDeniedError",
    "BadRequestError",
    "ConfigurationError",
    "CredentialsError",
    "DeadlineExceededError",
    "JournalError",
    "NotFoundError",
    "OSSError",
    "RequestTimeTooSkewedError",
    "ResponseTooLargeError",
    "SECRET_FIELDS",
    "ServerError",
    "SignatureDoesNotMatchError",
    "StoreError",
    "SubmitError",
    "TLSError",
    "TaskMayExistError",
    "THROTTLING_CODES",
    "ThrottlingError",
    "TransportError",
    "error_class",
]


class SubmitError(Exception):
    """Base class of every error raised by ``procdsl.submit``.

    Pickles by state (``procdsl.errors._reduce_by_state``): every subclass crosses a process
    boundary with its type, message and attributes, whatever its ``__init__`` takes.
    """

    __reduce__ = _reduce_by_state


class ConfigurationError(SubmitError, ValueError):
    """A client option or a call argument is invalid (region, endpoint, retry policy, bucket, header, ...).

    ``param`` names the argument. The value is never part of the message when it may be secret.
    """

    def __init__(self, message: str, *, param: Optional[str] = None) -> None:
        super().__init__(message)
        self.param = param


class CredentialsError(ConfigurationError):
    """Credentials are missing or malformed, or the credentials provider failed."""


class StoreError(SubmitError):
    """The exactly-once record of ``submit_many`` cannot be read or written (SQLite, PostgreSQL)."""


class JournalError(StoreError):
    """The journal cannot be opened, locked, read (a damaged line other than a torn last one) or written."""


# Elements of an error body that echo what was signed: with them, the security token and
# the signature would travel in logs and exception reprs (GO mock SignatureDoesNotMatch body).
SECRET_FIELDS = frozenset(
    {"CanonicalRequest", "CanonicalRequestBytes", "StringToSign", "StringToSignBytes", "SignatureProvided"}
)


class OSSError(SubmitError):
    """OSS answered with an error.

    ``fields`` holds every other element of the error body (RecommendDoc, ServerTime, ...);
    ``headers`` the answer's headers (lowercase names); ``server_time`` its ``Date``.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status_code: int,
        request_id: Optional[str] = None,
        ec: Optional[str] = None,
        host_id: Optional[str] = None,
        fields: Optional[Mapping[str, str]] = None,
        headers: Optional[Mapping[str, str]] = None,
        server_time: Optional[datetime] = None,
    ) -> None:
        self.code = code
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.ec = ec
        self.host_id = host_id
        self.fields: Dict[str, str] = {k: v for k, v in (fields or {}).items() if k not in SECRET_FIELDS}
        self.headers: Dict[str, str] = dict(headers or {})
        self.server_time = server_time
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.code} ({self.status_code}): {self.message}"
        extra = [f"{k}={v}" for k, v in (("request id", self.request_id), ("EC", self.ec)) if v]
        return f"{text} [{', '.join(extra)}]" if extra else text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, status_code={self.status_code}, request_id={self.request_id!r})"
        )


class BadRequestError(OSSError):
    """400: the request or the process string was refused (InvalidArgument, MissingArgument, …)."""


class AccessDeniedError(OSSError):
    """403: not allowed (e.g. no ``oss:PostProcessTask`` permission)."""


class SignatureDoesNotMatchError(AccessDeniedError):
    """403: the signature is wrong (wrong secret, region, or a changed request)."""


class RequestTimeTooSkewedError(AccessDeniedError):
    """403: the local clock is too far from the server's (retried once with a corrected clock)."""


class NotFoundError(OSSError):
    """404: NoSuchKey, NoSuchFile (missing source image), NoSuchStyle, NoSuchBucket."""


class ThrottlingError(OSSError):
    """429 or 503 with one of OSS's throttling codes: refused before any work, so retried with backoff."""


class ServerError(OSSError):
    """5xx, including a 503 whose code does not prove the request was refused before processing."""


# The codes OSS documents for refusing a request for rate, traffic or capacity reasons:
# https://www.alibabacloud.com/help/en/oss/support/http-status-code-503 and
# https://www.alibabacloud.com/help/en/oss/support/429-error (QpsLimitExceeded).
THROTTLING_CODES = frozenset(
    {
        "QpsLimitExceeded",
        "DownloadTrafficRateLimitExceeded",
        "UploadTrafficRateLimitExceeded",
        "MetaOperationQpsLimitExceeded",
        "ServiceUnavailable",
        "TotalQpsLimitExceeded",
        "ActiveRequestLimitExceeded",
        "CpuLimitExceeded",
    }
)

_BY_STATUS: Dict[int, Type[OSSError]] = {400: BadRequestError, 403: AccessDeniedError, 404: NotFoundError}


def error_class(code: str, status_code: int) -> Type[OSSError]:
    """The most specific ``OSSError`` subclass for an error code and HTTP status.

    A code only counts with the status OSS sends it with: a 500 carrying
    ``RequestTimeTooSkewed`` is a ``ServerError``, not a proof of refusal.
    """
    if status_code == 403 and code == "SignatureDoesNotMatch":
        return SignatureDoesNotMatchError
    if status_code == 403 and code == "RequestTimeTooSkewed":
        return RequestTimeTooSkewedError
    if status_code in (429, 503) and code in THROTTLING_CODES:
        return ThrottlingError
    if status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
    if status_code >= 500:
        return ServerError
    return OSSError


class TransportError(SubmitError):
    """The request got no usable answer. ``sent`` is False only when it surely never reached OSS."""

    def __init__(self, message: str, *, sent: bool) -> None:
        super().__init__(message)
        self.sent = sent


class TLSError(TransportError):
    """The TLS handshake failed (certificate, protocol): nothing was sent, and a retry would fail alike."""


class DeadlineExceededError(TransportError):
    """The call's overall deadline (``Client(deadline=...)``) passed before a usable answer."""


class ResponseTooLargeError(TransportError):
    """The answer's body exceeds ``Client(max_body_size=...)``; it was not read further."""


class TaskMayExistError(SubmitError):
    """An async task submission failed after the request was sent: the task MAY have been created.

    It is not resubmitted automatically: OSS has no idempotency token for
    AsyncProcessObject, and a second submission would start (and bill) a second
    task writing the same output. Check the output object or your notification
    topic before submitting again. ``cause`` is the underlying error
    (``TransportError`` or ``OSSError``); ``request_id`` the OSS request id when known.
    """

    def __init__(self, message: str, *, cause: SubmitError, request_id: Optional[str] = None) -> None:
        super().__init__(message)
        self.cause = cause
        self.request_id = request_id
