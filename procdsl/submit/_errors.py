"""Errors of the submit layer: what OSS answered, and what the network did.

- ``SubmitError``: base of everything ``procdsl.submit`` raises (besides the
  core's ``ProcessError`` for an invalid process string, raised before any I/O).
- ``OSSError``: OSS answered with an error body (XML ``<Error>`` or JSON). It
  carries ``code``, ``message``, ``request_id``, ``ec``, ``status_code`` and
  ``host_id``; subclasses group codes so callers can catch a kind of failure.
- ``TransportError``: no usable answer (connection refused, timeout, broken
  connection). ``sent`` says whether the request may have reached OSS.
- ``TaskMayExistError``: an async task submission failed *after* the request
  was sent (read timeout, 5xx): OSS may have created the task. It is never
  resubmitted automatically, to avoid a duplicate (twice-billed) task.
- ``CredentialsError``: missing or malformed credentials.

Messages never contain the AccessKey secret or the STS token.
Error codes and statuses: https://www.alibabacloud.com/help/doc-detail/32005.htm and
https://www.alibabacloud.com/help/doc-detail/44706.html (image processing).
"""

from __future__ import annotations

from typing import Dict, Mapping, Optional, Type

from ..errors import _reduce_by_state

__all__ = [
    "AccessDeniedError",
    "BadRequestError",
    "CredentialsError",
    "NotFoundError",
    "OSSError",
    "RequestTimeTooSkewedError",
    "ServerError",
    "SignatureDoesNotMatchError",
    "SubmitError",
    "TaskMayExistError",
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


class CredentialsError(SubmitError, ValueError):
    """Credentials are missing or malformed."""


class OSSError(SubmitError):
    """OSS answered with an error."""

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
    ) -> None:
        self.code = code
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.ec = ec
        self.host_id = host_id
        # Every element of the error body (RecommendDoc, StringToSign, ServerTime, …).
        self.fields: Dict[str, str] = dict(fields or {})
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
    """429 or 503: slow down (retried with backoff)."""


class ServerError(OSSError):
    """5xx other than 503."""


_BY_CODE: Dict[str, Type[OSSError]] = {
    "SignatureDoesNotMatch": SignatureDoesNotMatchError,
    "RequestTimeTooSkewed": RequestTimeTooSkewedError,
}
_BY_STATUS: Dict[int, Type[OSSError]] = {
    400: BadRequestError,
    403: AccessDeniedError,
    404: NotFoundError,
    429: ThrottlingError,
    503: ThrottlingError,
}


def error_class(code: str, status_code: int) -> Type[OSSError]:
    """The most specific ``OSSError`` subclass for an error code and HTTP status."""
    if code in _BY_CODE:
        return _BY_CODE[code]
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
