"""Operations are declared once, as classes; this module turns declarations into values.

An operation class lists its parameters in wire order with ``param()``::

    class Convert(Operation):
        family: ClassVar[str] = "doc"
        action: ClassVar[str] = "convert"
        to: DocTarget = param("target", Choice(DocTarget))
        src: Optional[DocSource] = param("source", Choice(DocSource), default=None)

From that one declaration the metaclass derives a keyword-only ``__init__`` that
validates every value, ``__eq__``/``__hash__``, ``__repr__``, pickling, the wire
writer and reader, ``explain``, the docs reference, the JSON spec and the
hypothesis strategies. Instances are immutable and slotted.

Order. A built operation writes its parameters in declared order, whatever
the keyword order, so one value always gives one string (stable URLs and cache
keys). A parsed operation remembers the order it was written in and writes it
back so: OSS reads parameters in any order (its media pages say they apply in
the order written), and every string with known keys round-trips byte for byte.
Equality and hashing ignore order. ``canonical()`` gives the declared order.
"""

from __future__ import annotations

import re
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    ClassVar,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    Type,
    TypeVar,
    cast,
)

from ._codecs import Codec, CodecError, decoded_note, shown
from ._compat import Literal, Self, dataclass_transform
from ._grammar import is_key, split_key
from ._values import frozen
from .errors import ProcessSyntaxError, ProcessValueError

__all__ = [
    "MessageTask",
    "ObjectTask",
    "Operation",
    "Param",
    "Processing",
    "Rule",
    "Section",
    "SectionCodec",
    "Sections",
    "SubSection",
    "all_operations",
    "at_least_one",
    "canonical_value",
    "exclusive",
    "is_family",
    "known_families",
    "lookup",
    "param",
    "requires",
    "scratch_registry",
    "section",
    "sections",
]

Processing = Literal["sync", "async"]
T = TypeVar("T")
_MISSING: Any = object()


@frozen
class Param:
    """One parameter's wire metadata, made by ``param()``; ``name`` is filled in by the metaclass."""

    __slots__ = ("codec", "default", "doc", "key", "kw_only", "name", "note", "server_default")
    key: Optional[str]
    codec: Codec[Any]
    default: Any
    doc: str
    #: Documented server-side default, shown by ``explain`` and the docs (not sent).
    server_default: Optional[str]
    #: A note on what is settled or uncertain, naming the doc page.
    note: str
    kw_only: bool
    name: str

    def _named(self, name: str) -> Param:
        return Param(self.key, self.codec, self.default, self.doc, self.server_default, self.note, self.kw_only, name)

    @property
    def positional(self) -> bool:
        """True for a bare wire value with no ``key_`` (``rotate,90``)."""
        return self.key is None

    @property
    def required(self) -> bool:
        return self.default is _MISSING

    @property
    def label(self) -> str:
        """``name (key)`` for messages."""
        return self.name if self.key is None or self.key == self.name else f"{self.name} ({self.key})"


def param(
    key: Optional[str],
    codec: Codec[Any],
    *,
    default: Any = _MISSING,
    doc: str = "",
    server_default: Optional[str] = None,
    note: str = "",
    kw_only: bool = True,
) -> Any:
    """Declare a parameter: wire key (``None`` for a bare positional value) and codec.

    Give ``default=None`` for an optional parameter; leave it out for a required one.
    """
    return Param(key, codec, default, doc, server_default, note, kw_only, "")


@frozen
class Rule:
    """A rule between parameters, checked at construction and described in docs.

    ``inline`` is the same test as a Python expression template over ``{name}``
    fields, for generated constructors (``procdsl._codegen``), which fill in the
    local variable of each parameter; ``None`` when only ``check`` can say it.
    """

    __slots__ = ("check", "inline", "text")
    text: str
    #: True when the values (``name -> value``, unset ones absent or None) keep the rule.
    check: Callable[[Mapping[str, Any]], bool]
    inline: Optional[str]

    def holds(self, values: Mapping[str, Any]) -> bool:
        return self.check(values)

    def __repr__(self) -> str:
        return f"Rule({self.text!r})"


def at_least_one(*names: str) -> Rule:
    return Rule(
        "at least one of " + ", ".join(names) + " is required",
        lambda v: any(v.get(n) is not None for n in names),
        "(" + " or ".join(f"{{{n}}} is not None" for n in names) + ")",
    )


def exclusive(*names: str) -> Rule:
    return Rule(
        "at most one of " + ", ".join(names) + " may be given",
        lambda v: sum(v.get(n) is not None for n in names) <= 1,
        "(" + " + ".join(f"({{{n}}} is not None)" for n in names) + " <= 1)",
    )


def requires(name: str, other: str, *values: Any) -> Rule:
    """``name`` may only be given with ``other`` (set, or set to one of ``values``)."""
    if values:
        shown = " or ".join(repr(x) for x in values)
        text = f"{name} is only allowed when {other} is {shown}"
        inline = f"({{{name}}} is None or {{{other}}} in {values!r})" if all(type(x) is str for x in values) else None
        return Rule(text, lambda v: v.get(name) is None or v.get(other) in values, inline)
    return Rule(
        f"{name} is only allowed together with {other}",
        lambda v: v.get(name) is None or v.get(other) is not None,
        f"({{{name}}} is None or {{{other}}} is not None)",
    )


# -- sections ---------------------------------------------------------------------------------
# Some operations own the ``/name,k_v,…`` segments that follow them: ``video/concat`` its
# ``/pre,…`` and ``/sur,…`` clips, ``doc/preview`` its ``/watermark,…``. Such a segment is a
# ``Section`` (an unregistered operation); the owner declares a field with ``sections()`` or
# ``section()``, and ``Operation`` writes those fields as segments and reads them back.


class SectionCodec(Codec[T]):
    """Base of the codecs of section fields: written as segments, never as ``key_value``."""

    #: The section classes by segment name (``{"pre": Pre, "sur": Sur}``).
    types: Dict[str, Type[Section]]

    def decode(self, text: str) -> T:
        raise CodecError(f"is written as /{'/'.join(self.types)} segments after the parameters")

    def collect(self, items: Sequence[Section]) -> T:
        """The field's value from the sections read, in written order."""
        raise NotImplementedError


class Sections(SectionCodec[Tuple["Section", ...]]):
    """An ordered tuple of sections (concat ``/pre`` and ``/sur`` clips), kept as written."""

    kind = "sections"

    def __init__(self, *types: Type[Section], min_items: int, max_items: int) -> None:
        self.types = {t.action: t for t in types}
        self.min_items, self.max_items = min_items, max_items

    def check(self, value: object) -> Tuple[Section, ...]:
        if not isinstance(value, (tuple, list)):
            raise CodecError(f"must be a tuple ({self.describe()})")
        items = tuple(value)
        for item in items:
            if type(item) not in self.types.values():
                raise CodecError(f"must hold only {', '.join(t.__name__ for t in self.types.values())} values")
        if not self.min_items <= len(items) <= self.max_items:
            raise CodecError(f"must be {self.describe()}")
        return items

    def encode(self, value: Tuple[Section, ...]) -> str:
        return "/".join(item.to_wire() for item in value)

    def collect(self, items: Sequence[Section]) -> Tuple[Section, ...]:
        return self.check(tuple(items))

    def describe(self) -> str:
        names = " and ".join(f"/{name}" for name in self.types)
        return f"{self.min_items} to {self.max_items} {names} segments, in order"

    def spec(self) -> Dict[str, Any]:
        return {
            "type": "sections",
            "min": self.min_items,
            "max": self.max_items,
            "segments": {name: _section_spec(t) for name, t in self.types.items()},
        }


class SubSection(SectionCodec["Section"]):
    """At most one section of one type (``/watermark`` of ``doc/preview``)."""

    kind = "section"

    def __init__(self, type_: Type[Section]) -> None:
        self.type = type_
        self.types = {type_.action: type_}

    def check(self, value: object) -> Section:
        if type(value) is not self.type:
            raise CodecError(f"must be a {self.type.__name__} value")
        assert isinstance(value, Section)
        return value

    def encode(self, value: Section) -> str:
        return value.to_wire()

    def collect(self, items: Sequence[Section]) -> Section:
        if len(items) > 1:
            raise CodecError(f"may appear once; got {len(items)} /{self.type.action} segments")
        return self.check(items[0])

    def describe(self) -> str:
        return f"one /{self.type.action} segment"

    def spec(self) -> Dict[str, Any]:
        return {"type": "section", "segment": {self.type.action: _section_spec(self.type)}}


def _section_spec(cls: Type[Section]) -> Dict[str, Any]:
    return {"class": cls.__name__, "params": {p.key: p.codec.spec() for p in cls.__params__}}


def sections(
    *types: Type[Section], min_items: int, max_items: int, default: Any = _MISSING, doc: str = "", note: str = ""
) -> Any:
    """Declare a field of ``/name,…`` segments of the given ``Section`` types, kept in written order."""
    return Param(None, Sections(*types, min_items=min_items, max_items=max_items), default, doc, None, note, True, "")


def section(type_: Type[Section], *, default: Any = _MISSING, doc: str = "", note: str = "") -> Any:
    """Declare a field of at most one ``/name,…`` segment of the ``Section`` type ``type_``."""
    return Param(None, SubSection(type_), default, doc, None, note, True, "")


_REGISTRY: Dict[Tuple[str, str], Type[Operation]] = {}
_FAMILIES: Set[str] = set()


def lookup(family: str, action: str) -> Optional[Type[Operation]]:
    """The operation class registered for ``family/action``, if any."""
    return _REGISTRY.get((family, action))


def known_families() -> FrozenSet[str]:
    """The families that have at least one registered operation."""
    return frozenset(_FAMILIES)


def is_family(name: str) -> bool:
    """True when some operation is registered under family ``name``."""
    return name in _FAMILIES


def all_operations() -> Sequence[Type[Operation]]:
    """Every registered operation class, in registration order.

    The package root imports the whole catalogue (``procdsl._operations``), so
    every operation is registered once ``procdsl`` is imported.
    """
    return tuple(_REGISTRY.values())


def _register(cls: Type[Operation]) -> None:
    """Register ``cls`` under ``family/action``; a second class for the same name is an error."""
    name = (cls.family, cls.action)
    old = _REGISTRY.get(name)
    if old is not None and (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
        raise TypeError(
            f"{cls.family}/{cls.action} is declared twice: by {old.__module__}.{old.__qualname__} and by "
            f"{cls.__module__}.{cls.__qualname__}; give one of them another action (or family)"
        )
    _REGISTRY[name] = cls
    _FAMILIES.add(cls.family)


class scratch_registry:
    """``with scratch_registry(): ...``: operations declared inside are forgotten on exit.

    For tests that declare throwaway (even deliberately wrong) operation classes.
    """

    def __enter__(self) -> None:
        self._saved = dict(_REGISTRY), set(_FAMILIES)

    def __exit__(self, *exc: object) -> None:
        registry, families = self._saved
        _REGISTRY.clear()
        _REGISTRY.update(registry)
        _FAMILIES.clear()
        _FAMILIES.update(families)


def _required_error(op: Operation, p: Param) -> ProcessValueError:
    return ProcessValueError(
        f"{op._where()}: {p.label} is required ({p.codec.describe()})", param=p.label, allowed=p.codec.describe()
    )


def _broken(op: Operation, rule: Rule) -> ProcessValueError:
    shown = {name: getattr(op, name) for name in op._order}
    return ProcessValueError(f"{op._where()}: {rule.text}; got {shown}", allowed=rule.text)


def _generated_or_absent(method: Any) -> bool:
    return method is None or method is object.__init__ or getattr(method, "_procdsl_generated", False)


def _lazy(cls: type, method: str) -> Callable[..., Any]:
    """A stub for ``cls.<method>`` that generates the real method on first call and installs it."""

    def stub(self: Any, *args: Any, **kwargs: Any) -> Any:
        from . import _codegen

        op_cls = cast(Type[Operation], cls)
        real: Callable[..., Any]
        if method == "__init__":
            real = _codegen.generated_init(
                op_cls,
                {
                    "_MISSING": _MISSING,
                    "_check": _check,
                    "_check_extra": _check_extra,
                    "_required": _required_error,
                    "_broken": _broken,
                },
            )
        elif op_cls._sections:  # /section segments: Operation's general writers
            real = vars(Operation)[method]
        elif method == "wire_params":
            real = _codegen.generated_wire_params(op_cls)
        else:
            real = _codegen.generated_to_wire(op_cls)
        type.__setattr__(cls, method, real)
        return real(self, *args, **kwargs)

    stub.__name__ = method
    stub._procdsl_generated = True  # type: ignore[attr-defined]
    return stub


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(param, sections, section))
class OperationMeta(type):
    """Collects ``param()`` declarations into ``__params__`` and makes the class slotted."""

    def __new__(mcls, name: str, bases: Tuple[type, ...], ns: Dict[str, Any], **kw: Any) -> OperationMeta:
        own = []
        for attr, value in list(ns.items()):
            if isinstance(value, Param):
                own.append(value._named(attr))
                del ns[attr]
        inherited: Tuple[Param, ...] = ()
        for base in bases:
            inherited = getattr(base, "__params__", ()) or inherited
        params = inherited + tuple(own)
        slots = tuple(ns.get("__slots__", ()))
        for slot in slots:  # a class-level default for a slot would clash with the slot
            ns.pop(slot, None)
        ns["__slots__"] = slots + tuple(p.name for p in own)
        ns["__params__"] = params
        # Lookup tables, computed once per class so construction and writing stay cheap.
        ns["_by_name"] = {p.name: p for p in params}
        ns["_by_key"] = {p.key: p for p in params if p.key is not None}
        segmented = tuple(p for p in params if isinstance(p.codec, SectionCodec))
        ns["_positional"] = tuple(p for p in params if not p.kw_only)
        ns["_bare"] = tuple(p for p in params if p.key is None and p not in segmented)
        ns["_sections"] = segmented
        ns["_section_names"] = frozenset(p.name for p in segmented)
        ns["_segment_owners"] = {name: p for p in segmented for name in p.codec.types}  # type: ignore[attr-defined]
        ns["subsections"] = frozenset(ns["_segment_owners"])
        ns["_required"] = tuple(p for p in params if p.default is _MISSING)
        ns["_index"] = {p.name: i for i, p in enumerate(params)}
        cls = super().__new__(mcls, name, bases, ns, **kw)
        # Skip the rule check for classes with no rules and no _validate of their own.
        checks = bool(ns.get("rules") or getattr(cls, "rules", ())) or any(
            "_validate" in vars(k) for k in cls.__mro__[:-2]
        )
        type.__setattr__(cls, "_checks", checks)
        # Generated methods (procdsl._codegen), made on first use: each class gets its own
        # stub unless it, or a base, writes the method by hand.
        for method, writes in (("__init__", ()), ("wire_params", ()), ("to_wire", ("wire_params",))):
            if all(
                name not in ns and all(_generated_or_absent(getattr(b, name, None)) for b in bases)
                for name in (method, *writes)
            ):
                type.__setattr__(cls, method, _lazy(cls, method))
        # A class that names its own action is registered under its (possibly inherited)
        # family; one with no family is an error unless it is a Section. Bases without an
        # action (the task bases) and subclasses that keep their parent's (WatermarkResize)
        # are not registered.
        if ns.get("action"):
            if getattr(cls, "family", ""):
                _register(cls)  # type: ignore[arg-type]
            elif not getattr(cls, "_is_section", False):
                raise TypeError(
                    f"{cls.__module__}.{cls.__qualname__} declares action {ns['action']!r} but no family; "
                    "set family (or derive from Section for a /segment of another operation)"
                )
        return cls

    @property
    def __signature__(cls) -> Any:
        """``inspect.signature(Resize)``: from the declarations, built on first use (no ``inspect`` at import)."""
        from ._introspect import operation_signature

        return operation_signature(cls)  # type: ignore[arg-type]


class Operation(metaclass=OperationMeta):
    """Base class of every operation: a frozen value declared by its ``param()`` fields."""

    __params__: ClassVar[Tuple[Param, ...]] = ()
    family: ClassVar[str] = ""
    action: ClassVar[str] = ""
    #: ``sync`` runs under ``x-oss-process``; ``async`` under ``x-oss-async-process``.
    processing: ClassVar[Processing] = "sync"
    #: The OSS documentation page this definition follows.
    doc_url: ClassVar[str] = ""
    rules: ClassVar[Tuple[Rule, ...]] = ()
    #: True for an async operation whose result arrives only in the notify message
    #: (``image/deblindwatermark``): it is sent with ``sys/notify`` and no save-as.
    result_via_notify: ClassVar[bool] = False
    #: Names of the ``/name,…`` segments that belong to this operation (``pre``/``sur``
    #: clips of ``video/concat``), from its ``sections()``/``section()`` fields; the
    #: parser hands them to ``from_segments``.
    subsections: ClassVar[FrozenSet[str]] = frozenset()
    #: Unknown ``key_value`` parameters kept by lenient parsing (written last).
    extra: Tuple[Tuple[str, str], ...] = ()
    _written: ClassVar[Optional[Tuple[str, ...]]]  # an instance slot; ClassVar keeps it out of __init__
    _by_name: ClassVar[Dict[str, Param]] = {}
    _by_key: ClassVar[Dict[str, Param]] = {}
    _positional: ClassVar[Tuple[Param, ...]] = ()
    _bare: ClassVar[Tuple[Param, ...]] = ()
    _sections: ClassVar[Tuple[Param, ...]] = ()
    _section_names: ClassVar[FrozenSet[str]] = frozenset()
    _segment_owners: ClassVar[Dict[str, Param]] = {}
    _required: ClassVar[Tuple[Param, ...]] = ()
    _index: ClassVar[Dict[str, int]] = {}
    _checks: ClassVar[bool] = False

    # ``_written``: the parameter names in the order a parsed value was written, or
    # None for a built value, which is written in declared order (see ``_order``).
    __slots__ = ("_written", "extra")

    # __init__ (type checkers synthesise it from the param() fields) and wire_params are
    # generated per class from the declarations: see procdsl._codegen.

    @classmethod
    def _trusted(cls, values: Dict[str, Any], extra: Tuple[Tuple[str, str], ...] = ()) -> Self:
        """Build from values a codec's ``decode`` already checked, keeping their order.

        The parser's path: it skips the second per-value check but still runs the rules.
        """
        self = cls.__new__(cls)
        setattr_ = object.__setattr__
        for p in cls._required:
            if values.get(p.name) is None:
                raise _required_error(self, p)
        for p in cls.__params__:
            setattr_(self, p.name, values.get(p.name))
        setattr_(self, "_written", tuple(values))
        setattr_(self, "extra", extra)
        if cls._checks:
            self._validate()
        return self

    def _with_order(self, order: Sequence[str]) -> Self:
        """This value, to be written in ``order`` (names of set parameters); for parsers."""
        setattr_ = object.__setattr__
        setattr_(self, "_written", tuple(order))
        return self

    @property
    def _order(self) -> Tuple[str, ...]:
        """The names of the set parameters, in the order they are written."""
        written = self._written
        if written is not None:
            return written
        return tuple(p.name for p in self.__params__ if getattr(self, p.name) is not None)

    # -- identity -------------------------------------------------------------------------
    def _values(self) -> Tuple[Any, ...]:
        return tuple(getattr(self, p.name) for p in self.__params__)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Operation)
        return self._values() == other._values() and sorted(self.extra) == sorted(other.extra)

    def __hash__(self) -> int:
        return hash((type(self), self._values(), tuple(sorted(self.extra))))

    if not TYPE_CHECKING:  # hidden so that type checkers report assignments as errors (frozen)

        def __setattr__(self, name: str, value: object) -> None:
            raise AttributeError(f"{type(self).__name__} is immutable; use .replace()")

        def __delattr__(self, name: str) -> None:
            raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        parts = [f"{name}={getattr(self, name)!r}" for name in self._order]
        if self.extra:
            parts.append(f"extra={self.extra!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.items(), self.extra, self._order))

    def __str__(self) -> str:
        return self.to_wire()

    # -- access ---------------------------------------------------------------------------
    def items(self) -> Tuple[Tuple[str, Any], ...]:
        """``(name, value)`` for every parameter that is set, in written order."""
        return tuple((name, getattr(self, name)) for name in self._order)

    def replace(self, **changes: Any) -> Self:
        """A copy with some parameters changed (``None`` removes one); validates again."""
        values = dict(self.items())
        values.update(changes)
        return type(self)(**{k: v for k, v in values.items() if v is not None}, extra=self.extra)

    def canonical(self) -> Self:
        """The same operation with its parameters (and nested ones) in declared order."""
        values = {p.name: canonical_value(getattr(self, p.name)) for p in self.__params__}
        return type(self)(**{k: v for k, v in values.items() if v is not None}, extra=self.extra)

    @classmethod
    def param(cls, name: str) -> Param:
        """The declaration of parameter ``name``."""
        for p in cls.__params__:
            if p.name == name:
                return p
        raise KeyError(name)

    @classmethod
    def wire_name(cls) -> str:
        return f"{cls.family}/{cls.action}"

    # -- validation hooks -----------------------------------------------------------------
    def save_key_warning(self, key: str) -> Optional[str]:
        """Why saving this operation's output to ``key`` loses data, if it does.

        Operations that write several objects override this (``{index}`` missing).
        """
        return None

    def _where(self) -> str:
        return type(self).wire_name()

    def _validate(self) -> None:
        """Check the cross-parameter ``rules``; subclasses extend it for what rules cannot say."""
        if not self.rules:
            return
        values = {name: getattr(self, name) for name in self._order}
        for rule in self.rules:
            if not rule.holds(values):
                raise _broken(self, rule)

    # -- wire -----------------------------------------------------------------------------
    def wire_params(self) -> Iterable[str]:
        """Each parameter as written on the wire (``w_100`` or a bare ``90``)."""
        by_name = self._by_name
        segments = self._section_names
        out = []
        for name in self._order:
            if name in segments:
                continue  # written after the parameters, by to_wire
            p = by_name[name]
            text = p.codec.encode(getattr(self, name))
            out.append(text if p.key is None else f"{p.key}_{text}")
        out.extend(f"{key}_{value}" for key, value in self.extra)
        return out

    # Both writers are the general case (sections included); a class without sections
    # gets specialised ones generated from its declarations (procdsl._codegen).
    wire_params._procdsl_generated = True  # type: ignore[attr-defined]

    def to_wire(self, *, with_family: bool = True) -> str:
        """This operation as ``family/action,params`` (or ``action,params``), then its sections."""
        head = self.wire_name() if with_family else self.action
        text = ",".join((head, *self.wire_params()))
        for p in self._sections:
            value = getattr(self, p.name)
            if value:
                text += "/" + p.codec.encode(value)
        return text

    to_wire._procdsl_generated = True  # type: ignore[attr-defined]  # replaced per class

    @classmethod
    def from_segments(
        cls, tokens: Sequence[Any], subsegments: Sequence[Any], *, strict: bool, source: Optional[str] = None
    ) -> Self:
        """Build from this operation's tokens and the segments of its ``subsections``.

        Only operations with ``sections()``/``section()`` fields get non-empty ``subsegments``.
        """
        if not subsegments:
            return cls.from_tokens(tokens, strict=strict, source=source)
        values, extra = cls._read_tokens(tokens, strict, source)
        position = tokens[0].position if tokens else subsegments[0].name.position
        found: Dict[str, List[Section]] = {}
        for segment in subsegments:
            name = segment.name.text
            p = cls._segment_owners[name]
            section_cls = p.codec.types[name]  # type: ignore[attr-defined]
            found.setdefault(p.name, []).append(section_cls.from_tokens(segment.params, strict=strict, source=source))
        for name, items in found.items():
            p = cls._by_name[name]
            try:
                values[name] = p.codec.collect(items)  # type: ignore[attr-defined]
            except CodecError as exc:
                raise ProcessSyntaxError(
                    f"{cls.wire_name()}: {p.label} {exc}", source=source, position=position
                ) from None
        return cls._parsed(values, extra, source, position)

    @classmethod
    def from_tokens(cls, tokens: Sequence[Any], *, strict: bool, source: Optional[str] = None) -> Self:
        """Build from parameter tokens (``grammar.Token``) of one segment."""
        values, extra = cls._read_tokens(tokens, strict, source)
        return cls._parsed(values, extra, source, tokens[0].position if tokens else None)

    @classmethod
    def _parsed(
        cls, values: Dict[str, Any], extra: Tuple[Tuple[str, str], ...], source: Optional[str], position: Optional[int]
    ) -> Self:
        try:
            return cls._trusted(values, extra)  # keeps the written order
        except ProcessValueError as exc:
            if exc.position is None and position is not None:
                exc.source, exc.position = source, position
            raise

    @classmethod
    def _read_tokens(
        cls, tokens: Sequence[Any], strict: bool, source: Optional[str]
    ) -> Tuple[Dict[str, Any], Tuple[Tuple[str, str], ...]]:
        """The decoded values (in written order) and the unknown parameters of one segment."""
        by_key = cls._by_key
        bare = cls._bare
        keyed = bool(by_key) or not bare
        values: Dict[str, Any] = {}
        written: Dict[str, int] = {}  # parameter name -> position of its token
        extra: List[Tuple[str, str]] = []
        for token in tokens:
            key, _, value = token[0].partition("_")
            if key in by_key and value:  # the common case: a known key
                value_pos = token[1] + len(key) + 1
            else:
                key, value, value_pos = split_key(token, keyed=keyed, source=source)
            if key is None:
                if not bare or bare[0].name in values:
                    raise ProcessSyntaxError(
                        f"{cls.wire_name()}: unexpected bare value {token.text!r}",
                        source=source,
                        position=token.position,
                    )
                p = bare[0]
            elif key in by_key:
                p = by_key[key]
            elif strict:
                known = ", ".join(sorted(by_key)) or "none"
                raise ProcessSyntaxError(
                    f"{cls.wire_name()}: unknown parameter {key!r} (known: {known})",
                    source=source,
                    position=token.position,
                )
            else:
                extra.append((key, value))
                continue
            try:
                decoded = p.codec.decode(value)
            except CodecError as exc:
                raise ProcessValueError(
                    f"{cls.wire_name()}: {p.label} {exc}; got {shown(value)}{decoded_note(p.codec, value)}",
                    param=p.label,
                    value=value,
                    allowed=p.codec.describe(),
                    source=source,
                    position=value_pos,
                ) from None
            if p.name in written and strict:
                # No page says which of two values OSS uses, so strict parsing refuses a repeat.
                first = written[p.name]
                raise ProcessSyntaxError(
                    f"{cls.wire_name()}: {p.label} is given twice, at columns {first + 1} and "
                    f"{token.position + 1}; keep one",
                    source=source,
                    position=token.position,
                )
            values.pop(p.name, None)  # lenient: a repeated key, the last one wins (the string keeps both)
            values[p.name] = decoded
            written[p.name] = token.position
        return values, tuple(extra)


class Section(Operation):
    """A ``/name,k_v,…`` segment that belongs to the operation before it (never registered).

    Declare its ``action`` and parameters like an operation's; the owner holds it in a
    ``sections()`` or ``section()`` field.
    """

    _is_section: ClassVar[bool] = True

    def to_wire(self, *, with_family: bool = False) -> str:
        return ",".join((self.action, *self.wire_params()))

    @classmethod
    def wire_name(cls) -> str:
        return f"/{cls.action}"


class ObjectTask(Operation):
    """Base of the asynchronous operations that write objects: they need a save-as.

    Typing ``AsyncOperation`` and ``AsyncJob`` with it lets the type checker refuse a
    synchronous operation there.
    """

    processing: ClassVar[Processing] = "async"


class MessageTask(Operation):
    """Base of the asynchronous operations whose result is only the notify message
    (``image/deblindwatermark``): sent with ``sys/notify`` and no save-as."""

    processing: ClassVar[Processing] = "async"
    result_via_notify: ClassVar[bool] = True


# What the tokenizer can produce for a value: no separators, '%', '@' or white space; it may be
# empty (``k_`` kept by lenient parsing).
_EXTRA_VALUE = re.compile(r"[^,/|%@\s]*")


def _check_extra(cls: Type[Operation], extra: Any) -> Tuple[Tuple[str, str], ...]:
    """Unknown parameters given by hand: well-formed, not a declared key, no separators."""
    pairs: list[Tuple[str, str]] = []
    if not isinstance(extra, (tuple, list)):
        raise ProcessValueError(f"{cls.wire_name()}: extra must be a tuple of (key, value) pairs; got {shown(extra)}")
    for item in extra:
        if not (isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item)):
            raise ProcessValueError(f"{cls.wire_name()}: extra must hold (key, value) string pairs; got {shown(item)}")
        key, value = item
        if not is_key(key) or key in cls._by_key:
            raise ProcessValueError(
                f"{cls.wire_name()}: extra key {key!r} must be a letter then letters or digits, and not a known key",
                param="extra",
                value=key,
            )
        if not _EXTRA_VALUE.fullmatch(value) or not value.isprintable() or not value.isascii():
            raise ProcessValueError(
                f"{cls.wire_name()}: extra value for {key!r} must be printable ASCII, without , / | % @ or spaces",
                param="extra",
                value=value,
            )
        pairs.append((key, value))
    return tuple(pairs)


def canonical_value(value: Any) -> Any:
    """``value`` with everything in it that has a declared order put in that order."""
    if isinstance(value, tuple):
        return tuple(canonical_value(item) for item in value)
    normalise = getattr(value, "canonical", None)
    return normalise() if callable(normalise) else value


def _check(op: Operation, p: Param, value: Any) -> Any:
    try:
        return p.codec.check(value)
    except CodecError as exc:
        raise ProcessValueError(
            f"{op._where()}: {p.label} {exc}; got {shown(value)}",
            param=p.label,
            value=value,
            allowed=p.codec.describe(),
        ) from None


_O = TypeVar("_O", bound=Operation)


def _rebuild(
    cls: Type[_O], items: Tuple[Tuple[str, Any], ...], extra: Tuple[Tuple[str, str], ...], order: Tuple[str, ...] = ()
) -> _O:
    op = cls(**dict(items), extra=extra)
    return op._with_order(order) if order else op  # a copy writes what the original wrote
