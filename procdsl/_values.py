"""``frozen``: immutable, slotted value classes without the cost of ``dataclasses``.

Type checkers read ``@frozen`` as a frozen dataclass (``dataclass_transform``).
At run time it adds ``__init__`` (unless the class writes its own; a class-level
value is a field's default), ``__eq__``,
``__hash__``, ``__repr__``, pickling and a ``__setattr__`` that refuses
changes, all from the class's annotated fields (``__init__`` is generated on
first use, see ``procdsl._codegen``), and no ``import dataclasses`` (which pulls in ``inspect``) when
procdsl is imported. They are not ``dataclasses`` to the standard library:
``dataclasses.replace`` and ``fields`` do not apply; build a new value instead.
"""

from __future__ import annotations

from types import MemberDescriptorType
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


def _default(cls: type, name: str) -> Any:
    """The class-level value of field ``name``, if any (a slot's descriptor is none)."""
    for klass in cls.__mro__:
        if name in vars(klass):
            value = vars(klass)[name]
            return _NO_DEFAULT if isinstance(value, MemberDescriptorType) else value
    return _NO_DEFAULT


def _make_init(cls: type, fields: Tuple[str, ...]) -> Callable[..., None]:
    """A stub that generates ``cls.__init__(self, <fields>)`` on first use (``procdsl._codegen``).

    A class-level value is the field's default (classes without ``__slots__`` only).
    """
    defaults = {name: _default(cls, name) for name in fields}

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        from ._codegen import compile_method

        namespace: Dict[str, Any] = {"_set": object.__setattr__, "_NO_DEFAULT": _NO_DEFAULT}
        lines = [f"def {cls.__name__}(self, {', '.join(f'{name}=_d_{name}' for name in fields)}):"]
        for name in fields:
            namespace[f"_d_{name}"] = defaults[name]
            if defaults[name] is _NO_DEFAULT:
                lines.append(f"    if {name} is _NO_DEFAULT:")
                lines.append(
                    f"        raise TypeError({cls.__name__ + '() missing required argument ' + repr(name)!r})"
                )
            lines.append(f"    _set(self, {name!r}, {name})")
        # Slots that are not fields (caches such as a stage's ``_wire``) start as None.
        spare = [slot for k in cls.__mro__ for slot in vars(k).get("__slots__", ()) if slot not in fields]
        lines += [f"    _set(self, {name!r}, None)" for name in spare]
        if hasattr(cls, "__post_init__"):
            lines.append("    self.__post_init__()")
        init = compile_method(cls, "__init__", "\n".join(lines) + "\n", namespace, function=cls.__name__, lines=False)
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
