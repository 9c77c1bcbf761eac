"""parse() returns the value read before for a string read again, and still warns every time."""

from __future__ import annotations

import warnings

import pytest

from procdsl import ProcessError, ProcessSyntaxError, SaveAsKeyWarning, _parser, parse

JOB = "image/resize,w_100|sys/saveas,o_dGh1bWIuanBn"  # o_ = "thumb.jpg"


def test_a_string_read_again_gives_the_same_value() -> None:
    first = parse(JOB)
    assert parse(JOB) is first
    assert parse(JOB, strict=False) == first  # another key: read again, equal
    assert str(parse(JOB)) == JOB


def test_context_is_part_of_the_key() -> None:
    text = "video/convert,f_mp4|sys/saveas,o_b3V0Lm1wNA"  # o_ = "out.mp4"
    parse(text)
    with pytest.raises(ProcessError, match="async"):
        parse(text, context="sync")


def test_a_string_whose_reading_warns_warns_every_time() -> None:
    # doc/convert to png writes one object per page; a key without {index} is warned about.
    text = "doc/convert,target_png,source_docx|sys/saveas,o_cGFnZS5wbmc"  # o_ = "page.png"
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            parse(text)
        assert [w.category for w in caught] == [SaveAsKeyWarning]


def test_bad_input_is_not_cached_and_still_refused() -> None:
    for _ in range(2):
        with pytest.raises(ProcessError, match="width"):
            parse("image/resize,w_0")
        with pytest.raises(ProcessSyntaxError):
            parse(["image/resize,w_1"])  # type: ignore[arg-type]


def test_the_cache_is_bounded() -> None:
    for width in range(1, _parser._CACHE_SIZE + 50):
        parse(f"image/resize,w_{width}")
    assert len(_parser._CACHE) <= _parser._CACHE_SIZE
    long = "image/" + "/".join(["rotate,90"] * 500)
    assert len(long) > _parser._CACHE_TEXT
    assert parse(long) is not parse(long)
