"""User-facing words for what went wrong in one exchange: short, specific, sanitized later.

Apart from `wirereader.fetch` so the fetch logic reads without fifty lines of exception
sorting in the middle; nothing here does I/O.
"""

from __future__ import annotations

import http
import ssl
import zlib
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from wirereader.fetch import FetchLimits

MiB = 1024 * 1024


class Failure(Exception):
    """A fetch that ended in a specific, user-facing error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def size_text(n: int) -> str:
    if n >= MiB and n % MiB == 0:
        return f"{n // MiB} MiB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"


def seconds_text(t: float) -> str:
    return f"{t:g} s"


def describe(exc: BaseException, limits: FetchLimits) -> str:
    """A short, specific message for an exception raised during one exchange."""
    causes: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(causes) < 8:
        causes.append(seen)
        seen = seen.__cause__ or seen.__context__
    for c in causes:
        if isinstance(c, ssl.SSLCertVerificationError):
            return f"TLS certificate rejected: {c.verify_message or c}"
        if isinstance(c, ssl.SSLError):
            return f"TLS error: {c.reason or c}"
        if isinstance(c, ConnectionRefusedError):
            return "connection refused"
        if isinstance(c, ConnectionResetError):
            return "connection reset"
    text = str(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return f"could not connect within {seconds_text(limits.connect_timeout)}"
    if isinstance(exc, httpx.ReadTimeout):
        return f"timed out: no data for {seconds_text(limits.read_timeout)}"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        low = text.lower()
        if "name or service" in low or "nodename" in low or "getaddrinfo" in low:
            return "host not found"
        return f"could not connect: {text or type(exc).__name__}"
    if isinstance(exc, httpx.RemoteProtocolError):
        low = text.lower()
        if "incomplete" in low or "peer closed" in low:
            return "connection closed before the whole response arrived"
        if "buffer" in low and "too long" in low:
            return "response headers too large"
        if "without sending a response" in low:
            return "server closed the connection without a response"
        return f"protocol error: {text}"
    if isinstance(exc, httpx.ReadError):
        return f"connection error while reading: {text or type(exc).__name__}"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "unsupported URL"
    if isinstance(exc, httpx.DecodingError | zlib.error):
        return "invalid compressed response"
    if isinstance(exc, httpx.HTTPError | OSError):
        return f"network error: {text or type(exc).__name__}"
    return f"unexpected error: {type(exc).__name__}: {text}"


def http_error(status: int, reason: str) -> str:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = reason
    return f"HTTP {status} {phrase}".rstrip()
