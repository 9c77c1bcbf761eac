"""Access keys that never print themselves, and the providers that hand them out.

A client takes ``Credentials`` or any *provider*: an object with a
``get_credentials()`` method returning something with ``access_key_id``,
``access_key_secret`` and ``security_token`` attributes. That is the protocol of
alibabacloud-oss-v2 (``credentials.CredentialsProvider``), so its providers work
unchanged. Built in: :class:`StaticCredentialsProvider`,
:class:`EnvironmentCredentialsProvider` and, in ``_ecs.py``, the ECS RAM-role one.

Environment variable names are those the OSS SDKs read (alibabacloud-oss-v2
``EnvironmentVariableCredentialsProvider``, oss2, the Go SDK):
``OSS_ACCESS_KEY_ID``, ``OSS_ACCESS_KEY_SECRET``, ``OSS_SESSION_TOKEN``.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any, Mapping, Optional, Union

from typing_extensions import Protocol, runtime_checkable

from ._errors import CredentialsError

__all__ = [
    "Credentials",
    "CredentialsLike",
    "CredentialsProvider",
    "EnvironmentCredentialsProvider",
    "StaticCredentialsProvider",
    "as_provider",
    "resolve",
]

ENV_ID = "OSS_ACCESS_KEY_ID"
ENV_SECRET = "OSS_ACCESS_KEY_SECRET"
ENV_TOKEN = "OSS_SESSION_TOKEN"


def _mask(value: str) -> str:
    """Enough of an AccessKey ID to tell keys apart in a log, not to use it."""
    return value[:4] + "****" if len(value) > 8 else "****"


def _check(name: str, value: object) -> str:
    """A key, secret or token must be printable ASCII without spaces: it goes into an HTTP header.

    The message names the field and the kind of fault, never the value.
    """
    if not isinstance(value, str) or not value:
        raise CredentialsError(f"{name} must be a non-empty string", param=name)
    if not all("!" <= c <= "~" for c in value):
        raise CredentialsError(
            f"{name} contains whitespace, control or non-ASCII characters (e.g. a newline read from a file); "
            "strip it before use",
            param=name,
        )
    return value


class Credentials:
    """An AccessKey pair and an optional STS token.

    Immutable. ``repr``/``str`` show a masked key id only: the secret and the
    token never appear in reprs, logs or error messages. A token of ``""`` means
    no token (as the SDKs read an empty ``OSS_SESSION_TOKEN``). ``expiration``
    (aware UTC) is when temporary credentials stop working; providers refresh before it.
    """

    __slots__ = ("_expiration", "_id", "_secret", "_token")

    _id: str
    _secret: str
    _token: Optional[str]
    _expiration: Optional[datetime]

    def __init__(
        self,
        access_key_id: str,
        access_key_secret: str,
        security_token: Optional[str] = None,
        expiration: Optional[datetime] = None,
    ) -> None:
        _check("access_key_id", access_key_id)
        _check("access_key_secret", access_key_secret)
        if security_token == "":
            security_token = None
        if security_token is not None:
            _check("security_token", security_token)
        if expiration is not None and (not isinstance(expiration, datetime) or expiration.tzinfo is None):
            raise CredentialsError("expiration must be a timezone-aware datetime", param="expiration")
        object.__setattr__(self, "_id", access_key_id)
        object.__setattr__(self, "_secret", access_key_secret)
        object.__setattr__(self, "_token", security_token)
        object.__setattr__(self, "_expiration", expiration)

    @property
    def access_key_id(self) -> str:
        return self._id

    @property
    def access_key_secret(self) -> str:
        return self._secret

    @property
    def security_token(self) -> Optional[str]:
        return self._token

    @property
    def expiration(self) -> Optional[datetime]:
        return self._expiration

    def get_credentials(self) -> Credentials:
        """Credentials are their own (static) provider."""
        return self

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
        return (Credentials, (self._id, self._secret, self._token, self._expiration))

    def __repr__(self) -> str:
        token = "<set>" if self._token else "None"
        return f"Credentials(access_key_id={_mask(self._id)!r}, access_key_secret='<hidden>', security_token={token})"

    __str__ = __repr__


class CredentialsLike(Protocol):
    """What a provider returns: alibabacloud-oss-v2's ``Credentials`` has these attributes too."""

    @property
    def access_key_id(self) -> str: ...

    @property
    def access_key_secret(self) -> str: ...

    @property
    def security_token(self) -> Optional[str]: ...


@runtime_checkable
class CredentialsProvider(Protocol):
    """Anything with ``get_credentials()``: called before each signature, so it must be cheap when cached."""

    def get_credentials(self) -> Any: ...


class StaticCredentialsProvider:
    """Always the same credentials (alibabacloud-oss-v2 ``StaticCredentialsProvider``)."""

    def __init__(self, access_key_id: str, access_key_secret: str, security_token: Optional[str] = None) -> None:
        self._credentials = Credentials(access_key_id, access_key_secret, security_token)

    def get_credentials(self) -> Credentials:
        return self._credentials

    def __repr__(self) -> str:
        return f"StaticCredentialsProvider({self._credentials!r})"


class EnvironmentCredentialsProvider:
    """``OSS_ACCESS_KEY_ID``/``OSS_ACCESS_KEY_SECRET``/``OSS_SESSION_TOKEN``, read once when created."""

    def __init__(self, environ: Optional[Mapping[str, str]] = None) -> None:
        self._credentials = Credentials.from_env(environ)

    def get_credentials(self) -> Credentials:
        return self._credentials

    def __repr__(self) -> str:
        return f"EnvironmentCredentialsProvider({self._credentials!r})"


def as_provider(value: Union[Credentials, CredentialsProvider, None]) -> CredentialsProvider:
    """What a client keeps: ``None`` reads the environment, ``Credentials`` are static, a provider stays."""
    if value is None:
        return EnvironmentCredentialsProvider()
    if isinstance(value, Credentials) or callable(getattr(value, "get_credentials", None)):
        return value
    raise CredentialsError(
        f"credentials must be Credentials or a provider with get_credentials(), not {type(value).__name__}",
        param="credentials",
    )


def resolve(provider: CredentialsProvider) -> Credentials:
    """The provider's current credentials, checked: a failing provider is a ``CredentialsError``."""
    try:
        got = provider.get_credentials()
    except CredentialsError:
        raise
    except Exception as exc:  # a third-party provider: its error type is not ours
        raise CredentialsError(f"the credentials provider failed: {type(exc).__name__}") from exc
    if isinstance(got, Credentials):
        return got
    try:
        return Credentials(got.access_key_id, got.access_key_secret, getattr(got, "security_token", None))
    except AttributeError:
        raise CredentialsError(
            f"the credentials provider returned {type(got).__name__}, without access_key_id/access_key_secret"
        ) from None
