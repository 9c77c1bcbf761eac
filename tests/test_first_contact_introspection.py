"""Run-time introspection equals the declarations: ``inspect.signature`` and ``help()``.

Editors, IPython and ``help()`` read ``__signature__`` and ``__doc__``; both are derived from
the ``param()`` declarations on first use, so ``import procdsl`` stays free of ``inspect``.
"""

from __future__ import annotations

import inspect
import pydoc
import subprocess
import sys
from typing import Any, Dict, List, Optional, Tuple, Type, get_args

import pytest

from procdsl import (
    AsyncJob,
    AsyncOperation,
    Audio,
    Doc,
    Hls,
    IfStatus404,
    Image,
    ImagePipeline,
    NotifyOperation,
    SyncProcess,
    Video,
)
from procdsl._builders import entry_points as builders
from procdsl._declare import Operation, all_operations
from procdsl._operations import doc, image, video

KW = inspect.Parameter.KEYWORD_ONLY
POS = inspect.Parameter.POSITIONAL_OR_KEYWORD
EMPTY = inspect.Parameter.empty


def _help(obj: Any) -> str:
    """What ``help(obj)`` prints, without the terminal's bold."""
    return pydoc.plain(pydoc.render_doc(obj))


def _operation(builder: Any) -> Type[Operation]:
    cls = builder.op if hasattr(builder, "op") else builder.step.op
    assert isinstance(cls, type) and issubclass(cls, Operation)
    return cls


def _shape(signature: inspect.Signature) -> List[Tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


def _declared_shape(cls: Any) -> List[Tuple[str, Any, Any]]:
    """What the declarations say, read straight from ``__params__``."""
    positional = [(p.name, POS, EMPTY if p.required else p.default) for p in cls.__params__ if not p.kw_only]
    keyword = [(p.name, KW, EMPTY if p.required else p.default) for p in cls.__params__ if p.kw_only]
    return positional + keyword + [("extra", KW, ())]


def test_every_entry_point_is_listed() -> None:
    names = {name for name, _ in builders()}
    assert {"Image.resize", "Image.rotate", "Doc.convert", "Video.convert", "Audio.convert", "Hls.m3u8"} <= names
    covered = {_operation(b) for _, b in builders()}
    missing = [cls.wire_name() for cls in all_operations() if cls not in covered and cls.family != "sys"]
    assert missing == []


@pytest.mark.parametrize(("name", "builder"), builders(), ids=[name for name, _ in builders()])
def test_builder_signature_is_the_declaration(name: str, builder: Any) -> None:
    cls = _operation(builder)
    signature = inspect.signature(builder)
    assert _shape(signature) == _declared_shape(cls)
    assert _shape(inspect.signature(cls)) == _declared_shape(cls)
    for p in cls.__params__:  # every annotation is there, evaluated
        annotation = signature.parameters[p.name].annotation
        assert annotation is not EMPTY and not isinstance(annotation, str), (name, p.name, annotation)
    assert signature.parameters["extra"].annotation == Tuple[Tuple[str, str], ...]
    documented = _help(builder)
    assert f"Wire: {cls.wire_name()}" in documented
    for p in cls.__params__:
        assert f"{p.name} ({'positional' if p.key is None else 'wire key ' + p.key}): " in documented


@pytest.mark.parametrize("cls", all_operations(), ids=lambda c: c.wire_name())
def test_extra_is_keyword_only_and_last(cls: type) -> None:
    parameters = list(inspect.signature(cls).parameters.values())
    assert parameters[-1].name == "extra" and parameters[-1].kind is KW
    assert [p.name for p in parameters].count("extra") == 1


# -- hand-written expectations --------------------------------------------------------------------
def test_resize_signature() -> None:
    signature = inspect.signature(Image.resize)
    assert list(signature.parameters) == [
        "mode", "width", "height", "longer", "shorter", "limit", "color", "percent", "extra",
    ]  # fmt: skip
    mode = signature.parameters["mode"]
    assert (mode.kind, mode.default) == (KW, None)
    (choice, none) = get_args(mode.annotation)  # Optional[Literal[...]]
    assert none is type(None) and get_args(choice) == ("lfit", "mfit", "fill", "pad", "fixed")
    assert signature.parameters["width"].annotation == Optional[int]
    assert signature.return_annotation is ImagePipeline
    assert inspect.signature(Image.resize(width=10).resize) == signature  # on a pipeline, the same


def test_rotate_takes_the_angle_positionally() -> None:
    assert str(inspect.signature(Image.rotate)) == (
        "(degrees: int, *, extra: Tuple[Tuple[str, str], ...] = ()) -> procdsl._stages.ImagePipeline"
    )
    unbound = inspect.signature(ImagePipeline.rotate)
    assert list(unbound.parameters) == ["self", "degrees", "extra"]
    assert str(ImagePipeline.rotate(Image.resize(width=10), 90)) == "image/resize,w_10/rotate,90"


def test_entry_points_return_their_stage() -> None:
    expected: Dict[Any, type] = {
        Doc.convert: AsyncOperation,
        Video.convert: AsyncOperation,
        Audio.convert: AsyncOperation,
        Video.snapshot: SyncProcess,
        Hls.m3u8: SyncProcess,
        Hls.ts: IfStatus404,
        Image.deblindwatermark: NotifyOperation,
    }
    for builder, stage in expected.items():
        assert inspect.signature(builder).return_annotation is stage


def test_doc_convert_signature_and_help() -> None:
    signature = inspect.signature(Doc.convert)
    assert list(signature.parameters) == ["to", "src", "pages", "extra"]
    to = signature.parameters["to"]
    assert (to.kind, to.default, get_args(to.annotation)) == (KW, EMPTY, ("pdf", "png", "jpg", "txt"))
    text = _help(Doc.convert)
    assert "convert(*, to: Literal['pdf', 'png', 'jpg', 'txt'], src:" in text
    assert "to (wire key target): one of pdf, png, jpg, txt; required." in text
    summary = inspect.cleandoc(doc.Convert.__doc__ or "")
    assert Doc.convert.__doc__ is not None and Doc.convert.__doc__.startswith(summary)


def test_help_shows_range_unit_and_wire_key() -> None:
    text = _help(Image.resize)
    assert "width (wire key w): an integer in [1, 16384] px." in text
    assert "mode (wire key m): one of lfit, mfit, fill, pad, fixed; OSS default lfit." in text
    assert "at least one of width, height, longer, shorter, percent is required" in text
    video_help = _help(Video.convert)
    assert "video_bitrate (wire key vb): an integer >= 1 bit/s. Video bit rate" in video_help
    rotate = _help(ImagePipeline.rotate)
    assert "rotate(self, /, degrees: int, *, extra" in rotate
    assert "degrees (positional): an integer in [0, 360] degrees; required." in rotate


def test_stage_methods_have_real_signatures() -> None:
    save_as = inspect.signature(AsyncOperation.save_as)
    assert [(p.name, p.default) for p in save_as.parameters.values() if p.kind is KW] == [
        ("bucket", None),
        ("key", None),
    ]
    notify = inspect.signature(AsyncJob.notify)
    assert list(notify.parameters) == ["self", "topic"] and notify.parameters["topic"].default is None
    assert "save_as(key)" in (AsyncOperation.save_as.__doc__ or "")


def test_operation_classes_have_their_declared_signature() -> None:
    assert list(inspect.signature(image.Resize).parameters)[:3] == ["mode", "width", "height"]
    assert list(inspect.signature(video.Convert).parameters)[:3] == ["start", "duration", "format"]
    assert isinstance(Operation.__signature__, inspect.Signature)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="typing_extensions imports inspect before 3.11")
def test_import_stays_free_of_inspect() -> None:
    code = "import procdsl, sys; procdsl.Image.resize(width=1); print(sorted({'inspect', 'pydoc'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
