"""Signature V4 against the SDKs' published vectors and against the SDKs themselves."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Tuple
from unittest import mock
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procdsl.submit import ConfigurationError
from procdsl.submit import _signing_v4 as v4
from procdsl.submit._credentials import Credentials

UTC = dt.timezone.utc
KEY = "1234+-/123/1.txt"
# The vectors' query, given decoded: "param1=value1&%2Bparam1=value3&%7Cparam1=value4&%2Bparam2=&%7Cparam2=&param2="
QUERY = [
    ("param1", "value1"),
    ("+param1", "value3"),
    ("|param1", "value4"),
    ("+param2", ""),
    ("|param2", ""),
    ("param2", ""),
]
HEADERS = {"x-oss-head1": "value", "abc": "value", "ZAbc": "value", "XYZ": "value"}


def at(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, UTC)


def header_auth(epoch: int, token: Optional[str] = None, **kw: Any) -> str:
    return v4.sign_headers(
        method="PUT",
        bucket="bucket",
        key=KEY,
        query=QUERY,
        headers={**HEADERS, "content-type": "text/plain"},
        credentials=Credentials("ak", "sk", token),
        region=kw.pop("region", "cn-hangzhou"),
        now=at(epoch),
        **kw,
    )["Authorization"]


def query_auth(epoch: int, expires: int, token: Optional[str] = None, **kw: Any) -> Dict[str, str]:
    pairs = v4.presign_query(
        method="PUT",
        bucket="bucket",
        key=KEY,
        query=QUERY,
        headers={**HEADERS, "content-type": "application/octet-stream"},
        credentials=Credentials("ak", "sk", token),
        region=kw.pop("region", "cn-hangzhou"),
        now=at(epoch),
        expires=expires,
        **kw,
    )
    return dict(v4.encode_query(pairs))


PREFIX = "OSS4-HMAC-SHA256 Credential=ak/"


def test_v4_1_header() -> None:
    assert header_auth(1702743657) == (
        PREFIX + "20231216/cn-hangzhou/oss/aliyun_v4_request,"
        "Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe"
    )


def test_v4_1_intermediate_canonical_request() -> None:
    canonical = v4.canonical_request(
        "PUT",
        v4.canonical_uri("bucket", KEY),
        v4.encode_query(QUERY),
        {
            **HEADERS,
            "content-type": "text/plain",
            "x-oss-content-sha256": "UNSIGNED-PAYLOAD",
            "x-oss-date": "20231216T162057Z",
        },
        [],
    )
    assert canonical == (
        "PUT\n/bucket/1234%2B-/123/1.txt\n"
        "%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2\n"
        "content-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T162057Z\nx-oss-head1:value\n"
        "\n\nUNSIGNED-PAYLOAD"
    )
    assert v4.string_to_sign("20231216T162057Z", v4.scope("20231216", "cn-hangzhou"), canonical).endswith(
        "\nf4613657f1b108998e8dbd10a1aa5da621dc2c6e02c9ddec0f163664848704c4"
    )


def test_v4_2_header_with_token() -> None:
    assert header_auth(1702784856, "token") == (
        PREFIX + "20231217/cn-hangzhou/oss/aliyun_v4_request,"
        "Signature=b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea"
    )


@pytest.mark.parametrize("extra", [("ZAbc", "abc"), ("x-oss-no-exist", "ZAbc", "x-oss-head1", "abc")])
def test_v4_3_header_additional(extra: Tuple[str, ...]) -> None:
    assert header_auth(1702747512, additional_headers=extra) == (
        PREFIX + "20231216/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=abc;zabc,"
        "Signature=4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f"
    )


def test_v4_4_query() -> None:
    q = query_auth(1702781677, 1702782276 - 1702781677)
    assert q["x-oss-expires"] == "599"
    assert q["x-oss-credential"] == "ak%2F20231217%2Fcn-hangzhou%2Foss%2Faliyun_v4_request"
    assert q["x-oss-signature"] == "a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe"


def test_v4_5_query_with_token() -> None:
    q = query_auth(1702785388, 1702785987 - 1702785388, "token")
    assert q["x-oss-date"] == "20231217T035628Z"
    assert q["x-oss-security-token"] == "token"
    assert q["x-oss-signature"] == "3817ac9d206cd6dfc90f1c09c00be45005602e55898f26f5ddb06d7892e1f8b5"


def test_v4_6_query_additional() -> None:
    q = query_auth(1702783809, 1702784408 - 1702783809, additional_headers=("ZAbc", "abc"))
    assert q["x-oss-date"] == "20231217T033009Z"
    assert q["x-oss-additional-headers"] == "abc%3Bzabc"
    assert q["x-oss-signature"] == "6bd984bfe531afb6db1f7550983a741b103a8c58e5e14f83ea474c2322dfa2b7"


def test_v4_7_query_long_expiration() -> None:
    q = query_auth(1702781677, 5 * 86400)
    assert q["x-oss-expires"] == "432000"
    assert q["x-oss-signature"] == "31029123dc7732d2d2cfd4006ea4fdb6cf86da6478f813e2bf8f87877c7b9fec"


def test_v4_8_header_cloudbox() -> None:
    assert header_auth(1702743657, region="cb-123", product="oss-cloudbox") == (
        PREFIX + "20231216/cb-123/oss-cloudbox/aliyun_v4_request,"
        "Signature=94ce1f12c17d148ea681030275a94449d3357f5b5b21133996eec80af3e08a43"
    )


@pytest.mark.parametrize(
    ("epoch", "extra", "expected"),
    [
        (1702781677, ("ZAbc", "abc"), "07284191b9b4978ac3520cd39ee2dea2747eda454089359371ff463a6c7ba20f"),
        (
            1702783809,
            ("x-oss-no-exist", "ZAbc", "x-oss-head1", "abc"),
            "16782cc8a7a554523db055eb804b508522e7e370073108ad88ee2f47496701dd",
        ),
    ],
)
def test_v4_9_10_query_cloudbox(epoch: int, extra: Tuple[str, ...], expected: str) -> None:
    q = query_auth(epoch, 599, region="cb-123", product="oss-cloudbox", additional_headers=extra)
    assert q["x-oss-signature"] == expected


def test_async_process_worked_example() -> None:
    body = b"x-oss-async-process=" + b"doc/convert,target_png,source_docx"  # the example's MD5 is of its own body
    headers = v4.sign_headers(
        method="POST",
        bucket="examplebucket",
        key="demo/input video.mp4",
        query=[("x-oss-async-process", "")],
        headers={"Content-MD5": "aNvoSIHul6U1GfD68je8Fw=="},
        credentials=Credentials("ak", "sk"),
        region="cn-hangzhou",
        now=dt.datetime(2023, 12, 16, 16, 20, 57, tzinfo=UTC),
    )
    assert body  # the signature covers Content-MD5, not the body itself
    assert headers["Authorization"].endswith(
        ",Signature=cc0a53e198c4edbd269f549ec571bfd2a1c15a855047c9acc492cbb099d28bbd"
    )


@pytest.mark.parametrize("expires", [0, -1, v4.MAX_EXPIRES + 1, True])
def test_presign_expiry_range(expires: int) -> None:
    with pytest.raises(ConfigurationError, match="expires"):
        query_auth(1702781677, expires)


def test_signing_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone"):
        v4.sign_headers(
            method="GET", bucket="b", key="k", query=[], headers={}, credentials=Credentials("a", "s"),
            region="cn-hangzhou", now=dt.datetime(2024, 1, 1),
        )  # fmt: skip


# ---- comparison with the SDKs ------------------------------------------------------------

keys = st.text(alphabet=st.sampled_from(list("abcXYZ019 +/-_.~%&=?#中文é😀")), min_size=1, max_size=30).filter(
    lambda k: (
        not k.startswith(("/", "?"))
        and k.strip() != ""
        and "//" not in k
        and all(p not in (".", "..") for p in k.split("/"))
    )
)
processes = st.sampled_from(
    [
        "image/resize,m_lfit,w_100,h_100/quality,q_90",
        "image/watermark,text_SGVsbG8gV29ybGQ,color_FFFFFF",
        "style/small",
        "video/snapshot,t_1000,f_jpg,w_800",
    ]
)
tokens = st.one_of(st.none(), st.sampled_from(["token", "CAIS+token/with=chars&more"]))
times = st.integers(min_value=1_600_000_000, max_value=1_900_000_000)


@pytest.fixture(scope="module")
def oss_v2() -> Any:
    return pytest.importorskip("alibabacloud_oss_v2")


@pytest.fixture(scope="module")
def oss2_mod() -> Any:
    return pytest.importorskip("oss2")


def _v2_sign(oss: Any, method: str, bucket: str, key: str, query: List[Tuple[str, str]], headers: Dict[str, str],
             token: Optional[str], epoch: int, expires: Optional[int] = None) -> Any:  # fmt: skip
    from alibabacloud_oss_v2.signer import SignerV4  # type: ignore[import-untyped]
    from alibabacloud_oss_v2.types import HttpRequest, SigningContext  # type: ignore[import-untyped]

    qs = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
    url = f"https://{bucket}.oss-cn-hangzhou.aliyuncs.com/{quote(key)}" + (f"?{qs}" if qs else "")
    request = HttpRequest(method, url, headers=dict(headers))
    ctx = SigningContext(
        product="oss",
        region="cn-hangzhou",
        bucket=bucket,
        key=key,
        request=request,
        credentials=oss.credentials.Credentials("ak", "sk", token),
        signing_time=at(epoch),
    )
    if expires is not None:
        ctx.auth_method_query = True
        ctx.expiration_time = at(epoch + expires)
    SignerV4().sign(ctx)
    return request


@pytest.mark.sdk
@settings(max_examples=60, deadline=None)
@given(key=keys, process=processes, token=tokens, epoch=times)
def test_header_signature_equals_alibabacloud_oss_v2(oss_v2: Any, key: str, process: str, token: Optional[str],
                                                     epoch: int) -> None:  # fmt: skip
    body = f"x-oss-async-process={process}".encode()
    headers = {"Content-MD5": "aNvoSIHul6U1GfD68je8Fw=="}
    query = [("x-oss-async-process", "")]
    ours = v4.sign_headers(
        method="POST", bucket="bkt", key=key, query=query, headers=headers,
        credentials=Credentials("ak", "sk", token), region="cn-hangzhou", now=at(epoch),
    )  # fmt: skip
    theirs = _v2_sign(oss_v2, "POST", "bkt", key, query, headers, token, epoch)
    assert body
    assert ours["Authorization"] == theirs.headers["Authorization"]
    assert ours.get("x-oss-security-token") == theirs.headers.get("x-oss-security-token")


@pytest.mark.sdk
@settings(max_examples=60, deadline=None)
@given(key=keys, process=processes, token=tokens, epoch=times, expires=st.integers(1, v4.MAX_EXPIRES))
def test_url_signature_equals_alibabacloud_oss_v2(oss_v2: Any, key: str, process: str, token: Optional[str],
                                                  epoch: int, expires: int) -> None:  # fmt: skip
    query = [("x-oss-process", process)]
    ours = dict(
        v4.presign_query(
            method="GET", bucket="bkt", key=key, query=query, headers={},
            credentials=Credentials("ak", "sk", token), region="cn-hangzhou", now=at(epoch), expires=expires,
        )
    )  # fmt: skip
    theirs = dict(parse_qsl(urlsplit(_v2_sign(oss_v2, "GET", "bkt", key, query, {}, token, epoch, expires).url).query))
    assert ours == theirs


class _FrozenDatetime(dt.datetime):
    frozen: dt.datetime = dt.datetime(2024, 1, 1)

    @classmethod
    def utcnow(cls) -> dt.datetime:  # type: ignore[override]
        return cls.frozen


def _frozen_oss2(oss2: Any, epoch: int) -> Any:
    frozen = type("F", (_FrozenDatetime,), {"frozen": at(epoch).replace(tzinfo=None)})
    return mock.patch.object(oss2.auth, "datetime", frozen)


@pytest.mark.sdk
@settings(max_examples=60, deadline=None)
@given(key=keys, token=tokens, epoch=times)
def test_header_signature_equals_oss2(oss2_mod: Any, key: str, token: Optional[str], epoch: int) -> None:
    oss2 = oss2_mod
    auth = oss2.StsAuth("ak", "sk", token, auth_version="v4") if token else oss2.AuthV4("ak", "sk")
    req = oss2.http.Request(
        "POST",
        "https://bkt.oss-cn-hangzhou.aliyuncs.com/x",
        params={"x-oss-async-process": ""},
        region="cn-hangzhou",
        product="oss",
    )
    with _frozen_oss2(oss2, epoch):
        auth._sign_request(req, "bkt", key)
    ours = v4.sign_headers(
        method="POST", bucket="bkt", key=key, query=[("x-oss-async-process", "")], headers={},
        credentials=Credentials("ak", "sk", token), region="cn-hangzhou", now=at(epoch),
    )  # fmt: skip
    # oss2 writes ", " separators; the credential and signature are the same.
    assert req.headers["authorization"] == ours["Authorization"].replace(",", ", ")


@pytest.mark.sdk
@settings(max_examples=60, deadline=None)
@given(key=keys, process=processes, token=tokens, epoch=times, expires=st.integers(1, v4.MAX_EXPIRES))
def test_url_signature_equals_oss2(oss2_mod: Any, key: str, process: str, token: Optional[str], epoch: int,
                                   expires: int) -> None:  # fmt: skip
    oss2 = oss2_mod
    auth = oss2.StsAuth("ak", "sk", token, auth_version="v4") if token else oss2.AuthV4("ak", "sk")
    bucket = oss2.Bucket(auth, "https://oss-cn-hangzhou.aliyuncs.com", "bkt", region="cn-hangzhou")
    with _frozen_oss2(oss2, epoch):
        url = bucket.sign_url("GET", key, expires, params={"x-oss-process": process})
    ours = dict(
        v4.presign_query(
            method="GET", bucket="bkt", key=key, query=[("x-oss-process", process)], headers={},
            credentials=Credentials("ak", "sk", token), region="cn-hangzhou", now=at(epoch), expires=expires,
        )
    )  # fmt: skip
    assert dict(parse_qsl(urlsplit(url).query)) == ours
