"""Signature V1 (HMAC-SHA1), kept for presigned URLs that older tools expect.

Pure functions. Algorithm: https://help.aliyun.com/document_detail/31951.htm
(``Authorization: OSS <AK>:<base64(HMAC-SHA1(secret, StringToSign))>``).
``x-oss-process`` and ``x-oss-async-process`` are signed sub-resources with
their *decoded* values, as oss2 (``oss2/auth.py``) and the Go SDK (``oss/signer/v1.go``) do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timezone
from email.utils import format_datetime
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from ._credentials import Credentials
from ._errors import ConfigurationError
from ._signing import SigningContext, SigningRequest

__all__ = ["SUBRESOURCES", "SignerV1", "authorization", "canonical_resource", "presign_query", "string_to_sign"]

# Sub-resources that take part in the V1 CanonicalizedResource (doc 31951 and the
# SDKs' lists); any other ``x-oss-*`` parameter is signed too, as the Go SDK does.
SUBRESOURCES = frozenset(
    {
        "acl",
        "uploads",
        "location",
        "cors",
        "logging",
        "website",
        "referer",
        "lifecycle",
        "delete",
        "append",
        "tagging",
        "objectMeta",
        "uploadId",
        "partNumber",
        "security-token",
        "position",
        "img",
        "style",
        "styleName",
        "replication",
        "replicationProgress",
        "replicationLocation",
        "cname",
        "bucketInfo",
        "comp",
        "qos",
        "live",
        "status",
        "vod",
        "startTime",
        "endTime",
        "symlink",
        "x-oss-process",
        "x-oss-async-process",
        "response-content-type",
        "response-content-language",
        "response-expires",
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
        "udf",
        "udfName",
        "udfImage",
        "udfId",
        "udfImageDesc",
        "udfApplication",
        "udfApplicationLog",
        "restore",
        "callback",
        "callback-var",
        "stat",
        "encryption",
        "versions",
        "versioning",
        "versionId",
        "policy",
        "requestPayment",
        "x-oss-traffic-limit",
        "qosInfo",
        "asyncFetch",
        "x-oss-request-payer",
        "sequential",
        "inventory",
        "inventoryId",
        "continuation-token",
        "worm",
        "wormId",
        "wormExtend",
        "resourceGroup",
    }
)


def _signed_param(name: str) -> bool:
    return name in SUBRESOURCES or name.startswith("x-oss-")


def canonical_resource(bucket: Optional[str], key: Optional[str], query: Sequence[Tuple[str, str]]) -> str:
    """``/bucket/key`` (unencoded) plus ``?`` and the sorted signed sub-resources, decoded."""
    resource = f"/{bucket}/{key or ''}" if bucket else "/"
    subs = sorted((k, v) for k, v in query if _signed_param(k))
    if subs:
        resource += "?" + "&".join(f"{k}={v}" if v else k for k, v in subs)
    return resource


def string_to_sign(
    method: str, headers: Mapping[str, str], date: str, bucket: Optional[str], key: Optional[str],
    query: Sequence[Tuple[str, str]],
) -> str:  # fmt: skip
    """``VERB\\nContent-MD5\\nContent-Type\\nDate\\n`` + ``x-oss-*`` headers + resource."""
    lower = {k.lower(): v.strip() for k, v in headers.items()}
    oss_headers = "".join(f"{k}:{lower[k]}\n" for k in sorted(k for k in lower if k.startswith("x-oss-")))
    head = [method.upper(), lower.get("content-md5", ""), lower.get("content-type", ""), date]
    return "\n".join(head) + "\n" + oss_headers + canonical_resource(bucket, key, query)


def _sign(secret: str, text: str) -> str:
    return base64.b64encode(hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha1).digest()).decode()


def authorization(
    credentials: Credentials, method: str, headers: Mapping[str, str], bucket: Optional[str], key: Optional[str],
    query: Sequence[Tuple[str, str]],
) -> str:  # fmt: skip
    """``OSS <AK>:<signature>``; the date slot holds ``x-oss-date`` when set, else ``Date``."""
    lower = {k.lower(): v for k, v in headers.items()}
    date = lower.get("x-oss-date") or lower.get("date", "")
    to_sign = string_to_sign(method, headers, date, bucket, key, query)
    return f"OSS {credentials.access_key_id}:{_sign(credentials.access_key_secret, to_sign)}"


def presign_query(
    credentials: Credentials, method: str, bucket: Optional[str], key: Optional[str],
    query: Sequence[Tuple[str, str]], expires_at: int, headers: Optional[Mapping[str, str]] = None,
) -> List[Tuple[str, str]]:  # fmt: skip
    """The decoded query of a V1 presigned URL (``Expires`` is an absolute epoch)."""
    pairs = [(k, v) for k, v in query if k not in ("OSSAccessKeyId", "Expires", "Signature", "security-token")]
    if credentials.security_token:
        pairs.append(("security-token", credentials.security_token))
    to_sign = string_to_sign(method, headers or {}, str(expires_at), bucket, key, pairs)
    signature = _sign(credentials.access_key_secret, to_sign)
    return [
        *pairs,
        ("OSSAccessKeyId", credentials.access_key_id),
        ("Expires", str(expires_at)),
        ("Signature", signature),
    ]


class SignerV1:
    """HMAC-SHA1: ``Authorization: OSS <AK>:<signature>`` with a ``Date`` header, or ``Expires`` URLs.

    Region and product do not take part; ``additional_headers`` has no V1 counterpart.
    """

    name = "v1"

    def sign_headers(self, request: SigningRequest, context: SigningContext) -> Dict[str, str]:
        if context.now.tzinfo is None:
            raise ConfigurationError("the signing time must be timezone-aware (UTC)", param="now")
        added = {"Date": format_datetime(context.now.astimezone(timezone.utc), usegmt=True)}
        if context.credentials.security_token:
            added["x-oss-security-token"] = context.credentials.security_token
        merged = {k: v for k, v in request.headers if k.lower() not in {n.lower() for n in added}}
        merged.update(added)
        added["Authorization"] = authorization(
            context.credentials, request.method, merged, request.bucket, request.key, request.query
        )
        return added

    def presign_query(self, request: SigningRequest, context: SigningContext, expires: int) -> List[Tuple[str, str]]:
        if isinstance(expires, bool) or not isinstance(expires, int) or expires < 1:
            raise ConfigurationError(f"expires must be a positive number of seconds; got {expires!r}", param="expires")
        if context.now.tzinfo is None:
            raise ConfigurationError("the signing time must be timezone-aware (UTC)", param="now")
        expires_at = int(context.now.timestamp()) + expires
        return presign_query(
            context.credentials, request.method, request.bucket, request.key, request.query, expires_at,
            dict(request.headers),
        )  # fmt: skip
