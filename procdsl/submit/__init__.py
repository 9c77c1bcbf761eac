"""Send procdsl process strings to OSS over httpx: ``Client`` (blocking) and ``AsyncClient`` (asyncio).

>>> from procdsl.submit import Client, Credentials            # doctest: +SKIP
>>> with Client("cn-hangzhou", Credentials.from_env()) as c:  # doctest: +SKIP
...     task = c.submit("bucket", "in.docx", Doc.convert(to="pdf").save_as("out.pdf"))

Installed with the ``submit`` extra (``httpx``); the core never imports this package.
Requests are signed with Signature V4; presigned URLs can also use V1.
"""

from __future__ import annotations

from ._bulk import BulkResult, JournalError, Unreadable
from ._client import DEFAULT_TIMEOUT, AsyncClient, Client
from ._credentials import Credentials
from ._endpoints import AddressStyle, Endpoint, EndpointKind
from ._errors import (
    AccessDeniedError,
    BadRequestError,
    CredentialsError,
    NotFoundError,
    OSSError,
    RequestTimeTooSkewedError,
    ServerError,
    SignatureDoesNotMatchError,
    SubmitError,
    TaskMayExistError,
    ThrottlingError,
    TransportError,
)
from ._requests import AsyncTask, PreparedRequest, ProcessResult, WireRequest
from ._retry import RetryPolicy
from ._stores import Entry, JobStore, JournalStore, MemoryStore, PostgresStore, SQLiteStore, StoreError, Ticket

__all__ = [
    "DEFAULT_TIMEOUT",
    "AccessDeniedError",
    "AddressStyle",
    "AsyncClient",
    "AsyncTask",
    "BadRequestError",
    "BulkResult",
    "Client",
    "Credentials",
    "CredentialsError",
    "Endpoint",
    "EndpointKind",
    "Entry",
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
    "RetryPolicy",
    "SQLiteStore",
    "ServerError",
    "SignatureDoesNotMatchError",
    "StoreError",
    "SubmitError",
    "TaskMayExistError",
    "ThrottlingError",
    "Ticket",
    "TransportError",
    "Unreadable",
    "WireRequest",
]
