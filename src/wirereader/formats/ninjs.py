"""IPTC ninjs (1.x, 2.x, 3.x) to dispatches: single items, lists and API envelopes.

Agencies send ninjs as one item, as a JSON array, or wrapped by their API (AP's
``{"data": {"items": [{"item": {...}}]}}``), and the three spec versions disagree on
spelling (see `_ninjs_fields`). This module decides what each field *means* for a wire
reader: a picture item is a dispatch showing its picture, an event or planning object is
not news at all, and a body is read from the richest form sent (HTML, then NITF, then
plain text).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from wirereader.formats import loads_json
from wirereader.formats._ninjs_fields import (
    JsonObj,
    Text,
    associations,
    first_string,
    links,
    lower_keys,
    names,
    pick,
    renditions,
    string,
    texts,
)
from wirereader.formats._wire import (
    Body,
    best_image,
    chain,
    headline_from_text,
    local,
    merge_photos,
    nitf_to_content,
    parse_xml,
    photo,
    text_blocks,
    tidy_body,
    to_int,
)
from wirereader.formats.common import (
    MAX_ITEMS,
    clean_guid,
    fallback_guid,
    headline_signals,
    parse_date,
)
from wirereader.formats.html import HtmlContent, html_to_content
from wirereader.model import (
    Block,
    Dispatch,
    FormatError,
    ParseResult,
    Photo,
    PubStatus,
    Related,
)
from wirereader.sanitize import clean_line, clean_text, safe_url

#: ninjs ``type`` values that are news content; anything else (event, planning,
#: concept...) is metadata about news, not a dispatch.
_CONTENT_TYPES = frozenset(
    {"text", "composite", "picture", "graphic", "video", "audio", "component"}
)
_PICTURES = frozenset({"picture", "graphic"})
_MEDIA = _PICTURES | {"video", "audio"}
#: Keys that only a news object has; an envelope has none of them.
_ITEM_KEYS = frozenset(
    {
        "uri",
        "headline",
        "headlines",
        "bodies",
        "descriptions",
        "renditions",
        "versioncreated",
        "associations",
        "body_text",
        "body_html",
        "body_xhtml",
    }
)
_ITEM_PREFIXES = ("headline_", "body_", "description_")
_ENVELOPE_KEYS = ("data", "items", "item", "itemslist", "results", "entries")
_MAX_DEPTH = 5
_STATUS = {
    "usable": PubStatus.USABLE,
    "withheld": PubStatus.WITHHELD,
    "canceled": PubStatus.CANCELED,
    "cancelled": PubStatus.CANCELED,
}


def parse(data: bytes, url: str | None) -> ParseResult:
    """Parse a ninjs document; FormatError when it holds no news item."""
    doc = loads_json(data)
    result = ParseResult(format="ninjs")
    skipped: Counter[str] = Counter()
    seen: set[str] = set()
    duplicates = 0
    for obj in _candidates(doc, 0):
        if len(result.dispatches) >= MAX_ITEMS:
            result.warnings.append(f"more than {MAX_ITEMS} items: the rest were skipped")
            break
        reason = _not_news(obj)
        dispatch = None if reason else _dispatch(obj, url)
        if dispatch is None:
            skipped[reason or "item without headline or text"] += 1
            continue
        if dispatch.guid in seen:
            duplicates += 1
            continue
        seen.add(dispatch.guid)
        result.dispatches.append(dispatch)
    if not result.dispatches:
        detail = ", ".join(sorted(skipped)) or "no item found"
        raise FormatError(clean_line(f"no news item in this document: {detail}", 300))
    if skipped:
        count = sum(skipped.values())
        result.warnings.append(f"{count} non-news items skipped ({', '.join(sorted(skipped))})")
    if duplicates:
        result.warnings.append(f"{duplicates} items with a repeated uri skipped")
    return result


def _candidates(node: object, depth: int) -> Iterator[JsonObj]:
    """News-like objects in a document, unwrapping lists and API envelopes, depth-bounded."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, list):
        for value in node[: MAX_ITEMS * 2]:
            yield from _candidates(value, depth + 1)
        return
    obj = lower_keys(node)
    if obj is None:
        return
    if _ITEM_KEYS & obj.keys() or any(k.startswith(_ITEM_PREFIXES) for k in obj):
        yield obj
        return
    for key in _ENVELOPE_KEYS:
        if key in obj:
            yield from _candidates(obj[key], depth + 1)


def _not_news(obj: JsonObj) -> str | None:
    """Why an object is not a dispatch (``"event"``), or None when it is one."""
    kind = local(string(obj.get("type")))
    if kind and kind not in _CONTENT_TYPES:
        return clean_line(kind, 40)
    if "eventdetails" in obj or "planningdetails" in obj:
        return "event"
    return None


def _dispatch(obj: JsonObj, url: str | None) -> Dispatch | None:
    kind = local(string(obj.get("type"))) or "text"
    headlines = texts(obj, "headline")
    descriptions = texts(obj, "description")
    bodies = texts(obj, "body")
    caption = pick(descriptions, ("caption",))
    generic = pick(descriptions, ("", "main", "summary", "abstract", "lead"))
    summary = generic
    if kind in _MEDIA:
        caption = caption or generic
        summary = generic if generic != caption else ""
    content, nitf_byline = _body(bodies, url)
    headline = clean_line(
        pick(headlines, ("", "main")) or pick(headlines, None) or first_string(obj, "title")
    )
    if not headline:
        first = next((b.text for b in content.blocks if b.text), "") if content else ""
        headline = headline_from_text(caption, summary, first)
    if not headline:
        return None

    body = tidy_body(content, headline)
    credit = _credit(obj, descriptions)
    if kind in _MEDIA:
        _add_own_media(body, kind, caption, credit, obj, url)
    related = _associations(obj, body, url)
    if content:
        related.extend(r for r in content.links if r not in related)

    urgency, signals = headline_signals(headline)
    explicit = [local(n) for n in names(obj.get("signals", obj.get("signal")))]
    version_created = parse_date(first_string(obj, "versioncreated"))
    guid = clean_guid(first_string(obj, "uri", "guid", "id")) or fallback_guid(
        url, headline, version_created.isoformat() if version_created else None
    )
    return Dispatch(
        guid=guid,
        headline=headline,
        url=_page_url(obj, url),
        version=to_int(obj.get("version")),
        version_created=version_created,
        first_created=parse_date(first_string(obj, "firstcreated", "contentcreated")),
        urgency=to_int(obj.get("urgency"), 1, 9) or urgency,
        pub_status=_STATUS.get(local(string(obj.get("pubstatus"))), PubStatus.USABLE),
        embargoed_until=parse_date(first_string(obj, "embargoeduntil", "embargoed")),
        signals=tuple(dict.fromkeys(s for s in [*explicit, *signals] if s)),
        slugline=clean_line(first_string(obj, "slugline"), 300),
        dateline=body.dateline,
        located=clean_line(
            first_string(obj, "located") or ", ".join(names(obj.get("located"))), 300
        ),
        byline=clean_line(first_string(obj, "byline", "by") or nitf_byline, 500),
        language=clean_line(first_string(obj, "language"), 35),
        ednote=clean_text(first_string(obj, "ednote"), 4096),
        creditline=clean_line(
            _creditline(obj, descriptions) or (credit if kind in _MEDIA else ""), 300
        ),
        summary=clean_text(summary, 8192),
        body=tuple(body.blocks),
        photos=tuple(body.photos),
        related=tuple(related),
        credit_chain=chain(*names(obj.get("infosources")), first_string(obj, "copyrightholder")),
        format="ninjs",
    )


def _body(bodies: list[Text], base: str | None) -> tuple[HtmlContent | None, str]:
    """The richest body sent: HTML, then NITF, then plain text; and an NITF byline."""
    for text in bodies:
        if text.kind == "html":
            content = html_to_content(text.value, base)
            if content.blocks:
                return content, ""
    for text in bodies:
        if text.kind == "nitf":
            try:
                nitf = nitf_to_content(parse_xml(text.value), base)
            except FormatError:
                continue
            if nitf.content.blocks:
                return nitf.content, nitf.byline
    for text in bodies:
        if text.kind == "text":
            blocks = text_blocks(text.value)
            if blocks:
                return HtmlContent(blocks=blocks), ""
    return None, ""


def _creditline(obj: JsonObj, descriptions: list[Text]) -> str:
    return pick(descriptions, ("creditline", "credit")) or first_string(obj, "creditline")


def _credit(obj: JsonObj, descriptions: list[Text]) -> str:
    """Who to credit for a picture: AP's creditline, the byline, the rights holder, the source."""
    return (
        _creditline(obj, descriptions)
        or first_string(obj, "byline", "by", "copyrightholder")
        or next(iter(names(obj.get("infosources"))), "")
        or first_string(obj, "copyrightnotice")
    )


def _add_own_media(
    body: Body, kind: str, caption: str, credit: str, obj: JsonObj, base: str | None
) -> None:
    """A picture, video or audio item shows itself: its image (or preview) and caption."""
    image = best_image(renditions(obj))
    if image is not None or (kind in _PICTURES and caption):
        merge_photos(body, [photo(caption, credit, image, base)])
    elif caption and not any(b.text for b in body.blocks):
        body.blocks.append(Block(kind="paragraph", text=clean_text(caption)))


def _associations(obj: JsonObj, body: Body, base: str | None) -> list[Related]:
    """Pictures become photos of the dispatch; text and media items become related links."""
    pictures: list[Photo] = []
    related: list[Related] = []
    for assoc in associations(obj):
        kind = local(string(assoc.get("type")))
        headlines = texts(assoc, "headline")
        headline = clean_line(pick(headlines, ("", "main")) or pick(headlines, None), 500)
        image = best_image(renditions(assoc))
        descriptions = texts(assoc, "description")
        caption = (
            pick(descriptions, ("caption", "", "main", "summary"))
            or headline
            or pick(texts(assoc, "body"), None)
        )
        is_picture = kind == "picture" or (not kind and image is not None and not headline)
        if is_picture or (kind == "graphic" and (caption or headline)):
            if image is not None or caption:
                pictures.append(photo(caption, _credit(assoc, descriptions), image, base))
        elif headline:
            guid = clean_guid(first_string(assoc, "uri", "guid")) or None
            related.append(Related(headline=headline, url=_page_url(assoc, base), guid=guid))
    merge_photos(body, pictures)
    return related


def _page_url(obj: JsonObj, base: str | None) -> str | None:
    """The web page for an item, from ``links`` or an HTML rendition; the uri is an id, not one."""
    for rel, href, content_type in links(obj):
        if rel in ("", "alternate", "canonical", "self") and content_type in ("", "text/html"):
            url = safe_url(href, base)
            if url:
                return url
    for rendition in renditions(obj):
        if rendition.mime == "text/html":
            url = safe_url(rendition.href, base)
            if url:
                return url
    return None
