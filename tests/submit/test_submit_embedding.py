"""procdsl values inside the SDKs users already have: oss2 and alibabacloud-oss-v2.

Each SDK talks to procdsl.testing.FakeOSS on 127.0.0.1, which checks the SDK's
own V4 (or V1) signature and parses the process string it received strictly.
No real network.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

import httpx
import pytest

from procdsl import Doc, Image, Style, parse
from procdsl.submit import Client, Credentials
from procdsl.testing import FakeOSS

pytestmark = pytest.mark.sdk

CREDS = Credentials("AKIDembedding01", "embedding-secret")
STS = Credentials("STS.AKIDembedding02", "embedding-secret-2", "sts-token/with+chars=")
JOB = Doc.convert(src="docx", to="png").save_as("test-bucket", "doc_images/{index}.png").notify("test-topic")
PIPE = Image.resize(width=100).rotate(90)
KEY = "docs/my report+final 中文.docx"


@pytest.fixture
def fake() -> FakeOSS:
    f = FakeOSS([CREDS, STS])
    f.put_object("bkt", "photo 1+.jpg", b"PIXELS")
    f.put_object("bkt", KEY, b"DOCX")
    return f


@pytest.fixture
def server(fake: FakeOSS) -> Iterator[str]:
    with fake.serve() as url:
        yield url


# ---- oss2 ------------------------------------------------------------------------------------


def _oss2_bucket(oss2: Any, server: str, creds: Credentials, version: str) -> Any:
    if creds.security_token:
        auth = oss2.StsAuth(creds.access_key_id, creds.access_key_secret, creds.security_token, auth_version=version)
    elif version == "v4":
        auth = oss2.AuthV4(creds.access_key_id, creds.access_key_secret)
    else:
        auth = oss2.Auth(creds.access_key_id, creds.access_key_secret)
    return oss2.Bucket(auth, server, "bkt", region="cn-hangzhou")


@pytest.mark.parametrize("version", ["v4", "v1"])
@pytest.mark.parametrize("creds", [CREDS, STS], ids=["ak", "sts"])
def test_oss2_async_process_object_with_a_procdsl_job(
    fake: FakeOSS, server: str, creds: Credentials, version: str
) -> None:
    oss2 = pytest.importorskip("oss2")
    result = _oss2_bucket(oss2, server, creds, version).async_process_object(KEY, str(JOB))
    assert result.status == 200
    assert (result.task_id, result.event_id, result.async_request_id) == (
        "FakeTask-00000001",
        "001-FakeEvent",
        "FAKE-TASK-REQUEST-000001",
    )
    [task] = fake.tasks
    assert (task.key, task.job) == (KEY, JOB)  # the fake parsed exactly our job back


@pytest.mark.parametrize("version", ["v4", "v1"])
def test_oss2_sign_url_with_a_procdsl_process(fake: FakeOSS, server: str, version: str) -> None:
    oss2 = pytest.importorskip("oss2")
    bucket = _oss2_bucket(oss2, server, CREDS, version)
    url = bucket.sign_url("GET", "photo 1+.jpg", 600, params={"x-oss-process": str(PIPE)})
    response = httpx.get(url)
    assert response.status_code == 200, response.text
    assert response.content == b"PIXELS"
    assert fake.requests[-1].process == PIPE


def test_oss2_process_object_with_a_procdsl_sync_job(fake: FakeOSS, server: str) -> None:
    oss2 = pytest.importorskip("oss2")
    result = _oss2_bucket(oss2, server, CREDS, "v4").process_object(
        "photo 1+.jpg", str(Style("small").save_as("s.jpg"))
    )
    assert (result.object, result.fileSize, result.process_status) == ("s.jpg", 6, "OK")


# ---- alibabacloud-oss-v2 ---------------------------------------------------------------------


def _v2_client(oss: Any, server: str, creds: Credentials) -> Any:
    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(
        creds.access_key_id, creds.access_key_secret, creds.security_token
    )
    cfg.region = "cn-hangzhou"
    cfg.endpoint = server
    return oss.Client(cfg)


@pytest.mark.parametrize("creds", [CREDS, STS], ids=["ak", "sts"])
def test_v2_async_process_object_with_a_procdsl_job(fake: FakeOSS, server: str, creds: Credentials) -> None:
    oss = pytest.importorskip("alibabacloud_oss_v2")
    client = _v2_client(oss, server, creds)
    result = client.async_process_object(oss.AsyncProcessObjectRequest(bucket="bkt", key=KEY, process=str(JOB)))
    assert (result.task_id, result.event_id, result.process_request_id) == (
        "FakeTask-00000001",
        "001-FakeEvent",
        "FAKE-TASK-REQUEST-000001",
    )
    assert fake.tasks[0].job == JOB
    # Same request shape as procdsl's own client: raw body, Content-MD5, no Content-Type.
    sdk = fake.requests[0]
    with Client("cn-hangzhou", creds, server) as ours:
        ours.submit("bkt", KEY, JOB)
    mine = fake.requests[1]
    assert (sdk.body, sdk.raw_query, sdk.header("Content-MD5")) == (
        mine.body,
        mine.raw_query,
        mine.header("Content-MD5"),
    )
    assert sdk.header("Content-Type") is None


def test_v2_presign_get_object_with_a_procdsl_process(fake: FakeOSS, server: str) -> None:
    oss = pytest.importorskip("alibabacloud_oss_v2")
    client = _v2_client(oss, server, STS)
    presigned = client.presign(
        oss.GetObjectRequest(bucket="bkt", key="photo 1+.jpg", process=str(PIPE)), expires=timedelta(seconds=600)
    )
    response = httpx.get(presigned.url)
    assert response.status_code == 200, response.text
    assert fake.requests[-1].process == PIPE


def test_v2_get_object_with_a_parsed_string(fake: FakeOSS, server: str) -> None:
    oss = pytest.importorskip("alibabacloud_oss_v2")
    process = parse("image/resize,w_100/rotate,90", context="sync")
    result = _v2_client(oss, server, CREDS).get_object(
        oss.GetObjectRequest(bucket="bkt", key="photo 1+.jpg", process=str(process))
    )
    assert result.body.read() == b"PIXELS"


@pytest.mark.parametrize("version", ["v4", "v1"])
def test_the_fake_refuses_an_sdk_with_the_wrong_secret(fake: FakeOSS, server: str, version: str) -> None:
    oss2 = pytest.importorskip("oss2")
    bucket = _oss2_bucket(oss2, server, Credentials(CREDS.access_key_id, "wrong"), version)
    with pytest.raises(oss2.exceptions.ServerError) as info:  # oss2 reads the fake's XML error body
        bucket.async_process_object(KEY, str(JOB))
    assert (info.value.status, info.value.code) == (403, "SignatureDoesNotMatch")
    assert fake.tasks == []
