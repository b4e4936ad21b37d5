"""The dispatch view: headline, dateline, byline, photo captions with credits, body, credits.

Rendered from the dispatch's own blocks (design.md section 8: the Markdown widget took
6.5 s on a 341 KB story, a `Static` of text 0.5 s). Every string is put into `Text`
objects with styles attached in code, never into markup, so feed text cannot become a
tag or an action. Consecutive paragraphs share one `Static` so a 5,000-paragraph
dispatch does not mount 5,000 widgets.

Pictures (when switched on before the start, see `ui.photo`) are loaded by one worker per
dispatch, from the cache or fetched through the service, after the text is on screen;
until then, and wherever the terminal cannot draw them, a dim line stands for each one.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from wirereader.model import Photo, StoredDispatch
from wirereader.render_text import local_time, marker
from wirereader.ui.photo import cell_size, fit_cells, load_picture, picture_widget

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

#: Pictures loaded for one dispatch at most (a gallery does not fetch fifty files).
MAX_PICTURES = 12
#: A picture is never taller than this many rows, nor than two thirds of the view.
MAX_PICTURE_ROWS = 20
MIN_PICTURE_ROWS = 6


class PhotoFiles(Protocol):
    """Where pictures come from (`wirereader.service.Reader`)."""

    def cached_photo_path(self, photo: Photo) -> Path | None: ...

    async def photo_file(self, stored: StoredDispatch, index: int) -> Path | None: ...


def photo_note(photo: Photo, *, linked: bool) -> str:
    """The line that stands for a picture the terminal does not draw."""
    size = f" {photo.width}×{photo.height}" if photo.width and photo.height else ""
    if linked:
        return f"[photo{size} — o opens the link]"
    return f"[photo{size} — not shown in this terminal]"


class PhotoCaption(Vertical):
    """A photo's caption with its credit, set apart from the body; the picture above them
    once it is loaded, else (for a photo with a URL) one dim line standing for it."""

    DEFAULT_CSS = """
    PhotoCaption {
        height: auto;
        border: round $secondary;
        border-title-color: $text-secondary;
        padding: 0 1;
        margin: 0 0 1 0;
        color: $text;
    }
    PhotoCaption > .photo-text {
        height: auto;
    }
    """

    def __init__(self, photo: Photo, number: int, *, linked: bool = False) -> None:
        super().__init__()
        self.border_title = f"Photo {number}"
        self.photo = photo
        #: Where it sits in ``Dispatch.photos``.
        self.index = number - 1
        self.linked = linked
        self.picture: Widget | None = None
        self._pixels = (0, 0)
        self._text = Static(self._caption(note=bool(photo.url)), classes="photo-text", markup=False)

    def _caption(self, *, note: bool) -> Text:
        photo = self.photo
        text = Text(photo.caption or "(no caption)", style="italic")
        if photo.credit:
            text.append("\nPhoto: ", style="dim")
            text.append(photo.credit, style="bold")
        if note:
            text.append("\n" + photo_note(photo, linked=self.linked), style="dim")
        return text

    def compose(self) -> ComposeResult:
        yield self._text

    def show_picture(self, picture: PILImage) -> bool:
        """Draw the picture above the caption (and drop the line standing for it)."""
        widget = picture_widget(picture)
        if widget is None:
            return False
        if self.picture is not None:
            self.picture.remove()
        self.picture = widget
        self._pixels = picture.size
        widget.add_class("photo-picture")
        self._fit()
        self.mount(widget, before=self._text)
        self._text.update(self._caption(note=False))
        return True

    def _fit(self) -> None:
        if self.picture is None:
            return
        width = self.content_size.width or max(10, self.app.size.width - 8)
        view = self.parent.size.height if isinstance(self.parent, Widget) else 0
        # The caption and the story matter more: the picture takes two thirds of the view.
        rows = max(
            MIN_PICTURE_ROWS, min(MAX_PICTURE_ROWS, (view or self.app.size.height // 2) * 2 // 3)
        )
        cells = fit_cells(self._pixels, width, rows, cell_size())
        self.picture.styles.width = cells[0]
        self.picture.styles.height = cells[1]

    def on_resize(self, event: events.Resize) -> None:
        self._fit()


class DispatchView(VerticalScroll, can_focus=True):
    """Shows one cached dispatch; scrolls with the usual keys."""

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False),
        Binding("k", "scroll_up", "Scroll up", show=False),
    ]

    def __init__(self, *, id: str | None = None, photos: PhotoFiles | None = None) -> None:
        super().__init__(id=id)
        self.stored: StoredDispatch | None = None
        #: Where pictures come from; None draws none (images off, or no terminal for them).
        self.photos = photos

    def compose(self) -> ComposeResult:
        yield Static(
            Text("Choose a headline and press enter to read it.", style="dim"),
            classes="dispatch-empty",
            markup=False,
        )

    def show_message(self, message: str) -> None:
        self.stored = None
        self.workers.cancel_group(self, "pictures")
        self.remove_children()
        self.mount(Static(Text(message, style="dim"), classes="dispatch-empty", markup=False))

    def show(self, stored: StoredDispatch) -> None:
        self.stored = stored
        self.workers.cancel_group(self, "pictures")
        self.remove_children()
        widgets = self._widgets(stored)
        self.mount_all(widgets)
        self.scroll_home(animate=False)
        captions = [w for w in widgets if isinstance(w, PhotoCaption) and w.photo.url]
        if self.photos is not None and captions:
            self._load_pictures(stored, captions[:MAX_PICTURES])

    @work(exclusive=True, group="pictures", exit_on_error=False)
    async def _load_pictures(self, stored: StoredDispatch, captions: list[PhotoCaption]) -> None:
        """Pictures from the cache, else fetched (not when offline); never holds the view up."""
        files = self.photos
        if files is None:
            return
        offline = bool(getattr(self.app, "offline", False))
        for caption in captions:
            path = files.cached_photo_path(caption.photo)
            if path is None and not offline:
                path = await files.photo_file(stored, caption.index)
            if path is None:
                continue
            picture = await asyncio.to_thread(load_picture, path)
            if picture is not None and self.stored is stored and caption.is_attached:
                caption.show_picture(picture)

    def _widgets(self, stored: StoredDispatch) -> list[Widget]:
        d = stored.dispatch
        linked = bool(d.url)
        widgets: list[Widget] = []
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
                widgets.append(PhotoCaption(photo, i + 1, linked=linked))

        def flush() -> None:
            nonlocal paragraphs
            if paragraphs.plain.strip():
                paragraphs.rstrip()
                widgets.append(Static(paragraphs, classes="dispatch-body", markup=False))
            paragraphs = Text()

        for block in d.body:
            if block.kind == "photo" and block.photo is not None and block.photo < len(d.photos):
                flush()
                widgets.append(PhotoCaption(d.photos[block.photo], block.photo + 1, linked=linked))
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
