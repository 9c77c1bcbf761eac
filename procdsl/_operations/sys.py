"""The ``sys`` stage: ``saveas`` and ``notify``.

Pages: https://www.alibabacloud.com/help/en/oss/user-guide/sys-or-saveas and
https://www.alibabacloud.com/help/en/oss/user-guide/message-notification.
"""

from __future__ import annotations

from typing import ClassVar, Optional

from .._declare import Operation, Processing, param
from .._variables import BucketName, ObjectKey, TopicName

__all__ = ["Notify", "SaveAs"]


class SaveAs(Operation):
    """Write the result to ``key`` in ``bucket`` (default: the source bucket)."""

    family: ClassVar[str] = "sys"
    action: ClassVar[str] = "saveas"
    doc_url: ClassVar[str] = "https://www.alibabacloud.com/help/en/oss/user-guide/sys-or-saveas"

    bucket: Optional[str] = param(
        "b",
        BucketName(),
        default=None,
        doc="Target bucket; same account and region as the source.",
        server_default="the source bucket",
    )
    key: str = param("o", ObjectKey(), doc="Target object key; may use {index}, {autoext}, {barename}, ...")


class Notify(Operation):
    """Send the task result to an SMQ (MNS) topic; async processing only.

    The official .NET V2 sample sends a bare ``/notify`` with no topic, so the
    topic is optional here (server acceptance unconfirmed; the notification page
    shows the abstract form ``|notify,topic_…``).
    """

    family: ClassVar[str] = "sys"
    action: ClassVar[str] = "notify"
    processing: ClassVar[Processing] = "async"
    doc_url: ClassVar[str] = "https://www.alibabacloud.com/help/en/oss/user-guide/message-notification"

    topic: Optional[str] = param("topic", TopicName(), default=None, doc="SMQ topic in the bucket's region.")
