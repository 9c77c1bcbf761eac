"""Limits refused at once with a clear error, and builder values that always write what parses back."""

from __future__ import annotations

import copy
import enum
import pickle
from typing import Any, Tuple

import pytest

from procdsl import (
    Image,
    ProcessError,
    ProcessSyntaxError,
    ProcessValueError,
    RawOperation,
    StageError,
    Video,
    check,
    parse,
)
from procdsl._parser import MAX_LENGTH


def test_over_long_input_is_refused_before_reading_it() -> None:
    text = "image/resize,w_1" + ",w_1" * 2_500_000  # 10 MB
    with pytest.raises(ProcessSyntaxError, match=f"at most {MAX_LENGTH} characters"):
        parse(text)
    [problem] = check(text)
    assert problem.position == MAX_LENGTH


def test_if_status_eq_404_does_not_nest() -> None:
    deep = "if_status_eq_404{" * 1000 + "hls/ts" + "}" * 1000
    with pytest.raises(StageError, match="cannot be nested"):
        parse(deep)
    with pytest.raises(StageError, match="cannot be nested"):
        parse(deep, strict=False)
    assert [d.code for d in check(deep)] == ["stage"]


def test_integer_choices_refuse_floats() -> None:
    # fpsopt is 0, 1 or 2 (video-transcoding page); 1.0 would be written fpsopt_1.0.
    with pytest.raises(ProcessValueError, match="fpsopt"):
        Video.convert(format="mp4", fps=30, fps_policy=1.0)  # type: ignore[arg-type]
    assert str(Video.convert(format="mp4", fps=30, fps_policy=1)).endswith("fpsopt_1")


class Format(str, enum.Enum):
    WEBP = "webp"


class Radius(enum.IntEnum):
    FIVE = 5


class Sneaky(str):
    def __str__(self) -> str:
        return "x|sys/saveas,o_YQ"


def test_enum_members_and_str_subclasses_write_their_value() -> None:
    assert str(Image.format(Format.WEBP)) == "image/format,webp"  # type: ignore[arg-type]
    assert str(Image.blur(radius=Radius.FIVE, sigma=Radius.FIVE)) == "image/blur,r_5,s_5"
    marked = Image.watermark(text=Sneaky("hi"), color=Sneaky("FF0000"))
    assert str(marked) == "image/watermark,text_aGk,color_FF0000"  # aGk = base64("hi")
    for value in (Image.format(Format.WEBP), marked):  # type: ignore[arg-type]
        assert parse(str(value)) == value


def test_lenient_values_pickle_copy_canonicalise_and_format() -> None:
    for text in ("image/resize,w_1,k_", "image/resize,w_99999", "image/frobnicate,a_1,"):
        value = parse(text, strict=False)
        assert pickle.loads(pickle.dumps(value)) == value == copy.deepcopy(value)
        assert str(value) == text
        assert parse(str(value.canonical()), strict=False) == value


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("image", "x", ("a\x00",)), "printable ASCII"),
        (("image", "x", ("a\x7f",)), "printable ASCII"),
        (("image", "x", ("a b",)), "printable ASCII"),
        (("sys", "saveas", ()), "not an operation family"),
        (("style", "small", ()), "not an operation family"),
    ],
)
def test_raw_operations_validate_characters_and_families(args: Tuple[Any, ...], match: str) -> None:
    with pytest.raises(ProcessError, match=match):
        RawOperation(*args)
