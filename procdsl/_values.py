"""``frozen``: immutable, slotted value classes without the cost of ``dataclasses``.

Type checkers read ``@frozen`` as a frozen dataclass (``dataclass_transform``).
At run time it adds ``__init__`` (unless the class writes its own; a class-level
value is a field's default), ``__eq__``,
``__hash__``, ``__repr__``, pickling and a ``__setattr__`` that refuses
changes, all from the class's annotated fields, with plain functions: no code
generation, and no ``import dataclasses`` (which pulls in ``inspect``) when
procdsl is imported. They are not ``dataclasses`` to the standard library:
``dataclasses.replace`` and ``fields`` do not apply; build a new value instead.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Tuple, Type, TypeVar

from ._compat import dataclass_transform

__all__ = ["as_dict", "frozen"]

T = TypeVar("T")


def _fields(cls: type) -> Tuple[str, ...]:
    names: Dict[str, None] = {}
    for klass in reversed(cls.__mro__):
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            if not str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                names[name] = None
    return tuple(names)


_NO_DEFAULT: Any = object()


def _make_init(cls: type, fields: Tuple[str, ...]) -> Callable[..., None]:
    # A class-level value is the field's default (classes without __slots__ only).
    defaults = {name: getattr(cls, name, _NO_DEFAULT) for name in fields}

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(fields):
            raise TypeError(f"{cls.__name__}() takes {len(fields)} arguments ({len(args)} given)")
        values = dict(zip(fields, args))
        for name, value in kwargs.items():
            if name not in fields:
                raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {name!r}")
            if name in values:
                raise TypeError(f"{cls.__name__}() got multiple values for argument {name!r}")
            values[name] = value
        for name in fields:
            value = values.get(name, defaults[name])
            if value is _NO_DEFAULT:
                raise TypeError(f"{cls.__name__}() missing required argument {name!r}")
            object.__setattr__(self, name, value)
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()

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


def as_dict(value: Any) -> Any:
    """A ``frozen`` value as nested dicts of its fields (tuples stay tuples), for JSON."""
    fields = getattr(type(value), "__fields__", None)
    if fields is not None and not isinstance(value, type):
        return {name: as_dict(getattr(value, name)) for name in fields}
    if isinstance(value, tuple):
        return tuple(as_dict(item) for item in value)
    return value


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
