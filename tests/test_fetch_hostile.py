"""wirereader.fetch against shared/hostile/hostile_server.py (EXPECTATIONS.md section B).

Each endpoint must end within its deadline with a specific, clean error (G1, G3, G6).
The server runs as a subprocess on 127.0.0.1 with a free port, and stops itself after
two minutes even if this module never gets to shut it down.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.conftest import shared_path
from tests.hostile_helpers import hostile_server
from wirereader.fetch import Fetcher, FetchLimits, FetchRequest, FetchResult

BOUNDED = FetchLimits(max_bytes=2 * 1024 * 1024, total_timeout=2.0, read_timeout=1.0)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    script = shared_path("hostile", "hostile_server.py")
    with hostile_server(script, tmp_path_factory.mktemp("hostile"), max_seconds=120) as url:
        yield url


# (path, expected error (regex, full match), wall-clock bound in seconds)
FAULTS: list[tuple[str, str, float]] = [
    ("/slowloris?bps=1", r"timed out after 2 s", 4),
    ("/slow-headers", r"timed out after 2 s", 4),
    ("/stall", r"timed out: no data for 1 s", 3),
    ("/stall-mid-body", r"timed out: no data for 1 s", 3),
    ("/bomb/gzip?gb=1", r"response larger than 2 MiB after decompression — skipped", 3),
    ("/bomb/deflate?gb=1", r"response larger than 2 MiB after decompression — skipped", 3),
    ("/bomb/gzip-html?gb=1", r"response larger than 2 MiB after decompression — skipped", 3),
    ("/bomb/gzip-gzip?gb=1", r"unsupported content encoding: gzip, gzip", 3),
    ("/bomb/bad-gzip", r"invalid compressed response", 2),
    ("/endless-chunked", r"response larger than 2 MiB — skipped", 3),
    ("/endless-close-delimited", r"response larger than 2 MiB — skipped", 3),
    ("/big/200mb", r"response larger than 2 MiB — skipped", 2),
    ("/redirect-loop", r"too many redirects", 2),
    ("/redirect-self", r"too many redirects", 2),
    ("/redirect-scheme/file", r"redirect to unsupported URL", 2),
    ("/redirect-scheme/javascript", r"redirect to unsupported URL", 2),
    ("/redirect-scheme/data", r"redirect to unsupported URL", 2),
    ("/redirect-scheme/empty", r"redirect to unsupported URL", 2),
    ("/redirect-scheme/escape", r"redirect to unsupported URL", 2),
    ("/reset-mid-body", r"connection reset|connection closed before .*", 2),
    ("/close-mid-body", r"connection closed before the whole response arrived", 2),
    ("/content-length-conflict", r"protocol error: .+", 2),
    ("/chunked-garbage", r"protocol error: .+", 2),
    ("/huge-header", r"response headers too large", 2),
    ("/bad-status-line", r"protocol error: .+", 2),
    ("/not-http", r"server closed the connection without a response", 2),
    ("/status/404", r"HTTP 404 Not Found", 2),
    ("/status/401", r"HTTP 401 Unauthorized", 2),
    ("/status/999", r"HTTP 999.*", 2),
]


@pytest.mark.parametrize(("path", "pattern", "bound"), FAULTS, ids=[f[0] for f in FAULTS])
async def test_fault_ends_in_time_with_specific_error(
    hostile: str, path: str, pattern: str, bound: float
) -> None:
    started = time.monotonic()
    async with Fetcher(BOUNDED, trust_env=False) as fetcher:
        result = await fetcher.fetch(hostile + path)
    assert time.monotonic() - started < bound
    assert result.body is None and not result.ok
    assert result.error is not None and re.fullmatch(pattern, result.error), result.error
    assert result.error.isprintable()


@pytest.mark.parametrize(
    ("ra", "expected"),
    [("120", 120.0), ("0", 0.0), ("-1", None), ("soon", None), ("99999999999", 99999999999.0)],
)
async def test_429_retry_after(hostile: str, ra: str, expected: float | None) -> None:
    async with Fetcher(BOUNDED, trust_env=False) as fetcher:
        result = await fetcher.fetch(f"{hostile}/429?ra={ra}")
    assert result.status == 429 and result.error == "HTTP 429 Too Many Requests"
    assert result.retry_after == expected


async def test_429_retry_after_http_date(hostile: str) -> None:
    async with Fetcher(BOUNDED, trust_env=False) as fetcher:
        result = await fetcher.fetch(f"{hostile}/429?ra=" + quote("Wed, 21 Oct 2099 07:28:00 GMT"))
    assert result.retry_after is not None and result.retry_after > 60 * 60 * 24 * 365 * 70


async def test_redirects_and_validators(hostile: str) -> None:
    async with Fetcher(BOUNDED, trust_env=False) as fetcher:
        moved = await fetcher.fetch(hostile + "/moved-permanently")
        found = await fetcher.fetch(hostile + "/found-302")
        nested = await fetcher.fetch(hostile + "/redirect-then-relative")
        validators = await fetcher.fetch(hostile + "/hostile-validators")
        good = await fetcher.fetch(hostile + "/feed/good")
    assert moved.ok and moved.permanent_redirect == hostile + "/feed/other"
    assert found.ok and found.permanent_redirect is None
    assert found.final_url == hostile + "/feed/other"
    assert nested.final_url == hostile + "/nested/dir/feed.xml"
    assert validators.ok and validators.etag is None and validators.last_modified is None
    assert validators.content_type is None
    assert good.ok and good.etag == '"good-v1"'
    assert good.last_modified == "Mon, 06 Jan 2025 10:00:00 GMT"


async def test_faults_do_not_disturb_each_other(hostile: str) -> None:
    paths = ["/feed/good", "/slowloris", "/bomb/gzip-gzip", "/reset-mid-body", "/feed/other"]
    async with Fetcher(BOUNDED, trust_env=False) as fetcher:
        got: dict[str, FetchResult] = {
            r.url: r async for r in fetcher.fetch_all([FetchRequest(hostile + p) for p in paths])
        }
    assert got[hostile + "/feed/good"].ok and got[hostile + "/feed/other"].ok
    assert all(not got[hostile + p].ok for p in paths[1:4])
