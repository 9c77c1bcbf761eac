"""Pieces shared by the media and document families: parameter definitions and sections.

Parameters. ``video/convert``, ``video/concat``, ``audio/convert``,
``audio/concat`` and ``hls/m3u8`` take the same transcoding keys; each key's
wire name, codec, range and doc page is written once here and placed in each
operation's field list (the field order there is that operation's canonical
order). Units: times are milliseconds, bit rates bit/s.

Sections. ``video/concat`` and ``audio/concat`` own ``/pre,…`` and ``/sur,…``
segments; ``doc/preview`` and ``doc/edit`` own a ``/watermark,…`` segment. A
section is a small unregistered ``Operation`` (``Section``); the owner keeps
its sections in a field whose codec is ``Sections`` (an ordered tuple) or
``SubSection`` (at most one), and ``SectionOwner`` writes and reads them.

Pages (media.md Part 2/3 cite them):
- transcoding: https://help.aliyun.com/zh/oss/user-guide/video-transcoding
- IMM fields behind the keys: https://help.aliyun.com/zh/imm/developer-reference/api-imm-2020-09-30-createmediaconverttask
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Type, TypeVar

from .._codecs import Choice, Codec, CodecError, Flag, Float, Int, Resolution
from .._compat import Self
from .._declare import Operation, param
from ..errors import ProcessSyntaxError, ProcessValueError

__all__ = [
    "AudioCodec",
    "AudioContainer",
    "MS",
    "PixelFormat",
    "Policy",
    "SampleRate",
    "ScaleType",
    "Section",
    "SectionOwner",
    "Sections",
    "SubSection",
    "VideoCodec",
    "VideoContainer",
]

#: Milliseconds from 0 (``ss``, ``t``, ``inter``); 0 means "from the start" / "to the end".
MS = Int(0, None, unit="ms")

TRANSCODE_URL = "https://help.aliyun.com/zh/oss/user-guide/video-transcoding"

# Containers: video-transcoding page lists mp4 mkv mov asf avi mxf ts flv and the audio
# containers mp3 aac flac oga ac3 opus amr. webm appears only on an older copy of the
# page (media.md Part 2 §2 CORRECTION): kept, permissively, so older strings still parse.
VideoContainer = Literal["mp4", "mkv", "mov", "asf", "avi", "mxf", "ts", "flv", "webm"]
AudioContainer = Literal["mp3", "aac", "flac", "oga", "ac3", "opus", "amr"]
# The page lists h264/h265; copy and vp9 are IMM TargetVideo.Codec values (Part 3 §1).
VideoCodec = Literal["h264", "h265", "vp9", "copy"]
# IMM TargetAudio.Codec (Part 3 §1); the OSS page shows aac and mp3 in use.
AudioCodec = Literal["aac", "mp3", "flac", "vorbis", "ac3", "opus", "amr", "copy"]
# Complete list on the video-transcoding page; yuva420p is IMM-only (vp9), kept permissively.
PixelFormat = Literal["yuv420p", "yuv420p10le", "yuv422p", "yuv422p10le", "yuv444p", "yuv444p10le", "yuva420p"]
# Same four values on the frame-capture page (https://help.aliyun.com/document_detail/2331058.htm).
ScaleType = Literal["crop", "stretch", "fill", "fit"]
# audio-transcoding page, ar row (https://www.alibabacloud.com/help/tc/oss/user-guide/audio-transcoding).
SampleRate = Literal[8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000]
# fpsopt values are on the transcoding page: 0 always the target, 1 the source value when
# it is lower, 2 fail when it is lower. The other *opt keys follow the same IMM
# fixed/adaptive/fall option (Part 3 §1); their 0/1/2 spelling is UNCERTAIN.
Policy = Literal[0, 1, 2]


def _opt(key: str, base: str, what: str) -> Any:
    return param(
        key,
        Choice(Policy),
        default=None,
        doc=(
            f"How {what} applies: 0 always; 1 keep the source's when lower; 2 fail then. "
            f"IMM says it needs {base} (not enforced)."
        ),
        server_default="0",
        note=f"fpsopt values: {TRANSCODE_URL}; this key follows the same IMM option (spelling UNCERTAIN).",
    )


# Each function below is one parameter definition, placed in several operations.
def p_start() -> Any:
    return param("ss", MS, default=None, doc="Where to start in the source, in ms.", server_default="0")


def p_duration() -> Any:
    return param("t", MS, default=None, doc="Length of source used, ms; 0 is to the end.", server_default="0")


def p_video_codec() -> Any:
    return param(
        "vcodec",
        Choice(VideoCodec),
        default=None,
        doc="Video codec.",
        note="The page lists h264, h265; copy and vp9 are IMM values (permissive).",
    )


def p_fps() -> Any:
    # "0~240" on the transcoding page; 0 itself is not a frame rate.
    return param("fps", Float(0, 240, lo_open=True), default=None, doc="Frame rate.", server_default="the source's")


def p_fps_policy() -> Any:
    return _opt("fpsopt", "fps", "the frame rate")


def p_resolution() -> Any:
    # Transcoding page: both sides even, 64-4096. One side may be left out (console presets
    # s_640x; IMM Resolution keeps the source's proportion for the missing side).
    return param(
        "s",
        Resolution(64, 4096, even=True, one_side=True),
        default=None,
        doc="Output size 'WxH'; '640x' or 'x360' keeps the aspect ratio.",
        server_default="the source's",
    )


def p_resolution_policy() -> Any:
    return _opt("sopt", "resolution", "the resolution")


def p_scale_type() -> Any:
    return param(
        "scaletype",
        Choice(ScaleType),
        default=None,
        doc="How the picture fits the size: crop, stretch, fill (black bars), fit.",
        server_default="stretch",
    )


def p_adaptive_orientation() -> Any:
    return param(
        "arotate",
        Flag(),
        default=None,
        doc="Read the resolution as long x short side, so portrait sources stay portrait.",
        note="IMM AdaptiveResolutionDirection; its default is documented both ways (UNCERTAIN).",
    )


def p_video_bitrate() -> Any:
    return param(
        "vb",
        Int(1, None, unit="bit/s"),
        default=None,
        doc="Video bit rate (IMM: excludes crf; not enforced).",
        note="No numeric range is documented (IMM TargetVideo.Bitrate); only > 0 is checked.",
    )


def p_video_bitrate_policy() -> Any:
    return _opt("vbopt", "video_bitrate", "the video bit rate")


def p_crf() -> Any:
    return param(
        "crf", Float(0, 51), default=None, doc="Constant rate factor 0-51 (IMM CRF; excludes vb there, not enforced)."
    )


def p_max_bitrate() -> Any:
    return param("maxrate", Int(1, None, unit="bit/s"), default=None, doc="VBV peak (IMM MaxBitrate; with crf).")


def p_buffer_size() -> Any:
    return param("bufsize", Int(1, None, unit="bit"), default=None, doc="VBV buffer size (IMM BufferSize; with crf).")


def p_gop() -> Any:
    return param("g", Int(1, None, unit="frames"), default=None, doc="Keyframe interval.", server_default="150")


def p_pixel_format() -> Any:
    return param("pixfmt", Choice(PixelFormat), default=None, doc="Pixel format.", server_default="the source's")


def p_audio_codec(values: Any = AudioCodec) -> Any:
    return param("acodec", Choice(values), default=None, doc="Audio codec.")


def p_audio_bitrate() -> Any:
    # IMM TargetAudio.Bitrate: 1000 to 10000000 bit/s (Part 3 §1).
    return param(
        "ab", Int(1000, 10_000_000, unit="bit/s"), default=None, doc="Audio bit rate (IMM: excludes aq; not enforced)."
    )


def p_audio_bitrate_policy() -> Any:
    return _opt("abopt", "audio_bitrate", "the audio bit rate")


def p_audio_quality() -> Any:
    return param(
        "aq",
        Int(0, 100),
        default=None,
        doc="Audio quality 0-100 (IMM TargetAudio.Quality; excludes ab there, not enforced).",
    )


def p_sample_rate() -> Any:
    return param("ar", Choice(SampleRate), default=None, doc="Sample rate in Hz.", server_default="the source's")


def p_sample_rate_policy() -> Any:
    return _opt("aropt", "sample_rate", "the sample rate")


def p_channels() -> Any:
    return param("ac", Int(1, 8), default=None, doc="Audio channels, 1-8 (IMM TargetAudio.Channel).")


def p_bit_depth() -> Any:
    # "you can set the sampling bit depth only for the flac format":
    # https://help.aliyun.com/en/oss/user-guide/audio-transcoding
    return param("adepth", Choice(Literal[16, 24]), default=None, doc="Sample bit depth; flac output only.")


def p_align() -> Any:
    return param(
        "align",
        Int(0, 10),
        default=None,
        doc="Index of the clip whose properties fill in output options not given (IMM AlignmentIndex).",
        server_default="0",
        note="Counting (0-based, in written order) is UNCERTAIN; at most 11 files, so 0-10.",
    )


#: Policies that need their base parameter (IMM: each *Option applies to its value).
POLICY_BASES: Tuple[Tuple[str, str], ...] = (
    ("fps_policy", "fps"),
    ("resolution_policy", "resolution"),
    ("video_bitrate_policy", "video_bitrate"),
    ("audio_bitrate_policy", "audio_bitrate"),
    ("sample_rate_policy", "sample_rate"),
)


# -- sections -------------------------------------------------------------------------------
class Section(Operation):
    """A ``/name,k_v,…`` segment that belongs to the operation before it (not registered)."""

    def to_wire(self, *, with_family: bool = False) -> str:
        return ",".join((self.action, *self.wire_params()))

    @classmethod
    def wire_name(cls) -> str:
        return f"/{cls.action}"


_S = TypeVar("_S", bound=Section)


class Sections(Codec[Tuple[Section, ...]]):
    """An ordered tuple of sections (concat ``/pre`` and ``/sur`` clips), kept as written."""

    kind = "sections"

    def __init__(self, *types: Type[Section], min_items: int, max_items: int) -> None:
        self.types = {t.action: t for t in types}
        self.min_items, self.max_items = min_items, max_items

    def check(self, value: object) -> Tuple[Section, ...]:
        if not isinstance(value, (tuple, list)):
            raise CodecError(f"must be a tuple ({self.describe()})")
        items = tuple(value)
        for item in items:
            if type(item) not in self.types.values():
                raise CodecError(f"must hold only {', '.join(t.__name__ for t in self.types.values())} values")
        if not self.min_items <= len(items) <= self.max_items:
            raise CodecError(f"must be {self.describe()}")
        return items

    def encode(self, value: Tuple[Section, ...]) -> str:
        return "/".join(item.to_wire() for item in value)

    def decode(self, text: str) -> Tuple[Section, ...]:
        raise CodecError(f"is written as /{'/'.join(self.types)} segments after the parameters")

    def collect(self, items: Sequence[Section]) -> Tuple[Section, ...]:
        return self.check(tuple(items))

    def describe(self) -> str:
        names = " and ".join(f"/{name}" for name in self.types)
        return f"{self.min_items} to {self.max_items} {names} segments, in order"

    def spec(self) -> Dict[str, Any]:
        return {
            "type": "sections",
            "min": self.min_items,
            "max": self.max_items,
            "segments": {name: _section_spec(t) for name, t in self.types.items()},
        }


class SubSection(Codec[Section]):
    """At most one section of one type (``/watermark`` of ``doc/preview``)."""

    kind = "section"

    def __init__(self, type_: Type[Section]) -> None:
        self.type = type_
        self.types = {type_.action: type_}

    def check(self, value: object) -> Section:
        if type(value) is not self.type:
            raise CodecError(f"must be a {self.type.__name__} value")
        assert isinstance(value, Section)
        return value

    def encode(self, value: Section) -> str:
        return value.to_wire()

    def decode(self, text: str) -> Section:
        raise CodecError(f"is written as a /{self.type.action} segment after the parameters")

    def collect(self, items: Sequence[Section]) -> Section:
        if len(items) > 1:
            raise CodecError(f"may appear once; got {len(items)} /{self.type.action} segments")
        return self.check(items[0])

    def describe(self) -> str:
        return f"one /{self.type.action} segment"

    def spec(self) -> Dict[str, Any]:
        return {"type": "section", "segment": {self.type.action: _section_spec(self.type)}}


def _section_spec(cls: Type[Section]) -> Dict[str, Any]:
    return {"class": cls.__name__, "params": {p.key: p.codec.spec() for p in cls.__params__}}


def _is_section(codec: Codec[Any]) -> bool:
    return isinstance(codec, (Sections, SubSection))


class SectionOwner(Operation):
    """An operation followed by its own ``/section`` segments.

    ``head`` is an unregistered class with the same parameters minus the
    section fields: parsing reads the parameters with it, then the sections,
    so a required section field (concat clips) never blocks the first step.
    """

    head: ClassVar[Type[Operation]]

    def wire_params(self) -> Any:
        by_name = self._by_name
        for name in self._order:
            p = by_name[name]
            if _is_section(p.codec):
                continue
            text = p.codec.encode(getattr(self, name))
            yield text if p.key is None else f"{p.key}_{text}"
        for key, value in self.extra:
            yield f"{key}_{value}"

    def to_wire(self, *, with_family: bool = True) -> str:
        parts = [super().to_wire(with_family=with_family)]
        for p in self.__params__:
            value = getattr(self, p.name)
            if _is_section(p.codec) and value:
                parts.append(p.codec.encode(value))
        return "/".join(parts)

    @classmethod
    def from_segments(
        cls, tokens: Sequence[Any], subsegments: Sequence[Any], *, strict: bool, source: Optional[str] = None
    ) -> Self:
        head = cls.head.from_tokens(tokens, strict=strict, source=source)
        owners: Mapping[str, Any] = {
            name: p
            for p in cls.__params__
            if _is_section(p.codec)
            for name in p.codec.types  # type: ignore[attr-defined]
        }
        found: Dict[str, List[Section]] = {}
        for segment in subsegments:
            p = owners[segment.name.text]
            section_cls = p.codec.types[segment.name.text]
            found.setdefault(p.name, []).append(section_cls.from_tokens(segment.params, strict=strict, source=source))
        values = dict(head.items())
        position = tokens[0].position if tokens else (subsegments[0].name.position if subsegments else None)
        for name, items in found.items():
            p = cls.param(name)
            try:
                values[name] = p.codec.collect(items)  # type: ignore[attr-defined]
            except CodecError as exc:
                raise ProcessSyntaxError(
                    f"{cls.wire_name()}: {p.label} {exc}", source=source, position=position
                ) from None
        try:
            op = cls(**values, extra=head.extra)
        except ProcessValueError as exc:
            if exc.position is None:
                exc.source, exc.position = source, position
            raise
        return op._with_order((*head._order, *found))
