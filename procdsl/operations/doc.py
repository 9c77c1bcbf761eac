"""Document processing (``doc/``), backed by IMM.

``doc/convert`` page: https://help.aliyun.com/zh/oss/user-guide/document-conversion
(full parameter table: exactly ``target``, ``source``, ``pages``; media.md Part 3 §8).
"""

from __future__ import annotations

from typing import ClassVar, Optional

from typing_extensions import Literal

from ..codecs import B64Text, Choice
from ..spec import Operation, Processing, param

__all__ = ["Convert", "DocSource", "DocTarget"]

DocTarget = Literal["pdf", "png", "jpg", "txt"]
DocSource = Literal[
    # Word
    "doc", "docx", "wps", "wpss", "docm", "dotm", "dot", "dotx", "html",
    # PowerPoint
    "pptx", "ppt", "pot", "potx", "pps", "ppsx", "dps", "dpt", "pptm", "potm", "ppsm", "dpss",
    # Excel
    "xls", "xlt", "et", "ett", "xlsx", "xltx", "csv", "xlsb", "xlsm", "xltm", "ets",
    # PDF
    "pdf",
]  # fmt: skip

_PAGES = r"[1-9][0-9]*(-[1-9][0-9]*)?(,[1-9][0-9]*(-[1-9][0-9]*)?)*"


class Convert(Operation):
    """Convert an office document or PDF to PDF, PNG, JPG or TXT (asynchronous).

    Image targets write one object per page, so the save-as key should hold
    ``{index}``; a key without it gets a ``SaveAsKeyWarning``.
    """

    family: ClassVar[str] = "doc"
    action: ClassVar[str] = "convert"
    processing: ClassVar[Processing] = "async"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/user-guide/document-conversion"

    to: DocTarget = param(
        "target",
        Choice(DocTarget),
        doc="Output type. txt works for Word and PowerPoint sources only.",
    )
    src: Optional[DocSource] = param(
        "source",
        Choice(DocSource),
        default=None,
        doc="Source type, for objects whose name has no extension.",
        server_default="the object's extension",
    )
    pages: Optional[str] = param(
        "pages",
        B64Text(pattern=_PAGES, what="a page list such as 1,2,4-10"),
        default=None,
        doc="Pages to convert, e.g. '1,2,4-10'; sent URL-safe base64 (the list holds commas).",
        server_default="all pages",
    )

    def save_key_warning(self, key: str) -> Optional[str]:
        if self.to in ("png", "jpg") and "{index}" not in key:
            return (
                f"doc/convert to {self.to} writes one object per page, but the save-as key {key!r} "
                "has no {index}: every page after the first overwrites the one before"
            )
        return None
