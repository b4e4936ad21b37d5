"""The headline list: a Line API widget that draws only the rows on screen.

Design.md section 8: OptionList took 2.5 s and 100 MB at 100k rows, a `ScrollView` with
`render_line` 6 ms and 0.5 MB, so this is the toolong approach: rows are read from the
service in windows as they scroll into view and each visible line is painted from a
`Headline`. Feed text arrives sanitized and is drawn as plain segments, never parsed as
markup, so a headline ``[@click=app.quit]`` is just text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from wirereader.model import Headline, PubStatus
from wirereader.render_text import marker

WINDOW = 100
MAX_WINDOWS = 32


@dataclass(frozen=True, slots=True)
class RowSource:
    """Where rows come from: a count and a window reader (the store, or search hits)."""

    count: Callable[[], int]
    window: Callable[[int, int], list[Headline]]
    label: str = ""


def list_source(rows: list[Headline], label: str) -> RowSource:
    return RowSource(count=lambda: len(rows), window=lambda o, n: rows[o : o + n], label=label)


class HeadlineList(ScrollView, can_focus=True):
    """Newest first: time, source, urgency/update marker, headline; unread rows stand out."""

    #: Priority keys, run by the app as each key is read, in order with its own priority
    #: keys (enter opens the headline under the cursor, see `ui.app.READER_KEYS`):
    #: j then enter in one burst must open the row j moved to.
    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, priority=True, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, priority=True, id="list.up"),
        Binding(
            "pagedown,space",
            "page_down",
            "Page down",
            show=False,
            priority=True,
            id="list.page_down",
        ),
        Binding("pageup", "page_up", "Page up", show=False, priority=True, id="list.page_up"),
        Binding("home,g", "first", "First", show=False, priority=True, id="list.first"),
        Binding("end,G", "last", "Last", show=False, priority=True, id="list.last"),
        Binding("enter", "select", "Open", id="list.open"),
    ]

    COMPONENT_CLASSES = {
        "headline-list--cursor",
        "headline-list--unread",
        "headline-list--read",
        "headline-list--time",
        "headline-list--source",
        "headline-list--flash",
        "headline-list--urgent",
        "headline-list--update",
        "headline-list--killed",
        "headline-list--starred",
    }

    DEFAULT_CSS = """
    HeadlineList { background: $surface; }
    HeadlineList > .headline-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    HeadlineList:blur > .headline-list--cursor { background: $block-cursor-blurred-background; }
    HeadlineList > .headline-list--unread { text-style: bold; color: $text; }
    HeadlineList > .headline-list--read { color: $text-muted; }
    HeadlineList > .headline-list--time { color: $text-muted; }
    HeadlineList > .headline-list--source { color: $text-accent; }
    HeadlineList > .headline-list--flash { color: $text-error; text-style: bold reverse; }
    HeadlineList > .headline-list--urgent { color: $text-error; text-style: bold; }
    HeadlineList > .headline-list--update { color: $text-warning; }
    HeadlineList > .headline-list--killed { color: $text-error; text-style: strike; }
    HeadlineList > .headline-list--starred { color: $text-warning; }
    """

    cursor: reactive[int] = reactive(0, init=False)

    class Highlighted(Message):
        """The cursor moved to a headline."""

        def __init__(self, headline: Headline | None) -> None:
            self.headline = headline
            super().__init__()

    class Selected(Message):
        """A headline was chosen (enter or click)."""

        def __init__(self, headline: Headline) -> None:
            self.headline = headline
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._source = RowSource(count=lambda: 0, window=lambda o, n: [])
        self._count = 0
        self._windows: dict[int, list[Headline]] = {}

    # -- data -----------------------------------------------------------------------

    @property
    def source(self) -> RowSource:
        return self._source

    @property
    def row_count(self) -> int:
        return self._count

    def set_source(self, source: RowSource, *, cursor: int = 0) -> None:
        """Show another list (a source, all, search hits), with the cursor at ``cursor``."""
        self._source = source
        self._windows.clear()
        self._count = source.count()
        self.virtual_size = Size(self.size.width, self._count)
        self.scroll_to(y=0, animate=False)
        self.set_reactive(HeadlineList.cursor, -1)
        self.cursor = max(0, min(cursor, self._count - 1))
        self.refresh()

    def reload(
        self, *, keep_id: int | None = None, position: Callable[[int], int | None] | None = None
    ) -> None:
        """Re-read after rows changed (a refresh), keeping the cursor on the same headline.

        Rows added above the cursor shift it down; the scroll offset shifts by the same
        amount so the rows the reader is looking at stay where they were, unless the view
        was at the very top, where new headlines should simply appear.
        """
        old_count = self._count
        old_scroll = self.scroll_offset.y
        self._windows.clear()
        self._count = self._source.count()
        self.virtual_size = Size(self.size.width, self._count)
        new_index = position(keep_id) if (keep_id is not None and position) else None
        if new_index is not None:
            delta = new_index - self.cursor
            if old_scroll > 0 or self.cursor >= self.size.height:
                self.scroll_to(y=old_scroll + delta, animate=False)
            self.set_reactive(HeadlineList.cursor, new_index)
        elif self._count < old_count:
            self.set_reactive(HeadlineList.cursor, max(0, min(self.cursor, self._count - 1)))
        self.refresh()

    def row(self, index: int) -> Headline | None:
        if not 0 <= index < self._count:
            return None
        start = index - index % WINDOW
        window = self._windows.get(start)
        if window is None:
            if len(self._windows) >= MAX_WINDOWS:
                self._windows.pop(next(iter(self._windows)))
            window = self._source.window(start, WINDOW)
            self._windows[start] = window
        offset = index - start
        return window[offset] if offset < len(window) else None

    @property
    def current(self) -> Headline | None:
        return self.row(self.cursor)

    def update_row(self, headline: Headline) -> None:
        """Redraw one row whose state changed (read, starred) without re-reading the list."""
        for start, window in self._windows.items():
            for i, row in enumerate(window):
                if row.id == headline.id:
                    window[i] = headline
                    self.refresh_line(start + i)
                    return

    def refresh_line(self, index: int) -> None:
        self.refresh(Region(0, index - self.scroll_offset.y, self.size.width, 1))

    # -- drawing ---------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.size.width
        headline = self.row(index)
        if headline is None:
            return Strip.blank(width, self.rich_style)
        return Strip(self._segments(headline, width, index == self.cursor), width)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"headline-list--{name}")

    def _segments(self, h: Headline, width: int, is_cursor: bool) -> list[Segment]:
        base = self._style("read" if h.read else "unread")
        mark = marker(h.urgency, h.pub_status, h.updates)
        mark_style = self._style(
            "killed"
            if h.pub_status is PubStatus.CANCELED
            else "flash"
            if h.urgency == 1
            else "urgent"
            if mark and h.urgency is not None
            else "update"
        )
        time = h.time.astimezone()
        today = datetime.now().astimezone().date()
        stamp = time.strftime("%H:%M") if time.date() == today else time.strftime("%d %b")
        source_width = 12 if width >= 80 else 8
        segments = [
            Segment(
                "★" if h.starred else ("•" if not h.read else " "),
                self._style("starred") if h.starred else base,
            ),
            Segment(" " + stamp.rjust(6) + " ", self._style("time")),
            Segment(set_cell_size(h.source_title, source_width) + " ", self._style("source")),
            Segment(set_cell_size(mark, 8), mark_style),
        ]
        used = sum(cell_len(s.text) for s in segments)
        text_style = self._style("killed") + base if h.pub_status is PubStatus.CANCELED else base
        segments.append(Segment(set_cell_size(" " + h.headline, max(0, width - used)), text_style))
        if is_cursor:
            cursor = self._style("cursor")
            segments = [Segment(s.text, (s.style or Style()) + cursor) for s in segments]
        return segments

    # -- movement --------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, immediate=True)
        self.post_message(self.Highlighted(self.row(new)))

    def _move(self, delta: int) -> None:
        if self._count:
            self.cursor = max(0, min(self._count - 1, self.cursor + delta))

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_page_down(self) -> None:
        self._move(max(1, self.size.height - 1))

    def action_page_up(self) -> None:
        self._move(-max(1, self.size.height - 1))

    def action_first(self) -> None:
        self._move(-self._count)

    def action_last(self) -> None:
        self._move(self._count)

    def action_select(self) -> None:
        headline = self.current
        if headline is not None:
            self.post_message(self.Selected(headline))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:  # the border or the scrollbar
            return
        index = offset.y + self.scroll_offset.y
        if 0 <= index < self._count:
            self.cursor = index
            self.action_select()
