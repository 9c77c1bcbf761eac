"""Properties over every declared operation, with strategies derived from the definitions."""

from __future__ import annotations

import contextlib
import re
from typing import Any, List, Type

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procdsl import ProcessError, parse, strategies
from procdsl._declare import Operation, all_operations
from procdsl._grammar import tokenize
from procdsl._parser import parse_operation
from tests.conftest import example_strings

OPERATIONS = [cls for cls in all_operations() if cls.family != "sys"]
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
relaxed = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@relaxed
@given(strategies.processes())
def test_every_process_round_trips(process: Any) -> None:
    text = str(process)
    again = parse(text)
    assert again == process
    assert str(again) == text
    assert hash(again) == hash(process)


@pytest.mark.parametrize("cls", OPERATIONS, ids=lambda c: c.wire_name())
def test_each_operation_round_trips(cls: Type[Operation]) -> None:
    @settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(strategies.operations(cls))
    def check(op: Operation) -> None:
        again = parse_operation(op.to_wire())
        assert again == op and again.to_wire() == op.to_wire()
        assert op.canonical() == op and str(op.canonical()) == str(op)

    check()


def _params(op: Operation) -> List[Any]:
    (stage,) = tokenize(op.to_wire())
    return list(stage.segments[0].params)


@pytest.mark.parametrize("cls", OPERATIONS, ids=lambda c: c.wire_name())
def test_text_never_changes_structure(cls: Type[Operation]) -> None:
    """Whatever Unicode a text field holds, the wire keeps one token per parameter."""

    @settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(strategies.operations(cls))
    def check(op: Operation) -> None:
        tokens = _params(op)
        set_params = [p for p in op.__params__ if getattr(op, p.name) is not None and not cls.subsections]
        if cls.subsections:
            return
        assert len(tokens) == len(set_params)
        for token, p in zip(tokens, set_params):
            if p.codec.base64:
                assert p.key is not None
                assert _B64URL.fullmatch(token.text[len(p.key) + 1 :])

    check()


def _pad(match: re.Match[str]) -> str:
    key, value = match.group(1), match.group(2)
    return f"{key}_{value}{'=' * (-len(value) % 4)}"


@relaxed
@given(strategies.async_jobs())
def test_padded_base64_parses_to_the_same_value(job: Any) -> None:
    text = str(job)
    padded = re.sub(r"\b(o|b|topic)_([A-Za-z0-9_-]+)", _pad, text)
    assert parse(padded) == job


@relaxed
@given(st.data())
def test_parameter_order_is_free_and_kept(data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(OPERATIONS))
    op = data.draw(strategies.operations(cls))
    if cls.subsections:
        return
    tokens = [t.text for t in _params(op)]
    shuffled = data.draw(st.permutations(tokens))
    text = ",".join([op.wire_name(), *shuffled])
    parsed = type(op).from_tokens(_params_of(text), strict=True)
    assert parsed == op
    assert parsed.to_wire() == text
    assert str(parsed.canonical()) == str(op)


def _params_of(text: str) -> List[Any]:
    (stage,) = tokenize(text)
    return list(stage.segments[0].params)


@pytest.mark.filterwarnings("ignore::procdsl.errors.SaveAsKeyWarning")
@settings(max_examples=300)
@given(st.text(max_size=80))
def test_garbage_only_raises_process_errors(text: str) -> None:
    for strict in (True, False):
        with contextlib.suppress(ProcessError):
            parse(text, strict=strict)


@pytest.mark.filterwarnings("ignore::procdsl.errors.SaveAsKeyWarning")
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(example_strings()), st.data())
def test_mutated_real_strings_only_raise_process_errors(example: str, data: st.DataObject) -> None:
    chars = list(example)
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.integers(0, len(chars)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        char = data.draw(st.sampled_from([*"|/,_=-{}%@xX09 é\x00", chr(0x1F600)]))
        if action == "insert":
            chars.insert(where, char)
        elif chars and where < len(chars):
            if action == "delete":
                del chars[where]
            else:
                chars[where] = char
    mutated = "".join(chars)
    for strict in (True, False):
        with contextlib.suppress(ProcessError):
            parse(mutated, strict=strict)
