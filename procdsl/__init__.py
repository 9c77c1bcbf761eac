"""procdsl: Alibaba Cloud OSS process strings as typed, immutable Python values.

>>> from procdsl import Doc
>>> str(Doc.convert(src="docx", to="png").save_as("test-bucket", "doc_images/{index}.png").notify("test-topic"))
'doc/convert,target_png,source_docx|sys/saveas,b_dGVzdC1idWNrZXQ,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify,topic_dGVzdC10b3BpYw'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _operations  # noqa: F401  (importing the catalogue registers every operation)
from ._builders import Audio, Doc, Hls, Image, PointCloud, Video
from ._declare import Operation
from ._diagnostics import Diagnostic, check
from ._operations.doc import Watermark as DocWatermark
from ._operations.image import WatermarkImage, WatermarkResize
from ._operations.pointcloud import Kdtree, Octree
from ._operations.sys import Notify, SaveAs
from ._operations.video import Clip, Pre, Sur
from ._parser import parse, parse_operation
from ._raw import RawOperation
from ._stages import (
    AsyncJob,
    AsyncOperation,
    GetProcess,
    IfStatus404,
    ImagePipeline,
    NotifyOperation,
    Process,
    Style,
    StyleJob,
    SyncJob,
    SyncProcess,
)
from ._variables import Var
from .errors import ProcessError, ProcessSyntaxError, ProcessValueError, SaveAsKeyWarning, StageError

if TYPE_CHECKING:
    from ._explain import Explanation, canonical, explain
    from ._pycode import to_python

__all__ = [
    "AsyncJob",
    "AsyncOperation",
    "Audio",
    "Clip",
    "Diagnostic",
    "Doc",
    "DocWatermark",
    "Explanation",
    "GetProcess",
    "Hls",
    "IfStatus404",
    "Image",
    "ImagePipeline",
    "Kdtree",
    "Notify",
    "NotifyOperation",
    "Octree",
    "Operation",
    "PointCloud",
    "Pre",
    "Process",
    "ProcessError",
    "ProcessSyntaxError",
    "ProcessValueError",
    "RawOperation",
    "SaveAs",
    "SaveAsKeyWarning",
    "StageError",
    "Style",
    "StyleJob",
    "Sur",
    "SyncJob",
    "SyncProcess",
    "Var",
    "Video",
    "WatermarkImage",
    "WatermarkResize",
    "canonical",
    "check",
    "explain",
    "parse",
    "parse_operation",
    "to_python",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``explain``, ``canonical``, ``Explanation`` and ``to_python``, imported on first use.

    They serve tools (the CLI, editors) and would cost ``import procdsl`` time.
    """
    if name in ("Explanation", "canonical", "explain"):
        from . import _explain

        return getattr(_explain, name)
    if name == "to_python":
        from . import _pycode

        return _pycode.to_python
    raise AttributeError(f"module 'procdsl' has no attribute {name!r}")
