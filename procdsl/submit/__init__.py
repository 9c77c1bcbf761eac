"""Send procdsl process strings to OSS: ``Client`` (blocking) and ``AsyncClient`` (asyncio).

>>> from procdsl.submit import Client, Credentials            # doctest: +SKIP
>>> with Client("cn-hangzhou", Credentials.from_env()) as c:  # doctest: +SKIP
...     task = c.submit("bucket", "in.docx", Doc.convert(to="pdf").save_as("out.pdf"))

Installed with the ``submit`` extra (``httpx``, confined to ``_httpx.py``); the core never
imports this package. Requests are signed with Signature V4 (or V1); see docs/submit.md.
"""

from __future__ import annotations

from ._bulk import BulkResult, Unreadable
from ._client import DEFAULT_DEADLINE, DEFAULT_MAX_BODY_SIZE, DEFAULT_TIMEOUT, AsyncClient, Client
from ._credentials import (
    Credentials,
    CredentialsProvider,
    EnvironmentCredentialsProvider,
    StaticCredentialsProvider,
)
from ._ecs import EcsRamRoleCredentialsProvider
from ._endpoints import AddressStyle, Endpoint, EndpointKind, InsecureEndpointWarning
from ._errors import (
    AccessDeniedError,
    BadRequestError,
    ConfigurationError,
    CredentialsError,
    DeadlineExceededError,
    JournalError,
    NotFoundError,
    OSSError,
    RequestTimeTooSkewedError,
    ResponseTooLargeError,
    ServerError,
    SignatureDoesNotMatchError,
    StoreError,
    SubmitError,
    TaskMayExistError,
    ThrottlingError,
    TLSError,
    TransportError,
)
from ._requests import AsyncTask, PreparedRequest, ProcessResult, WireRequest
from ._retry import RetryPolicy
from ._stores import Entry, JobStore, JournalStore, MemoryStore, PostgresStore, SQLiteStore, Ticket
from ._transport import Answer, AsyncTransport, SyncTransport

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_TIMEOUT",
    "AccessDeniedError",
    "AddressStyle",
    "Answer",
    "AsyncClient",
    "AsyncTask",
    "AsyncTransport",
    "BadRequestError",
    "BulkResult",
    "Client",
    "ConfigurationError",
    "Credentials",
    "CredentialsError",
    "CredentialsProvider",
    "DeadlineExceededError",
    "EcsRamRoleCredentialsProvider",
    "Endpoint",
    "EndpointKind",
    "Entry",
    "EnvironmentCredentialsProvider",
    "InsecureEndpointWarning",
    "JobStore",
    "JournalError",
    "JournalStore",
    "MemoryStore",
    "NotFoundError",
    "OSSError",
    "PostgresStore",
    "PreparedRequest",
    "ProcessResult",
    "RequestTimeTooSkewedError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "SQLiteStore",
    "ServerError",
    "SignatureDoesNotMatchError",
    "StaticCredentialsProvider",
    "StoreError",
    "SubmitError",
    "SyncTransport",
    "TLSError",
    "TaskMayExistError",
    "ThrottlingError",
    "Ticket",
    "TransportError",
    "Unreadable",
    "WireRequest",
]
