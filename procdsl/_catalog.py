"""The operation catalogue as one JSON document (``procdsl spec``), and its JSON Schema.

Generated from the operation definitions, so SDKs in other languages, editors
and linters can read the same truth procdsl builds and parses with: every
family, action and parameter with its wire key, Python name, whether it is
positional, its type, range or enum values, default, encoding, sync/async
processing and documentation page.

``SPEC_FORMAT_VERSION`` changes only when the document's shape changes (a field
removed or its meaning changed); new fields and operations do not change it.
"""

from __future__ import annotations

from typing import Any, Dict, List, Type

from ._declare import Operation, all_operations
from ._variables import VARIABLES

__all__ = ["SPEC_FORMAT_VERSION", "SPEC_SCHEMA", "build_spec", "operation_spec", "param_spec"]

SPEC_FORMAT_VERSION = 1

_SCHEMA_ID = "https://procdsl.invalid/schema/spec-v1.json"


def param_spec(cls: Type[Operation], name: str) -> Dict[str, Any]:
    """One parameter of ``cls`` as a JSON-able dict."""
    p = cls.param(name)
    value = dict(p.codec.spec())
    return {
        "name": p.name,
        "key": p.key,
        "positional": p.positional,
        "python_positional": not p.kw_only,
        "required": p.required,
        "type": p.codec.kind,
        "value": value,
        "allowed": p.codec.describe(),
        "encoding": "base64url-nopad" if p.codec.base64 else "plain",
        "default": None if p.required else _jsonable(p.default),
        "server_default": p.server_default,
        "doc": p.doc,
        "note": p.note,
    }


def operation_spec(cls: Type[Operation]) -> Dict[str, Any]:
    """One operation class as a JSON-able dict."""
    doc = (cls.__doc__ or "").strip()
    return {
        "name": cls.wire_name(),
        "family": cls.family,
        "action": cls.action,
        "python": f"{cls.__module__}.{cls.__qualname__}",
        "processing": cls.processing,
        "header": "x-oss-async-process" if cls.processing == "async" else "x-oss-process",
        "result_via_notify": bool(cls.result_via_notify),
        "subsections": sorted(cls.subsections),
        "doc_url": cls.doc_url,
        "summary": doc.split("\n", 1)[0].replace("``", ""),
        "rules": [rule.text for rule in cls.rules],
        "parameters": [param_spec(cls, p.name) for p in cls.__params__],
    }


def build_spec() -> Dict[str, Any]:
    """The whole catalogue: ``{"format_version", "procdsl_version", "families", ...}``."""
    from . import __version__

    families: Dict[str, List[Dict[str, Any]]] = {}
    for cls in all_operations():
        families.setdefault(cls.family, []).append(operation_spec(cls))
    return {
        "$schema": _SCHEMA_ID,
        "format": "procdsl-spec",
        "format_version": SPEC_FORMAT_VERSION,
        "procdsl_version": __version__,
        "grammar": {
            "stage_separator": "|",
            "action_separator": "/",
            "parameter_separator": ",",
            "key_value_separator": "_ (the first one only)",
            "base64": "URL-safe alphabet, UTF-8 text, no padding on output; padding and +/ accepted on input",
        },
        "save_as_variables": sorted(VARIABLES),
        "families": [
            {"name": name, "operations": sorted(ops, key=lambda o: o["action"])}
            for name, ops in sorted(families.items())
        ],
    }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return repr(value)


_NULLABLE_STRING = {"type": ["string", "null"]}

SPEC_SCHEMA: Dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": _SCHEMA_ID,
    "title": "procdsl operation catalogue",
    "type": "object",
    "required": ["format", "format_version", "procdsl_version", "grammar", "save_as_variables", "families"],
    "properties": {
        "$schema": {"type": "string"},
        "format": {"const": "procdsl-spec"},
        "format_version": {"const": SPEC_FORMAT_VERSION},
        "procdsl_version": {"type": "string"},
        "grammar": {"type": "object", "additionalProperties": {"type": "string"}},
        "save_as_variables": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "families": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "operations"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
                    "operations": {"type": "array", "items": {"$ref": "#/$defs/operation"}},
                },
            },
        },
    },
    "additionalProperties": False,
    "$defs": {
        "operation": {
            "type": "object",
            "required": [
                "name",
                "family",
                "action",
                "python",
                "processing",
                "header",
                "result_via_notify",
                "subsections",
                "doc_url",
                "summary",
                "rules",
                "parameters",
            ],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z][a-z0-9-]*/[a-z][a-z0-9_-]*$"},
                "family": {"type": "string"},
                "action": {"type": "string"},
                "python": {"type": "string"},
                "processing": {"enum": ["sync", "async"]},
                "header": {"enum": ["x-oss-process", "x-oss-async-process"]},
                "result_via_notify": {"type": "boolean"},
                "subsections": {"type": "array", "items": {"type": "string"}},
                "doc_url": {"type": "string"},
                "summary": {"type": "string"},
                "rules": {"type": "array", "items": {"type": "string"}},
                "parameters": {"type": "array", "items": {"$ref": "#/$defs/parameter"}},
            },
        },
        "parameter": {
            "type": "object",
            "required": [
                "name",
                "key",
                "positional",
                "python_positional",
                "required",
                "type",
                "value",
                "allowed",
                "encoding",
                "default",
                "server_default",
                "doc",
                "note",
            ],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                "key": {"type": ["string", "null"], "pattern": "^[A-Za-z][A-Za-z0-9]*$"},
                "positional": {"type": "boolean"},
                "python_positional": {"type": "boolean"},
                "required": {"type": "boolean"},
                "type": {"type": "string"},
                "value": {
                    "type": "object",
                    "required": ["type"],
                    "properties": {
                        "type": {"type": "string"},
                        "min": {"type": ["number", "null"]},
                        "max": {"type": ["number", "null"]},
                        "unit": _NULLABLE_STRING,
                        "values": {"type": "array"},
                        "encoding": {"type": "string"},
                    },
                },
                "allowed": {"type": "string"},
                "encoding": {"enum": ["plain", "base64url-nopad"]},
                "default": {},
                "server_default": _NULLABLE_STRING,
                "doc": {"type": "string"},
                "note": {"type": "string"},
            },
        },
    },
}
