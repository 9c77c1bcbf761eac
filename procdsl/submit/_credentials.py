"""Access keys, optionally with an STS security token, that never print themselves.

Environment variable names are those the OSS SDKs read (alibabacloud-oss-v2
``EnvironmentVariableCredentialsProvider``, oss2, the Go SDK):
``OSS_ACCESS_KEY_ID``, ``OSS_ACCESS_KEY_SECRET``, ``OSS_SESSION_TOKEN``.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional

from ._errors import CredentialsError

__all__ = ["Credentials"]

ENV_ID = "OSS_ACCESS_KEY_ID"
ENV_SECRET = "OSS_ACCESS_KEY_SECRET"
ENV_TOKEN = "OSS_SESSION_TOKEN"


def _mask(value: str) -> str:
    """Enough of an AccessKey ID to tell keys apart in a log, not to use it."""
    return value[:4] + "****" if len(value) > 8 else "****"


class Credentials:
    """An AccessKey pair and an optional STS token.

    Immutable. ``repr``/``str`` show a masked key id only: the secret and the
    token never appear in reprs, logs or error messages.
    """

    __slots__ = ("_id", "_secret", "_token")

    _id: str
    _secret: str
    _token: Optional[str]

    def __init__(self, access_key_id: str, access_key_secret: str, security_token: Optional[str] = None) -> None:
        for name, value in (("access_key_id", access_key_id), ("access_key_secret", access_key_secret)):
            if not isinstance(value, str) or not value:
                raise CredentialsError(f"{name} must be a non-empty string")
        if security_token is not None and (not isinstance(security_token, str) or not security_token):
            raise CredentialsError("security_token must be a non-empty string or None")
        object.__setattr__(self, "_id", access_key_id)
        object.__setattr__(self, "_secret", access_key_secret)
        object.__setattr__(self, "_token", security_token)

    @property
    def access_key_id(self) -> str:
        return self._id

    @property
    def access_key_secret(self) -> str:
        return self._secret

    @property
    def security_token(self) -> Optional[str]:
        return self._token

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> Credentials:
        """Read ``OSS_ACCESS_KEY_ID``, ``OSS_ACCESS_KEY_SECRET`` and (STS) ``OSS_SESSION_TOKEN``."""
        env = os.environ if environ is None else environ
        missing = [name for name in (ENV_ID, ENV_SECRET) if not env.get(name)]
        if missing:
            raise CredentialsError(f"environment variable {' and '.join(missing)} is not set")
        return cls(env[ENV_ID], env[ENV_SECRET], env.get(ENV_TOKEN) or None)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Credentials are immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Credentials):
            return NotImplemented
        return (self._id, self._secret, self._token) == (other._id, other._secret, other._token)

    def __hash__(self) -> int:
        return hash((self._id, self._secret, self._token))

    def __reduce__(self) -> Any:
        return (Credentials, (self._id, self._secret, self._token))

    def __repr__(self) -> str:
        token = "<set>" if self._token else "None"
        return f"Credentials(access_key_id={_mask(self._id)!r}, access_key_secret='<hidden>', security_token={token})"

    __str__ = __repr__
