"""SVG snapshots of the reader's main screens (pytest-textual-snapshot).

On a deliberate change of look: `pytest tests/test_snapshots.py --snapshot-update`, then look
at the new SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ui_helpers import make_reader
from wirereader.ui.app import PREVIEW_DELAY, WireReaderApp

SIZE = (120, 40)


def keys(*presses: str) -> Any:
    """Press keys, then let the preview timer fire, so every run draws the same frame."""

    async def run_before(pilot: Any) -> None:
        await pilot.press(*presses)
        await pilot.pause(PREVIEW_DELAY * 2)
        await pilot.pause()

    return run_before


@pytest.fixture
def app(tmp_path: Path) -> Any:
    reader = make_reader(tmp_path)
    yield WireReaderApp(reader, refresh_on_start=False)
    reader.close()


def test_headline_list(app: WireReaderApp, snap_compare: Any) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("j", "k"))


def test_dispatch_with_caption_and_related(app: WireReaderApp, snap_compare: Any) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("enter"))


def test_search_results(app: WireReaderApp, snap_compare: Any) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("slash", *"Belarus", "enter"))


def test_help_screen(app: WireReaderApp, snap_compare: Any) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("question_mark"))


def test_narrow_terminal(app: WireReaderApp, snap_compare: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("enter"))
