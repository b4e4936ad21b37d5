"""`read_media_item` walks an item once, and reads exactly what the four-walk version read.

The reference (tests/mediarss_reference.py) is the code before the rewrite. Both run on
generated items: groups, contents nested in contents, thumbnails at any depth, credits and
captions at every level, HTML captions, empty texts, comments, foreign namespaces with the
same local names, both spellings of the Media RSS namespace, hostile URLs and sizes.
"""

from __future__ import annotations

import random
from typing import Any

from lxml import etree

from tests.mediarss_reference import local, reference_read_media_item
from wirereader.formats._mediarss import read_media, read_media_item

NAMESPACES = [
    "http://search.yahoo.com/mrss/",
    "http://search.yahoo.com/mrss",
    "http://other.example/",
    None,
]
TEXTS = [
    None, "", " ", "A caption.", "Talks in Geneva (Photo: Jane Roe/AP)", "Jane Roe / Reuters",
    "x\x9b31my\x85", "\u202eevil", "日本語のキャプション", "e\u0301" * 3, "  spaced   out  ",
    "<b>bold</b> &amp; more", "Caption. Photo by A. Person",
]  # fmt: skip
URLS = [
    None, "", "https://img.example/a.jpg", "https://img.example/a.JPG?w=1", "/rel/b.png",
    "https://img.example/v.mp4", "javascript:alert(1)", "https://u:p@img.example/c.jpg",
    "http://例え.jp/d.webp", "https://img.example/noext", "https://img.example:99999/e.gif",
]  # fmt: skip
MEDIUMS = [None, "", "image", "IMAGE", "video"]
TYPES = [None, "", "image/jpeg", "IMAGE/PNG", "video/mp4", "text/html", "html", "plain"]
SIZES = [None, "", "640", "1600", "12a", "1234567", "0"]


def _tag(rng: random.Random, name: str) -> str:
    ns = rng.choice(NAMESPACES) if rng.random() < 0.4 else NAMESPACES[0]
    return f"{{{ns}}}{name}" if ns else name


def _set(rng: random.Random, el: Any, key: str, values: list[str | None]) -> None:
    value = rng.choice(values)
    if value is not None:
        el.set(key, value)


def _text(rng: random.Random, el: Any) -> None:
    el.text = rng.choice(TEXTS)
    if rng.random() < 0.1:  # markup inside: itertext() and .text differ
        etree.SubElement(el, "b").text = rng.choice(TEXTS)
    if rng.random() < 0.2:
        el.set("type", rng.choice(["html", "plain", "text"]))


def _media(rng: random.Random, parent: Any, depth: int) -> None:
    """Add one random Media RSS (or look-alike) element under ``parent``."""
    name = rng.choice(
        ["content", "content", "thumbnail", "group", "credit", "description", "title", "x"]
    )
    if name == "x":
        parent.append(etree.Comment(" a comment "))
        return
    el = etree.SubElement(parent, _tag(rng, name))
    if name in ("content", "thumbnail"):
        _set(rng, el, "url", URLS)
        _set(rng, el, "medium", MEDIUMS)
        _set(rng, el, "type", TYPES)
        _set(rng, el, "width", SIZES)
        _set(rng, el, "height", SIZES)
    elif name in ("credit", "description", "title"):
        _text(rng, el)
    if name in ("content", "group", "thumbnail") and depth < 3:
        for _ in range(rng.randint(0, 4)):
            _media(rng, el, depth + 1)


def _item(rng: random.Random) -> Any:
    item = etree.Element(rng.choice(["item", "{http://www.w3.org/2005/Atom}entry"]))
    for _ in range(rng.randint(0, 12)):
        kind = rng.random()
        if kind < 0.25:
            name = rng.choice(["guid", "id", "link", "description", "title", "pubDate"])
            ns = rng.choice([None, None, "http://www.w3.org/2005/Atom"])
            child = etree.SubElement(item, f"{{{ns}}}{name}" if ns else name)
            child.text = rng.choice(TEXTS)
            if name == "link" and rng.random() < 0.3:
                child.set("href", rng.choice([u for u in URLS if u is not None]))
        elif kind < 0.3:
            item.append(etree.ProcessingInstruction("pi", "x"))
        else:
            _media(rng, item, 0)
    return item


def test_read_media_item_matches_reference_on_generated_items() -> None:
    rng = random.Random(53)
    photos = 0
    for _ in range(4_000):
        item = _item(rng)
        base = rng.choice([None, "https://feed.example/rss", "file:///etc/"])
        got = read_media_item(item, base)
        assert got == reference_read_media_item(item, base), etree.tostring(item)
        photos += len(got.photos)
    assert photos > 1_000  # the generator does produce pictures


def test_read_media_finds_the_same_items() -> None:
    rng = random.Random(9)
    root = etree.Element("rss")
    channel = etree.SubElement(root, "channel")
    for _ in range(60):
        parent = rng.choice([channel, root, channel])
        parent.append(_item(rng))
        if rng.random() < 0.2:  # Media RSS's own "item"-named element is not an item
            etree.SubElement(parent, "{http://search.yahoo.com/mrss/}item")
    data = etree.tostring(root)
    expected = [
        reference_read_media_item(el, None)
        for el in root.iter()
        if local(el)[1] in ("item", "entry") and "search.yahoo.com/mrss" not in local(el)[0]
    ]
    assert read_media(data, None) == expected
