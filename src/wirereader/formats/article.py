"""Article pages: the web page behind a related headline or a summary-only feed item.

Reads JSON-LD ``NewsArticle`` and OpenGraph metadata where present (they are what news
sites maintain for search engines, so they are the most reliable headline, date and
byline), and the body from ``<article>``, ``<main>`` or, failing those, ``<body>``,
through the same HTML walker as feed bodies. Nothing on the page is followed: no meta
refresh, no ``<base>``, no canonical redirect, no image fetch (EXPECTATIONS A01).
"""

from __future__ import annotations

import json
import re

from lxml import etree

from wirereader.formats.common import fallback_guid, headline_signals, parse_date, split_dateline
from wirereader.formats.html import element_to_content, parse_html_document
from wirereader.model import Block, Dispatch, FormatError, ParseResult, Photo
from wirereader.sanitize import clean_line, safe_url

_NEWS_TYPES = {
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "blogposting",
}
MAX_JSONLD = 512 * 1024


def _decode(data: bytes, charset: str | None) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    m = re.search(rb"<meta[^>]+charset=[\"']?([\w\-]{2,20})", data[:4096], re.I)
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="replace")


def _jsonld(root: etree._Element) -> dict[str, object]:
    """The first JSON-LD object that describes an article, flattened out of @graph lists."""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        if len(script.text) > MAX_JSONLD:
            continue
        try:
            data = json.loads(script.text)
        except (ValueError, RecursionError):
            continue
        stack: list[object] = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node[:50])
            elif isinstance(node, dict):
                kind = node.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if any(isinstance(k, str) and k.lower() in _NEWS_TYPES for k in kinds):
                    return node
                if isinstance(node.get("@graph"), list):
                    stack.extend(node["@graph"][:50])
    return {}


def _meta(root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key and key not in out and meta.get("content"):
            out[key] = meta.get("content") or ""
    return out


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("caption") or "")
    if isinstance(value, list):
        return ", ".join(t for t in (_text(v) for v in value[:10]) if t)
    return ""


def parse(data: bytes, url: str | None, *, charset: str | None = None) -> ParseResult:
    """Extract one dispatch from an article page."""
    markup = _decode(data, charset)
    root = parse_html_document(markup)
    if root is None:
        raise FormatError("could not read the page as HTML")
    ld = _jsonld(root)
    meta = _meta(root)
    title_el = next(iter(root.iter("title")), None)
    h1 = next(iter(root.iter("h1")), None)
    headline = clean_line(
        _text(ld.get("headline"))
        or meta.get("og:title")
        or (etree.tostring(h1, method="text", encoding="unicode") if h1 is not None else "")
        or (title_el.text if title_el is not None else "")
    )
    container = None
    for tag in ("article", "main", "body"):
        container = next(iter(root.iter(tag)), None)
        if container is not None:
            break
    # The markup goes along: when libxml2 gives up on depth and the tree comes back
    # empty, the walker falls back to plain text rather than a blank article (A02).
    content = element_to_content(container if container is not None else root, url, markup)
    blocks = list(content.blocks)
    # The page's own headline usually opens the article: don't show it twice.
    if blocks and blocks[0].kind in ("subhead", "paragraph") and blocks[0].text == headline:
        blocks.pop(0)
    photos = list(content.photos)
    image = safe_url(meta.get("og:image"), url)
    if image and all(p.url != image for p in photos):
        photos.insert(0, Photo(caption=clean_line(meta.get("og:image:alt")), url=image))
        blocks = [Block(kind="photo", photo=0)] + [
            Block(kind=b.kind, text=b.text, photo=None if b.photo is None else b.photo + 1)
            for b in blocks
        ]
    if not headline and not any(b.text for b in blocks):
        raise FormatError("could not extract an article from the page")
    dateline = ""
    for i, block in enumerate(blocks):
        if block.kind == "paragraph":
            dateline, rest = split_dateline(block.text)
            if dateline:
                blocks[i] = Block(kind="paragraph", text=rest)
            break
    canonical = safe_url(url)
    urgency, signals = headline_signals(headline)
    dispatch = Dispatch(
        guid=canonical or fallback_guid("article", headline),
        headline=headline or "(untitled)",
        url=canonical,
        first_created=parse_date(
            _text(ld.get("datePublished")) or meta.get("article:published_time")
        ),
        version_created=parse_date(
            _text(ld.get("dateModified")) or meta.get("article:modified_time")
        ),
        byline=clean_line(_text(ld.get("author")) or meta.get("author"), 300),
        language=clean_line(root.get("lang") or _text(ld.get("inLanguage")), 20),
        summary=clean_line(meta.get("og:description") or meta.get("description"), 2000),
        dateline=clean_line(dateline),
        urgency=urgency,
        signals=signals,
        body=tuple(blocks),
        photos=tuple(photos),
        related=tuple(content.links[:30]),
        format="article",
    )
    return ParseResult(format="article", dispatches=[dispatch], title=headline, link=canonical)
