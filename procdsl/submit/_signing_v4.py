"""Signature V4 (``OSS4-HMAC-SHA256``) for request headers and presigned URLs.

Pure functions: no clock, no I/O. The caller passes the signing time, so the
same inputs always give the same signature (and tests can pin the clock).

Algorithm: https://www.alibabacloud.com/help/en/oss/developer-reference/recommend-to-use-signature-version-4
and, for URLs, https://www.alibabacloud.com/help/en/oss/developer-reference/add-signatures-to-urls

The canonical query is built from the *encoded* pairs that go on the wire, so
what is signed is exactly what is sent (:func:`encode_query`).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote

from ._credentials import Credentials
from ._errors import ConfigurationError
from ._signing import SigningContext, SigningRequest

__all__ = [
    "ALGORITHM",
    "MAX_EXPIRES",
    "SignerV4",
    "UNSIGNED_PAYLOAD",
    "authorization_header",
    "canonical_query",
    "canonical_request",
    "canonical_uri",
    "encode_query",
    "presign_query",
    "quote_path",
    "quote_strict",
    "scope",
    "sign_headers",
    "signature",
    "string_to_sign",
]

ALGORITHM = "OSS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
# Presigned URLs live at most 7 days (604800 s): add-signatures-to-urls page above.
MAX_EXPIRES = 7 * 24 * 3600

Pairs = Sequence[Tuple[str, str]]


@functools.lru_cache(maxsize=1024)
def quote_strict(text: str) -> str:
    """Percent-encode all but RFC 3986 unreserved ``A-Za-z0-9-_.~`` (``/`` → ``%2F``, space → ``%20``).

    Cached: the same parameter names and process strings are encoded for every request.
    """
    return quote(text, safe="")


@functools.lru_cache(maxsize=1024)
def quote_path(text: str) -> str:
    """Percent-encode an object path except ``/`` (the URI and the wire path); cached like ``quote_strict``."""
    return quote(text, safe="/")


def encode_query(pairs: Pairs) -> List[Tuple[str, str]]:
    """The wire form of decoded query pairs: strictly encoded keys and values."""
    return [(quote_strict(k), quote_strict(v)) for k, v in pairs]


def join_query(encoded: Sequence[Tuple[str, str]]) -> str:
    """``k=v&k2`` from encoded pairs; an empty value is sent as ``k=`` (SDKs do the same)."""
    return "&".join(f"{k}={v}" for k, v in encoded)


def canonical_uri(bucket: Optional[str], key: Optional[str]) -> str:
    """``/bucket/key`` (always path-style), encoded except ``/``."""
    uri = "/"
    if bucket:
        uri += bucket + "/"
        if key:
            uri += key
    return quote_path(uri)


def canonical_query(encoded: Sequence[Tuple[str, str]]) -> str:
    """Encoded pairs sorted byte-wise; an empty value is the bare key, no ``=``."""
    return "&".join(f"{k}={v}" if v else k for k, v in sorted(encoded))


def _is_default_signed(name: str) -> bool:
    return name.startswith("x-oss-") or name in ("content-type", "content-md5")


def _additional(headers: Mapping[str, str], additional: Iterable[str]) -> List[str]:
    """Sorted lowercase extra header names that are not signed anyway and are present with a value."""
    if not additional:
        return []
    present = {k.lower(): v for k, v in headers.items()}
    return sorted({h.lower() for h in additional if not _is_default_signed(h.lower()) and present.get(h.lower())})


def canonical_request(
    method: str,
    uri: str,
    encoded_query: Sequence[Tuple[str, str]],
    headers: Mapping[str, str],
    additional: Sequence[str],
) -> str:
    """The canonical request; ``additional`` must come from :func:`_additional` (sorted, lowercase)."""
    lowered = [(k.lower(), v) for k, v in headers.items()]
    signed = sorted((k, v.strip()) for k, v in lowered if _is_default_signed(k) or k in additional)
    canon_headers = "".join([f"{k}:{v}\n" for k, v in signed])
    payload = next((v for k, v in signed if k == "x-oss-content-sha256"), UNSIGNED_PAYLOAD)
    return "\n".join(
        [method.upper(), uri, canonical_query(encoded_query), canon_headers, ";".join(additional), payload]
    )


def scope(date: str, region: str, product: str = "oss") -> str:
    return f"{date}/{region}/{product}/aliyun_v4_request"


def string_to_sign(timestamp: str, scope_: str, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{timestamp}\n{scope_}\n{digest}"


@functools.lru_cache(maxsize=32)
def _signing_key(secret: str, date: str, region: str, product: str) -> bytes:
    """The derived key: it changes once a day per region, so it is computed once and reused.

    (The cache holds what the credentials already hold in memory; it is never printed.)
    """
    key = ("aliyun_v4" + secret).encode("utf-8")
    for part in (date, region, product, "aliyun_v4_request"):
        key = hmac.digest(key, part.encode("utf-8"), "sha256")
    return key


def signature(secret: str, date: str, region: str, product: str, to_sign: str) -> str:
    """hex(HMAC chain "aliyun_v4"+secret → date → region → product → "aliyun_v4_request" → string to sign)."""
    return hmac.digest(_signing_key(secret, date, region, product), to_sign.encode("utf-8"), "sha256").hex()


def _timestamp(now: datetime) -> str:
    if now.tzinfo is None:
        raise ConfigurationError("the signing time must be timezone-aware (UTC)", param="now")
    t = now.astimezone(timezone.utc)
    return f"{t.year:04d}{t.month:02d}{t.day:02d}T{t.hour:02d}{t.minute:02d}{t.second:02d}Z"


def authorization_header(access_key_id: str, scope_: str, additional: Sequence[str], sig: str) -> str:
    """The PY2/GO form: ``,`` separators, ``AdditionalHeaders`` before ``Signature``."""
    parts = [f"{ALGORITHM} Credential={access_key_id}/{scope_}"]
    if additional:
        parts.append("AdditionalHeaders=" + ";".join(additional))
    parts.append(f"Signature={sig}")
    return ",".join(parts)


def sign_headers(
    *,
    method: str,
    bucket: Optional[str],
    key: Optional[str],
    query: Pairs,
    headers: Mapping[str, str],
    credentials: Credentials,
    region: str,
    now: datetime,
    product: str = "oss",
    additional_headers: Iterable[str] = (),
) -> Dict[str, str]:
    """The headers to add to a request so it carries a V4 ``Authorization``.

    Returns ``x-oss-date``, ``x-oss-content-sha256``, ``x-oss-security-token``
    (STS only) and ``Authorization``; ``query`` is the decoded query, sent as
    :func:`encode_query` gives it.
    """
    timestamp = _timestamp(now)
    added = {"x-oss-date": timestamp, "x-oss-content-sha256": UNSIGNED_PAYLOAD}
    if credentials.security_token:
        added["x-oss-security-token"] = credentials.security_token
    merged = {k: v for k, v in headers.items() if k.lower() not in added}
    merged.update(added)
    extra = _additional(merged, additional_headers)
    scope_ = scope(timestamp[:8], region, product)
    canonical = canonical_request(method, canonical_uri(bucket, key), encode_query(query), merged, extra)
    sig = signature(
        credentials.access_key_secret, timestamp[:8], region, product, string_to_sign(timestamp, scope_, canonical)
    )
    added["Authorization"] = authorization_header(credentials.access_key_id, scope_, extra, sig)
    return added


def presign_query(
    *,
    method: str,
    bucket: Optional[str],
    key: Optional[str],
    query: Pairs,
    headers: Mapping[str, str],
    credentials: Credentials,
    region: str,
    now: datetime,
    expires: int,
    product: str = "oss",
    additional_headers: Iterable[str] = (),
) -> List[Tuple[str, str]]:
    """The decoded query of a V4 presigned URL: ``query`` plus the auth parameters, ``x-oss-signature`` last."""
    if isinstance(expires, bool) or not isinstance(expires, int) or not 1 <= expires <= MAX_EXPIRES:
        raise ConfigurationError(
            f"expires must be 1-{MAX_EXPIRES} seconds (7 days) for a V4 URL; got {expires!r}", param="expires"
        )
    timestamp = _timestamp(now)
    scope_ = scope(timestamp[:8], region, product)
    extra = _additional(headers, additional_headers)
    auth = [
        ("x-oss-signature-version", ALGORITHM),
        ("x-oss-date", timestamp),
        ("x-oss-expires", str(expires)),
        ("x-oss-credential", f"{credentials.access_key_id}/{scope_}"),
    ]
    if credentials.security_token:
        auth.append(("x-oss-security-token", credentials.security_token))
    if extra:
        auth.append(("x-oss-additional-headers", ";".join(extra)))
    reserved = {k for k, _ in auth} | {"x-oss-signature"}
    pairs = [(k, v) for k, v in query if k not in reserved] + auth
    canonical = canonical_request(method, canonical_uri(bucket, key), encode_query(pairs), headers, extra)
    sig = signature(
        credentials.access_key_secret, timestamp[:8], region, product, string_to_sign(timestamp, scope_, canonical)
    )
    return [*pairs, ("x-oss-signature", sig)]


class SignerV4:
    """``OSS4-HMAC-SHA256``: the default, and the only version alibabacloud-oss-v2 uses unless told otherwise."""

    name = "v4"

    def sign_headers(self, request: SigningRequest, context: SigningContext) -> Dict[str, str]:
        return sign_headers(**_arguments(request, context))

    def presign_query(self, request: SigningRequest, context: SigningContext, expires: int) -> List[Tuple[str, str]]:
        return presign_query(expires=expires, **_arguments(request, context))


def _arguments(request: SigningRequest, context: SigningContext) -> Dict[str, Any]:
    """The interface's two values as the keyword arguments of :func:`sign_headers` and :func:`presign_query`."""
    return {
        "method": request.method,
        "bucket": request.bucket,
        "key": request.key,
        "query": request.query,
        "headers": dict(request.headers),
        "credentials": context.credentials,
        "region": context.region,
        "now": context.now,
        "product": context.product,
        "additional_headers": request.additional_headers,
    }
