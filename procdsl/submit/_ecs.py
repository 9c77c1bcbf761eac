"""STS credentials of an ECS instance's RAM role, from the instance metadata service, refreshed before expiry.

Protocol (doc https://www.alibabacloud.com/help/en/ecs/user-guide/obtain-a-temporary-authorization-token ;
Go SDK ``oss/credentials/ecs_role_credentials_provider.go``):

- hardened mode: ``PUT /latest/api/token`` with ``X-aliyun-ecs-metadata-token-ttl-seconds`` gives a
  token sent as ``X-aliyun-ecs-metadata-token`` with the next requests (normal mode when that fails,
  unless ``hardened_only``);
- ``GET /latest/meta-data/ram/security-credentials/`` names the role when none is given;
- ``GET /latest/meta-data/ram/security-credentials/<role>`` answers JSON ``AccessKeyId``,
  ``AccessKeySecret``, ``SecurityToken``, ``Expiration`` (``2017-11-01T05:20:01Z``), ``Code`` (``Success``).

It uses the standard library's ``urllib`` (the metadata service is plain HTTP on a
link-local address), so it needs no HTTP library of the client's.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Callable, Dict, Optional

from ._credentials import Credentials
from ._errors import CredentialsError

__all__ = ["EcsRamRoleCredentialsProvider"]

METADATA_ENDPOINT = "http://100.100.100.200"
_CREDENTIALS_PATH = "/latest/meta-data/ram/security-credentials/"
_TOKEN_PATH = "/latest/api/token"
_TOKEN_TTL = "21600"


class EcsRamRoleCredentialsProvider:
    """The RAM role's temporary credentials, fetched when first needed and again ``refresh_before`` expiry.

    Safe under concurrency: one thread fetches while the others wait, and all get the
    same credentials. If a refresh fails while the cached credentials are still valid,
    they are used until they expire.
    """

    def __init__(
        self,
        role_name: Optional[str] = None,
        *,
        endpoint: str = METADATA_ENDPOINT,
        timeout: float = 1.0,
        refresh_before: timedelta = timedelta(minutes=3),
        hardened_only: bool = False,
        clock: Optional[Callable[[], datetime]] = None,
    ) -> None:
        self.role_name = role_name
        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout
        self.refresh_before = refresh_before
        self.hardened_only = hardened_only
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._lock = threading.Lock()
        self._cached: Optional[Credentials] = None

    def __repr__(self) -> str:
        return f"EcsRamRoleCredentialsProvider(role_name={self.role_name!r}, endpoint={self.endpoint!r})"

    def _fresh(self, now: datetime) -> bool:
        c = self._cached
        return c is not None and (c.expiration is None or now < c.expiration - self.refresh_before)

    def get_credentials(self) -> Credentials:
        if self._fresh(self._clock()):
            assert self._cached is not None
            return self._cached
        with self._lock:
            now = self._clock()
            if self._fresh(now):  # another thread refreshed while this one waited
                assert self._cached is not None
                return self._cached
            try:
                self._cached = self._fetch()
            except CredentialsError:
                old = self._cached
                if old is not None and old.expiration is not None and now < old.expiration:
                    return old
                raise
            return self._cached

    def _get(self, path: str, headers: Dict[str, str], method: str = "GET") -> str:
        request = urllib.request.Request(self.endpoint + path, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return str(answer.read(65536).decode("utf-8"))
        except (urllib.error.URLError, OSError, UnicodeDecodeError, ValueError) as exc:
            raise CredentialsError(f"ECS metadata {path}: {type(exc).__name__}") from None

    def _token_headers(self) -> Dict[str, str]:
        try:
            token = self._get(_TOKEN_PATH, {"X-aliyun-ecs-metadata-token-ttl-seconds": _TOKEN_TTL}, "PUT")
        except CredentialsError:
            if self.hardened_only:
                raise
            return {}
        return {"X-aliyun-ecs-metadata-token": token.strip()}

    def _fetch(self) -> Credentials:
        headers = self._token_headers()
        role = self.role_name
        if not role:
            names = self._get(_CREDENTIALS_PATH, headers).split()
            if not names:
                raise CredentialsError("the ECS metadata service names no RAM role for this instance")
            role = self.role_name = names[0]
        text = self._get(_CREDENTIALS_PATH + urllib.parse.quote(role, safe=""), headers)
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise CredentialsError("the ECS metadata service answered something other than a JSON object")
        code = str(data.get("Code", "Success"))
        if code.upper() != "SUCCESS":
            raise CredentialsError(f"the ECS metadata service refused the credentials (Code {code[:64]!r})")
        expiration = None
        if data.get("Expiration"):
            try:
                expiration = datetime.strptime(str(data["Expiration"]), "%Y-%m-%dT%H:%M:%SZ").replace(
                    tzinfo=timezone.utc
                )
            except ValueError:
                raise CredentialsError("the ECS metadata service's Expiration is not YYYY-MM-DDTHH:MM:SSZ") from None
        return Credentials(
            str(data.get("AccessKeyId", "")),
            str(data.get("AccessKeySecret", "")),
            str(data.get("SecurityToken", "")) or None,
            expiration,
        )
