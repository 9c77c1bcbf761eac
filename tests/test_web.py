"""procdsl.web: origins, srcset, cache-stable signed URLs, and the Jinja2 filters."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from typing import List, Tuple
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procdsl import Image, ImagePipeline, ProcessError, Style, parse
from procdsl.submit import Client, Credentials
from procdsl.testing import FakeOSS
from procdsl.web import Origin, SignedOrigin, srcset, window_start, with_width

CREDS = Credentials("AK", "SK")
T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)  # a window start for 1-hour windows


def candidates(value: str) -> List[Tuple[str, str]]:
    """Split a srcset value the way browsers do when no URL contains a comma: (url, descriptor) pairs."""
    out = []
    for candidate in value.split(","):
        url, descriptor = candidate.split()
        out.append((url, descriptor))
    return out


def process_of(url: str) -> ImagePipeline:
    [text] = parse_qs(urlsplit(url).query)["x-oss-process"]
    parsed = parse(text)
    assert isinstance(parsed, ImagePipeline)
    return parsed


# -- unsigned origins -----------------------------------------------------------------------


def test_a_public_bucket_url_at_its_oss_domain() -> None:
    url = Origin.oss("examplebucket", "cn-hangzhou").url("example.jpg", Image.resize(width=100))
    # The image-processing pages' URL form: https://<bucket>.oss-<region>.aliyuncs.com/<key>?x-oss-process=image/resize,w_100
    assert url == "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/example.jpg?x-oss-process=image%2Fresize%2Cw_100"
    assert unquote(url).endswith("example.jpg?x-oss-process=image/resize,w_100")
    assert Origin.oss("examplebucket", "cn-beijing", internal=True).url("a b/ç.jpg") == (
        "https://examplebucket.oss-cn-beijing-internal.aliyuncs.com/a%20b/%C3%A7.jpg"
    )


def test_a_cdn_domain_and_styles_and_strings() -> None:
    cdn = Origin.domain("https://img.example.com/")
    assert cdn.url("cat.jpg", Style("small")) == "https://img.example.com/cat.jpg?x-oss-process=style%2Fsmall"
    assert (
        cdn.url("cat.jpg", "image/resize,w_10") == "https://img.example.com/cat.jpg?x-oss-process=image%2Fresize%2Cw_10"
    )
    with pytest.raises(ProcessError):
        cdn.url("cat.jpg", "image/resize,w_0")  # checked like any process
    with pytest.raises(ProcessError):
        cdn.url("cat.jpg", "image/resize,w_10|sys/saveas,o_dGVzdC5qcGc")  # a save is not a GET
    for bad in ("img.example.com", "https://img.example.com/path", "ftp://x"):
        with pytest.raises(ProcessError):
            Origin.domain(bad)
    with pytest.raises(ProcessError):
        Origin.oss("Bad_Bucket")
    with pytest.raises(ProcessError):
        cdn.url("/leading-slash.jpg")


# -- srcset ---------------------------------------------------------------------------------


def test_srcset_over_widths_parses_back_to_the_pipeline_with_each_width() -> None:
    thumb = Image.resize(width=100).format("webp").quality(relative=80)
    value = srcset(Origin.domain("https://img.example.com"), "cat.jpg", thumb, widths=[320, 640, 1280])
    pairs = candidates(value)
    assert [d for _, d in pairs] == ["320w", "640w", "1280w"]
    expected = [Image.resize(width=w).format("webp").quality(relative=80) for w in (320, 640, 1280)]
    assert [process_of(url) for url, _ in pairs] == expected
    assert "," not in "".join(url for url, _ in pairs)  # commas are %2C, so the value splits cleanly


@settings(max_examples=40, deadline=None)
@given(
    widths=st.lists(st.integers(1, 16384), min_size=1, max_size=5),
    key=st.text(min_size=1, max_size=20).filter(lambda k: k[0] not in "/\\"),
)
def test_any_widths_and_keys_round_trip(widths: List[int], key: str) -> None:
    value = srcset(
        Origin.domain("https://i.example"), key, Image.resize(width=10, height=10, mode="pad"), widths=widths
    )
    pairs = candidates(value)
    assert [d for _, d in pairs] == [f"{w}w" for w in widths]
    for (url, _), w in zip(pairs, widths):
        step = process_of(url).steps[0]
        assert step == Image.resize(width=w, height=w, mode="pad").steps[0]  # square stays square
        assert unquote(urlsplit(url).path) == "/" + key


def test_srcset_adds_a_resize_when_the_pipeline_has_none() -> None:
    value = srcset(Origin.domain("https://img.example.com"), "cat.jpg", Image.format("webp"), widths=[480])
    [(url, descriptor)] = candidates(value)
    assert descriptor == "480w" and process_of(url) == Image.resize(width=480).format("webp")


def test_srcset_over_densities_with_per_density_quality() -> None:
    thumb = Image.resize(width=200, height=100, mode="fill").format("jpg")
    value = srcset(Origin.domain("https://img.example.com"), "c.jpg", thumb, width=300, quality={2: 60, 3: 40})
    pairs = candidates(value)
    assert [d for _, d in pairs] == ["1x", "2x", "3x"]
    assert [process_of(url) for url, _ in pairs] == [
        Image.resize(width=300, height=150, mode="fill").format("jpg"),  # aspect ratio 2:1 kept
        Image.resize(width=600, height=300, mode="fill").format("jpg").quality(absolute=60),
        Image.resize(width=900, height=450, mode="fill").format("jpg").quality(absolute=40),
    ]
    half = srcset(Origin.domain("https://i.example"), "c.jpg", thumb, width=100, densities=(1, 1.5))
    assert [d for _, d in candidates(half)] == ["1x", "1.5x"]
    assert process_of(candidates(half)[1][0]).steps[0] == Image.resize(width=150, height=75, mode="fill").steps[0]


def test_srcset_rejects_bad_requests() -> None:
    origin = Origin.domain("https://i.example")
    thumb = Image.resize(width=10)
    with pytest.raises(TypeError):
        srcset(origin, "a.jpg", thumb)
    with pytest.raises(TypeError):
        srcset(origin, "a.jpg", thumb, widths=[1], width=1)
    with pytest.raises(ProcessError):
        srcset(origin, "a.jpg", thumb, widths=[])
    with pytest.raises(ProcessError):
        srcset(origin, "a.jpg", thumb, widths=[20000])  # beyond resize's 16384 px
    with pytest.raises(ProcessError):
        srcset(origin, "a.jpg", thumb, width=10, densities=(0,))
    assert with_width(Image.resize(percent=50), 64) == Image.resize(width=64)


# -- signed, cache-stable URLs --------------------------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_signed_urls_in_one_window_are_identical_and_valid_for_the_requested_time() -> None:
    clock = Clock(T0 + timedelta(minutes=5))
    fake = FakeOSS(CREDS, clock=clock)
    fake.put_object("bkt", "cat.jpg", b"PIXELS")
    with Client("cn-hangzhou", CREDS, transport=fake.transport(), clock=clock) as client:
        origin = SignedOrigin(client, "bkt", expires=600, window=timedelta(hours=1))
        first = origin.url("cat.jpg", Image.resize(width=100))
        clock.now = T0 + timedelta(minutes=59, seconds=59)
        second = origin.url("cat.jpg", Image.resize(width=100))
        clock.now = T0 + timedelta(hours=1)
        third = origin.url("cat.jpg", Image.resize(width=100))
    assert first == second != third
    query = parse_qs(urlsplit(first).query)
    assert query["x-oss-date"] == ["20240501T120000Z"] and query["x-oss-expires"] == [str(600 + 3600)]

    with httpx.Client(transport=fake.transport()) as http:
        # Asked for at the very end of the window, the URL still works the requested 600 s later ...
        fake.clock = lambda: T0 + timedelta(minutes=59, seconds=59) + timedelta(seconds=600)
        assert http.get(second).content == b"PIXELS"
        # ... and the stand-in refuses it once the signed lifetime is over.
        fake.clock = lambda: T0 + timedelta(seconds=4200 + 1)
        assert http.get(second).status_code == 403


def test_without_a_window_each_second_signs_anew() -> None:
    clock = Clock(T0)
    with Client("cn-hangzhou", CREDS, transport=FakeOSS(CREDS).transport(), clock=clock) as client:
        origin = SignedOrigin(client, "bkt", expires=60)
        first = origin.url("a.jpg", Style("s"))
        clock.now = T0 + timedelta(seconds=1)
        assert origin.url("a.jpg", Style("s")) != first
        assert parse_qs(urlsplit(first).query)["x-oss-expires"] == ["60"]
        with pytest.raises(TypeError):
            origin.url("a.jpg")
        with pytest.raises(ProcessError):
            SignedOrigin(client, "bkt", expires=7 * 24 * 3600, window=1)
        with pytest.raises(ProcessError):
            SignedOrigin(client, "bkt", window=0)


def test_sign_url_signed_at_is_deterministic() -> None:
    with Client("cn-hangzhou", CREDS, clock=lambda: T0 + timedelta(days=3)) as client:
        a = client.sign_url("bkt", "a.jpg", Style("s"), 60, signed_at=T0)
        b = client.sign_url("bkt", "a.jpg", Style("s"), 60, signed_at=T0)
    assert a == b and parse_qs(urlsplit(a).query)["x-oss-date"] == ["20240501T120000Z"]


def test_window_start() -> None:
    assert window_start(T0 + timedelta(minutes=30, seconds=5), 3600) == T0
    assert window_start(T0, 3600) == T0
    with pytest.raises(ValueError):
        window_start(datetime(2024, 1, 1), 60)


def test_layers_web_and_events_need_neither_httpx_nor_the_submit_layer() -> None:
    code = (
        "import sys, procdsl\n"
        "assert 'procdsl.web' not in sys.modules and 'procdsl.events' not in sys.modules\n"
        "import procdsl.web, procdsl.events\n"
        "from procdsl.web import Origin, srcset\n"
        "from procdsl import Image\n"
        "srcset(Origin.domain('https://i.example'), 'a.jpg', Image.resize(width=1), widths=[1])\n"
        "bad = [m for m in ('httpx', 'procdsl.submit', 'jinja2', 'django') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_infinite_density_and_a_malformed_region_are_value_errors() -> None:
    from procdsl import ProcessValueError

    with pytest.raises(ProcessValueError, match="finite"):
        srcset(Origin.oss("my-bucket"), "a.jpg", Image.resize(width=1), width=300, densities=(float("inf"),))
    for region in ("cn hangzhou", "CN-HANGZHOU", "oss-cn-hangzhou", ""):
        with pytest.raises(ProcessValueError, match="region"):
            Origin.oss("my-bucket", region)
