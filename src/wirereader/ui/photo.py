"""Pictures in the terminal: whether to draw them at all, and the widget that does.

Drawing is textual-image's work (Kitty graphics protocol, Sixel, or half-cell blocks).
Importing it probes the terminal (design.md section 8: 353 ms in tmux) and only works
before the app owns stdin, so `enable_images` runs in `cli._launch`, before the app
starts, and only when the ``images`` setting is "on", or "auto" and the environment
says the terminal draws pictures. Otherwise textual-image is never imported: the start
stays fast and each photo keeps its caption, its credit and one dim line about it.

Decoding runs in a thread and shrinks the picture first, so a large (or hostile) file
costs the interface nothing; a picture Pillow cannot read is simply not shown.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage
    from textual.widget import Widget

#: Terminals whose own variables prove they draw pictures textual-image can send.
_GRAPHIC_PROGRAMS = frozenset({"wezterm", "ghostty", "iterm.app"})
#: TERM values of terminals that always speak Sixel. Plain xterm only does with
#: ``-ti vt340`` or a resource, which the environment cannot prove, so it is not here.
_SIXEL_TERMS = frozenset({"foot", "foot-extra", "mlterm", "contour", "yaft-256color"})
#: The most pixels decoded at all: past this a file is refused rather than shrunk.
MAX_SOURCE_PIXELS = 60_000_000
#: The decoded picture is shrunk to fit this box (pixels) before it reaches the widget.
MAX_DRAWN = (1600, 1200)

_enabled = False


def terminal_draws_images(environ: Mapping[str, str] | None = None) -> bool:
    """Does the environment say this terminal draws pictures? Inside tmux or screen: no."""
    env = os.environ if environ is None else environ
    term = env.get("TERM", "").lower()
    if env.get("TMUX") or env.get("STY") or env.get("ZELLIJ"):
        return False  # a multiplexer in between does not pass pictures through
    if term.startswith(("screen", "tmux")):
        return False
    if env.get("KITTY_WINDOW_ID") or "kitty" in term:
        return True
    if env.get("TERM_PROGRAM", "").lower() in _GRAPHIC_PROGRAMS:
        return True
    return term in _SIXEL_TERMS


def should_enable(mode: str, environ: Mapping[str, str] | None = None) -> bool:
    """The ``images`` setting read against the environment."""
    if mode == "on":
        return True
    if mode == "auto":
        return terminal_draws_images(environ)
    return False


def enable_images(mode: str, environ: Mapping[str, str] | None = None) -> bool:
    """Before the app starts: import textual-image (it probes the terminal) when wanted.

    Returns whether pictures will be drawn. A failed import (not installed, no terminal)
    leaves them off.
    """
    global _enabled
    if not should_enable(mode, environ):
        return False
    try:
        import textual_image.widget  # noqa: F401  (the import is the probe)
    except Exception:
        return False
    _enabled = True
    return True


def images_enabled() -> bool:
    """Were pictures switched on before the app started?"""
    return _enabled


def load_picture(path: Path) -> PILImage | None:
    """Decode a cached picture, shrunk for the terminal; None if it is not one we can draw.

    Run it in a thread: decoding is CPU work.
    """
    try:
        from PIL import Image

        with Image.open(path) as img:
            width, height = img.size
            if width <= 0 or height <= 0 or width * height > MAX_SOURCE_PIXELS:
                return None
            img.draft("RGB", MAX_DRAWN)  # JPEG: decode at a smaller scale, much faster
            img.thumbnail(MAX_DRAWN)
            picture = img.convert("RGBA" if "A" in img.getbands() else "RGB")
        picture.load()
        return picture
    except Exception:  # a truncated or hostile file is not shown, nothing more
        return None


def cell_size() -> tuple[int, int]:
    """A terminal cell in pixels, as textual-image measured it (10×20 if it could not)."""
    if "textual_image.widget" not in sys.modules:
        return 10, 20
    try:
        from textual_image._terminal import get_cell_size

        size = get_cell_size()
        return max(1, size.width), max(1, size.height)
    except Exception:
        return 10, 20


def fit_cells(
    pixels: tuple[int, int], max_width: int, max_height: int, cell: tuple[int, int]
) -> tuple[int, int]:
    """The size in cells that shows a picture whole, keeping its shape, within the box."""
    px_w, px_h = pixels
    cell_w, cell_h = cell
    if px_w <= 0 or px_h <= 0 or max_width <= 0 or max_height <= 0:
        return 0, 0
    width = min(max_width, max(1, round(px_w / cell_w)))
    height = max(1, round(width * cell_w * px_h / px_w / cell_h))
    if height > max_height:
        height = max_height
        width = max(1, min(max_width, round(height * cell_h * px_w / px_h / cell_w)))
    return width, height


def picture_widget(picture: PILImage) -> Widget | None:
    """textual-image's widget for the best method the terminal offered, or None.

    Never imports textual-image itself: once the app runs, its probe would race the app
    for the terminal's answers. Without `enable_images` before the start, no pictures.
    """
    if "textual_image.widget" not in sys.modules:
        return None
    try:
        from textual_image.renderable import Image as Chosen
        from textual_image.renderable import UnicodeImage
        from textual_image.widget import Image

        if Chosen is UnicodeImage:
            return None  # no terminal: its character art reads worse than the caption line
        return Image(picture)
    except Exception:
        return None
