"""The signer interface: what every signature version takes and returns.

A version is one module with a class implementing :class:`Signer` (``_signing_v4.SignerV4``,
``_signing_v1.SignerV1``) and one entry in ``_signers.SIGNERS``; the rest of the
submit layer sees only this interface (alibabacloud-oss-v2 is organised the same way:
``signer/v4.py``, ``signer/v1.py`` behind ``SignerBase``).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Dict, List, Optional, Tuple

from typing_extensions import Protocol

from ._credentials import Credentials

__all__ = ["Signer", "SigningContext", "SigningRequest"]

Pairs = Tuple[Tuple[str, str], ...]


@dataclasses.dataclass(frozen=True)
class SigningRequest:
    """What is signed: ``query`` decoded (sent strictly encoded), ``headers`` as they will be sent.

    ``additional_headers`` names headers outside the default signed set (``x-oss-*``,
    ``Content-Type``, ``Content-MD5``) to sign as well; versions without the notion ignore it.
    """

    method: str
    bucket: Optional[str]
    key: Optional[str]
    query: Pairs = ()
    headers: Pairs = ()
    additional_headers: Tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class SigningContext:
    """Who signs, for where, and when: the same for every version (V1 ignores region and product)."""

    credentials: Credentials
    region: str
    now: datetime
    product: str = "oss"

    def __repr__(self) -> str:
        return f"SigningContext(region={self.region!r}, now={self.now!r}, product={self.product!r})"


class Signer(Protocol):
    """One signature version."""

    name: str

    def sign_headers(self, request: SigningRequest, context: SigningContext) -> Dict[str, str]:
        """Headers to add to the request (``Authorization`` and the headers it signs, e.g. ``x-oss-date``)."""
        ...

    def presign_query(self, request: SigningRequest, context: SigningContext, expires: int) -> List[Tuple[str, str]]:
        """The decoded query of a URL valid ``expires`` seconds from ``context.now``: the request's and the auth's."""
        ...
