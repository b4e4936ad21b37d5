"""The dispatch view: headline, dateline, byline, photo captions with credits, body, credits.

Rendered from the dispatch's own blocks (design.md section 8: the Markdown widget took
6.5 s on a 341 KB story, a `Static` of text 0.5 s). Every string is put into `Text`
objects with styles attached in code, never into markup, so feed text cannot become a
tag or an action. Everything between two photo captions is one `DispatchText` (a Line
API widget that wraps its text once per width, see `ui.dispatch_text`), so a
5,000-paragraph dispatch does not mount 5,000 widgets, and the next dispatch refills the
widgets already mounted instead of mounting new ones.

Pictures (when switched on before the start, see `ui.photo`) are loaded by one worker per
dispatch, from the cache or fetched through the service, after the text is on screen;
until then, and wherever the terminal cannot draw them, a dim line stands for each one.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rich.text import Text
from textual import events, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Static

from wirereader.model import Photo, StoredDispatch
from wirereader.ui.dispatch_parts import CaptionSlot, dispatch_parts
from wirereader.ui.dispatch_text import DispatchText
from wirereader.ui.photo import cell_size, fit_cells, load_picture, picture_widget

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

#: Pictures loaded for one dispatch at most (a gallery does not fetch fifty files).
MAX_PICTURES = 12
#: What the view says while no dispatch is on show.
CHOOSE_HINT = "Choose a headline and press enter to read it."
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

    def set_photo(self, photo: Photo, number: int, *, linked: bool = False) -> None:
        """Caption another photo in this box (the view reuses its boxes); no picture yet."""
        if self.picture is not None:
            self.picture.remove()
            self.picture = None
        self.border_title = f"Photo {number}"
        self.photo = photo
        self.index = number - 1
        self.linked = linked
        self._pixels = (0, 0)
        self._text.update(self._caption(note=bool(photo.url)))

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
    """Shows one cached dispatch; scrolls with the usual keys.

    Its children are `DispatchText` runs and `PhotoCaption` boxes. The next dispatch
    reuses them in place wherever the kinds line up; the ones it does not need are hidden
    for a later dispatch rather than removed, so reading on mounts nothing once both
    shapes (with and without a photo) have been seen.
    """

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False),
        Binding("k", "scroll_up", "Scroll up", show=False),
    ]

    #: A new dispatch changes how far the view scrolls; the layout that placed the
    #: children has measured that already. Textual's default would lay the whole screen
    #: out a second time for it; the scrollbar coming or going still does (its own flag).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, *, id: str | None = None, photos: PhotoFiles | None = None) -> None:
        super().__init__(id=id)
        self.stored: StoredDispatch | None = None
        #: Lines asked for while a new dispatch awaits its layout (None: laid out), and
        #: when it was shown: after `SETTLE` seconds the layout is taken as done.
        self._pending: int | None = None
        self._shown_at = 0.0
        #: Where pictures come from; None draws none (images off, or no terminal for them).
        self.photos = photos

    def compose(self) -> ComposeResult:
        yield DispatchText(
            Text(CHOOSE_HINT, style="dim"),
            classes="dispatch-text dispatch-empty",
        )

    # Textual's own scroll actions aim from where the view will be after the next
    # refresh (line steps) or from where it is now (page steps), so keys that arrive
    # together -- a held j or page down -- all aim at the same line and the view moves
    # one step. These aim from the current target and start at once, so steps add up.

    def action_scroll_down(self) -> None:
        self._step(1)

    def action_scroll_up(self) -> None:
        self._step(-1)

    def action_page_down(self) -> None:
        self._step(max(1, self.scrollable_content_region.height))

    def action_page_up(self) -> None:
        self._step(-max(1, self.scrollable_content_region.height))

    #: Seconds a dispatch just shown may take to be laid out before keys scroll as usual.
    SETTLE = 0.5

    def _step(self, lines: int) -> None:
        if self._pending is not None and time.monotonic() - self._shown_at < self.SETTLE:
            # A dispatch just shown has no height yet: j right after enter waits for it.
            self._pending += lines
            return
        self._pending = None
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_to(y=self.scroll_target_y + lines, immediate=True)

    def _laid_out(self) -> None:
        """After the refresh that follows `show`; if that laid nothing out yet, the size
        watcher below takes over."""
        if self.allow_vertical_scroll:
            self._apply_pending()

    def watch_virtual_size(self) -> None:
        if self._pending is not None and self.allow_vertical_scroll:
            self._apply_pending()

    def _apply_pending(self) -> None:
        lines, self._pending = self._pending or 0, None
        if lines:
            self.scroll_to(y=self.scroll_target_y + lines, immediate=True)

    def show_message(self, message: str) -> None:
        self.stored = None
        self.workers.cancel_group(self, "pictures")
        self._fill([Text(message, style="dim")], message=True)
        self.scroll_home(animate=False)

    def show(self, stored: StoredDispatch) -> None:
        self.stored = stored
        self.workers.cancel_group(self, "pictures")
        widgets = self._fill(dispatch_parts(stored))
        # At once: a deferred scroll home ran after the layout and undid the lines asked
        # for meanwhile (`_apply_pending`).
        self.scroll_home(animate=False, immediate=True)
        self._shown_at = time.monotonic()
        if self._pending is None:
            self._pending = 0
            self.call_after_refresh(self._laid_out)
        captions = [w for w in widgets if isinstance(w, PhotoCaption) and w.photo.url]
        if self.photos is not None and captions:
            self._load_pictures(stored, captions[:MAX_PICTURES])

    def _fill(self, parts: list[Text | CaptionSlot], *, message: bool = False) -> list[Widget]:
        """Show ``parts`` in the children there are, mounting only what is missing."""
        children = list(self.children)
        shown: list[Widget] = []
        for part in parts:
            child = children[len(shown)] if len(shown) < len(children) else None
            if isinstance(part, Text) and isinstance(child, DispatchText):
                child.update(part)
                child.set_class(message, "dispatch-empty")
            elif isinstance(part, CaptionSlot) and isinstance(child, PhotoCaption):
                child.set_photo(part.photo, part.number, linked=part.linked)
            else:
                break
            child.display = True
            shown.append(child)
        rest = children[len(shown) :]
        if len(shown) < len(parts):
            # The shapes differ from here on: drop the rest, mount what this one needs.
            if rest:
                self.remove_children(rest)
            new = [self._make(part, message=message) for part in parts[len(shown) :]]
            self.mount_all(new)
            shown.extend(new)
        else:
            for child in rest:
                child.display = False
        return shown

    @staticmethod
    def _make(part: Text | CaptionSlot, *, message: bool) -> Widget:
        if isinstance(part, CaptionSlot):
            return PhotoCaption(part.photo, part.number, linked=part.linked)
        classes = "dispatch-text dispatch-empty" if message else "dispatch-text"
        return DispatchText(part, classes=classes)

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
