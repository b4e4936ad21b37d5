"""RSS 0.9x/1.0/2.0, Atom and JSON Feed to dispatches.

feedparser reads RSS and Atom because it survives the malformed XML real feeds serve, but
it is fed bytes only (a string would be taken for a URL or a path), with its own sanitizer
and URI rewriting off: `html_to_content` sanitizes bodies and resolves links against the
entry's ``xml:base``, once, for every format. Three things it gets wrong are handled here:
its lenient fallback expands an entity bomb without limit (so entity declarations are
refused first), it turns ``media:description`` (the photo caption) into the item's summary
or content (so Media RSS is read again with lxml, see `_mediarss`), and it can raise
``UnicodeEncodeError`` on lone surrogates. JSON Feed goes to `jsonfeed` (feedparser 6 cannot
read it); entries of both become dispatches in `_items`.

feedparser is also slow (~900 items/s): `fastfeed` first builds the same entries from an
lxml tree for well-formed RSS and Atom, and hands anything it is not sure of back here.
"""

from __future__ import annotations

import html as std_html
import io
import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lxml import etree

from wirereader.formats import jsonfeed
from wirereader.formats._htmlfast import quick_clean_line
from wirereader.formats._items import Item, collect
from wirereader.formats._mediarss import (
    Media,
    enclosure_photo,
    feedparser_media,
    read_media,
)
from wirereader.formats.common import (
    from_struct_time,
    parse_date,
)
from wirereader.formats.html import html_to_content
from wirereader.formats.xmlsafe import refuse_entity_declarations
from wirereader.model import FormatError, ParseResult, Related
from wirereader.sanitize import clean_message, safe_url

if TYPE_CHECKING:
    from wirereader.formats.fastfeed import Keys

_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")
_SURROGATE_REFS = re.compile(
    rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*(?:5529[6-9]|55[3-9]\d\d|56\d{3}|57[0-2]\d\d|573[0-3]\d|5734[0-3]));"
)


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


def _entry_item(entry: Any, media: Media | None, base: str | None) -> Item:
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
    item = Item(
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

    def build(index: int, entry: Any) -> Item:
        if len(media) == len(entries):
            found: Media | None = media[index]
        else:
            found = by_key.get(dict.get(entry, "id") or "") or by_key.get(entry.get("link") or "")
        item = _entry_item(entry, found, base)
        item.language = item.language or feed_lang
        return item

    return collect(entries, build, result, keys)


def parse(
    data: bytes, url: str | None, known_items: Mapping[str, str] | None = None
) -> ParseResult:
    """Dispatches of an RSS, Atom or JSON Feed document; `FormatError` when it is none.

    ``known_items``: the item keys of the last fetch (`SeenItems.items`): the lxml fast
    path then skips those items and fills ``seen`` for the next fetch.
    """
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return jsonfeed.parse(data, url)
    return _parse_xml(data, url, known_items)
