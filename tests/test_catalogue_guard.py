"""The catalogue checks its own rules, so a declaration made the wrong way fails here, by name.

Each check is a function over a list of classes (or modules) that returns the problems
it finds, one sentence each naming the file, the class and what to add. The first tests
run the checks over the whole catalogue; the ``test_guard_reports_*`` tests prove every
check can fail, with deliberately wrong classes declared in a ``scratch_registry()``
(forgotten when the block ends).
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import types
import typing
from typing import Any, ClassVar, Dict, List, Literal, Optional, Sequence, Tuple, Type

import pytest

from procdsl import _builders
from procdsl._codecs import Choice, Codec, Int
from procdsl._declare import (
    MessageTask,
    ObjectTask,
    Operation,
    Section,
    SectionCodec,
    Sections,
    SubSection,
    all_operations,
    lookup,
    param,
    scratch_registry,
)
from procdsl._operations.image import ImageOperation, Resize
from procdsl._pycode import fluent_entries
from procdsl.strategies import codec_values

#: The modules users import by name. procdsl.web_django is left out: Django requires its
#: template library to be called ``register``, which strategies.register already is.
PUBLIC_MODULES = (
    "procdsl",
    "procdsl.errors",
    "procdsl.events",
    "procdsl.strategies",
    "procdsl.submit",
    "procdsl.testing",
    "procdsl.web",
)


def _file(obj: Any) -> str:
    """``procdsl/_operations/video.py`` for a class or module of the repository."""
    module = obj if isinstance(obj, types.ModuleType) else sys.modules[obj.__module__]
    path = getattr(module, "__file__", None) or f"<{module.__name__}>"
    # Relative to the repository, whatever its folder is called (a fresh clone is "procdsl/").
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    if os.path.abspath(path).startswith(root):
        return os.path.abspath(path)[len(root) :].replace("\\", "/")
    marker = path.replace("\\", "/").rfind("/procdsl/")
    marker = marker if marker >= 0 else path.replace("\\", "/").rfind("/tests/")
    return path[marker + 1 :] if marker >= 0 else path


def _where(cls: type) -> str:
    return f"{_file(cls)}: {cls.__qualname__}"


# -- annotation <-> codec ------------------------------------------------------------------------
def _codec_type(codec: Codec[Any]) -> Any:
    """The ``T`` of the ``Codec[T]`` the codec's class derives from (``int`` for ``Int``)."""
    for klass in type(codec).__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            if typing.get_origin(base) is Codec or (
                isinstance(typing.get_origin(base), type) and issubclass(typing.get_origin(base), Codec)
            ):
                (arg,) = typing.get_args(base)
                if not isinstance(arg, typing.TypeVar):
                    return arg
    return None


def _is_literal(annotation: Any) -> bool:
    return typing.get_origin(annotation) is Literal


def _expected(codec: Codec[Any]) -> str:
    """How a field of this codec should be annotated, for the failure message."""
    if isinstance(codec, Choice):
        return "Literal[" + ", ".join(repr(v) for v in codec.values) + "]"
    if isinstance(codec, Sections):
        return "Tuple[<a base of " + ", ".join(t.__name__ for t in codec.types.values()) + ">, ...]"
    if isinstance(codec, SubSection):
        return codec.type.__name__
    python = _codec_type(codec)
    return getattr(python, "__name__", repr(python))


def _agrees(annotation: Any, codec: Codec[Any]) -> bool:
    if isinstance(codec, Choice):
        return _is_literal(annotation) and set(typing.get_args(annotation)) == set(codec.values)
    if isinstance(codec, Sections):
        if typing.get_origin(annotation) is not tuple:
            return False
        item, dots = typing.get_args(annotation)
        return dots is Ellipsis and all(issubclass(t, item) for t in codec.types.values())
    if isinstance(codec, SubSection):
        return annotation is codec.type
    python = _codec_type(codec)
    return python is not None and annotation is python


def annotation_problems(classes: Sequence[Type[Operation]], localns: Optional[Dict[str, Any]] = None) -> List[str]:
    """Each field's annotation against its codec, and ``Optional`` against its default.

    ``localns`` resolves the annotations of classes declared inside a function.
    """
    problems = []
    for cls in classes:
        hints = typing.get_type_hints(cls, localns=localns)
        for p in cls.__params__:
            where = f"{_where(cls)}.{p.name}"
            annotation = hints.get(p.name)
            if annotation is None:
                problems.append(f"{where} has no annotation; annotate it {_expected(p.codec)}")
                continue
            args = typing.get_args(annotation)
            optional = typing.get_origin(annotation) is typing.Union and type(None) in args
            inner = annotation
            if optional:
                rest = tuple(a for a in args if a is not type(None))
                inner = rest[0] if len(rest) == 1 else typing.Union[rest]
            if optional != (p.default is None):
                want = "Optional[...] with default=None" if optional else "no Optional (it has no None default)"
                problems.append(f"{where} is annotated {annotation!r} but declared with {p.default=!r}; use {want}")
            if _codec_type(p.codec) is None and not isinstance(p.codec, (Choice, SectionCodec)):
                problems.append(
                    f"{where}: codec {type(p.codec).__name__} ({_file(type(p.codec))}) does not say its value type; "
                    f"derive it from Codec[<type>]"
                )
            elif not _agrees(inner, p.codec):
                problems.append(
                    f"{where} is annotated {annotation!r} but its codec {p.codec!r} holds {_expected(p.codec)}; "
                    f"annotate it {'Optional[' + _expected(p.codec) + ']' if optional else _expected(p.codec)}"
                )
    return problems


def _sections_of(classes: Sequence[Type[Operation]]) -> List[Type[Operation]]:
    """The classes and the ``Section`` classes their section fields hold."""
    out: List[Type[Operation]] = []
    for cls in classes:
        out.append(cls)
        for p in cls.__params__:
            if isinstance(p.codec, SectionCodec):
                out.extend(t for t in p.codec.types.values() if t not in out)
    return out


# -- builders ------------------------------------------------------------------------------------
def _stage_of(cls: Type[Operation]) -> Tuple[str, ...]:
    """The builder helpers that may carry an operation of this base class."""
    if issubclass(cls, MessageTask):
        return ("notify",)
    if issubclass(cls, ObjectTask):
        return ("async",)
    if issubclass(cls, ImageOperation):
        return ("image",)
    return ("sync", "if_missing")


def _suggest(cls: Type[Operation]) -> str:
    module = cls.__module__.rsplit(".", 1)[-1]
    method = cls.action.replace("-", "_")
    stage = _stage_of(cls)[0]
    if stage == "image":
        return f"`{method} = step({module}.{cls.__name__})` to ImageSteps in procdsl/_image_steps.py"
    helper = {"async": "async_op", "sync": "sync_op", "notify": "notify_op"}[stage]
    owner = "_ImageNamespace" if cls.family == "image" else cls.family.capitalize()
    return f"`{method} = {helper}({module}.{cls.__name__})` to class {owner} in procdsl/_builders.py"


def builder_problems(classes: Sequence[Type[Operation]]) -> List[str]:
    """Every user-facing operation (all but ``sys/``) has a fluent entry of the right stage."""
    entries = fluent_entries()
    problems = []
    for cls in classes:
        if cls.family == "sys":
            continue  # save_as() and notify() on the stages build these
        stages = [stage for (target, stage) in entries if target is cls]
        if not stages:
            problems.append(f"{_where(cls)} ({cls.wire_name()}) has no builder entry; add {_suggest(cls)}")
        elif not set(stages) & set(_stage_of(cls)):
            problems.append(
                f"{_where(cls)} ({cls.wire_name()}) is built as {stages[0]}, but its base class makes it "
                f"{_stage_of(cls)[0]}; add {_suggest(cls)}"
            )
    return problems


# -- strategies ----------------------------------------------------------------------------------
def strategy_problems(classes: Sequence[Type[Operation]]) -> List[str]:
    """Every codec used by a field (and by the sections fields hold) has a hypothesis strategy."""
    problems = []
    for cls in _sections_of(classes):
        for p in cls.__params__:
            try:
                codec_values(p.codec)
            except TypeError:
                kind = type(p.codec)
                problems.append(
                    f"{_where(cls)}.{p.name}: codec {kind.__name__} ({_file(kind)}) has no hypothesis strategy; "
                    f"add `@register({kind.__name__})` with a strategy of valid values in procdsl/strategies.py"
                )
    return problems


# -- __all__ -------------------------------------------------------------------------------------
def _isort_key(name: str) -> Tuple[int, str]:
    """The order of ruff's RUF022: CONSTANTS, then Classes, then functions and other names."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def all_problems(modules: Sequence[types.ModuleType]) -> List[str]:
    """``__all__`` is sorted, names real attributes, and lists every public name for users.

    For users means: defined in the module, or (in a package's ``__init__``) imported
    to be re-exported. Names a plain module imports for its own use are not counted.
    """
    problems = []
    for module in modules:
        where = _file(module)
        listed = list(getattr(module, "__all__", ()))
        if not listed:
            problems.append(f"{where} has no __all__; list its public names")
            continue
        if listed != sorted(listed, key=_isort_key) or len(set(listed)) != len(listed):
            problems.append(f"{where}: __all__ is not sorted (CONSTANTS, Classes, functions) or repeats a name")
        for name in listed:
            if not hasattr(module, name):
                problems.append(f"{where}: __all__ lists {name!r}, which the module does not define")
        is_package = hasattr(module, "__path__")
        for name, value in vars(module).items():
            if name.startswith("_") or name in listed or inspect.ismodule(value):
                continue
            home = getattr(value, "__module__", None)
            if not isinstance(home, str) or isinstance(value, typing.TypeVar):
                continue
            if home == module.__name__ or (is_package and home.startswith("procdsl")):
                problems.append(f"{where}: public name {name!r} is missing from __all__; add it (or rename it _{name})")
    return problems


def collision_problems(modules: Sequence[types.ModuleType]) -> List[str]:
    """One public name, one thing: no two public modules export different objects as one name."""
    seen: Dict[str, Tuple[str, Any]] = {}
    problems = []
    for module in modules:
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            first = seen.setdefault(name, (module.__name__, value))
            if first[1] is not value:
                problems.append(
                    f"{_file(module)}: {module.__name__}.{name} and {first[0]}.{name} are different things; "
                    "rename one of them"
                )
    return problems


# -- the catalogue passes ------------------------------------------------------------------------
def test_every_annotation_agrees_with_its_codec() -> None:
    assert annotation_problems(_sections_of(all_operations())) == []


def test_every_user_facing_operation_has_a_builder_entry() -> None:
    assert builder_problems(all_operations()) == []


def test_every_codec_has_a_strategy() -> None:
    assert strategy_problems(all_operations()) == []


def test_public_modules_have_a_sorted_complete_all() -> None:
    assert all_problems([importlib.import_module(name) for name in PUBLIC_MODULES]) == []


def test_no_two_public_names_collide() -> None:
    assert collision_problems([importlib.import_module(name) for name in PUBLIC_MODULES]) == []


def test_the_catalogue_is_what_the_modules_declare() -> None:
    # Independent of the registry: every class that names its own action in a family module.
    from procdsl._operations import audio, doc, hls, image, pointcloud, video
    from procdsl._operations import sys as sys_ops

    declared = {
        (cls.family, cls.action)
        for module in (audio, doc, hls, image, pointcloud, sys_ops, video)
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, Operation) and "action" in vars(cls) and cls.family
    }
    assert declared == {(cls.family, cls.action) for cls in all_operations()}


# -- each guard can fail -------------------------------------------------------------------------
def test_guard_registers_a_class_that_inherits_its_family() -> None:
    with scratch_registry():

        class GuardFamily(ImageOperation):  # family "image" comes from ImageOperation
            action: ClassVar[str] = "guard-emboss"
            depth: Optional[int] = param("d", Int(1, 9), default=None)

        assert lookup("image", "guard-emboss") is GuardFamily
        assert str(GuardFamily(depth=3)) == "image/guard-emboss,d_3"
    assert lookup("image", "guard-emboss") is None  # forgotten after the block


def test_guard_refuses_a_second_class_for_one_name() -> None:
    with scratch_registry(), pytest.raises(TypeError) as info:

        class GuardResize(ImageOperation):
            action: ClassVar[str] = "resize"

    message = str(info.value)
    assert "image/resize is declared twice" in message
    assert "procdsl._operations.image.Resize" in message
    assert f"{__name__}.test_guard_refuses_a_second_class_for_one_name.<locals>.GuardResize" in message
    assert lookup("image", "resize").__name__ == "Resize"  # type: ignore[union-attr]


def test_guard_refuses_an_action_without_a_family() -> None:
    with scratch_registry(), pytest.raises(TypeError) as info:

        class GuardOrphan(ObjectTask):  # ObjectTask has no family
            action: ClassVar[str] = "orphan"

    assert "GuardOrphan declares action 'orphan' but no family; set family" in str(info.value)


def test_guard_reports_annotations_that_disagree_with_codecs() -> None:
    with scratch_registry():

        class GuardBad(Operation):
            family: ClassVar[str] = "guard"
            action: ClassVar[str] = "bad"

            width: Optional[str] = param("w", Int(1, 9), default=None)
            mode: Optional[Literal["a", "b"]] = param("m", Choice(Literal["a", "c"]), default=None)
            count: int = param("n", Int(1, 9), default=None)
            fine: Optional[int] = param("f", Int(1, 9), default=None)

        problems = annotation_problems([GuardBad])
    assert len(problems) == 3, problems
    width, mode, count = problems
    assert width.startswith("tests/test_catalogue_guard.py: ") and "GuardBad.width" in width
    assert "annotate it Optional[int]" in width
    assert "GuardBad.mode" in mode and "annotate it Optional[Literal['a', 'c']]" in mode
    assert "GuardBad.count" in count and "Optional" in count


def test_guard_reports_an_operation_without_a_builder() -> None:
    with scratch_registry():

        class GuardLonely(ObjectTask):
            family: ClassVar[str] = "video"
            action: ClassVar[str] = "guard-lonely"

        problems = builder_problems([GuardLonely])
    assert problems == [
        "tests/test_catalogue_guard.py: test_guard_reports_an_operation_without_a_builder.<locals>.GuardLonely "
        "(video/guard-lonely) has no builder entry; add "
        "`guard_lonely = async_op(test_catalogue_guard.GuardLonely)` to class Video in "
        "procdsl/_builders.py"
    ]


def test_guard_reports_a_codec_without_a_strategy() -> None:
    class Odd(Codec[str]):
        def check(self, value: object) -> str:
            return str(value)

        def describe(self) -> str:
            return "odd text"

    class GuardClip(Section):
        action: ClassVar[str] = "guardclip"
        text: str = param("x", Odd())

    with scratch_registry():

        class GuardOwner(Operation):
            family: ClassVar[str] = "guard"
            action: ClassVar[str] = "owner"
            clips: Tuple[GuardClip, ...] = param(None, Sections(GuardClip, min_items=1, max_items=2))

        problems = strategy_problems([GuardOwner])
        assert annotation_problems(_sections_of([GuardOwner]), localns=locals()) == []
    assert len(problems) == 1
    assert "GuardClip.text: codec Odd (tests/test_catalogue_guard.py) has no hypothesis strategy" in problems[0]
    assert "@register(Odd)" in problems[0]


def test_guard_reports_an_unsorted_or_incomplete_all() -> None:
    module = types.ModuleType("procdsl.guard_module")
    module.__file__ = "/repo/procdsl/guard_module.py"

    def public() -> None: ...

    public.__module__ = "procdsl.guard_module"
    module.public = public  # type: ignore[attr-defined]
    module.Zebra = type("Zebra", (), {"__module__": "procdsl.guard_module"})  # type: ignore[attr-defined]
    module.helper = _builders.async_op  # type: ignore[attr-defined]  # imported for its own use: not counted
    module.__all__ = ["public", "Zebra", "gone"]  # type: ignore[attr-defined]
    problems = all_problems([module])
    assert problems == [
        "procdsl/guard_module.py: __all__ is not sorted (CONSTANTS, Classes, functions) or repeats a name",
        "procdsl/guard_module.py: __all__ lists 'gone', which the module does not define",
    ]
    module.__all__ = ["Zebra"]  # type: ignore[attr-defined]
    assert all_problems([module]) == [
        "procdsl/guard_module.py: public name 'public' is missing from __all__; add it (or rename it _public)"
    ]


def test_guard_reports_two_public_names_for_different_things() -> None:
    first, second = types.ModuleType("procdsl.one"), types.ModuleType("procdsl.two")
    first.__file__, second.__file__ = "/repo/procdsl/one.py", "/repo/procdsl/two.py"
    first.Operation, second.Operation = Operation, object  # type: ignore[attr-defined]
    first.__all__ = second.__all__ = ["Operation"]  # type: ignore[attr-defined]
    assert collision_problems([first, first]) == []
    assert collision_problems([first, second]) == [
        "procdsl/two.py: procdsl.two.Operation and procdsl.one.Operation are different things; rename one of them"
    ]


def test_fluent_entries_see_both_builder_shapes() -> None:
    # The builder guard relies on fluent_entries() finding step() and the factory helpers.
    entries = fluent_entries()
    assert entries[(Resize, "image")] == ("Image", "resize")
    assert ("Video", "concat") in entries.values()


def test_contributing_examples_run() -> None:
    # The three walk-throughs in CONTRIBUTING.md (operation, parameter, sectioned operation)
    # run as written; what they declare is forgotten afterwards.
    from tests.test_docs import ROOT, blocks

    samples = blocks(ROOT / "CONTRIBUTING.md")
    assert len(samples) == 3
    namespace: Dict[str, Any] = {"__name__": "contributing"}
    with scratch_registry():
        for number, (_, code) in enumerate(samples, 1):
            exec(compile(code, f"CONTRIBUTING.md (python block {number})", "exec"), namespace)
        assert lookup("image", "emboss") is namespace["Emboss"]
        assert lookup("video", "stack") is namespace["Stack"]
    assert lookup("image", "emboss") is None
