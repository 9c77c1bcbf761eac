"""``frozen``: immutable, slotted value classes without the cost of ``dataclasses``.

Type checkers read ``@frozen`` as a frozen dataclass (``dataclass_transform``).
At run time it adds ``__init__`` (unless the class writes its own), ``__eq__``,
``__hash__``, ``__repr__``, pickling and a ``__setattr__`` that refuses
changes, all from the class's annotated fields (``__init__`` is generated on
first use, see ``procdsl._codegen``), and no ``import dataclasses`` (which pulls in ``inspect``) when
procdsl is imported. They are not ``dataclasses`` to the standard library:
``dataclasses.replace`` and ``fields`` do not apply; build a new value instead.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Tuple, Type, TypeVar

from ._compat import dataclass_transform

__all__ = ["frozen"]

T = TypeVar("T")


def _fields(cls: type) -> Tuple[str, ...]:
    names: Dict[str, None] = {}
    for klass in reversed(cls.__mro__):
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            if not str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                names[name] = None
    return tuple(names)


def _make_init(cls: type, fields: Tuple[str, ...]) -> Callable[..., None]:
    """A stub that generates ``cls.__init__(self, <fields>)`` on first use (``procdsl._codegen``)."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        from ._codegen import compile_method

        # Slots that are not fields (caches such as a stage's ``_wire``) start as None.
        spare = [slot for k in cls.__mro__ for slot in vars(k).get("__slots__", ()) if slot not in fields]
        lines = [f"def __init__(self, {', '.join(fields)}):"]
        lines += [f"    _set(self, {name!r}, {name})" for name in fields]
        lines += [f"    _set(self, {name!r}, None)" for name in spare]
        if hasattr(cls, "__post_init__"):
            lines.append("    self.__post_init__()")
        init = compile_method(cls, "__init__", "\n".join(lines) + "\n", {"_set": object.__setattr__})
        type.__setattr__(cls, "__init__", init)
        init(self, *args, **kwargs)

    return __init__


def _values(self: Any) -> Tuple[Any, ...]:
    return tuple(getattr(self, name) for name in type(self).__fields__)


def _eq(self: Any, other: object) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return bool(_values(self) == _values(other))


def _hash(self: Any) -> int:
    return hash((type(self).__name__, _values(self)))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self).__fields__)
    return f"{type(self).__qualname__}({shown})"


def _reduce(self: Any) -> Any:
    return (type(self), _values(self))


def _refuse(self: Any, name: str, value: object = None) -> None:
    raise AttributeError(f"{type(self).__name__} is immutable; build a new value instead")


@dataclass_transform(frozen_default=True)
def frozen(cls: Type[T]) -> Type[T]:
    """Make ``cls`` an immutable value class of its annotated fields."""
    fields = _fields(cls)
    own = vars(cls)
    type.__setattr__(cls, "__fields__", fields)
    type.__setattr__(cls, "__match_args__", fields)  # match SyncJob(source, save): ...
    if "__init__" not in own:
        type.__setattr__(cls, "__init__", _make_init(cls, fields))
    for name, function in (
        ("__eq__", _eq),
        ("__hash__", _hash),
        ("__repr__", _repr),
        ("__reduce__", _reduce),
        ("__setattr__", _refuse),
        ("__delattr__", _refuse),
    ):
        if name not in own or (name == "__hash__" and own[name] is None):
            type.__setattr__(cls, name, function)
    return cls
