"""The other end of an asynchronous job: the SMQ (MNS) message that reports its result.

A job sent with ``.notify(topic)`` ends in a message on that topic. Its body is the IMM
notification envelope, documented on the IMM page "asynchronous notification message
format" (https://help.aliyun.com/document_detail/2743997.html)::

    {"id": "...", "source": "acs.imm", "type": "imm:Task:MediaConvert", "subject": "...",
     "time": "1724133063161", "content": "{\\"TaskId\\": ..., \\"Status\\": \\"Succeeded\\", ...}"}

where ``content`` is JSON again, escaped inside a string. :func:`parse_event` reads it,
whichever way a consumer receives it: the body itself, base64-encoded (how SMQ queue
subscriptions commonly deliver it), or wrapped in SMQ's JSON or XML notification format
(``NotifyContentFormat``: https://www.alibabacloud.com/help/en/mns/developer-reference/notifycontentformat),
and also a bare ``content`` object as the per-task examples of the IMM page show it.

>>> from procdsl.events import parse_event                           # doctest: +SKIP
>>> event = parse_event(message_body)                                # doctest: +SKIP
>>> event.succeeded, event.task_id, [t.key for t in event.targets]   # doctest: +SKIP

Anything unreadable raises :class:`procdsl.errors.EventError` (a ``ProcessError``), never
a ``KeyError`` or ``JSONDecodeError``. That OSS-started tasks (``x-oss-async-process``)
use this IMM envelope is inferred, not stated by OSS: their task ids are IMM task ids
(``MediaConvert-…``) and the OSS notification page names no other format.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import re
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Union

from ._saveas import pattern, source_values
from ._stages import AsyncJob
from .errors import EventError

__all__ = ["EventError", "ObjectRef", "TaskEvent", "parse_event"]

Message = Union[str, bytes, Mapping[str, Any]]

_ENVELOPE = ("id", "source", "type", "subject", "time", "content")
_CONTENT = (
    "TaskId",
    "TaskType",
    "Status",
    "Code",
    "Message",
    "RequestId",
    "StartTime",
    "EndTime",
    "UserData",
    "Sources",
    "Targets",
)
_MAPPINGS = ("extra", "envelope_extra", "content")
# Fields that only a task's content has: an object with one of them and no "content" is a bare content.
_CONTENT_MARKERS = ("TaskId", "TaskType", "Status", "StartTime", "ProjectName")

_URI = re.compile(r"oss://([^/]+)/(.+)", re.DOTALL)
# RFC 3339 as IMM writes it: "2024-08-20T07:03:07.36Z", "2023-01-04T13:17:00.270148129+08:00".
_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))"
)


@dataclasses.dataclass(frozen=True)
class ObjectRef:
    """An OSS object named in a message: ``oss://<bucket>/<key>``."""

    bucket: str
    key: str

    @property
    def uri(self) -> str:
        return f"oss://{self.bucket}/{self.key}"

    @classmethod
    def from_uri(cls, uri: str) -> ObjectRef:
        """Read ``oss://bucket/key``; raises ``EventError`` for anything else."""
        match = _URI.fullmatch(uri) if isinstance(uri, str) else None
        if match is None:
            raise EventError(f"not an OSS URI (oss://bucket/key): {uri!r}")
        return cls(match.group(1), match.group(2))

    def __str__(self) -> str:
        return self.uri


@dataclasses.dataclass(frozen=True)
class TaskEvent:
    """One task result, as read from its notification message.

    Envelope: ``id``, ``source`` (``acs.imm``), ``type`` (``imm:Task:<TaskType>``),
    ``subject``, ``time`` (when the message was made). Content: the task's id, type,
    ``status`` (``Succeeded``, ``Failed``, …), ``code`` and ``message`` (empty on
    success), ``start_time``/``end_time``, ``user_data``, and the objects read
    (``sources``) and written (``targets``: every ``oss://`` URI under ``Targets``).
    Times are aware datetimes (UTC unless the message gives an offset); absent ones
    are ``None``, absent strings ``""``. Fields this class does not name are kept:
    ``extra`` (content) and ``envelope_extra``, read-only; ``content`` is the whole
    decoded content.
    """

    id: str
    source: str
    type: str
    subject: str
    time: Optional[datetime]
    task_id: str
    task_type: str
    status: str
    code: str
    message: str
    request_id: str
    start_time: Optional[datetime]
    end_time: Optional[datetime]
    user_data: str
    sources: Tuple[ObjectRef, ...]
    targets: Tuple[ObjectRef, ...]
    extra: Mapping[str, Any] = dataclasses.field(hash=False, repr=False)
    envelope_extra: Mapping[str, Any] = dataclasses.field(hash=False, repr=False)
    content: Mapping[str, Any] = dataclasses.field(hash=False, repr=False, compare=False)

    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]:
        # Mapping proxies do not pickle: send plain copies and freeze them again on arrival.
        values = tuple(
            _thawed(getattr(self, f.name)) if f.name in _MAPPINGS else getattr(self, f.name)
            for f in dataclasses.fields(self)
        )
        return (_rebuild, values)

    @property
    def succeeded(self) -> bool:
        """The task finished without error (``Status`` is ``Succeeded``)."""
        return self.status == "Succeeded"

    def matches(self, job: AsyncJob, bucket: Optional[str] = None) -> bool:
        """Whether ``job`` could have written this event's targets.

        Compares each target with the job's save-as bucket and key. ``bucket`` is the
        bucket the job was sent to (a save-as without ``b`` writes there); it defaults
        to the event's first source's bucket. Save-as variables that depend on the
        source (``{barename}``, ``{dirname}``, ``{ext}``, …) are filled from the event's
        first source when it names one; the others (``{index}``, ``{autoext}``, the
        times) match what they can stand for.
        """
        if not isinstance(job, AsyncJob):
            raise TypeError(f"matches() takes an AsyncJob, not {type(job).__name__}")
        if job.save is None or not self.targets:
            return False
        values: Dict[str, str] = {}
        if self.sources:
            first = self.sources[0]
            values = source_values(first.bucket, first.key)
            bucket = bucket if bucket is not None else first.bucket
        if bucket is not None:
            values["bucket"] = bucket
        save_bucket = job.save.bucket if job.save.bucket is not None else bucket
        bucket_re = pattern(save_bucket, values) if save_bucket is not None else None
        key_re = pattern(job.save.key, values)
        return any(
            key_re.fullmatch(t.key) is not None and (bucket_re is None or bucket_re.fullmatch(t.bucket) is not None)
            for t in self.targets
        )


def parse_event(message: Message) -> TaskEvent:
    """Read a task notification message (see the module docstring for the forms accepted).

    Raises ``EventError`` with what is wrong when it is not one.
    """
    try:
        return _event(message)
    except RecursionError:  # a message nested deeper than anything a task writes
        raise EventError("not a task notification: its JSON is nested too deeply") from None


def _event(message: Message) -> TaskEvent:
    data = _unwrap(message, depth=0)
    if "content" in data:
        envelope, content = data, _content(data["content"])
    elif any(k in data for k in _CONTENT_MARKERS):
        envelope, content = {}, data
    else:
        raise EventError(f"not a task notification: no 'content' field (fields: {_names(data)})")
    return TaskEvent(
        id=_text(envelope, "id"),
        source=_text(envelope, "source"),
        type=_text(envelope, "type"),
        subject=_text(envelope, "subject"),
        time=_epoch_ms(envelope.get("time")),
        task_id=_text(content, "TaskId"),
        task_type=_text(content, "TaskType"),
        status=_text(content, "Status"),
        code=_text(content, "Code"),
        message=_text(content, "Message"),
        request_id=_text(content, "RequestId"),
        start_time=_time(content, "StartTime"),
        end_time=_time(content, "EndTime"),
        user_data=_text(content, "UserData"),
        sources=_objects(content.get("Sources"), "Sources"),
        targets=_objects(content.get("Targets"), "Targets"),
        extra=_frozen({k: v for k, v in content.items() if k not in _CONTENT}),
        envelope_extra=_frozen({k: v for k, v in envelope.items() if k not in _ENVELOPE}),
        content=_frozen(dict(content)),
    )


# -- reading the layers ---------------------------------------------------------------------


def _names(data: Mapping[str, Any]) -> str:
    names = ", ".join(sorted(data)[:8])
    return names or "none"


def _unwrap(message: object, depth: int) -> Dict[str, Any]:
    """The envelope (or bare content) as a dict, through base64 and SMQ's JSON/XML wrappers."""
    if depth > 3:
        raise EventError("a notification message nested more than three times (base64 or SMQ wrappers)")
    if isinstance(message, Mapping):
        if not all(isinstance(k, str) for k in message):
            raise EventError("a notification message's field names must be strings")
        data: Dict[str, Any] = dict(message)
    else:
        data = _object(_text_of(message), depth)
    # SMQ's JSON NotifyContentFormat: {"TopicName": ..., "MessageId": ..., "Message": "<body>"}
    if "content" not in data and isinstance(data.get("Message"), str) and "MessageId" in data:
        return _unwrap(data["Message"], depth + 1)
    return data


def _text_of(message: object) -> str:
    if isinstance(message, (bytes, bytearray, memoryview)):
        try:
            return bytes(message).decode("utf-8")
        except UnicodeDecodeError:
            raise EventError("a notification message must be UTF-8 text") from None
    if not isinstance(message, str):
        raise EventError(f"a notification message is text, bytes or a dict, not {type(message).__name__}")
    return message


def _object(text: str, depth: int) -> Dict[str, Any]:
    body = text.strip()
    if not body:
        raise EventError("the notification message is empty")
    if body.startswith("<"):
        return _unwrap(_xml_message(body), depth + 1)
    if not body.startswith("{"):
        try:
            decoded = base64.b64decode("".join(body.split()), validate=True)  # line breaks allowed
        except (binascii.Error, ValueError):
            raise EventError(
                f"a notification message is a JSON object, or one encoded in base64; got {_clip(body)}"
            ) from None
        return _unwrap(decoded, depth + 1)
    return _json_object(body, "the notification message")


def _json_object(text: str, what: str) -> Dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise EventError(f"{what} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise EventError(f"{what} must be a JSON object, not {type(value).__name__}")
    return value


def _xml_message(text: str) -> str:
    """The ``<Message>`` of SMQ's XML NotifyContentFormat."""
    import xml.etree.ElementTree as ET  # only for XML-wrapped messages

    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        # SMQ never sends a DTD; refusing one keeps entity expansion out of the parser.
        raise EventError("the XML notification has a DTD, which SMQ notifications never carry")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise EventError(f"the XML notification is not well-formed ({exc})") from None
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "Message":
            return element.text or ""
    raise EventError("the XML notification has no <Message> element")


def _content(value: object) -> Dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        return _json_object(value, "the message's 'content'")
    raise EventError(f"the message's 'content' must be a JSON string or object, not {type(value).__name__}")


def _clip(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")


# -- fields -----------------------------------------------------------------------------------


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise EventError(f"{name!r} must be a string; got {type(value).__name__}")
    return str(value)


def _epoch_ms(value: object) -> Optional[datetime]:
    """The envelope ``time``: milliseconds since the epoch, as a string (``"1724133063161"``)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).isdigit():
        raise EventError(f"'time' must be milliseconds since 1970 as digits; got {value!r}")
    millis = int(value)
    if millis > 253402300799999:  # 9999-12-31T23:59:59.999Z
        raise EventError(f"'time' is out of range: {value!r}")
    return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=millis)


def _time(data: Mapping[str, Any], name: str) -> Optional[datetime]:
    value = data.get(name)
    if value is None or value == "":
        return None
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise EventError(f"{name!r} must be an RFC 3339 time such as 2024-08-20T07:03:07.36Z; got {value!r}")
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    if zulu:
        zone = timezone.utc
    else:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        if offset >= timedelta(hours=24):
            raise EventError(f"{name!r} has an impossible UTC offset: {value!r}")
        zone = timezone(-offset if sign == "-" else offset)
    micro = int((fraction or "0")[:6].ljust(6, "0"))  # nanoseconds are cut to microseconds
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=zone)
    except ValueError as exc:
        raise EventError(f"{name!r} is not a real time ({exc}): {value!r}") from None


def _uris(value: object) -> Iterator[str]:
    """Every non-empty ``URI``-named string under ``value`` (IMM nests targets by kind)."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            if isinstance(k, str) and k.endswith("URI") and isinstance(v, str):
                if v:
                    yield v
            else:
                yield from _uris(v)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                if item:
                    yield item
            else:
                yield from _uris(item)


def _objects(value: object, name: str) -> Tuple[ObjectRef, ...]:
    if value is None:
        return ()
    if not isinstance(value, (list, dict)):
        raise EventError(f"{name!r} must be a list of objects; got {type(value).__name__}")
    found: List[ObjectRef] = []
    for uri in _uris(value):
        try:
            ref = ObjectRef.from_uri(uri)
        except EventError:
            raise EventError(f"{name!r} holds a URI that is not oss://bucket/key: {_clip(uri)}") from None
        if ref not in found:
            found.append(ref)
    return tuple(found)


def _rebuild(*values: Any) -> TaskEvent:
    names = [f.name for f in dataclasses.fields(TaskEvent)]
    fields = dict(zip(names, values))
    for name in _MAPPINGS:
        fields[name] = _frozen(fields[name])
    return TaskEvent(**fields)


def _thawed(value: Any) -> Any:
    """The inverse of ``_frozen``, for pickling."""
    if isinstance(value, Mapping):
        return {k: _thawed(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thawed(v) for v in value]
    return value


def _frozen(value: Any) -> Any:
    """A read-only deep copy: dicts become mapping proxies and lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value
