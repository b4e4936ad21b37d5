"""The two short lists beside the big ones: sources, and a dispatch's related headlines.

Both hold a handful of rows, so `OptionList` is fine here (it is not, at 100k rows: see
`headlines.py`). Every prompt is a `Text` built in code, never a markup string.
"""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from wirereader.model import Related, SourceInfo
from wirereader.render_text import cell_width, fit, fit_middle

ALL_SOURCES = "all"
STARRED = "starred"

#: The headline list's vi keys, in the panes beside it too: a reader who moves with j
#: there presses j here (OptionList itself knows only the arrows, home and end).
VI_KEYS = (
    Binding("j", "cursor_down", "Down", show=False),
    Binding("k", "cursor_up", "Up", show=False),
    Binding("g", "first", "First", show=False),
    Binding("G", "last", "Last", show=False),
)


def _fit_end(text: str, width: int) -> str:
    """Cut at the end to ``width`` cells, unpadded (`render_text.fit` pads)."""
    return fit(text, width).rstrip() if cell_width(text) > width else text


class SourceList(OptionList):
    """All sources, the starred, then each source with its unread/cached counts; a failing
    feed shows '!'."""

    BINDINGS: ClassVar[list[BindingType]] = [*VI_KEYS]

    class Chosen(Message):
        def __init__(self, source_id: int | None, *, starred: bool = False) -> None:
            self.source_id = source_id
            self.starred = starred
            super().__init__()

    #: Rows above the sources themselves: All and Starred.
    HEAD_ROWS = 2

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sources: list[SourceInfo] = []
        self._shown: tuple[int, int, str] = (0, 0, ALL_SOURCES)
        #: The row width the options were built for: start-up sends several resizes of
        #: the same size, and each rebuilt every option (and dropped their rendering).
        self._built_width = 0

    def on_resize(self) -> None:
        """Counts are right-aligned to the pane's width: redraw them when it changes."""
        if self.sources and self._row_width(len(self.sources)) != self._built_width:
            selected = self.highlighted
            self.set_sources(self.sources, *self._shown)
            if selected is not None:
                self.highlighted = selected

    def _row_width(self, count: int) -> int:
        width = (self.content_size.width or 24) - 1
        if count + self.HEAD_ROWS > self.content_size.height:
            # A vertical scrollbar will take its columns out of the rows' width.
            width -= self.styles.scrollbar_size_vertical
        return max(8, width)

    def set_sources(
        self, sources: list[SourceInfo], total: int, starred: int, selected: str = ALL_SOURCES
    ) -> None:
        """``selected`` is the option id to highlight: `ALL_SOURCES`, `STARRED` or a source id."""
        self.sources = sources
        self._shown = (total, starred, selected)
        width = self._built_width = self._row_width(len(sources))
        unread = sum(s.unread for s in sources)
        options = [
            Option(self._row("All", total, unread, None, width), id=ALL_SOURCES),
            Option(self._row("★ Starred", starred, 0, None, width), id=STARRED),
        ]
        # Cut at the end, names keep the agency; names that would read the same so cut
        # are cut in the middle instead, where the feeds of one agency differ.
        head = max(4, width - 8)
        start = Counter(fit(s.label, head) for s in sources)
        for s in sources:
            middle = start[fit(s.label, head)] > 1
            options.append(
                Option(
                    self._row(s.label, s.cached, s.unread, s.last_error, width, middle=middle),
                    id=str(s.id),
                )
            )
        self.clear_options()
        self.add_options(options)
        for i, option in enumerate(options):
            if option.id == selected:
                self.highlighted = i

    #: Below this row width (the narrow layout: 13 columns, against 23 in the wide one) a
    #: row shows the unread count alone: with "812/845" beside it a name kept three
    #: letters, and every source of one agency read the same ("Wir…").
    FULL_COUNTS = 20

    @classmethod
    def _row(
        cls,
        title: str,
        cached: int,
        unread: int,
        error: str | None,
        width: int,
        *,
        middle: bool = False,
    ) -> Text:
        if width >= cls.FULL_COUNTS:
            count, gap = (f"{unread}/{cached}" if unread else f"{cached}"), 3
        else:
            count, gap = (f"{unread}" if unread else ""), 1
        name_width = max(4, width - len(count) - gap)
        prefix = "! " if error else ""
        cut = fit_middle if middle else _fit_end
        name = prefix + cut(title, name_width - len(prefix))
        text = Text(no_wrap=True, overflow="ellipsis")  # one source, one line
        text.append(name, style="bold red" if error else ("bold" if unread else ""))
        text.append(" " * max(1, width - cell_width(name) - len(count)))
        text.append(count, style="dim")
        return text

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id
        if option_id == STARRED:
            self.post_message(self.Chosen(None, starred=True))
            return
        self.post_message(self.Chosen(None if option_id in (None, ALL_SOURCES) else int(option_id)))

    def highlighted_error(self) -> str:
        """ "<source>: <its last error>" for the source under the cursor, if it failed."""
        index = (self.highlighted or 0) - self.HEAD_ROWS
        if 0 <= index < len(self.sources) and (error := self.sources[index].last_error):
            return f"{self.sources[index].label} — last refresh failed: {error}"
        return ""


class RelatedList(OptionList):
    """A dispatch's related headlines, numbered: enter or the digit key follows one."""

    BINDINGS: ClassVar[list[BindingType]] = [*VI_KEYS]

    class Followed(Message):
        def __init__(self, related: Related) -> None:
            self.related = related
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[Related] = []

    def set_related(self, items: list[Related], cached: list[bool]) -> None:
        self.items = items
        self.clear_options()
        options: list[Option | None] = []
        for n, (item, is_cached) in enumerate(zip(items, cached, strict=True), 1):
            text = Text()
            text.append(f"{n} " if n < 10 else "  ", style="bold")
            text.append(item.headline)
            if not is_cached:
                # Not in the cache: ↗ will be fetched when followed, ∅ has no link at all.
                text.append(" ↗" if item.url else " ∅", style="dim")
            if options:
                options.append(None)
            options.append(Option(text))
        if not options:
            options.append(Option(Text("No related headlines", style="dim"), disabled=True))
        self.add_options(options)
        self.border_subtitle = "↗ fetch · ∅ not cached" if not all(cached) else ""
        if self.has_focus:
            self.on_focus()

    def on_focus(self) -> None:
        """Tabbing here lands on the first headline, so enter follows it at once."""
        if self.highlighted is None and self.items:
            self.highlighted = 0

    def follow(self, index: int) -> None:
        if 0 <= index < len(self.items):
            self.post_message(self.Followed(self.items[index]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.follow(event.option_index)  # separators are not options: indexes match items
