"""Generate the operation reference from the operation definitions.

Used two ways: as an MkDocs hook (``hooks:`` in mkdocs.yml) that replaces the
``<!-- procdsl:reference -->`` marker in ``reference.md`` at build time, so the
reference can never drift from the code; and as a script,
``python docs/gen_reference.py``, that prints the same Markdown.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MARKER = "<!-- procdsl:reference -->"


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


def render_reference() -> str:
    """The reference as Markdown: one section per family, one table per operation."""
    from procdsl._catalog import build_spec

    spec = build_spec()
    lines: List[str] = [
        f"Generated from procdsl {spec['procdsl_version']} (spec format {spec['format_version']}). "
        "Each table lists the parameters in canonical (declared) order.",
        "",
    ]
    for family in spec["families"]:
        lines += [f"## {family['name']}", ""]
        for op in family["operations"]:
            header = op["header"]
            lines += [f"### `{op['name']}`", ""]
            if op["summary"]:
                lines += [op["summary"], ""]
            facts = [f"{op['processing']} (`{header}`)", f"Python: `{op['python']}`"]
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
                lines += ["No parameters.", ""]
                continue
            lines += [
                "| Python name | wire key | allowed values | default | description |",
                "|---|---|---|---|---|",
            ]
            for p in op["parameters"]:
                key = _code(p["key"]) if p["key"] else "*(positional)*"
                allowed = p["allowed"] + (" (URL-safe base64 on the wire)" if p["encoding"] != "plain" else "")
                doc = p["doc"] + (f" *Note: {p['note']}*" if p["note"] else "")
                lines.append(f"| `{p['name']}` | {key} | {_cell(allowed)} | {_cell(_default(p))} | {_cell(doc)} |")
            lines.append("")
    lines += ["## Save-as variables", "", ", ".join(f"`{{{v}}}`" for v in spec["save_as_variables"]), ""]
    return "\n".join(lines)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """MkDocs hook: fill the reference marker."""
    if MARKER in markdown:
        return markdown.replace(MARKER, render_reference())
    return markdown


if __name__ == "__main__":
    print(render_reference())
