"""The pure request builders and answer parsers, on bodies from the OSS docs and SDK mocks."""

from __future__ import annotations

import base64
from datetime import datetime, timezone

import pytest

from procdsl.submit import (
    AccessDeniedError,
    BadRequestError,
    NotFoundError,
    OSSError,
    RequestTimeTooSkewedError,
    RetryPolicy,
    ServerError,
    SignatureDoesNotMatchError,
    TaskMayExistError,
    ThrottlingError,
    TransportError,
)
from procdsl.submit._requests import (
    async_process_request,
    get_request,
    parse_async_result,
    parse_error,
    parse_process_result,
    process_request,
    server_time,
)
from procdsl.submit._retry import decide

# Verbatim from https://www.alibabacloud.com/help/doc-detail/32005.htm
DOC_ERROR = b"""<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>MissingArgument</Code><Message>Missing Some Required Arguments.</Message>
  <RequestId>57ABD896CCB80C366955****</RequestId><HostId>oss-example.oss-cn-hangzhou.aliyuncs.com</HostId>
  <EC>0016-00000502</EC><RecommendDoc>https://api.aliyun.com/troubleshoot?q=0016-00000502</RecommendDoc>
</Error>"""

# The Go SDK's mock request body for AsyncProcessObject (oss/client_mock_test.go).
GO_BODY = (
    b"x-oss-async-process=video/convert,f_avi,vcodec_h265,s_1920x1080,vb_2000000,fps_30,acodec_aac,ab_100000,sn_1"
    b"|sys/saveas,b_ZGVzY3QtYnVja2V0,o_ZGVtby5tcDQ"
)


def test_async_request_body_is_raw() -> None:
    process = GO_BODY.split(b"=", 1)[1].decode()
    req = async_process_request("examplebucket", "demo/input video.mp4", process)
    assert (req.method, req.query, req.body) == ("POST", (("x-oss-async-process", ""),), GO_BODY)
    assert dict(req.headers) == {"Content-MD5": base64.b64encode(__import__("hashlib").md5(GO_BODY).digest()).decode()}
    assert not req.idempotent


def test_process_and_get_requests() -> None:
    body = b"x-oss-process=image/resize,w_100|sys/saveas,o_ZGVzdC5qcGc=,b_ZGVzdC1idWNrZXQ="  # Go SDK mock
    assert process_request("b-1", "k", body.split(b"=", 1)[1].decode()).body == body
    assert get_request("b-1", "k", "image/resize,w_100").query == (("x-oss-process", "image/resize,w_100"),)


def test_async_result_keeps_both_request_ids() -> None:
    body = (
        b'{"EventId":"181-1kZUlN60OH4fWOcOjZEnGnG****","RequestId":"1D99637F-F59E-5B41-9200-C4892F52****",'
        b'"TaskId":"MediaConvert-e4a737df-69e9-4fca-8d9b-17c40ea3****"}'
    )
    task = parse_async_result(200, {"X-Oss-Request-Id": "OSSREQ"}, body)
    assert task.task_id == "MediaConvert-e4a737df-69e9-4fca-8d9b-17c40ea3****"
    assert task.event_id == "181-1kZUlN60OH4fWOcOjZEnGnG****"
    assert task.request_id == "1D99637F-F59E-5B41-9200-C4892F52****"
    assert task.oss_request_id == "OSSREQ"


def test_process_result() -> None:
    res = parse_process_result(200, {}, b'{"bucket": "", "fileSize": 3267, "object": "dest.jpg", "status": "OK"}')
    assert (res.bucket, res.key, res.size, res.status) == ("", "dest.jpg", 3267, "OK")
    with pytest.raises(OSSError, match="BadResponse"):
        parse_process_result(200, {}, b"<html>")


def test_doc_error_body() -> None:
    err = parse_error(400, {}, DOC_ERROR)
    assert isinstance(err, BadRequestError)
    assert (err.code, err.message, err.request_id, err.ec, err.status_code) == (
        "MissingArgument",
        "Missing Some Required Arguments.",
        "57ABD896CCB80C366955****",
        "0016-00000502",
        400,
    )
    assert err.host_id == "oss-example.oss-cn-hangzhou.aliyuncs.com"
    assert err.fields["RecommendDoc"] == "https://api.aliyun.com/troubleshoot?q=0016-00000502"


def test_error_with_namespace_and_header_fallbacks() -> None:
    body = b'<Error xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com"><Code>InvalidRequest</Code>' \
           b"<Message>no x-oss-async-process parameter found</Message></Error>"  # fmt: skip
    err = parse_error(400, {"x-oss-request-id": "RID", "x-oss-ec": "0017-00000251"}, body)
    assert (err.code, err.request_id, err.ec) == ("InvalidRequest", "RID", "0017-00000251")


def test_empty_body_uses_x_oss_err_header() -> None:
    header = base64.b64encode(b"<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>").decode()
    err = parse_error(404, {"x-oss-err": header}, b"")
    assert isinstance(err, NotFoundError) and err.code == "NoSuchKey"


def test_json_errors() -> None:
    err = parse_error(
        403, {"Content-Type": "application/json"}, b'{"Error": {"Code": "AccessDenied", "Message": "no"}}'
    )
    assert isinstance(err, AccessDeniedError) and (err.code, err.message) == ("AccessDenied", "no")
    typed = parse_error(
        400, {"Content-Type": "application/json", "x-oss-error-type": "InvalidArgument"}, b'{"message": "m"}'
    )
    assert (typed.code, typed.message) == ("InvalidArgument", "m")


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (403, "SignatureDoesNotMatch", SignatureDoesNotMatchError),
        (403, "RequestTimeTooSkewed", RequestTimeTooSkewedError),
        (429, "QpsLimitExceeded", ThrottlingError),
        (503, "ServiceUnavailable", ThrottlingError),
        # A 429/503 without a documented throttling code is no proof of refusal before processing.
        (429, "TooManyRequests", OSSError),
        (503, "SlowDown", ServerError),
        # A skew code with a status OSS does not send it with is not trusted either.
        (500, "RequestTimeTooSkewed", ServerError),
        (500, "InternalError", ServerError),
        (404, "NoSuchStyle", NotFoundError),
    ],
)
def test_error_classes(status: int, code: str, cls: type) -> None:
    err = parse_error(status, {}, f"<Error><Code>{code}</Code><Message>m</Message></Error>".encode())
    assert type(err) is cls


def test_unparsable_error() -> None:
    err = parse_error(502, {}, b"<html>bad gateway</html>")
    assert isinstance(err, ServerError) and err.code == "BadErrorResponse"


def test_server_time_prefers_the_body() -> None:
    err = parse_error(
        403, {}, b"<Error><Code>RequestTimeTooSkewed</Code><ServerTime>2024-05-01T12:00:00.000Z</ServerTime></Error>"
    )
    assert server_time({"Date": "Wed, 01 May 2024 11:00:00 GMT"}, err) == datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
    assert server_time({"Date": "Wed, 01 May 2024 11:00:00 GMT"}) == datetime(2024, 5, 1, 11, tzinfo=timezone.utc)


def test_retry_decisions() -> None:
    policy = RetryPolicy(base_delay=0.0)
    submit = async_process_request("b-1", "k", "doc/convert,target_pdf|sys/saveas,o_eA")
    read = get_request("b-1", "k", "style/s")
    server = parse_error(500, {}, b"<Error><Code>InternalError</Code></Error>")
    assert isinstance(decide(policy, submit, 1, server).error, TaskMayExistError)
    assert decide(policy, read, 1, server).retry and not decide(policy, read, 3, server).retry
    assert decide(policy, submit, 1, TransportError("refused", sent=False)).retry
    assert isinstance(decide(policy, submit, 1, TransportError("timeout", sent=True)).error, TaskMayExistError)
    bad = parse_error(400, {}, DOC_ERROR)
    assert decide(policy, read, 1, bad).error is bad


def test_backoff_is_capped_full_jitter() -> None:
    policy = RetryPolicy(base_delay=0.2, max_delay=1.0)
    assert [policy.delay(n, rand=lambda: 1.0) for n in range(5)] == [0.2, 0.4, 0.8, 1.0, 1.0]
    assert policy.delay(3, rand=lambda: 0.5) == 0.5
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
