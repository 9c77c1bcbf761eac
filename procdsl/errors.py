"""Every error procdsl raises, in one hierarchy.

``ProcessError`` is the base: catching it catches every problem with a process
string or a value being built. It derives from ``ValueError`` so code that
already guards string handling with ``except ValueError`` keeps working.

- ``ProcessSyntaxError``: the text does not follow the wire grammar (an empty
  stage, a parameter without ``_``, an unknown action in strict mode, the legacy
  ``@`` syntax). ``position`` is the 0-based offset into the parsed string.
- ``ProcessValueError``: a parameter value is out of its documented range, of
  the wrong type, or breaks a rule between parameters. ``param`` names the
  parameter (Python name and wire key), ``value`` is the offending value and
  ``allowed`` says what is accepted.
- ``StageError``: stages that cannot follow one another (notify on a
  synchronous job, an asynchronous operation sent without save-as, an image step
  after a video operation). The type checker rejects most of these first; this
  is the run-time guard for untyped callers and for parsed strings.

- ``EventError``: a notification message (the SMQ/MNS body of an asynchronous
  task's result) could not be read: see ``procdsl.events.parse_event``.

``SaveAsKeyWarning`` is a warning, not an error: an operation that writes
several objects was given a save-as key without ``{index}``.

Every error pickles to the same type, message and attributes (``_reduce_by_state``), so it
crosses process boundaries (``ProcessPoolExecutor``, Celery, RQ) intact.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple, Type, TypeVar

__all__ = [
    "EventError",
    "ProcessError",
    "ProcessSyntaxError",
    "ProcessValueError",
    "SaveAsKeyWarning",
    "StageError",
]


_E = TypeVar("_E", bound=BaseException)


def _rebuild(cls: Type[_E], args: Tuple[Any, ...], state: Dict[str, Any]) -> _E:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


def _reduce_by_state(self: BaseException) -> Tuple[Any, ...]:
    """``__reduce__`` for exceptions: rebuild from ``args`` and attributes, without calling
    ``__init__`` again (the default calls ``cls(*args)``, which fails for keyword-only
    parameters). Base classes use it, so new subclasses pickle with no code of their own."""
    return (_rebuild, (type(self), self.args, dict(vars(self))))


class ProcessError(ValueError):
    """Base class of every procdsl error about a process string or value."""

    __reduce__ = _reduce_by_state

    def __init__(self, message: str, *, source: str | None = None, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.position = position

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        return f"{self.message} (at column {self.position + 1})"

    def caret(self) -> str:
        """The source line with a caret under the error position, like a compiler."""
        if self.source is None or self.position is None:
            return ""
        return f"{self.source}\n{' ' * self.position}^"


class ProcessSyntaxError(ProcessError):
    """The text does not follow the process-string grammar."""


class ProcessValueError(ProcessError):
    """A parameter value is not allowed."""

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        value: object = None,
        allowed: str | None = None,
        source: str | None = None,
        position: int | None = None,
    ) -> None:
        super().__init__(message, source=source, position=position)
        self.param = param
        self.value = value
        self.allowed = allowed


class StageError(ProcessError):
    """Stages combined in a way OSS does not accept."""


class EventError(ProcessError):
    """A task notification message is not in the documented format (``procdsl.events``)."""


class SaveAsKeyWarning(UserWarning):
    """A multi-output operation saves to a key that has no ``{index}``."""
