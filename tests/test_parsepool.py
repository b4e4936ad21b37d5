"""Parsing in worker processes: results, the deadline, the memory limit, and a refresh."""

from __future__ import annotations

import asyncio
import pickle
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.loopback import LoopbackServer
from wirereader.formats import parse
from wirereader.model import FormatError
from wirereader.service import parsepool
from wirereader.service.parsepool import ParsePool, PreparedFeed, prepare_feed

URL = "https://wire.example/feed.xml"
GOOD = (FIXTURES / "feeds" / "media_rss.xml").read_bytes()


def pathological() -> bytes:
    """50,000 attributes on one element, and not well-formed: feedparser takes ~40 s."""
    attrs = " ".join(f'a{i}="v"' for i in range(50_000))
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>x</title><foo {attrs}>y</foo></item><item><title>z"
    ).encode()


def allocate(data: bytes, url: str, content_type: str | None, last: str | None) -> PreparedFeed:
    """A worker function that allocates far past the limit, as a runaway parser would."""
    hoard = [bytearray(64 << 20) for _ in range(64)]  # 4 GiB
    return PreparedFeed(format=str(len(hoard)))


def test_results_pickle() -> None:
    result = parse(GOOD, url=URL)
    assert pickle.loads(pickle.dumps(result)) == result


def test_a_feed_parses_in_a_worker_and_inline() -> None:
    async def main() -> tuple[PreparedFeed, PreparedFeed, dict[str, int]]:
        async with ParsePool(inline_below=0) as pool:
            in_worker = await pool.parse(GOOD, URL, "application/rss+xml")
        async with ParsePool() as pool:
            inline = await pool.parse(GOOD, URL, "application/rss+xml")
            assert pool.stats["inline"] == 1
            broken = GOOD[:-40]  # feedparser's recovery: never in this process
            recovered = await pool.parse(broken, URL, None)
            assert "recovered from malformed XML" in recovered.warnings
            return in_worker, inline, pool.stats

    in_worker, inline, stats = asyncio.run(main())
    assert in_worker == inline == prepare_feed(parse(GOOD, url=URL))
    assert in_worker.rows and in_worker.rows[0].text.startswith("{")
    assert stats["worker"] == 1


def test_errors_cross_as_format_errors() -> None:
    async def main() -> None:
        async with ParsePool(inline_below=0) as pool:
            with pytest.raises(FormatError, match="not a feed"):
                await pool.parse(b"<html><body>hi</body></html>", URL, "text/html")
            with pytest.raises(FormatError, match="entity declarations"):
                bomb = b'<!DOCTYPE rss [<!ENTITY a "b">]><rss version="2.0"><channel/></rss>'
                await pool.parse(bomb, URL, None)

    asyncio.run(main())


def test_a_pathological_feed_hits_the_deadline_and_the_pool_carries_on() -> None:
    async def main() -> ParsePool:
        async with ParsePool(workers=1, deadline=1.0) as pool:
            started = time.monotonic()
            with pytest.raises(FormatError, match=r"parsing took longer than 1 s — skipped"):
                await pool.parse(pathological(), URL, None)
            assert time.monotonic() - started < 10
            result = await pool.parse(GOOD[:-40], URL, None)  # a new worker, same slot
            assert result.rows
            return pool

    pool = asyncio.run(main())
    assert pool.stats["timeouts"] == 1 and pool.stats["replaced"] == 1


def test_memory_limit() -> None:
    async def main() -> None:
        async with ParsePool(workers=1, memory_limit=512 << 20, function=allocate) as pool:
            with pytest.raises(FormatError, match="feed too large to parse"):
                await pool.parse(GOOD, URL, None)
            with pytest.raises(FormatError, match="feed too large to parse"):
                await pool.parse(GOOD, URL, None)  # and again: the worker survived or was replaced

    asyncio.run(main())


def test_refresh_with_one_pathological_feed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wirereader.service import Reader

    monkeypatch.setattr(parsepool, "DEADLINE", 1.0)
    good = GOOD.replace(b"/news/", b"http://127.0.0.1/news/")
    with LoopbackServer() as server, Reader(tmp_path / "c.db", tmp_path / "c.toml") as reader:
        server.route("/a", body=good)
        server.route("/b", body=good.replace(b"urn:wire", b"urn:other"))
        server.route("/bad", body=pathological())
        reader.add([server.url("/a"), server.url("/bad"), server.url("/b")])
        started = time.monotonic()
        summary = reader.refresh_sync()
        assert time.monotonic() - started < 15
        assert summary.failed == 1
        errors = dict(summary.failures)
        assert "parsing took longer than 1 s" in errors[server.url("/bad")]
        by_url = {s.url: s for s in reader.sources()}
        assert by_url[server.url("/a")].cached == 3
        assert by_url[server.url("/b")].cached == 3
        assert "parsing took longer" in (by_url[server.url("/bad")].last_error or "")


# What the reader's process looks like to multiprocessing: Textual replaces sys.stderr
# with a print capture whose fileno() is -1. A fresh interpreter, so that no fork server
# or resource tracker started by an earlier test hides the failure.
UNDER_TEXTUAL = """
import asyncio, sys
from pathlib import Path

class Capture:  # textual.app._PrintCapture answers fileno() with -1
    def write(self, text): return len(text)
    def flush(self): pass
    def fileno(self): return -1

sys.stderr = Capture()
from wirereader.service.parsepool import ParsePool

async def main():
    async with ParsePool(workers=1, inline_below=0) as pool:
        feed = await pool.parse(Path(sys.argv[1]).read_bytes(), "https://wire.example/f", None)
    print(len(feed.rows), "rows", file=sys.__stdout__)

if __name__ == "__main__":  # the fork server imports this module again
    try:
        asyncio.run(main())
    except BaseException:
        import traceback

        traceback.print_exc(file=sys.__stderr__)
        raise SystemExit(1)
"""


def test_workers_start_when_stderr_is_textuals_capture(tmp_path: Path) -> None:
    """In the reader every feed of 64 KiB or more failed with "bad value(s) in
    fds_to_keep": multiprocessing spawns its resource tracker keeping sys.stderr's fd."""
    import subprocess
    import sys

    script = tmp_path / "under_textual.py"
    script.write_text(UNDER_TEXTUAL)
    feed = tmp_path / "feed.xml"
    feed.write_bytes(GOOD)
    done = subprocess.run(
        [sys.executable, str(script), str(feed)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == f"{len(parse(GOOD, url=URL).dispatches)} rows"
