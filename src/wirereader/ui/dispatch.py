"""The dispatch view: headline, dateline, byline, photo captions with credits, body, credits.

Rendered from the dispatch's own blocks (design.md section 8: the Markdown widget took
6.5 s on a 341 KB story, a `Static` of text 0.5 s). Every string is put into `Text`
objects with styles attached in code, never into markup, so feed text cannot become a
tag or an action. Consecutive paragraphs share one `Static` so a 5,000-paragraph
dispatch does not mount 5,000 widgets.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from wirereader.model import Photo, StoredDispatch
from wirereader.render_text import local_time, marker


class PhotoCaption(Static):
    """A photo's caption with its credit, set apart from the body."""

    DEFAULT_CSS = """
    PhotoCaption {
        border: round $secondary;
        border-title-color: $text-secondary;
        padding: 0 1;
        margin: 0 0 1 0;
        color: $text;
    }
    """

    def __init__(self, photo: Photo, number: int) -> None:
        text = Text(photo.caption or "(no caption)", style="italic")
        if photo.credit:
            text.append("\nPhoto: ", style="dim")
            text.append(photo.credit, style="bold")
        super().__init__(text, markup=False)
        self.border_title = f"Photo {number}"
        self.photo = photo


class DispatchView(VerticalScroll, can_focus=True):
    """Shows one cached dispatch; scrolls with the usual keys."""

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False),
        Binding("k", "scroll_up", "Scroll up", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stored: StoredDispatch | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            Text("Choose a headline and press enter to read it.", style="dim"),
            classes="dispatch-empty",
            markup=False,
        )

    def show_message(self, message: str) -> None:
        self.stored = None
        self.remove_children()
        self.mount(Static(Text(message, style="dim"), classes="dispatch-empty", markup=False))

    def show(self, stored: StoredDispatch) -> None:
        self.stored = stored
        self.remove_children()
        self.mount_all(self._widgets(stored))
        self.scroll_home(animate=False)

    def _widgets(self, stored: StoredDispatch) -> list[Static]:
        d = stored.dispatch
        widgets: list[Static] = []
        if d.is_withdrawn:
            widgets.append(
                Static(
                    Text(
                        " WITHDRAWN — canceled by its sender; do not use ", style="bold reverse red"
                    ),
                    classes="dispatch-withdrawn",
                    markup=False,
                )
            )
        head = Text()
        mark = marker(d.urgency, d.pub_status, stored.updates)
        if mark and not d.headline.upper().startswith(mark):
            head.append(f" {mark} ", style="bold reverse")
            head.append(" ")
        head.append(d.headline, style="bold")
        widgets.append(Static(head, classes="dispatch-headline", markup=False))

        meta = Text(style="dim")
        parts = [
            d.dateline or d.located,
            f"By {d.byline}" if d.byline else "",
            stored.source_title,
            local_time(stored.time, with_date=True),
            f"{stored.updates} update{'s' if stored.updates != 1 else ''}"
            if stored.updates
            else "",
            d.slugline,
        ]
        meta.append(" · ".join(p for p in parts if p))
        if d.embargoed_until:
            meta.append(
                f"\nEmbargoed until {local_time(d.embargoed_until, with_date=True)}", style="bold"
            )
        if d.ednote:
            meta.append(f"\nEd. note: {d.ednote}", style="italic")
        widgets.append(Static(meta, classes="dispatch-meta", markup=False))

        paragraphs = Text()
        placed = {b.photo for b in d.body if b.kind == "photo" and b.photo is not None}
        # Photos the body does not place are the lead pictures: they go first, as on the wire.
        for i, photo in enumerate(d.photos):
            if i not in placed:
                widgets.append(PhotoCaption(photo, i + 1))

        def flush() -> None:
            nonlocal paragraphs
            if paragraphs.plain.strip():
                paragraphs.rstrip()
                widgets.append(Static(paragraphs, classes="dispatch-body", markup=False))
            paragraphs = Text()

        for block in d.body:
            if block.kind == "photo" and block.photo is not None and block.photo < len(d.photos):
                flush()
                widgets.append(PhotoCaption(d.photos[block.photo], block.photo + 1))
            elif block.kind == "subhead":
                paragraphs.append(block.text + "\n\n", style="bold")
            elif block.kind == "quote":
                paragraphs.append("│ " + block.text + "\n\n", style="italic")
            elif block.text:
                paragraphs.append(block.text + "\n\n")
        if not any(b.text for b in d.body) and d.summary:
            paragraphs.append(d.summary + "\n\n")
        flush()

        tail = Text()
        if d.credit_chain:
            tail.append("/".join(d.credit_chain), style="bold")
        if d.creditline and d.creditline != "/".join(d.credit_chain):
            tail.append(("\n" if tail else "") + d.creditline, style="dim")
        if d.url:
            tail.append(("\n" if tail else "") + d.url, style="underline dim")
        if tail:
            widgets.append(Static(tail, classes="dispatch-credits", markup=False))
        return widgets
