"""Where requests go: region endpoints, path-style and virtual-hosted URLs, CNAMEs.

Hosts by region (alibabacloud-oss-v2 ``endpoints.py``; doc
https://www.alibabacloud.com/help/en/oss/user-guide/regions-and-endpoints):
public ``oss-<region>.aliyuncs.com``, internal ``oss-<region>-internal.aliyuncs.com``,
dual-stack ``<region>.oss.aliyuncs.com``, acceleration ``oss-accelerate.aliyuncs.com``
and ``oss-accelerate-overseas.aliyuncs.com``. Whatever the URL style, the
signature's canonical URI is ``/<bucket>/<key>`` (submit.md §5).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from typing import Optional
from urllib.parse import urlsplit

from typing_extensions import Literal

from .._variables import BUCKET_PATTERN
from ..errors import ProcessValueError
from ._signing_v4 import quote_path

__all__ = ["AddressStyle", "Endpoint", "EndpointKind", "check_bucket", "check_key", "region_host"]

AddressStyle = Literal["virtual", "path", "cname"]
EndpointKind = Literal["public", "internal", "dualstack", "accelerate", "accelerate-overseas"]

_REGION = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
# Bucket naming rules: 3-63 of a-z, 0-9, '-', starting and ending with a letter or digit.
# https://www.alibabacloud.com/help/en/oss/user-guide/bucket-naming-conventions
_BUCKET = BUCKET_PATTERN


def region_host(region: str, kind: EndpointKind = "public") -> str:
    """The OSS host for ``region`` (``cn-hangzhou``, not ``oss-cn-hangzhou``)."""
    if not isinstance(region, str) or not _REGION.fullmatch(region) or region.startswith("oss-"):
        raise ProcessValueError(
            f"region must be a region id such as 'cn-hangzhou'; got {region!r}",
            param="region",
            value=region,
            allowed="a region id like cn-hangzhou (without the oss- prefix)",
        )
    hosts = {
        "public": f"oss-{region}.aliyuncs.com",
        "internal": f"oss-{region}-internal.aliyuncs.com",
        "dualstack": f"{region}.oss.aliyuncs.com",
        "accelerate": "oss-accelerate.aliyuncs.com",
        "accelerate-overseas": "oss-accelerate-overseas.aliyuncs.com",
    }
    if kind not in hosts:
        raise ProcessValueError(
            f"endpoint kind must be one of {', '.join(hosts)}; got {kind!r}",
            param="kind",
            value=kind,
            allowed=", ".join(hosts),
        )
    return hosts[kind]


def check_bucket(bucket: str) -> str:
    if not isinstance(bucket, str) or not _BUCKET.fullmatch(bucket):
        raise ProcessValueError(
            f"bucket must be 3-63 of a-z, 0-9, '-' starting and ending with a letter or digit; got {bucket!r}",
            param="bucket",
            value=bucket,
            allowed="3-63 of a-z 0-9 -",
        )
    return bucket


def check_key(key: str) -> str:
    """Object keys: 1-1023 bytes of UTF-8, not starting with ``/`` or ``\\``.

    Naming rules: https://www.alibabacloud.com/help/en/oss/user-guide/object-naming-conventions .
    ``.`` and ``..`` path segments are refused too: HTTP clients collapse them,
    so the request would address another object than the one signed.
    """
    if not isinstance(key, str) or not key or len(key.encode("utf-8", "surrogatepass")) > 1023 or key[0] in "/\\":
        raise ProcessValueError(
            f"object key must be 1-1023 bytes and not start with '/' or '\\'; got {key!r}",
            param="key",
            value=key,
            allowed="1-1023 bytes of UTF-8",
        )
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        raise ProcessValueError(
            "object key must be text that UTF-8 can encode (no lone surrogates)", param="key", value=key
        ) from None
    if any(part in (".", "..") for part in key.split("/")):
        raise ProcessValueError(
            f"object key has a '.' or '..' path segment, which HTTP clients rewrite; got {key!r}",
            param="key",
            value=key,
            allowed="keys without '.' or '..' segments",
        )
    return key


def _is_ip_or_localhost(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return True


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """A resolved endpoint: scheme, ``host[:port]`` and addressing style.

    ``style``: ``virtual`` (``https://<bucket>.<host>/<key>``, the default),
    ``path`` (``https://<host>/<bucket>/<key>``, automatic for IP addresses and
    ``localhost``) or ``cname`` (``https://<your-domain>/<key>``, the bucket is
    bound to the domain).
    """

    scheme: str
    host: str
    style: AddressStyle

    @classmethod
    def resolve(
        cls,
        region: str,
        endpoint: Optional[str] = None,
        *,
        style: Optional[AddressStyle] = None,
        kind: EndpointKind = "public",
    ) -> Endpoint:
        """``endpoint`` may be a host, ``host:port`` or a URL; None uses ``region`` and ``kind``."""
        if endpoint is None:
            return cls("https", region_host(region, kind), style or "virtual")
        parts = urlsplit(endpoint if "://" in endpoint else "https://" + endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
            raise ProcessValueError(
                f"endpoint must be a host or an http(s) URL without a path; got {endpoint!r}",
                param="endpoint",
                value=endpoint,
                allowed="host, host:port or scheme://host[:port]",
            )
        if style is None:
            style = "path" if _is_ip_or_localhost(parts.hostname) else "virtual"
        return cls(parts.scheme, parts.netloc, style)

    def base_url(self, bucket: str) -> str:
        """``scheme://host`` with the bucket in the host when virtual-hosted."""
        host = f"{bucket}.{self.host}" if self.style == "virtual" else self.host
        return f"{self.scheme}://{host}"

    def path(self, bucket: str, key: str) -> str:
        """The URL path on the wire: the key percent-encoded except ``/``."""
        encoded = quote_path(key)
        return f"/{bucket}/{encoded}" if self.style == "path" else f"/{encoded}"

    def url(self, bucket: str, key: str, encoded_query: str = "") -> str:
        return self.base_url(bucket) + self.path(bucket, key) + (f"?{encoded_query}" if encoded_query else "")
