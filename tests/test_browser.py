"""`o` opens the dispatch's link: in the background, in the terminal, or not at all.

No test here starts a real browser: `webbrowser.get` is replaced where a test needs
one, and the end-to-end test (test_e2e_tmux) gives the installed reader a `$BROWSER`
that only writes down what it was asked to open.
"""

from __future__ import annotations

import webbrowser
from pathlib import Path

import pytest

from tests.ui_helpers import make_reader
from wirereader.service import Reader
from wirereader.ui.app import WireReaderApp
from wirereader.ui.browser import takes_the_terminal

SIZE = (120, 40)


def test_which_browsers_take_the_terminal() -> None:
    desktop = {"DISPLAY": ":0"}
    assert takes_the_terminal(webbrowser.GenericBrowser("w3m"), desktop)
    assert takes_the_terminal(webbrowser.GenericBrowser("/usr/bin/lynx"), desktop)
    assert takes_the_terminal(webbrowser.Elinks("elinks"), desktop)
    assert not takes_the_terminal(webbrowser.BackgroundBrowser("xdg-open"), {})
    assert not takes_the_terminal(webbrowser.Chrome("google-chrome"), desktop)
    # A $BROWSER command: a display says it may be graphical; without one it cannot be.
    assert not takes_the_terminal(webbrowser.GenericBrowser("my-browser"), desktop)
    assert takes_the_terminal(webbrowser.GenericBrowser("my-browser"), {})


class Recording(webbrowser.BaseBrowser):
    def __init__(self) -> None:
        super().__init__("recording")
        self.opened: list[str] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened.append(url)
        return True


class RecordingTerminal(webbrowser.GenericBrowser):
    def __init__(self) -> None:
        super().__init__("w3m")
        self.opened: list[str] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened.append(url)
        return True


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    with make_reader(tmp_path) as r:
        yield r


async def open_first_link(reader: Reader) -> tuple[WireReaderApp, list[str]]:
    app = WireReaderApp(reader, refresh_on_start=False)
    messages: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
    return app, messages


async def test_a_graphical_browser_opens_in_the_background(
    reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = Recording()
    monkeypatch.setattr(webbrowser, "get", lambda *a: browser)
    _, messages = await open_first_link(reader)
    assert len(browser.opened) == 1 and browser.opened[0].startswith("http")
    assert any(m.startswith("Opening ") for m in messages)


async def test_no_browser_says_so(reader: Reader, monkeypatch: pytest.MonkeyPatch) -> None:
    def none(*args: object) -> webbrowser.BaseBrowser:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", none)
    _, messages = await open_first_link(reader)
    assert "No web browser on this machine: y copies the link." in messages


async def test_a_terminal_browser_is_not_run_where_the_reader_cannot_step_aside(
    reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under Pilot there is no terminal to hand over: the browser must not draw over us."""
    browser = RecordingTerminal()
    monkeypatch.setattr(webbrowser, "get", lambda *a: browser)
    _, messages = await open_first_link(reader)
    assert browser.opened == []
    assert "A terminal browser cannot run here: y copies the link." in messages
