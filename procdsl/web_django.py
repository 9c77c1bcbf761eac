"""Django template tags for :mod:`procdsl.web`: ``oss_url`` and ``oss_srcset``.

Register the library in ``TEMPLATES[...]["OPTIONS"]["libraries"] = {"procdsl": "procdsl.web_django"}``
(no app to install), then::

    {% load procdsl %}
    <img src="{% oss_url origin "cat.jpg" thumb %}"
         srcset="{% oss_srcset origin "cat.jpg" thumb widths="320,640,960" %}">
    <img srcset="{% oss_srcset origin "cat.jpg" thumb width=300 densities="1,2,3" %}">

``origin`` is a context variable holding a ``procdsl.web.Origin`` or ``SignedOrigin``;
``thumb`` an image pipeline or a process string. Lists are comma-separated strings
or Python sequences. Output is escaped by Django's autoescaping like any tag's.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Union

from django import template

from ._parser import parse
from ._stages import GetProcess, ImagePipeline
from .errors import StageError
from .web import Density, URLSource, srcset

__all__ = ["oss_srcset", "oss_url", "register"]

register = template.Library()


def _numbers(value: Union[str, Sequence[Any]], what: str) -> List[float]:
    items = value.split(",") if isinstance(value, str) else list(value)
    try:
        return [float(item) for item in items]
    except (TypeError, ValueError):
        raise template.TemplateSyntaxError(f"{what} must be comma-separated numbers; got {value!r}") from None


def _pipeline(process: Union[ImagePipeline, str]) -> ImagePipeline:
    parsed = parse(process, context="sync") if isinstance(process, str) else process
    if not isinstance(parsed, ImagePipeline):
        raise StageError("oss_srcset needs an image pipeline (image/...)")
    return parsed


@register.simple_tag
def oss_url(source: URLSource, key: str, process: Union[GetProcess, str, None] = None) -> str:
    """The URL of ``key`` through ``source``, processed by ``process`` if given."""
    return source.url(key, process or None)


@register.simple_tag
def oss_srcset(
    source: URLSource,
    key: str,
    process: Union[ImagePipeline, str],
    widths: Union[str, Sequence[int], None] = None,
    width: Optional[int] = None,
    densities: Union[str, Sequence[Density]] = "1,2,3",
) -> str:
    """The ``srcset`` value of ``procdsl.web.srcset`` (``widths`` or ``width`` with ``densities``)."""
    pipeline = _pipeline(process)
    if widths is not None:
        return srcset(source, key, pipeline, widths=[int(w) for w in _numbers(widths, "widths")])
    dens: List[Density] = [int(d) if d.is_integer() else d for d in _numbers(densities, "densities")]
    return srcset(source, key, pipeline, width=None if width is None else int(width), densities=dens)
