"""HTML fragments and pages to body blocks, photos and related links.

Feed bodies, ninjs ``body_html``, XHTML in NewsML-G2 and article pages all arrive as
HTML. The reader does not render HTML: it shows blocks (paragraphs, subheads, quotes,
photos), so this walks the tree once, keeps visible text, and drops everything active
(scripts, styles, forms, frames, SVG, comments, hidden elements). The walk is iterative:
100,000 nested ``<div>``\\s cannot exhaust the stack (EXPECTATIONS H03, A02), and when
libxml2 gives up on depth and returns nothing, a plain-text fallback runs so an article
is never silently blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from wirereader.model import Block, BlockKind, Photo, Related
from wirereader.sanitize import clean_line, clean_text, safe_url

#: Elements whose whole subtree is never shown.
_SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "form",
        "input",
        "button",
        "select",
        "textarea",
        "option",
        "svg",
        "math",
        "canvas",
        "audio",
        "video",
        "source",
        "track",
        "map",
        "area",
        "head",
        "title",
        "meta",
        "link",
        "base",
        "nav",
        "footer",
        "aside",
    ]
)
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
_CREDIT_CLASS = re.compile(r"credit|copyright|byline|author|source", re.I)
_CAPTION_CREDIT = re.compile(
    r"\s*[(\[]?\s*(?:photos?|foto|ảnh|crédit(?:\s+photo)?|credit|image)\s*:\s*"
    r"(?P<credit>[^()\[\]|]{2,80}?)\s*[)\]]?\s*\|?\s*$",
    re.I,
)
_MAX_BLOCKS = 5000
_WS = re.compile(r"\s+")


@dataclass
class HtmlContent:
    """What an HTML fragment holds, in reading order."""

    blocks: list[Block] = field(default_factory=list)
    photos: list[Photo] = field(default_factory=list)
    links: list[Related] = field(default_factory=list)


def split_credit(caption: str) -> tuple[str, str]:
    """``"Leaders meet in Minsk. Photo: AFP"`` -> ``("Leaders meet in Minsk.", "AFP")``."""
    m = _CAPTION_CREDIT.search(caption)
    if not m or m.start() == 0:
        return caption, ""
    return caption[: m.start()].rstrip(" -–—|"), m.group("credit").strip()


def _hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _image_url(img: etree._Element, base: str | None) -> str | None:
    for attr in ("src", "data-src", "data-original"):
        url = safe_url(img.get(attr), base)
        if url:
            return url
    return None


def _tiny(img: etree._Element) -> bool:
    """Tracking pixels and spacers are not photos."""
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().rstrip("px")
        if value.isdigit() and int(value) <= 2:
            return True
    return False


def _int_attr(el: etree._Element, name: str) -> int | None:
    value = (el.get(name) or "").strip().rstrip("px")
    return int(value) if value.isdigit() and len(value) < 6 else None


def _text_of(el: etree._Element) -> str:
    """Visible text of a small subtree (a caption, a link), iteratively."""
    parts: list[str] = []
    walker = etree.iterwalk(el, events=("start", "end"))
    for event, node in walker:
        if not isinstance(node.tag, str):
            continue
        if event == "start":
            if node is not el and (node.tag in _SKIP or _hidden(node)):
                walker.skip_subtree()
                continue
            if node.text:
                parts.append(node.text)
        elif node is not el and node.tail:
            parts.append(node.tail)
    return "".join(parts)


def _figure(fig: etree._Element, base: str | None) -> Photo | None:
    img = next(iter(fig.iter("img")), None)
    url = _image_url(img, base) if img is not None else None
    caption_el = next(iter(fig.iter("figcaption")), None)
    credit = ""
    caption = ""
    # The credit may sit inside the figcaption or beside it (TT: <div class="byline">).
    for el in fig.iter():
        if (
            isinstance(el.tag, str)
            and el is not fig
            and el is not caption_el
            and _CREDIT_CLASS.search(el.get("class") or "")
            and (credit := clean_line(_text_of(el), 300))
        ):
            parent = el.getparent()
            if parent is not None:
                if el.tail:  # keep caption text that followed the credit
                    prev = el.getprevious()
                    if prev is not None:
                        prev.tail = (prev.tail or "") + el.tail
                    else:
                        parent.text = (parent.text or "") + el.tail
                parent.remove(el)
            break
    if caption_el is not None:
        caption = clean_line(_text_of(caption_el))
    elif img is not None:
        caption = clean_line(img.get("alt") or img.get("title"))
    if not credit:
        caption, credit = split_credit(caption)
    if not url and not caption:
        return None
    return Photo(
        caption=caption,
        credit=clean_line(credit, 300),
        url=url,
        width=_int_attr(img, "width") if img is not None else None,
        height=_int_attr(img, "height") if img is not None else None,
    )


class _Builder:
    def __init__(self, base: str | None) -> None:
        self.base = base
        self.out = HtmlContent()
        self.buffer: list[str] = []
        self.kind_stack: list[BlockKind] = []
        self.in_list = 0
        #: Anchor text of the list item being read: an item that is only a link is a
        #: related headline, listed once in the related pane, not again in the body.
        self.item_link: Related | None = None

    def flush(self, kind: BlockKind | None = None) -> None:
        text = clean_text(_WS.sub(" ", "".join(self.buffer)))
        self.buffer.clear()
        if not text or len(self.out.blocks) >= _MAX_BLOCKS:
            return
        if kind is None:
            kind = "quote" if "quote" in self.kind_stack else "paragraph"
        self.out.blocks.append(Block(kind=kind, text=text))

    def photo(self, photo: Photo) -> None:
        self.flush()
        self.out.photos.append(photo)
        self.out.blocks.append(Block(kind="photo", photo=len(self.out.photos) - 1))

    def link(self, el: etree._Element) -> None:
        url = safe_url(el.get("href"), self.base)
        text = clean_line(_text_of(el), 500)
        if url and text:
            self.item_link = Related(headline=text, url=url)

    def end_item(self) -> None:
        """Close a list item. One that is nothing but a link is a related headline: it goes
        to the related list (once) rather than into the body."""
        link = self.item_link
        if link is not None and clean_line("".join(self.buffer)) == link.headline:
            self.buffer.clear()
            if all(r.url != link.url for r in self.out.links):
                self.out.links.append(link)
        self.item_link = None
        self.flush()

    def walk(self, root: etree._Element) -> None:
        walker = etree.iterwalk(root, events=("start", "end"))
        for event, el in walker:
            tag = el.tag if isinstance(el.tag, str) else None
            if tag is None:  # comments, processing instructions
                if event == "end" and el.tail:
                    self.buffer.append(el.tail)
                continue
            tag = tag.lower()
            if event == "start":
                if tag in _SKIP or _hidden(el):
                    walker.skip_subtree()  # its "end" event still comes, and adds the tail
                    continue
                if tag == "figure":
                    photo = _figure(el, self.base)
                    if photo:
                        self.photo(photo)
                    walker.skip_subtree()
                    continue
                if tag == "img":
                    if not _tiny(el) and (url := _image_url(el, self.base)):
                        caption, credit = split_credit(clean_line(el.get("alt") or el.get("title")))
                        self.photo(
                            Photo(
                                caption=caption,
                                credit=credit,
                                url=url,
                                width=_int_attr(el, "width"),
                                height=_int_attr(el, "height"),
                            )
                        )
                    continue
                if tag in _HEADINGS:
                    self.flush()
                    self.kind_stack.append("subhead")
                elif tag == "blockquote":
                    self.flush()
                    self.kind_stack.append("quote")
                elif tag in _BLOCKS:
                    self.flush()
                if tag == "li":
                    self.item_link = None
                if tag in ("ul", "ol"):
                    self.in_list += 1
                if tag == "a" and self.in_list:
                    self.link(el)
                if el.text:
                    self.buffer.append(el.text)
            else:
                if tag in _HEADINGS:
                    self.flush("subhead")
                    self.kind_stack.pop()
                elif tag == "blockquote":
                    self.flush("quote")
                    self.kind_stack.pop()
                elif tag == "li":
                    self.end_item()
                elif tag in _BLOCKS:
                    self.flush()
                if tag in ("ul", "ol"):
                    self.in_list -= 1
                if el is not root and el.tail:
                    self.buffer.append(el.tail)
        self.flush()


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


def _parser() -> lxml_html.HTMLParser:
    return lxml_html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, recover=True
    )


def parse_html_document(markup: str | bytes, base: str | None = None) -> etree._Element | None:
    """A whole HTML page as a tree (for article extraction); None when nothing parses."""
    try:
        root = lxml_html.document_fromstring(markup, parser=_parser())
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
        root = lxml_html.fragment_fromstring(markup, create_parent="div", parser=_parser())
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
