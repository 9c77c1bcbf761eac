"""Signature versions by name: a new version is one module and one entry here."""

from __future__ import annotations

from typing import Dict

from typing_extensions import Literal

from ._errors import ConfigurationError
from ._signing import Signer
from ._signing_v1 import SignerV1
from ._signing_v4 import SignerV4

__all__ = ["SIGNERS", "SignatureVersion", "signer"]

# The names the type checker accepts; tests/submit/test_submit_layering.py keeps them equal to the table's keys.
SignatureVersion = Literal["v4", "v1"]
SIGNERS: Dict[str, Signer] = {"v4": SignerV4(), "v1": SignerV1()}


def signer(version: str) -> Signer:
    """The signer named ``version`` (``"v4"``, ``"v1"``)."""
    found = SIGNERS.get(version) if isinstance(version, str) else None
    if found is None:
        raise ConfigurationError(
            f"signature version must be one of {', '.join(sorted(SIGNERS))}; got {version!r}", param="version"
        )
    return found
