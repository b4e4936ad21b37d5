"""Command palette (ctrl+p): every reader action, and a jump to each source by name.

Source names come from feeds, so they are passed to the palette as `Content` built from
plain text, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape

if TYPE_CHECKING:
    from wirereader.ui.app import WireReaderApp

ACTIONS: list[tuple[str, str, str]] = [
    ("Refresh now", "refresh", "Fetch every subscription in the background"),
    ("Search the cache", "search", "Find dispatches by words in the headline or body"),
    ("Go back", "go_back", "The dispatch read before this one"),
    ("Go forward", "go_forward", "Undo a step back"),
    ("Next dispatch", "next_dispatch", "Open the next headline in the list"),
    ("Previous dispatch", "previous_dispatch", "Open the previous headline in the list"),
    ("Open link in browser", "open_link", "http and https links only"),
    ("Copy link", "copy_link", "Copy the dispatch's link to the clipboard"),
    ("Toggle read", "toggle_read", "Mark the dispatch read or unread"),
    ("Toggle star", "toggle_star", "Star or unstar the dispatch"),
    ("Unread only", "toggle_unread_only", "Show only unread headlines, or all of them again"),
    ("Mark all read", "mark_all_read", "Every unread headline of the list on show"),
    ("Undo mark all read", "undo_mark_all_read", "Unread again what the last mark all read marked"),
    ("Show versions", "versions", "What each update of the dispatch changed"),
    ("Show keys", "help", "Every key of the reader"),
    (
        "Subscribe to the built-in wire feeds",
        "subscribe_defaults",
        "Public feeds of Xinhua, VNA, AFP, AP, Reuters, TASS, Kyodo and more",
    ),
]


class ReaderCommands(Provider):
    """The reader's actions and its sources."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: WireReaderApp = self.app  # type: ignore[assignment]
        out: list[tuple[str, Callable[[], object], str]] = [
            (name, partial(app.run_action, action), help_text)
            for name, action, help_text in ACTIONS
        ]
        out.append(("Source: All", partial(app.show_source, None), "Every source together"))
        out.append(
            (
                "Source: Starred",
                app.show_starred,
                "The dispatches you starred",
            )
        )
        for source in app.reader.sources():
            title = source.label
            # The palette reads help as markup; a URL may carry "[@click=…]".
            help_text = escape(source.url)
            out.append((f"Source: {title}", partial(app.show_source, source.id), help_text))
        return out

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(Content(name), callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, _highlight(matcher, name), callback, help=help_text)


def _highlight(matcher: Matcher, name: str) -> Content:
    """`Matcher.highlight` without its markup parse: a source's name is a feed's text."""
    content = Content(name)
    _, offsets = matcher.fuzzy_search.match(matcher.query, name)
    for offset in offsets:
        if not name[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
