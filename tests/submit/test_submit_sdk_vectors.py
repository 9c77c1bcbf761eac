"""Test vectors of the official SDKs (issue 14 item 5), each citing the file it comes from.

Sources (fetched mirrors; commits as in the grammar notes):

- PY2: github.com/aliyun/alibabacloud-oss-python-sdk-v2 (commit ebe9a43)
- GO:  github.com/aliyun/alibabacloud-oss-go-sdk-v2 (commit b3226d1)
- OSS2: github.com/aliyun/aliyun-oss-python-sdk (commit eb329ec)

The signer vectors proper (V4-1..V4-10, V1-1..V1-Q3) are in test_submit_signing_v4.py and
test_submit_signing_v1.py; here they are run again through the signer *interface*
(``_signers.SIGNERS``), and the presign, request-building, endpoint and error-parsing
vectors follow. Where procdsl chooses differently, the test says so (and docs/submit.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from procdsl.submit import (
    AccessDeniedError,
    BadRequestError,
    Client,
    ConfigurationError,
    Credentials,
    OSSError,
    SignatureDoesNotMatchError,
    TaskMayExistError,
    _signing_v1,
)
from procdsl.submit._endpoints import Endpoint, region_host, resolve_region
from procdsl.submit._requests import parse_error
from procdsl.submit._signers import SIGNERS, SignatureVersion
from procdsl.submit._signing import SigningContext, SigningRequest

UTC = timezone.utc


def at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


# ---- signers through the one interface ------------------------------------------------------------


def test_v4_1_through_the_signer_table() -> None:
    # PY2 tests/unit/signer/test_v4.py::test_auth_header; GO oss/signer/signer_test.go::TestV4AuthHeader.
    request = SigningRequest(
        "PUT",
        "bucket",
        "1234+-/123/1.txt",
        (("param1", "value1"), ("+param1", "value3"), ("|param1", "value4"), ("+param2", ""), ("|param2", ""),
         ("param2", "")),
        (("x-oss-head1", "value"), ("abc", "value"), ("ZAbc", "value"), ("XYZ", "value"),
         ("content-type", "text/plain")),
    )  # fmt: skip
    got = SIGNERS["v4"].sign_headers(request, SigningContext(Credentials("ak", "sk"), "cn-hangzhou", at(1702743657)))
    assert got["Authorization"] == (
        "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,"
        "Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe"
    )


def test_v1_1_through_the_signer_table() -> None:
    # PY2 tests/unit/signer/test_v1.py::test_auth_header (GO signer_test.go::TestV1AuthHeader): with
    # x-oss-date set, the date slot holds it; the Date header the signer adds does not count.
    request = SigningRequest(
        "PUT",
        "examplebucket",
        "nelson",
        (),
        (("Content-MD5", "eB5eJF1ptWaXm4bijSPyxw=="), ("Content-Type", "text/html"),
         ("x-oss-meta-author", "alice"), ("x-oss-meta-magic", "abracadabra"),
         ("x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT")),
    )  # fmt: skip
    got = SIGNERS["v1"].sign_headers(request, SigningContext(Credentials("ak", "sk"), "cn-hangzhou", at(1702743657)))
    assert got["Authorization"] == "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M="


def test_v1_presign_with_version_id_through_the_client() -> None:
    # PY2 tests/unit/test_presign.py::test_presign (V1, GetObject with version_id, expiration 1699807420).
    c = Client("cn-hangzhou", Credentials("ak", "sk"), clock=lambda: at(1699807420 - 3600))
    url = c.sign_url("bucket", "key", expires=at(1699807420), version="v1", query={"versionId": "versionId"})
    assert "bucket.oss-cn-hangzhou.aliyuncs.com/key?" in url
    assert "OSSAccessKeyId=ak" in url and "Expires=1699807420" in url
    assert "Signature=dcLTea%2BYh9ApirQ8o8dOPqtvJXQ%3D" in url
    sts = Client("cn-hangzhou", Credentials("ak", "sk", "token"), clock=lambda: at(1699808204 - 60))
    url = sts.sign_url("bucket", "key+123", expires=at(1699808204), version="v1", query={"versionId": "versionId"})
    assert "bucket.oss-cn-hangzhou.aliyuncs.com/key%2B123?" in url and "Expires=1699808204" in url
    assert "Signature=jzKYRrM5y6Br0dRFPaTGOsbrDhY%3D" in url and "security-token=token" in url


def test_v1_signs_the_async_process_sub_resource() -> None:
    # OSS2 oss2/auth.py (ProviderAuth._subresource_key_set has x-oss-async-process) and GO
    # oss/signer/v1.go (every x-oss-* parameter) sign it; alibabacloud-oss-v2's signer/v1.py leaves it
    # out. procdsl follows oss2 and Go.
    to_sign = _signing_v1.string_to_sign(
        "POST", {"Content-MD5": "md5"}, "Wed, 28 Dec 2022 10:27:41 GMT", "examplebucket", "demo/input video.mp4",
        [("x-oss-async-process", "")],
    )  # fmt: skip
    assert (
        to_sign == "POST\nmd5\n\nWed, 28 Dec 2022 10:27:41 GMT\n/examplebucket/demo/input video.mp4?x-oss-async-process"
    )


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_presign_structure_with_an_expiration_or_a_duration(version: SignatureVersion) -> None:
    # PY2 tests/unit/test_presign.py::test_presign_v1/test_presign_v4/test_presign_token_v4;
    # GO oss/client_presign_test.go::TestPresignPresignOptions, TestPresignWithToken.
    now = datetime(2024, 3, 1, 8, 30, 15, tzinfo=UTC)
    c = Client("cn-hangzhou", Credentials("ak", "sk", "token"), clock=lambda: now)
    for expires in (now + timedelta(hours=1), timedelta(hours=1), 3600):
        query = dict(parse_qsl(urlsplit(c.sign_url("bucket", "key", expires=expires, version=version)).query))
        if version == "v1":
            assert query["OSSAccessKeyId"] == "ak" and query["Expires"] == str(int(now.timestamp()) + 3600)
            assert query["security-token"] == "token" and query["Signature"]
        else:
            assert query["x-oss-date"] == "20240301T083015Z" and query["x-oss-expires"] == "3600"
            assert query["x-oss-credential"] == "ak/20240301/cn-hangzhou/oss/aliyun_v4_request"
            assert query["x-oss-signature-version"] == "OSS4-HMAC-SHA256" and query["x-oss-security-token"] == "token"


def test_presign_longer_than_seven_days_is_refused() -> None:
    # PY2 presigner.py raises PresignExpirationError past 7 days (tests/unit/test_presign.py::test_presign_fail).
    c = Client("cn-hangzhou", Credentials("ak", "sk"))
    with pytest.raises(ConfigurationError, match="7 days"):
        c.sign_url("bucket", "key", expires=timedelta(days=7, seconds=1))


def test_presign_with_content_type_and_additional_headers() -> None:
    # GO oss/client_presign_test.go::TestPresignWithHeader/TestPresignWithAdditionalHeaders: Content-Type is
    # signed by default; other headers (email, name) are signed as additional headers in V4.
    c = Client("cn-hangzhou", Credentials("ak", "sk"), clock=lambda: at(1702781677))
    url = c.sign_url("bucket", "key", headers={"email": "demo@aliyun.com", "name": "aliyun"})
    assert dict(parse_qsl(urlsplit(url).query))["x-oss-additional-headers"] == "email;name"
    v1 = c.sign_url("bucket", "key", headers={"Content-Type": "application/octet-stream"}, version="v1")
    assert v1 != c.sign_url("bucket", "key", version="v1")  # the Content-Type is in the string to sign


# ---- request building -------------------------------------------------------------------------------


def capture(answer: httpx.Response, seen: List[httpx.Request]) -> httpx.MockTransport:
    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    return httpx.MockTransport(respond)


GO_ASYNC_JOB = (
    "video/convert,f_avi,vcodec_h265,s_1920x1080,vb_2000000,fps_30,acodec_aac,ab_100000,sn_1"
    "|sys/saveas,b_ZGVzY3QtYnVja2V0,o_ZGVtby5tcDQ"
)
GO_ASYNC_ANSWER = (
    b'{"EventId":"181-1kZUlN60OH4fWOcOjZEnGnG****","RequestId":"1D99637F-F59E-5B41-9200-C4892F52****",'
    b'"TaskId":"MediaConvert-e4a737df-69e9-4fca-8d9b-17c40ea3****"}'
)
GO_HEADERS = {"x-oss-request-id": "534B371674E88A4D8906****", "Date": "Fri, 24 Feb 2017 03:15:40 GMT"}


@pytest.mark.parametrize("payer", [None, "requester"])
def test_async_process_object_request_and_answer(payer: Optional[str]) -> None:
    # GO oss/client_mock_test.go::testMockAsyncProcessObjectSuccessCases (both cases).
    seen: List[httpx.Request] = []
    answer = httpx.Response(200, headers={**GO_HEADERS, "Content-Type": "application/json"}, content=GO_ASYNC_ANSWER)
    headers = {"x-oss-request-payer": payer} if payer else None
    with Client("cn-hangzhou", Credentials("ak", "sk"), "127.0.0.1", transport=capture(answer, seen)) as c:
        task = c.submit("bucket", "object", GO_ASYNC_JOB, headers=headers)
    request = seen[0]
    assert (request.method, request.url.raw_path) == ("POST", b"/bucket/object?x-oss-async-process=")
    assert request.content == f"x-oss-async-process={GO_ASYNC_JOB}".encode()
    assert request.headers.get("x-oss-request-payer") == payer
    assert "content-type" not in request.headers  # none of the SDKs sends one
    assert (task.event_id, task.request_id, task.task_id, task.oss_request_id) == (
        "181-1kZUlN60OH4fWOcOjZEnGnG****",
        "1D99637F-F59E-5B41-9200-C4892F52****",
        "MediaConvert-e4a737df-69e9-4fca-8d9b-17c40ea3****",
        "534B371674E88A4D8906****",
    )


@pytest.mark.parametrize(
    ("process", "saved_bucket"),
    [
        # GO client_mock_test.go::testMockProcessObjectSuccessCases, cases 1 and 2: the body is the caller's
        # string as given (padded base64 included).
        ("image/resize,w_100|sys/saveas,o_ZGVzdC5qcGc=", ""),
        ("image/resize,w_100|sys/saveas,o_ZGVzdC5qcGc=,b_ZGVzdC1idWNrZXQ=", "dest-bucket"),
    ],
)
def test_process_object_request_and_answer(process: str, saved_bucket: str) -> None:
    seen: List[httpx.Request] = []
    answer_body = f'{{"bucket": "{saved_bucket}", "fileSize": 3267, "object": "dest.jpg", "status": "OK"}}'
    answer = httpx.Response(200, headers=GO_HEADERS, content=answer_body.encode())
    with Client("cn-hangzhou", Credentials("ak", "sk"), "127.0.0.1", transport=capture(answer, seen)) as c:
        result = c.process("bucket", "object", process)
    assert seen[0].url.raw_path == b"/bucket/object?x-oss-process="
    assert seen[0].content == f"x-oss-process={process}".encode()
    assert (result.bucket, result.size, result.key, result.status) == (saved_bucket, 3267, "dest.jpg", "OK")


def test_oss2_async_answer_keeps_both_request_ids() -> None:
    # OSS2 unittests/test_bucket.py::test_async_process_object: request_id is the OSS header,
    # async_request_id the JSON RequestId.
    seen: List[httpx.Request] = []
    body = (
        b'{"EventId":"3D7-1XxFtV2t3VtcOn2CXqI2ldsMN3i","RequestId":"8DF65942-D483-5E7E-BC1A-B25C617A9C32",'
        b'"TaskId":"MediaConvert-d2280366-cd33-48f7-90c6-a0dab65bed63"}'
    )
    answer = httpx.Response(200, headers={"x-oss-request-id": "566B6BDD68248CE14F729DC0"}, content=body)
    with Client("cn-hangzhou", Credentials("ak", "sk"), transport=capture(answer, seen)) as c:
        task = c.submit("ming-oss-share", "test-video.mp4", "video/convert,f_mp4|sys/saveas,o_b3V0Lm1wNA")
    assert (task.oss_request_id, task.request_id) == (
        "566B6BDD68248CE14F729DC0",
        "8DF65942-D483-5E7E-BC1A-B25C617A9C32",
    )
    assert seen[0].url.host == "ming-oss-share.oss-cn-hangzhou.aliyuncs.com"


def test_a_200_that_is_not_json_on_process_object() -> None:
    # GO client_mock_test.go::testMockProcessObjectErrorCases case 3 ("execute ProcessObject fail").
    seen: List[httpx.Request] = []
    answer = httpx.Response(200, content=b"StrField1>StrField1</StrField1><StrField2>StrField2<")
    with Client("cn-hangzhou", Credentials("ak", "sk"), transport=capture(answer, seen)) as c:
        with pytest.raises(OSSError, match="BadResponse"):
            c.process("bucket", "object", "image/resize,w_100|sys/saveas,o_a2V5LWRlc3QuanBn")
        # procdsl's choice: on AsyncProcessObject the task was probably created, so the error says so.
        with pytest.raises(TaskMayExistError):
            c.submit("bucket", "object", GO_ASYNC_JOB)


# ---- endpoints ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "kind", "host"),
    [
        # GO oss/endpoints_test.go::TestEndpointFromRegion; PY2 tests/unit/test_client.py::test_config_endpoint.
        ("cn-hangzhou", "public", "oss-cn-hangzhou.aliyuncs.com"),
        ("cn-hangzhou", "internal", "oss-cn-hangzhou-internal.aliyuncs.com"),
        ("cn-hangzhou", "accelerate", "oss-accelerate.aliyuncs.com"),
        ("cn-hangzhou", "accelerate-overseas", "oss-accelerate-overseas.aliyuncs.com"),
        ("cn-hangzhou", "dual-stack", "cn-hangzhou.oss.aliyuncs.com"),
        ("cn-beijing", "public", "oss-cn-beijing.aliyuncs.com"),
        ("cn-shanghai", "internal", "oss-cn-shanghai-internal.aliyuncs.com"),
        ("cn-shenzhen", "dual-stack", "cn-shenzhen.oss.aliyuncs.com"),
    ],
)
def test_endpoint_from_region(region: str, kind: Any, host: str) -> None:
    assert region_host(region, kind) == host
    assert Endpoint.resolve(region, kind=kind).scheme == "https"


@pytest.mark.parametrize(("region", "valid"), [
    # GO oss/endpoints_test.go::TestIsValidRegion.
    ("123-345", True), ("abc", True), ("abc-1234", True), ("ABC", False), ("#?23", False), ("", False), ("_", False),
])  # fmt: skip
def test_valid_regions(region: str, valid: bool) -> None:
    if valid:
        assert resolve_region(region) == region
    else:
        with pytest.raises(ConfigurationError, match="region"):
            resolve_region(region, environ={})


def _url(client: Client, bucket: str, key: str) -> str:
    return client.sign(client.prepare_get(bucket, key, None), at(1702743657)).url


@pytest.mark.parametrize(
    ("kwargs", "url"),
    [
        # PY2 tests/unit/test_client.py::test_invoke_operation_addressing_mode.
        ({}, "https://bucket.oss-cn-hangzhou.aliyuncs.com/%2B123"),
        ({"address_style": "path"}, "https://oss-cn-hangzhou.aliyuncs.com/bucket/%2B123"),
        ({"endpoint": "www.cname-example.com", "address_style": "cname"}, "https://www.cname-example.com/%2B123"),
        ({"endpoint": "127.0.0.1:8080"}, "https://127.0.0.1:8080/bucket/%2B123"),
        ({"endpoint": "127.0.0.1"}, "https://127.0.0.1/bucket/%2B123"),
        # PY2 test_config_endpoint: an explicit http:// endpoint keeps its scheme (procdsl warns).
        ({"endpoint": "http://127.0.0.1"}, "http://127.0.0.1/bucket/%2B123"),
    ],
)
def test_addressing_styles(kwargs: Dict[str, Any], url: str) -> None:
    assert _url(Client("cn-hangzhou", Credentials("ak", "sk"), **kwargs), "bucket", "+123") == url


def test_an_endpoint_with_a_query_is_refused_where_the_sdk_drops_it() -> None:
    # PY2 test_invoke_operation_addressing_mode accepts "127.0.0.1:8080?123" and drops "?123";
    # procdsl refuses it: a query in an endpoint is a mistake, not something to guess about.
    with pytest.raises(ConfigurationError, match="query"):
        Client("cn-hangzhou", Credentials("ak", "sk"), "127.0.0.1:8080?123")


# ---- error parsing ------------------------------------------------------------------------------------


GO_SIGNATURE_ERROR = b"""<?xml version="1.0" encoding="UTF-8"?>
\t\t\t<Error>
\t\t\t\t<Code>SignatureDoesNotMatch</Code>
\t\t\t\t<Message>The request signature we calculated does not match the signature you provided. Check your key \
and signing method.</Message>
\t\t\t\t<RequestId>65467C42E001B4333337****</RequestId>
\t\t\t\t<SignatureProvided>RizTbeKC/QlwxINq8xEdUPowc84=</SignatureProvided>
\t\t\t\t<EC>0002-00000040</EC>
\t\t\t</Error>"""

PY2_INVALID_KEY = b"""<?xml version="1.0" encoding="UTF-8"?>
            <Error>
                <Code>InvalidAccessKeyId</Code>
                <Message>The OSS Access Key Id you provided does not exist in our records.</Message>
                <RequestId>id-1234</RequestId>
                <HostId>oss-cn-hangzhou.aliyuncs.com</HostId>
                <OSSAccessKeyId>ak</OSSAccessKeyId>
                <EC>0002-00000902</EC>
                <RecommendDoc>https://api.aliyun.com/troubleshoot?q=0002-00000902</RecommendDoc>
            </Error>
        """


def test_go_signature_error_without_the_signature() -> None:
    # GO client_mock_test.go::testMockProcessObjectErrorCases case 1. GO keeps SignatureProvided in the
    # error; procdsl drops it (and CanonicalRequest/StringToSign) so no signature travels in logs.
    headers = {"x-oss-request-id": "65467C42E001B4333337****", "Date": "Thu, 15 May 2014 11:18:32 GMT"}
    err = parse_error(403, headers, GO_SIGNATURE_ERROR)
    assert isinstance(err, SignatureDoesNotMatchError)
    assert (err.status_code, err.code, err.ec, err.request_id) == (
        403, "SignatureDoesNotMatch", "0002-00000040", "65467C42E001B4333337****",
    )  # fmt: skip
    assert err.message.startswith("The request signature we calculated does not match")
    assert "SignatureProvided" not in err.fields and err.server_time == datetime(2014, 5, 15, 11, 18, 32, tzinfo=UTC)


def test_go_invalid_argument_with_host_id() -> None:
    # GO client_mock_test.go::testMockProcessObjectErrorCases case 2.
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>InvalidArgument</Code>\n'
        b"  <Message>operation not support post: test</Message>\n  <RequestId>65467C42E001B4333337****</RequestId>\n"
        b"  <HostId>bucket.oss-cn-hangzhou.aliyuncs.com</HostId>\n</Error>"
    )
    err = parse_error(400, {}, body)
    assert isinstance(err, BadRequestError)
    assert (err.code, err.message, err.request_id, err.host_id) == (
        "InvalidArgument", "operation not support post: test", "65467C42E001B4333337****",
        "bucket.oss-cn-hangzhou.aliyuncs.com",
    )  # fmt: skip


def test_py2_invalid_access_key_id() -> None:
    # PY2 tests/unit/test_client.py::response_403_InvalidAccessKeyId.
    headers = {"Date": "Tue, 23 Jul 2024 13:01:06 GMT", "Content-Type": "application/xml",
               "x-oss-ec": "0002-00000902", "x-oss-request-id": "id-1234"}  # fmt: skip
    err = parse_error(403, headers, PY2_INVALID_KEY)
    assert isinstance(err, AccessDeniedError)
    assert (err.code, err.request_id, err.ec, err.host_id) == (
        "InvalidAccessKeyId", "id-1234", "0002-00000902", "oss-cn-hangzhou.aliyuncs.com",
    )  # fmt: skip
    assert err.fields["RecommendDoc"] == "https://api.aliyun.com/troubleshoot?q=0002-00000902"
    assert err.headers["x-oss-ec"] == "0002-00000902"


@pytest.mark.parametrize(
    ("header", "body", "code", "message"),
    [
        # PY2 tests/unit/test_client.py::TestClientReturnsJsonV2 (x-oss-error-type + {"message": ...}).
        ("BadRequestException", b'{"message": "Invalid table bucket operation."}', "BadRequestException",
         "Invalid table bucket operation."),
        ("ValidationException", b'{"message": ""}', "ValidationException", ""),
        ("ForbiddenException", b'{"other": "x"}', "ForbiddenException", ""),
    ],
)  # fmt: skip
def test_py2_json_v2_errors(header: str, body: bytes, code: str, message: str) -> None:
    err = parse_error(400, {"x-oss-error-type": header, "x-oss-request-id": "id-1234"}, body)
    assert (err.code, err.message, err.request_id) == (code, message, "id-1234")
