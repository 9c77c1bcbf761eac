"""Every exception class procdsl defines crosses a process boundary intact.

The classes are discovered by walking the package, so an error class added later is covered
without touching this file. Each is built from its ``__init__`` signature with sample values,
raised inside a ``ProcessPoolExecutor`` worker and caught in the parent, where it must have
the same type, message, ``args`` and attributes as one built in the parent.
"""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil
import re
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Dict, List, Tuple, Type

import pytest

import procdsl
import procdsl.submit


def exception_classes() -> List[Type[BaseException]]:
    """Every public exception or warning class defined in a procdsl module."""
    found: Dict[str, Type[BaseException]] = {}
    for info in pkgutil.walk_packages(procdsl.__path__, "procdsl."):
        if info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except ModuleNotFoundError as missing:  # an adapter whose framework is not installed (web_django)
            if (missing.name or "").startswith("procdsl"):
                raise
            continue
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[key] for key in sorted(found)]


CLASSES = exception_classes()


def _sample(name: str, annotation: str) -> Any:
    """A value of the declared type (read from the annotation's text, which works on every
    supported Python), distinct per parameter, so a lost attribute shows."""
    kinds = set(re.findall(r"[A-Za-z_]+", annotation)) - {"Optional", "None", "Union", "typing"}
    if "bool" in kinds:
        return True
    if "int" in kinds:
        return 400 + len(name)
    if kinds & {"Mapping", "Dict", "dict"}:
        return {f"{name}-key": f"{name}-value"}
    errors = [c for c in CLASSES if c.__name__ in kinds]
    if errors:
        return build(next(c for c in CLASSES if issubclass(c, errors[0]) and c is not errors[0]))
    return f"{name}-value"  # str, object and anything else that takes text


def build(cls: Type[BaseException]) -> BaseException:
    """An instance of ``cls`` with every ``__init__`` parameter given a sample value."""
    init = next(k.__dict__["__init__"] for k in cls.__mro__ if "__init__" in k.__dict__)
    if not getattr(init, "__module__", "").startswith("procdsl"):
        return cls(f"{cls.__name__} message")  # BaseException's own __init__
    args: List[Any] = []
    kwargs: Dict[str, Any] = {}
    for parameter in list(inspect.signature(init).parameters.values())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        annotation = parameter.annotation if isinstance(parameter.annotation, str) else "str"
        value = _sample(parameter.name, annotation)
        if parameter.kind is parameter.KEYWORD_ONLY:
            kwargs[parameter.name] = value
        else:
            args.append(value)
    return cls(*args, **kwargs)


def raise_in_worker(index: int) -> None:
    raise build(CLASSES[index])


def _state(error: BaseException) -> Tuple[Any, ...]:
    """What must survive: type, message, args, attributes (nested errors compared the same way)."""
    attributes = {k: _state(v) if isinstance(v, BaseException) else v for k, v in vars(error).items()}
    return (type(error), str(error), error.args, attributes)


def test_discovery_finds_the_error_trees() -> None:
    names = {cls.__name__ for cls in CLASSES}
    expected = {"ProcessError", "ProcessValueError", "StageError", "SaveAsKeyWarning", "SubmitError", "OSSError"}
    expected |= {"TransportError", "TaskMayExistError", "CredentialsError", "JournalError", "NotFoundError"}
    assert expected <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_pickle_round_trip(cls: Type[BaseException]) -> None:
    error = build(cls)
    copy = pickle.loads(pickle.dumps(error))
    assert _state(copy) == _state(error)


def test_raised_in_a_worker_process_arrives_intact() -> None:
    caught: List[Tuple[Any, ...]] = []
    with ProcessPoolExecutor(max_workers=1) as pool:
        futures = [pool.submit(raise_in_worker, index) for index in range(len(CLASSES))]
        for future in futures:
            error = future.exception(timeout=60)
            assert error is not None
            caught.append(_state(error))
    assert caught == [_state(build(cls)) for cls in CLASSES]


def test_known_attributes_survive() -> None:
    from procdsl import ProcessValueError
    from procdsl.submit import OSSError, TaskMayExistError, TransportError

    value_error = pickle.loads(pickle.dumps(ProcessValueError("bad", param="w", value=0, source="s", position=3)))
    assert (value_error.param, value_error.value, value_error.position, str(value_error)) == (
        "w",
        0,
        3,
        "bad (at column 4)",
    )
    oss = pickle.loads(pickle.dumps(OSSError("NoSuchKey", "gone", status_code=404, request_id="r1", fields={"a": "b"})))
    assert (oss.code, oss.status_code, oss.request_id, oss.fields) == ("NoSuchKey", 404, "r1", {"a": "b"})
    task = pickle.loads(pickle.dumps(TaskMayExistError("maybe", cause=TransportError("reset", sent=True))))
    assert isinstance(task.cause, TransportError) and task.cause.sent is True and str(task) == "maybe"


class LaterSubmitError(procdsl.submit.SubmitError):
    """Stands for a class added after this test: keyword-only state and no pickling code."""

    def __init__(self, message: str, *, attempt: int, hosts: Tuple[str, ...]) -> None:
        super().__init__(message)
        self.attempt = attempt
        self.hosts = hosts


class LaterProcessError(procdsl.ProcessValueError):
    def __init__(self, *, reason: str) -> None:
        super().__init__(f"later: {reason}", param="p")
        self.reason = reason


def test_new_subclasses_pickle_without_code_of_their_own() -> None:
    for error in (LaterSubmitError("m", attempt=3, hosts=("a", "b")), LaterProcessError(reason="why")):
        assert _state(pickle.loads(pickle.dumps(error))) == _state(error)
