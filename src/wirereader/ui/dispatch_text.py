"""A run of dispatch text drawn through the Line API, wrapped once per width.

The dispatch view used to mount a `Static` per section (headline, meta line, each run of
paragraphs, credits) and remove them all on the next dispatch. Each `Static` wrapped its
text at least twice per open (once to measure its height, once to draw it), and every
open mounted and styled a fresh set of widgets. Opening a dispatch at 100k cached spent
more time there than in the store read and the decode together (tui_bench, issue #6).

`DispatchText` holds one `Text` for everything between two photo captions. It wraps it
into `Strip`s once for a given width and style and keeps them: the layout's height query
and every later `render_line` (scrolling, repaints) are list look-ups. `update` swaps the
text in place, so the view reuses its widgets from one dispatch to the next instead of
mounting new ones.

Feed text stays in `rich.text.Text` (turned into a `Content` the way `Static` does it),
never in markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.geometry import Size
from textual.reactive import Reactive
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widget import Widget


class DispatchText(Widget):
    """Styled text, as tall as its wrapped lines; the strips are cached per width."""

    DEFAULT_CSS = """
    DispatchText {
        height: auto;
    }
    """

    #: The layout that sized this widget already measured its lines: a new height needs
    #: no second layout pass over the whole screen (Textual's default).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, text: Text, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self._text = text
        self._content: Content | None = None
        #: Strips by (width, style). Two widths at most: the view's, with and without its
        #: scrollbar, which comes and goes between a short dispatch and a long one.
        self._strips: dict[tuple[int, Style], list[Strip]] = {}

    @property
    def text(self) -> Text:
        return self._text

    @property
    def plain(self) -> str:
        """The text without styles (what tests and selection read)."""
        return self._text.plain

    def update(self, text: Text) -> None:
        """Show other text in this widget (the view's next dispatch)."""
        self._text = text
        self._content = None
        self._strips.clear()
        self.refresh(layout=True)

    def _get_content(self) -> Content:
        if self._content is None:
            # What `Static` does with a `Text`: the same wrapping and the same styles.
            self._content = Content.from_rich_text(self._text, console=self.app.console)
        return self._content

    def render(self) -> Content:
        """The whole text as one visual (text selection reads it)."""
        return self._get_content()

    def lines(self, width: int) -> list[Strip]:
        """The text wrapped to ``width`` cells: made once, then looked up."""
        style = self.visual_style
        key = (width, style)
        strips = self._strips.get(key)
        if strips is None:
            if len(self._strips) >= 2:
                self._strips.clear()
            strips = Visual.to_strips(
                self, self._get_content(), width, None, style, apply_selection=False
            )
            self._strips[key] = strips
        return strips

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        if self.text_selection is not None:
            # A selection is drawn into the strips: render afresh, keep the cache clean.
            strips = Visual.to_strips(self, self._get_content(), width, None, self.visual_style)
        else:
            strips = self.lines(width)
        if 0 <= y < len(strips):
            return strips[y]
        return Strip.blank(width, self.visual_style.rich_style)
