"""Issue 14 items 1-4: requests, credentials, endpoints and answers as the official SDKs handle them.

Each test states the SDK behaviour it mirrors (or where procdsl chooses differently)
and checks it against FakeOSS, a scripted httpx transport, or alibabacloud-oss-v2 itself.
"""

from __future__ import annotations

import asyncio
import json
import math
import ssl
import threading
import time
import warnings
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Tuple
from unittest import mock
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from procdsl import Doc, Image, Style
from procdsl.submit import (
    AsyncClient,
    Client,
    ConfigurationError,
    Credentials,
    CredentialsError,
    DeadlineExceededError,
    EcsRamRoleCredentialsProvider,
    InsecureEndpointWarning,
    OSSError,
    RequestTimeTooSkewedError,
    ResponseTooLargeError,
    RetryPolicy,
    ServerError,
    SignatureDoesNotMatchError,
    StaticCredentialsProvider,
    SubmitError,
    TaskMayExistError,
    ThrottlingError,
    TLSError,
    TransportError,
)
from procdsl.submit._httpx import HttpxTransport
from procdsl.submit._requests import WireRequest, parse_error
from procdsl.submit._retry import decide
from procdsl.testing import FakeOSS

UTC = timezone.utc
SECRET = "SECRET-must-not-leak-0123456789"
TOKEN = "TOKEN-must-not-leak-abcdefghij"
CREDS = Credentials("AKIDexample0001", SECRET)
STS = Credentials("STS.AKIDexample0002", SECRET + "x", TOKEN)
JOB = Doc.convert(src="docx", to="pdf").save_as("out/{barename}.pdf")
SYNC = Image.resize(width=100).save_as("small.jpg")
NO_WAIT = RetryPolicy(base_delay=0.0)
EPOCH = 1702743657  # 20231216T162057Z, the SDK vectors' signing time


def at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@pytest.fixture
def fake() -> FakeOSS:
    f = FakeOSS([CREDS, STS])
    f.put_object("bkt", "photo.jpg", b"JPEG-BYTES")
    return f


def scripted(answers: List[Any], seen: List[httpx.Request]) -> httpx.MockTransport:
    """Answer each request with the next item: an ``httpx.Response`` or an exception to raise."""

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = answers.pop(0)
        if isinstance(item, Exception):
            raise item
        assert isinstance(item, httpx.Response)
        return item

    return httpx.MockTransport(respond)


def xml_error(code: str, extra: str = "") -> bytes:
    return f"<Error><Code>{code}</Code><Message>m</Message><RequestId>RID</RequestId>{extra}</Error>".encode()


# ---- 1. every request the SDKs can make ---------------------------------------------------------


def test_extra_headers_and_query_are_signed_and_accepted(fake: FakeOSS) -> None:
    headers = {"x-oss-request-payer": "requester", "Range": "bytes=0-3", "If-None-Match": '"abc"'}
    with Client("cn-hangzhou", STS, transport=fake.transport()) as c:
        assert c.get("bkt", "photo.jpg", Style("small"), headers=headers, query={"versionId": "v1"}) == b"JPEG-BYTES"
        c.submit("bkt", "photo.jpg", JOB, headers={"x-oss-request-payer": "requester"})
    got = fake.requests[0]
    # x-oss-* is signed anyway; the others travel as V4 additional headers (sorted, lowercase).
    assert "AdditionalHeaders=if-none-match;range," in (got.header("authorization") or "")
    assert got.header("range") == "bytes=0-3" and ("versionId", "v1") in got.query
    assert fake.requests[1].header("x-oss-request-payer") == "requester" and fake.tasks


def test_a_changed_additional_header_breaks_the_signature(fake: FakeOSS) -> None:
    def tamper(request: httpx.Request) -> httpx.Response:
        request.headers["Range"] = "bytes=0-9"
        return inner.handle_request(request)

    inner = fake.transport()
    with (
        Client("cn-hangzhou", CREDS, transport=httpx.MockTransport(tamper)) as c,
        pytest.raises(SignatureDoesNotMatchError),
    ):
        c.get("bkt", "photo.jpg", None, headers={"Range": "bytes=0-3"})


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "x"},
        {"x-oss-date": "x"},
        {"Host": "evil.example.com"},
        {"Content-Length": "1"},
        {"X-Bad": "line\nbreak"},
        {"X-Bad": "é"},
        {"bad name": "x"},
    ],
)
def test_headers_the_client_sets_or_http_refuses_fail_before_sending(fake: FakeOSS, headers: Dict[str, str]) -> None:
    with Client("cn-hangzhou", CREDS, transport=fake.transport()) as c, pytest.raises(ConfigurationError):
        c.submit("bkt", "photo.jpg", JOB, headers=headers)
    assert fake.requests == []


@pytest.mark.parametrize("query", [{"x-oss-process": "image/resize,w_1"}, {"x-oss-signature": "x"}, {"": "x"}])
def test_reserved_query_parameters_are_refused(query: Dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="query"):
        Client("cn-hangzhou", CREDS).sign_url("bkt", "k.jpg", None, query=query)


def test_sign_url_without_a_process_and_with_any_expiry_form(fake: FakeOSS) -> None:
    now = at(EPOCH)
    c = Client("cn-hangzhou", CREDS, clock=lambda: now)
    seconds = c.sign_url("bkt", "photo.jpg", expires=900)
    assert "x-oss-process" not in seconds and "x-oss-expires=900&" in seconds
    assert c.sign_url("bkt", "photo.jpg", expires=timedelta(minutes=15)) == seconds
    assert c.sign_url("bkt", "photo.jpg", expires=now + timedelta(seconds=900)) == seconds
    with pytest.raises(ConfigurationError, match="expires"):
        c.sign_url("bkt", "photo.jpg", expires=now - timedelta(seconds=1))
    with pytest.raises(ConfigurationError, match="timezone"):
        c.sign_url("bkt", "photo.jpg", expires=datetime(2030, 1, 1))
    live = FakeOSS([CREDS], clock=lambda: now)
    live.put_object("bkt", "photo.jpg", b"J")
    url = c.sign_url("bkt", "photo.jpg", query={"response-content-type": "image/png", "versionId": "v 1"})
    assert httpx.Client(transport=live.transport()).get(url).content == b"J"


def test_v1_requests_through_the_signer_table(fake: FakeOSS) -> None:
    with Client("cn-hangzhou", STS, transport=fake.transport(), signature_version="v1") as c:
        c.submit("bkt", "photo.jpg", JOB)
    assert (fake.requests[0].header("authorization") or "").startswith("OSS STS.AKIDexample0002:")
    with pytest.raises(ConfigurationError, match="signature version"):
        Client("cn-hangzhou", CREDS, signature_version="v3")  # type: ignore[arg-type]  # the run-time check under test


# Differential: the same request (extra headers, query) signed by alibabacloud-oss-v2's SignerV4
# with Config.additional_headers naming the non-x-oss headers, as its Client would.


def _v2_signed(oss: Any, method: str, url: str, headers: Dict[str, str], token: Optional[str],
               additional: Optional[Set[str]], expires: Optional[int] = None,
               key: str = "in put/x+y.docx") -> Any:  # fmt: skip
    from alibabacloud_oss_v2.signer import SignerV4  # type: ignore[import-untyped]
    from alibabacloud_oss_v2.types import HttpRequest, SigningContext  # type: ignore[import-untyped]

    request = HttpRequest(method, url, headers=dict(headers))
    ctx = SigningContext(
        product="oss", region="cn-hangzhou", bucket="bkt", key=key, request=request,
        credentials=oss.credentials.Credentials("ak", "sk", token), signing_time=at(EPOCH),
        additional_headers=additional,
    )  # fmt: skip
    if expires is not None:
        ctx.auth_method_query = True
        ctx.expiration_time = at(EPOCH + expires)
    SignerV4().sign(ctx)
    return request


@pytest.mark.sdk
@pytest.mark.parametrize("token", [None, "tok+en/="])
def test_client_authorization_equals_alibabacloud_oss_v2(token: Optional[str]) -> None:
    oss = pytest.importorskip("alibabacloud_oss_v2")
    extra = {"x-oss-request-payer": "requester", "x-oss-traffic-limit": "819200", "If-Match": '"e"', "Range": "b=1"}
    c = Client("cn-hangzhou", Credentials("ak", "sk", token))
    prepared = c.prepare_submit("bkt", "in put/x+y.docx", JOB, headers=extra, query={"versionId": "v/1"})
    wire = c.sign(prepared, at(EPOCH))
    ours = dict(wire.headers)
    signed_headers = {k: v for k, v in ours.items() if k not in ("Authorization", "x-oss-date")}
    theirs = _v2_signed(oss, "POST", wire.url, signed_headers, token, {"If-Match", "Range"})
    assert ours["Authorization"] == theirs.headers["Authorization"]
    assert "AdditionalHeaders=if-match;range," in ours["Authorization"]


@pytest.mark.sdk
def test_presigned_url_equals_alibabacloud_oss_v2() -> None:
    oss = pytest.importorskip("alibabacloud_oss_v2")
    c = Client("cn-hangzhou", Credentials("ak", "sk", "tok"), clock=lambda: at(EPOCH))
    query = {"versionId": "v1", "response-content-disposition": "attachment; filename=a b.jpg"}
    ours = c.sign_url("bkt", "in put/x+y.docx", "image/resize,w_100", timedelta(hours=1),
                      headers={"x-oss-traffic-limit": "819200"}, query=query)  # fmt: skip
    base = "https://bkt.oss-cn-hangzhou.aliyuncs.com/" + quote("in put/x+y.docx")
    qs = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in [("x-oss-process", "image/resize,w_100"),
                                                                         *query.items()])  # fmt: skip
    theirs = _v2_signed(oss, "GET", f"{base}?{qs}", {"x-oss-traffic-limit": "819200"}, "tok", None, 3600).url
    assert ours.partition("?")[0] == theirs.partition("?")[0]
    assert dict(parse_qsl(urlsplit(ours).query)) == dict(parse_qsl(urlsplit(theirs).query))


# ---- 2. credentials -------------------------------------------------------------------------------


def test_empty_token_means_no_token() -> None:
    assert Credentials("ak", "sk", "").security_token is None
    assert Credentials.from_env({"OSS_ACCESS_KEY_ID": "a", "OSS_ACCESS_KEY_SECRET": "s", "OSS_SESSION_TOKEN": ""}) == (
        Credentials("a", "s")
    )


@pytest.mark.parametrize("bad", [TOKEN + "\n", " " + TOKEN, TOKEN[:5] + "\x00" + TOKEN[5:], TOKEN + "é"])
@pytest.mark.parametrize("field", ["access_key_id", "access_key_secret", "security_token"])
def test_whitespace_or_control_characters_are_refused_without_echo(bad: str, field: str) -> None:
    args: Dict[str, Any] = {"access_key_id": "AKID", "access_key_secret": "sk", "security_token": None, field: bad}
    with pytest.raises(CredentialsError) as info:
        Credentials(**args)
    assert TOKEN[:8] not in str(info.value) and TOKEN[:8] not in repr(info.value) and info.value.param == field


class _Rotating:
    """A provider handing out the next credentials on each call (hourly STS tokens, sped up)."""

    def __init__(self, *creds: Credentials) -> None:
        self.creds, self.calls = list(creds), 0

    def get_credentials(self) -> Credentials:
        self.calls += 1
        return self.creds[min(self.calls, len(self.creds)) - 1]


def test_a_provider_is_asked_before_each_request(fake: FakeOSS) -> None:
    provider = _Rotating(CREDS, STS)
    with Client("cn-hangzhou", provider, transport=fake.transport()) as c:
        c.submit("bkt", "photo.jpg", JOB)
        c.submit("bkt", "photo.jpg", JOB)
    assert provider.calls == 2
    assert [r.header("x-oss-security-token") for r in fake.requests] == [None, TOKEN]
    assert StaticCredentialsProvider("AKIDexample0001", SECRET).get_credentials() == CREDS


@pytest.mark.sdk
def test_alibabacloud_oss_v2_providers_work_unchanged(fake: FakeOSS) -> None:
    oss = pytest.importorskip("alibabacloud_oss_v2")
    provider = oss.credentials.StaticCredentialsProvider("STS.AKIDexample0002", SECRET + "x", TOKEN)
    with Client("cn-hangzhou", provider, transport=fake.transport()) as c:
        assert c.submit("bkt", "photo.jpg", JOB).task_id


def test_a_failing_provider_is_a_credentials_error() -> None:
    class Broken:
        def get_credentials(self) -> Any:
            raise RuntimeError(f"cannot reach the vault with {SECRET}")

    with pytest.raises(CredentialsError) as info:
        Client("cn-hangzhou", Broken()).sign_url("bkt", "k.jpg")
    assert SECRET not in str(info.value)
    with pytest.raises(CredentialsError, match="provider"):
        Client("cn-hangzhou", object())  # type: ignore[arg-type]  # the run-time check under test


class _Metadata:
    """A loopback stand-in for the ECS metadata service (hardened mode), counting credential fetches."""

    def __init__(self, lifetime: timedelta, hardened: bool = True) -> None:
        self.lifetime, self.fetches, self.serial, self.hardened = lifetime, 0, 0, hardened
        self.lock = threading.Lock()

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC).replace(microsecond=0)

    def answer(self, method: str, path: str, headers: Any) -> Tuple[int, str]:
        if method == "PUT" and path == "/latest/api/token":
            if not self.hardened:
                return 404, ""  # an instance without the hardened mode
            return (200, "MDTOKEN") if headers.get("X-aliyun-ecs-metadata-token-ttl-seconds") else (400, "")
        if self.hardened and headers.get("X-aliyun-ecs-metadata-token") != "MDTOKEN":
            return 401, ""
        if path == "/latest/meta-data/ram/security-credentials/":
            return 200, "EcsRole"
        if path == "/latest/meta-data/ram/security-credentials/EcsRole":
            with self.lock:
                self.fetches += 1
                self.serial += 1
                serial = self.serial
            time.sleep(0.05)  # let concurrent callers pile up
            body = {
                "AccessKeyId": f"STS.ECS{serial:04d}", "AccessKeySecret": f"ecs-secret-{serial}",
                "SecurityToken": f"ecs-token-{serial}", "Code": "Success",
                "Expiration": (self.now() + self.lifetime).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }  # fmt: skip
            return 200, json.dumps(body)
        return 404, ""

    def serve(self) -> Iterator[str]:
        meta = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                status, text = meta.answer(self.command, self.path, self.headers)
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture
def metadata() -> Iterator[Tuple[_Metadata, str]]:
    meta = _Metadata(timedelta(hours=6))
    for url in meta.serve():
        yield meta, url


def test_ecs_ram_role_provider_fetches_once_under_concurrency(metadata: Tuple[_Metadata, str]) -> None:
    meta, url = metadata
    provider = EcsRamRoleCredentialsProvider(endpoint=url)
    results: List[Credentials] = []
    threads = [threading.Thread(target=lambda: results.append(provider.get_credentials())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert meta.fetches == 1 and len(set(results)) == 1
    got = results[0]
    assert (got.access_key_id, got.security_token, provider.role_name) == ("STS.ECS0001", "ecs-token-1", "EcsRole")
    assert "ecs-secret" not in repr(provider) + repr(got)


def test_ecs_ram_role_provider_refreshes_before_expiry(metadata: Tuple[_Metadata, str]) -> None:
    meta, url = metadata
    clock = [datetime.now(UTC)]
    provider = EcsRamRoleCredentialsProvider("EcsRole", endpoint=url, clock=lambda: clock[0])
    first = provider.get_credentials()
    clock[0] += timedelta(hours=5, minutes=50)  # more than 3 minutes before the 6-hour expiry
    assert provider.get_credentials() is first and meta.fetches == 1
    clock[0] += timedelta(minutes=8)  # within refresh_before (3 min) of expiry
    assert provider.get_credentials().access_key_id == "STS.ECS0002" and meta.fetches == 2


def test_ecs_ram_role_provider_signs_client_requests(metadata: Tuple[_Metadata, str]) -> None:
    _, url = metadata
    provider = EcsRamRoleCredentialsProvider(endpoint=url)
    first = provider.get_credentials()
    fake = FakeOSS([first])
    fake.put_object("bkt", "photo.jpg", b"J")
    with Client("cn-hangzhou", provider, transport=fake.transport()) as c:
        assert c.get("bkt", "photo.jpg", None) == b"J"
    assert fake.requests[0].header("x-oss-security-token") == "ecs-token-1"


def test_ecs_ram_role_provider_falls_back_to_normal_mode_unless_hardened_only() -> None:
    meta = _Metadata(timedelta(hours=6), hardened=False)
    for url in meta.serve():
        assert EcsRamRoleCredentialsProvider(endpoint=url).get_credentials().access_key_id == "STS.ECS0001"
        with pytest.raises(CredentialsError, match="api/token"):
            EcsRamRoleCredentialsProvider(endpoint=url, hardened_only=True).get_credentials()


def test_ecs_ram_role_provider_unreachable_is_a_credentials_error() -> None:
    provider = EcsRamRoleCredentialsProvider("r", endpoint="http://127.0.0.1:9", timeout=0.5)
    with pytest.raises(CredentialsError, match="ECS metadata"):
        provider.get_credentials()


# ---- 3. endpoints ----------------------------------------------------------------------------------


def test_region_is_required_or_read_from_oss_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OSS_REGION", raising=False)
    with pytest.raises(ConfigurationError, match="region is required"):
        Client(credentials=CREDS)
    monkeypatch.setenv("OSS_REGION", "cn-beijing")
    assert Client(credentials=CREDS).endpoint.host == "oss-cn-beijing.aliyuncs.com"


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://user:pa55word@oss-cn-hangzhou.aliyuncs.com",
        "https://oss-cn-hangzhou.aliyuncs.com/path",
        "https://oss-cn-hangzhou.aliyuncs.com?x=1",
        "https://oss-cn-hangzhou.aliyuncs.com#frag",
        "ftp://oss-cn-hangzhou.aliyuncs.com",
        "https://oss-cn-hangzhou.aliyuncs.com:99999",
        "oss cn hangzhou",
    ],
)
def test_endpoints_with_userinfo_path_query_or_fragment_are_refused(endpoint: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        Client("cn-hangzhou", CREDS, endpoint)
    assert "pa55word" not in str(info.value)


def test_http_endpoints_warn_unless_loopback() -> None:
    with pytest.warns(InsecureEndpointWarning, match="unencrypted"):
        Client("cn-hangzhou", CREDS, "http://oss-cn-hangzhou.aliyuncs.com")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Client("cn-hangzhou", CREDS, "https://oss-cn-hangzhou.aliyuncs.com")
        Client("cn-hangzhou", CREDS, "http://127.0.0.1:8080")


@pytest.mark.parametrize(
    ("kwargs", "host"),
    [
        ({}, "bkt.oss-cn-hangzhou.aliyuncs.com"),
        ({"endpoint_kind": "internal"}, "bkt.oss-cn-hangzhou-internal.aliyuncs.com"),
        ({"endpoint_kind": "dual-stack"}, "bkt.cn-hangzhou.oss.aliyuncs.com"),
        ({"endpoint_kind": "accelerate"}, "bkt.oss-accelerate.aliyuncs.com"),
        ({"endpoint_kind": "accelerate-overseas"}, "bkt.oss-accelerate-overseas.aliyuncs.com"),
        ({"address_style": "path"}, "oss-cn-hangzhou.aliyuncs.com"),
        ({"endpoint": "img.example.com", "address_style": "cname"}, "img.example.com"),
    ],
)
def test_endpoint_kinds_and_styles(kwargs: Any, host: str) -> None:
    assert urlsplit(Client("cn-hangzhou", CREDS, **kwargs).sign_url("bkt", "k.jpg")).netloc == host


def test_redirects_are_never_followed_whatever_the_http_client_says() -> None:
    seen: List[httpx.Request] = []
    moved = httpx.Response(302, headers={"Location": "https://evil.example.com/steal"})
    http = httpx.Client(transport=scripted([moved, httpx.Response(200)], seen), follow_redirects=True,
                        headers={"X-Default": "1"}, auth=("u", "p"))  # fmt: skip
    with Client("cn-hangzhou", STS, http_client=http) as c, pytest.raises(OSSError) as info:
        c.submit("bkt", "in.docx", JOB)
    assert info.value.status_code == 302 and len(seen) == 1
    # The caller's default headers and auth are not added to a signed request either.
    assert "x-default" not in seen[0].headers and seen[0].headers["authorization"].startswith("OSS4-HMAC-SHA256 ")
    http.close()


def test_tls_failures_are_not_retried() -> None:
    seen: List[httpx.Request] = []
    failure = httpx.ConnectError("handshake")
    failure.__cause__ = ssl.SSLCertVerificationError("certificate verify failed")
    client = Client("cn-hangzhou", CREDS, transport=scripted([failure] * 3, seen), retry=NO_WAIT)
    with client as c, pytest.raises(TLSError) as info:
        c.submit("bkt", "in.docx", JOB)
    assert len(seen) == 1 and info.value.sent is False


# ---- 4. answers ------------------------------------------------------------------------------------


class _Trickle(httpx.SyncByteStream):
    def __init__(self, chunks: int, pause: float) -> None:
        self.chunks, self.pause, self.read = chunks, pause, 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.chunks):
            time.sleep(self.pause)
            self.read += 1
            yield b"x" * 1024


def test_a_slow_answer_stops_at_the_deadline() -> None:
    stream = _Trickle(100, 0.05)
    seen: List[httpx.Request] = []
    started = time.monotonic()
    with Client("cn-hangzhou", CREDS, transport=scripted([httpx.Response(200, stream=stream)], seen),
                deadline=0.4) as c, pytest.raises(DeadlineExceededError):  # fmt: skip
        c.get("bkt", "k.jpg", None)
    assert time.monotonic() - started < 2.0 and stream.read < 20


def test_the_async_client_stops_at_the_deadline_too() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200)

    async def run() -> None:
        async with AsyncClient("cn-hangzhou", CREDS, transport=httpx.MockTransport(slow), deadline=0.3) as c:
            with pytest.raises(TaskMayExistError) as info:
                await c.submit("bkt", "in.docx", JOB)
            assert isinstance(info.value.cause, DeadlineExceededError)

    started = time.monotonic()
    asyncio.run(run())
    assert time.monotonic() - started < 2.0


def test_bodies_are_bounded() -> None:
    seen: List[httpx.Request] = []
    big = _Trickle(2048, 0.0)  # 2 MiB
    with Client("cn-hangzhou", CREDS, transport=scripted([httpx.Response(200, stream=big)], seen),
                max_body_size=64 * 1024) as c, pytest.raises(ResponseTooLargeError):  # fmt: skip
        c.get("bkt", "k.jpg", None)
    assert big.read <= 65
    huge_error = xml_error("NoSuchKey") + b"<!--" + b"x" * (1024 * 1024)
    client = Client("cn-hangzhou", CREDS, transport=scripted([httpx.Response(404, content=huge_error)], seen))
    with client as c, pytest.raises(OSSError) as info:
        c.get("bkt", "k.jpg", None)
    assert info.value.code == "NoSuchKey"  # read from the first 64 KiB, as the SDKs recover a cut body


def _skew_answer(server: datetime, status: int = 403) -> httpx.Response:
    date = server.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return httpx.Response(status, headers={"Date": date}, content=xml_error("RequestTimeTooSkewed"))


def test_the_clock_is_corrected_only_within_the_bound() -> None:
    now = datetime.now(UTC)
    seen: List[httpx.Request] = []
    far = scripted([_skew_answer(now + timedelta(days=3650)), httpx.Response(200)], seen)
    with Client("cn-hangzhou", CREDS, transport=far, retry=NO_WAIT) as c, pytest.raises(RequestTimeTooSkewedError):
        c.get("bkt", "k.jpg", None)
    assert len(seen) == 1 and c._clock_offset == 0.0
    near = scripted([_skew_answer(now + timedelta(hours=1)), httpx.Response(200, content=b"ok")], seen)
    with Client("cn-hangzhou", CREDS, transport=near, retry=NO_WAIT) as c:
        assert c.get("bkt", "k.jpg", None) == b"ok"
    assert abs(c._clock_offset - 3600) < 5


def test_a_500_with_a_skew_code_does_not_resubmit_an_async_job() -> None:
    seen: List[httpx.Request] = []
    answers = [_skew_answer(datetime.now(UTC) + timedelta(hours=1), status=500), httpx.Response(200)]
    client = Client("cn-hangzhou", CREDS, transport=scripted(answers, seen), retry=NO_WAIT)
    with client as c, pytest.raises(TaskMayExistError) as info:
        c.submit("bkt", "in.docx", JOB)
    assert len(seen) == 1 and isinstance(info.value.cause, ServerError)


def test_oss_error_carries_everything_and_no_secret(fake: FakeOSS) -> None:
    wrong = Credentials("STS.AKIDexample0002", "wrong-secret-zzzzzzzz", TOKEN)
    with (
        Client("cn-hangzhou", wrong, transport=fake.transport()) as c,
        pytest.raises(SignatureDoesNotMatchError) as info,
    ):
        c.submit("bkt", "photo.jpg", JOB)
    err = info.value
    assert (err.status_code, err.code, err.ec) == (403, "SignatureDoesNotMatch", "0002-00000040") and err.request_id
    assert err.headers["x-oss-request-id"] == err.request_id and err.server_time is not None
    assert "CanonicalRequest" not in err.fields and "StringToSign" not in err.fields
    everything = " ".join([str(err), repr(err), json.dumps(err.fields), json.dumps(err.headers)])
    assert TOKEN not in everything and "wrong-secret" not in everything


def test_a_token_echoed_anywhere_in_an_error_is_hidden() -> None:
    seen: List[httpx.Request] = []
    echo = xml_error("AccessDenied", f"<Detail>token {TOKEN} refused</Detail>")
    client = Client("cn-hangzhou", STS, transport=scripted([httpx.Response(403, content=echo)], seen))
    with client as c, pytest.raises(OSSError) as info:
        c.get("bkt", "k.jpg", None)
    assert info.value.fields["Detail"] == "token <hidden> refused"


@pytest.mark.parametrize(
    ("body", "headers", "code", "message"),
    [
        # alibabacloud-oss-v2 _client.py::_to_service_error: a malformed body keeps its Code and Message.
        # ... but only when both <Error> and </Error> are there, as there.
        (
            b"<Error><Code>NoSuchKey</Code><Message>gone</Message><RequestId>R",
            {},
            "BadErrorResponse",
            "the error body is not well-formed XML",
        ),
        (b"<Error><Code>NoSuchKey</Code><Message>gone</Message></Error><junk", {}, "NoSuchKey", "gone"),
        (b"<?xml version='1.0'?><Other/>", {}, "BadErrorResponse", "the error body's root is <Other>, not <Error>"),
        (b"", {"x-oss-err": "PEVycm9yPjxDb2RlPkFjY2Vzc0RlbmllZDwvQ29kZT48L0Vycm9yPg=="}, "AccessDenied", ""),
        (b'{"message": "bad"}', {"x-oss-error-type": "BadRequestException"}, "BadRequestException", "bad"),
        (b"<Error>" + b"<a>" * 100_000, {}, "BadErrorResponse", "the error body is not well-formed XML"),
        (b"[" * 100_000, {"content-type": "application/json"}, "BadErrorResponse", "the error body is not JSON"),
    ],
)
def test_error_bodies_are_read_as_the_sdks_read_them(body: bytes, headers: Dict[str, str], code: str,
                                                     message: str) -> None:  # fmt: skip
    err = parse_error(400, headers, body)
    assert (err.code, err.message) == (code, message)


# ---- failures are SubmitErrors; not-sent is never TaskMayExist ---------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ConnectError("[Errno -2] Name or service not known"),
        httpx.LocalProtocolError("Illegal header value"),
        httpx.UnsupportedProtocol("no"),
    ],
)
def test_requests_that_never_left_are_not_sent_errors(failure: Exception) -> None:
    seen: List[httpx.Request] = []
    client = Client("cn-hangzhou", CREDS, transport=scripted([failure] * 3, seen), retry=NO_WAIT)
    with client as c, pytest.raises(TransportError) as info:
        c.submit("bkt", "in.docx", JOB)
    assert info.value.sent is False and not isinstance(info.value, TaskMayExistError) and len(seen) == 3


# ---- retry rules (issue 13 item 3) -------------------------------------------------------------------


def test_throttling_honours_retry_after_up_to_max_delay() -> None:
    prepared = Client("cn-hangzhou", CREDS).prepare_submit("bkt", "in.docx", JOB)
    err = parse_error(429, {}, xml_error("QpsLimitExceeded"))
    assert isinstance(err, ThrottlingError)
    policy = RetryPolicy(max_delay=5.0)
    assert decide(policy, prepared, 1, err, headers={"retry-after": "2"}).delay == 2.0
    assert decide(policy, prepared, 1, err, headers={"retry-after": "3600"}).delay == 5.0


def test_a_503_without_a_throttling_code_is_not_resubmitted() -> None:
    seen: List[httpx.Request] = []
    answers = [httpx.Response(503, content=xml_error("SlowDown")), httpx.Response(200)]
    client = Client("cn-hangzhou", CREDS, transport=scripted(answers, seen), retry=NO_WAIT)
    with client as c, pytest.raises(TaskMayExistError):
        c.submit("bkt", "in.docx", JOB)
    assert len(seen) == 1


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"EventId": "e"}'])
def test_an_unreadable_200_on_submit_means_the_task_may_exist(body: bytes) -> None:
    seen: List[httpx.Request] = []
    client = Client("cn-hangzhou", CREDS, transport=scripted([httpx.Response(200, content=body)], seen))
    with client as c, pytest.raises(TaskMayExistError) as info:
        c.submit("bkt", "in.docx", JOB)
    assert len(seen) == 1 and info.value.cause.__class__ is OSSError


@pytest.mark.parametrize(
    "kwargs",
    [{"max_attempts": 0}, {"max_attempts": 11}, {"max_attempts": 2.0}, {"base_delay": math.nan},
     {"max_delay": math.inf}, {"base_delay": -1}, {"max_clock_skew": math.nan}, {"resend_process": 1}],
)  # fmt: skip
def test_retry_policy_validates_its_arguments(kwargs: Dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        RetryPolicy(**kwargs)


def test_process_object_is_resent_after_arrival_only_on_request(fake: FakeOSS) -> None:
    fake.drop_next(after_processing=True)
    with (
        Client("cn-hangzhou", CREDS, transport=fake.transport(), retry=NO_WAIT) as c,
        pytest.raises(TransportError) as info,
    ):
        c.process("bkt", "photo.jpg", SYNC)
    assert info.value.sent and len(fake.requests) == 1
    fake.drop_next(after_processing=True)
    opted = RetryPolicy(base_delay=0.0, resend_process=True)
    with Client("cn-hangzhou", CREDS, transport=fake.transport(), retry=opted) as c:
        assert c.process("bkt", "photo.jpg", SYNC).key == "small.jpg"
    assert len(fake.requests) == 3


@pytest.mark.parametrize(
    "make",
    [
        lambda: Client("cn-hangzhou", CREDS, deadline=0),
        lambda: Client("cn-hangzhou", CREDS, deadline=math.nan),
        lambda: Client("cn-hangzhou", CREDS, max_body_size=0),
        lambda: Client("cn-hangzhou", CREDS, retry=3),  # type: ignore[arg-type]  # the run-time check under test
        lambda: Client("cn-hangzhou", CREDS, endpoint_kind="vpc"),  # type: ignore[arg-type]  # likewise
    ],
)
def test_bad_configuration_is_a_configuration_error(make: Callable[[], Client]) -> None:
    with pytest.raises(ConfigurationError) as info:
        make()
    assert isinstance(info.value, SubmitError) and isinstance(info.value, ValueError)


# ---- differential: generated keys, headers and queries against alibabacloud-oss-v2 ---------------------

_keys = st.text(alphabet=st.sampled_from(list("abcXYZ019 +-_.~%&=?#中é😀/")), min_size=1, max_size=24).filter(
    lambda k: not k.startswith("/") and k.strip() != "" and all(p not in ("", ".", "..") for p in k.split("/"))
)
_header_names = st.sampled_from(
    ["x-oss-meta-a", "X-Oss-Meta-B", "x-oss-request-payer", "x-oss-traffic-limit", "Content-Type", "Range",
     "If-Match", "Cache-Control", "email"]
)  # fmt: skip
_values = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)
_query_names = st.sampled_from(["versionId", "response-content-type", "response-content-disposition", "acl"])
_query_values = st.text(alphabet=st.sampled_from(list("ab /+=&?%;中é")), max_size=12)


@pytest.mark.sdk
@settings(max_examples=30, deadline=None)
@given(
    key=_keys,
    headers=st.dictionaries(_header_names, _values, max_size=4),
    query=st.dictionaries(_query_names, _query_values, max_size=3),
    token=st.one_of(st.none(), st.just("tok+en/=")),
    expires=st.integers(1, 7 * 24 * 3600),
)
@example(key="0", headers={"Range": ""}, query={}, token=None, expires=1)  # an empty header is still signed
def test_generated_requests_sign_as_alibabacloud_oss_v2(
    key: str, headers: Dict[str, str], query: Dict[str, str], token: Optional[str], expires: int
) -> None:
    oss = pytest.importorskip("alibabacloud_oss_v2")
    if len({h.lower() for h in headers}) != len(headers):
        return  # one header given twice under two spellings: refused, tested above
    c = Client("cn-hangzhou", Credentials("ak", "sk", token), clock=lambda: at(EPOCH))
    prepared = c.prepare_get("bkt", key, "image/resize,w_100", headers=headers, query=query)
    wire = c.sign(prepared, at(EPOCH))
    pairs = [("x-oss-process", "image/resize,w_100"), *query.items()]
    url = f"https://bkt.oss-cn-hangzhou.aliyuncs.com/{quote(key)}?" + "&".join(
        f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs
    )
    assert wire.url == url  # the request is built as the SDK builds it
    additional = {h for h in headers if not h.lower().startswith("x-oss-") and h.lower() != "content-type"}
    sent = {k: v.strip() for k, v in headers.items()}
    theirs = _v2_signed(oss, "GET", url, sent, token, additional, key=key)
    assert dict(wire.headers)["Authorization"] == theirs.headers["Authorization"]
    ours_url = c.sign_url("bkt", key, "image/resize,w_100", expires, headers=headers, query=query)
    theirs_url = _v2_signed(oss, "GET", url, sent, token, additional, expires, key=key).url
    assert dict(parse_qsl(urlsplit(ours_url).query)) == dict(parse_qsl(urlsplit(theirs_url).query))


@pytest.mark.parametrize(
    "wire",
    [
        WireRequest("GET", "https://[::1/k", (), b""),  # httpx: InvalidURL
        WireRequest("GET", "https://bkt.oss-cn-hangzhou.aliyuncs.com/k\x00", (), b""),  # InvalidURL
        WireRequest("GET", "https://bkt.oss-cn-hangzhou.aliyuncs.com/k", (("X-A", "é"),), b""),  # UnicodeEncodeError
    ],
)
def test_the_adapter_reports_unsendable_requests_as_not_sent(wire: WireRequest) -> None:
    seen: List[httpx.Request] = []
    adapter = HttpxTransport(transport=scripted([httpx.Response(200)], seen))
    with pytest.raises(TransportError) as info:
        adapter.send(wire, deadline=None, max_body=10)
    assert info.value.sent is False and seen == []


def test_a_header_the_http_library_refuses_on_a_real_connection_is_not_sent(fake: FakeOSS) -> None:
    # The case: a value with a newline reached h11, which refused it before writing a byte.
    with fake.serve() as url:
        wire = WireRequest("GET", url + "/bkt/photo.jpg", (("X-Token", f"{TOKEN}\nInjected: 1"),), b"")
        with pytest.raises(TransportError) as info:
            HttpxTransport().send(wire, deadline=None, max_body=10)
    assert info.value.sent is False and fake.requests == []


def test_a_real_tls_handshake_failure_is_a_tls_error(fake: FakeOSS) -> None:
    # https:// to a plain-HTTP server: the handshake fails in the ssl module, before any request.
    with fake.serve() as url:
        port = urlsplit(url).port
        with (
            Client("cn-hangzhou", CREDS, f"https://127.0.0.1:{port}", retry=NO_WAIT) as c,
            pytest.raises(TLSError) as info,
        ):
            c.get("bkt", "photo.jpg", None)
    assert info.value.sent is False and fake.requests == []


@pytest.mark.sdk
@settings(max_examples=25, deadline=None)
@given(
    key=_keys,
    headers=st.dictionaries(_header_names, _values, max_size=3),
    query=st.dictionaries(_query_names, _query_values, max_size=3),
    expires=st.integers(1, 7 * 24 * 3600),
)
def test_generated_urls_sign_as_oss2(key: str, headers: Dict[str, str], query: Dict[str, str], expires: int) -> None:
    oss2 = pytest.importorskip("oss2")
    if len({h.lower() for h in headers}) != len(headers):
        return
    # oss2 signs an empty additional header; alibabacloud-oss-v2 and procdsl do not (test below).
    headers = {
        k: v for k, v in headers.items() if v.strip() or k.lower().startswith("x-oss-") or k.lower() == "content-type"
    }
    additional = [h for h in headers if not h.lower().startswith("x-oss-") and h.lower() != "content-type"]
    bucket = oss2.Bucket(oss2.AuthV4("ak", "sk"), "https://oss-cn-hangzhou.aliyuncs.com", "bkt", region="cn-hangzhou")
    frozen = type("Frozen", (datetime,), {"utcnow": classmethod(lambda cls: at(EPOCH).replace(tzinfo=None))})
    with mock.patch.object(oss2.auth, "datetime", frozen):
        theirs = bucket.sign_url("GET", key, expires, headers={k: v.strip() for k, v in headers.items()},
                                 params={"x-oss-process": "image/resize,w_100", **query},
                                 additional_headers=additional)  # fmt: skip
    c = Client("cn-hangzhou", Credentials("ak", "sk"), clock=lambda: at(EPOCH))
    ours = c.sign_url("bkt", key, "image/resize,w_100", expires, headers=headers, query=query)
    assert dict(parse_qsl(urlsplit(ours).query)) == dict(parse_qsl(urlsplit(theirs).query))


@pytest.mark.sdk
def test_an_empty_extra_header_is_not_signed_as_alibabacloud_oss_v2_does() -> None:
    # alibabacloud-oss-v2 signer/v4.py::_common_additional_headers skips empty values; oss2 auth.py
    # (ProviderAuthV4) signs them. The SDKs disagree; procdsl follows alibabacloud-oss-v2.
    oss2 = pytest.importorskip("oss2")
    c = Client("cn-hangzhou", Credentials("ak", "sk"), clock=lambda: at(EPOCH))
    ours = dict(parse_qsl(urlsplit(c.sign_url("bkt", "k.jpg", headers={"Range": ""})).query))
    assert "x-oss-additional-headers" not in ours
    bucket = oss2.Bucket(oss2.AuthV4("ak", "sk"), "https://oss-cn-hangzhou.aliyuncs.com", "bkt", region="cn-hangzhou")
    theirs = dict(parse_qsl(urlsplit(bucket.sign_url("GET", "k.jpg", 60, headers={"Range": ""},
                                                     additional_headers=["Range"])).query))  # fmt: skip
    assert theirs["x-oss-additional-headers"] == "range"


def test_the_async_client_asks_providers_off_the_event_loop(fake: FakeOSS) -> None:
    threads: List[int] = []

    class Slow:
        def get_credentials(self) -> Credentials:
            threads.append(threading.get_ident())
            return STS

    async def run() -> None:
        async with AsyncClient("cn-hangzhou", Slow(), transport=fake.transport()) as c:
            await c.submit("bkt", "photo.jpg", JOB)
            assert "x-oss-security-token=" in await c.sign_url("bkt", "photo.jpg")

    asyncio.run(run())
    assert len(threads) == 2 and threading.get_ident() not in threads
    assert fake.requests[0].header("x-oss-security-token") == TOKEN


def test_the_new_errors_cross_process_boundaries() -> None:
    import pickle

    now = datetime(2024, 1, 1, tzinfo=UTC)
    errors: List[SubmitError] = [
        ConfigurationError("bad region", param="region"),
        TLSError("handshake", sent=False),
        DeadlineExceededError("late", sent=True),
        ResponseTooLargeError("big", sent=True),
        OSSError("NoSuchKey", "gone", status_code=404, headers={"x-oss-request-id": "R"}, server_time=now),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error) and vars(copy) == vars(error)
