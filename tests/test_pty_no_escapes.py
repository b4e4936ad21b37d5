"""The real app under a pseudo-terminal never writes a feed's escape payloads (G4).

The cache holds the hostile corpus files T01 (raw control bytes), T02 (character
references), T03 (CDATA and HTML captions), T04 (C1 only) and T06 (markup injection).
`python -m wirereader` runs on a PTY (TERM=xterm-256color, 120x40), several dispatches
are opened, then ``q``. Everything the app wrote to the terminal is read from the master
side and searched for what the payloads would do: OSC 52 clipboard, OSC 0/2 title sets
(beyond the ones Textual itself writes with a clean cache, measured first), DCS, RIS,
8-bit C1 controls and OSC 8 links to file:/javascript:. The app must also exit 0.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import shared_path
from wirereader.service import Reader

HOSTILE_FILES = [
    "t01_term_escapes_raw.xml",
    "t02_term_escapes_charref.xml",
    "t03_term_escapes_cdata.xml",
    "t04_term_escapes_c1_only.xml",
    "t06_markup_injection.xml",
]
ROWS, COLS = 40, 120
DOWN, ENTER, NEXT, ESCAPE = b"j", b"\r", b"]", b"\x1b"
#: Open a dispatch, walk through the next few, go back, move down, open more.
KEYS = [
    ENTER,
    NEXT,
    NEXT,
    NEXT,
    ESCAPE,
    DOWN * 8,
    ENTER,
    NEXT,
    NEXT,
    ESCAPE,
    DOWN * 20,
    ENTER,
    NEXT,
]

_OSC_TITLE = re.compile(rb"\x1b\][012];[^\x07\x1b]*(?:\x07|\x1b\\)?")


def _read_all(fd: int, sink: bytearray, stop: threading.Event) -> None:
    while not stop.is_set():
        ready, _, _ = select.select([fd], [], [], 0.1)
        if not ready:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return
        if not data:
            return
        sink.extend(data)


def _wait_quiet(sink: bytearray, quiet: float = 0.6, limit: float = 20.0) -> None:
    """Wait until the app has drawn something and then stopped writing for a moment."""
    deadline = time.monotonic() + limit
    size, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        if len(sink) != size:
            size, since = len(sink), time.monotonic()
        elif size > 0 and time.monotonic() - since >= quiet:
            return
        time.sleep(0.05)


def run_app(tmp: Path, keys: list[bytes]) -> tuple[bytes, int]:
    env = dict(os.environ)
    env.update(
        TERM="xterm-256color",
        COLORTERM="truecolor",
        WIREREADER_DB=str(tmp / "cache.db"),
        WIREREADER_CONFIG=str(tmp / "config.toml"),
        HOME=str(tmp),
    )
    for name in ("COLUMNS", "LINES", "TMUX", "TEXTUAL"):
        env.pop(name, None)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "wirereader"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=tmp,
        start_new_session=True,
    )
    os.close(slave)
    out = bytearray()
    stop = threading.Event()
    reader = threading.Thread(target=_read_all, args=(master, out, stop), daemon=True)
    reader.start()
    try:
        _wait_quiet(out)
        for key in keys:
            os.write(master, key)
            _wait_quiet(out, quiet=0.3, limit=5.0)
        os.write(master, b"q")
        try:
            code = proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail(f"the app did not quit on q; it wrote {len(out)} bytes")
        time.sleep(0.2)
    finally:
        stop.set()
        reader.join(5)
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return bytes(out), code


def make_cache(tmp: Path, files: list[Path]) -> None:
    (tmp / "config.toml").write_text("[settings]\nrefresh_on_start = false\n")
    with Reader(tmp / "cache.db", tmp / "config.toml") as reader:
        reader.ensure_samples()
        if files:
            summary = reader.import_paths(files)
            assert summary.errors == [] and summary.dispatches >= 90


def offending(out: bytes, allowed_titles: set[bytes]) -> list[str]:
    problems = []
    for name, pattern in (
        ("OSC 52 clipboard", rb"\x1b\]52"),
        ("DCS", rb"\x1bP"),
        ("RIS", rb"\x1bc"),
        ("OSC 8 link to a non-http URL", rb"\x1b\]8;[^;\x07\x1b]*;(?!https?:)[a-z]"),
        ("OSC 50/4/1337", rb"\x1b\](?:50|4|1337);"),
        ("8-bit CSI/OSC/DCS bytes as characters", "[\u0080-\u009f]".encode()),
    ):
        hits = re.findall(pattern, out) if name[0] != "8" else None
        if name.startswith("8-bit"):
            text = out.decode("utf-8", errors="replace")
            bad = sorted({f"U+{ord(c):04X}" for c in text if 0x80 <= ord(c) <= 0x9F})
            if bad:
                problems.append(f"{name}: {bad}")
        elif hits:
            problems.append(f"{name}: {len(hits)}x, e.g. {hits[0][:40]!r}")
    titles = set(_OSC_TITLE.findall(out)) - allowed_titles
    if titles:
        problems.append(f"window title set by the feed: {sorted(titles)[:3]!r}")
    return problems


@pytest.mark.timeout(120)
def test_hostile_text_never_reaches_the_terminal(tmp_path: Path) -> None:
    make = shared_path("hostile", "make_hostile.py")
    corpus = tmp_path / "corpus-out"
    subprocess.run(
        [sys.executable, str(make), "--out", str(corpus)],
        capture_output=True,
        check=True,
        timeout=120,
    )
    clean_dir, hostile_dir = tmp_path / "clean", tmp_path / "hostile"
    clean_dir.mkdir()
    hostile_dir.mkdir()

    # What Textual itself writes with a clean cache: the baseline of allowed title sets.
    make_cache(clean_dir, [])
    clean, clean_code = run_app(clean_dir, KEYS)
    assert clean_code == 0, clean[-2000:]
    assert offending(clean, set(_OSC_TITLE.findall(clean))) == []
    allowed = set(_OSC_TITLE.findall(clean))

    make_cache(hostile_dir, [corpus / "corpus" / name for name in HOSTILE_FILES])
    out, code = run_app(hostile_dir, KEYS)
    assert code == 0, "the app did not exit normally"
    assert len(out) > 10_000, "the app drew (almost) nothing"
    # The payloads were on screen: the markup titles show literally.
    # The payload items were on screen (drawn text, once Textual's own CSI are removed).
    drawn = re.sub(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]", b"", out).decode("utf-8", "replace")
    assert re.search(r"\[(?:textual_click|rich_|unbalanced|brackets_plain|c1_|osc|csi)", drawn)
    problems = offending(out, allowed)
    assert problems == [], problems
    if shutil.which("xxd"):  # handy when debugging: the raw capture, as hex, not printed
        (tmp_path / "capture.bin").write_bytes(out)
