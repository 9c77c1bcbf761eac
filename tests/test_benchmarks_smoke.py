"""benchmarks/run.py still runs: every case once, with tiny repeat counts. No timing assertions."""

from __future__ import annotations

import math
from typing import Callable, Tuple

import pytest

from benchmarks import run

TINY = run.Config(rounds=1, number=1, import_runs=1)


@pytest.mark.parametrize("name", list(run.CASES))
def test_each_case_runs(name: str) -> None:
    results = run.CASES[name](TINY)
    assert results
    for result in results:
        if isinstance(result, run.Skipped):
            assert result.reason
            continue
        assert result.ours > 0 and result.baseline > 0 and math.isfinite(result.ratio)
        assert result.goal > 0 and result.goal_text


def test_baselines_write_what_procdsl_writes() -> None:
    # Hand-encoded: b64url("photo-bucket") and b64url("thumbs/2024/{barename}_800.webp"), unpadded.
    expected = (
        "image/resize,m_lfit,w_800,h_600/rotate,90/format,webp/quality,q_80"
        "|sys/saveas,b_cGhvdG8tYnVja2V0,o_dGh1bWJzLzIwMjQve2JhcmVuYW1lfV84MDAud2VicA"
    )
    assert run.fstring_image(800, 600, 80) == expected
    assert run.build_image(800, 600, 80) == expected
    assert run.build_doc("t1") == run.fstring_doc("t1")


def test_floor_writes_what_procdsl_writes_and_refuses_what_it_refuses() -> None:
    from benchmarks import handwritten

    # Hand-encoded: b64url("pages/{barename}_{index}.png") and b64url("t1").
    assert handwritten.doc_job("photo-bucket", "pages/{barename}_{index}.png", "t1") == (
        "doc/convert,target_png,source_docx|sys/saveas,b_cGhvdG8tYnVja2V0,o_cGFnZXMve2JhcmVuYW1lfV97aW5kZXh9LnBuZw"
        "/notify,topic_dDE"
    )
    assert handwritten.image_job(800, 600, 80, "photo-bucket", "thumbs/2024/{barename}_800.webp") == (
        run.fstring_image(800, 600, 80)
    )
    # The floor is only fair if it checks what procdsl checks on this path.
    refused: Tuple[Callable[[], object], ...] = (
        lambda: handwritten.image_job(0, 600, 80, "photo-bucket", "k"),
        lambda: handwritten.image_job(800, 600, 101, "photo-bucket", "k"),
        lambda: handwritten.image_job(800, 600, 80, "Photo_Bucket", "k"),
        lambda: handwritten.image_job(800, 600, 80, "photo-bucket", "/k"),
        lambda: handwritten.image_job(800, 600, 80, "photo-bucket", "{nope}.png"),
        lambda: handwritten.doc_job("photo-bucket", "k", "1topic"),
    )
    for bad in refused:
        with pytest.raises(ValueError):
            bad()


def test_naive_parser_reads_the_job() -> None:
    family, steps, sys_values = run.naive_parse(run.fstring_image(800, 600, 80))
    assert family == "image"
    assert steps[0] == ("resize", {"m": "lfit", "w": "800", "h": "600"})
    assert steps[1] == ("rotate", {"": "90"})
    assert sys_values == {"b": "photo-bucket", "o": "thumbs/2024/{barename}_800.webp"}


def test_importtime_reading() -> None:
    sample = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       120 |        120 |   procdsl.errors\n"
        "import time:       300 |       4500 | procdsl\n"
    )
    assert run.cumulative_ms(sample, "procdsl") == 4.5
    with pytest.raises(ValueError):
        run.cumulative_ms(sample, "procdsl.errors")


def test_table_marks_goals_and_skips() -> None:
    text = run.table([run.Row("a", 2e-6, 1e-6, 6.0, "<= 6x"), run.Skipped("b", "no peer")])
    assert "| a | 2.00 us | 1.00 us | 2.00x | <= 6x | yes |" in text
    assert "skipped: no peer" in text
