"""The shortcuts in formats/html.py give exactly what the sanitizer calls they skip give.

The HTML walk runs on every block of every body, so it avoids `clean_text`, `clean_line`
and the ``\\s+`` substitution where they could not change the text, and parses fragments
without lxml.html's wrapper. Each shortcut rests on a fact about Python's Unicode tables or
about sanitize.py; these tests hold those facts, so a change on either side fails here
rather than silently changing output.
"""

from __future__ import annotations

import random
import sys

import pytest
from lxml import etree
from lxml import html as lxml_html

from wirereader.formats._htmlfast import (
    WS,
    clean_block_text,
    html_parser,
    parse_fragment,
    quick_clean_line,
)
from wirereader.formats.html import html_to_content
from wirereader.sanitize import _NEEDS_SCRUB, clean_line, clean_text

# Characters that exercise every branch: whitespace of all kinds, controls and escape
# sequences, spoofing and invalid characters, combining marks (zalgo runs), scripts.
_ALPHABET = [
    "a",
    "Z",
    "1",
    ".",
    " ",
    " ",
    "  ",
    "\t",
    "\n",
    "\r",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x85",
    "\xa0",
    "\u2003",
    "\u3000",
    "\u2028",
    "\x00",
    "\x07",
    "\x1b",
    "\x1b[31m",
    "\x1b]0;x\x07",
    "\x9b",
    "\x7f",
    "\u200b",
    "\u202e",
    "\ufeff",
    "\u3164",
    "\U000e0041",
    "\ud800",
    "\ufffe",
    "e\u0301",
    "\u0301\u0302\u0303\u0304\u0305\u0306",
    "é",
    "ß",
    "ệ",
    "中文",
    "한",
    "\u1100\u1161",
    "ا\u064b",
    "…",
]


def _samples(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = ["", " ", "a", " a ", "a  b", "plain text.", "ascii  double", "\n\n\n"]
    for _ in range(count):
        out.append("".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 12))))
    return out


def test_printable_whitespace_is_only_the_space() -> None:
    """`clean_block_text` collapses printable text by looking for spaces only, and relies on
    ``str.split`` and the ``\\s`` class agreeing on what whitespace is."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char.isspace():
            assert WS.fullmatch(char), hex(code)
            assert char == " " or not char.isprintable(), hex(code)
    assert not any(WS.fullmatch(chr(c)) and not chr(c).isspace() for c in range(0x3100))


def test_printable_ascii_needs_no_scrubbing() -> None:
    """Printable ASCII is returned as it is: the sanitizer must have nothing to remove."""
    for code in range(0x20, 0x7F):
        assert not _NEEDS_SCRUB.search(chr(code)), hex(code)


@pytest.mark.parametrize("seed", range(4))
def testclean_block_text_is_clean_text_of_collapsed_text(seed: int) -> None:
    for raw in _samples(2500, seed):
        assert clean_block_text(raw) == clean_text(WS.sub(" ", raw)), repr(raw)


@pytest.mark.parametrize("limit", [3, 10, 35, 4096])
def test_quick_clean_line_is_clean_line(limit: int) -> None:
    for text in [None, *_samples(2000, limit)]:
        assert quick_clean_line(text, limit) == clean_line(text, limit), repr(text)


_FRAGMENTS = [
    "<p>one</p><p>two</p>",
    "lead text <b>bold</b> tail",
    "   \n <p>blank lead</p>  trailing ",
    "<body hidden><p>x</p></body>",
    '<body style="display:none" class="c">text<p>y</p></body>',
    "<html><head><title>t</title></head><body><p>page</p></body></html>",
    "  <!DOCTYPE html><p>doctype</p>",
    "<head><title>t</title></head><p>after head</p>",
    "<title>t</title><p>x</p>",
    "<p>a<!-- comment -->b<?pi x?>c</p>",
    "<table><tr><td>cell</td></tr></table>tail",
    "<frameset><frame src=x></frameset>",
    "text &amp; &lt;entities&gt; &#233;",
    "<ul><li><a href='/x'>Related</a></li></ul>",
    "</body></html><p>late</p>",
    "<p>unterminated <b>bold <i>italic",
]


@pytest.mark.parametrize("markup", _FRAGMENTS)
def test_parse_fragment_builds_lxml_html_tree(markup: str) -> None:
    expected = lxml_html.fragment_fromstring(markup, create_parent="div", parser=html_parser())
    got = parse_fragment(markup)
    assert etree.tostring(got, with_tail=False) == etree.tostring(expected, with_tail=False)


def test_hidden_and_skipped_elements_keep_their_tails() -> None:
    content = html_to_content(
        "<p>a <span hidden>no</span>b <script>x()</script>c "
        "<span style='DISPLAY: none'>no</span>d</p>"
    )
    assert [b.text for b in content.blocks] == ["a b c d"]


def test_list_item_links_are_related_only_when_the_item_is_the_link() -> None:
    """The related link is the item's last anchor with text and a safe URL."""
    content = html_to_content(
        "<ul><li><a href='https://x.example/1'>One</a></li>"
        "<li><a href='https://x.example/2'>Two</a> and more</li>"
        "<li><a href='javascript:x'>Bad</a></li>"
        "<li><a href='https://x.example/3'>Three</a> <a href='javascript:y'></a></li>"
        "<li><a href='https://x.example/4'>Fi</a><a href='javascript:z'>ve</a></li></ul>",
        "https://x.example/",
    )
    assert [(r.headline, r.url) for r in content.links] == [
        ("One", "https://x.example/1"),
        ("Three", "https://x.example/3"),
    ]
    assert [b.text for b in content.blocks] == ["Two and more", "Bad", "Five"]
