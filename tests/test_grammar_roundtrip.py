"""Lossless round trips: whatever is accepted writes back byte for byte; equality is meaning.

Generated values are written, then mutated in ways that keep their meaning (base64 padding,
the standard ``+/`` alphabet, zero-padded numbers, another parameter order) or that only
lenient parsing accepts (a repeated parameter, an empty one, an unknown key). Every mutated
string that parses must write back exactly as it was written, and ``canonical()`` must give
the normal spelling back.
"""

from __future__ import annotations

import copy
import pickle
import warnings
from typing import Any, Dict, List, Optional, Tuple, Type

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procdsl import ProcessError, parse, strategies
from procdsl._codecs import Int
from procdsl._declare import Operation, lookup
from procdsl._diagnostics import _section_class
from procdsl._grammar import Token, tokenize
from procdsl._operations.sys import Notify, SaveAs

relaxed = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: (mutated string, True when the meaning is unchanged, True when only lenient parsing accepts it)
Mutation = Tuple[str, bool, bool]


def _classes(text: str) -> List[Tuple[Type[Operation], Token]]:
    """Each keyed parameter token of ``text`` with the operation class that reads it."""
    found: List[Tuple[Type[Operation], Token]] = []
    body = text[len("if_status_eq_404{") : -1] if text.startswith("if_status_eq_404{") else text
    shift = len(text) - len(body) - (1 if body is not text else 0)
    for stage in tokenize(body):
        family = "sys" if stage.family is None else stage.family.text
        owner: Optional[Type[Operation]] = None
        for segment in stage.segments:
            name = segment.name.text
            cls: Optional[Type[Operation]]
            if family == "sys":
                sys_classes: Dict[str, Type[Operation]] = {"saveas": SaveAs, "notify": Notify}
                cls = sys_classes.get(name)
            else:
                cls = lookup(family, name)
                if cls is not None:
                    owner = cls
                    cls = getattr(cls, "head", cls)
                elif owner is not None:
                    cls = _section_class(owner, name)
            for token in segment.params:
                if cls is not None:
                    found.append((cls, Token(token.text, token.position + shift)))
    return found


def _replace(text: str, token: Token, new: str) -> str:
    return text[: token.position] + new + text[token.position + len(token.text) :]


def mutations(text: str) -> List[Mutation]:
    out: List[Mutation] = []
    for cls, token in _classes(text):
        key, sep, value = token.text.partition("_")
        p = cls._by_key.get(key) if sep else None
        if p is None:
            continue
        if p.codec.base64:
            padded = value + "=" * (-len(value) % 4)
            if padded != value:
                out.append((_replace(text, token, f"{key}_{padded}"), True, False))
            standard = value.replace("-", "+").replace("_", "/")
            if standard != value:
                out.append((_replace(text, token, f"{key}_{standard}"), True, False))
        if isinstance(p.codec, Int) and value.isdigit() and len(value) < 18:
            out.append((_replace(text, token, f"{key}_0{value}"), True, False))
        out.append((_replace(text, token, f"{token.text},{token.text}"), True, True))  # repeated
        out.append((_replace(text, token, f"{token.text},"), True, True))  # empty parameter
        out.append((_replace(text, token, f"{token.text},zq_1"), False, True))  # unknown key
    pairs = _classes(text)
    for (cls_a, a), (cls_b, b) in zip(pairs, pairs[1:]):
        if cls_a is cls_b and "_" in a.text and "_" in b.text and b.position == a.position + len(a.text) + 1:
            swapped = text[: a.position] + b.text + "," + a.text + text[b.position + len(b.text) :]
            out.append((swapped, True, False))
    return out


def _parse(text: str, strict: bool) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return parse(text, strict=strict)


@relaxed
@given(strategies.processes(), st.data())
def test_mutated_strings_write_back_as_written(process: Any, data: st.DataObject) -> None:
    text = str(process)
    options = mutations(text)
    if not options:
        return
    mutated, same, lenient_only = data.draw(st.sampled_from(options))
    try:
        value = _parse(mutated, strict=not lenient_only)
    except ProcessError:
        return  # a mutation may break a rule (a repeated key in a rule's count); nothing to write back
    assert str(value) == mutated
    if same:
        assert value == process
        assert hash(value) == hash(process)
        assert str(value.canonical()) == str(process.canonical())
    assert pickle.loads(pickle.dumps(value)) == value == copy.deepcopy(value)
    assert _parse(str(value.canonical()), strict=False) == value


@relaxed
@given(strategies.processes())
def test_strict_and_lenient_reading_agree_on_valid_strings(process: Any) -> None:
    text = str(process)
    assert str(_parse(text, strict=True)) == text == str(_parse(text, strict=False))
    assert _parse(text, strict=False) == process


def test_documented_spellings_are_kept() -> None:
    # Padded and standard-alphabet base64 (the .NET and PHP SDK samples), a zero-padded opacity,
    # the abstract |notify form of the message-notification page.
    for text in (
        "doc/convert,target_png,source_docx|sys/saveas,b_dGVzdC1idWNrZXQ=,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw==",
        "image/watermark,text_YT4+,t_0090",  # YT4+ = base64("a>>"), URL-safe YT4-
        "image/deblindwatermark,s_low,t_text|notify,topic_dGVzdC10b3BpYw",
    ):
        value = _parse(text, strict=True)
        assert str(value) == text
        assert "=" not in str(value.canonical()) and "+" not in str(value.canonical())
