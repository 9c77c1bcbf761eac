"""Live transcoding (``hls/``): playlists, playlist signing and on-demand segments; all synchronous.

- ``hls/m3u8``: https://help.aliyun.com/zh/oss/user-guide/generate-video-playlist
  ("生成播放列表需要使用到OSS的同步数据处理能力(x-oss-process)"). ``ss``/``t`` are on the
  page; the transcoding keys and ``st``/``initd`` come from console presets copied by
  third parties and map onto IMM GenerateVideoPlaylist
  (https://help.aliyun.com/zh/imm/developer-reference/api-imm-2020-09-30-generatevideoplaylist).
- ``hls/sign``: makes OSS sign every ts URL in the returned playlist (AlibabaCloudDocs
  "基于OSS构建HLS流"; https://help.aliyun.com/zh/oss/live-transcoding names it for HLS players).
- ``hls/ts``: https://help.aliyun.com/zh/oss/live-transcoding: ``from`` is the base64 m3u8
  object name (``output/media.m3u8`` -> ``b3V0cHV0L21lZGlhLm0zdTg``); it works only inside
  the conditional expression ``x-oss-process=if_status_eq_404{…}`` (``stages.IfStatus404``).
"""

from __future__ import annotations

from typing import ClassVar, Literal, Optional

from .._codecs import B64Text, Choice, Int
from .._declare import Operation, param
from ._media import (
    PixelFormat,
    SampleRate,
    ScaleType,
    p_adaptive_orientation,
    p_audio_bitrate,
    p_audio_bitrate_policy,
    p_channels,
    p_crf,
    p_duration,
    p_fps,
    p_fps_policy,
    p_gop,
    p_pixel_format,
    p_resolution,
    p_resolution_policy,
    p_sample_rate,
    p_sample_rate_policy,
    p_scale_type,
    p_start,
    p_video_bitrate,
    p_video_bitrate_policy,
)

__all__ = ["M3u8", "Sign", "Ts"]

M3U8_URL = "https://help.aliyun.com/zh/oss/user-guide/generate-video-playlist"


class M3u8(Operation):
    """Generate a live-transcoding m3u8 playlist; segments are transcoded when played."""

    family: ClassVar[str] = "hls"
    action: ClassVar[str] = "m3u8"
    doc_url: ClassVar[str] = M3U8_URL

    # Order reproduces the console preset hls/m3u8,vcodec_h264,fps_25,fpsopt_1,s_960x,sopt_1,
    # scaletype_fit,arotate_1,crf_26,acodec_aac,ar_44100,ac_2,ab_128000,abopt_1,st_5000,initd_30000.
    start: Optional[int] = p_start()
    duration: Optional[int] = p_duration()
    # IMM GenerateVideoPlaylist: video h264/h265, audio aac only.
    video_codec: Optional[Literal["h264", "h265"]] = param(
        "vcodec", Choice(Literal["h264", "h265"]), default=None, doc="Video codec.", server_default="h264"
    )
    # pixfmt, as for video/convert (the playlist page's transcoding keys are video/convert's);
    # seen in a real string as hls/m3u8,vcodec_h264,pixfmt_yuv420p,...
    pixel_format: Optional[PixelFormat] = p_pixel_format()
    fps: Optional[float] = p_fps()
    fps_policy: Optional[Literal[0, 1, 2]] = p_fps_policy()
    resolution: Optional[str] = p_resolution()
    resolution_policy: Optional[Literal[0, 1, 2]] = p_resolution_policy()
    scale_type: Optional[ScaleType] = p_scale_type()
    adaptive_orientation: Optional[bool] = p_adaptive_orientation()
    crf: Optional[float] = p_crf()
    video_bitrate: Optional[int] = p_video_bitrate()
    video_bitrate_policy: Optional[Literal[0, 1, 2]] = p_video_bitrate_policy()
    gop: Optional[int] = p_gop()
    audio_codec: Optional[Literal["aac"]] = param(
        "acodec", Choice(Literal["aac"]), default=None, doc="Audio codec (aac only for playlists)."
    )
    sample_rate: Optional[SampleRate] = p_sample_rate()
    sample_rate_policy: Optional[Literal[0, 1, 2]] = p_sample_rate_policy()
    channels: Optional[int] = p_channels()
    audio_bitrate: Optional[int] = p_audio_bitrate()
    audio_bitrate_policy: Optional[Literal[0, 1, 2]] = p_audio_bitrate_policy()
    segment_duration: Optional[int] = param(
        "st",
        Int(1, None, unit="ms"),
        default=None,
        doc="Length of one ts segment in ms (IMM Targets.Duration allows 5-15 s).",
        server_default="10000",
        note="Key from presets (3P); IMM GenerateVideoPlaylist takes [5,15] s, not enforced (no OSS page).",
    )
    initial_transcode: Optional[int] = param(
        "initd",
        Int(None, None, unit="ms"),
        default=None,
        doc="How much to transcode up front, ms; 0 none, <0 or past the end the whole video.",
        server_default="30000",
        note="IMM InitialTranscode; key from presets (3P).",
    )
    transcode_ahead: Optional[int] = param(
        "ta",
        Int(0, None),
        default=None,
        doc="How many ts segments to transcode ahead of the player (IMM TranscodeAhead allows 10-30).",
        note="Key seen in real strings (ta_10) only; IMM GenerateVideoPlaylist TranscodeAhead; range not enforced.",
    )


class Sign(Operation):
    """Sign the ts URLs inside a returned m3u8 playlist (for standard HLS players)."""

    family: ClassVar[str] = "hls"
    action: ClassVar[str] = "sign"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/live-transcoding"


class Ts(Operation):
    """Transcode one ts segment listed in a playlist made by ``hls/m3u8``, if it does not exist yet.

    Send it wrapped: ``Hls.ts(playlist=…)`` gives ``if_status_eq_404{hls/ts,from_…}``.
    """

    family: ClassVar[str] = "hls"
    action: ClassVar[str] = "ts"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/live-transcoding"

    playlist: str = param(
        "from",
        B64Text(max_bytes=1023, what="the m3u8 object key"),
        doc="The playlist object made by hls/m3u8, such as output/media.m3u8.",
    )
