"""``SaveAsKeyWarning`` names the caller's line, whatever path built the value.

Each statement that must warn carries a ``# W:<name>`` marker; the warning's ``filename`` must
be this file and its ``lineno`` the marked line (not a line inside procdsl, ``copy`` or
``pickle``).
"""

from __future__ import annotations

import copy
import pickle
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator, List, Tuple

import pytest

from procdsl import AsyncJob, Doc, SaveAs, SaveAsKeyWarning, Video, parse
from procdsl._operations import video

pytestmark = pytest.mark.filterwarnings("always::procdsl.errors.SaveAsKeyWarning")

SOURCE = Path(__file__).read_text(encoding="utf-8").splitlines()


def marked(name: str) -> int:
    (line,) = [n for n, text in enumerate(SOURCE, 1) if text.rstrip().endswith(f"# W:{name}")]
    return line


def caught(action: Callable[[], Any]) -> List[Tuple[str, int]]:
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        action()
    assert records, "expected a SaveAsKeyWarning"
    assert all(issubclass(r.category, SaveAsKeyWarning) for r in records)
    return [(r.filename, r.lineno) for r in records]


def quiet_job() -> AsyncJob:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaveAsKeyWarning)
        return Video.snapshots(format="jpg", interval=1000).save_as("frames/shot.jpg")


def test_builder_then_save_as() -> None:
    def build() -> None:
        Video.snapshots(format="jpg", interval=1000).save_as("frames/shot.jpg")  # W:builder

    assert caught(build) == [(__file__, marked("builder"))]


def test_save_as_with_keywords_and_a_bucket() -> None:
    operation = Doc.convert(to="png")

    def build() -> None:
        operation.save_as(bucket="my-bucket", key="doc/page.png")  # W:keywords

    assert caught(build) == [(__file__, marked("keywords"))]


def test_job_built_by_hand() -> None:
    op = video.Sprite(format="jpg", interval=1000)

    def build() -> None:
        AsyncJob(op, SaveAs(key="sprite.jpg"))  # W:by-hand

    assert caught(build) == [(__file__, marked("by-hand"))]


def test_parse() -> None:
    def read() -> None:
        parse("doc/convert,target_png|sys/saveas,o_YS5wbmc")  # W:parse

    def read_leniently() -> None:
        parse("video/snapshots,f_jpg,inter_1000,zz_1|sys/saveas,o_YS5qcGc", strict=False)  # W:lenient

    assert caught(read) == [(__file__, marked("parse"))]
    assert caught(read_leniently) == [(__file__, marked("lenient"))]


def test_copies_and_derived_jobs() -> None:
    job = quiet_job()

    def shallow() -> None:
        copy.copy(job)  # W:copy

    def deep() -> None:
        copy.deepcopy(job)  # W:deepcopy

    def unpickled() -> None:
        pickle.loads(pickle.dumps(job))  # W:pickle

    assert caught(shallow) == [(__file__, marked("copy"))]
    assert caught(deep) == [(__file__, marked("deepcopy"))]
    assert caught(unpickled) == [(__file__, marked("pickle"))]


def test_from_a_generator_frame() -> None:
    def jobs() -> Iterator[AsyncJob]:
        yield Video.sprite(format="jpg", interval=500).save_as("s.jpg")  # W:generator

    assert caught(lambda: list(jobs())) == [(__file__, marked("generator"))]


def test_canonical_and_notify_do_not_warn_again() -> None:
    job = quiet_job()  # warned when it was built
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        job.canonical()
        job.notify("topic")
