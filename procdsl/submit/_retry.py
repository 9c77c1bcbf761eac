"""When to try a request again, without ever creating an async task twice.

The rules, one row per kind of failure and one column per operation, are the
"Send and retry" table of docs/submit.md; :func:`decide` implements that table.
In short: what provably never reached OSS (not sent, a throttling code, a 403
RequestTimeTooSkewed) is retried for every operation; what may have reached it is
retried for GetObject only (ProcessObject with ``resend_process``), and for
AsyncProcessObject becomes ``TaskMayExistError``: OSS has no idempotency token,
so a resubmission could start a second, separately billed task.

Defaults follow alibabacloud-oss-v2 (``retry/defaults``: 3 attempts, 0.2 s base,
20 s cap, full jitter), which however retries all operations alike (``retry/error_retryable.py``).
"""

from __future__ import annotations

import dataclasses
import math
import random
from datetime import datetime
from typing import Callable, Mapping, Optional

from ._errors import (
    ConfigurationError,
    DeadlineExceededError,
    OSSError,
    RequestTimeTooSkewedError,
    ResponseTooLargeError,
    SubmitError,
    TaskMayExistError,
    ThrottlingError,
    TLSError,
    TransportError,
)
from ._requests import PreparedRequest

__all__ = ["MAX_ATTEMPTS", "Decision", "RetryPolicy", "decide", "may_exist", "retry_after"]

MAX_ATTEMPTS = 10


def _seconds(name: str, value: object, *, low: float = 0.0, high: float = math.inf) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigurationError(f"{name} must be a finite number of seconds; got {value!r}", param=name)
    if not low <= value <= high:
        raise ConfigurationError(f"{name} must be from {low} to {high} seconds; got {value!r}", param=name)


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """``max_attempts`` counts the first try; delays are ``uniform(0, min(max_delay, base_delay * 2**n))``.

    ``resend_process``: also retry ProcessObject after it may have reached OSS
    (it then runs, and is billed, again; its save-as target is overwritten).
    ``max_clock_skew``: the largest clock correction trusted from a RequestTimeTooSkewed answer.
    """

    max_attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 20.0
    resend_process: bool = False
    max_clock_skew: float = 24 * 3600.0

    def __post_init__(self) -> None:
        m = self.max_attempts
        if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= MAX_ATTEMPTS:
            raise ConfigurationError(
                f"max_attempts must be an integer from 1 to {MAX_ATTEMPTS}; got {m!r}", param="max_attempts"
            )
        _seconds("base_delay", self.base_delay, high=3600.0)
        _seconds("max_delay", self.max_delay, high=3600.0)
        _seconds("max_clock_skew", self.max_clock_skew, high=7 * 24 * 3600.0)
        if not isinstance(self.resend_process, bool):
            raise ConfigurationError("resend_process must be True or False", param="resend_process")

    def delay(self, retry_number: int, rand: Callable[[], float] = random.random) -> float:
        """Full jitter for the ``retry_number``-th retry (0-based)."""
        return rand() * min(self.max_delay, self.base_delay * (2.0 ** min(retry_number, 60)))


@dataclasses.dataclass(frozen=True)
class Decision:
    """Retry after ``delay`` seconds (with ``clock_offset`` seconds added to the signing clock), or raise ``error``."""

    retry: bool
    delay: float = 0.0
    error: Optional[SubmitError] = None
    clock_offset: Optional[float] = None


def may_exist(prepared: PreparedRequest, cause: SubmitError, request_id: Optional[str]) -> TaskMayExistError:
    return TaskMayExistError(
        f"AsyncProcessObject {prepared.bucket}/{prepared.key} failed after the request was sent ({cause}); "
        "the task may have been created, so it was not resubmitted: check the output or the notification "
        "before submitting again",
        cause=cause,
        request_id=request_id,
    )


def retry_after(headers: Mapping[str, str]) -> Optional[float]:
    """``Retry-After`` in seconds (delta form only; an HTTP date is ignored)."""
    value = headers.get("retry-after", "").strip()
    return float(value) if value.isdigit() else None


def _after_send(policy: RetryPolicy, prepared: PreparedRequest, error: SubmitError, request_id: Optional[str],
                left: bool, attempt: int) -> Decision:  # fmt: skip
    """The request may have reached OSS: only what is harmless to repeat is repeated."""
    if prepared.operation == "AsyncProcessObject":
        return Decision(False, error=may_exist(prepared, error, request_id))
    if prepared.operation == "ProcessObject" and not policy.resend_process:
        return Decision(False, error=error)
    return Decision(True, policy.delay(attempt - 1)) if left else Decision(False, error=error)


def decide(
    policy: RetryPolicy,
    prepared: PreparedRequest,
    attempt: int,
    error: SubmitError,
    *,
    server_now: Optional[datetime] = None,
    local_now: Optional[datetime] = None,
    skew_corrected: bool = False,
    headers: Optional[Mapping[str, str]] = None,
) -> Decision:
    """What to do after attempt ``attempt`` (1-based) failed with ``error``: docs/submit.md, "Send and retry"."""
    left = attempt < policy.max_attempts
    if isinstance(error, TransportError):
        if not error.sent:  # provably never left: safe to repeat, unless repeating cannot help
            retryable = not isinstance(error, (TLSError, DeadlineExceededError))
            return Decision(True, policy.delay(attempt - 1)) if retryable and left else Decision(False, error=error)
        if isinstance(error, (DeadlineExceededError, ResponseTooLargeError)):  # sent; no time left, or no point
            left = False
        return _after_send(policy, prepared, error, None, left, attempt)
    if isinstance(error, RequestTimeTooSkewedError):
        if left and not skew_corrected and server_now is not None and local_now is not None:
            offset = (server_now - local_now).total_seconds()
            if abs(offset) <= policy.max_clock_skew:
                return Decision(True, 0.0, clock_offset=offset)
        return Decision(False, error=error)
    if isinstance(error, ThrottlingError):
        if not left:
            return Decision(False, error=error)
        hint = retry_after(headers or {})
        delay = min(hint, policy.max_delay) if hint is not None else policy.delay(attempt - 1)
        return Decision(True, delay)
    if isinstance(error, OSSError) and error.status_code >= 500:
        return _after_send(policy, prepared, error, error.request_id, left, attempt)
    return Decision(False, error=error)
