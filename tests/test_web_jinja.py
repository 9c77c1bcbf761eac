"""procdsl.web's Jinja2 filters, rendered by Jinja2 itself (the ``jinja`` extra; in ``dev``)."""

from __future__ import annotations

from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Dict, List, Optional, Tuple

import pytest

from procdsl import Image
from procdsl.submit import Client, Credentials
from procdsl.web import Origin, SignedOrigin, install_jinja, srcset

jinja2 = pytest.importorskip("jinja2")  # the Python 3.9 CI run installs only the submit and test extras

CREDS = Credentials("AK", "SK")
T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


class Attributes(HTMLParser):
    """The attributes of every tag, unescaped as a browser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: List[Dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        self.found.append({k: v or "" for k, v in attrs})


def _attributes(html: str) -> List[Dict[str, str]]:
    parser = Attributes()
    parser.feed(html)
    return parser.found


def test_jinja_filters_write_src_and_srcset() -> None:
    env = jinja2.Environment(autoescape=True)
    cdn = Origin.domain("https://img.example.com")
    install_jinja(env, cdn)
    template = env.from_string(
        '<img src="{{ key | oss_url(thumb) }}" srcset="{{ key | oss_srcset(thumb, widths=[320, 640]) }}">'
        '<img srcset="{{ key | oss_srcset(thumb, width=200, quality={2: 50}) }}">'
    )
    thumb = Image.resize(width=100).format("webp")
    first, second = _attributes(template.render(key="cat.jpg", thumb=thumb))
    assert first["src"] == cdn.url("cat.jpg", thumb)
    assert first["srcset"] == srcset(cdn, "cat.jpg", thumb, widths=[320, 640])
    assert second["srcset"] == srcset(cdn, "cat.jpg", thumb, width=200, quality={2: 50})


def test_jinja_escapes_signed_urls_for_html() -> None:
    env = jinja2.Environment(autoescape=True)
    with Client("cn-hangzhou", CREDS, clock=lambda: T0) as client:
        signed = SignedOrigin(client, "bkt", expires=600, window=3600)
        install_jinja(env, Origin.domain("https://unused.example"))
        html = env.from_string('<img src="{{ "a.jpg" | oss_url("image/resize,w_10", source=signed) }}">').render(
            signed=signed
        )
        assert "&amp;x-oss-date=" in html  # & is escaped inside the attribute ...
        assert _attributes(html)[0]["src"] == signed.url("a.jpg", "image/resize,w_10")  # ... and reads back whole
