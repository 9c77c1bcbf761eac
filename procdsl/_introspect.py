"""Run-time signatures and help for the builders, derived from the ``param()`` declarations.

``Doc.convert``, ``Image.resize`` and ``pipeline.rotate`` are ``Builder`` objects: calling one
builds the operation and wraps it in its stage. Their ``__signature__`` and ``__doc__`` (what
``inspect.signature``, ``help()``, IPython and editors show) are computed on first use from the
operation class, the one place its parameters are written, so ``import procdsl`` does not pay
for them and never imports ``inspect``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Generic, List, Optional, Type, TypeVar

from ._compat import ParamSpec

if TYPE_CHECKING:
    import inspect

    from ._declare import Operation

__all__ = ["Builder", "operation_doc", "operation_signature", "param_line"]

P = ParamSpec("P")
R = TypeVar("R")

_EXTRA_DOC = "extra: unknown key_value parameters, kept as (key, value) pairs and written last."


class Builder(Generic[P, R]):
    """Builds one operation from its parameters and wraps it in a stage (``wrap``).

    Behaves as a function for ``help()`` and ``inspect``: it has a name, a signature and a
    docstring, all from the operation's declaration.
    """

    __slots__ = ("__name__", "__qualname__", "_doc", "_signature", "op", "returns", "wrap")

    def __init__(self, op: Callable[P, Any], wrap: Callable[[Any], R], returns: type, qualname: str = "") -> None:
        self.op = op
        self.wrap = wrap
        self.returns = returns
        self.__name__ = getattr(op, "action", "") or getattr(op, "__name__", "build")
        self.__qualname__ = qualname or self.__name__
        self._signature: Any = None
        self._doc: Optional[str] = None

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.wrap(self.op(*args, **kwargs))

    def __set_name__(self, owner: type, name: str) -> None:
        self.__name__ = name
        self.__qualname__ = f"{owner.__name__}.{name}"

    def __get__(self, obj: object, owner: Any = None) -> Builder[P, R]:
        # Present as a plain function on its namespace class (``Doc.convert``); defining
        # __get__ also makes pydoc show the signature in ``help()``.
        return self

    @property
    def __signature__(self) -> inspect.Signature:
        if self._signature is None:
            self._signature = operation_signature(_operation_class(self.op), returns=self.returns)
        return self._signature  # type: ignore[no-any-return]

    @property
    def __doc__(self) -> str:  # type: ignore[override]  # pyright: ignore[reportIncompatibleVariableOverride]
        if self._doc is None:
            self._doc = operation_doc(_operation_class(self.op))
        return self._doc

    def __repr__(self) -> str:
        return f"<procdsl builder {self.__qualname__}>"


def _operation_class(op: Callable[..., Any]) -> Type[Operation]:
    # Duck-typed: importing _declare here would make a cycle (it imports this module for
    # Operation.__signature__).
    assert isinstance(op, type) and hasattr(op, "__params__")
    return op


_HINTS: Dict[type, Dict[str, Any]] = {}


def _hints(cls: type) -> Dict[str, Any]:
    """The class's field annotations, evaluated in their modules where possible (else the text)."""
    hints = _HINTS.get(cls)
    if hints is None:
        import contextlib
        import sys

        hints = {}
        for klass in reversed(cls.__mro__):
            module = sys.modules.get(klass.__module__)
            scope = vars(module) if module is not None else {}
            for name, annotation in vars(klass).get("__annotations__", {}).items():
                if isinstance(annotation, str):
                    # What typing.get_type_hints does, one name at a time; newer syntax
                    # on an older Python stays text.
                    with contextlib.suppress(Exception):
                        annotation = eval(annotation, scope)
                hints[name] = annotation
        _HINTS[cls] = hints
    return hints


def operation_signature(
    cls: Type[Operation], *, returns: Any = None, self_parameter: bool = False
) -> inspect.Signature:
    """``cls``'s constructor signature: bare positional values first, the rest keyword-only
    in declared (wire) order, ``extra`` keyword-only and last."""
    import inspect

    hints = _hints(cls)
    Parameter = inspect.Parameter
    positional: List[inspect.Parameter] = []
    keyword: List[inspect.Parameter] = []
    if self_parameter:
        positional.append(Parameter("self", Parameter.POSITIONAL_ONLY))
    for p in cls.__params__:
        default = Parameter.empty if p.required else p.default
        kind = Parameter.KEYWORD_ONLY if p.kw_only else Parameter.POSITIONAL_OR_KEYWORD
        target = keyword if p.kw_only else positional
        target.append(Parameter(p.name, kind, default=default, annotation=hints.get(p.name, Parameter.empty)))
    keyword.append(Parameter("extra", Parameter.KEYWORD_ONLY, default=(), annotation=hints.get("extra")))
    return_annotation = Parameter.empty if returns is None else returns
    return inspect.Signature(positional + keyword, return_annotation=return_annotation)


def param_line(cls: Type[Operation], name: str) -> str:
    """``name (key): allowed values; default. doc`` for one declared parameter."""
    p = cls.param(name)
    key = "positional" if p.key is None else f"wire key {p.key}"
    facts = [p.codec.describe()]
    if p.required:
        facts.append("required")
    elif p.server_default is not None:
        facts.append(f"OSS default {p.server_default}")
    text = f"{p.name} ({key}): " + "; ".join(facts) + "."
    if p.doc:
        text += " " + p.doc.strip()
    if p.note:
        text += f" Note: {p.note.strip()}"
    return text


def operation_doc(cls: Type[Operation]) -> str:
    """The operation's docstring, then its wire name, each parameter and its rules."""
    import inspect
    import textwrap

    summary = inspect.cleandoc(vars(cls).get("__doc__") or "")
    lines = [summary, ""] if summary else []
    lines.append(f"Wire: {cls.wire_name()} ({cls.processing}).")
    if cls.doc_url:
        lines.append(f"OSS documentation: {cls.doc_url}")
    lines += ["", "Parameters:"]
    for p in cls.__params__:
        lines.append(
            textwrap.fill(
                param_line(cls, p.name),
                96,
                initial_indent="    ",
                subsequent_indent="        ",
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    lines.append("    " + _EXTRA_DOC)
    if cls.rules:
        lines += ["", "Rules:"] + [f"    {rule.text}" for rule in cls.rules]
    return "\n".join(lines)
