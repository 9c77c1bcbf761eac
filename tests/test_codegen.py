"""Generated constructors and writers (procdsl._codegen) behave like the codecs they inline."""

from __future__ import annotations

import linecache
import traceback
from typing import Any, Dict, List, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procdsl import Image, ProcessValueError, parse
from procdsl._codecs import Codec, CodecError
from procdsl._codegen import source_of
from procdsl._declare import all_operations
from procdsl._operations.image import Resize, Rotate


def _inlined() -> List[Tuple[str, Codec[Any]]]:
    seen: Dict[int, Tuple[str, Codec[Any]]] = {}
    for cls in all_operations():
        for p in cls.__params__:
            if p.codec.inline_check("v", {}, "_c") is not None:
                seen.setdefault(id(p.codec), (f"{cls.wire_name()} {p.name}", p.codec))
    return list(seen.values())


INLINED = _inlined()


class _Text(str):
    def __str__(self) -> str:
        return "something else"


class _Number(int):
    pass


# Values chosen to sit on every edge the inline tests draw: types that look alike,
# range ends, braces, slashes and surrogates in keys, long keys.
TRICKY: List[object] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    100,
    16384,
    16385,
    10**18,
    _Number(5),
    1.0,
    "",
    "a",
    "webp",
    "lfit",
    _Text("webp"),
    "photo-bucket",
    "Photo-Bucket",
    "-bucket",
    "topic-1",
    "1topic",
    "a/b.jpg",
    "/a",
    "\\a",
    "a/",
    "{index}.png",
    "{nope}.png",
    "a{{b}}",
    "x\ud800",
    "中文/键",
    "k" * 255,
    "k" * 256,
    "é" * 300,
]


def _agrees(codec: Codec[Any], value: object) -> None:
    namespace: Dict[str, Any] = {}
    expression = codec.inline_check("v", namespace, "_c")
    assert expression is not None
    if not eval(expression, namespace, {"v": value}):
        return  # the slow path: check() decides, as before
    try:
        checked = codec.check(value)
    except CodecError as exc:  # pragma: no cover - the failure this test exists for
        raise AssertionError(f"{codec!r}: inline test accepted {value!r}, check() refused it: {exc}") from None
    assert checked is value or (checked == value and type(checked) is type(value))


@pytest.mark.parametrize(("where", "codec"), INLINED, ids=[w for w, _ in INLINED])
def test_inline_checks_accept_only_what_check_accepts(where: str, codec: Codec[Any]) -> None:
    for value in TRICKY:
        _agrees(codec, value)


@settings(max_examples=300)
@given(
    value=st.one_of(st.integers(), st.text(), st.booleans(), st.floats(), st.none()),
    index=st.integers(min_value=0, max_value=max(0, len(INLINED) - 1)),
)
def test_inline_checks_agree_on_generated_values(value: object, index: int) -> None:
    _agrees(INLINED[index][1], value)


def test_inline_encoders_write_what_encode_writes() -> None:
    for cls in all_operations():
        for p in cls.__params__:
            namespace: Dict[str, Any] = {}
            expression = p.codec.inline_encode("v", namespace, "_e")
            if expression is None:
                continue
            for value in TRICKY:
                try:
                    checked = p.codec.check(value)
                except CodecError:
                    continue
                assert eval(expression, namespace, {"v": checked}) == p.codec.encode(checked)


def test_constructor_errors_come_from_the_codec() -> None:
    with pytest.raises(ProcessValueError, match=r"image/resize: width \(w\) must be an integer in \[1, 16384\] px"):
        Resize(width=0)
    with pytest.raises(ProcessValueError, match="is required"):
        Rotate()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"^Resize\(\) got an unexpected keyword argument 'wide'"):
        Resize(wide=1)  # type: ignore[call-arg]


def test_generated_source_is_readable_in_tracebacks() -> None:
    Resize(width=1)
    source = source_of(Resize)["__init__"]
    assert "def Resize(self, *, mode=None, width=None" in source
    with pytest.raises(ProcessValueError) as caught:
        Resize(width=0)
    frames = traceback.extract_tb(caught.value.__traceback__)
    generated = [f for f in frames if f.filename.startswith("<procdsl generated")]
    assert generated and generated[0].line  # linecache has the generated lines
    assert linecache.getline(generated[0].filename, 1).startswith("def Resize(")


def test_built_and_parsed_values_write_their_own_order() -> None:
    # Built: declared order whatever the keyword order; parsed: as written.
    assert str(Image.resize(height=600, width=800, mode="lfit")) == "image/resize,m_lfit,w_800,h_600"
    assert str(parse("image/resize,h_600,w_800,m_lfit")) == "image/resize,h_600,w_800,m_lfit"
