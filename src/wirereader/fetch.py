"""The one module that talks HTTP, so every fetch gets the same bounds (design.md section 3).

Why it exists: a feed server is untrusted. Each limit here answers a fault listed in
shared/hostile/EXPECTATIONS.md section B, and httpx alone does not cover them:

- httpx read timeouts are per read, so a 1 byte/s drip never trips them: one
  ``asyncio.timeout`` covers the whole exchange, redirects and body included (G3a).
- httpx's own decoders inflate a whole network chunk at once (64 KB of gzip bomb gives
  ~65 MB; ``Content-Encoding: gzip, gzip`` materializes the full inner layer). So the body is
  read with ``aiter_raw()`` and inflated here with ``max_length``, which caps **decoded**
  bytes while streaming (G3b); stacked or unknown codings are refused.
- Redirects are followed by hand, so only http(s) targets are reached and the caller learns
  whether every hop was permanent (to update a stored URL only after a good parse).
- Validators are replayed to the server, so only clean ones are handed back.

``Fetcher.fetch`` never raises for network or HTTP trouble: it returns a `FetchResult`
with a short, sanitized, user-facing ``error`` (G1, G6).
"""

from __future__ import annotations

import asyncio
import email.utils
import http
import ssl
import time
import zlib
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from wirereader import __version__
from wirereader.sanitize import clean_message, safe_url

USER_AGENT = f"wirereader/{__version__} (terminal wire reader)"
DEFAULT_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
MiB = 1024 * 1024
#: Validators longer than this, or with anything but printable ASCII, are dropped.
MAX_VALIDATOR = 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_AE = "gzip, deflate"
_STEP = 256 * 1024  # most decoded bytes produced per inflate call


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 32 * MiB
    total_timeout: float = 30.0
    connect_timeout: float = 10.0
    read_timeout: float = 15.0
    max_redirects: int = 5
    concurrency: int = 16
    per_host: int = 6


@dataclass(frozen=True)
class FetchRequest:
    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int | None = None
    body: bytes | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None
    elapsed: float = 0.0
    #: Set only when every hop was 301/308 and the final response was usable (200/304).
    permanent_redirect: str | None = None
    #: Seconds the server asked us to wait (429/503); unclamped, the scheduler clamps it.
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.body is not None and self.error is None


class _Failure(Exception):
    """A fetch that ended in a specific, user-facing error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Progress:
    """What one exchange has learned so far, so a failure can still report it."""

    def __init__(self, url: str) -> None:
        self.final = url
        self.status: int | None = None
        self.start = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.start


def _size(n: int) -> str:
    if n >= MiB and n % MiB == 0:
        return f"{n // MiB} MiB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"


def _seconds(t: float) -> str:
    return f"{t:g} s"


def _clean_header(value: str | None) -> str | None:
    """A header value safe to store and replay, or None."""
    ok = value and len(value) <= MAX_VALIDATOR and all(" " <= ch <= "~" for ch in value)
    return value if ok else None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None for garbage."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(int(value[:20]))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


class _Inflater:
    """Incremental gzip/deflate decoding that never produces more than the cap."""

    def __init__(self, coding: str, cap: int) -> None:
        self.coding = coding
        self.cap = cap
        self.total = 0
        self._d: zlib._Decompress | None = None

    def _new(self, first: bytes) -> zlib._Decompress:
        if self.coding == "gzip":
            return zlib.decompressobj(31)
        # deflate: zlib-wrapped as RFC 9110 says, or raw deflate as some servers send
        wrapped = len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] * 256 + first[1]) % 31 == 0
        return zlib.decompressobj(15 if wrapped else -15)

    def feed(self, data: bytes, out: list[bytes]) -> None:
        if self._d is None:
            self._d = self._new(data)
        while data or not self._d.eof:
            if self._d.eof:  # another gzip member follows; anything after deflate is ignored
                if self.coding != "gzip":
                    return
                self._d = self._new(data)
            limit = min(self.cap - self.total + 1, _STEP)
            chunk = self._d.decompress(data, limit)
            self.total += len(chunk)
            if self.total > self.cap:
                raise _Failure(
                    f"response larger than {_size(self.cap)} after decompression — skipped"
                )
            out.append(chunk)
            data = self._d.unconsumed_tail or self._d.unused_data
            if not data and len(chunk) < limit:
                return  # input used up and no output held back

    def finish(self) -> None:
        if self._d is not None and not self._d.eof:
            raise _Failure("invalid compressed response (truncated)")


def _coding(header: str | None) -> str:
    codings = [c.strip().lower() for c in (header or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return "identity"
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return "deflate" if codings[0] == "deflate" else "gzip"
    raise _Failure(f"unsupported content encoding: {', '.join(codings)}")


def _describe(exc: BaseException, limits: FetchLimits) -> str:
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
        return f"could not connect within {_seconds(limits.connect_timeout)}"
    if isinstance(exc, httpx.ReadTimeout):
        return f"timed out: no data for {_seconds(limits.read_timeout)}"
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


def _http_error(status: int, reason: str) -> str:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = reason
    return f"HTTP {status} {phrase}".rstrip()


#: Unread bodies up to this size are read to the end so the connection can be re-used,
#: for at most this long (a slow error page is not worth waiting for: it is closed).
_DRAIN = 64 * 1024
_DRAIN_SECONDS = 0.5


async def _release(response: httpx.Response) -> None:
    """Close a response, keeping its connection for the next request when that is cheap.

    A response closed before its end closes the connection too, so every 304 of a warm
    refresh (and every redirect or error page) cost a new TCP connection. Bodies that are
    empty by rule (204, 304) or declared small are read out first, inside the caller's
    deadline and for at most `_DRAIN_SECONDS`; anything else (chunked, large, already
    read, or slow) is simply closed.
    """
    try:
        if not response.is_stream_consumed:
            length = response.headers.get("Content-Length", "").strip()
            if response.status_code in (204, 304) or (length.isdigit() and int(length) <= _DRAIN):
                async with asyncio.timeout(_DRAIN_SECONDS):
                    async for _ in response.aiter_raw():
                        pass
    except (httpx.HTTPError, TimeoutError):
        pass  # a broken or slow connection is simply not re-used
    finally:
        await response.aclose()


class Fetcher:
    """Owns one shared httpx.AsyncClient; use as ``async with Fetcher() as f``."""

    def __init__(
        self,
        limits: FetchLimits = FetchLimits(),  # frozen, so one shared default is safe
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        trust_env: bool = True,
    ) -> None:
        self.limits = limits
        self._transport = transport
        self._trust_env = trust_env
        self._client: httpx.AsyncClient | None = None
        self._global = asyncio.Semaphore(limits.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        lim = self.limits
        self._client = httpx.AsyncClient(
            transport=self._transport,
            trust_env=self._trust_env,
            follow_redirects=False,
            limits=httpx.Limits(
                max_connections=lim.concurrency, max_keepalive_connections=lim.concurrency
            ),
            timeout=httpx.Timeout(
                connect=lim.connect_timeout,
                read=lim.read_timeout,
                write=lim.read_timeout,
                pool=lim.total_timeout,
            ),
            # Only what _Inflater decodes: no br/zstd even when their packages are installed.
            headers={"User-Agent": USER_AGENT, "Accept": DEFAULT_ACCEPT, "Accept-Encoding": _AE},
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _host_gate(self, url: str) -> asyncio.Semaphore:
        """The gate of the host first asked; a redirect elsewhere keeps using it."""
        parts = urlsplit(url)
        key = f"{parts.hostname}:{parts.port or ''}"
        gate = self._hosts.get(key)
        if gate is None:
            gate = self._hosts[key] = asyncio.Semaphore(self.limits.per_host)
        return gate

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        accept: str | None = None,
        allow: Callable[[str], bool] | None = None,
    ) -> FetchResult:
        """GET one URL within every limit; problems come back as ``error``, never raised.

        ``allow`` is asked about every redirect target before it is requested: a page or
        picture a feed points at must not bounce the reader onto a private address (G5).
        """
        clean = safe_url(url)
        if clean is None:
            return FetchResult(url, url, error="unsupported URL")
        if self._client is None:
            raise RuntimeError("Fetcher used outside 'async with'")
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        for name, value in (("If-None-Match", etag), ("If-Modified-Since", last_modified)):
            value = _clean_header(value)
            if value is not None:
                headers[name] = value
        cap = self.limits.max_bytes if max_bytes is None else max_bytes
        # Per-host first, so a request queued behind a busy host holds no global slot.
        async with self._host_gate(clean), self._global:
            return await self._exchange(url, clean, headers, cap, allow)

    async def _exchange(
        self,
        asked: str,
        url: str,
        headers: dict[str, str],
        cap: int,
        allow: Callable[[str], bool] | None = None,
    ) -> FetchResult:
        lim = self.limits
        progress = _Progress(url)
        deadline = asyncio.timeout(lim.total_timeout)
        try:
            async with deadline:
                return await self._follow(asked, headers, cap, progress, allow)
        except _Failure as f:
            error = f.message
        except TimeoutError:
            expired = deadline.expired()
            error = f"timed out after {_seconds(lim.total_timeout)}" if expired else "timed out"
        except Exception as exc:  # the per-request boundary: nothing escapes (G1)
            error = _describe(exc, lim)
        return FetchResult(
            asked,
            progress.final,
            progress.status,
            error=clean_message(error),
            elapsed=progress.elapsed(),
        )

    async def _follow(
        self,
        asked: str,
        headers: dict[str, str],
        cap: int,
        progress: _Progress,
        allow: Callable[[str], bool] | None,
    ) -> FetchResult:
        assert self._client is not None
        permanent = True
        hops = 0
        while True:
            request = self._client.build_request("GET", progress.final, headers=headers)
            try:
                response = await self._client.send(request, stream=True)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                # httpx builds the next request even with follow_redirects=False, so a
                # javascript:/data: or ESC-laden Location fails inside send().
                raise _Failure("redirect to unsupported URL") from exc
            except httpx.RemoteProtocolError as exc:
                if "location header" in str(exc).lower():
                    raise _Failure("redirect to unsupported URL") from exc
                raise
            try:
                status = progress.status = response.status_code
                location = response.headers.get("Location")
                if status in _REDIRECTS and location is not None:
                    hops += 1
                    if hops > self.limits.max_redirects:
                        raise _Failure("too many redirects")
                    location = location.strip()
                    target = safe_url(urljoin(progress.final, location)) if location else None
                    if target is None:
                        raise _Failure("redirect to unsupported URL")
                    if allow is not None and not allow(target):
                        raise _Failure("redirect to a private address refused")
                    permanent = permanent and status in _PERMANENT
                    progress.final = target
                    continue
                moved = hops > 0 and permanent and status in (200, 304)
                return await self._finish(asked, response, cap, progress, moved)
            finally:
                await _release(response)

    async def _finish(
        self, asked: str, response: httpx.Response, cap: int, progress: _Progress, moved: bool
    ) -> FetchResult:
        status = response.status_code
        head = response.headers
        result = FetchResult(
            asked,
            progress.final,
            status,
            content_type=_clean_header(head.get("Content-Type")),
            etag=_clean_header(head.get("ETag")),
            last_modified=_clean_header(head.get("Last-Modified")),
            permanent_redirect=progress.final if moved else None,
        )
        if status == 304:
            return replace(result, not_modified=True, elapsed=progress.elapsed())
        if not 200 <= status < 300:
            retry = parse_retry_after(head.get("Retry-After")) if status in (429, 503) else None
            error = clean_message(_http_error(status, response.reason_phrase))
            return replace(result, error=error, retry_after=retry, elapsed=progress.elapsed())
        body = await self._read_body(response, cap)
        return replace(result, body=body, elapsed=progress.elapsed())

    async def _read_body(self, response: httpx.Response, cap: int) -> bytes:
        coding = _coding(response.headers.get("Content-Encoding"))
        inflater = None if coding == "identity" else _Inflater(coding, cap)
        declared = response.headers.get("Content-Length", "").strip()
        too_large = _Failure(f"response larger than {_size(cap)} — skipped")
        if declared.isdigit() and int(declared) > cap:
            raise too_large
        out: list[bytes] = []
        wire = 0
        async for raw in response.aiter_raw():
            wire += len(raw)
            if wire > cap:  # compressed or not, the wire bytes are capped too
                raise too_large
            if inflater is None:
                out.append(raw)
            elif raw:
                try:
                    inflater.feed(raw, out)
                except zlib.error as exc:
                    raise _Failure("invalid compressed response") from exc
        if inflater is not None:
            inflater.finish()
        return b"".join(out)

    async def fetch_all(
        self, requests: Sequence[FetchRequest]
    ) -> AsyncGenerator[FetchResult, None]:
        """Fetch everything at once under the global and per-host gates, yielding as done.

        Closing the iterator (``contextlib.aclosing``, or garbage collection after a
        ``break``) cancels the fetches still running.
        """
        tasks = [
            asyncio.create_task(self.fetch(r.url, etag=r.etag, last_modified=r.last_modified))
            for r in requests
        ]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
