"""When to try a request again, without ever creating an async task twice.

Safe to retry, for every operation:

- the connection could not be made (nothing was sent);
- 429 and 503 (throttling: refused before any work), with full-jitter backoff;
- ``RequestTimeTooSkewed`` (403: refused before any work), once, with the
  clock corrected by the server's time.

After the request was sent (read timeout, broken connection, 5xx other than
503) the outcome is unknown. GetObject and ProcessObject are retried (reading
is harmless; ProcessObject overwrites the same target). AsyncProcessObject is
**not**: OSS offers no idempotency token, so a resubmission could start a
second, separately billed task. ``TaskMayExistError`` is raised instead.

Defaults follow alibabacloud-oss-v2 (``retry/defaults``: 3 attempts, 0.2 s base,
20 s cap, full jitter), which however retries all operations alike (submit.md §4).
"""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime
from typing import Callable, Optional

from ..errors import ProcessValueError
from ._errors import (
    OSSError,
    RequestTimeTooSkewedError,
    SubmitError,
    TaskMayExistError,
    ThrottlingError,
    TransportError,
)
from ._requests import PreparedRequest

__all__ = ["Decision", "RetryPolicy", "decide"]


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """``max_attempts`` counts the first try; delays are ``uniform(0, min(max_delay, base_delay * 2**n))``."""

    max_attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 20.0

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ProcessValueError(
                f"max_attempts must be an integer >= 1; got {self.max_attempts!r}",
                param="max_attempts",
                value=self.max_attempts,
                allowed=">= 1",
            )
        for name in ("base_delay", "max_delay"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value < 0:
                raise ProcessValueError(f"{name} must be >= 0 seconds; got {value!r}", param=name, value=value)

    def delay(self, retry_number: int, rand: Callable[[], float] = random.random) -> float:
        """Full jitter for the ``retry_number``-th retry (0-based)."""
        return rand() * min(self.max_delay, self.base_delay * (2.0**retry_number))


@dataclasses.dataclass(frozen=True)
class Decision:
    """Retry after ``delay`` seconds (with ``clock_offset`` seconds added to the signing clock), or raise ``error``."""

    retry: bool
    delay: float = 0.0
    error: Optional[SubmitError] = None
    clock_offset: Optional[float] = None


def _may_exist(prepared: PreparedRequest, cause: SubmitError, request_id: Optional[str]) -> TaskMayExistError:
    return TaskMayExistError(
        f"AsyncProcessObject {prepared.bucket}/{prepared.key} failed after the request was sent ({cause}); "
        "the task may have been created, so it was not resubmitted: check the output or the notification "
        "before submitting again",
        cause=cause,
        request_id=request_id,
    )


def decide(
    policy: RetryPolicy,
    prepared: PreparedRequest,
    attempt: int,
    error: SubmitError,
    *,
    server_now: Optional[datetime] = None,
    local_now: Optional[datetime] = None,
    skew_corrected: bool = False,
) -> Decision:
    """What to do after attempt number ``attempt`` (1-based) failed with ``error``."""
    left = attempt < policy.max_attempts
    if isinstance(error, TransportError):
        if not error.sent or prepared.idempotent:
            return Decision(True, policy.delay(attempt - 1)) if left else Decision(False, error=error)
        return Decision(False, error=_may_exist(prepared, error, None))
    if isinstance(error, RequestTimeTooSkewedError):
        if left and not skew_corrected and server_now is not None and local_now is not None:
            return Decision(True, 0.0, clock_offset=(server_now - local_now).total_seconds())
        return Decision(False, error=error)
    if isinstance(error, ThrottlingError):
        return Decision(True, policy.delay(attempt - 1)) if left else Decision(False, error=error)
    if isinstance(error, OSSError) and error.status_code >= 500:
        if not prepared.idempotent:
            return Decision(False, error=_may_exist(prepared, error, error.request_id))
        return Decision(True, policy.delay(attempt - 1)) if left else Decision(False, error=error)
    return Decision(False, error=error)
