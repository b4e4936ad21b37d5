"""What the reader does to the dispatch in view: links, read and star marks, versions, keys.

Kept apart from `app.py` (layout, lists, following links) and `refresh.py` (the background
refresh) so each stays short; `WireReaderApp` inherits these actions and provides `reader`
and the widgets they use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SuspendNotSupported
from textual.notifications import SeverityLevel

from wirereader.model import StoredDispatch
from wirereader.sanitize import safe_url, url_host
from wirereader.service import Reader
from wirereader.ui.dispatch import DispatchView
from wirereader.ui.headlines import HeadlineList

if TYPE_CHECKING:
    from webbrowser import BaseBrowser


class DispatchActions(App[None]):
    """Actions on the dispatch in view (or, from the list, under the cursor)."""

    reader: Reader

    def say(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
    ) -> None:
        """A notification whose text is never parsed as markup (it often quotes feed text)."""
        self.notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _current(self) -> StoredDispatch | None:
        return self.query_one("#dispatch", DispatchView).stored

    def action_open_link(self) -> None:
        stored = self._current()
        url = safe_url(stored.dispatch.url) if stored else None
        if url is None:
            self.say("This dispatch has no web link to open.", timeout=3)
            return
        # webbrowser never goes through a shell; safe_url already refused a leading "-".
        from wirereader.ui.browser import find_browser, takes_the_terminal

        browser = find_browser()
        if browser is None:
            self.say("No web browser on this machine: y copies the link.", timeout=6)
            return
        if takes_the_terminal(browser):
            try:
                with self.suspend():  # the browser has the terminal until it quits
                    browser.open(url, new=2)
            except SuspendNotSupported:
                self.say("A terminal browser cannot run here: y copies the link.", timeout=6)
            return
        self.say(f"Opening {url_host(url)} in the browser", timeout=3)
        self._open_browser(browser, url)

    @work(thread=True, exit_on_error=False, group="browser")
    def _open_browser(self, browser: BaseBrowser, url: str) -> None:
        browser.open(url, new=2)

    def action_copy_link(self) -> None:
        stored = self._current()
        url = safe_url(stored.dispatch.url) if stored else None
        if url is None:
            self.say("This dispatch has no web link to copy.", timeout=3)
            return
        self.copy_to_clipboard(url)
        self.say(f"Copied {url}", timeout=3)

    def _target_id(self) -> int | None:
        if isinstance(self.focused, HeadlineList) or self._current() is None:
            current = self.query_one("#headlines", HeadlineList).current
            return current.id if current else None
        stored = self._current()
        return stored.id if stored else None

    def _refresh_row(self, dispatch_id: int) -> None:
        """Redraw one headline whose marks changed, without re-reading the list."""
        headline = self.reader.headline(dispatch_id)
        if headline is not None:
            self.query_one("#headlines", HeadlineList).update_row(headline)

    def action_toggle_read(self) -> None:
        dispatch_id = self._target_id()
        stored = self.reader.get(dispatch_id) if dispatch_id is not None else None
        if stored is not None:
            self.reader.mark_read([stored.id], not stored.read)
            self._refresh_row(stored.id)

    def action_toggle_star(self) -> None:
        dispatch_id = self._target_id()
        stored = self.reader.get(dispatch_id) if dispatch_id is not None else None
        if stored is not None:
            self.reader.star(stored.id, not stored.starred)
            self._refresh_row(stored.id)
            self.say("Starred." if not stored.starred else "Star removed.", timeout=2)

    def action_versions(self) -> None:
        from wirereader.ui.versions import VersionsScreen
        from wirereader.versions import changes

        stored = self._current()
        if stored is None:
            self.say("Open a dispatch first.", timeout=2)
            return
        steps = changes(stored.dispatch, self.reader.versions(stored.id))
        self.push_screen(VersionsScreen(stored.dispatch.headline, steps))

    def action_help(self) -> None:
        from wirereader.ui.help import HelpScreen

        self.push_screen(HelpScreen(self.screen_stack[0]))
