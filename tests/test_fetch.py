"""wirereader.fetch against a real loopback server: every bound must hold on real sockets."""

from __future__ import annotations

import asyncio
import gzip
import time
import zlib
from contextlib import aclosing
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler

import pytest

from tests.loopback import LoopbackServer, RawHandler, loopback_fixture
from wirereader.fetch import (
    USER_AGENT,
    Fetcher,
    FetchLimits,
    FetchRequest,
    FetchResult,
    parse_retry_after,
)

loopback = loopback_fixture()

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
LM = "Mon, 06 Jan 2025 10:00:00 GMT"
QUICK = FetchLimits(total_timeout=5.0, connect_timeout=2.0, read_timeout=2.0)


async def get(url: str, limits: FetchLimits = QUICK, **kwargs: object) -> FetchResult:
    async with Fetcher(limits, trust_env=False) as fetcher:
        return await fetcher.fetch(url, **kwargs)  # type: ignore[arg-type]


def assert_clean(message: str | None) -> None:
    assert message
    assert all(ch.isprintable() for ch in message), repr(message)


async def test_200_with_body_and_headers(loopback: LoopbackServer) -> None:
    loopback.route("/feed", FEED, etag='"v1"', last_modified=LM)
    result = await get(loopback.url("/feed"))
    assert result.ok and result.status == 200 and result.body == FEED
    assert result.content_type == "application/rss+xml"
    assert (result.etag, result.last_modified) == ('"v1"', LM)
    assert result.final_url == result.url == loopback.url("/feed")
    assert result.permanent_redirect is None and not result.not_modified
    sent = loopback.requests_for("/feed")[0].headers
    assert sent["user-agent"] == USER_AGENT
    assert sent["accept"].startswith("application/rss+xml, application/atom+xml")
    assert "gzip" in sent["accept-encoding"]
    assert "if-none-match" not in sent and "if-modified-since" not in sent


async def test_conditional_get_304(loopback: LoopbackServer) -> None:
    loopback.route("/feed", FEED, etag='"v1"', last_modified=LM)
    result = await get(loopback.url("/feed"), etag='"v1"', last_modified=LM)
    sent = loopback.requests_for("/feed")[0].headers
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == LM
    assert result.not_modified and result.status == 304
    assert result.body is None and result.error is None and not result.ok
    # A changed ETag means a full response again.
    loopback.route("/feed", FEED, etag='"v2"')
    again = await get(loopback.url("/feed"), etag='"v1"')
    assert again.ok and again.etag == '"v2"' and not again.not_modified


async def test_not_modified_answers_keep_the_connection(loopback: LoopbackServer) -> None:
    # A warm refresh is all 304s: closing each unread response closed its connection, so
    # every feed paid a new TCP (and, for https, TLS) handshake.
    for i in range(5):
        loopback.route(f"/feed{i}", FEED, etag='"v1"')
    requests = [FetchRequest(loopback.url(f"/feed{i}"), etag='"v1"') for i in range(5)]
    async with Fetcher(FetchLimits(concurrency=1, per_host=1), trust_env=False) as fetcher:
        results = [r async for r in fetcher.fetch_all(requests)]
    assert all(r.not_modified for r in results)
    ports = {loopback.requests_for(f"/feed{i}")[0].client_port for i in range(5)}
    assert len(ports) == 1


async def test_last_modified_alone_gives_304(loopback: LoopbackServer) -> None:
    loopback.route("/feed", FEED, last_modified=LM)
    result = await get(loopback.url("/feed"), last_modified=LM)
    assert result.not_modified and result.error is None


@pytest.mark.parametrize(("status", "text"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500")])
async def test_http_errors(loopback: LoopbackServer, status: int, text: str) -> None:
    loopback.route("/x", b"nope", status=status)
    result = await get(loopback.url("/x"))
    assert result.status == status and result.body is None and not result.ok
    assert result.error is not None and result.error.startswith(text)


async def test_stall_hits_read_timeout(loopback: LoopbackServer) -> None:
    loopback.route("/stall", stall=True)
    limits = FetchLimits(total_timeout=5.0, read_timeout=0.5)
    started = time.monotonic()
    result = await get(loopback.url("/stall"), limits)
    assert time.monotonic() - started < 2.0
    assert result.error is not None and "timed out" in result.error and result.body is None


async def test_slow_drip_hits_total_deadline(loopback: LoopbackServer) -> None:
    # 1 byte every 0.2 s: each read is quick, so only the total deadline can stop it.
    loopback.route("/drip", FEED, drip_bps=5)
    limits = FetchLimits(total_timeout=1.0, read_timeout=0.5)
    started = time.monotonic()
    result = await get(loopback.url("/drip"), limits)
    assert time.monotonic() - started < 3.0
    assert result.error == "timed out after 1 s" and result.body is None


async def test_slow_headers_hit_total_deadline(loopback: LoopbackServer) -> None:
    loopback.route("/late", FEED, delay=10)
    limits = FetchLimits(total_timeout=0.8, read_timeout=5.0)
    result = await get(loopback.url("/late"), limits)
    assert result.error == "timed out after 0.8 s" and result.elapsed < 2.0


async def test_redirect_chain_followed(loopback: LoopbackServer) -> None:
    loopback.route("/final", FEED)
    loopback.redirect_chain(["/a", "/b", "/c"], "/final", status=[301, 302, 307])
    result = await get(loopback.url("/a"))
    assert result.ok and result.body == FEED
    assert result.url == loopback.url("/a") and result.final_url == loopback.url("/final")
    assert result.permanent_redirect is None  # one hop was temporary
    assert [r.path for r in loopback.requests] == ["/a", "/b", "/c", "/final"]


async def test_permanent_redirect_reported(loopback: LoopbackServer) -> None:
    loopback.route("/new", FEED)
    loopback.redirect_chain(["/old", "/older"], loopback.url("/new"), status=[301, 308])
    result = await get(loopback.url("/old"))
    assert result.ok and result.permanent_redirect == loopback.url("/new")


async def test_permanent_redirect_to_error_not_reported(loopback: LoopbackServer) -> None:
    loopback.redirect("/old", "/missing", status=301)
    result = await get(loopback.url("/old"))
    assert result.status == 404 and result.permanent_redirect is None


async def test_redirect_loop(loopback: LoopbackServer) -> None:
    loopback.redirect("/loop", "/loop", status=302)
    result = await get(loopback.url("/loop"), FetchLimits(max_redirects=5))
    assert result.error == "too many redirects" and result.body is None
    assert len(loopback.requests) == 6  # the first request and five redirects


@pytest.mark.parametrize(
    "target",
    ["file:///etc/passwd", "javascript:alert(1)", "data:x,y", "ftp://x/", "", "/p/\x1b]0;x\x07"],
)
async def test_redirect_to_other_scheme_refused(loopback: LoopbackServer, target: str) -> None:
    loopback.redirect("/r", target)
    result = await get(loopback.url("/r"))
    assert result.error == "redirect to unsupported URL" and result.body is None


async def test_body_over_max_bytes(loopback: LoopbackServer) -> None:
    loopback.route("/big", b"x" * 5000)
    result = await get(loopback.url("/big"), max_bytes=1000)
    assert result.body is None and result.error == "response larger than 1000 bytes — skipped"


async def test_body_over_cap_without_content_length(loopback: LoopbackServer) -> None:
    loopback.route("/big", b"x" * 300_000, raw=_close_delimited(b"x" * 300_000))
    result = await get(loopback.url("/big"), FetchLimits(max_bytes=100 * 1024))
    assert result.error == "response larger than 100 KiB — skipped"


def _close_delimited(body: bytes) -> RawHandler:
    def send(h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n")
        h.wfile.write(body)

    return send


async def test_gzip_decoded(loopback: LoopbackServer) -> None:
    loopback.route("/gz", FEED, gzip=True)
    result = await get(loopback.url("/gz"))
    assert result.ok and result.body == FEED


async def test_deflate_raw_and_wrapped(loopback: LoopbackServer) -> None:
    raw = zlib.compressobj(wbits=-15)
    loopback.route(
        "/raw", raw.compress(FEED) + raw.flush(), headers={"Content-Encoding": "deflate"}
    )
    loopback.route("/zlib", zlib.compress(FEED), headers={"Content-Encoding": "deflate"})
    for path in ("/raw", "/zlib"):
        result = await get(loopback.url(path))
        assert result.ok and result.body == FEED, path


async def test_gzip_bomb_stopped_by_decoded_cap(loopback: LoopbackServer) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    loopback.route("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    result = await get(loopback.url("/bomb"), FetchLimits(max_bytes=1024 * 1024))
    assert result.body is None
    assert result.error == "response larger than 1 MiB after decompression — skipped"


async def test_stacked_and_bad_encodings(loopback: LoopbackServer) -> None:
    twice = gzip.compress(gzip.compress(FEED))
    loopback.route("/gzgz", twice, headers={"Content-Encoding": "gzip, gzip"})
    loopback.route("/br", FEED, headers={"Content-Encoding": "br"})
    loopback.route("/bad", FEED, headers={"Content-Encoding": "gzip"})
    loopback.route("/cut", gzip.compress(FEED * 50)[:60], headers={"Content-Encoding": "gzip"})
    results = {p: await get(loopback.url(p)) for p in ("/gzgz", "/br", "/bad", "/cut")}
    assert results["/gzgz"].error == "unsupported content encoding: gzip, gzip"
    assert results["/br"].error == "unsupported content encoding: br"
    assert results["/bad"].error == "invalid compressed response"
    assert results["/cut"].error == "invalid compressed response (truncated)"


async def test_concurrency_bounded_on_the_server(loopback: LoopbackServer) -> None:
    loopback.route("/slow", FEED, delay=0.15)
    limits = FetchLimits(concurrency=4, per_host=10, total_timeout=10.0)
    requests = [FetchRequest(loopback.url(f"/slow?n={i}")) for i in range(20)]
    async with Fetcher(limits, trust_env=False) as fetcher:
        results = [r async for r in fetcher.fetch_all(requests)]
    assert len(results) == 20 and all(r.ok for r in results)
    assert loopback.max_in_flight == 4


async def test_per_host_limit(loopback: LoopbackServer) -> None:
    loopback.route("/slow", FEED, delay=0.15)
    limits = FetchLimits(concurrency=16, per_host=2)
    requests = [FetchRequest(loopback.url(f"/slow?n={i}")) for i in range(6)]
    async with Fetcher(limits, trust_env=False) as fetcher:
        results = [r async for r in fetcher.fetch_all(requests)]
    assert all(r.ok for r in results) and loopback.max_in_flight == 2


async def test_one_failure_does_not_affect_others(loopback: LoopbackServer) -> None:
    loopback.route("/good", FEED, etag='"g"')
    loopback.route("/bad", raw=lambda h: h.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n"))
    loopback.route("/stall", stall=True)
    with LoopbackServer() as closed:
        refused = closed.url("/gone")
    requests = [
        FetchRequest(loopback.url("/good?1")),
        FetchRequest(loopback.url("/bad")),
        FetchRequest(refused),
        FetchRequest("file:///etc/passwd"),
        FetchRequest(loopback.url("/stall")),
        FetchRequest(loopback.url("/good?2"), etag='"g"'),
    ]
    limits = FetchLimits(total_timeout=1.0, read_timeout=0.5)
    async with Fetcher(limits, trust_env=False) as fetcher:
        results = {r.url: r async for r in fetcher.fetch_all(requests)}
    assert results[loopback.url("/good?1")].body == FEED
    assert results[loopback.url("/good?2")].not_modified
    assert results[refused].error == "connection refused"
    assert results["file:///etc/passwd"].error == "unsupported URL"
    assert "timed out" in (results[loopback.url("/stall")].error or "")
    assert results[loopback.url("/bad")].error
    for result in results.values():
        assert_clean(result.error or "ok")


async def test_leaving_fetch_all_early_cancels_the_rest(loopback: LoopbackServer) -> None:
    loopback.route("/fast", FEED)
    loopback.route("/stall", stall=True)
    requests = [FetchRequest(loopback.url("/fast")), FetchRequest(loopback.url("/stall"))]
    started = time.monotonic()
    async with Fetcher(QUICK, trust_env=False) as fetcher:
        async with aclosing(fetcher.fetch_all(requests)) as results:
            async for result in results:
                assert result.ok
                break
        assert time.monotonic() - started < 1.0  # the stall (2 s read timeout) was cancelled
        assert (await fetcher.fetch(loopback.url("/fast"))).ok  # and the fetcher still works


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "-http://x", ""])
async def test_non_http_url_rejected_without_request(loopback: LoopbackServer, url: str) -> None:
    result = await get(url)
    assert result.error == "unsupported URL" and result.status is None
    assert loopback.requests == []


async def test_retry_after_seconds_and_date(loopback: LoopbackServer) -> None:
    when = datetime.now(UTC) + timedelta(hours=2)
    loopback.route("/s", status=429, headers={"Retry-After": "120"})
    loopback.route("/d", status=429, headers={"Retry-After": format_datetime(when, usegmt=True)})
    loopback.route("/bad", status=503, headers={"Retry-After": "soon"})
    seconds, date, bad = [await get(loopback.url(p)) for p in ("/s", "/d", "/bad")]
    assert seconds.error == "HTTP 429 Too Many Requests" and seconds.retry_after == 120
    assert date.retry_after is not None and 7100 < date.retry_after <= 7200
    assert bad.status == 503 and bad.retry_after is None


def test_parse_retry_after_forms() -> None:
    now = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
    assert parse_retry_after("0") == 0
    assert parse_retry_after("-1") is None and parse_retry_after("soon") is None
    assert parse_retry_after("Mon, 06 Jan 2025 10:01:00 GMT", now) == 60
    assert parse_retry_after("Mon, 06 Jan 2025 09:00:00 GMT", now) == 0  # in the past


async def test_unclean_validators_dropped(loopback: LoopbackServer) -> None:
    def hostile(h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(
            b'HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset="u\x1b]0;x\x07"\r\n'
            b'ETag: "\x1b]52;c;cm0gLXJmIH4=\x07"\r\nLast-Modified: ' + b"M" * 2000 + b"\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(FEED) + FEED
        )

    loopback.route("/v", raw=hostile)
    result = await get(loopback.url("/v"))
    assert result.ok and result.body == FEED
    assert result.etag is None and result.last_modified is None and result.content_type is None


async def test_unclean_validator_never_sent(loopback: LoopbackServer) -> None:
    loopback.route("/feed", FEED)
    await get(loopback.url("/feed"), etag='"\x1b]0;x\x07"', last_modified="x\r\nInjected: 1")
    sent = loopback.requests_for("/feed")[0].headers
    assert "if-none-match" not in sent and "if-modified-since" not in sent
    assert "injected" not in sent


async def test_error_messages_are_sanitized(loopback: LoopbackServer) -> None:
    loopback.route("/esc", raw=lambda h: h.wfile.write(b"HTTP/1.1 2OO \x1b[2J\r\n\r\n"))
    result = await get(loopback.url("/esc"))
    assert_clean(result.error)
    assert "\x1b" not in (result.error or "")


async def test_fetch_outside_context_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError):
        await Fetcher().fetch("http://127.0.0.1:9/")
    await asyncio.sleep(0)


async def test_allow_is_asked_before_each_redirect_is_followed(loopback: LoopbackServer) -> None:
    loopback.route("/blocked", body=b"secret")
    loopback.redirect("/hop", "/blocked", status=302)
    asked: list[str] = []

    def allow(url: str) -> bool:
        asked.append(url)
        return not url.endswith("/blocked")

    result = await get(loopback.url("/hop"), allow=allow)
    assert result.error == "redirect to a private address refused"
    assert asked == [loopback.url("/blocked")]
    assert loopback.requests_for("/blocked") == []  # never requested


async def test_a_slow_error_page_is_not_waited_for(loopback: LoopbackServer) -> None:
    # Small unread bodies are read out so the connection can be re-used, but only briefly:
    # a dripping error page must not turn "HTTP 500" into a timeout.
    loopback.route("/slow", b"x" * 2000, status=500, drip_bps=50)
    started = time.monotonic()
    result = await get(loopback.url("/slow"))
    assert result.status == 500 and result.error and "500" in result.error
    assert time.monotonic() - started < 3


async def test_unreachable_means_no_server_answered(
    loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the offline state is counted from: no answer at all, whatever the message."""
    refused = await get("http://127.0.0.1:9/feed.xml")  # the discard port
    assert refused.error == "connection refused" and refused.unreachable
    loopback.route("/stall", stall=True)  # connected, but not a byte back
    stalled = await get(loopback.url("/stall"), FetchLimits(total_timeout=5, read_timeout=0.3))
    assert stalled.unreachable
    loopback.route("/broken", b"", status=500)
    answered = await get(loopback.url("/broken"))
    assert answered.error and not answered.unreachable
    loopback.route("/drip", FEED, drip_bps=5)  # headers came, the body did not
    late = await get(loopback.url("/drip"), FetchLimits(total_timeout=0.6, read_timeout=0.5))
    assert late.error and not late.unreachable

    # Offline, a name does not resolve first. Looking one up here would ask a DNS server
    # (the tests talk to 127.0.0.1 only), so the resolver answers as glibc does offline.
    import socket

    real = socket.getaddrinfo

    asked: list[object] = []

    def offline(host: object, *args: object, **kwargs: object) -> object:
        if host in ("wire.invalid", b"wire.invalid"):  # anyio passes bytes
            asked.append(host)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    unresolved = await get("http://wire.invalid/feed.xml")
    assert unresolved.error == "host not found" and unresolved.unreachable
    assert asked  # answered here, not by a DNS server
