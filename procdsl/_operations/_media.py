"""Pieces shared by the media and document families: parameter definitions and sections.

Parameters. ``video/convert``, ``video/concat``, ``audio/convert``,
``audio/concat`` and ``hls/m3u8`` take the same transcoding keys; each key's
wire name, codec, range and doc page is written once here and placed in each
operation's field list (the field order there is that operation's canonical
order). Units: times are milliseconds, bit rates bit/s.

Pages:
- transcoding: https://help.aliyun.com/zh/oss/user-guide/video-transcoding
- IMM fields behind the keys: https://help.aliyun.com/zh/imm/developer-reference/api-imm-2020-09-30-createmediaconverttask
"""

from __future__ import annotations

from typing import Any, Literal

from .._codecs import Choice, Flag, Float, Int, Resolution
from .._declare import param

__all__ = [
    "AudioCodec",
    "AudioContainer",
    "MS",
    "PixelFormat",
    "Policy",
    "SampleRate",
    "ScaleType",
    "VideoCodec",
]

#: Milliseconds from 0 (``ss``, ``t``, ``inter``); 0 means "from the start" / "to the end".
MS = Int(0, None, unit="ms")

TRANSCODE_URL = "https://help.aliyun.com/zh/oss/user-guide/video-transcoding"

# Audio containers of the video-transcoding page.
AudioContainer = Literal["mp3", "aac", "flac", "oga", "ac3", "opus", "amr"]
# The page lists h264/h265; copy and vp9 are IMM TargetVideo.Codec values (IMM page above).
VideoCodec = Literal["h264", "h265", "vp9", "copy"]
# IMM TargetAudio.Codec (IMM page above); the OSS page shows aac and mp3 in use.
AudioCodec = Literal["aac", "mp3", "flac", "vorbis", "ac3", "opus", "amr", "copy"]
# Complete list on the video-transcoding page; yuva420p is IMM-only (vp9), kept permissively.
PixelFormat = Literal["yuv420p", "yuv420p10le", "yuv422p", "yuv422p10le", "yuv444p", "yuv444p10le", "yuva420p"]
# Same four values on the frame-capture page (https://help.aliyun.com/document_detail/2331058.htm).
ScaleType = Literal["crop", "stretch", "fill", "fit"]
# audio-transcoding page, ar row (https://www.alibabacloud.com/help/tc/oss/user-guide/audio-transcoding).
SampleRate = Literal[8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000]
# fpsopt values are on the transcoding page: 0 always the target, 1 the source value when
# it is lower, 2 fail when it is lower. The other *opt keys follow the same IMM
# fixed/adaptive/fall option (IMM page above); their 0/1/2 spelling is UNCERTAIN.
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
    # IMM TargetAudio.Bitrate: 1000 to 10000000 bit/s (https://help.aliyun.com/zh/imm/developer-reference/api-imm-2020-09-30-createmediaconverttask).
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
