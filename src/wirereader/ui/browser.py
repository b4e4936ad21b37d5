"""Opening a dispatch's link in whatever web browser this machine has.

Python's `webbrowser` picks the browser. A graphical one starts in the background and
the reader carries on. On a machine without a display -- a server reached over SSH, where
an editor often reads the wires -- what it picks is a terminal browser (w3m, lynx,
links, ``www-browser``, or a ``$BROWSER`` command): that one needs the terminal, and run
beside the reader both draw over each other, so the reader suspends itself while it
runs, as for an editor. With no browser at all, nothing happened; now the reader says so.

`webbrowser` is imported when a link is first opened, not at start-up.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from webbrowser import BaseBrowser

#: Browsers that always draw in the terminal, by the name of their command.
TERMINAL_BROWSERS = frozenset(
    {"www-browser", "w3m", "lynx", "links", "links2", "elinks", "browsh", "carbonyl"}
)


def find_browser() -> BaseBrowser | None:
    import webbrowser

    try:
        return webbrowser.get()
    except webbrowser.Error:
        return None


def takes_the_terminal(browser: BaseBrowser, env: Mapping[str, str] = os.environ) -> bool:
    """Does this browser run in the terminal (so the reader must step aside)?"""
    import webbrowser

    if isinstance(browser, webbrowser.BackgroundBrowser):
        return False  # started and left running: xdg-open, a desktop's browser
    name = PurePath(str(getattr(browser, "name", "") or "")).name
    if name in TERMINAL_BROWSERS:
        return True
    if isinstance(browser, webbrowser.UnixBrowser):
        return not browser.background  # Elinks; Mozilla, Chrome & co. go to the background
    if isinstance(browser, webbrowser.GenericBrowser):
        # A command from $BROWSER, run to its end: without a display it can only be one
        # that draws in the terminal.
        return not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    return False
