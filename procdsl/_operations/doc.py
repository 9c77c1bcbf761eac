"""Document processing (``doc/``), backed by IMM.

``doc/convert`` page: https://help.aliyun.com/zh/oss/user-guide/document-conversion
(its full parameter table has exactly ``target``, ``source``, ``pages``).
Synchronous ``doc/snapshot``, ``doc/preview`` and ``doc/edit`` are listed on
https://help.aliyun.com/en/oss/user-guide/synchronous-processing, which also documents
chaining them after ``doc/convert`` in one sync stage
(``doc/convert,target_jpg,source_docx/snapshot,target_jpg,source_docx,page_2``).
"""

from __future__ import annotations

from typing import ClassVar, Literal, Optional

from .._codecs import B64Text, Choice, Flag, HexColor, Int
from .._declare import ObjectTask, Operation, Section, param, section
from ..errors import ProcessValueError

__all__ = ["Convert", "DocSource", "DocTarget", "Edit", "Preview", "Snapshot", "SnapshotSource", "Watermark"]

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

# Word and PowerPoint sources: the only ones TXT output accepts (document-conversion page).
_TEXT_SOURCES = frozenset(("doc", "docx", "wps", "wpss", "docm", "dotm", "dot", "dotx", "html")) | frozenset(
    ("pptx", "ppt", "pot", "potx", "pps", "ppsx", "dps", "dpt", "pptm", "potm", "ppsm", "dpss")
)
# The seven inputs of https://www.alibabacloud.com/help/pt-br/oss/user-guide/document-snapshot.
SnapshotSource = Literal["pdf", "xlsx", "xls", "docx", "doc", "pptx", "ppt"]

_PAGES = r"[1-9][0-9]*(-[1-9][0-9]*)?(,[1-9][0-9]*(-[1-9][0-9]*)?)*"


class Convert(ObjectTask):
    """Convert an office document or PDF to PDF, PNG, JPG or TXT (asynchronous).

    Image targets write one object per page, so the save-as key should hold
    ``{index}``; a key without it gets a ``SaveAsKeyWarning``.
    """

    family: ClassVar[str] = "doc"
    action: ClassVar[str] = "convert"
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

    def _validate(self) -> None:
        # "txt ... only Word and PowerPoint sources": https://help.aliyun.com/zh/oss/user-guide/document-conversion
        if self.to == "txt" and self.src is not None and self.src not in _TEXT_SOURCES:
            raise ProcessValueError(
                f"doc/convert: target txt converts only Word and PowerPoint documents, not source {self.src}",
                param="to (target)",
                value=self.to,
                allowed="pdf, png or jpg for this source",
            )
        super()._validate()

    def save_key_warning(self, key: str) -> Optional[str]:
        if self.to in ("png", "jpg") and "{index}" not in key:
            return (
                f"doc/convert to {self.to} writes one object per page, but the save-as key {key!r} "
                "has no {index}: every page after the first overwrites the one before"
            )
        return None


class Snapshot(Operation):
    """One page of a document as an image (synchronous only; sources up to 20 MB).

    Page: https://www.alibabacloud.com/help/en/oss/user-guide/document-snapshot
    ("Document snapshots use synchronous processing only"; example
    ``doc/snapshot,target_jpg,source_docx,page_2`` = page 2 of a .docx as JPG).
    """

    family: ClassVar[str] = "doc"
    action: ClassVar[str] = "snapshot"
    doc_url: ClassVar[str] = "https://www.alibabacloud.com/help/en/oss/user-guide/document-snapshot"

    # Only the example names target; no page says it is required, so it is optional here.
    to: Optional[Literal["jpg", "png"]] = param(
        "target",
        Choice(Literal["jpg", "png"]),
        default=None,
        doc="Image type.",
        note="jpg is documented; png UNCERTAIN (accepted); optional (not stated as required).",
    )
    src: Optional[SnapshotSource] = param(
        "source",
        Choice(SnapshotSource),
        default=None,
        doc="Source type, for objects whose name has no extension.",
        note="pdf, xlsx, xls, docx, doc, pptx, ppt: https://www.alibabacloud.com/help/pt-br/oss/user-guide/document-snapshot",
    )
    # "默认首页从1开始,最大2000" (document-snapshot page, zh).
    page: Optional[int] = param(
        "page", Int(1, 2000), default=None, doc="1-based page number, at most 2000.", server_default="1"
    )


class Watermark(Section):
    """A text watermark over a previewed or edited document: ``/watermark,text_…``.

    UNCERTAIN: no OSS parameter table was reachable; keys and ranges follow third-party
    templates such as ``doc/preview,export_0,print_0,copy_0/watermark,text_…,color_#FFFFFF,rotate_156,size_30,t_60``:
    text (base64), size, t (opacity 0-100), color,
    rotate (0-360), type (font, base64).
    """

    action: ClassVar[str] = "watermark"

    text: str = param("text", B64Text(what="watermark text"), kw_only=False, doc="Watermark text.")
    size: Optional[int] = param("size", Int(1, None), default=None, doc="Font size.")
    opacity: Optional[int] = param("t", Int(0, 100), default=None, doc="Opacity 0-100.")
    color: Optional[str] = param("color", HexColor(hash_prefix=True), default=None, doc="Text colour.")
    rotate: Optional[int] = param("rotate", Int(0, 360), default=None, doc="Angle in degrees.")
    font: Optional[str] = param("type", B64Text(what="a font name"), default=None, doc="Font name.")


class Preview(Operation):
    """Online document preview (WebOffice), opened through a signed URL (synchronous).

    Page: https://help.aliyun.com/zh/oss/user-guide/online-object-preview. The flags and the
    ``/watermark`` segment are UNCERTAIN: no OSS page documents them; third-party strings only.
    """

    family: ClassVar[str] = "doc"
    action: ClassVar[str] = "preview"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/user-guide/online-object-preview"

    # UNCERTAIN (third-party strings only: doc/preview,export_1,print_1,copy_1).
    allow_export: Optional[bool] = param("export", Flag(), default=None, doc="Allow exporting (download).")
    allow_print: Optional[bool] = param("print", Flag(), default=None, doc="Allow printing.")
    allow_copy: Optional[bool] = param("copy", Flag(), default=None, doc="Allow copying text.")
    watermark: Optional[Watermark] = section(Watermark, default=None, doc="A text watermark.")


class Edit(Operation):
    """Online document editing (WebOffice), opened through a signed URL (synchronous).

    Page: https://help.aliyun.com/zh/oss/user-guide/online-file-editing. No parameter table was
    reachable: only the ``/watermark`` segment is modelled (UNCERTAIN); other keys parse leniently.
    """

    family: ClassVar[str] = "doc"
    action: ClassVar[str] = "edit"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/user-guide/online-file-editing"

    watermark: Optional[Watermark] = section(Watermark, default=None, doc="A text watermark.")
