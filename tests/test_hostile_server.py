"""The service against shared/hostile/hostile_server.py: cache integrity and polite fetching.

test_fetch_hostile.py holds `Fetcher` itself to each fault. Here the same faults go
through `Reader` on real temporary files (config.toml + SQLite), as a refresh or a
followed link would meet them (EXPECTATIONS.md B, G1, G2, G6):

- a feed cached from ``/feed/good`` then meeting any fault keeps its five items
  unchanged, and its ``last_error`` says what went wrong in one short, clean line;
- ``/flapping`` and ``/feed-then-garbage`` never lose or duplicate an item;
- hostile validators are never stored (nor replayed);
- 429/503 Retry-After and repeated failures back off: the source is not polled again
  before its time (checked with the server's ``/__stats``), unless forced;
- 410 stops polling; 301/308 move the subscription (in the store and in config.toml)
  only once the new URL parsed, 302 never does;
- article-page faults end as a message from `Reader.follow`, never as an exception.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import shared_path
from tests.hostile_helpers import hostile_server
from tests.loopback import LoopbackServer
from wirereader import cli
from wirereader.model import Related, SourceInfo
from wirereader.service import Reader
from wirereader.service.backoff import MAX_BACKOFF, MIN_BACKOFF, backoff_delay

TIMEOUT = 3.0
GOOD_TITLES = [f"Good story {i}" for i in range(1, 6)]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    shared = shared_path("hostile", "hostile_server.py")
    # The server serves corpus files (articles, guid collisions, /static) from beside its
    # own script: run a copy next to a freshly generated corpus, never in the shared folder.
    here = tmp_path_factory.mktemp("hostile-server")
    script = here / "hostile_server.py"
    shutil.copyfile(shared, script)
    make = shared.parent / "make_hostile.py"
    subprocess.run(
        [sys.executable, str(make), "--out", str(here)],
        capture_output=True,
        check=True,
        timeout=120,
    )
    with hostile_server(script, here, max_seconds=300) as url:
        yield url


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        data: bytes = response.read()
        return data


def stats(hostile: str) -> dict[str, int]:
    raw = json.loads(_get(hostile + "/__stats"))
    return {path: int(entry["count"]) for path, entry in raw.items()}


def reset(hostile: str) -> None:
    _get(hostile + "/__reset")


def write_config(path: Path, urls: list[str], timeout: float = TIMEOUT) -> None:
    feeds = "".join(f'[[feeds]]\nurl = "{u}"\n' for u in urls)
    path.write_text(
        f"[settings]\ntimeout = {timeout}\nconcurrency = 64\nper_host = 16\n"
        f"refresh_on_start = false\n{feeds}"
    )


def make_reader(tmp: Path, urls: list[str]) -> Reader:
    write_config(tmp / "config.toml", urls)
    return Reader(tmp / "cache.db", tmp / "config.toml")


def source(reader: Reader, url: str) -> SourceInfo:
    found = reader.store.source_by_url(url)
    assert found is not None, url
    return found


def titles(reader: Reader, source_id: int) -> list[str]:
    return sorted(h.headline for h in reader.headlines(source_id, limit=1000))


def assert_clean_error(error: str | None) -> None:
    assert error is not None
    assert error.isprintable() and len(error) <= 300, repr(error)
    assert not re.search("[\x00-\x1f\x7f-\x9f]", error)


def sources_output(tmp: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    args = ["--db", str(tmp / "cache.db"), "--config", str(tmp / "config.toml"), "sources"]
    assert cli.main(args) == 0
    return capsys.readouterr().out


# -- G2: a cached feed meets every fault ------------------------------------------------

# fault path -> the error the source must show (full match); None: a good answer.
FAULTS: dict[str, str | None] = {
    "/status/500": r"HTTP 500 Internal Server Error",
    "/status/502": r"HTTP 502 Bad Gateway",
    "/status/503": r"HTTP 503 Service Unavailable; next try in 2 min",
    "/status/404": r"HTTP 404 Not Found",
    "/status/401": r"HTTP 401 Unauthorized",
    "/status/403": r"HTTP 403 Forbidden",
    "/status/410": r"HTTP 410 Gone: the feed was removed by its server; no longer polled",
    "/status/204": r"empty response",
    "/status/999": r"HTTP 999.*",
    "/429?ra=3600": r"HTTP 429 Too Many Requests; next try in 1 h",
    "/retry-after-storm": r"HTTP 503 Service Unavailable; next try in 1 min",
    "/304-first": None,
    "/200-empty": r"empty response",
    "/feed/zero-items": r".+|",  # no items is not an error, but deletes nothing either
    "/content-length-long": r".+|",
    "/wrong-content-type": None,
    "/hostile-validators": None,
    "/html-autodiscovery": r"not a feed: an HTML page",
    "/slowloris?bps=1": r"timed out after 3 s",
    "/slow-headers": r"timed out after 3 s",
    "/stall": r"timed out after 3 s",
    "/stall-mid-body": r"timed out after 3 s",
    "/reset-mid-body": r"connection reset|connection closed before the whole response arrived",
    "/close-mid-body": r"connection closed before the whole response arrived",
    "/content-length-conflict": r"protocol error: .+",
    "/chunked-garbage": r"protocol error: .+",
    "/huge-header": r"response headers too large",
    "/many-headers": r"response headers too large|protocol error: .+|timed out.*",
    "/bad-status-line": r"protocol error: .+",
    "/not-http": r"server closed the connection without a response",
    "/endless-chunked": r"response larger than 32 MiB — skipped|timed out after 3 s",
    "/endless-close-delimited": r"response larger than 32 MiB — skipped|timed out after 3 s",
    "/big/200mb": r"response larger than 32 MiB — skipped",
    "/big/million-items": r"response larger than 32 MiB — skipped|timed out after 3 s",
    "/bomb/gzip?gb=1": r"response larger than 32 MiB after decompression — skipped|timed out.*",
    "/bomb/deflate?gb=1": r"response larger than 32 MiB after decompression — skipped|timed out.*",
    "/bomb/gzip-gzip?gb=1": r"unsupported content encoding: gzip, gzip",
    "/bomb/bad-gzip": r"invalid compressed response",
    "/redirect-loop": r"too many redirects",
    "/redirect-self": r"too many redirects",
    "/redirect-scheme/file": r"redirect to unsupported URL",
    "/redirect-scheme/javascript": r"redirect to unsupported URL",
    "/redirect-scheme/data": r"redirect to unsupported URL",
    "/redirect-scheme/escape": r"redirect to unsupported URL",
    "/redirect-scheme/empty": r"redirect to unsupported URL",
}


@dataclass
class FaultRun:
    reader: Reader
    server: LoopbackServer
    paths: dict[str, str]  # fault -> loopback path subscribed to
    hostile: str


@pytest.fixture(scope="module")
def fault_run(hostile: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultRun]:
    """Cache /feed/good under one source per fault, then point every source at its fault.

    Each source is a path on a LoopbackServer: first it serves the good feed, then it
    answers 302 to the fault (a temporary redirect, so the subscription stays put). All
    faults run in one refresh, concurrently, as they would in real life.
    """
    tmp = tmp_path_factory.mktemp("faults")
    good = _get(hostile + "/feed/good")
    with LoopbackServer() as server:
        paths = {fault: f"/src/{i}" for i, fault in enumerate(FAULTS)}
        for path in paths.values():
            server.route(path, body=good)
        reader = make_reader(tmp, [server.url(p) for p in paths.values()])
        first = reader.refresh_sync()
        assert first.failed == 0 and first.new == 5 * len(FAULTS)
        reset(hostile)
        for fault, path in paths.items():
            server.redirect(path, hostile + fault, status=302)
        started = time.monotonic()
        reader.refresh_sync()
        assert time.monotonic() - started < TIMEOUT + 20
        try:
            yield FaultRun(reader, server, paths, hostile)
        finally:
            reader.close()


@pytest.mark.parametrize("fault", list(FAULTS))
def test_cached_items_survive_fault(fault_run: FaultRun, fault: str) -> None:
    reader = fault_run.reader
    info = source(reader, fault_run.server.url(fault_run.paths[fault]))
    assert info.cached == 5, "a failure never deletes cached items"
    assert titles(reader, info.id) == GOOD_TITLES, "nor changes them"
    pattern = FAULTS[fault]
    if pattern is None:
        assert info.last_error is None
        return
    if info.last_error is None:
        assert re.fullmatch(pattern, ""), f"{fault}: no error recorded"
        return
    assert_clean_error(info.last_error)
    assert re.fullmatch(pattern, info.last_error), info.last_error


def test_faults_fetched_nothing_else(fault_run: FaultRun) -> None:
    """No fault made the reader fetch a probe (autodiscovery, images, DTDs)."""
    assert json.loads(_get(fault_run.hostile + "/__probes")) in ([], {}, {"probes": []})


def test_hostile_validators_are_not_stored(fault_run: FaultRun) -> None:
    reader = fault_run.reader
    info = source(reader, fault_run.server.url(fault_run.paths["/hostile-validators"]))
    assert reader.store.validators(info.id) == (None, None)
    good = source(reader, fault_run.server.url(fault_run.paths["/304-first"]))
    etag, _ = reader.store.validators(good.id)
    assert etag is None or etag.isprintable()


def test_feed_then_garbage_keeps_the_cache(hostile: str, tmp_path: Path) -> None:
    # The endpoint serves the good feed once per server life: only this test uses it.
    url = hostile + "/feed-then-garbage"
    with make_reader(tmp_path, [url]) as reader:
        assert reader.refresh_sync().new == 5
        for _ in range(2):
            summary = reader.refresh_sync()
            assert summary.failed == 1 and summary.skipped == 0
            info = source(reader, url)
            assert info.cached == 5 and titles(reader, info.id) == GOOD_TITLES
            assert_clean_error(info.last_error)
            assert re.fullmatch(r"not a feed.*|could not parse.*", info.last_error or "")


def test_flapping_feed(hostile: str, tmp_path: Path) -> None:
    """good → 500 → empty → truncated → good+1 → garbage → zero items: 6 items, no dupes."""
    reset(hostile)
    url = hostile + "/flapping"
    errors: list[str | None] = []
    with make_reader(tmp_path, [url]) as reader:
        for _ in range(7):
            summary = reader.refresh_sync()
            assert summary.skipped == 0, "one failure in a row does not back off"
            errors.append(source(reader, url).last_error)
        info = source(reader, url)
        cached = titles(reader, info.id)
        assert set(cached) == {f"Good story {i}" for i in range(1, 7)}
        assert errors[0] is None and errors[4] is None
        for step in (1, 2, 5):
            assert_clean_error(errors[step])
        assert errors[1] == "HTTP 500 Internal Server Error"
        assert errors[2] == "empty response"
    assert stats(hostile)["/flapping"] == 7
    # The truncated step cuts item 3 before its <guid>: it must not be cached again
    # under a made-up id.
    assert len(cached) == 6


def test_changing_guids_stay_bounded(hostile: str, tmp_path: Path) -> None:
    """50 brand-new guids at every fetch: retention keeps the newest of the source."""
    url = hostile + "/changing-guids"
    config = tmp_path / "config.toml"
    write_config(config, [url])
    config.write_text(
        config.read_text().replace("[settings]\n", "[settings]\nkeep_per_source = 100\n")
    )
    with Reader(tmp_path / "cache.db", config) as reader:
        pruned = []
        for _ in range(4):
            summary = reader.refresh_sync()
            assert summary.new == 50
            pruned.append(summary.pruned)
            assert source(reader, url).cached <= 100
        assert pruned == [0, 0, 50, 50]
        assert "50 removed by retention" in summary.line()


def test_relative_links_resolve_against_the_final_url(hostile: str, tmp_path: Path) -> None:
    with make_reader(
        tmp_path, [hostile + "/feed/relative-links", hostile + "/redirect-then-relative"]
    ) as reader:
        reader.refresh_sync()
        urls = {
            s.dispatch.headline: s.dispatch.url
            for h in reader.headlines(limit=50)
            if (s := reader.get(h.id)) is not None
        }
    assert urls["nested rel"] == hostile + "/nested/dir/sibling.html"
    assert urls["rel2"] == hostile + "/article/deep"
    assert urls["rel5"] is None or urls["rel5"].startswith("http")
    assert all(u is None or u.startswith(("http://", "https://")) for u in urls.values())
    # Still a subscription to the URL the user gave (302 is temporary).
    assert reader.subscriptions()[1].url == hostile + "/redirect-then-relative"


# -- polite fetching ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ra", "low", "high"),
    [
        ("3600", 3600, 3600),
        ("0", MIN_BACKOFF, MIN_BACKOFF),
        ("-1", MIN_BACKOFF, MIN_BACKOFF * 1.1),
        ("soon", MIN_BACKOFF, MIN_BACKOFF * 1.1),
        ("99999999999", 24 * 3600, 24 * 3600),
        ("Wed, 21 Oct 2099 07:28:00 GMT", 24 * 3600, 24 * 3600),
    ],
)
def test_429_is_not_polled_before_its_time(
    hostile: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    ra: str,
    low: float,
    high: float,
) -> None:
    reset(hostile)
    url = f"{hostile}/429?ra={quote(ra)}"
    with make_reader(tmp_path, [url]) as reader:
        before = datetime.now(UTC)
        assert reader.refresh_sync().failed == 1
        info = source(reader, url)
        assert info.next_attempt is not None and not info.gone
        wait = (info.next_attempt - before).total_seconds()
        assert low - 5 <= wait <= high + 5, wait
        assert_clean_error(info.last_error)
        assert re.fullmatch(
            r"HTTP 429 Too Many Requests; next try in \d+(\.\d)? (min|h)", info.last_error or ""
        )
        again = reader.refresh_sync()
        assert (again.feeds, again.skipped) == (0, 1)
        assert stats(hostile)["/429"] == 1, "polled again before Retry-After"
        assert "backing off: next try after" in sources_output(tmp_path, capsys)
        forced = reader.refresh_sync(force=True)
        assert forced.feeds == 1 and stats(hostile)["/429"] == 2
        assert source(reader, url).cached == 0


def test_retry_after_storm_still_backs_off(hostile: str, tmp_path: Path) -> None:
    reset(hostile)
    url = hostile + "/retry-after-storm"
    with make_reader(tmp_path, [url]) as reader:
        for _ in range(4):
            reader.refresh_sync()
        assert stats(hostile)["/retry-after-storm"] == 1, "Retry-After: 0 is clamped to 60 s"
        info = source(reader, url)
        assert info.next_attempt is not None
        assert info.next_attempt - datetime.now(UTC) > timedelta(seconds=50)


def test_repeated_5xx_back_off_exponentially(hostile: str, tmp_path: Path) -> None:
    url = hostile + "/status/500"
    waits: list[float | None] = []
    with make_reader(tmp_path, [url]) as reader:
        for _ in range(5):
            before = datetime.now(UTC)
            reader.refresh_sync(force=True)
            nxt = source(reader, url).next_attempt
            waits.append(None if nxt is None else (nxt - before).total_seconds())
        assert waits[0] is None, "one failure costs nothing"
        for n, wait in enumerate(waits[1:]):
            assert wait is not None
            expected = MIN_BACKOFF * 2**n
            assert expected - 2 <= wait <= expected * 1.1 + 2, (n, wait)
        assert source(reader, url).error_count == 5
        assert reader.refresh_sync().skipped == 1


def test_backoff_is_capped() -> None:
    assert backoff_delay(500, None, 100, jitter=lambda: 1.0) == MAX_BACKOFF
    assert backoff_delay(503, 10**12, 0) == 24 * 3600
    assert backoff_delay(429, None, 0, jitter=lambda: 0.0) == MIN_BACKOFF
    assert backoff_delay(None, None, 9) is None  # network errors: no back-off
    assert backoff_delay(200, None, 9) is None


def test_410_stops_polling(
    hostile: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reset(hostile)
    url = hostile + "/status/410"
    with make_reader(tmp_path, [url]) as reader:
        reader.refresh_sync()
        info = source(reader, url)
        assert info.gone
        for _ in range(3):
            assert reader.refresh_sync().skipped == 1
        assert stats(hostile)["/status/410"] == 1
        out = sources_output(tmp_path, capsys)
        assert "gone: the server answered 410" in out and "HTTP 410 Gone" in out
        # Subscribing anew revives it.
        reader.remove(url)
        reader.add([url])
        assert not source(reader, url).gone
        assert reader.refresh_sync().feeds == 1


@pytest.mark.parametrize("path", ["/moved-permanently", "/moved-308"])
def test_permanent_redirect_moves_the_subscription(hostile: str, tmp_path: Path, path: str) -> None:
    reset(hostile)
    old, new = hostile + path, hostile + "/feed/other"
    with make_reader(tmp_path, [old]) as reader:
        first = reader.refresh_sync()
        assert first.moved == [(old, new)]
        info = source(reader, new)
        assert info.cached == 3 and reader.store.source_by_url(old) is None
        assert [f.url for f in reader.subscriptions()] == [new]
    # A new Reader reads config.toml again: the file itself was rewritten.
    with Reader(tmp_path / "cache.db", tmp_path / "config.toml") as again:
        assert [f.url for f in again.subscriptions()] == [new]
        again.refresh_sync()
        assert source(again, new).id == info.id and source(again, new).cached == 3
    counts = stats(hostile)
    assert counts[path] == 1 and counts["/feed/other"] == 2


def test_temporary_redirect_keeps_the_subscription(hostile: str, tmp_path: Path) -> None:
    url = hostile + "/found-302"
    with make_reader(tmp_path, [url]) as reader:
        summary = reader.refresh_sync()
        assert summary.moved == [] and summary.new == 3
        assert source(reader, url).cached == 3
        assert [f.url for f in reader.subscriptions()] == [url]


def test_permanent_redirect_waits_for_a_good_parse(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        server.redirect("/old", "/new", status=301)
        server.route("/new", body=b"\x00\xffgarbage", content_type="application/rss+xml")
        old, new = server.url("/old"), server.url("/new")
        with make_reader(tmp_path, [old]) as reader:
            assert reader.refresh_sync().failed == 1
            assert source(reader, old).last_error is not None
            assert [f.url for f in reader.subscriptions()] == [old]
            server.route(
                "/new",
                body=b'<rss version="2.0"><channel><title>T</title><item><title>Moved</title>'
                b"<guid>m1</guid></item></channel></rss>",
            )
            assert reader.refresh_sync().moved == [(old, new)]
            assert [f.url for f in reader.subscriptions()] == [new]
            assert source(reader, new).cached == 1


# -- article pages through Reader.follow --------------------------------------------------

# path -> (message pattern, or None when a dispatch must come back)
ARTICLES: dict[str, str | None] = {
    "/article/hostile": None,
    "/article/charset": None,
    # 6.2 MB: over the 5 MiB article cap, refused before any parsing.
    "/article/pathological": r"Not cached yet, and fetching it failed: response larger than 5 MiB — skipped",
    # 100k nested elements: libxml2 gives up on depth, the plain-text fallback reads it.
    "/article/deep": None,
    "/article/huge": r"Not cached yet, and fetching it failed: response larger than 5 MiB — skipped",
    "/article/slow": r"Not cached yet, and fetching it failed: timed out after 20 s",
    "/article/redirect-to-file": r"Not cached yet, and fetching it failed: redirect to unsupported URL",
    "/bomb/gzip-html?gb=1": r"Not cached yet, and fetching it failed: response larger than 5 MiB after decompression — skipped",
    "/status/500": r"Not cached yet, and fetching it failed: HTTP 500 Internal Server Error",
}


@pytest.mark.timeout(90)
async def test_article_faults_through_follow(hostile: str, tmp_path: Path) -> None:
    reset(hostile)
    with Reader(tmp_path / "cache.db", tmp_path / "config.toml") as reader:
        started = time.monotonic()
        results = await asyncio.gather(
            *(reader.follow(Related(headline=f"page {p}", url=hostile + p)) for p in ARTICLES)
        )
        assert time.monotonic() - started < 30, "each page is bounded by its 20 s deadline"
        for (path, pattern), result in zip(ARTICLES.items(), results, strict=True):
            if pattern is None:
                assert result.dispatch is not None, (path, result.message)
                d = result.dispatch.dispatch
                text = "\n".join([d.headline, d.body_text(), *(r.headline for r in d.related)])
                assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), path
                assert "<script" not in text and "document.cookie" not in text
                for link in [d.url, *(r.url for r in d.related), *(p.url for p in d.photos)]:
                    assert link is None or link.startswith(("http://", "https://")), link
                if path == "/article/deep":
                    assert "deep body" in text, "never a silently blank article"
            else:
                assert result.dispatch is None, path
                assert result.message.isprintable() and len(result.message) <= 400
                assert re.fullmatch(pattern, result.message), (path, result.message)
    assert json.loads(_get(hostile + "/__probes")) in ([], {}, {"probes": []})


# -- every endpoint is exercised somewhere --------------------------------------------------

ELSEWHERE = {
    # fetch-level only, in tests/test_fetch_hostile.py
    "/redirect-scheme/": "test_fetch_hostile + FAULTS above (file, javascript, data, escape, empty)",
    "/status/": "FAULTS above",
    "/feed/good": "fault_run (baseline)",
    "/feed/other": "test_permanent_redirect_moves_the_subscription",
    "/nested/dir/feed.xml": "test_relative_links_resolve_against_the_final_url",
    "/guid-collision/a": "test_hostile_corpus::test_feed_b_cannot_overwrite_feed_a (I02)",
    "/guid-collision/b": "test_hostile_corpus::test_feed_b_cannot_overwrite_feed_a (I03)",
    "/probe/": "test_faults_fetched_nothing_else, test_article_faults_through_follow",
    "/static/": "test_hostile_corpus (the same files, imported and refreshed)",
}


def test_every_endpoint_is_covered(hostile: str) -> None:
    index = json.loads(_get(hostile + "/__index"))
    covered = {f.split("?")[0] for f in FAULTS} | {a.split("?")[0] for a in ARTICLES}
    covered |= {
        "/feed-then-garbage",
        "/flapping",
        "/changing-guids",
        "/feed/relative-links",
        "/redirect-then-relative",
        "/moved-permanently",
        "/moved-308",
        "/found-302",
        "/429",
        "/bomb/gzip-html",
    }
    missing = []
    for row in index:
        path = row["path"]
        if path.startswith("/__") or path in ELSEWHERE:
            continue
        if path not in covered and not any(
            c.startswith(path) for c in covered if row.get("prefix")
        ):
            missing.append(path)
    assert missing == []


def _peak_rss_mb(args: list[str], env: dict[str, str], out: Path) -> tuple[float, float]:
    """Run a command as a child and wait for it with wait4: (its peak RSS in MB, seconds).

    Parse workers are processes of their own, held to 1 GiB of address space each by the
    pool (RLIMIT_AS); this measures the refreshing process itself.
    """
    import os

    started = time.monotonic()
    with out.open("wb") as sink:
        proc = subprocess.Popen(args, env=env, stdout=sink, stderr=subprocess.STDOUT)
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0  # reaped by wait4 above
    return usage.ru_maxrss / 1024, time.monotonic() - started


def test_one_refresh_over_every_fault_stays_bounded(hostile: str, tmp_path: Path) -> None:
    """The whole fault list in one real `wirereader refresh`: it ends, the good feed is
    stored, and the process (and its parse workers) stay well under 300 MB (G3)."""
    import os

    urls = [hostile + "/feed/good", *(hostile + fault for fault in FAULTS)]
    (tmp_path / "urls").write_text("\n".join(urls) + "\n")
    env = {
        **os.environ,
        "WIREREADER_DB": str(tmp_path / "c.db"),
        "WIREREADER_CONFIG": str(tmp_path / "c.toml"),
    }
    peak, took = _peak_rss_mb(
        [sys.executable, "-m", "wirereader", "--urls", str(tmp_path / "urls"), "refresh", "-q"],
        env,
        tmp_path / "out.txt",
    )
    out = (tmp_path / "out.txt").read_text()
    assert f"{len(urls)} feeds:" in out, out
    print(f"peak RSS {peak:.0f} MB in {took:.1f} s")
    assert peak < 300, f"peak RSS {peak:.0f} MB"
    assert took < 90
    listed = subprocess.run(
        [sys.executable, "-m", "wirereader", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert sum("Good story" in line for line in listed.splitlines()) >= 5
