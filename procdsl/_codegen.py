"""Per-class ``__init__`` and writer, generated from the ``param()`` declarations.

A generic constructor that walks the declared parameters costs several times
what a hand-written one does, and every fluent call pays it. So each operation
class gets its own ``__init__`` and ``wire_params``, written out as Python
source from its declarations (the attrs approach): the parameters become real
arguments, each codec contributes an inline test for the common valid value
(``w.__class__ is int and 1 <= w <= 16384``) and the codec itself is called only
when that test fails, so errors and messages are the codec's, unchanged.

Generation is lazy: the metaclass gives every class a stub that generates the
real method on first use and installs it on that class, so ``import procdsl``
pays nothing. The source is registered with ``linecache``, so tracebacks and
``inspect.getsource`` show it; ``source_of(cls)`` returns it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Type

if TYPE_CHECKING:
    from ._declare import Operation, Param

__all__ = ["compile_method", "generated_init", "generated_to_wire", "generated_wire_params", "source_of"]

_SOURCES: Dict[str, str] = {}


def source_of(cls: type) -> Dict[str, str]:
    """The generated source of ``cls``'s methods, by method name (those generated so far)."""
    prefix = f"<procdsl generated {cls.__module__}.{cls.__qualname__}."
    return {name[len(prefix) : -1]: src for name, src in _SOURCES.items() if name.startswith(prefix)}


def compile_method(
    cls: type, method: str, source: str, namespace: Dict[str, Any], *, function: str = "", lines: bool = True
) -> Callable[..., Any]:
    """Compile ``source`` (one ``def``, named ``function`` or ``method``) as ``cls.<method>``.

    With ``lines`` the source is registered with ``linecache`` so tracebacks show its
    lines; without, ``linecache`` (and ``tokenize``) stay unimported, for the small
    value classes built while ``procdsl`` is imported.
    """
    filename = f"<procdsl generated {cls.__module__}.{cls.__qualname__}.{method}>"
    _SOURCES[filename] = source
    if lines:
        import linecache

        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    compiled: Callable[..., Any] = namespace[function or method]
    compiled.__qualname__ = f"{cls.__qualname__}.{method}" if method != "__init__" else cls.__qualname__
    compiled.__module__ = cls.__module__
    compiled.__dict__["_procdsl_generated"] = True  # subclasses may replace it with their own
    return compiled


def generated_init(cls: Type[Operation], helpers: Dict[str, Any]) -> Callable[..., None]:
    """``cls.__init__``: real arguments, inline checks, the codec on the slow path.

    ``helpers`` are the declaration module's pieces the code calls: ``_MISSING``,
    ``_check``, ``_check_extra``, ``_required`` and ``_broken`` (passed in, so this
    module does not import the one that uses it).
    """
    params: List[Param] = list(cls.__params__)
    namespace: Dict[str, Any] = {**helpers, "_set": object.__setattr__, "_cls": cls}
    positional = [p.name for p in params if not p.kw_only]
    keywords = [p.name for p in params if p.kw_only]
    default = {p.name: "_MISSING" if p.required else "None" for p in params}
    args = ["self", *(f"{name}={default[name]}" for name in positional), "*"]
    args += [f"{name}={default[name]}" for name in keywords]
    args += ["extra=()"]
    body: List[str] = []
    for i, p in enumerate(params):
        name = p.name
        namespace[f"_p{i}"] = p
        fast = p.codec.inline_check(name, namespace, f"_c{i}")
        if p.required:
            body.append(f"    if {name} is None or {name} is _MISSING:")
            body.append(f"        raise _required(self, _p{i})")
            indent = "    "
        else:
            body.append(f"    if {name} is not None:")
            indent = "        "
        if fast is None:
            body.append(f"{indent}{name} = _check(self, _p{i}, {name})")
        else:
            body.append(f"{indent}if not {fast}:")
            body.append(f"{indent}    {name} = _check(self, _p{i}, {name})")
        namespace[f"_s{i}"] = getattr(cls, name).__set__  # the slot's own setter: cheaper than _set
        body.append(f"    _s{i}(self, {name})")
    body.append("    _set(self, '_written', None)  # built: written in declared order")
    body.append("    _set(self, 'extra', _check_extra(_cls, extra) if extra else ())")
    if cls._checks:
        rules = cls.rules
        local = {p.name: p.name for p in params}
        if getattr(cls._validate, "__qualname__", "") == "Operation._validate" and all(r.inline for r in rules):
            for i, rule in enumerate(rules):  # the rules, inline; _broken() writes the usual message
                namespace[f"_r{i}"] = rule
                body.append(f"    if not {str(rule.inline).format_map(local)}:")
                body.append(f"        raise _broken(self, _r{i})")
        else:
            body.append("    self._validate()")
    # Named after the class, so Python's own argument errors read "Resize() got an unexpected ...".
    source = f"def {cls.__name__}({', '.join(args)}):\n" + "\n".join(body) + "\n"
    return compile_method(cls, "__init__", source, namespace, function=cls.__name__)


def _writer_lines(cls: Type[Operation], namespace: Dict[str, Any]) -> List[str]:
    """Lines appending each set parameter's wire text to ``out``.

    A built value (``_written`` is None) is written in declared order, straight
    through; a parsed one in the order it was written.
    """
    texts = []
    for i, p in enumerate(cls.__params__):
        value = f"self.{p.name}"
        text = p.codec.inline_encode(value, namespace, f"_e{i}")
        if text is None:
            namespace[f"_e{i}"] = p.codec.encode
            text = f"_e{i}({value})"
        texts.append((p.name, text if p.key is None else f"{p.key + '_'!r} + {text}"))
    lines = ["    append = out.append", "    written = self._written", "    if written is None:"]
    for name, text in texts:
        lines += [f"        if self.{name} is not None:", f"            append({text})"]
    lines += ["        pass", "    else:", "        for name in written:"]
    keyword = "if"
    for name, text in texts:
        lines += [f"            {keyword} name == {name!r}:", f"                append({text})"]
        keyword = "elif"
    lines += ["            pass", "    for key, value in self.extra:", "        append(key + '_' + value)"]
    return lines


def generated_wire_params(cls: Type[Operation]) -> Callable[..., List[str]]:
    """``cls.wire_params``: each set parameter as written on the wire."""
    namespace: Dict[str, Any] = {}
    lines = ["def wire_params(self):", "    out = []", *_writer_lines(cls, namespace), "    return out"]
    return compile_method(cls, "wire_params", "\n".join(lines) + "\n", namespace)


def generated_to_wire(cls: Type[Operation]) -> Callable[..., str]:
    """``cls.to_wire``: ``family/action,params`` (or ``action,params``) in one pass."""
    namespace: Dict[str, Any] = {"_WIRE": cls.wire_name(), "_ACTION": cls.action}
    lines = [
        "def to_wire(self, *, with_family=True):",
        "    out = [_WIRE if with_family else _ACTION]",
        *_writer_lines(cls, namespace),
        "    return ','.join(out)",
    ]
    return compile_method(cls, "to_wire", "\n".join(lines) + "\n", namespace)
