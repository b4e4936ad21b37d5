"""Shared set-up for the reader's tests: a deterministic cache and a pinned clock.

The cache is built through the real service from a fixture feed with fixed dates, the
built-in samples are switched off (they are dated at first load), and the local time
zone is UTC, so every screen is the same on every machine and every day.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from wirereader.service import Reader

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ui"


def pin_timezone() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()


def make_reader(tmp_path: Path, *, with_fixture: bool = True) -> Reader:
    """A reader on a fresh cache holding the fixture feed (and no samples)."""
    pin_timezone()
    reader = Reader(tmp_path / "cache.db", tmp_path / "config.toml")
    reader.set_setting("samples_loaded", "1")
    if with_fixture:
        summary = reader.import_paths([FIXTURES / "wire.xml"])
        assert summary.dispatches == 5, summary
    return reader
