"""Video processing (``video/``): IMM-backed asynchronous jobs and the synchronous snapshot/info.

Asynchronous (``x-oss-async-process``, each needs a save-as): ``convert``,
``snapshots``, ``sprite``, ``animation``, ``concat``. Synchronous
(``x-oss-process``): ``snapshot`` (one frame) and ``info``.
Async-only for the five jobs: each page's usage notes ("仅支持异步处理").
"""

from __future__ import annotations

from typing import ClassVar, Literal, Optional, Tuple

from .._codecs import B64Text, Choice, Flag, Float, Int
from .._declare import ObjectTask, Operation, Rule, Section, param, requires, sections
from ..errors import ProcessValueError
from ._media import (
    MS,
    PixelFormat,
    SampleRate,
    ScaleType,
    p_adaptive_orientation,
    p_align,
    p_audio_bitrate,
    p_audio_bitrate_policy,
    p_audio_codec,
    p_audio_quality,
    p_bit_depth,
    p_buffer_size,
    p_channels,
    p_crf,
    p_duration,
    p_fps,
    p_fps_policy,
    p_gop,
    p_max_bitrate,
    p_pixel_format,
    p_resolution,
    p_resolution_policy,
    p_sample_rate,
    p_sample_rate_policy,
    p_scale_type,
    p_start,
    p_video_bitrate,
    p_video_bitrate_policy,
    p_video_codec,
)

__all__ = [
    "Animation",
    "Clip",
    "Concat",
    "Convert",
    "Info",
    "Pre",
    "Snapshot",
    "Snapshots",
    "Sprite",
    "Sur",
]

ConvertFormat = Literal[
    "mp4", "mkv", "mov", "asf", "avi", "mxf", "ts", "flv", "webm", "mp3", "aac", "flac", "oga", "ac3", "opus", "amr"
]  # fmt: skip
FrameFormat = Literal["jpg", "png"]
SpriteMode = Literal["inter", "key", "avg", "dhash"]

# Not enforced, on purpose: IMM (which runs these tasks) documents that each *opt policy needs
# its base value and that vb/crf and ab/aq exclude each other (TargetVideo/TargetAudio models,
# https://help.aliyun.com/zh/imm/developer-reference/api-imm-2020-09-30-createmediaconverttask),
# but no OSS page says whether OSS rejects or ignores such strings, so
# procdsl accepts them rather than refuse a real one. The parameters' notes say so.


def _has_suffix(key: str) -> bool:
    return "." in key.rsplit("/", 1)[-1]


class Convert(ObjectTask):
    """Transcode a video (container, codecs, frame rate, size, bit rates, audio).

    Page: https://help.aliyun.com/zh/oss/user-guide/video-transcoding. Parameters
    apply in written order ("What is audio and video processing").
    """

    family: ClassVar[str] = "video"
    action: ClassVar[str] = "convert"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/user-guide/video-transcoding"
    # adepth: "you can set the sampling bit depth only for the flac format" (audio-transcoding page).
    rules: ClassVar[Tuple[Rule, ...]] = (requires("bit_depth", "format", "flac"),)

    start: Optional[int] = p_start()
    duration: Optional[int] = p_duration()
    # Field order from here reproduces the SDK sample
    # video/convert,f_avi,vcodec_h265,s_1920x1080,vb_2000000,fps_30,acodec_aac,ab_100000,sn_1.
    format: ConvertFormat = param(
        "f", Choice(ConvertFormat), doc="Output container (video, or audio-only such as mp3)."
    )
    video_codec: Optional[Literal["h264", "h265", "vp9", "copy"]] = p_video_codec()
    resolution: Optional[str] = p_resolution()
    resolution_policy: Optional[Literal[0, 1, 2]] = p_resolution_policy()
    scale_type: Optional[ScaleType] = p_scale_type()
    adaptive_orientation: Optional[bool] = p_adaptive_orientation()
    video_bitrate: Optional[int] = p_video_bitrate()
    video_bitrate_policy: Optional[Literal[0, 1, 2]] = p_video_bitrate_policy()
    crf: Optional[float] = p_crf()
    max_bitrate: Optional[int] = p_max_bitrate()
    buffer_size: Optional[int] = p_buffer_size()
    fps: Optional[float] = p_fps()
    fps_policy: Optional[Literal[0, 1, 2]] = p_fps_policy()
    gop: Optional[int] = p_gop()
    pixel_format: Optional[PixelFormat] = p_pixel_format()
    disable_video: Optional[bool] = param("vn", Flag(), default=None, doc="Drop the video stream (audio extraction).")
    audio_codec: Optional[Literal["aac", "mp3", "flac", "vorbis", "ac3", "opus", "amr", "copy"]] = p_audio_codec()
    audio_bitrate: Optional[int] = p_audio_bitrate()
    audio_bitrate_policy: Optional[Literal[0, 1, 2]] = p_audio_bitrate_policy()
    audio_quality: Optional[int] = p_audio_quality()
    sample_rate: Optional[SampleRate] = p_sample_rate()
    sample_rate_policy: Optional[Literal[0, 1, 2]] = p_sample_rate_policy()
    channels: Optional[int] = p_channels()
    bit_depth: Optional[Literal[16, 24]] = p_bit_depth()
    disable_audio: Optional[bool] = param(
        "an",
        Flag(),
        default=None,
        doc="Drop the audio stream.",
        note="IMM DisableAudio; the OSS key 'an' is UNCERTAIN (symmetry with vn).",
    )
    disable_subtitles: Optional[bool] = param("sn", Flag(), default=None, doc="Drop subtitle streams.")


class Snapshots(ObjectTask):
    """Capture frames (asynchronous frame capture).

    Page: https://help.aliyun.com/document_detail/2331058.htm (full table). Output
    naming: with a save-as key that has no suffix OSS appends ``_0_1.jpg``-style
    numbers; with a suffix only the last frame survives (same page, all languages).
    """

    family: ClassVar[str] = "video"
    action: ClassVar[str] = "snapshots"
    doc_url: ClassVar[str] = "https://help.aliyun.com/document_detail/2331058.htm"
    rules: ClassVar[Tuple[Rule, ...]] = (requires("threshold", "mode", "dhash"),)

    # Order reproduces the PHP doc string video/snapshots,f_jpg,w_100,h_100,scaletype_crop,inter_10000.
    start: Optional[int] = p_start()
    format: FrameFormat = param("f", Choice(FrameFormat), doc="Image format.")
    mode: Optional[SpriteMode] = param(
        "m",
        Choice(SpriteMode),
        default=None,
        doc="Frame choice: inter, key, avg, dhash.",
        note="IMM Snapshots.Mode; documented on the sprite page only, UNCERTAIN here (accepted).",
    )
    threshold: Optional[int] = param(
        "thr", Int(0, 100), default=None, doc="dhash threshold.", note="As for mode (UNCERTAIN)."
    )
    count: Optional[int] = param("num", Int(0, None), default=None, doc="Number of frames; 0 is to the end.")
    width: Optional[int] = param("w", Int(32, 4096), default=None, doc="Width in px.", server_default="the source's")
    height: Optional[int] = param("h", Int(32, 4096), default=None, doc="Height in px.", server_default="the source's")
    width_percent: Optional[int] = param(
        "pw", Int(1, 200), default=None, doc="Width as % of the source; ignored with w.", server_default="100"
    )
    height_percent: Optional[int] = param(
        "ph",
        Int(1, 200),
        default=None,
        doc="Height as % of the source; ignored with h.",
        server_default="100",
    )
    scale_type: Optional[ScaleType] = p_scale_type()
    interval: Optional[int] = param("inter", MS, default=None, doc="Interval in ms.", server_default="every frame")

    def save_key_warning(self, key: str) -> Optional[str]:
        if self.count == 1 or "{index}" in key or not _has_suffix(key):
            return None  # one frame, numbered by {index}, or numbered by OSS (no suffix)
        return (
            f"video/snapshots writes one object per frame, but the save-as key {key!r} has a suffix and no "
            "{index}: only the last frame is kept (leave the suffix out or add {index})"
        )


class Sprite(ObjectTask):
    """Tile frames into sprite images.

    Page: https://www.alibabacloud.com/help/tc/oss/user-guide/video-cut-sprite
    (read to ``psh``; ``scaletype``/``tw``/``th``/``pad``/``margin`` defaults from IMM Sprites).
    """

    family: ClassVar[str] = "video"
    action: ClassVar[str] = "sprite"
    doc_url: ClassVar[str] = "https://www.alibabacloud.com/help/tc/oss/user-guide/video-cut-sprite"
    # thr: "only in dhash mode" (sprite page).
    rules: ClassVar[Tuple[Rule, ...]] = (requires("threshold", "mode", "dhash"),)

    # Order reproduces the doc example video/sprite,f_jpg,sw_100,sh_100,inter_10000,tw_10,th_10,pad_0,margin_0.
    start: Optional[int] = p_start()
    format: FrameFormat = param("f", Choice(FrameFormat), doc="Sprite format; at most 16384x16384 px.")
    mode: Optional[SpriteMode] = param(
        "m",
        Choice(SpriteMode),
        default=None,
        doc="inter: every interval; key: keyframes only; avg: num frames evenly; dhash: most-changed frames.",
        server_default="inter",
    )
    threshold: Optional[int] = param(
        "thr", Int(0, 100), default=None, doc="dhash threshold 0-100 (<= 25 recommended).", server_default="0"
    )
    count: Optional[int] = param("num", Int(0, None), default=None, doc="Frames; 0 is unlimited.", server_default="0")
    width: Optional[int] = param("sw", Int(32, 4096), default=None, doc="Tile width in px.")
    height: Optional[int] = param("sh", Int(32, 4096), default=None, doc="Tile height in px.")
    width_percent: Optional[int] = param(
        "psw", Int(1, 200), default=None, doc="Tile width as % of the source; ignored with sw.", server_default="100"
    )
    height_percent: Optional[int] = param(
        "psh", Int(1, 200), default=None, doc="Tile height as % of the source; ignored with sh.", server_default="100"
    )
    interval: Optional[int] = param("inter", MS, default=None, doc="Interval in ms; 0 is every frame.")
    scale_type: Optional[ScaleType] = p_scale_type()
    columns: Optional[int] = param(
        "tw", Int(1, None), default=None, doc="Tiles per row.", server_default="6", note="Default from IMM Sprites."
    )
    rows: Optional[int] = param(
        "th", Int(1, None), default=None, doc="Tiles per column.", server_default="6", note="Default from IMM Sprites."
    )
    padding: Optional[int] = param("pad", Int(0, None), default=None, doc="Gap between tiles, px.", server_default="2")
    margin: Optional[int] = param("margin", Int(0, None), default=None, doc="Border, px.", server_default="2")

    def _validate(self) -> None:
        super()._validate()
        if self.mode == "avg" and not self.count:
            # Sprite page: in avg mode "num must not be 0".
            raise ProcessValueError(
                "video/sprite: mode 'avg' needs count (num) > 0", param="count (num)", value=self.count, allowed="> 0"
            )

    def save_key_warning(self, key: str) -> Optional[str]:
        if "{index}" in key:
            return None
        per_sprite = (self.columns or 6) * (self.rows or 6)
        if self.count and self.count <= per_sprite:
            return None  # every frame fits in one sprite
        return (
            f"video/sprite may write several sprites, but the save-as key {key!r} has no {{index}}: "
            "later sprites overwrite earlier ones"
        )


class Animation(ObjectTask):
    """Turn a stretch of video into an animated GIF or WebP.

    Page: https://help.aliyun.com/zh/oss/user-guide/convert-videos-to-animated-images
    (read to ``fps``; ``w``/``h``/``pw``/``ph``/``scaletype`` ranges UNCERTAIN, permissive).
    """

    family: ClassVar[str] = "video"
    action: ClassVar[str] = "animation"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/user-guide/convert-videos-to-animated-images"

    # Order reproduces the doc example video/animation,f_gif,w_100,h_100,inter_1000.
    start: Optional[int] = p_start()
    format: Literal["gif", "webp"] = param("f", Choice(Literal["gif", "webp"]), doc="Animation format.")
    count: Optional[int] = param("num", Int(0, None), default=None, doc="Frames; default to the end.")
    width: Optional[int] = param("w", Int(1, 4096), default=None, doc="Width px (IMM [1,4096]; OSS range UNCERTAIN).")
    height: Optional[int] = param("h", Int(1, 4096), default=None, doc="Height px (IMM [1,4096]; OSS range UNCERTAIN).")
    width_percent: Optional[int] = param("pw", Int(1, 200), default=None, doc="Width % (UNCERTAIN, as for snapshots).")
    height_percent: Optional[int] = param("ph", Int(1, 200), default=None, doc="Height % (UNCERTAIN).")
    interval: Optional[int] = param("inter", MS, default=None, doc="Sampling interval in ms.")
    fps: Optional[float] = param(
        "fps", Float(0, 240), default=None, doc="Playback rate, 0-240.", server_default="1000/inter"
    )
    scale_type: Optional[ScaleType] = p_scale_type()


# -- concat ---------------------------------------------------------------------------------
class Clip(Section):
    """One clip joined before (``Pre``) or after (``Sur``) the request's object.

    ``o`` is an object in the current bucket (audio-stitching page,
    https://help.aliyun.com/zh/oss/user-guide/audio-stitching; video by the same rule).
    """

    key: str = param(
        "o",
        B64Text(max_bytes=1023, what="an object key in the same bucket"),
        kw_only=False,
        doc="The clip's object key.",
    )
    start: Optional[int] = param("ss", MS, default=None, doc="Start in the clip, ms.", server_default="0")
    duration: Optional[int] = param("t", MS, default=None, doc="Length used, ms; 0 is to the end.", server_default="0")


class Pre(Clip):
    """A clip joined before the request's object: ``/pre,o_…``."""

    action: ClassVar[str] = "pre"


class Sur(Clip):
    """A clip joined after the request's object: ``/sur,o_…``."""

    action: ClassVar[str] = "sur"


# At most 11 media files in one concatenation (audio-stitching page; IMM CreateMediaConvertTask):
# the request's object plus at most 10 clips.
MAX_CLIPS = 10
# IMM: codec copy "is not allowed for merging" (TargetVideo/TargetAudio.Codec).
ConcatVideoCodec = Literal["h264", "h265", "vp9"]
ConcatAudioCodec = Literal["aac", "mp3", "flac", "vorbis", "ac3", "opus", "amr"]


class Concat(ObjectTask):
    """Join videos: the head sets the output, ``clips`` are joined in the order given.

    Page: https://help.aliyun.com/zh/oss/user-guide/video-stitching ("拼接顺序按照pre、sur在
    请求串中的先后顺序"): clips keep their written order, ``Pre`` ones before the
    request's object and ``Sur`` ones after it.
    """

    family: ClassVar[str] = "video"
    action: ClassVar[str] = "concat"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/user-guide/video-stitching"

    # Order reproduces the SDK sample: ss_0,f_mp4,vcodec_h264,fps_25,vb_1000000,acodec_aac,
    # ab_96000,ar_48000,ac_2,align_1.
    start: Optional[int] = p_start()
    duration: Optional[int] = p_duration()
    format: ConvertFormat = param("f", Choice(ConvertFormat), doc="Output container.")
    video_codec: Optional[ConcatVideoCodec] = param(
        "vcodec", Choice(ConcatVideoCodec), default=None, doc="Video codec (copy is not allowed for merging)."
    )
    fps: Optional[float] = p_fps()
    fps_policy: Optional[Literal[0, 1, 2]] = p_fps_policy()
    resolution: Optional[str] = p_resolution()
    resolution_policy: Optional[Literal[0, 1, 2]] = p_resolution_policy()
    scale_type: Optional[ScaleType] = p_scale_type()
    adaptive_orientation: Optional[bool] = p_adaptive_orientation()
    video_bitrate: Optional[int] = p_video_bitrate()
    video_bitrate_policy: Optional[Literal[0, 1, 2]] = p_video_bitrate_policy()
    crf: Optional[float] = p_crf()
    gop: Optional[int] = p_gop()
    pixel_format: Optional[PixelFormat] = p_pixel_format()
    audio_codec: Optional[ConcatAudioCodec] = p_audio_codec(ConcatAudioCodec)
    audio_bitrate: Optional[int] = p_audio_bitrate()
    audio_bitrate_policy: Optional[Literal[0, 1, 2]] = p_audio_bitrate_policy()
    audio_quality: Optional[int] = p_audio_quality()
    sample_rate: Optional[SampleRate] = p_sample_rate()
    sample_rate_policy: Optional[Literal[0, 1, 2]] = p_sample_rate_policy()
    channels: Optional[int] = p_channels()
    align: Optional[int] = p_align()
    clips: Tuple[Clip, ...] = sections(
        Pre, Sur, min_items=1, max_items=MAX_CLIPS, doc="Clips (Pre/Sur) in order; 1 to 10."
    )


# -- synchronous ----------------------------------------------------------------------------
class Snapshot(Operation):
    """One frame, returned directly (synchronous, GET-able; H.264/H.265 sources).

    Page: https://www.alibabacloud.com/help/en/oss/user-guide/video-snapshots (t, w, h, m, f, ar);
    ``l``/``s`` (longer/shorter side) are on its error pages 0053-00000102 and
    https://help.aliyun.com/en/oss/user-guide/0053-00000102 (``t_3000,f_jpg,l_800,s_600`` valid).
    The page marks nothing as required, so every parameter is optional here.
    """

    family: ClassVar[str] = "video"
    action: ClassVar[str] = "snapshot"
    doc_url: ClassVar[str] = "https://www.alibabacloud.com/help/en/oss/user-guide/video-snapshots"

    time: Optional[int] = param(
        "t", MS, default=None, doc="Position in ms; past the end gives the last frame; 0 is the thumbnail."
    )
    format: Optional[FrameFormat] = param("f", Choice(FrameFormat), default=None, doc="Image format.")
    width: Optional[int] = param(
        "w", Int(0, None), default=None, doc="Width px, up to the video's; 0 keeps the proportion."
    )
    height: Optional[int] = param("h", Int(0, None), default=None, doc="Height px; 0 keeps the proportion.")
    longer: Optional[int] = param("l", Int(0, None), default=None, doc="Longer side px, up to the video's.")
    shorter: Optional[int] = param("s", Int(0, None), default=None, doc="Shorter side px, up to the video's.")
    mode: Optional[Literal["fast"]] = param(
        "m", Choice(Literal["fast"]), default=None, doc="fast: the nearest keyframe before t.", server_default="exact"
    )
    # auto, h and w: error page https://help.aliyun.com/zh/oss/support/0053-00000108.
    rotate: Optional[Literal["auto", "h", "w"]] = param(
        "ar",
        Choice(Literal["auto", "h", "w"]),
        default=None,
        doc="auto: rotate by the video's metadata; h: force portrait (taller than wide); w: force landscape.",
        note="auto, h, w: https://help.aliyun.com/zh/oss/support/0053-00000108",
    )


class Info(Operation):
    """Container and stream information as JSON (synchronous).

    Page: https://help.aliyun.com/zh/oss/user-guide/video-information-extraction
    (listed as a sync media action on the synchronous-processing page).
    """

    family: ClassVar[str] = "video"
    action: ClassVar[str] = "info"
    doc_url: ClassVar[str] = "https://help.aliyun.com/zh/oss/user-guide/video-information-extraction"
