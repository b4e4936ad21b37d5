"""HTML fragments and pages to body blocks, photos and related links.

Feed bodies, ninjs ``body_html``, XHTML in NewsML-G2 and article pages all arrive as
HTML. The reader does not render HTML: it shows blocks (paragraphs, subheads, quotes,
photos), so this walks the tree once, keeps visible text, and drops everything active
(scripts, styles, forms, frames, SVG, comments, hidden elements). The walk is iterative:
100,000 nested ``<div>``\\s cannot exhaust the stack (EXPECTATIONS H03, A02), and when
libxml2 gives up on depth and returns nothing, a plain-text fallback runs so an article
is never silently blank. Figures and images become photos in `_htmlphotos`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from wirereader.formats._htmlfast import WS as _WS
from wirereader.formats._htmlfast import (
    clean_block_text,
    html_parser,
    parse_fragment,
    quick_clean_line,
)
from wirereader.formats._htmlphotos import SKIP as _SKIP
from wirereader.formats._htmlphotos import figure as _figure
from wirereader.formats._htmlphotos import hidden as _hidden
from wirereader.formats._htmlphotos import image_url as _image_url
from wirereader.formats._htmlphotos import int_attr as _int_attr
from wirereader.formats._htmlphotos import split_credit
from wirereader.formats._htmlphotos import text_of as _text_of
from wirereader.formats._htmlphotos import tiny as _tiny
from wirereader.model import Block, BlockKind, Photo, Related
from wirereader.sanitize import clean_text, safe_url

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "li",
        "dd",
        "dt",
        "pre",
        "table",
        "tr",
        "ul",
        "ol",
        "dl",
        "address",
        "center",
        "hr",
        "br",
        "td",
        "th",
        "caption",
        "summary",
        "details",
    ]
)
_MAX_BLOCKS = 5000

# What the walk does at an element, by tag: one dict lookup per event instead of a chain
# of set tests (the walk sees ~25 elements per feed item, twice each).
# Those that do nothing at an element's end come first (see `_Builder.walk`).
_INLINE, _ANCHOR, _OTHER, _SKIPPED, _FIGURE, _IMG, _BLOCK, _HEADING, _QUOTE, _ITEM, _LIST = range(
    11
)
_ACTIONS: dict[str, int] = {
    **dict.fromkeys(("span", "strong", "em", "b", "i", "u", "small", "sup", "sub"), _INLINE),
    **dict.fromkeys(("figcaption", "cite", "abbr", "time", "mark", "code", "q"), _INLINE),
    **dict.fromkeys(_SKIP, _SKIPPED),
    **dict.fromkeys(_HEADINGS, _HEADING),
    **dict.fromkeys(_BLOCKS, _BLOCK),
    "figure": _FIGURE,
    "img": _IMG,
    "blockquote": _QUOTE,
    "li": _ITEM,
    "ul": _LIST,
    "ol": _LIST,
    "a": _ANCHOR,
}


@dataclass
class HtmlContent:
    """What an HTML fragment holds, in reading order."""

    blocks: list[Block] = field(default_factory=list)
    photos: list[Photo] = field(default_factory=list)
    links: list[Related] = field(default_factory=list)


class _Builder:
    def __init__(self, base: str | None) -> None:
        self.base = base
        self.out = HtmlContent()
        self.buffer: list[str] = []
        self.kind_stack: list[BlockKind] = []
        self.in_list = 0
        #: Anchors (href, text) of the list item being read: an item that is only a link
        #: is a related headline, listed once in the related pane, not again in the body.
        self.anchors: list[tuple[str | None, str]] = []

    def flush(self, kind: BlockKind | None = None) -> None:
        buffer = self.buffer
        if not buffer:  # most block edges: the text already went with the previous one
            return
        text = clean_block_text("".join(buffer))
        buffer.clear()
        if not text or len(self.out.blocks) >= _MAX_BLOCKS:
            return
        if kind is None:
            kind = "quote" if "quote" in self.kind_stack else "paragraph"
        self.out.blocks.append(Block(kind=kind, text=text))

    def photo(self, photo: Photo) -> None:
        self.flush()
        self.out.photos.append(photo)
        self.out.blocks.append(Block(kind="photo", photo=len(self.out.photos) - 1))

    def image(self, el: etree._Element) -> None:
        """A bare ``<img>``: a photo unless it is a tracking pixel or has no safe URL."""
        if not _tiny(el) and (url := _image_url(el, self.base)):
            caption, credit = split_credit(quick_clean_line(el.get("alt") or el.get("title")))
            self.photo(
                Photo(
                    caption=caption,
                    credit=credit,
                    url=url,
                    width=_int_attr(el, "width"),
                    height=_int_attr(el, "height"),
                )
            )

    def link(self, el: etree._Element) -> None:
        text = quick_clean_line(_text_of(el), 500)
        if text:
            self.anchors.append((el.get("href"), text))

    def item_link(self) -> Related | None:
        """The item's link: its last anchor with text and a safe URL."""
        for href, text in reversed(self.anchors):
            if url := safe_url(href, self.base):
                return Related(headline=text, url=url)
        return None

    def end_item(self) -> None:
        """Close a list item. One that is nothing but a link is a related headline: it goes
        to the related list (once) rather than into the body. URLs are checked only for an
        item whose text is an anchor's: most list items are not links, and most links
        are new to the URL cache."""
        if self.anchors:
            text = quick_clean_line("".join(self.buffer))
            if any(t == text for _, t in self.anchors):
                link = self.item_link()
                if link is not None and link.headline == text:
                    self.buffer.clear()
                    if all(r.url != link.url for r in self.out.links):
                        self.out.links.append(link)
            self.anchors.clear()
        self.flush()

    def walk(self, root: etree._Element) -> None:
        """One pass over the tree; text runs gather in ``buffer`` until a block edge.

        An element's action is looked up once, at its start, and kept on a stack for its
        end (lxml makes a new string each time ``tag`` is read). The end acts on the
        action alone; a hidden element's action is replaced at its start (a hidden block
        is a block edge, anything else is skipped), so a hidden heading or quote never
        closes a section it did not open. Comments and processing instructions come as
        their own events (never as start/end), and the text after them is kept.
        """
        actions = _ACTIONS
        append = self.buffer.append
        flush = self.flush
        kind_stack = self.kind_stack
        open_actions: list[int] = []
        push = open_actions.append
        pop = open_actions.pop
        walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
        for event, el in walker:
            if event == "comment" or event == "pi":
                if tail := el.tail:
                    append(tail)
                continue
            if event == "end":
                closing = pop()
                if closing <= _IMG:  # _INLINE, _ANCHOR, _SKIPPED, _FIGURE, _IMG, _OTHER
                    pass
                elif closing == _BLOCK:
                    flush()
                elif closing == _HEADING:
                    flush("subhead")
                    kind_stack.pop()
                elif closing == _QUOTE:
                    flush("quote")
                    kind_stack.pop()
                elif closing == _ITEM:
                    self.end_item()
                else:  # _LIST
                    flush()
                    self.in_list -= 1
                if el is not root and (tail := el.tail):
                    append(tail)
                continue
            tag = el.tag
            if not isinstance(tag, str):  # comments, processing instructions
                push(_OTHER)
                continue
            action = actions.get(tag)
            if action is None:
                action = actions.get(tag.lower(), _INLINE)
            push(action)
            if action == _SKIPPED:
                walker.skip_subtree()  # its "end" event still comes, and adds the tail
                continue
            keys = el.keys()  # `_hidden` reads attributes most elements do not have
            if (
                keys
                and ("style" in keys or "hidden" in keys or "aria-hidden" in keys)
                and _hidden(el)
            ):
                if action >= _BLOCK:  # a block, heading, quote, item or list: an edge
                    flush()
                    open_actions[-1] = _BLOCK
                else:
                    open_actions[-1] = _SKIPPED
                walker.skip_subtree()
                continue
            if action == _INLINE:
                pass
            elif action == _BLOCK:
                flush()
            elif action == _ANCHOR:
                if self.in_list:
                    self.link(el)
            elif action == _FIGURE:
                photo = _figure(el, self.base)
                if photo:
                    self.photo(photo)
                walker.skip_subtree()
                continue
            elif action == _IMG:
                self.image(el)
                continue
            elif action == _HEADING:
                flush()
                kind_stack.append("subhead")
            elif action == _QUOTE:
                flush()
                kind_stack.append("quote")
            elif action == _ITEM:
                flush()
                self.anchors.clear()
            else:  # _LIST
                flush()
                self.in_list += 1
            if text := el.text:
                append(text)
        flush()


# Unterminated comments and scripts run to the end (as in browsers) and a tag stops at the
# next "<": otherwise 100,000 unclosed "<!--" or "<a " cost quadratic time (EXPECTATIONS H04).
_TAGS = re.compile(
    r"<(script|style)\b.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)|<[^<>]{0,2000}>", re.I | re.S
)


def _plain_fallback(markup: str) -> HtmlContent:
    """Text of markup libxml2 refused (too deep): tags stripped, never a blank article."""
    import html as std_html

    text = std_html.unescape(_TAGS.sub(" ", markup[: 2 * 1024 * 1024]))
    out = HtmlContent()
    for para in re.split(r"\n\s*\n", text):
        para = clean_text(_WS.sub(" ", para))
        if para:
            out.blocks.append(Block(kind="paragraph", text=para))
    return out


def parse_html_document(markup: str | bytes, base: str | None = None) -> etree._Element | None:
    """A whole HTML page as a tree (for article extraction); None when nothing parses."""
    try:
        root = lxml_html.document_fromstring(markup, parser=html_parser())
    except (etree.ParserError, ValueError):
        return None
    return root


def html_to_content(markup: str | None, base: str | None = None) -> HtmlContent:
    """Blocks, photos and list links of an HTML fragment (a feed body, a ninjs body_html)."""
    if not markup or not markup.strip():
        return HtmlContent()
    if "<" not in markup:
        out = HtmlContent()
        import html as std_html

        for para in re.split(r"\n\s*\n", std_html.unescape(markup)):
            text = clean_text(para.replace("\n", " "))
            if text:
                out.blocks.append(Block(kind="paragraph", text=text))
        return out
    try:
        root = parse_fragment(markup)
    except (etree.ParserError, ValueError):
        return _plain_fallback(markup)
    return element_to_content(root, base, markup)


def element_to_content(root: etree._Element, base: str | None, source: str = "") -> HtmlContent:
    """Walk an already-parsed element; fall back to plain text if libxml2 dropped the body."""
    builder = _Builder(base)
    builder.walk(root)
    if not builder.out.blocks and source and len(source) > 200:
        return _plain_fallback(source)
    return builder.out
