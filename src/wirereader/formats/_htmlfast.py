"""Shortcuts for the HTML walk (`wirereader.formats.html`) that give what they replace.

Every feed body is parsed and walked, and every text run in it (~20 per item) cleaned;
these did most of the work of a refresh. The text functions return text that is already
clean (short printable text with single spaces: nearly all of it) as it is and hand
anything else to the sanitizer, so the result is always the sanitizer's own; fragments
are parsed as ``lxml.html.fragment_fromstring`` parses them, with less around it.
tests/test_html_speed_equivalence.py holds the facts this rests on.
"""

from __future__ import annotations

import re
import threading

from lxml import etree
from lxml import html as lxml_html

from wirereader.sanitize import MAX_BODY, MAX_LINE, clean_line, clean_text

#: Any run of whitespace in a block, which becomes one space.
WS = re.compile(r"\s+")


def clean_block_text(raw: str) -> str:
    """``clean_text(WS.sub(" ", raw))``: the text of one block, whitespace collapsed.

    Every block of every body passes here, and almost every one is printable text (no
    control, format or separator character), where the only whitespace is the ASCII
    space: most need no collapsing at all, and printable ASCII leaves `clean_text`
    nothing to do. The ``\\s+`` substitution cost more than the rest of the walk.
    Anything else (newlines, controls, a huge block) takes the old path.
    """
    if not raw.isprintable() or len(raw) > MAX_BODY:
        return clean_text(WS.sub(" ", raw))
    if "  " in raw or raw.startswith(" ") or raw.endswith(" "):
        raw = " ".join(raw.split())
    # clean_text strips, so the edge spaces \\s+ would have left make no difference.
    return raw if raw.isascii() else clean_text(raw)


def quick_clean_line(text: str | None, limit: int = MAX_LINE) -> str:
    """``clean_line(text, limit)``, returning at once the text it would leave as it is.

    That is short printable ASCII with single spaces between words (most captions,
    anchor texts and headlines), for which `clean_line` still runs a substitution.
    """
    if (
        text
        and len(text) <= limit
        and text.isascii()
        and text.isprintable()
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
    ):
        return text
    return clean_line(text, limit)


def html_parser() -> lxml_html.HTMLParser:
    """A fresh lxml.html parser: comments, processing instructions and the network off."""
    return lxml_html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, recover=True
    )


#: lxml.html's test for a whole page, which `lxml.html.fragment_fromstring` does not wrap.
_WHOLE_PAGE = re.compile(r"^\s*<(?:html|!doctype)", re.I)
_per_thread = threading.local()


def _fragment_parser() -> etree.HTMLParser:
    """The parser for feed bodies: one per thread, reused (building one costs more than
    parsing a typical body), and plain lxml elements: ``lxml.html``'s element classes
    cost a Python lookup for every element the walk touches."""
    parser: etree.HTMLParser | None = getattr(_per_thread, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(
            remove_comments=True, remove_pis=True, no_network=True, recover=True
        )
        _per_thread.parser = parser
    return parser


def parse_fragment(markup: str) -> etree._Element:
    """``lxml.html.fragment_fromstring(markup, create_parent="div")``, the same tree.

    That function parses the same wrapped document, then moves every child of its body
    into a new ``<div>``; renaming the body in place is cheaper. Whole pages and
    anything unusual go to lxml.html itself.
    """
    root: etree._Element
    if _WHOLE_PAGE.match(markup):
        root = lxml_html.fragment_fromstring(markup, create_parent="div", parser=html_parser())
        return root
    doc = etree.fromstring(f"<html><body>{markup}</body></html>", _fragment_parser())
    if doc is None:
        raise etree.ParserError("Document is empty")
    bodies = [e for e in doc if e.tag == "body"]
    if doc.tag != "html" or len(bodies) != 1:
        root = lxml_html.fragment_fromstring(markup, create_parent="div", parser=html_parser())
        return root
    root = bodies[0]
    if root.text is not None and not root.text.strip():
        root.text = None  # lxml.html keeps leading text only when it is not blank
    if root.keys():
        root.attrib.clear()
    root.tag = "div"
    return root
