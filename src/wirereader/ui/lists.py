"""The headline list's choices: which source, the starred, unread only, and catching up.

Kept apart from `app.py` (layout, reading, following links); `WireReaderApp` inherits
these, with the refresh (`ui.refresh`) and the actions on a dispatch (`ui.actions`).
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Input

from wirereader.ui.headlines import HeadlineList
from wirereader.ui.panes import ALL_SOURCES, STARRED, SourceList
from wirereader.ui.refresh import RefreshActions
from wirereader.ui.views import ListView


class ListActions(RefreshActions):
    """Show a `ListView`, switch its filters, mark all of it read."""

    def load_sources(self) -> None:
        reader, view = self.reader, self.view
        selected = (
            STARRED
            if view.starred
            else ALL_SOURCES
            if view.source_id is None
            else str(view.source_id)
        )
        self.query_one("#sources", SourceList).set_sources(
            reader.sources(), reader.count(), reader.count(starred_only=True), selected
        )

    def show_view(self, view: ListView, *, keep_id: int | None = None) -> None:
        """Show the headlines of ``view``, the cursor on ``keep_id`` (or its place)."""
        self.view = view
        self.searching = None
        search = self.query_one("#search", Input)
        if search.display:  # leaving a search's results for a list: its box goes too
            search.display = False
            search.value = ""
        headlines = self.query_one("#headlines", HeadlineList)
        rows = view.rows(self.reader)
        cursor = 0
        if keep_id is not None:
            cursor = view.position(self.reader, keep_id) or 0
        headlines.set_source(rows, cursor=cursor)
        # Content, not a str: a str title is parsed as markup, and the label is a feed's.
        headlines.border_title = Content(f"Headlines — {rows.label}")
        self.update_status()

    def show_source(self, source_id: int | None, *, keep_id: int | None = None) -> None:
        """One source (None: all), keeping the unread-only choice."""
        self.show_view(ListView(source_id=source_id, unread=self.view.unread), keep_id=keep_id)

    def show_starred(self) -> None:
        """The starred of every source, keeping the unread-only choice."""
        self.show_view(ListView(starred=True, unread=self.view.unread))

    def action_toggle_unread_only(self) -> None:
        current = self.query_one("#headlines", HeadlineList).current
        self.show_view(
            self.view.with_unread(not self.view.unread), keep_id=current.id if current else None
        )
        self.load_sources()

    #: What the last `A` marked read, for `U` to put back (one step of undo).
    _caught_up: list[int] | None = None

    def action_mark_all_read(self) -> None:
        """Catch up on the list on show: every unread headline in it is marked read."""
        if self.searching is not None:
            return
        view = self.view
        marked = self.reader.mark_all_read(view.source_id, starred_only=view.starred)
        self._caught_up = marked or None
        where = view.with_unread(False).label(self.reader)
        undo = " U puts them back." if marked else ""
        self.say(f"{len(marked):,} marked read in {where}.{undo}", timeout=8)
        self._rows_changed()

    def action_undo_mark_all_read(self) -> None:
        """A slip of the shift key should not cost a desk its place in the wires."""
        marked, self._caught_up = self._caught_up, None
        if not marked:
            self.say("Nothing to put back: U undoes the last A (mark all read).", timeout=4)
            return
        self.reader.mark_read(marked, False)
        self.say(f"{len(marked):,} unread again.", timeout=4)
        self._rows_changed()
