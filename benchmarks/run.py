"""procdsl against hand-written code and peer libraries: ``python benchmarks/run.py``.

Every row is a ratio measured in one run: the procdsl side and its baseline are
timed alternately (interleaved rounds, ``timeit``) and the medians compared, so
a busy machine slows both sides alike. Absolute times are printed for context
only; nothing here is a test (tests/test_benchmarks_smoke.py only checks that
each case still runs).

A case is a function registered with ``@case(...)`` that takes a ``Config`` and
returns rows; a case whose optional dependency is missing returns a ``Skipped``
row instead of failing, so later cases (signing, bulk submission) plug in the
same way.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import dataclasses
import functools
import importlib
import importlib.util
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__" and str(ROOT) not in sys.path:  # run as a script: import the working tree
    sys.path.insert(0, str(ROOT))

import procdsl  # noqa: E402
from benchmarks import handwritten  # noqa: E402
from procdsl import Doc, Image, parse  # noqa: E402
from procdsl._parser import read  # noqa: E402

__all__ = ["CASES", "Config", "Row", "Skipped", "case", "compare", "main", "run_cases", "table"]


@dataclasses.dataclass(frozen=True)
class Config:
    """How hard to measure: ``rounds`` interleaved pairs, each of ``number`` calls (0: calibrate)."""

    rounds: int = 7
    number: int = 0
    target: float = 0.05  # seconds per measurement when calibrating
    import_runs: int = 7


@dataclasses.dataclass(frozen=True)
class Row:
    """One measured comparison. ``ratio`` is procdsl time / baseline time; met when ``ratio <= goal``."""

    case: str
    ours: float  # seconds per call (median)
    baseline: float
    goal: float
    goal_text: str
    note: str = ""
    unit: str = "s"  # "B" for memory rows

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline > 0 else math.inf

    @property
    def met(self) -> bool:
        return self.ratio <= self.goal


@dataclasses.dataclass(frozen=True)
class Skipped:
    case: str
    reason: str


Result = Union[Row, Skipped]
CaseFn = Callable[[Config], List[Result]]
CASES: Dict[str, CaseFn] = {}


def case(name: str) -> Callable[[CaseFn], CaseFn]:
    """Register a benchmark case under ``name`` (run in registration order)."""

    def add(fn: CaseFn) -> CaseFn:
        CASES[name] = fn
        return fn

    return add


def _calibrate(fn: Callable[[], object], target: float) -> int:
    number = 1
    while True:
        took = timeit.Timer(fn).timeit(number)
        if took >= target / 5 or number >= 1_000_000:
            return max(1, int(number * target / max(took, 1e-9)))
        number *= 10


def measure(fns: Sequence[Callable[[], object]], config: Config) -> List[float]:
    """Median seconds per call of each function, timed in interleaved rounds (order rotated each round)."""
    numbers = [config.number or _calibrate(fn, config.target) for fn in fns]
    samples: List[List[float]] = [[] for _ in fns]
    order = list(range(len(fns)))
    for _ in range(max(1, config.rounds)):
        for i in order:
            samples[i].append(timeit.Timer(fns[i]).timeit(numbers[i]) / numbers[i])
        order = order[1:] + order[:1]
    return [statistics.median(s) for s in samples]


def compare(ours: Callable[[], object], baseline: Callable[[], object], config: Config) -> Tuple[float, float]:
    """Median seconds per call of ``ours`` and of ``baseline``, measured side by side."""
    a, b = measure([ours, baseline], config)
    return a, b


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


BUCKET, KEY, TOPIC = "photo-bucket", "thumbs/2024/{barename}_800.webp", "image-events"


def build_image(width: int, height: int, quality: int) -> str:
    """The typical thumbnail pipeline through procdsl."""
    pipeline = Image.resize(width=width, height=height, mode="lfit").rotate(90).format("webp").quality(relative=quality)
    return str(pipeline.save_as(BUCKET, KEY))


def fstring_image(width: int, height: int, quality: int) -> str:
    """The same string written by hand."""
    return (
        f"image/resize,m_lfit,w_{width},h_{height}/rotate,90/format,webp/quality,q_{quality}"
        f"|sys/saveas,b_{base64.urlsafe_b64encode(BUCKET.encode()).rstrip(b'=').decode()}"
        f",o_{base64.urlsafe_b64encode(KEY.encode()).rstrip(b'=').decode()}"
    )


def build_doc(topic: str) -> str:
    return str(Doc.convert(src="docx", to="png").save_as(BUCKET, "pages/{barename}_{index}.png").notify(topic))


def fstring_doc(topic: str) -> str:
    return (
        "doc/convert,target_png,source_docx"
        f"|sys/saveas,b_{base64.urlsafe_b64encode(BUCKET.encode()).rstrip(b'=').decode()}"
        f",o_{base64.urlsafe_b64encode(b'pages/{barename}_{index}.png').rstrip(b'=').decode()}"
        f"/notify,topic_{base64.urlsafe_b64encode(topic.encode()).rstrip(b'=').decode()}"
    )


def _same(ours: str, theirs: str) -> None:
    if ours != theirs:
        raise AssertionError(f"procdsl and the baseline disagree:\n  {ours}\n  {theirs}")


@case("build+str image pipeline + save-as vs f-string")
def image_vs_fstring(config: Config) -> List[Result]:
    name = "build+str image pipeline + save-as vs f-string"
    _same(build_image(800, 600, 80), fstring_image(800, 600, 80))
    ours, base = compare(lambda: build_image(800, 600, 80), lambda: fstring_image(800, 600, 80), config)
    return [Row(name, ours, base, 13.0, "<= 13x (1.3x the ~10x floor)", "context: the f-string checks nothing")]


@case("build+str image pipeline + save-as vs hand-specialised floor")
def image_vs_floor(config: Config) -> List[Result]:
    name = "build+str image pipeline + save-as vs hand-specialised floor"
    _same(build_image(800, 600, 80), handwritten.image_job(800, 600, 80, BUCKET, KEY))
    ours, base = compare(
        lambda: build_image(800, 600, 80), lambda: handwritten.image_job(800, 600, 80, BUCKET, KEY), config
    )
    return [Row(name, ours, base, 1.3, "<= 1.3x", "benchmarks/handwritten.py: same checks, written by hand")]


THUMB = Image.resize(width=800, height=600, mode="lfit").rotate(90).format("webp").quality(relative=80)
THUMB_WIRE = "image/resize,m_lfit,w_800,h_600/rotate,90/format,webp/quality,q_80"


@case("prebuilt pipeline + per-object save-as vs f-string")
def prebuilt_vs_fstring(config: Config) -> List[Result]:
    """The recommended hot path: build the pipeline once, then only the save-as per object."""
    name = "prebuilt pipeline + per-object save-as vs f-string"
    keys = [f"thumbs/{n}.webp" for n in range(64)]
    bucket_b64 = _b64(BUCKET)

    def ours() -> str:
        return str(THUMB.save_as(BUCKET, keys[len(keys) - 1]))

    def theirs() -> str:
        return f"{THUMB_WIRE}|sys/saveas,b_{bucket_b64},o_{_b64(keys[len(keys) - 1])}"

    _same(ours(), theirs())
    a, b = compare(ours, theirs, config)
    return [Row(name, a, b, 5.0, "<= 5x", "the pipeline value is built once and reused (its string is cached)")]


@case("build+str doc convert + save-as + notify vs f-string")
def doc_vs_fstring(config: Config) -> List[Result]:
    _same(build_doc(TOPIC), fstring_doc(TOPIC))
    ours, base = compare(lambda: build_doc(TOPIC), lambda: fstring_doc(TOPIC), config)
    return [Row("build+str doc convert + save-as + notify vs f-string", ours, base, 13.0, "<= 13x (1.3x the floor)")]


DOC_KEY = "pages/{barename}_{index}.png"


@case("build+str doc convert + save-as + notify vs hand-specialised floor")
def doc_vs_floor(config: Config) -> List[Result]:
    name = "build+str doc convert + save-as + notify vs hand-specialised floor"
    _same(build_doc(TOPIC), handwritten.doc_job(BUCKET, DOC_KEY, TOPIC))
    ours, base = compare(lambda: build_doc(TOPIC), lambda: handwritten.doc_job(BUCKET, DOC_KEY, TOPIC), config)
    return [Row(name, ours, base, 1.3, "<= 1.3x", "benchmarks/handwritten.py: same checks, written by hand")]


def build_image_transformation(width: int, height: int, quality: int) -> str:
    return str(
        Image.resize(width=width, height=height, mode="lfit").rotate(90).format("webp").quality(relative=quality)
    )


@case("build+str image pipeline vs cloudinary")
def image_vs_cloudinary(config: Config) -> List[Result]:
    name = "build+str image pipeline vs cloudinary"
    try:  # untyped and optional (the bench extra): imported by name so mypy need not see it
        generate_transformation_string: Any = importlib.import_module("cloudinary.utils").generate_transformation_string
    except ImportError:
        return [Skipped(name, "cloudinary is not installed (pip install -e '.[bench]')")]

    def cloudinary_transformation(width: int, height: int, quality: int) -> str:
        # Chained like the OSS pipeline: fit inside w x h, then rotate 90, then WebP at quality q.
        steps = [
            {"width": width, "height": height, "crop": "fit"},
            {"angle": 90},
            {"fetch_format": "webp", "quality": quality},
        ]
        text, _ = generate_transformation_string(transformation=steps)
        return str(text)

    _same(cloudinary_transformation(800, 600, 80), "c_fit,h_600,w_800/a_90/f_webp,q_80")
    ours, base = compare(
        lambda: build_image_transformation(800, 600, 80), lambda: cloudinary_transformation(800, 600, 80), config
    )
    return [Row(name, ours, base, 1 / 10, "<= 0.1x (10x faster)")]


def naive_parse(text: str) -> Tuple[str, List[Tuple[str, Dict[str, str]]], Dict[str, str]]:
    """What one writes by hand: split on the separators, decode the save-as/notify base64."""
    main, _, tail = text.partition("|")
    family, *segments = main.split("/")
    steps: List[Tuple[str, Dict[str, str]]] = []
    for segment in segments:
        action, *params = segment.split(",")
        values: Dict[str, str] = {}
        for token in params:
            key, sep, value = token.partition("_")
            values[key if sep else ""] = value if sep else key
        steps.append((action, values))
    sys_values: Dict[str, str] = {}
    for segment in tail.split("/")[1:]:
        for token in segment.split(",")[1:]:
            key, _, value = token.partition("_")
            sys_values[key] = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    return family, steps, sys_values


@case("parse() vs naive split parser")
def parse_vs_naive(config: Config) -> List[Result]:
    rows: List[Result] = []
    texts = [("image job", fstring_image(800, 600, 80)), ("doc job", fstring_doc(TOPIC))]
    for label, text in texts:
        _same(str(parse(text)), text)
        if naive_parse(text)[2].get("o") is None:
            raise AssertionError(f"the naive parser lost the save-as key of {text}")
        ours, base = compare(lambda t=text: read(t), lambda t=text: naive_parse(t), config)  # type: ignore[misc]
        rows.append(Row(f"parse() {label} vs naive split", ours, base, 3.0, "<= 3x", "first reading (no cache)"))
        ours, base = compare(lambda t=text: parse(t), lambda t=text: naive_parse(t), config)  # type: ignore[misc]
        rows.append(Row(f"parse() {label} read again vs naive split", ours, base, 3.0, "<= 3x", "the value cache"))
    return rows


def import_ms(module: str, runs: int) -> List[float]:
    """Cumulative import time of ``module`` in fresh interpreters (``-X importtime``), in ms."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    # Measure what users get: modules read from bytecode (pip writes it for installed
    # packages), so let the working tree write its own and warm it up once.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-c", f"import {module}"], env=env, cwd=str(ROOT), check=True)
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            capture_output=True,
            text=True,
            env=env,
            cwd=str(ROOT),
            check=True,
        )
        times.append(cumulative_ms(done.stderr, module))
    return times


def cumulative_ms(importtime_output: str, module: str) -> float:
    """The cumulative time of the top-level ``module`` line of ``-X importtime`` output."""
    for line in importtime_output.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() == module and parts[2].startswith(" " + module):
            return int(parts[1]) / 1000.0
    raise ValueError(f"no top-level import of {module} in the -X importtime output")


@case("cold import procdsl")
def cold_import(config: Config) -> List[Result]:
    runs = max(1, config.import_runs)
    rows: List[Result] = []
    peer: Optional[List[float]] = None
    if importlib.util.find_spec("alibabacloud_oss_v2") is None:
        rows.append(Skipped("cold import procdsl vs alibabacloud_oss_v2", "alibabacloud-oss-v2 is not installed"))
    else:
        peer = []
    ours: List[float] = []
    for _ in range(runs):  # interleaved: one fresh interpreter each, alternating
        ours += import_ms("procdsl", 1)
        if peer is not None:
            peer += import_ms("alibabacloud_oss_v2", 1)
    ours_ms = statistics.median(ours)
    rows.insert(0, Row("cold import procdsl vs 30 ms budget", ours_ms / 1000, 0.030, 1.0, "< 30 ms"))
    if peer is not None:
        peer_s = statistics.median(peer) / 1000
        rows.append(Row("cold import procdsl vs alibabacloud_oss_v2", ours_ms / 1000, peer_s, 0.2, "< 0.2x"))
    return rows


def _raw_pipeline(n: int) -> str:
    return "image/" + "/".join(f"future-action,a_{i},b_x" for i in range(n))


def _image_pipeline(n: int) -> str:
    return "image/" + "/".join("resize,m_lfit,w_800,h_600/rotate,90" for _ in range(n // 2))


def _pages(n: int) -> str:
    return "doc/convert,target_png,pages_" + _b64(",".join(str(i + 1) for i in range(n)))


def _long_key(n: int) -> str:
    return "doc/convert,target_pdf|sys/saveas,o_" + _b64("k" * n)


@case("parse() linear time in input length")
def linearity(config: Config) -> List[Result]:
    """Time of parse(size 2n) / parse(size n): ~2 when linear, ~4 when quadratic."""
    inputs: List[Tuple[str, Callable[[int], str], int, bool]] = [
        ("image steps", _image_pipeline, 50, True),
        ("unknown actions, lenient", _raw_pipeline, 100, False),
        ("page list (base64)", _pages, 200, True),
        ("save-as key (base64, <=1023 B)", _long_key, 120, True),
    ]
    rows: List[Result] = []
    for label, make, n, strict in inputs:
        sizes = [n, 2 * n, 4 * n, 8 * n]
        texts = [make(size) for size in sizes]
        for text in texts:
            parse(text, strict=strict)
        times = measure([functools.partial(read, t, strict=strict) for t in texts], config)
        growth = [b / a for a, b in zip(times, times[1:])]
        worst = max(growth)
        note = f"n={n}..{8 * n} ({len(texts[0])}..{len(texts[-1])} chars); per doubling " + ", ".join(
            f"{g:.2f}x" for g in growth
        )
        # procdsl = t(8n); baseline = t(8n) / worst growth, so the ratio column shows the worst doubling.
        rows.append(
            Row(f"parse() growth per doubling: {label}", times[-1], times[-1] / worst, 2.5, "~2x (<= 2.5x)", note)
        )
    return rows


# ---- submit layer (issue 7): signing, bulk submission, memory -----------------------------------

SIGN_BUCKET, SIGN_KEY = "photo-bucket", "docs/in.docx"
SIGN_AT = datetime(2024, 1, 1, tzinfo=timezone.utc)


@case("sign AsyncProcessObject vs alibabacloud-oss-v2")
def sign_vs_oss_v2(config: Config) -> List[Result]:
    name = "sign AsyncProcessObject vs alibabacloud-oss-v2"
    try:
        from procdsl.submit import Credentials, Endpoint
        from procdsl.submit._requests import async_process_request, sign_request
    except ImportError:
        return [Skipped(name, "httpx is not installed (pip install -e '.[submit]')")]
    try:  # untyped and optional: imported by name so mypy need not see it
        v2: Any = importlib.import_module("alibabacloud_oss_v2")
        signer_mod: Any = importlib.import_module("alibabacloud_oss_v2.signer")
        types_mod: Any = importlib.import_module("alibabacloud_oss_v2.types")
    except ImportError:
        return [Skipped(name, "alibabacloud-oss-v2 is not installed (pip install -e '.[bench]')")]
    prepared = async_process_request(SIGN_BUCKET, SIGN_KEY, build_doc(TOPIC))
    endpoint = Endpoint.resolve("cn-hangzhou", None)
    ours_creds, their_creds = Credentials("ak", "sk"), v2.credentials.Credentials("ak", "sk")
    url = f"https://{SIGN_BUCKET}.oss-cn-hangzhou.aliyuncs.com/{SIGN_KEY}?x-oss-async-process="
    signer = signer_mod.SignerV4()

    def ours() -> Dict[str, str]:
        wire = sign_request(prepared, endpoint=endpoint, credentials=ours_creds, region="cn-hangzhou", now=SIGN_AT)
        return dict(wire.headers)

    def theirs() -> Dict[str, str]:
        request = types_mod.HttpRequest("POST", url, headers=dict(prepared.headers), body=prepared.body)
        signer.sign(
            types_mod.SigningContext(
                product="oss", region="cn-hangzhou", bucket=SIGN_BUCKET, key=SIGN_KEY, request=request,
                credentials=their_creds, signing_time=SIGN_AT,
            )
        )  # fmt: skip
        return dict(request.headers)

    _same(ours()["Authorization"], theirs()["Authorization"])
    a, b = compare(ours, theirs, config)
    return [Row(name, a, b, 0.5, "<= 0.5x (2x faster)", "the same request; Authorization asserted equal")]


@contextlib.contextmanager
def loopback_server() -> Iterator[str]:
    """A bare HTTP/1.1 server (tests/submit/faultserver.py, no fake) in its own process: its CPU is not ours."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.submit.faultserver"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=str(ROOT), env=env, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip()
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(10)


def _bulk_jobs(n: int) -> Iterator[Tuple[str, str, Any]]:
    job = Doc.convert(src="docx", to="pdf").save_as("out/{barename}.pdf")
    for i in range(n):
        yield "photo-bucket", f"bulk/{i}.docx", job


@contextlib.contextmanager
def _postgres() -> Iterator[Optional[str]]:
    """A private PostgreSQL server (pgserver, from the dev extra) in a temporary directory, or None."""
    try:
        pgserver: Any = importlib.import_module("pgserver")
        importlib.import_module("psycopg")
    except ImportError:
        yield None
        return
    home = tempfile.mkdtemp(prefix="procdsl-bench-pg-")
    os.chmod(home, 0o755)  # as root, pgserver runs PostgreSQL as the user "pgserver"
    server = pgserver.get_server(os.path.join(home, "data"), cleanup_mode="delete")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()
        shutil.rmtree(home, ignore_errors=True)


BULK_STORES = ("no journal (memory)", "JSONL journal", "SQLite", "PostgreSQL")


@case("bulk submit vs raw httpx.AsyncClient")
def bulk_vs_raw_httpx(config: Config) -> List[Result]:
    """Seconds per job over one run of ``n`` jobs at concurrency 16, per store; samples interleaved like ``measure``."""
    name = "bulk submit_many vs raw httpx.AsyncClient"
    try:
        import httpx

        from procdsl.submit import AsyncClient, Credentials, PostgresStore, RetryPolicy, SQLiteStore
    except ImportError:
        return [Skipped(name, "httpx is not installed (pip install -e '.[submit]')")]
    n = 2000 if config.number == 0 else 40
    concurrency = 16
    creds = Credentials("ak", "sk")
    rows: List[Result] = []

    async def raw(url: str) -> None:
        client = AsyncClient("cn-hangzhou", creds, url)
        wires = [client.sign(client.prepare_submit(b, k, j)) for b, k, j in _bulk_jobs(n)]  # pre-built
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(limits=limits) as http:
            queue = iter(wires)

            async def worker() -> None:
                for wire in queue:
                    response = await http.post(wire.url, headers=list(wire.headers), content=wire.body)
                    response.raise_for_status()

            await asyncio.gather(*(worker() for _ in range(concurrency)))

    async def ours(url: str, journal: Any) -> None:
        http = httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency))
        async with AsyncClient("cn-hangzhou", creds, url, http_client=http, retry=RetryPolicy(base_delay=0)) as c:
            async for result in c.submit_many(_bulk_jobs(n), concurrency=concurrency, journal=journal, progress=False):
                if result.outcome != "accepted":
                    raise AssertionError(f"bulk benchmark job failed: {result}")
        await http.aclose()

    def timed(fn: Callable[[], Any]) -> float:
        start = time.perf_counter()
        asyncio.run(fn())
        return (time.perf_counter() - start) / n

    with loopback_server() as url, tempfile.TemporaryDirectory() as tmp, _postgres() as pg:

        def store(kind: str, r: int) -> Any:
            """A fresh, empty store for one sample."""
            if kind == "JSONL journal":
                return os.path.join(tmp, f"run{r}.jsonl")
            if kind == "SQLite":
                return SQLiteStore(os.path.join(tmp, f"run{r}.sqlite"))
            if kind == "PostgreSQL":
                return PostgresStore(str(pg), table=f"bench{r}")
            return None

        kinds = [k for k in BULK_STORES if k != "PostgreSQL" or pg is not None]
        samples: Dict[str, List[float]] = {k: [] for k in ["raw", *kinds]}
        for r in range(max(1, config.rounds)):
            samples["raw"].append(timed(lambda: raw(url)))
            for kind in kinds:
                journal = store(kind, r)
                try:
                    samples[kind].append(timed(lambda j=journal: ours(url, j)))  # type: ignore[misc]
                finally:
                    if hasattr(journal, "close"):
                        journal.close()
    base = statistics.median(samples["raw"])
    note = f"{n} jobs, concurrency {concurrency}, loopback server in another process; per-job times"
    goal = "<= 1.25x (>= 0.8x throughput)"
    for kind in BULK_STORES:
        if kind not in samples:
            rows.append(Skipped(f"{name} ({n} jobs, {kind})", "pgserver/psycopg not installed (dev extra)"))
            continue
        detail = {"JSONL journal": "; fsynced, group commit", "SQLite": "; WAL, synchronous=FULL, group commit"}
        detail["PostgreSQL"] = "; local pgserver over a Unix socket, group commit"
        rows.append(Row(f"{name} ({n} jobs, {kind})", statistics.median(samples[kind]), base, 1.25, goal,
                        note + detail.get(kind, "")))  # fmt: skip
    return rows


class _NothingKept:
    """A JobStore that keeps its record elsewhere (as SQLite and PostgreSQL do): nothing per job in this process."""

    owner = "bench"

    def claim(self, tickets: Sequence[Any], resubmit_unknown: bool) -> List[None]:
        return [None] * len(tickets)

    def record(self, outcomes: Sequence[Any]) -> None:
        pass

    def lookup(self, job_id: str) -> None:
        return None

    def close(self) -> None:
        pass


@case("bulk submit memory: 100k vs 10k queued jobs")
def bulk_memory(config: Config) -> List[Result]:
    """tracemalloc peak of a whole submit_many run over a generator of jobs (in-process transport)."""
    name = "bulk submit_many memory peak"
    try:
        import httpx

        from procdsl.submit import AsyncClient, Credentials
    except ImportError:
        return [Skipped(name, "httpx is not installed (pip install -e '.[submit]')")]
    small, large = (10_000, 100_000) if config.number == 0 else (200, 2_000)
    answer = b'{"EventId":"1-E","RequestId":"R","TaskId":"T"}'
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=answer))

    async def run(n: int, journal: Any) -> None:
        async with AsyncClient("cn-hangzhou", Credentials("ak", "sk"), transport=transport) as c:
            async for _ in c.submit_many(_bulk_jobs(n), concurrency=16, progress=False, journal=journal):
                pass

    def peak(n: int, journal: Any) -> float:
        tracemalloc.start()
        try:
            asyncio.run(run(n, journal))
            return float(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()

    rows: List[Result] = []
    sides = (("engine, store kept elsewhere", _NothingKept()), ("no journal: in-run duplicate check", None))
    for label, journal in sides:
        peak(small, journal)  # warm caches (imports, interned strings) before measuring
        low, high = peak(small, journal), peak(large, journal)
        per_job = (high - low) / (large - small)
        note = f"tracemalloc peak {low / 1024:.0f} KiB for {small:,} jobs, {high / 1024:.0f} KiB for {large:,}: "
        note += f"{per_job:.0f} B per job"
        if journal is None:
            note += " (MemoryStore keeps one 128-bit id per job it has seen, to report duplicates)"
        rows.append(Row(f"{name} ({label}): {large:,} vs {small:,} jobs", high, low, 1.5, "<= 1.5x (flat)", note,
                        unit="B"))  # fmt: skip
    return rows


def run_cases(config: Config, names: Optional[Sequence[str]] = None) -> List[Result]:
    results: List[Result] = []
    for name, fn in CASES.items():
        if names and not any(wanted in name for wanted in names):
            continue
        results.extend(fn(config))
    return results


def _time(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} us"


def _amount(value: float, unit: str) -> str:
    return _time(value) if unit == "s" else f"{value / 1024:.0f} KiB"


def table(results: Sequence[Result]) -> str:
    """A Markdown table: case, procdsl time, baseline time, ratio, goal, met?"""
    lines = ["| case | procdsl | baseline | ratio | goal | met? |", "|---|---:|---:|---:|---|---|"]
    notes = []
    for r in results:
        if isinstance(r, Skipped):
            lines.append(f"| {r.case} | | | | | skipped: {r.reason} |")
            continue
        lines.append(
            f"| {r.case} | {_amount(r.ours, r.unit)} | {_amount(r.baseline, r.unit)} | {r.ratio:.2f}x | {r.goal_text} "
            f"| {'yes' if r.met else 'NO'} |"
        )
        if r.note:
            notes.append(f"- {r.case}: {r.note}")
    return "\n".join(lines + (["", *notes] if notes else []))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("cases", nargs="*", help="run only cases whose name contains one of these")
    parser.add_argument("--rounds", type=int, default=Config.rounds, help="interleaved rounds (median taken)")
    parser.add_argument("--number", type=int, default=0, help="calls per measurement (default: calibrate)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(CASES))
        return 0
    config = Config(rounds=args.rounds, number=args.number, import_runs=args.rounds)
    print(f"procdsl {procdsl.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(table(run_cases(config, args.cases)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
