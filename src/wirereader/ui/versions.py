"""The versions screen (`v`): what each update of a dispatch changed, as a coloured diff."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from wirereader.render_text import local_time
from wirereader.versions import VersionChange


class VersionsScreen(ModalScreen[None]):
    """Newest update first; removed lines red, added lines green. Escape closes it."""

    BINDINGS = [("escape,q,v", "dismiss", "Close")]

    DEFAULT_CSS = """
    VersionsScreen { align: center middle; }
    VersionsScreen > VerticalScroll {
        width: 90%; height: 85%; border: round $accent; background: $panel; padding: 0 1;
    }
    """

    def __init__(self, headline: str, steps: list[VersionChange]) -> None:
        super().__init__()
        self.headline = headline
        self.steps = steps

    def compose(self) -> ComposeResult:
        text = Text()
        if not self.steps:
            text.append("No earlier version of this dispatch is cached.", style="dim")
        for step in self.steps:
            seen = local_time(step.older_seen, with_date=True)
            text.append(f"Update of the version first seen {seen}\n", style="bold underline")
            for line in step.lines or ["(no visible change)"]:
                style = (
                    "red"
                    if line.startswith("-")
                    else "green"
                    if line.startswith("+")
                    else "dim"
                    if line.startswith("@@")
                    else ""
                )
                text.append(line + "\n", style=style)
            text.append("\n")
        with VerticalScroll() as scroll:
            # Content, not a str: a str title is parsed as markup, and this is a headline.
            scroll.border_title = Content(f"Versions — {self.headline}")
            yield Static(text, markup=False)
        # Its own footer: the reader's, underneath, listed keys that do nothing here.
        yield Footer()
