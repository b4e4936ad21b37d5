"""The cache survives ``kill -9`` mid-refresh, and concurrent processes (design.md section 8).

Real processes only: ``python -m wirereader`` against a LoopbackServer with many feeds
(some slow, so writes are spread over the run) and a real SQLite file.

1. A refresh is killed with SIGKILL at several seeded-random moments. After each kill the
   file passes ``PRAGMA integrity_check``, everything cached before is still there, and
   in the end a new refresh completes and caches everything.
2. Two processes on one cache at once (refresh + list loops, and two refreshes) never
   fail with "database is locked" and leave a consistent cache.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.loopback import LoopbackServer

FEEDS = 60
ITEMS = 50
SLOW_EVERY = 6  # every 6th feed answers after a delay, so batches land over time


def rss(feed: int, version: int) -> bytes:
    items = "".join(
        f"<item><title>Feed {feed} story {i} v{version}</title>"
        f"<link>http://127.0.0.1/f{feed}/{i}</link><guid>f{feed}-{i}</guid>"
        f"<pubDate>Sat, 28 Nov 2026 0{i % 6}:{i % 60:02d}:00 GMT</pubDate>"
        f"<description>Body of story {i} of feed {feed}, version {version}. "
        + "Lorem ipsum dolor sit amet. " * 8
        + "</description></item>"
        for i in range(ITEMS * version)  # version 2 adds as many new items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {feed}</title><link>http://127.0.0.1/</link>{items}</channel></rss>"
    ).encode()


def serve(server: LoopbackServer, version: int) -> None:
    for n in range(FEEDS):
        delay = 0.3 * (n // SLOW_EVERY) if n % SLOW_EVERY == 0 else 0.0
        server.route(f"/feed/{n}", body=rss(n, version), delay=delay)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[LoopbackServer, dict[str, str]]]:
    with LoopbackServer() as server:
        serve(server, 1)
        feeds = "".join(f'[[feeds]]\nurl = "{server.url(f"/feed/{n}")}"\n' for n in range(FEEDS))
        (tmp_path / "config.toml").write_text(
            "[settings]\nrefresh_on_start = false\nconcurrency = 32\nper_host = 16\n"
            f"timeout = 20.0\n{feeds}"
        )
        env = dict(os.environ)
        env["WIREREADER_DB"] = str(tmp_path / "cache.db")
        env["WIREREADER_CONFIG"] = str(tmp_path / "config.toml")
        yield server, env


def wirereader(*args: str) -> list[str]:
    return [sys.executable, "-m", "wirereader", *args]


def run(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        wirereader(*args), env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def snapshot(db: Path) -> set[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        fts = conn.execute("SELECT count(*) FROM search").fetchone()[0]
        rows = conn.execute(
            "SELECT s.url, d.guid FROM dispatches d JOIN sources s ON s.id = d.source_id"
        ).fetchall()
        # The contentless FTS index holds exactly one row per dispatch.
        assert fts == len(rows)
        return {(url, guid) for url, guid in rows}
    finally:
        conn.close()


@pytest.mark.timeout(240)
def test_kill_9_mid_refresh_loses_nothing(
    setup: tuple[LoopbackServer, dict[str, str]], tmp_path: Path
) -> None:
    server, env = setup
    db = tmp_path / "cache.db"
    first = run(env, "refresh", "-q")
    assert first.returncode == 0, first.stderr
    before = snapshot(db)
    assert len(before) == FEEDS * ITEMS

    serve(server, 2)  # every feed now updates 50 items and adds 50
    rng = random.Random(20261128)
    delays = sorted(rng.uniform(0.4, 3.0) for _ in range(5))
    killed_mid_write = 0
    for delay in delays:
        proc = subprocess.Popen(
            wirereader("refresh", "-q"),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_mid_write += 1
        proc.wait(30)
        now = snapshot(db)
        assert before <= now, (
            f"lost {len(before - now)} cached dispatches after kill at {delay:.2f} s"
        )
    assert killed_mid_write >= 3, "the refresh finished before most kills: make it slower"

    final = run(env, "refresh", "-q")
    assert final.returncode == 0, final.stderr
    assert "database is locked" not in final.stderr
    after = snapshot(db)
    assert len(after) == FEEDS * ITEMS * 2
    listed = run(env, "list", "--limit", "5")
    assert listed.returncode == 0 and "v2" in listed.stdout


@pytest.mark.timeout(240)
def test_concurrent_processes_never_see_a_locked_database(
    setup: tuple[LoopbackServer, dict[str, str]], tmp_path: Path
) -> None:
    server, env = setup
    db = tmp_path / "cache.db"
    script = (
        "import subprocess, sys\n"
        "cmd, n = sys.argv[1], int(sys.argv[2])\n"
        "for _ in range(n):\n"
        "    r = subprocess.run([sys.executable, '-m', 'wirereader', *cmd.split()],"
        " capture_output=True, text=True)\n"
        "    sys.stderr.write(r.stderr)\n"
        "    if r.returncode:\n"
        "        sys.exit(r.returncode)\n"
    )

    def loop(cmd: str, n: int) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", script, cmd, str(n)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    # A refresh loop against a list loop and a search loop, then two refresh loops.
    for version, commands in (
        (1, [("refresh -q", 3), ("list --limit 100", 12), ("search story", 8)]),
        (2, [("refresh -q", 2), ("refresh -q --force", 2), ("list", 6)]),
    ):
        serve(server, version)
        procs = [loop(cmd, n) for cmd, n in commands]
        for proc, (cmd, _) in zip(procs, commands, strict=True):
            _, err = proc.communicate(timeout=200)
            assert "locked" not in err, f"{cmd}: {err[-500:]}"
            assert proc.returncode == 0, f"{cmd}: {err[-500:]}"
        rows = {(url, guid) for url, guid in snapshot(db) if url.startswith("http")}
        assert len(rows) == FEEDS * ITEMS * version  # (`list` also loads the samples)
    conn = sqlite3.connect(db)
    try:
        dupes = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM dispatches GROUP BY source_id, guid HAVING count(*) > 1)"
        ).fetchone()[0]
        assert dupes == 0
        sources = conn.execute("SELECT count(*) FROM sources WHERE kind = 'feed'").fetchone()[0]
        assert sources == FEEDS
    finally:
        conn.close()


@pytest.mark.timeout(120)
def test_processes_creating_a_new_cache_together(tmp_path: Path) -> None:
    """Regression: opening a brand-new cache from several processes at once.

    Two races used to surface here: the application id read before another process's
    first migration committed (so the file looked like a foreign SQLite file), and
    ``PRAGMA journal_mode = WAL``, which fails with "database is locked" without waiting.
    """
    code = (
        "import sys\nfrom wirereader.store import Store\n"
        "with Store(sys.argv[1]) as s:\n    s.ensure_source('https://example.org/' + sys.argv[2])\n"
    )
    for round_ in range(4):
        db = tmp_path / f"fresh{round_}.db"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", code, str(db), str(i)], stderr=subprocess.PIPE, text=True
            )
            for i in range(8)
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err[-400:]
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 8
        finally:
            conn.close()
