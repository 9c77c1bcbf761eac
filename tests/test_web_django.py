"""The Django template tags of procdsl.web_django, rendered by Django's own engine."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any, Dict, List, Optional, Tuple

import pytest

from procdsl import Image
from procdsl.web import Origin, srcset

django = pytest.importorskip("django")  # the Python 3.9 CI run installs only the submit and test extras

from django.conf import settings  # noqa: E402
from django.template import TemplateSyntaxError, engines  # noqa: E402

if not settings.configured:
    settings.configure(
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {"libraries": {"procdsl": "procdsl.web_django"}},
            }
        ]
    )
    django.setup()

CDN = Origin.domain("https://img.example.com")
THUMB = Image.resize(width=100).format("webp")


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: List[Dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        self.found.append({k: v or "" for k, v in attrs})


def render(source: str, **context: Any) -> List[Dict[str, str]]:
    html = engines["django"].from_string("{% load procdsl %}" + source).render(context)
    parser = _Attributes()
    parser.feed(html)
    return parser.found


def test_oss_url_and_srcset_tags() -> None:
    [img] = render(
        '<img src="{% oss_url origin "cat.jpg" thumb %}"'
        ' srcset="{% oss_srcset origin "cat.jpg" thumb widths="320,640" %}">',
        origin=CDN,
        thumb=THUMB,
    )
    assert img["src"] == CDN.url("cat.jpg", THUMB)
    assert img["srcset"] == srcset(CDN, "cat.jpg", THUMB, widths=[320, 640])


def test_densities_and_process_strings() -> None:
    [img] = render(
        '<img srcset="{% oss_srcset origin key "image/resize,w_100/format,webp" width=200 densities="1,1.5,2" %}">',
        origin=CDN,
        key="a b.jpg",
    )
    assert img["srcset"] == srcset(CDN, "a b.jpg", THUMB, width=200, densities=(1, 1.5, 2))
    [plain] = render('<img src="{% oss_url origin "cat.jpg" %}">', origin=CDN)
    assert plain["src"] == "https://img.example.com/cat.jpg"


def test_bad_lists_are_template_errors() -> None:
    with pytest.raises(TemplateSyntaxError):
        render('{% oss_srcset origin "a.jpg" thumb widths="320,wide" %}', origin=CDN, thumb=THUMB)
