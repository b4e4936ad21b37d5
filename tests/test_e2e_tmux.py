"""End to end: the installed `wirereader` in a real terminal (tmux), driven by keystrokes.

Skipped when tmux or the installed command is missing. A private tmux socket keeps it
away from any tmux the person running the tests may have open.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui_helpers import make_reader

pytestmark = pytest.mark.e2e

COMMAND = Path(sys.executable).parent / "wirereader"


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "wr")

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "wr", *keys)


def start_reader(db: Path, config: Path, **extra: str) -> Tmux:
    """The installed command in a private tmux server, 120x40, on this cache and config
    (``extra``: more environment; DISPLAY and WAYLAND_DISPLAY are always unset)."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    if not COMMAND.exists():
        pytest.skip(f"the wirereader command is not installed at {COMMAND}")
    session = Tmux(f"wirereader-test-{uuid.uuid4().hex[:8]}")
    env = {
        "WIREREADER_DB": str(db),
        "WIREREADER_CONFIG": str(config),
        "TZ": "UTC",
        "TERM": "xterm-256color",
        **extra,
    }
    # COLUMNS/LINES (set by some test runners) would override the real terminal size.
    settings = " ".join(f"{k}={v}" for k, v in env.items())
    unset = "-u COLUMNS -u LINES -u DISPLAY -u WAYLAND_DISPLAY"
    command = f"env {unset} {settings} {COMMAND}; sleep 5"
    session.run(
        "-f", "/dev/null", "new-session", "-d", "-s", "wr", "-x", "120", "-y", "40", command
    )
    session.run("resize-window", "-t", "wr", "-x", "120", "-y", "40")
    return session


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    make_reader(tmp_path).close()
    session = start_reader(tmp_path / "cache.db", tmp_path / "config.toml")
    try:
        yield session
    finally:
        session.run("kill-server")


def test_installed_reader_in_a_real_terminal(tmux: Tmux, tmp_path: Path) -> None:
    screen = tmux.wait_for("Putin, Lukashenko discuss common defence space")
    assert "Sources" in screen and "Related" in screen
    assert "[bold]x[/] [@click=app.quit]y" in screen  # feed text shows literally

    tmux.keys("Enter")
    screen = tmux.wait_for("Photo: AFP/VNA/CVN")
    assert "MINSK, Dec 19 (Xinhua)" in screen
    assert "1 EU confirms technical talks" in screen

    tmux.keys("1")
    tmux.wait_for("The European Union confirmed")
    tmux.keys("BSpace")
    tmux.wait_for("Putin told")

    tmux.keys("-l", "/Viet")  # in one write, as a fast typist or a busy app sees it
    tmux.wait_for("Viet ")
    tmux.keys("Enter")
    tmux.wait_for("1 hit —")

    tmux.keys("Escape")
    tmux.wait_for("5 headlines")  # back to the list (a quick "Escape q" reads as alt+q)
    tmux.keys("q")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "Sources" in tmux.screen():
        time.sleep(0.1)
    assert "Sources" not in tmux.screen(), "the reader did not quit on q"


def _big_feed(items: int = 80) -> bytes:
    """An RSS feed past the parse pool's inline limit (64 KiB): it goes to a worker."""
    body = "Paragraph of the dispatch, long enough to make the feed large. " * 16
    entries = "".join(
        f"<item><title>Loopback story {n:02d}</title><guid>big-{n}</guid>"
        f"<link>http://127.0.0.1/big/{n}</link>"
        f"<pubDate>Sat, 28 Nov 2026 {n // 60:02d}:{n % 60:02d}:00 GMT</pubDate>"
        f"<description>{body}</description></item>"
        for n in range(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Big loopback wire</title>{entries}</channel></rss>"
    ).encode()


def test_the_reader_refreshes_a_large_feed_in_a_real_terminal(tmp_path: Path) -> None:
    """Feeds of 64 KiB and more parse in worker processes. Started from the reader, whose
    sys.stderr is Textual's capture, those workers failed to spawn, and every such feed
    showed "could not parse: ValueError: bad value(s) in fds_to_keep"."""
    from tests.loopback import LoopbackServer

    data = _big_feed()
    assert len(data) > 64 * 1024
    with LoopbackServer() as server:
        server.route("/big.xml", body=data)
        config = tmp_path / "config.toml"
        config.write_text(f'[[feeds]]\nurl = "{server.url("/big.xml")}"\n')
        session = start_reader(tmp_path / "cache.db", config)
        try:
            screen = session.wait_for("last refresh", timeout=60)  # the start-up refresh
            assert "80 new" in screen and "failing" not in screen, screen
            assert "Loopback story 79" in screen
        finally:
            session.run("kill-server")


def test_a_terminal_browser_gets_the_terminal_and_gives_it_back(tmp_path: Path) -> None:
    """Over SSH the browser `o` finds draws in the terminal (w3m, lynx, a $BROWSER
    command): the reader steps aside while it runs and comes back when it quits."""
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "terminal-browser"
    browser.write_text(
        f'#!/bin/sh\necho "$1" > {opened}\necho "TERMINAL BROWSER SHOWS $1"\nsleep 2\n'
    )
    browser.chmod(0o755)
    make_reader(tmp_path).close()
    session = start_reader(tmp_path / "cache.db", tmp_path / "config.toml", BROWSER=str(browser))
    try:
        session.wait_for("Putin, Lukashenko discuss common defence space")
        session.keys("Enter")
        session.wait_for("Photo: AFP/VNA/CVN")
        session.keys("o")
        screen = session.wait_for("TERMINAL BROWSER SHOWS http")
        assert "Sources" not in screen  # the reader is out of the way
        session.wait_for("Photo: AFP/VNA/CVN")  # and back when the browser quits
        assert opened.read_text().strip().startswith("http")
    finally:
        session.run("kill-server")
