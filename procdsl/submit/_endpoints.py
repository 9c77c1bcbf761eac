"""Where requests go: region endpoints, path-style and virtual-hosted URLs, CNAMEs.

Hosts by region (alibabacloud-oss-v2 ``endpoints.py``; doc
https://www.alibabacloud.com/help/en/oss/user-guide/regions-and-endpoints):
public ``oss-<region>.aliyuncs.com``, internal ``oss-<region>-internal.aliyuncs.com``,
dual-stack ``<region>.oss.aliyuncs.com``, acceleration ``oss-accelerate.aliyuncs.com``
and ``oss-accelerate-overseas.aliyuncs.com``. Whatever the URL style, the
signature's canonical URI is ``/<bucket>/<key>`` (alibabacloud-oss-v2 ``signer/v4.py``).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import warnings
from typing import Mapping, Optional
from urllib.parse import urlsplit

from typing_extensions import Literal

from .._variables import BUCKET_PATTERN
from ._errors import ConfigurationError
from ._signing_v4 import quote_path

__all__ = [
    "ENV_REGION",
    "AddressStyle",
    "Endpoint",
    "EndpointKind",
    "InsecureEndpointWarning",
    "check_bucket",
    "check_key",
    "region_host",
    "resolve_region",
]

AddressStyle = Literal["virtual", "path", "cname"]
EndpointKind = Literal["public", "internal", "dual-stack", "accelerate", "accelerate-overseas"]
# alibabacloud-oss-v2 reads the region from its config only; oss2 and the CLI tools use OSS_REGION.
ENV_REGION = "OSS_REGION"


class InsecureEndpointWarning(UserWarning):
    """An ``http://`` endpoint: the signed request, the STS token and the job travel unencrypted."""


def resolve_region(region: Optional[str], environ: Optional[Mapping[str, str]] = None) -> str:
    """``region``, else ``OSS_REGION``: there is no default, since a wrong one only shows as SignatureDoesNotMatch."""
    if region is None:
        region = (os.environ if environ is None else environ).get(ENV_REGION) or None
        if region is None:
            raise ConfigurationError(
                f"a region is required, e.g. Client('cn-hangzhou', ...), or set {ENV_REGION}", param="region"
            )
    if not isinstance(region, str) or not _REGION.fullmatch(region) or region.startswith("oss-"):
        raise ConfigurationError(
            f"region must be a region id such as 'cn-hangzhou' (without the oss- prefix); got {region!r}",
            param="region",
        )
    return region


_REGION = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
# Bucket naming rules: 3-63 of a-z, 0-9, '-', starting and ending with a letter or digit.
# https://www.alibabacloud.com/help/en/oss/user-guide/bucket-naming-conventions
_BUCKET = BUCKET_PATTERN


def region_host(region: str, kind: EndpointKind = "public") -> str:
    """The OSS host for ``region`` (``cn-hangzhou``, not ``oss-cn-hangzhou``)."""
    region = resolve_region(region)
    hosts = {
        "public": f"oss-{region}.aliyuncs.com",
        "internal": f"oss-{region}-internal.aliyuncs.com",
        "dual-stack": f"{region}.oss.aliyuncs.com",
        "accelerate": "oss-accelerate.aliyuncs.com",
        "accelerate-overseas": "oss-accelerate-overseas.aliyuncs.com",
    }
    if kind not in hosts:
        raise ConfigurationError(f"endpoint kind must be one of {', '.join(hosts)}; got {kind!r}", param="kind")
    return hosts[kind]


def check_bucket(bucket: str) -> str:
    if not isinstance(bucket, str) or not _BUCKET.fullmatch(bucket):
        raise ConfigurationError(
            f"bucket must be 3-63 of a-z, 0-9, '-' starting and ending with a letter or digit; got {bucket!r}",
            param="bucket",
        )
    return bucket


def check_key(key: str) -> str:
    """Object keys: 1-1023 bytes of UTF-8, not starting with ``/`` or ``\\``.

    Naming rules: https://www.alibabacloud.com/help/en/oss/user-guide/object-naming-conventions .
    ``.`` and ``..`` path segments are refused too: HTTP clients collapse them,
    so the request would address another object than the one signed.
    """
    if not isinstance(key, str) or not key or len(key.encode("utf-8", "surrogatepass")) > 1023 or key[0] in "/\\":
        raise ConfigurationError(
            f"object key must be 1-1023 bytes and not start with '/' or '\\'; got {key!r}", param="key"
        )
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigurationError(
            "object key must be text that UTF-8 can encode (no lone surrogates)", param="key"
        ) from None
    if any(part in (".", "..") for part in key.split("/")):
        # alibabacloud-oss-v2 signs '/a/../b' and then lets the HTTP library send '/b' (see docs/submit.md).
        raise ConfigurationError(
            f"object key has a '.' or '..' path segment, which HTTP clients rewrite; got {key!r}", param="key"
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


def _is_loopback(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


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
        """``endpoint`` may be a host, ``host:port`` or a URL; None uses ``region`` and ``kind``.

        Refused: user info (``user:pw@``: it would show in reprs and httpx would send Basic
        auth), a path, a query or a fragment. ``http://`` warns (``InsecureEndpointWarning``)
        unless the host is the loopback (a local stand-in such as ``procdsl.testing.FakeOSS``).
        """
        if style is not None and style not in ("virtual", "path", "cname"):
            raise ConfigurationError(f"address style must be virtual, path or cname; got {style!r}", param="style")
        if endpoint is None:
            if style == "cname":
                raise ConfigurationError("a CNAME style needs endpoint= (your domain)", param="endpoint")
            return cls("https", region_host(region, kind), style or "virtual")
        if not isinstance(endpoint, str) or not endpoint.isascii() or any(c <= " " or c == "\x7f" for c in endpoint):
            raise ConfigurationError("endpoint must be an ASCII host or URL without spaces", param="endpoint")
        text = endpoint if "://" in endpoint else "https://" + endpoint
        try:
            parts = urlsplit(text)
            _ = parts.port  # raises ValueError for a port that is not a number in 0-65535
        except ValueError:
            raise ConfigurationError("endpoint has an invalid port", param="endpoint") from None
        if "@" in parts.netloc:
            raise ConfigurationError("endpoint must not carry a user name or password", param="endpoint")
        if (
            parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query
            or parts.fragment or text.endswith(("?", "#"))
        ):  # fmt: skip
            shown = f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query or parts.fragment else "")
            raise ConfigurationError(
                f"endpoint must be a host, host:port or http(s)://host[:port] without a path, query or fragment; "
                f"got {shown!r}",  # the query is not echoed: it is where a misplaced secret would be
                param="endpoint",
            )
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            warnings.warn(
                f"endpoint {parts.netloc} uses http://: requests, tokens and jobs travel unencrypted",
                InsecureEndpointWarning,
                stacklevel=4,
            )
        if style is None:
            style = "path" if _is_ip_or_localhost(parts.hostname) else "virtual"
        return cls(parts.scheme, parts.netloc.lower(), style)

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
