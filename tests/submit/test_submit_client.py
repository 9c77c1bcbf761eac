"""Client and AsyncClient against procdsl.testing.FakeOSS: a real 127.0.0.1 server and the httpx transport."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator, List

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procdsl import Doc, Image, ProcessError, StageError, Style
from procdsl.submit import (
    AsyncClient,
    BadRequestError,
    Client,
    ConfigurationError,
    Credentials,
    CredentialsError,
    NotFoundError,
    OSSError,
    RetryPolicy,
    SignatureDoesNotMatchError,
    SubmitError,
    TaskMayExistError,
    ThrottlingError,
    TransportError,
)
from procdsl.submit._httpx import HttpxTransport
from procdsl.testing import FakeOSS

SECRET = "SECRET-must-not-leak-0123456789"
TOKEN = "TOKEN-must-not-leak-abcdefghij"
CREDS = Credentials("AKIDexample0001", SECRET)
STS = Credentials("STS.AKIDexample0002", SECRET + "x", TOKEN)
JOB = Doc.convert(src="docx", to="pdf").save_as("out/{barename}.pdf")
JOB_WIRE = "doc/convert,target_pdf,source_docx|sys/saveas,o_b3V0L3tiYXJlbmFtZX0ucGRm"
NO_WAIT = RetryPolicy(base_delay=0.0)
KEYS = ["in.docx", "dir/sub dir/a+b.docx", "中文/文件 名.docx", "weird%20literal&=?.docx", "emoji😀.docx"]


@pytest.fixture
def fake() -> FakeOSS:
    f = FakeOSS([CREDS, STS], assume_sources=True)
    f.put_object("bkt", "photo.jpg", b"JPEG-BYTES")
    return f


@pytest.fixture
def server(fake: FakeOSS) -> Iterator[str]:
    with fake.serve() as url:
        yield url


def test_job_wire_is_what_the_docs_write() -> None:
    # o_ is URL-safe base64 of "out/{barename}.pdf" without padding, decoded by hand.
    assert base64.urlsafe_b64decode("b3V0L3tiYXJlbmFtZX0ucGRm") == b"out/{barename}.pdf"
    assert str(JOB) == JOB_WIRE


@pytest.mark.parametrize("key", KEYS)
def test_sync_client_submits_to_a_real_server(fake: FakeOSS, server: str, key: str) -> None:
    with Client("cn-hangzhou", CREDS, server, retry=NO_WAIT) as client:
        task = client.submit("bkt", key, JOB)
    assert (task.task_id, task.event_id, task.request_id) == (
        "FakeTask-00000001",
        "001-FakeEvent",
        "FAKE-TASK-REQUEST-000001",
    )
    assert task.oss_request_id is not None and task.oss_request_id != task.request_id
    [req] = fake.requests
    assert (req.method, req.bucket, req.key, req.status) == ("POST", "bkt", key, 200)
    assert req.raw_query == "x-oss-async-process="
    assert req.body == b"x-oss-async-process=" + JOB_WIRE.encode()  # raw, not form-encoded
    assert req.header("Content-MD5") == base64.b64encode(hashlib.md5(req.body).digest()).decode()
    assert req.header("Content-Type") is None
    assert fake.tasks[0].job == JOB


@pytest.mark.parametrize("key", KEYS)
def test_async_client_submits_to_a_real_server(fake: FakeOSS, server: str, key: str) -> None:
    async def run() -> Any:
        async with AsyncClient("cn-hangzhou", STS, server, retry=NO_WAIT) as client:
            return await client.submit("bkt", key, JOB_WIRE)

    task = asyncio.run(run())
    assert task.task_id == "FakeTask-00000001"
    assert fake.requests[0].header("x-oss-security-token") == TOKEN
    assert str(fake.tasks[0].job) == JOB_WIRE


def test_both_clients_process_and_get(fake: FakeOSS, server: str) -> None:
    with Client("cn-hangzhou", CREDS, server) as client:
        saved = client.process("bkt", "photo.jpg", Style("small").save_as("thumbs/p.jpg"))
        got = client.get("bkt", "photo.jpg", Image.resize(width=100))
    assert (saved.bucket, saved.key, saved.size, saved.status) == ("", "thumbs/p.jpg", 10, "OK")
    assert got == b"JPEG-BYTES"
    assert fake.objects[("bkt", "thumbs/p.jpg")] == b"JPEG-BYTES"
    assert fake.requests[1].raw_query == "x-oss-process=image%2Fresize%2Cw_100"  # strict query encoding

    async def run() -> Any:
        async with AsyncClient("cn-hangzhou", CREDS, server) as client:
            saved = await client.process("bkt", "photo.jpg", "style/small|sys/saveas,o_dGh1bWJzL3EuanBn")
            return saved, await client.get("bkt", "photo.jpg", "image/resize,w_100")

    saved2, got2 = asyncio.run(run())
    assert (saved2.key, got2) == ("thumbs/q.jpg", b"JPEG-BYTES")


def test_an_if_status_eq_404_process_is_signed_for_get(fake: FakeOSS, server: str) -> None:
    from procdsl import Hls

    with Client("cn-hangzhou", CREDS, server) as client:
        for process in (Hls.ts(playlist="a.m3u8"), "if_status_eq_404{hls/ts,from_YS5tM3U4}"):
            url = client.sign_url("bkt", "photo.jpg", process)
            assert "x-oss-process=if_status_eq_404%7Bhls%2Fts%2Cfrom_YS5tM3U4%7D" in url
            assert client.get("bkt", "photo.jpg", process) == b"JPEG-BYTES"  # the fake serves it


def test_async_sign_url_is_a_coroutine_whose_url_the_server_accepts(fake: FakeOSS, server: str) -> None:
    async def run() -> str:
        async with AsyncClient("cn-hangzhou", CREDS, server) as client:
            return await client.sign_url("bkt", "photo.jpg", Image.resize(width=100), expires=600)

    url = asyncio.run(run())
    with httpx.Client() as http:
        assert http.get(url).content == b"JPEG-BYTES"


@pytest.mark.parametrize("version", ["v4", "v1"])
@pytest.mark.parametrize("creds", [CREDS, STS], ids=["ak", "sts"])
def test_sign_url_is_accepted_by_the_server(fake: FakeOSS, server: str, version: Any, creds: Credentials) -> None:
    client = Client("cn-hangzhou", creds, server)
    url = client.sign_url("bkt", "photo.jpg", Image.resize(width=100).rotate(90), expires=600, version=version)
    assert "x-oss-process=image%2Fresize%2Cw_100%2Frotate%2C90" in url
    response = httpx.get(url)
    assert response.status_code == 200, response.text
    assert response.content == b"JPEG-BYTES"
    assert client.sign_url("bkt", "photo.jpg", "image/resize,w_100", version=version).startswith(
        server + "/bkt/photo.jpg?"
    )
    client.close()


def test_expired_url_is_refused() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    fake = FakeOSS(CREDS, clock=lambda: now + timedelta(seconds=601))
    fake.put_object("bkt", "photo.jpg", b"x")
    client = Client("cn-hangzhou", CREDS, "https://oss-cn-hangzhou.aliyuncs.com", clock=lambda: now)
    url = client.sign_url("bkt", "photo.jpg", Style("small"), expires=600)
    with httpx.Client(transport=fake.transport()) as http:
        response = http.get(url)
    assert response.status_code == 403 and b"<Code>AccessDenied</Code>" in response.content


# ---- addressing ------------------------------------------------------------------------------


def _hosts(fake: FakeOSS) -> List[str]:
    return [r.host for r in fake.requests]


def test_virtual_hosted_by_default_over_the_transport(fake: FakeOSS) -> None:
    with Client("cn-hangzhou", CREDS, transport=fake.transport()) as client:
        assert client.get("bkt", "photo.jpg", Style("small")) == b"JPEG-BYTES"
    assert _hosts(fake) == ["bkt.oss-cn-hangzhou.aliyuncs.com"]


@pytest.mark.parametrize(
    ("kwargs", "url"),
    [
        ({}, "https://bkt.oss-cn-hangzhou.aliyuncs.com/a%20b/c.jpg?"),
        ({"endpoint_kind": "internal"}, "https://bkt.oss-cn-hangzhou-internal.aliyuncs.com/a%20b/c.jpg?"),
        ({"endpoint_kind": "accelerate"}, "https://bkt.oss-accelerate.aliyuncs.com/a%20b/c.jpg?"),
        ({"endpoint_kind": "dual-stack"}, "https://bkt.cn-hangzhou.oss.aliyuncs.com/a%20b/c.jpg?"),
        ({"endpoint": "http://localhost:9000"}, "http://localhost:9000/bkt/a%20b/c.jpg?"),
        ({"endpoint": "10.0.0.1"}, "https://10.0.0.1/bkt/a%20b/c.jpg?"),
        (
            {"endpoint": "oss-cn-hangzhou.aliyuncs.com", "address_style": "path"},
            "https://oss-cn-hangzhou.aliyuncs.com/bkt/",
        ),
        ({"endpoint": "https://img.example.com", "address_style": "cname"}, "https://img.example.com/a%20b/c.jpg?"),
    ],
)
def test_endpoints_and_styles(kwargs: Any, url: str) -> None:
    client = Client("cn-hangzhou", CREDS, **kwargs)
    assert client.sign_url("bkt", "a b/c.jpg", Style("s")).startswith(url)


def test_cname_requests_are_signed_with_the_bucket(fake: FakeOSS) -> None:
    cname = FakeOSS(CREDS, cname_bucket="bkt")
    cname.put_object("bkt", "photo.jpg", b"C")
    with Client(
        "cn-hangzhou", CREDS, "https://img.example.com", address_style="cname", transport=cname.transport()
    ) as c:
        assert c.get("bkt", "photo.jpg", Style("small")) == b"C"


@pytest.mark.parametrize(
    ("bucket", "key", "param"),
    [("B", "k", "bucket"), ("bkt", "/k", "key"), ("bkt", "a/../b", "key"), ("bkt", "", "key")],
)
def test_bad_names_fail_before_sending(fake: FakeOSS, bucket: str, key: str, param: str) -> None:
    with Client("cn-hangzhou", CREDS, transport=fake.transport()) as client, pytest.raises(ConfigurationError) as info:
        client.submit(bucket, key, JOB)
    assert getattr(info.value, "param", None) == param and fake.requests == []


# ---- typing at run time ----------------------------------------------------------------------


def test_wrong_stages_and_bad_strings_fail_before_sending(fake: FakeOSS) -> None:
    client = Client("cn-hangzhou", CREDS, transport=fake.transport())
    with pytest.raises(TypeError, match="AsyncJob"):
        client.submit("bkt", "k", Style("small"))  # type: ignore[arg-type]
    with pytest.raises(StageError):
        client.submit("bkt", "k", "image/resize,w_100")
    with pytest.raises(StageError, match="saveas"):
        client.process("bkt", "k", "style/small")
    with pytest.raises(StageError, match="without"):
        client.get("bkt", "k", "style/small|sys/saveas,o_dGh1bWJzL3EuanBn")
    with pytest.raises(ProcessError):
        client.submit("bkt", "k", "doc/convert,target_nope|sys/saveas,o_eA")
    assert fake.requests == []


# ---- errors ----------------------------------------------------------------------------------


def test_server_side_parse_error_is_a_bad_request(fake: FakeOSS, server: str) -> None:
    lenient = Client("cn-hangzhou", CREDS, server, strict=False)
    with pytest.raises(BadRequestError) as info:
        lenient.get("bkt", "photo.jpg", "image/frobnicate,x_1")
    err = info.value
    assert (err.code, err.status_code) == ("InvalidArgument", 400)
    assert err.request_id == f"{1:024X}"  # the fake's first request id, read from the XML body
    assert "frobnicate" in err.message


def test_wrong_secret_is_signature_does_not_match(fake: FakeOSS, server: str) -> None:
    wrong = Credentials(CREDS.access_key_id, "not-the-secret")
    with Client("cn-hangzhou", wrong, server) as client, pytest.raises(SignatureDoesNotMatchError) as info:
        client.submit("bkt", "k", JOB)
    assert (info.value.ec, info.value.status_code) == ("0002-00000040", 403)
    assert "not-the-secret" not in str(info.value)
    assert fake.tasks == []


def test_server_checks_the_wire_query_not_a_re_encoding(fake: FakeOSS) -> None:
    client = Client("cn-hangzhou", CREDS, transport=fake.transport())
    wire = client.sign(client.prepare_get("bkt", "photo.jpg", Style("small")))
    assert wire.url.endswith("?x-oss-process=style%2Fsmall")
    with httpx.Client(transport=fake.transport()) as http:
        ok = http.get(wire.url, headers=list(wire.headers))
        loose = http.get(wire.url.replace("%2F", "/"), headers=list(wire.headers))  # same request, looser encoding
    assert ok.status_code == 200
    assert loose.status_code == 403 and b"SignatureDoesNotMatch" in loose.content


def test_missing_object_is_not_found(fake: FakeOSS, server: str) -> None:
    with Client("cn-hangzhou", CREDS, server) as client, pytest.raises(NotFoundError) as info:
        client.get("bkt", "missing.jpg", Style("small"))
    assert info.value.code == "NoSuchKey"


# ---- retries ---------------------------------------------------------------------------------


def test_throttling_is_retried_and_creates_one_task(fake: FakeOSS) -> None:
    fake.fail_next(503, "ServiceUnavailable")
    fake.fail_next(429, "QpsLimitExceeded")
    with Client("cn-hangzhou", CREDS, transport=fake.transport(), retry=NO_WAIT) as client:
        task = client.submit("bkt", "k", JOB)
    assert [r.status for r in fake.requests] == [503, 429, 200]
    assert len(fake.tasks) == 1 and task.task_id == fake.tasks[0].task_id


def test_throttling_gives_up_after_max_attempts(fake: FakeOSS) -> None:
    for _ in range(3):
        fake.fail_next(503, "ServiceUnavailable")
    with Client("cn-hangzhou", CREDS, transport=fake.transport(), retry=NO_WAIT) as c, pytest.raises(ThrottlingError):
        c.submit("bkt", "k", JOB)
    assert len(fake.requests) == 3 and fake.tasks == []


@pytest.mark.parametrize("failure", ["500", "drop"])
def test_async_task_is_never_resubmitted_after_send(fake: FakeOSS, failure: str) -> None:
    if failure == "500":
        fake.fail_next(500, "InternalError", after_processing=True)
    else:
        fake.drop_next(after_processing=True)
    with (
        Client("cn-hangzhou", CREDS, transport=fake.transport(), retry=NO_WAIT) as c,
        pytest.raises(TaskMayExistError) as info,
    ):
        c.submit("bkt", "k", JOB)
    assert "may have been created" in str(info.value)
    assert len(fake.requests) == 1 and len(fake.tasks) == 1  # OSS did create it: a retry would have made two
    assert isinstance(info.value.cause, OSSError if failure == "500" else TransportError)


def test_async_task_over_a_real_server_closed_connection(fake: FakeOSS, server: str) -> None:
    fake.drop_next(after_processing=True)

    async def run() -> None:
        async with AsyncClient("cn-hangzhou", CREDS, server, retry=NO_WAIT) as client:
            await client.submit("bkt", "k", JOB)

    with pytest.raises(TaskMayExistError) as info:
        asyncio.run(run())
    assert isinstance(info.value.cause, TransportError) and info.value.cause.sent
    assert len(fake.tasks) == 1


@pytest.mark.parametrize("failure", ["500", "drop"])
def test_reads_are_retried_after_send(fake: FakeOSS, failure: str) -> None:
    if failure == "500":
        fake.fail_next(500, "InternalError", after_processing=True)
    else:
        fake.drop_next()
    with Client("cn-hangzhou", CREDS, transport=fake.transport(), retry=NO_WAIT) as client:
        assert client.get("bkt", "photo.jpg", Style("small")) == b"JPEG-BYTES"
    assert len(fake.requests) == 2


def test_connection_failures_before_send_are_retried_even_for_async(fake: FakeOSS) -> None:
    inner = fake.transport()
    calls: List[int] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return inner.handle_request(request)

    with Client("cn-hangzhou", CREDS, transport=httpx.MockTransport(flaky), retry=NO_WAIT) as client:
        client.submit("bkt", "k", JOB)
    assert len(calls) == 2 and len(fake.tasks) == 1


def test_nothing_listening_is_a_transport_error_not_sent(fake: FakeOSS) -> None:
    with fake.serve() as url:
        pass  # the port is free again
    with Client("cn-hangzhou", CREDS, url, retry=NO_WAIT) as c, pytest.raises(TransportError) as info:
        c.submit("bkt", "k", JOB)
    assert not info.value.sent and not isinstance(info.value, TaskMayExistError)


def test_request_time_too_skewed_is_retried_with_the_servers_clock() -> None:
    server_now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
    fake = FakeOSS(CREDS, clock=lambda: server_now)
    fake.put_object("bkt", "k", b"DOCX")
    client = Client(
        "cn-hangzhou", CREDS, transport=fake.transport(), retry=NO_WAIT, clock=lambda: server_now - timedelta(hours=1)
    )
    task = client.submit("bkt", "k", JOB)
    assert [r.status for r in fake.requests] == [403, 200]
    assert [r.header("x-oss-date") for r in fake.requests] == ["20240501T110000Z", "20240501T120000Z"]
    assert client.now() == server_now and task.task_id
    assert len(fake.tasks) == 1


# ---- connection handling, timeouts, credentials, secrets --------------------------------------


def test_context_managers_close_only_their_own_pools(fake: FakeOSS) -> None:
    with Client("cn-hangzhou", CREDS, transport=fake.transport()) as client:
        pass
    assert isinstance(client._transport, HttpxTransport) and client._transport._http.is_closed
    mine = httpx.Client(transport=fake.transport())
    with Client("cn-hangzhou", CREDS, http_client=mine) as client:
        client.get("bkt", "photo.jpg", Style("small"))
    assert not mine.is_closed
    mine.close()

    async def run() -> None:
        theirs = httpx.AsyncClient(transport=fake.transport())
        async with AsyncClient("cn-hangzhou", CREDS, http_client=theirs) as ac:
            assert await ac.get("bkt", "photo.jpg", Style("small")) == b"JPEG-BYTES"
        assert not theirs.is_closed
        await theirs.aclose()

    asyncio.run(run())


def test_timeout_is_sent_with_each_request(fake: FakeOSS) -> None:
    seen: List[Any] = []
    inner = fake.transport()

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return inner.handle_request(request)

    with Client("cn-hangzhou", CREDS, transport=httpx.MockTransport(spy), timeout=httpx.Timeout(3.0, connect=1.5)) as c:
        c.get("bkt", "photo.jpg", Style("small"))
    assert seen == [{"connect": 1.5, "read": 3.0, "write": 3.0, "pool": 3.0}]


def test_credentials_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSS_ACCESS_KEY_ID", "AKID")
    monkeypatch.setenv("OSS_ACCESS_KEY_SECRET", SECRET)
    monkeypatch.delenv("OSS_SESSION_TOKEN", raising=False)
    assert Credentials.from_env() == Credentials("AKID", SECRET)
    monkeypatch.setenv("OSS_SESSION_TOKEN", TOKEN)
    assert Credentials.from_env().security_token == TOKEN
    assert Client("cn-hangzhou").sign_url("bkt", "k", Style("s")).count("x-oss-security-token=") == 1
    monkeypatch.delenv("OSS_ACCESS_KEY_SECRET")
    with pytest.raises(CredentialsError, match="OSS_ACCESS_KEY_SECRET"):
        Credentials.from_env()


def test_secrets_never_show(fake: FakeOSS, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    texts = [repr(STS), str(STS), repr(Client("cn-hangzhou", STS))]
    fake.fail_next(500, "InternalError", after_processing=True)
    fake.drop_next(after_processing=False)
    errors: List[SubmitError] = []
    with Client("cn-hangzhou", STS, transport=fake.transport(), retry=RetryPolicy(max_attempts=1)) as client:
        for call in (lambda: client.submit("bkt", "k", JOB), lambda: client.get("bkt", "k", Style("s"))):
            with pytest.raises(SubmitError) as info:
                call()
            errors.append(info.value)
        wire = client.sign(client.prepare_submit("bkt", "k", JOB))
    texts += [str(e) for e in errors] + [repr(e) for e in errors] + [repr(wire), repr(fake.requests), caplog.text]
    assert caplog.text  # something was logged
    for text in texts:
        assert SECRET not in text and TOKEN not in text


def test_concurrent_skewed_calls_agree_on_one_clock_offset() -> None:
    server_now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
    fake = FakeOSS(CREDS, clock=lambda: server_now)
    fake.put_object("bkt", "a.jpg", b"A")

    async def run() -> List[bytes]:
        async with AsyncClient(
            "cn-hangzhou",
            CREDS,
            transport=fake.transport(),
            retry=NO_WAIT,
            clock=lambda: server_now - timedelta(hours=1),
        ) as client:
            got = await asyncio.gather(*(client.get("bkt", "a.jpg", Style("s")) for _ in range(3)))
            assert client.now() == server_now  # corrected once, not three times
            return list(got)

    assert asyncio.run(run()) == [b"A", b"A", b"A"]


_key_text = st.text(alphabet=st.sampled_from(list("ab09 +/-_.~%&=?#中文é😀")), min_size=1, max_size=24)


@settings(max_examples=40, deadline=None)
@given(key=_key_text.filter(lambda k: k[0] not in "/\\" and all(p not in (".", "..") for p in k.split("/"))))
def test_generated_keys_round_trip_through_the_fake(key: str) -> None:
    fake = FakeOSS([CREDS, STS])
    fake.put_object("bkt", key, b"DATA")
    with Client("cn-hangzhou", STS, transport=fake.transport()) as client:
        assert client.get("bkt", key, Image.resize(width=100)) == b"DATA"
        client.submit("bkt", key, JOB)
        with httpx.Client(transport=fake.transport()) as http:
            assert http.get(client.sign_url("bkt", key, Style("s"))).content == b"DATA"
    assert [(r.key, r.status) for r in fake.requests] == [(key, 200)] * 3
