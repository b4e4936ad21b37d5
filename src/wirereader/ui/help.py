"""The keys screen (`?`): every binding of the reader, built from the bindings themselves.

Built from the live bindings rather than a hand-written list, so it cannot drift from
what the keys really do.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from wirereader.ui.headlines import HeadlineList
from wirereader.ui.panes import VI_KEYS

_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "space": "space",
}


def _keys(binding: Binding) -> str:
    return ", ".join(_KEY_NAMES.get(k.strip(), k.strip()) for k in binding.key.split(","))


class HelpScreen(ModalScreen[None]):
    """A modal list of keys; any of escape, q or ? closes it."""

    BINDINGS = [("escape,q,question_mark", "dismiss", "Close")]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 72; height: 80%; border: round $accent; background: $panel; padding: 0 1;
    }
    """

    def __init__(self, reader_screen: Screen[None]) -> None:
        super().__init__()
        self._bindings_of = reader_screen

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2), expand=True)
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        seen: set[str] = set()
        groups: list[tuple[str, list[Binding]]] = [
            ("Reader", [b for b in self._bindings_of.BINDINGS if isinstance(b, Binding)]),
            ("Headline list", [b for b in HeadlineList.BINDINGS if isinstance(b, Binding)]),
            ("Sources and Related panes", [*VI_KEYS, Binding("enter", "select", "Choose")]),
        ]
        for title, bindings in groups:
            table.add_row(Text(title, style="underline"), "")
            for binding in bindings:
                if binding.action.endswith("open_current"):
                    continue  # the headline list's enter, listed there
                if "follow(" in binding.action:
                    if "follow" in seen:
                        continue
                    seen.add("follow")
                    table.add_row("1 … 9", "Follow related headline n")
                    continue
                table.add_row(Text(_keys(binding)), Text(binding.description))
            table.add_row("", "")
        table.add_row(Text("ctrl+p"), Text("Command palette"))
        table.add_row(Text("mouse"), Text("Click a source, headline or related headline"))
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            yield Static(table)
        # Its own footer: the reader's, underneath, listed keys that do nothing here.
        yield Footer()
