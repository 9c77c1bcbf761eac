"""procdsl: Alibaba Cloud OSS process strings as typed, immutable Python values.

>>> from procdsl import Doc
>>> str(Doc.convert(src="docx", to="png").save_as("test-bucket", "doc_images/{index}.png").notify("test-topic"))
'doc/convert,target_png,source_docx|sys/saveas,b_dGVzdC1idWNrZXQ,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify,topic_dGVzdC10b3BpYw'
"""

from __future__ import annotations

from .builders import Audio, Doc, Hls, Image, Video
from .errors import ProcessError, ProcessSyntaxError, ProcessValueError, SaveAsKeyWarning, StageError
from .operations.doc import Watermark as DocWatermark
from .operations.image import WatermarkImage, WatermarkResize
from .operations.sys import Notify, SaveAs
from .operations.video import Clip, Pre, Sur
from .parser import parse, parse_operation
from .raw import RawOperation
from .spec import Operation
from .stages import (
    AsyncJob,
    AsyncOperation,
    GetProcess,
    IfStatus404,
    ImagePipeline,
    NotifyOperation,
    Process,
    Style,
    SyncJob,
    SyncProcess,
)
from .variables import Var

__all__ = [
    "AsyncJob",
    "AsyncOperation",
    "Audio",
    "Doc",
    "Clip",
    "DocWatermark",
    "GetProcess",
    "IfStatus404",
    "Pre",
    "Sur",
    "Hls",
    "Image",
    "ImagePipeline",
    "Notify",
    "NotifyOperation",
    "Operation",
    "Process",
    "ProcessError",
    "ProcessSyntaxError",
    "ProcessValueError",
    "RawOperation",
    "SaveAs",
    "SaveAsKeyWarning",
    "StageError",
    "Style",
    "SyncJob",
    "SyncProcess",
    "Var",
    "Video",
    "WatermarkImage",
    "WatermarkResize",
    "parse",
    "parse_operation",
]

__version__ = "0.1.0"
