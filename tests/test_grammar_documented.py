"""Strict parsing accepts what the OSS pages document and refuses what they say is invalid.

Every test names the page its string or limit comes from.
"""

from __future__ import annotations

import pytest

from procdsl import (
    AsyncJob,
    Doc,
    Image,
    Kdtree,
    Octree,
    PointCloud,
    ProcessError,
    ProcessSyntaxError,
    ProcessValueError,
    SaveAs,
    Style,
    StyleJob,
    SyncJob,
    Video,
    parse,
)
from procdsl._explain import explain

# b_dGVzdC1idWNrZXQ = "test-bucket", o_b3V0LmpwZw = "out.jpg", topic_dGVzdC10b3BpYw = "test-topic"
SAVE = "|sys/saveas,b_dGVzdC1idWNrZXQ,o_b3V0LmpwZw"


# -- styles: https://help.aliyun.com/en/oss/user-guide/styles --------------------------------------
def test_a_saved_style_runs_under_either_header() -> None:
    text = "style/StyleName" + SAVE
    sync = parse(text)
    assert isinstance(sync, StyleJob) and isinstance(sync, SyncJob)
    job = parse(text, context="async")
    assert isinstance(job, AsyncJob) and job.op == Style("StyleName") and job.notification is None
    assert str(job) == text
    built = Style("StyleName").save_as("test-bucket", "out.jpg")
    assert built == sync and built.asynchronous() == job
    assert parse("x-oss-async-process=" + text) == job


def test_a_style_with_notify_is_an_async_job() -> None:
    text = "style/StyleName" + SAVE + "/notify,topic_dGVzdC10b3BpYw"
    job = parse(text)
    assert isinstance(job, AsyncJob)
    assert job == Style("StyleName").save_as("test-bucket", "out.jpg").notify("test-topic")
    assert str(job) == text
    assert explain(text).header == "x-oss-async-process"
    with pytest.raises(ProcessError):
        parse(text, context="sync")


def test_built_in_style_names() -> None:
    assert str(Style("::thumb")) == "style/::thumb"
    assert parse("style/::thumb") == Style("::thumb")
    with pytest.raises(ProcessValueError):
        Style(":thumb")


# -- media and image values ---------------------------------------------------------------------
def test_video_snapshot_ar_takes_auto_h_and_w() -> None:
    # Error page https://help.aliyun.com/zh/oss/support/0053-00000108: ar is auto, h or w; ar_32 is refused.
    for value in ("auto", "h", "w"):
        text = f"video/snapshot,t_3000,f_jpg,w_800,h_600,ar_{value}"
        assert parse(text) == Video.snapshot(time=3000, format="jpg", width=800, height=600, rotate=value)
    with pytest.raises(ProcessValueError, match="one of auto, h, w"):
        parse("video/snapshot,t_3000,f_jpg,w_800,h_600,ar_32")


def test_blur_faces_and_scale_up_to_200() -> None:
    # https://help.aliyun.com/en/oss/user-guide/blur: g is face or faces; p is 1-200 (%).
    assert parse("image/blur,g_faces,p_200,r_3,s_2") == Image.blur(region="faces", scale=200, radius=3, sigma=2)
    with pytest.raises(ProcessValueError, match=r"\[1, 200\]"):
        parse("image/blur,g_face,p_201,r_3,s_2")


def test_bare_quality() -> None:
    # https://help.aliyun.com/zh/oss/support/0040-00000310: quality,200 is out of [1, 100].
    assert parse("image/quality,90") == Image.quality(value=90)
    assert str(Image.quality(value=90)) == "image/quality,90"
    with pytest.raises(ProcessValueError, match=r"\[1, 100\]"):
        parse("image/quality,200")


@pytest.mark.parametrize(
    ("action", "page"),
    [
        ("faces", "https://www.alibabacloud.com/help/en/oss/user-guide/face-detection"),
        ("bodies", "https://help.aliyun.com/zh/oss/body-detection"),
        ("cars", "https://www.alibabacloud.com/help/en/oss/user-guide/vehicle-detection"),
        ("codes", "https://www.alibabacloud.com/help/pt-br/oss/user-guide/qrcode-recognition"),
        ("labels", "https://help.aliyun.com/en/oss/user-guide/image-label-detection"),
        ("score", "https://help.aliyun.com/en/oss/user-guide/image-quality-score"),
    ],
)
def test_image_intelligence_actions(action: str, page: str) -> None:
    value = parse(f"image/{action}")
    assert value == getattr(Image, action)()
    assert str(value) == f"image/{action}"
    assert explain(f"image/{action}").stages[0].operations[0].doc_url == page


def test_point_cloud_compression() -> None:
    # The page's example (https://help.aliyun.com/en/oss/user-guide/point-cloud-compression, zh edition);
    # eHl6 = base64("xyz").
    text = "pointcloud/compress,m_octree,fs_eHl6/octree,or_0.001,pr_0.001,d_1,lib_pcl"
    value = parse(text)
    octree = Octree(octree_resolution=0.001, point_resolution=0.001, downsample=True, lib="pcl")
    assert value == PointCloud.compress(method="octree", fields="xyz", octree=octree)
    assert str(value) == text
    kd = PointCloud.compress(method="kdtree", kdtree=Kdtree(lib="draco", level=10, quantization_bits=31))
    assert str(kd) == "pointcloud/compress,m_kdtree/kdtree,lib_draco,cl_10,qb_31"
    assert parse(str(kd)) == kd
    with pytest.raises(ProcessValueError, match=r"\[0, 10\]"):
        parse("pointcloud/compress,m_kdtree/kdtree,cl_11,qb_1")
    with pytest.raises(ProcessValueError, match="required"):
        parse("pointcloud/compress,f_pcd")  # m is required
    # A section for the other method is accepted but has no effect.
    warnings = explain("pointcloud/compress,m_kdtree/octree,d_1").warnings
    assert any("no effect" in w and "m is octree" in w for w in warnings)


# -- documents ------------------------------------------------------------------------------------
def test_document_snapshot_limits() -> None:
    # https://help.aliyun.com/zh/oss/user-guide/document-snapshot: page at most 2000.
    assert parse("doc/snapshot,target_jpg,source_docx,page_2000") == Doc.snapshot(to="jpg", src="docx", page=2000)
    with pytest.raises(ProcessValueError, match=r"\[1, 2000\]"):
        parse("doc/snapshot,page_2001")
    # Seven inputs: https://www.alibabacloud.com/help/pt-br/oss/user-guide/document-snapshot
    for source in ("pdf", "xlsx", "xls", "docx", "doc", "pptx", "ppt"):
        parse(f"doc/snapshot,source_{source}")
    with pytest.raises(ProcessValueError, match="source"):
        parse("doc/snapshot,source_wps")


def test_txt_conversion_only_from_word_and_powerpoint() -> None:
    # https://help.aliyun.com/zh/oss/user-guide/document-conversion: TXT from Word and PowerPoint only.
    with pytest.raises(ProcessValueError, match="Word and PowerPoint"):
        parse("doc/convert,target_txt,source_xlsx" + SAVE)
    assert str(Doc.convert(to="txt", src="pptx")) == "doc/convert,target_txt,source_pptx"


# -- one policy for "only takes effect when ..." --------------------------------------------------
@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("image/resize,w_10,color_FF0000", "color has no effect here: it only takes effect when m is pad"),
        # text_YQ = "a"; cGFuZGEucG5n = "panda.png"
        ("image/watermark,text_YQ,padx_3", "padx has no effect here: it only takes effect when fill is 1"),
        ("image/watermark,image_cGFuZGEucG5n,size_20", "size has no effect here"),
        ("image/watermark,image_cGFuZGEucG5n,order_1", "order has no effect here"),
        ("image/watermark,text_YQ,align_1,interval_3", "interval has no effect here"),
        ("image/watermark,text_YQ,g_north,x_10", "x has no effect here"),
        ("image/watermark,text_YQ,g_se,voffset_10", "voffset has no effect here"),
        ("image/blur,p_50,r_3,s_2", "p has no effect here: it only takes effect when g is set"),
    ],
)
def test_parameters_without_effect_are_accepted_and_flagged(text: str, fragment: str) -> None:
    assert str(parse(text)) == text
    assert any(fragment in w for w in explain(text).warnings), explain(text).warnings


def test_notify_without_topic_is_accepted_and_flagged() -> None:
    # The message-notification page requires topic; an SDK sample sends a bare /notify.
    text = "video/convert,f_mp4" + SAVE + "/notify"
    assert str(parse(text)) == text
    assert any("no message will be sent" in w for w in explain(text).warnings)


def test_duplicate_parameters_name_both_positions() -> None:
    with pytest.raises(ProcessSyntaxError, match="given twice, at columns 20 and 26") as info:
        parse("image/resize,m_pad,h_200,h_300")
    assert info.value.position == 25
    assert str(parse("image/resize,m_pad,h_200,h_300", strict=False)) == "image/resize,m_pad,h_200,h_300"


def test_saveas_values() -> None:
    job = parse("image/faces" + SAVE)
    assert isinstance(job, SyncJob) and job.save == SaveAs(bucket="test-bucket", key="out.jpg")


def test_client_submits_an_async_style_job() -> None:
    # x-oss-async-process=style/StyleName|sys/saveas,… (styles page) goes through Client.submit.
    from procdsl.submit import Client, Credentials
    from procdsl.testing import FakeOSS

    creds = Credentials("AKIDexample0001", "not-a-real-secret-000000")
    fake = FakeOSS([creds])
    fake.put_object("bkt", "in.jpg", b"JPEG-BYTES")
    job = Style("StyleName").save_as("test-bucket", "out.jpg").notify("test-topic")
    with Client("cn-hangzhou", creds, transport=fake.transport()) as client:
        client.submit("bkt", "in.jpg", job)
    [request] = fake.requests
    wire = "style/StyleName" + SAVE + "/notify,topic_dGVzdC10b3BpYw"
    assert request.body == b"x-oss-async-process=" + wire.encode()
