"""The reader: sources, a live headline list, the dispatch and its related headlines.

The app talks only to `wirereader.service.Reader`. Reading is synchronous against the
local cache (sub-millisecond windowed queries); refresh and following an uncached link
run in workers that never take the app down with them (`exit_on_error=False`). The app
inherits the background refresh and the status line from `ui.refresh.RefreshActions`,
and the actions on the dispatch in view from `ui.actions.DispatchActions`.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input

from wirereader.model import Related, StoredDispatch
from wirereader.sanitize import clean_message, url_host
from wirereader.service import Reader
from wirereader.ui.commands import ReaderCommands
from wirereader.ui.dispatch import DispatchView
from wirereader.ui.headlines import HeadlineList, list_source
from wirereader.ui.history import History
from wirereader.ui.lists import ListActions
from wirereader.ui.panes import RelatedList, SourceList
from wirereader.ui.photo import images_enabled
from wirereader.ui.status import StatusLine
from wirereader.ui.views import ListView

#: Seconds the cursor must rest on a headline before it is previewed below the list.
PREVIEW_DELAY = 0.15


#: The reader's keys (`ReaderScreen.BINDINGS`), every one a priority key. Textual
#: routes a key to the widget focused when the key is read, and runs priority keys at
#: once but the others later, in that widget's turn. In a burst (a busy app, a slow
#: link) that reordered them: "/" and a query sent the query to the list, where h is
#: Back; enter then j previewed the next story over the one just opened. So the reader's
#: keys and the headline list's own act in the order read; `check_action` hands a key
#: back to the search box, where it is a letter. They live on the reader's screen, so
#: over help, versions or the palette the keys are theirs.
READER_KEYS: list[Binding] = [
    Binding("q", "quit", "Quit", id="app.quit"),
    Binding("r", "refresh", "Refresh", id="app.refresh"),
    Binding("slash", "search", "Search", id="app.search"),
    Binding("question_mark", "help", "Keys", id="app.help"),
    Binding("enter", "open_current", "Open", id="app.open_current"),
    Binding("tab", "focus_next", "Next pane", show=False, id="app.next_pane"),
    Binding("shift+tab", "focus_previous", "Previous pane", show=False, id="app.prev_pane"),
    Binding("right_square_bracket", "next_dispatch", "Next", id="app.next"),
    Binding("left_square_bracket", "previous_dispatch", "Previous", show=False, id="app.previous"),
    Binding("backspace,alt+left,h", "go_back", "Back", id="app.back"),
    Binding("shift+backspace,alt+right,l", "go_forward", "Forward", show=False, id="app.forward"),
    Binding("o", "open_link", "Open link", show=False, id="app.open_link"),
    Binding("y", "copy_link", "Copy link", show=False, id="app.copy_link"),
    Binding("m", "toggle_read", "Read/unread", show=False, id="app.toggle_read"),
    Binding("A", "mark_all_read", "Mark all read", show=False, id="app.mark_all_read"),
    Binding("U", "undo_mark_all_read", "Undo mark all read", show=False, id="app.undo_all_read"),
    Binding("u", "toggle_unread_only", "Unread only", show=False, id="app.unread_only"),
    Binding("s", "toggle_star", "Star", show=False, id="app.star"),
    Binding("v", "versions", "Versions", show=False, id="app.versions"),
    Binding("escape", "leave", "Back to list", show=False, id="app.leave"),
    *[
        Binding(str(n), f"follow({n})", f"Follow related {n}", show=False, id=f"app.follow_{n}")
        for n in range(1, 10)
    ],
]


class ReaderScreen(Screen[None]):
    """The reader's one screen; the app's actions, bound here (see `READER_KEYS`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        replace(b, action=f"app.{b.action}", priority=True) for b in READER_KEYS
    ]


class WireReaderApp(ListActions):
    """`wirereader` in a terminal."""

    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ReaderCommands}
    #: Side panes give way on narrow terminals (the class lands on the screen).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    TITLE = "wirereader"
    _READER_ACTIONS = frozenset(b.action.partition("(")[0] for b in READER_KEYS)
    #: The reader keys that still act in a text box (the search): leaving it, moving on.
    _IN_TEXT = frozenset({"leave", "focus_next", "focus_previous"})

    def __init__(
        self,
        reader: Reader,
        *,
        open_path: Path | None = None,
        refresh_on_start: bool | None = None,
        refresh_every: float | None = None,
        images: bool | None = None,
    ) -> None:
        super().__init__()
        self.reader = reader
        #: Draw photos: only when textual-image was loaded before the start (cli._launch).
        self.images = images_enabled() if images is None else images
        self.open_path = open_path
        self.refresh_on_start = (
            reader.config.refresh_on_start if refresh_on_start is None else refresh_on_start
        )
        #: Seconds between refreshes while open; 0 for none (config: minutes).
        self.refresh_every = (
            reader.config.refresh_every * 60 if refresh_every is None else refresh_every
        )
        self.view = ListView()
        self.history = History()
        self.searching: str | None = None
        self._preview_timer: Timer | None = None

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield SourceList(id="sources")
            with Vertical(id="headlines-pane"):
                yield Input(
                    placeholder="Search the cache (enter to search, escape to close)", id="search"
                )
                yield HeadlineList(id="headlines")
        with Horizontal(id="bottom"):
            yield DispatchView(id="dispatch", photos=self.reader if self.images else None)
            yield RelatedList(id="related")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sources", SourceList).border_title = "Sources"
        self.query_one("#headlines", HeadlineList).border_title = "Headlines"
        self.query_one("#dispatch", DispatchView).border_title = "Dispatch"
        self.query_one("#related", RelatedList).border_title = "Related"
        self.reader.ensure_samples()
        get = self.reader.get_setting
        self.view = ListView.restore(self.reader, get("ui.source"), get("ui.unread"))
        saved_id = get("ui.dispatch")
        self.load_sources()
        keep = int(saved_id) if saved_id and saved_id.isdigit() else None
        self.show_view(self.view, keep_id=keep)
        self.query_one("#headlines", HeadlineList).focus()
        if self.open_path is not None:
            self.open_file(self.open_path)
        if self.refresh_on_start and self.reader.subscriptions():
            # After the first frame: the refresh's imports (httpx, the parse pool) would
            # otherwise hold the cached headlines off the screen.
            self.call_after_refresh(self.run_refresh)
        if self.refresh_every > 0:
            self.set_interval(self.refresh_every, self.refresh_when_due)
        self.update_status()

    # -- sources and the list ----------------------------------------------------------

    @on(SourceList.Chosen)
    def _source_chosen(self, event: SourceList.Chosen) -> None:
        if event.starred:
            self.show_starred()
        else:
            self.show_source(event.source_id)
        self.query_one("#headlines", HeadlineList).focus()

    @on(SourceList.OptionHighlighted, "#sources")
    def _source_highlighted(self, event: SourceList.OptionHighlighted) -> None:
        self.update_status()  # a failing source's error, in the status line

    def on_descendant_focus(self) -> None:
        self.update_status()  # the Sources pane's note comes and goes with its focus

    @on(HeadlineList.Selected)
    def _headline_selected(self, event: HeadlineList.Selected) -> None:
        self._read(event.headline.id)

    def action_open_current(self) -> None:
        """Enter on the headline list, run by the app as the key is read (`READER_KEYS`)."""
        current = self.query_one("#headlines", HeadlineList).current
        if current is not None:
            self._read(current.id)

    def _read(self, dispatch_id: int) -> None:
        self._cancel_preview()
        self.open_dispatch(dispatch_id)
        self.screen.set_focus(self.query_one("#dispatch", DispatchView))

    @on(HeadlineList.Highlighted)
    def _headline_highlighted(self, event: HeadlineList.Highlighted) -> None:
        """Preview the highlighted headline once the cursor rests (not on every key of a run)."""
        self._cancel_preview()
        if event.headline is not None:
            dispatch_id = event.headline.id
            self._preview_timer = self.set_timer(PREVIEW_DELAY, lambda: self._preview(dispatch_id))

    def _preview(self, dispatch_id: int) -> None:
        self._preview_timer = None
        # The timer may fire while the app is closing or a modal screen is up, or after
        # the reader opened a story (the highlight of a list just shown can come later).
        if (
            self.is_running
            and self.screen is self.screen_stack[0]
            and isinstance(self.focused, HeadlineList)
        ):
            self.open_dispatch(dispatch_id, preview=True)

    def _cancel_preview(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
            self._preview_timer = None

    # -- reading -----------------------------------------------------------------------

    def open_dispatch(
        self, dispatch_id: int, *, record: bool = True, preview: bool = False
    ) -> StoredDispatch | None:
        """Show a dispatch. A preview (the cursor resting on it) is not reading it: it is
        neither marked read nor added to the history."""
        stored = self.reader.get(dispatch_id)
        view = self.query_one("#dispatch", DispatchView)
        if stored is None:
            view.show_message("This dispatch is no longer in the cache.")
            return None
        view.show(stored)
        # Content, not a str: a str title is parsed as markup, and the name is a feed's.
        view.border_title = Content(
            f"{'Preview' if preview else 'Dispatch'} — {stored.source_title}"
        )
        self._show_related(stored)
        if preview:
            return stored
        if record:
            self.history.visit(dispatch_id)
        if not stored.read:
            self.reader.mark_read([dispatch_id])
            self._refresh_row(dispatch_id)
        self.reader.set_setting("ui.dispatch", str(dispatch_id))
        return stored

    def _show_related(self, stored: StoredDispatch) -> None:
        related = list(stored.dispatch.related)
        cached = [self.reader.related_cached(r, stored) for r in related]
        self.query_one("#related", RelatedList).set_related(related, cached)

    def open_file(self, path: Path) -> None:
        summary = self.reader.import_paths([path])
        if summary.errors:
            self.say(f"{path.name}: {summary.errors[0][1]}", severity="error")
            return
        self.load_sources()
        source = self.reader.local_source(path)
        if source is None:
            return
        self.show_source(source.id)
        first = self.query_one("#headlines", HeadlineList).current
        if first is not None:
            self.open_dispatch(first.id)
            self.query_one("#dispatch", DispatchView).focus()

    # -- actions -----------------------------------------------------------------------

    def _step(self, delta: int) -> None:
        headlines = self.query_one("#headlines", HeadlineList)
        headlines.cursor = max(0, min(headlines.row_count - 1, headlines.cursor + delta))
        if (current := headlines.current) is not None:
            self.open_dispatch(current.id)

    def action_next_dispatch(self) -> None:
        self._step(1)

    def action_previous_dispatch(self) -> None:
        self._step(-1)

    def action_go_back(self) -> None:
        target = self.history.go_back()
        if target is None:
            self.say("Nothing to go back to.", timeout=2)
            return
        self.open_dispatch(target, record=False)

    def action_go_forward(self) -> None:
        target = self.history.go_forward()
        if target is None:
            self.say("Nothing to go forward to.", timeout=2)
            return
        self.open_dispatch(target, record=False)

    def action_leave(self) -> None:
        search = self.query_one("#search", Input)
        if search.display:
            search.display = False
            search.value = ""
            if self.searching is not None:
                self.show_view(self.view)
        self.screen.set_focus(self.query_one("#headlines", HeadlineList))

    # -- search ------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        return ReaderScreen(id="_default")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self._READER_ACTIONS:
            # In the search box "/", "q", "h" are letters; this check is the one guard,
            # for keys and the palette alike (`run_action` asks it too).
            if isinstance(self.focused, Input) and action not in self._IN_TEXT:
                return False
            if action == "open_current":
                return isinstance(self.focused, HeadlineList)
        return super().check_action(action, parameters)

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        # Focus now, not after the next refresh: keys typed right after "/" are the query.
        self.screen.set_focus(search)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        query = event.value.strip()
        if not query:
            self.action_leave()
            return
        hits = self.reader.search(query, limit=200, source_id=None)
        self.searching = query
        headlines = self.query_one("#headlines", HeadlineList)
        headlines.set_source(list_source(hits, f"search “{query}”"))
        headlines.border_title = Content(
            f"Search “{query}” — {len(hits)} hit{'' if len(hits) == 1 else 's'} — escape to go back"
        )
        headlines.focus()
        self.update_status()

    # -- related headlines -------------------------------------------------------------

    def action_follow(self, number: int) -> None:
        self.query_one("#related", RelatedList).follow(number - 1)

    @on(RelatedList.Followed)
    def _follow(self, event: RelatedList.Followed) -> None:
        origin = self._current()
        cached = self.reader.find_related(event.related, origin)
        if cached is not None:
            self.open_dispatch(cached.id)
            return
        if not event.related.url:
            self.say(
                f"“{event.related.headline}” is not cached yet, and it has no link to fetch.",
                title="Not cached",
                severity="warning",
            )
            return
        self.say(f"Fetching {url_host(event.related.url)}…", timeout=3)
        self._fetch_related(event.related, origin)

    @work(exclusive=True, group="follow", exit_on_error=False)
    async def _fetch_related(self, related: Related, origin: StoredDispatch | None) -> None:
        try:
            result = await self.reader.follow(related, origin)
        except Exception as exc:  # never let one page take the reader down
            self.say(clean_message(exc), title="Could not open", severity="error")
            return
        if result.dispatch is None:
            self.say(result.message, title="Not cached yet", severity="warning", timeout=6)
            return
        self.load_sources()
        self.open_dispatch(result.dispatch.id)
        self._show_related(result.dispatch)

    # -- quitting ----------------------------------------------------------------------

    def on_unmount(self) -> None:
        self._cancel_preview()
        # Saving the resume point must never stand in the way of quitting.
        with contextlib.suppress(Exception):
            source, unread = self.view.saved()
            self.reader.set_setting("ui.source", source)
            self.reader.set_setting("ui.unread", unread)


def run_app(reader: Reader, *, open_path: Path | None = None) -> int:
    WireReaderApp(reader, open_path=open_path).run()
    return 0
