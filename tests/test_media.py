"""Video, audio, document and HLS operations: documented strings, builders, ranges, stages.

Expected strings come from the OSS docs and SDKs (or tests/data/examples.jsonl); base64
values in them were decoded by hand and are noted next to each constant.
"""

from __future__ import annotations

import pickle
import warnings
from typing import Any, Dict, List

import pytest

from procdsl import (
    AsyncJob,
    AsyncOperation,
    Audio,
    Doc,
    DocWatermark,
    Hls,
    IfStatus404,
    Image,
    Pre,
    ProcessSyntaxError,
    ProcessValueError,
    RawOperation,
    SaveAs,
    SaveAsKeyWarning,
    StageError,
    Sur,
    SyncJob,
    SyncProcess,
    Var,
    Video,
    parse,
)
from procdsl._operations import audio, doc, hls, video

from .conftest import load_examples

FAMILIES = ("video/", "audio/", "doc/", "hls/", "imm/", "if_status_eq_404{")
# Strings whose keys are not all documented parse only leniently: the legacy imm/ family
# (imm/previewdoc, superseded by doc/preview) is not modelled.
LENIENT_PREFIXES = ("imm/",)


def media_examples() -> List[Dict[str, Any]]:
    return [e for e in load_examples() if e["process"].startswith(FAMILIES)]


def quiet_parse(text: str, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaveAsKeyWarning)
        return parse(text, **kw)


# -- the examples file ----------------------------------------------------------------------
def test_examples_cover_every_media_kind() -> None:
    kinds = {e["kind"] for e in media_examples()}
    assert {"video", "audio", "doc", "hls"} <= kinds
    assert len(media_examples()) >= 60


@pytest.mark.parametrize("example", media_examples(), ids=lambda e: e["process"][:60])
def test_every_media_example_parses_and_round_trips(example: Dict[str, Any]) -> None:
    text = example["process"]
    lenient = text.startswith(LENIENT_PREFIXES)
    if lenient:
        with pytest.raises(ProcessSyntaxError):
            parse(text)
    value = quiet_parse(text, strict=not lenient)
    assert quiet_parse(str(value), strict=not lenient) == value
    assert str(value) == text  # written back byte for byte, padding included


def test_padded_examples_write_back_as_written_and_normalise_to_the_unpadded_form() -> None:
    padded = "audio/concat,f_aac,ac_1,ar_44100,ab_96000,align_2/pre,o_c3JjMS5tcDM=/pre,o_c3JjMi5tcDM=,t_0"
    assert str(parse(padded)) == padded
    assert str(parse(padded).canonical()) == padded.replace("=", "")


# -- typed builders reproduce the official strings ----------------------------------------------
# PHP SDK V2 unit test body; ZGVzdC1idWNrZXQ = "dest-bucket", ZGVtby5tcDQ = "demo.mp4".
CONVERT_SDK = "video/convert,f_avi,vcodec_h265,s_1920x1080,vb_2000000,fps_30,acodec_aac,ab_100000,sn_1"


def test_video_convert_builder_gives_the_sdk_sample() -> None:
    op = Video.convert(
        format="avi",
        video_codec="h265",
        resolution="1920x1080",
        video_bitrate=2_000_000,
        fps=30,
        audio_codec="aac",
        audio_bitrate=100_000,
        disable_subtitles=True,
    )
    assert str(op) == CONVERT_SDK
    job = op.save_as("dest-bucket", "demo.mp4")
    assert str(job) == CONVERT_SDK + "|sys/saveas,b_ZGVzdC1idWNrZXQ,o_ZGVtby5tcDQ"
    # keyword order does not change the string
    same = Video.convert(disable_subtitles=True, audio_bitrate=100_000, audio_codec="aac", fps=30.0,
                         video_bitrate=2_000_000, resolution="1920x1080", video_codec="h265", format="avi")  # fmt: skip
    assert str(same) == CONVERT_SDK and same == op


# PHP SDK V2 doc page template; Y29uY2F0MS5tcDQ = "concat1.mp4", Y29uY2F0Mi5tcDQ = "concat2.mp4",
# ZXhhbXBsZWJ1Y2tldA = "examplebucket", ZGVzdC5tcDQ = "dest.mp4", QXVkaW9Db252ZXJ0 = "AudioConvert".
CONCAT_SDK = (
    "video/concat,ss_0,f_mp4,vcodec_h264,fps_25,vb_1000000,acodec_aac,ab_96000,ar_48000,ac_2,align_1"
    "/pre,o_Y29uY2F0MS5tcDQ/sur,o_Y29uY2F0Mi5tcDQ,t_0"
)


def concat_sample() -> AsyncOperation:
    return Video.concat(
        start=0,
        format="mp4",
        video_codec="h264",
        fps=25,
        video_bitrate=1_000_000,
        audio_codec="aac",
        audio_bitrate=96_000,
        sample_rate=48_000,
        channels=2,
        align=1,
        clips=(Pre("concat1.mp4"), Sur("concat2.mp4", duration=0)),
    )


def test_concat_builder_gives_the_sdk_sample() -> None:
    assert str(concat_sample()) == CONCAT_SDK
    job = concat_sample().save_as("examplebucket", "dest.mp4").notify("AudioConvert")
    expected = CONCAT_SDK + "|sys/saveas,b_ZXhhbXBsZWJ1Y2tldA,o_ZGVzdC5tcDQ/notify,topic_QXVkaW9Db252ZXJ0"
    assert str(job) == expected
    assert parse(expected) == job


def test_concat_clips_are_decoded_and_keep_their_order() -> None:
    # aW50cm8ubXA0 = intro.mp4, Y2xpcC5tcDQ = clip.mp4, b3V0cm8ubXA0 = outro.mp4, am9pbmVkLm1wNA = joined.mp4
    text = (
        "video/concat,f_mp4,vcodec_h264,acodec_aac,align_0/pre,o_aW50cm8ubXA0/pre,o_Y2xpcC5tcDQ,ss_1000,t_5000"
        "/sur,o_b3V0cm8ubXA0|sys/saveas,o_am9pbmVkLm1wNA"
    )
    job = parse(text)
    assert isinstance(job, AsyncJob) and isinstance(job.op, video.Concat)
    assert job.op.clips == (Pre("intro.mp4"), Pre("clip.mp4", start=1000, duration=5000), Sur("outro.mp4"))
    assert job.save is not None and job.save.key == "joined.mp4"
    # order is significant: a clip that moves makes a different value and string
    moved = job.op.replace(clips=(Sur("outro.mp4"), Pre("intro.mp4"), Pre("clip.mp4", start=1000, duration=5000)))
    assert moved != job.op
    assert str(moved).endswith("/sur,o_b3V0cm8ubXA0/pre,o_aW50cm8ubXA0/pre,o_Y2xpcC5tcDQ,ss_1000,t_5000")
    # interleaved pre/sur segments come back exactly as written
    interleaved = "audio/concat,f_mp3/sur,o_Yi5tcDM/pre,o_YS5tcDM,t_0/sur,o_Yy5tcDM"
    assert str(parse(interleaved)) == interleaved
    assert Pre("a.mp3") != Sur("a.mp3")


def test_audio_builders_give_the_documented_strings() -> None:
    # Audio-transcoding example: from 10 s for 60 s to AAC 96 kbps.
    op = Audio.convert(start=10_000, duration=60_000, format="aac", audio_bitrate=96_000)
    assert str(op) == "audio/convert,ss_10000,t_60000,f_aac,ab_96000"
    # c3JjMS5tcDM = src1.mp3, c3JjMi5tcDM = src2.mp3
    cat = Audio.concat(
        format="aac",
        channels=1,
        sample_rate=44100,
        audio_bitrate=96_000,
        align=2,
        clips=(Pre("src1.mp3"), Pre("src2.mp3", duration=0)),
    )
    assert str(cat) == "audio/concat,f_aac,ac_1,ar_44100,ab_96000,align_2/pre,o_c3JjMS5tcDM/pre,o_c3JjMi5tcDM,t_0"
    assert str(Audio.info()) == "audio/info"


def test_doc_convert_builder_gives_the_notify_sample() -> None:
    job = Doc.convert(src="docx", to="png").save_as("test-bucket", f"doc_images/{Var.index}.png").notify("test-topic")
    assert str(job) == (
        "doc/convert,target_png,source_docx|sys/saveas,b_dGVzdC1idWNrZXQ,"
        "o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify,topic_dGVzdC10b3BpYw"
    )


def test_frame_and_sprite_builders() -> None:
    sprite = Video.sprite(
        format="jpg", width=100, height=100, interval=10_000, columns=10, rows=10, padding=0, margin=0
    )
    assert str(sprite) == "video/sprite,f_jpg,sw_100,sh_100,inter_10000,tw_10,th_10,pad_0,margin_0"
    dhash = Video.sprite(
        format="png", mode="dhash", threshold=20, interval=1000, width=160, height=90, columns=5, rows=5
    )
    assert str(dhash) == "video/sprite,f_png,m_dhash,thr_20,sw_160,sh_90,inter_1000,tw_5,th_5"
    anim = Video.animation(format="gif", width=100, height=100, interval=1000)
    assert str(anim) == "video/animation,f_gif,w_100,h_100,inter_1000"
    shots = Video.snapshots(format="jpg", interval=10_000, width=100, height=100, scale_type="crop")
    assert str(shots) == "video/snapshots,f_jpg,w_100,h_100,scaletype_crop,inter_10000"


def test_sync_builders() -> None:
    snap = Video.snapshot(time=7000, format="jpg", width=800, height=600, mode="fast")
    assert isinstance(snap, SyncProcess)
    assert str(snap) == "video/snapshot,t_7000,f_jpg,w_800,h_600,m_fast"
    assert str(Video.info()) == "video/info"
    # error page 0053-00000102 gives this as a valid request
    assert (
        str(Video.snapshot(time=3000, format="jpg", longer=800, shorter=600))
        == "video/snapshot,t_3000,f_jpg,l_800,s_600"
    )
    assert str(Doc.snapshot(to="jpg", src="docx", page=2)) == "doc/snapshot,target_jpg,source_docx,page_2"
    # 5YaF6YOo6LWE5paZ = 内部资料
    preview = Doc.preview(allow_export=True, allow_print=True, watermark=DocWatermark("内部资料", size=30, opacity=60))
    assert str(preview) == "doc/preview,export_1,print_1/watermark,text_5YaF6YOo6LWE5paZ,size_30,t_60"
    assert str(Doc.edit(watermark=DocWatermark("内部资料"))) == "doc/edit/watermark,text_5YaF6YOo6LWE5paZ"
    assert str(Doc.edit()) == "doc/edit"
    assert str(Hls.sign()) == "hls/sign"
    m3u8 = Hls.m3u8(
        video_codec="h264",
        fps=25,
        fps_policy=1,
        resolution="960x",
        resolution_policy=1,
        scale_type="fit",
        adaptive_orientation=True,
        crf=26,
        audio_codec="aac",
        sample_rate=44100,
        channels=2,
        audio_bitrate=128_000,
        audio_bitrate_policy=1,
        segment_duration=5000,
        initial_transcode=30_000,
    )
    assert str(m3u8) == (
        "hls/m3u8,vcodec_h264,fps_25,fpsopt_1,s_960x,sopt_1,scaletype_fit,arotate_1,crf_26,"
        "acodec_aac,ar_44100,ac_2,ab_128000,abopt_1,st_5000,initd_30000"
    )


def test_sync_doc_chain_parses_and_round_trips() -> None:
    text = "doc/convert,target_jpg,source_docx/snapshot,target_jpg,source_docx,page_2"
    value = parse(text, context="sync")
    assert value == SyncProcess((doc.Convert(to="jpg", src="docx"), doc.Snapshot(to="jpg", src="docx", page=2)))
    assert str(value) == text


# -- hls/ts and the conditional expression -------------------------------------------------------
# Live-transcoding page: output/media.m3u8 encodes to b3V0cHV0L21lZGlhLm0zdTg.
TS = "if_status_eq_404{hls/ts,from_b3V0cHV0L21lZGlhLm0zdTg}"


def test_hls_ts_is_sent_inside_if_status_eq_404() -> None:
    value = Hls.ts(playlist="output/media.m3u8")
    assert isinstance(value, IfStatus404)
    assert str(value) == TS
    parsed = parse(TS)
    assert parsed == value and str(parsed) == TS
    assert parse(TS) != parse("hls/ts,from_b3V0cHV0L21lZGlhLm0zdTg")
    assert pickle.loads(pickle.dumps(value)) == value
    assert not hasattr(value, "save_as")  # read with GET; no save-as is documented for it
    with pytest.raises(StageError):
        SyncJob(value, SaveAs(key="seg.ts"))  # type: ignore[arg-type]


def test_if_status_eq_404_errors_point_inside_the_braces() -> None:
    with pytest.raises(ProcessSyntaxError, match="not closed"):
        parse("if_status_eq_404{hls/ts,from_b3V0")
    with pytest.raises(ProcessSyntaxError) as info:
        parse("if_status_eq_404{hls/tss,from_b3V0}")
    assert info.value.position == len("if_status_eq_404{hls/")
    with pytest.raises(StageError):
        parse("if_status_eq_404{image/resize,w_100}")


# -- ranges and rules ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "param", "allowed"),
    [
        (lambda: video.Convert(format="mp4", resolution="1921x1080"), "resolution (s)", "even sides in [64, 4096]"),
        (lambda: video.Convert(format="mp4", resolution="32x32"), "resolution (s)", "[64, 4096]"),
        (lambda: video.Convert(format="mp4", fps=0), "fps", "(0, 240]"),
        (lambda: video.Convert(format="mp4", fps=241), "fps", "(0, 240]"),
        (lambda: video.Convert(format="mp4", crf=52), "crf", "[0, 51]"),
        (lambda: video.Convert(format="mp4", channels=9), "channels (ac)", "[1, 8]"),
        (lambda: video.Convert(format="mp4", audio_bitrate=999), "audio_bitrate (ab)", "[1000, 10000000]"),
        (lambda: video.Sprite(format="jpg", threshold=101, mode="dhash"), "threshold (thr)", "[0, 100]"),
        (lambda: video.Snapshots(format="jpg", width=31), "width (w)", "[32, 4096]"),
        (lambda: hls.M3u8(segment_duration=0), "segment_duration (st)", ">= 1"),
    ],
)
def test_range_errors_name_param_value_and_range(build: Any, param: str, allowed: str) -> None:
    with pytest.raises(ProcessValueError) as info:
        build()
    assert info.value.param == param
    assert allowed in str(info.value.allowed)
    assert param in str(info.value)


def test_parse_range_error_points_at_the_value() -> None:
    text = "video/convert,f_mp4,s_1921x1080"
    with pytest.raises(ProcessValueError) as info:
        parse(text)
    assert info.value.param == "resolution (s)" and info.value.value == "1921x1080"
    assert info.value.position == text.index("1921")


def test_one_side_resolution_and_enum_errors() -> None:
    assert str(video.Convert(format="mp4", resolution="x360")) == "video/convert,f_mp4,s_x360"
    with pytest.raises(ProcessValueError, match="one of mp4"):
        parse("video/convert,f_mp5")
    with pytest.raises(ProcessValueError, match="one of 8000"):
        video.Convert(format="mp4", sample_rate=44000)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "audio/convert,f_mp3,adepth_24",  # bit depth: flac only
        "video/sprite,f_jpg,m_avg",  # avg mode needs num > 0
        "video/sprite,f_jpg,m_inter,thr_10",  # thr only in dhash mode
        "video/concat,f_mp4,vcodec_copy/pre,o_YS5tcDQ",  # copy is not allowed for merging
        "audio/concat,f_mp3,acodec_copy/pre,o_YS5tcDQ",
        "video/concat,f_mp4",  # no clip
    ],
)
def test_cross_parameter_rules(text: str) -> None:
    with pytest.raises(ProcessValueError):
        parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "video/convert,f_mp4,vb_1000000,crf_23",  # IMM: Bitrate and CRF exclude each other
        "video/convert,f_mp4,ab_96000,aq_50",  # IMM: Bitrate and Quality exclude each other
        "video/convert,f_mp4,fpsopt_1",  # IMM: a policy needs its value
        "hls/m3u8,vcodec_h264,st_2000",  # IMM: segments of 5-15 s
    ],
)
def test_rules_known_only_from_imm_are_not_enforced(text: str) -> None:
    # No OSS page says whether OSS rejects or ignores these, so a real string is not refused.
    assert str(parse(text)) == text


def test_at_most_eleven_files_in_a_concatenation() -> None:
    ten = tuple(Pre(f"{i}.mp4") for i in range(10))
    assert len(Video.concat(format="mp4", clips=ten).op.clips) == 10  # type: ignore[union-attr]
    with pytest.raises(ProcessValueError, match="1 to 10"):
        Video.concat(format="mp4", clips=(*ten, Sur("x.mp4")))
    with pytest.raises(ProcessValueError):
        Video.concat(format="mp4", clips=("a.mp4",))  # type: ignore[arg-type]


def test_a_watermark_segment_appears_once() -> None:
    with pytest.raises(ProcessSyntaxError, match="once"):
        parse("doc/preview/watermark,text_YQ/watermark,text_Yg")


# -- unknown keys -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("video/convert,f_mp4,acopt_1", "acopt"),
        ("video/sprite,f_jpg,color_FFFFFF", "color"),
        ("video/concat,f_mp4/pre,o_YS5tcDQ,zz_1", "zz"),
        ("doc/snapshot,target_jpg,dpi_96", "dpi"),
        ("doc/preview/watermark,text_YQ,shadow_1", "shadow"),
    ],
)
def test_unknown_keys_strict_names_them_lenient_keeps_them(text: str, key: str) -> None:
    with pytest.raises(ProcessSyntaxError, match=repr(key)) as info:
        parse(text)
    assert info.value.position == text.index(key + "_")
    value = parse(text, strict=False)
    assert str(value) == text
    assert parse(str(value), strict=False) == value


def test_unknown_media_action_is_raw_when_lenient() -> None:
    value = parse("video/face,x_1", strict=False)
    assert isinstance(value, SyncProcess) and value.ops == (RawOperation("video", "face", ("x_1",)),)


# -- save-as keys that lose output ---------------------------------------------------------------
def test_snapshots_follow_the_numbering_rule() -> None:
    op = Video.snapshots(format="jpg", interval=1000)
    with pytest.warns(SaveAsKeyWarning, match="only the last frame"):
        op.save_as("frames/shot.jpg")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        op.save_as("frames/shot")  # no suffix: OSS appends _0_1.jpg-style numbers
        op.save_as(f"frames/{Var.index}.jpg")
        Video.snapshots(format="jpg", count=1).save_as("one.jpg")


def test_sprites_and_doc_pages_need_index() -> None:
    with pytest.warns(SaveAsKeyWarning, match="no \\{index\\}"):
        Video.sprite(format="jpg", interval=1000).save_as("sprite.jpg")
    with pytest.warns(SaveAsKeyWarning):
        parse("doc/convert,target_png|sys/saveas,o_YS5wbmc")  # YS5wbmc = a.png
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Video.sprite(format="jpg", mode="avg", count=9, columns=3, rows=3).save_as("one.jpg")
        Video.convert(format="mp4").save_as("a.mp4")
        Video.animation(format="gif").save_as("a.gif")


# -- stages -------------------------------------------------------------------------------------
def test_async_jobs_need_save_as() -> None:
    assert isinstance(Video.convert(format="mp4"), AsyncOperation)
    with pytest.raises(StageError):
        parse("video/convert,f_mp4", context="async")
    with pytest.raises(StageError):
        parse("video/convert,f_mp4|sys/notify,topic_dA")
    with pytest.raises(StageError):
        parse("video/snapshots,f_jpg", context="sync")


def test_sync_operations_take_no_notify_and_no_image_steps() -> None:
    job = Video.snapshot(time=1000, format="jpg").save_as("thumb.jpg")
    assert isinstance(job, SyncJob)
    with pytest.raises(StageError):
        parse("video/snapshot,t_1000,f_jpg|sys/saveas,o_YS5qcGc/notify,topic_dA")
    with pytest.raises(StageError):
        SyncProcess((video.Snapshot(time=0, format="jpg"), Image.resize(width=10).steps[0]))
    with pytest.raises(StageError):
        SyncProcess((video.Info(), audio.Info()))
    with pytest.raises(StageError):
        SyncProcess((video.Convert(format="mp4"),))


# -- values -------------------------------------------------------------------------------------
def test_values_are_immutable_hashable_picklable() -> None:
    op = concat_sample()
    assert hash(op) == hash(concat_sample())
    assert pickle.loads(pickle.dumps(op)) == op
    assert pickle.loads(pickle.dumps(Doc.preview(watermark=DocWatermark("x")))) == Doc.preview(
        watermark=DocWatermark("x")
    )
    convert = video.Convert(format="mp4")
    with pytest.raises(AttributeError):
        convert.format = "mkv"  # type: ignore[misc]
    base = Video.convert(format="mp4", video_codec="h264")
    assert str(base) == "video/convert,f_mp4,vcodec_h264"  # unchanged by later builds
    assert base.op.replace(fps=30) != base.op  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    [
        # from public code: a playlist with pixfmt and ta (IMM TranscodeAhead)
        "hls/m3u8,vcodec_h264,pixfmt_yuv420p,s_640x360,vb_600000,ab_64000,sopt_1,scaletype_fit,arotate_1,"
        "vbopt_1,acodec_aac,abopt_1,st_5000,initd_10000,ta_10",
        # from public code: a document snapshot that names only the page
        "doc/snapshot,page_2",
    ],
)
def test_real_strings_from_public_code_parse_strictly(text: str) -> None:
    assert str(parse(text)) == text
