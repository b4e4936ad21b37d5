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
import time
import zlib
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from wirereader import __version__
from wirereader.config import DEFAULT_CONCURRENCY, DEFAULT_PER_HOST, DEFAULT_TIMEOUT
from wirereader.fetch._addresses import (
    AddressRule,
    connecting_under,
    vet_addresses,
    vetting_transport,
)
from wirereader.fetch._inflate import Inflater, content_coding
from wirereader.fetch._messages import Failure, MiB, describe, http_error, seconds_text, size_text
from wirereader.sanitize import clean_message, safe_url

USER_AGENT = f"wirereader/{__version__} (terminal wire reader)"
DEFAULT_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
#: Validators longer than this, or with anything but printable ASCII, are dropped.
MAX_VALIDATOR = 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_AE = "gzip, deflate"


@dataclass(frozen=True)
class FetchLimits:
    """The bounds of every fetch. A refresh takes its timeout, concurrency and per-host
    limit from the config (`service.refresh.fetch_limits`); the defaults are the config's."""

    max_bytes: int = 32 * MiB
    total_timeout: float = DEFAULT_TIMEOUT
    connect_timeout: float = 10.0
    read_timeout: float = 15.0
    max_redirects: int = 5
    concurrency: int = DEFAULT_CONCURRENCY
    per_host: int = DEFAULT_PER_HOST


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
    #: No server answered at all (name not found, no connection, nothing before the
    #: deadline): when every feed fails this way, the network is what is missing.
    unreachable: bool = False

    @property
    def ok(self) -> bool:
        return self.body is not None and self.error is None


class _Progress:
    """What one exchange has learned so far, so a failure can still report it."""

    def __init__(self, url: str) -> None:
        self.final = url
        self.status: int | None = None
        self.start = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.start


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
        pool = httpx.Limits(
            max_connections=lim.concurrency, max_keepalive_connections=lim.concurrency
        )
        self._client = httpx.AsyncClient(
            transport=self._transport or vetting_transport(pool, self._trust_env),
            trust_env=self._trust_env,
            follow_redirects=False,
            limits=pool,
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
        allow_address: AddressRule | None = None,
    ) -> FetchResult:
        """GET one URL within every limit; problems come back as ``error``, never raised.

        ``allow`` is asked about every redirect target before it is requested: a page or
        picture a feed points at must not bounce the reader onto a private address (G5).
        ``allow_address`` is asked, before every hop, about each address the host's name
        resolves to (see `_addresses`), so a name cannot lead there either.
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
            return await self._exchange(url, clean, headers, cap, allow, allow_address)

    async def _exchange(
        self,
        asked: str,
        url: str,
        headers: dict[str, str],
        cap: int,
        allow: Callable[[str], bool] | None = None,
        allow_address: AddressRule | None = None,
    ) -> FetchResult:
        lim = self.limits
        progress = _Progress(url)
        deadline = asyncio.timeout(lim.total_timeout)
        unreachable = False
        try:
            async with deadline:
                return await self._follow(asked, headers, cap, progress, allow, allow_address)
        except Failure as f:
            error = f.message
        except TimeoutError:
            expired = deadline.expired()
            error = f"timed out after {seconds_text(lim.total_timeout)}" if expired else "timed out"
            unreachable = progress.status is None
        except Exception as exc:  # the per-request boundary: nothing escapes (G1)
            error = describe(exc, lim)
            unreachable = progress.status is None
        return FetchResult(
            asked,
            progress.final,
            progress.status,
            error=clean_message(error),
            elapsed=progress.elapsed(),
            unreachable=unreachable,
        )

    async def _follow(
        self,
        asked: str,
        headers: dict[str, str],
        cap: int,
        progress: _Progress,
        allow: Callable[[str], bool] | None,
        allow_address: AddressRule | None = None,
    ) -> FetchResult:
        assert self._client is not None
        permanent = True
        hops = 0
        while True:
            if allow_address is not None:
                await vet_addresses(progress.final, allow_address)
            request = self._client.build_request("GET", progress.final, headers=headers)
            try:
                with connecting_under(progress.final, allow_address):
                    response = await self._client.send(request, stream=True)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                # httpx builds the next request even with follow_redirects=False, so a
                # javascript:/data: or ESC-laden Location fails inside send().
                raise Failure("redirect to unsupported URL") from exc
            except httpx.RemoteProtocolError as exc:
                if "location header" in str(exc).lower():
                    raise Failure("redirect to unsupported URL") from exc
                raise
            try:
                status = progress.status = response.status_code
                location = response.headers.get("Location")
                if status in _REDIRECTS and location is not None:
                    hops += 1
                    if hops > self.limits.max_redirects:
                        raise Failure("too many redirects")
                    location = location.strip()
                    target = safe_url(urljoin(progress.final, location)) if location else None
                    if target is None:
                        raise Failure("redirect to unsupported URL")
                    if allow is not None and not allow(target):
                        raise Failure("redirect to a private address refused")
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
            error = clean_message(http_error(status, response.reason_phrase))
            return replace(result, error=error, retry_after=retry, elapsed=progress.elapsed())
        body = await self._read_body(response, cap)
        return replace(result, body=body, elapsed=progress.elapsed())

    async def _read_body(self, response: httpx.Response, cap: int) -> bytes:
        coding = content_coding(response.headers.get("Content-Encoding"))
        inflater = None if coding == "identity" else Inflater(coding, cap)
        declared = response.headers.get("Content-Length", "").strip()
        too_large = Failure(f"response larger than {size_text(cap)} — skipped")
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
                    raise Failure("invalid compressed response") from exc
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
