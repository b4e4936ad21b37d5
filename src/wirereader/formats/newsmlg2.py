"""IPTC NewsML-G2 to dispatches: newsItem, packageItem and newsMessage.

A G2 document may be one item, a package pointing at items, or a message carrying a
package *and* the items it points at (TT sends a story this way: a package, the text
item, and its picture as a separate item with only a caption). A reader wants one
dispatch with its photo there, not three rows, so a message's package is resolved
against the items it carries. Concept, knowledge, catalog and planning items describe
the news rather than being news: they are refused with a message saying which they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lxml import etree

from wirereader.formats._g2_meta import Meta, read_meta
from wirereader.formats._wire import (
    Body,
    Rendition,
    best_image,
    headline_from_text,
    merge_photos,
    nitf_to_content,
    parse_xml,
    photo,
    text_blocks,
    text_of,
    tidy_body,
    to_int,
    xhtml_to_content,
)
from wirereader.formats.common import MAX_ITEMS, clean_guid, fallback_guid, headline_signals
from wirereader.formats.html import HtmlContent
from wirereader.model import Block, Dispatch, FormatError, ParseResult, Photo, Related
from wirereader.sanitize import clean_line, clean_text, safe_url

_ITEMS = ("newsItem", "packageItem")
_PICTURES = frozenset({"picture", "graphic"})
_MEDIA = _PICTURES | {"video", "audio"}


@dataclass
class _Read:
    """One item of the document as read, before a message's packages are resolved."""

    tag: str
    meta: Meta
    dispatch: Dispatch | None
    own_photo: Photo | None = None
    refs: list[Related] = field(default_factory=list)


def parse(data: bytes, url: str | None) -> ParseResult:
    """Parse a NewsML-G2 document; FormatError when it holds no news item."""
    root = parse_xml(data)
    name = clean_line(str(root.tag), 60)
    if root.tag == "newsMessage":
        children = [el for el in root.iterfind("itemSet/*") if isinstance(el.tag, str)]
        items = [el for el in children if el.tag in _ITEMS]
        if not items:
            kinds = sorted({clean_line(str(el.tag), 60) for el in children}) or ["no items"]
            raise FormatError(f"no news item in this document: newsMessage of {', '.join(kinds)}")
    elif root.tag in _ITEMS:
        items = [root]
    else:
        raise FormatError(f"no news item in this document: {name}")

    result = ParseResult(format="newsml-g2")
    if len(items) > MAX_ITEMS:
        result.warnings.append(f"more than {MAX_ITEMS} items: the rest were skipped")
    reads = [_read(el, url) for el in items[:MAX_ITEMS]]
    absorbed = _resolve_packages(reads, url)
    seen: set[str] = set()
    skipped = 0
    for read in reads:
        if id(read) in absorbed:
            continue
        if read.dispatch is None:
            skipped += 1
        elif read.dispatch.guid not in seen:
            seen.add(read.dispatch.guid)
            result.dispatches.append(read.dispatch)
    if not result.dispatches:
        what = "has no item with a" if root.tag == "newsMessage" else "has no"
        raise FormatError(f"no news item in this document: {name} {what} headline or text")
    if skipped:
        result.warnings.append(f"{skipped} items without headline or text skipped")
    return result


def _read(el: etree._Element, base: str | None) -> _Read:
    meta = read_meta(el, base)
    if el.tag == "packageItem":
        refs = _refs(el, base)
        headline = meta.headline or meta.title
        dispatch = _dispatch(meta, headline, Body([], []), refs, base) if headline else None
        return _Read(el.tag, meta, dispatch, refs=refs)

    content, nitf_head = _content(el, base)
    renditions = _renditions(el, base)
    first = next((b.text for b in content.blocks if b.text), "") if content else ""
    headline = (
        meta.headline or nitf_head[0] or headline_from_text(meta.caption, meta.summary, first)
    )
    body = tidy_body(content, headline, meta.dateline or nitf_head[2])
    meta.byline = meta.byline or nitf_head[1]
    own: Photo | None = None
    if meta.item_class in _MEDIA:
        caption = meta.caption or (meta.summary if meta.item_class in _PICTURES else "")
        credit = meta.creditline or meta.byline or meta.creator
        image = best_image(renditions)
        if meta.item_class in _PICTURES or image is not None:
            own = photo(caption, credit, image, base)
            merge_photos(body, [own])
        elif caption and not body.blocks:
            body.blocks.append(Block(kind="paragraph", text=clean_text(caption)))
        meta.creditline = meta.creditline or clean_line(credit, 300)
    related = list(meta.see_also)
    if content:
        related.extend(r for r in content.links if r not in related)
    dispatch = _dispatch(meta, headline, body, related, base) if headline else None
    return _Read(el.tag, meta, dispatch, own_photo=own)


def _dispatch(
    meta: Meta, headline: str, body: Body, related: list[Related], base: str | None
) -> Dispatch:
    urgency, signals = headline_signals(headline)
    guid = meta.guid or fallback_guid(
        base, headline, meta.version_created.isoformat() if meta.version_created else None
    )
    return Dispatch(
        guid=guid,
        headline=clean_line(headline),
        url=meta.url,
        version=meta.version,
        version_created=meta.version_created,
        first_created=meta.first_created,
        urgency=meta.urgency or urgency,
        pub_status=meta.pub_status,
        embargoed_until=meta.embargoed_until,
        signals=tuple(dict.fromkeys([*meta.signals, *signals])),
        slugline=meta.slugline,
        dateline=body.dateline or meta.dateline,
        located=meta.located,
        byline=clean_line(meta.byline or meta.creator, 500),
        language=meta.language,
        ednote=meta.ednote,
        creditline=meta.creditline,
        summary=meta.summary,
        body=tuple(body.blocks),
        photos=tuple(body.photos),
        related=tuple(related),
        credit_chain=meta.credit_chain,
        format="newsml-g2",
    )


def _content(
    item: etree._Element, base: str | None
) -> tuple[HtmlContent | None, tuple[str, str, str]]:
    """The body from ``contentSet``: NITF or XHTML inline, else inline text.

    Returns the content and what an NITF head said: (headline, byline, dateline).
    Other inline XML (SportsML, event lists) is data for other tools, not prose.
    """
    for inline in item.iterfind("contentSet/inlineXML"):
        for child in inline:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "nitf":
                nitf = nitf_to_content(child, base)
                if nitf.content.blocks:
                    return nitf.content, (nitf.headline, nitf.byline, nitf.dateline)
            elif child.tag in ("html", "body", "div", "article", "section", "p"):
                content = xhtml_to_content(child, base)
                if content.blocks:
                    return content, ("", "", "")
    for inline in item.iterfind("contentSet/inlineData"):
        blocks = text_blocks(inline.text)
        if blocks:
            return HtmlContent(blocks=blocks), ("", "", "")
    return None, ("", "", "")


def _renditions(item: etree._Element, base: str | None) -> list[Rendition]:
    """Remote renditions (a picture's files) plus the icon a video item shows."""
    out = [
        Rendition(
            href=safe_url(el.get("href"), base),
            mime=(el.get("contenttype") or "").lower(),
            width=to_int(el.get("width"), 1, 100_000),
            height=to_int(el.get("height"), 1, 100_000),
            name=el.get("rendition") or "",
        )
        for el in item.findall("contentSet/remoteContent")[:100]
    ]
    for icon in item.findall("contentMeta/icon")[:5]:
        out.append(
            Rendition(
                href=safe_url(icon.get("href"), base),
                mime=(icon.get("contenttype") or "image/").lower(),
                width=to_int(icon.get("width"), 1, 100_000),
                height=to_int(icon.get("height"), 1, 100_000),
            )
        )
    return out


def _refs(package: etree._Element, base: str | None) -> list[Related]:
    """A package's itemRefs in document order, as related headlines.

    An itemRef without a title keeps an empty headline here: a message may carry the
    item it points at, whose headline `_resolve_packages` fills in.
    """
    out: list[Related] = []
    for ref in package.iterfind("groupSet//itemRef"):
        if len(out) >= MAX_ITEMS:
            break
        headline = text_of(ref.find("title")) or text_of(ref.find("headline"))
        guid = clean_guid(ref.get("residref")) or None
        url = safe_url(ref.get("href"), base)
        if guid or url:
            out.append(Related(headline=headline, url=url, guid=guid))
    return out


def _resolve_packages(reads: list[_Read], base: str | None) -> set[int]:
    """Join a message's packages with the items it carries; return the reads absorbed.

    Pictures referenced by a package next to a text item become that text's photos.
    A package with no headline of its own was only the wrapper of the items carried
    with it, so it is not shown; sent alone, it is shown under its lead item's title.
    """
    by_guid = {r.meta.guid: r for r in reads if r.meta.guid and r.tag == "newsItem"}
    absorbed: set[int] = set()
    for read in reads:
        if read.tag != "packageItem":
            continue
        members = [by_guid[ref.guid] for ref in read.refs if ref.guid in by_guid]
        story = next((m for m in members if m.dispatch and m.meta.item_class not in _MEDIA), None)
        if story is not None and story.dispatch is not None:
            pictures = [m for m in members if m.own_photo is not None and m is not story]
            body = Body(list(story.dispatch.body), list(story.dispatch.photos))
            merge_photos(body, [m.own_photo for m in pictures if m.own_photo is not None])
            story.dispatch = replace(
                story.dispatch, body=tuple(body.blocks), photos=tuple(body.photos)
            )
            absorbed.update(id(m) for m in pictures)
        refs = [
            replace(ref, headline=ref.headline or _headline_of(by_guid.get(ref.guid or "")))
            for ref in read.refs
        ]
        refs = [ref for ref in refs if ref.headline]
        if read.dispatch is not None:
            read.dispatch = replace(read.dispatch, related=tuple(refs))
        elif members:
            absorbed.add(id(read))
        elif refs:  # a bare package stands for its lead item
            read.dispatch = _dispatch(read.meta, refs[0].headline, Body([], []), refs, base)
    return absorbed


def _headline_of(read: _Read | None) -> str:
    return read.dispatch.headline if read is not None and read.dispatch is not None else ""
