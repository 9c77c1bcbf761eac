"""Audio processing (``audio/``): asynchronous ``convert`` and ``concat``, synchronous ``info``.

Pages: https://www.alibabacloud.com/help/tc/oss/user-guide/audio-transcoding (table read
to ``ar``), https://help.aliyun.com/zh/oss/user-guide/audio-stitching (read to ``o``).
Both jobs are async only; the keys after ``ar`` follow IMM TargetAudio
(https://help.aliyun.com/zh/imm/developer-reference/api-imm-2020-09-30-createmediaconverttask).
"""

from __future__ import annotations

from typing import ClassVar, Literal, Optional, Tuple

from .._codecs import Choice
from .._declare import ObjectTask, Operation, Rule, param, requires, sections
from ._media import (
    AudioCodec,
    AudioContainer,
    SampleRate,
    p_align,
    p_audio_bitrate,
    p_audio_bitrate_policy,
    p_audio_codec,
    p_audio_quality,
    p_bit_depth,
    p_channels,
    p_duration,
    p_sample_rate,
    p_sample_rate_policy,
    p_start,
)
from .video import MAX_CLIPS, Clip, ConcatAudioCodec, Pre, Sur

__all__ = ["Concat", "Convert", "Info"]


class Convert(ObjectTask):
    """Transcode audio. ``acodec`` is not on the OSS page (IMM key, accepted permissively)."""

    family: ClassVar[str] = "audio"
    action: ClassVar[str] = "convert"
    doc_url: ClassVar[str] = "https://www.alibabacloud.com/help/tc/oss/user-guide/audio-transcoding"
    # adepth: "only for the flac format" (https://help.aliyun.com/en/oss/user-guide/audio-transcoding).
    # adepth: flac only (audio-transcoding page). The IMM-only rules are not enforced (see video.py).
    rules: ClassVar[Tuple[Rule, ...]] = (requires("bit_depth", "format", "flac"),)

    # Order reproduces the doc example audio/convert,ss_10000,t_60000,f_aac,ab_96000.
    start: Optional[int] = p_start()
    duration: Optional[int] = p_duration()
    format: AudioContainer = param("f", Choice(AudioContainer), doc="Output container.")
    audio_codec: Optional[AudioCodec] = p_audio_codec()
    audio_bitrate: Optional[int] = p_audio_bitrate()
    audio_bitrate_policy: Optional[Literal[0, 1, 2]] = p_audio_bitrate_policy()
    audio_quality: Optional[int] = p_audio_quality()
    sample_rate: Optional[SampleRate] = p_sample_rate()
    sample_rate_policy: Optional[Literal[0, 1, 2]] = p_sample_rate_policy()
    channels: Optional[int] = p_channels()
    bit_depth: Optional[Literal[16, 24]] = p_bit_depth()


class Concat(ObjectTask):
    """Join audio files: at most 11 (the object plus 10 clips), in ``/pre``/``/sur`` written order.

    Page: https://help.aliyun.com/zh/oss/user-guide/audio-stitching ("最大支持的音频数量为11个";
    clips are objects of the current bucket).
    """

    family: ClassVar[str] = "audio"
    action: ClassVar[str] = "concat"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/user-guide/audio-stitching"

    # Order reproduces the PHP V2 doc template audio/concat,f_aac,ac_1,ar_44100,ab_96000,align_2.
    start: Optional[int] = p_start()
    duration: Optional[int] = p_duration()
    format: AudioContainer = param("f", Choice(AudioContainer), doc="Output container.")
    audio_codec: Optional[ConcatAudioCodec] = p_audio_codec(ConcatAudioCodec)
    channels: Optional[int] = p_channels()
    sample_rate: Optional[SampleRate] = p_sample_rate()
    sample_rate_policy: Optional[Literal[0, 1, 2]] = p_sample_rate_policy()
    audio_bitrate: Optional[int] = p_audio_bitrate()
    audio_bitrate_policy: Optional[Literal[0, 1, 2]] = p_audio_bitrate_policy()
    audio_quality: Optional[int] = p_audio_quality()
    align: Optional[int] = p_align()
    clips: Tuple[Clip, ...] = sections(
        Pre, Sur, min_items=1, max_items=MAX_CLIPS, doc="Clips (Pre/Sur) in order; 1 to 10."
    )


class Info(Operation):
    """Audio stream information as JSON (synchronous).

    Page: https://help.aliyun.com/zh/oss/user-guide/audio-information-extraction.
    """

    family: ClassVar[str] = "audio"
    action: ClassVar[str] = "info"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/user-guide/audio-information-extraction"
