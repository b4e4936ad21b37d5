"""RSS 0.9x/1.0/2.0, Atom and JSON Feed to dispatches.

feedparser reads RSS and Atom because it survives the malformed XML real feeds serve, but
it is fed bytes only (a string would be taken for a URL or a path), with its own sanitizer
and URI rewriting off: `html_to_content` sanitizes bodies and resolves links against the
entry's ``xml:base``, once, for every format. Three things it gets wrong are handled here:
its lenient fallback expands an entity bomb without limit (so entity declarations are
refused first), it turns ``media:description`` (the photo caption) into the item's summary
or content (so Media RSS is read again with lxml, see `_mediarss`), and it can raise
``UnicodeEncodeError`` on lone surrogates. JSON Feed is parsed here: feedparser 6 cannot.

feedparser is also slow (~900 items/s): `fastfeed` first builds the same entries from an
lxml tree for well-formed RSS and Atom, and hands anything it is not sure of back here.
"""

from __future__ import annotations

import html as std_html
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lxml import etree

from wirereader.formats import loads_json
from wirereader.formats._htmlfast import quick_clean_line
from wirereader.formats._mediarss import (
    Media,
    add_photo,
    enclosure_photo,
    feedparser_media,
    read_media,
)
from wirereader.formats.common import (
    MAX_ITEMS,
    clean_guid,
    credit_chain,
    fallback_guid,
    from_struct_time,
    headline_signals,
    parse_date,
    split_dateline,
)
from wirereader.formats.html import HtmlContent, html_to_content
from wirereader.formats.xmlsafe import refuse_entity_declarations
from wirereader.model import Block, Dispatch, FormatError, ParseResult, Photo, Related, SeenItems
from wirereader.sanitize import clean_line, clean_message, clean_text, safe_url

if TYPE_CHECKING:
    from wirereader.formats.fastfeed import Keys

_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")
_SURROGATE_REFS = re.compile(
    rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*(?:5529[6-9]|55[3-9]\d\d|56\d{3}|57[0-2]\d\d|573[0-3]\d|5734[0-3]));"
)
_MAX_RELATED = 100
_MAX_SUMMARY = 4096


@dataclass
class _Item:
    """One entry in format-neutral form, before it becomes a `Dispatch`."""

    guid: str | None
    link: str | None
    title: str
    body: str | None
    summary: str | None
    base: str | None
    published: datetime | None = None
    updated: datetime | None = None
    byline: str | None = None
    language: str | None = None
    photos: list[Photo] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)
    attachments: bool = False


def _title(entry: Any, base: str | None) -> str:
    """A title as text: Atom ``type="html"`` titles carry markup."""
    title = entry.get("title") or ""
    if (entry.get("title_detail") or {}).get("type") in _HTML_TYPES and "<" in title:
        return quick_clean_line(" ".join(b.text for b in html_to_content(title, base).blocks))
    return quick_clean_line(title)


def _detail_html(detail: Any, base: str | None) -> tuple[str | None, str | None]:
    """A feedparser text construct as HTML, with the base it was written against."""
    if not isinstance(detail, dict) or not isinstance(detail.get("value"), str):
        return None, base
    value: str = detail["value"]
    own_base = safe_url(detail.get("base"), base) or base
    if (detail.get("type") or "text/html") not in _HTML_TYPES:
        value = std_html.escape(value, quote=False)
    return value, own_base


def _entry_item(entry: Any, media: Media | None, base: str | None) -> _Item:
    captions = media.captions if media else set()
    contents = [
        c
        for c in entry.get("content") or []
        if isinstance(c, dict)
        and isinstance(c.get("value"), str)
        and not (captions and c["value"].strip() in captions)  # strip: a copy of the body
    ]
    longest = max(contents, key=lambda c: len(c["value"])) if contents else None
    body, body_base = _detail_html(longest, base)
    summary, summary_base = _detail_html(entry.get("summary_detail"), base)
    if summary is not None and captions and summary.strip() in captions:
        # feedparser put a media:description in the summary slot: the item's own
        # description, read from the XML, is the real summary (if it is not a caption too).
        own = media.description if media else None
        summary = own if own and own.strip() not in captions else None
        summary_base = base
    title_detail = entry.get("title_detail") or {}
    author = entry.get("author_detail") or {}
    lang = (dict.get(entry, "content") or [{}])[0].get("language") or title_detail.get("language")
    item = _Item(
        guid=dict.get(entry, "id"),
        link=safe_url(entry.get("link"), base),
        title=_title(entry, base),
        body=body or summary,
        summary=summary,
        base=body_base if body else summary_base,
        published=_date(entry, "published") or _date(entry, "created"),
        updated=_date(entry, "updated"),
        byline=author.get("name") or entry.get("author"),
        language=lang,
    )
    item.photos = list(media.photos) if media else feedparser_media(entry, base)
    for enclosure in entry.get("enclosures") or []:
        item.attachments = True
        photo = enclosure_photo(enclosure.get("href"), enclosure.get("type"), base)
        item.photos.extend([photo] if photo else [])
    for link in entry.get("links") or []:
        if link.get("rel") == "related" and (url := safe_url(link.get("href"), base)):
            item.related.append(
                Related(headline=quick_clean_line(link.get("title"), 500) or url, url=url)
            )
    source = entry.get("source") or {}
    item.chains = [str(entry.get("dc_source") or ""), str(source.get("title") or "")]
    item.chains.extend(media.credits if media else [])
    return item


def _date(entry: Any, name: str) -> datetime | None:
    """A date without feedparser's deprecated ``updated`` -> ``published`` fallback."""
    parsed = from_struct_time(dict.get(entry, f"{name}_parsed"))
    raw = dict.get(entry, name)
    return parsed or (parse_date(raw) if isinstance(raw, str) else None)


def _dispatch(item: _Item, fmt: str) -> Dispatch | None:
    content = html_to_content(item.body, item.base) if item.body else HtmlContent()
    photos: list[Photo] = []
    for photo in item.photos:
        add_photo(photos, photo)
    blocks: list[Block] = []
    for block in content.blocks:
        if block.kind == "photo" and block.photo is not None:
            block = Block(kind="photo", photo=add_photo(photos, content.photos[block.photo]))
        blocks.append(block)
    title = quick_clean_line(item.title)
    if not (title or item.link or item.guid or blocks or photos or item.attachments):
        return None
    chain: tuple[str, ...] = ()
    for candidate in item.chains:
        chain = credit_chain(quick_clean_line(candidate, 300)) or ()
        if chain:
            break
    paragraphs = [i for i, b in enumerate(blocks) if b.kind == "paragraph"]
    if not chain and len(paragraphs) > 1 and (tail := credit_chain(blocks[paragraphs[-1]].text)):
        chain = tail
        del blocks[paragraphs[-1]]
    dateline = ""
    if paragraphs:
        dateline, rest = split_dateline(blocks[paragraphs[0]].text)
        if dateline:
            blocks[paragraphs[0]] = Block(kind="paragraph", text=rest.strip())
    summary = ""
    if item.summary:
        summary_content = content if item.summary is item.body else html_to_content(item.summary)
        summary = clean_text("\n".join(b.text for b in summary_content.blocks), _MAX_SUMMARY)
    related: list[Related] = []
    for rel in [*item.related, *content.links]:
        if rel.url != item.link and all(r.url != rel.url for r in related):
            related.append(rel)
    headline = title or "(untitled)"
    urgency, signals = headline_signals(headline)
    guid = clean_guid(item.guid) or clean_guid(item.link)
    return Dispatch(
        guid=guid or fallback_guid(item.title, item.summary, item.body),
        headline=headline,
        url=item.link,
        version_created=item.updated or item.published,
        first_created=item.published,
        urgency=urgency,
        signals=signals,
        dateline=quick_clean_line(dateline, 200),
        byline=quick_clean_line(item.byline, 500),
        language=quick_clean_line(item.language, 35),
        summary=summary,
        body=tuple(blocks),
        photos=tuple(photos),
        related=tuple(related[:_MAX_RELATED]),
        credit_chain=chain,
        format=fmt,
    )


def _collect(
    items: list[Any], build: Any, result: ParseResult, keys: Keys | None = None
) -> ParseResult:
    """Build dispatches, keeping the first of duplicate guids and at most `MAX_ITEMS`.

    With ``keys``, an item already known (its entry is None) is not built: its guid goes
    to ``result.unchanged``; each item that is kept is remembered in the ``seen`` of the
    result returned.
    """
    seen: set[str] = set()
    remember: dict[str, str] | None = None if keys is None else {}
    skipped = duplicates = failed = 0
    for index, raw in enumerate(items):
        if len(result.dispatches) + len(result.unchanged) >= MAX_ITEMS:
            result.warnings.append(f"only the first {MAX_ITEMS} items kept")
            break
        key = keys.keys[index] if keys is not None else ""
        if raw is None and keys is not None:
            guid = keys.known[key]
            if guid in seen:
                duplicates += 1
            else:
                seen.add(guid)
                result.unchanged.append(guid)
                if remember is not None:
                    remember[key] = guid
            continue
        try:
            dispatch = _dispatch(build(index, raw), result.format)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            failed += 1
            continue
        if dispatch is None:
            skipped += 1
        elif dispatch.guid in seen:
            duplicates += 1
        else:
            seen.add(dispatch.guid)
            result.dispatches.append(dispatch)
            if remember is not None:
                remember[key] = dispatch.guid
    if skipped:
        result.warnings.append(f"{skipped} items without title, link, id or content skipped")
    if duplicates:
        result.warnings.append(f"{duplicates} items repeating an earlier id ignored")
    if failed:
        result.warnings.append(f"{failed} items could not be read")
    if remember is None:
        return result
    return replace(result, seen=SeenItems("", result.format, tuple(result.warnings), remember))


def _parse_xml(data: bytes, url: str | None, known_items: Mapping[str, str] | None) -> ParseResult:
    refuse_entity_declarations(data)
    base = safe_url(url)
    from wirereader.formats import fastfeed

    try:  # well-formed RSS/Atom in lxml; anything else goes to feedparser
        return fastfeed.parse(data, base, _result, known_items)
    except fastfeed.UseFallback:
        if not fastfeed.FEEDPARSER_ALLOWED.get():
            raise  # the caller runs feedparser where it can be stopped (service.parsepool)
    import feedparser  # lazily: it costs start-up time the first screen does not need

    # application/xml: the XML declaration's encoding counts (RFC 3023), no NonXMLContentType.
    # No Content-Location: feedparser would rewrite relative permalink guids with it, and a
    # guid is identity, so it must not change when the feed moves; links resolve below.
    headers = {"content-type": "application/xml"}

    def run(document: bytes) -> Any:
        return feedparser.parse(
            io.BytesIO(document),
            response_headers=headers,
            resolve_relative_uris=False,
            sanitize_html=False,
        )

    try:
        parsed = run(data)
    except UnicodeError:  # lone surrogates (feedparser issues 590, 599): retry without them
        text = _SURROGATE_REFS.sub(b"&#xFFFD;", data.decode("utf-8", "replace").encode())
        try:
            parsed = run(text)
        except Exception as exc:
            raise FormatError(f"not a feed: {clean_message(exc)}") from None
    except Exception as exc:  # feedparser is documented never to raise; it does
        raise FormatError(f"not a feed: {clean_message(exc)}") from None
    entries = parsed.get("entries") or []
    version = parsed.get("version") or ""
    if not entries and (parsed.get("bozo") or not version):
        reason = clean_message(parsed.get("bozo_exception") or "no RSS or Atom found", 200)
        raise FormatError(f"not a feed: {reason}")
    warnings = []
    if parsed.get("bozo") and entries:
        problem = parsed.get("bozo_exception")
        if type(problem).__name__ == "CharacterEncodingOverride":
            warnings.append(f"wrong encoding declared; read as {parsed.get('encoding')}")
        else:
            warnings.append("recovered from malformed XML")
            # A recovered document is often a truncated one: its last item, cut before its
            # id and link, cannot be told apart from the whole item cached last time, and
            # a made-up id would cache the story twice. Skip it; the next fetch brings it.
            last = entries[-1]
            truncated = not re.search(rb"</(?:\w+:)?(?:rss|feed|RDF)>\s*$", data[-256:])
            if truncated and not (last.get("id") or last.get("link")):
                warnings.append("last item cut short (no id or link) skipped")
                entries = entries[:-1]
    try:
        media = read_media(data, base)
    except (ValueError, TypeError, etree.LxmlError):
        media = []
    fmt = "atom" if version.startswith("atom") else "rss"
    return _result(fmt, parsed.get("feed") or {}, entries, media, base, warnings)


def _result(
    fmt: str,
    feed: Any,
    entries: list[Any],
    media: list[Any],
    base: str | None,
    warns: list[str],
    keys: Keys | None = None,
) -> ParseResult:
    """Dispatches from feedparser-shaped entries (feedparser's own, or `fastfeed`'s)."""
    title, link = _title(feed, base)[:500], safe_url(feed.get("link"), base)
    result = ParseResult(format=fmt, title=title, link=link, warnings=list(warns))
    by_key = {m.guid: m for m in media if m and m.guid} | {m.link: m for m in media if m and m.link}
    feed_lang = feed.get("language")

    def build(index: int, entry: Any) -> _Item:
        if len(media) == len(entries):
            found: Media | None = media[index]
        else:
            found = by_key.get(dict.get(entry, "id") or "") or by_key.get(entry.get("link") or "")
        item = _entry_item(entry, found, base)
        item.language = item.language or feed_lang
        return item

    return _collect(entries, build, result, keys)


def _json_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _json_item(raw: object, base: str | None, feed_lang: str | None) -> _Item:
    if not isinstance(raw, dict):
        return _Item(guid=None, link=None, title="", body=None, summary=None, base=base)
    get = raw.get
    html = _json_text(get("content_html"))
    text = _json_text(get("content_text"))
    summary = _json_text(get("summary"))
    authors = get("authors")
    authors = authors if isinstance(authors, list) else [get("author")]
    names = [a.get("name") for a in authors if isinstance(a, dict)]
    item = _Item(
        guid=_json_text(get("id")),
        link=safe_url(_json_text(get("url")), base),
        title=_json_text(get("title")) or "",
        body=html or (std_html.escape(text, quote=False) if text else None),
        summary=std_html.escape(summary, quote=False) if summary else None,
        base=base,
        published=parse_date(_json_text(get("date_published"))),
        updated=parse_date(_json_text(get("date_modified"))),
        byline=", ".join(n for n in names if isinstance(n, str)),
        language=_json_text(get("language")) or feed_lang,
    )
    for key in ("image", "banner_image"):
        if url := safe_url(_json_text(get(key)), base):
            item.photos.append(Photo(url=url))
    attachments = get("attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        if isinstance(attachment, dict):
            item.attachments = True
            photo = enclosure_photo(attachment.get("url"), attachment.get("mime_type"), base)
            item.photos.extend([photo] if photo else [])
    if (external := safe_url(_json_text(get("external_url")), base)) and external != item.link:
        item.related.append(Related(headline=clean_line(item.title) or external, url=external))
    return item


def _parse_json(data: bytes, url: str | None) -> ParseResult:
    doc = loads_json(data)
    if not isinstance(doc, dict) or "jsonfeed.org/version/" not in str(doc.get("version")):
        raise FormatError("not a feed: JSON without a JSON Feed version")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FormatError("not a feed: JSON Feed without an items list")
    base = safe_url(url) or safe_url(_json_text(doc.get("feed_url")))
    result = ParseResult(
        format="jsonfeed",
        title=clean_line(_json_text(doc.get("title")), 500),
        link=safe_url(_json_text(doc.get("home_page_url")), base),
    )
    lang = _json_text(doc.get("language"))
    _collect(items, lambda _i, raw: _json_item(raw, base, lang), result)
    return result


def parse(
    data: bytes, url: str | None, known_items: Mapping[str, str] | None = None
) -> ParseResult:
    """Dispatches of an RSS, Atom or JSON Feed document; `FormatError` when it is none.

    ``known_items``: the item keys of the last fetch (`SeenItems.items`): the lxml fast
    path then skips those items and fills ``seen`` for the next fetch.
    """
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return _parse_json(data, url)
    return _parse_xml(data, url, known_items)
