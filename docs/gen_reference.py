"""Generate the operation reference and the list of builders from the operation definitions.

Used two ways: as an MkDocs hook (``hooks:`` in mkdocs.yml) that replaces the
``<!-- procdsl:reference -->`` marker in ``reference.md`` and the ``<!-- procdsl:builders -->``
marker in ``api-builders.md`` at build time, so neither can drift from the code; and as a
script, ``python docs/gen_reference.py``, that prints the reference.

Operations are listed by the names users call (``Image.resize``, ``Video.convert``), each with
its wire name (``image/resize``) and Python signature.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MARKER = "<!-- procdsl:reference -->"
BUILDERS_MARKER = "<!-- procdsl:builders -->"
#: Operations reached through a stage method rather than a builder.
STAGE_METHODS = {"sys/saveas": ".save_as", "sys/notify": ".notify"}


def _cell(text: Any) -> str:
    shown = "" if text is None else str(text)
    return shown.replace("|", "\\|").replace("\n", " ")


def _code(text: Any) -> str:
    return f"`{text}`" if text not in (None, "") else ""


def _default(param: Dict[str, Any]) -> str:
    if param["required"]:
        return "**required**"
    parts = []
    if param["default"] is not None:
        parts.append(f"`{param['default']!r}`")
    if param["server_default"]:
        parts.append(f"server: {param['server_default']}")
    return "; ".join(parts) or "not sent"


def user_names() -> Dict[Any, str]:
    """Operation class -> the name users call: ``Image.resize``, ``Doc.convert``, ``.save_as``."""
    from procdsl._builders import entry_points as builders
    from procdsl._operations.sys import Notify, SaveAs

    names: Dict[Any, str] = {SaveAs: ".save_as", Notify: ".notify"}
    for name, builder in builders():
        op = builder.op if hasattr(builder, "op") else builder.step.op
        names.setdefault(op, name)
    return names


def call(name: str, cls: Any) -> str:
    """``Image.resize(*, mode=None, width=None, …)``: the call as ``inspect.signature`` gives it,
    without annotations and without the ``extra`` every operation takes."""
    import inspect

    signature = inspect.signature(cls)
    parameters = [p.replace(annotation=p.empty) for p in signature.parameters.values() if p.name != "extra"]
    return name + str(signature.replace(parameters=parameters, return_annotation=signature.empty))


def _operation(op: Dict[str, Any], cls: Any, name: str, level: str = "###") -> List[str]:
    lines = [f"{level} `{name}` · `{op['name']}`", ""]
    if op["summary"]:
        lines += [op["summary"], ""]
    if not name.startswith("."):
        lines += ["```python", call(name, cls), "```", ""]
    facts = [f"{op['processing']} (`{op['header']}`)"]
    if op["doc_url"]:
        facts.append(f"[OSS documentation]({op['doc_url']})")
    if op["result_via_notify"]:
        facts.append("result delivered by notification only")
    if op["subsections"]:
        facts.append("segments: " + ", ".join(f"`/{s}`" for s in op["subsections"]))
    lines += [" · ".join(facts), ""]
    for rule in op["rules"]:
        lines.append(f"- Rule: {rule}")
    if op["rules"]:
        lines.append("")
    if not op["parameters"]:
        return [*lines, "No parameters.", ""]
    lines += [
        "| Python name | wire key | allowed values | default | description |",
        "|---|---|---|---|---|",
    ]
    for p in op["parameters"]:
        key = _code(p["key"]) if p["key"] else "*(positional)*"
        allowed = p["allowed"] + (" (URL-safe base64 on the wire)" if p["encoding"] != "plain" else "")
        doc = p["doc"] + (f" *Note: {p['note']}*" if p["note"] else "")
        lines.append(f"| `{p['name']}` | {key} | {_cell(allowed)} | {_cell(_default(p))} | {_cell(doc)} |")
    return [*lines, ""]


def render_reference() -> str:
    """The reference as Markdown: one section per family, one table per operation."""
    from procdsl import WatermarkResize
    from procdsl._catalog import build_spec, operation_spec
    from procdsl._declare import lookup

    spec = build_spec()
    names = user_names()
    lines: List[str] = [
        f"Generated from procdsl {spec['procdsl_version']} (spec format {spec['format_version']}). "
        "Each operation is listed by the name you call, then its wire name; each table lists the "
        "parameters in canonical (declared) order.",
        "",
    ]
    for family in spec["families"]:
        lines += [f"## {family['name']}", ""]
        for op in family["operations"]:
            cls = lookup(op["family"], op["action"])
            lines += _operation(op, cls, names.get(cls, op["python"]))
        if family["name"] == "image":
            lines += [
                "### `WatermarkResize` · `image/resize` inside a watermark",
                "",
                "The preprocessing of a watermark image (`WatermarkImage(key, process)`) may resize it; "
                "there `resize` also takes `P` (`main_percent`), a percentage of the *main* image. "
                "`WatermarkImage` stores any `Resize` given there as the equal `WatermarkResize`.",
                "",
                "```python",
                "from procdsl import Image, WatermarkImage, WatermarkResize",
                "",
                'Image.watermark(image=WatermarkImage("panda.png", WatermarkResize(main_percent=30)))',
                "```",
                "",
            ]
            lines += _operation(operation_spec(WatermarkResize), WatermarkResize, "WatermarkResize", "####")[2:]
    lines += ["## Save-as variables", "", ", ".join(f"`{{{v}}}`" for v in spec["save_as_variables"]), ""]
    return "\n".join(lines)


def render_builders() -> str:
    """Every entry point by namespace: its call, what it returns and a link to its reference."""
    import inspect

    from procdsl._builders import entry_points as builders

    lines: List[str] = []
    namespace = ""
    for name, builder in builders():
        label = name.split(".")[0]
        if label != namespace:
            namespace = label
            lines += [f"## {label}", ""]
        op = builder.op if hasattr(builder, "op") else builder.step.op
        returns = inspect.signature(builder).return_annotation.__name__
        summary = (op.__doc__ or "").strip().split("\n", 1)[0].replace("``", "`")
        lines += [
            f"### `{name}`",
            "",
            "```python",
            call(name, op) + f" -> {returns}",
            "```",
            "",
            f"{summary} Wire name `{op.wire_name()}`; returns [`{returns}`](api-stages.md). "
            f"Parameters: [reference](reference.md#{_anchor(name, op.wire_name())}).",
            "",
        ]
    return "\n".join(lines)


def _anchor(name: str, wire: str) -> str:
    """The id MkDocs' toc gives the heading ``Image.resize · image/resize`` (Python-Markdown's
    default ``slugify``, restated so the tests need no Markdown installed)."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", f"{name} · {wire}").encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """MkDocs hook: fill the reference and builders markers."""
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, render_reference())
    if BUILDERS_MARKER in markdown:
        markdown = markdown.replace(BUILDERS_MARKER, render_builders())
    return markdown


if __name__ == "__main__":
    print(render_reference())
