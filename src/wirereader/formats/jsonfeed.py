"""JSON Feed 1.0/1.1 to dispatches (feedparser 6 cannot read it).

Every value is checked for its type before use: a JSON Feed is as untrusted as any other
feed, and a number where a string belongs must not end the parse.
"""

from __future__ import annotations

import html as std_html

from wirereader.formats import loads_json
from wirereader.formats._items import Item, collect
from wirereader.formats._mediarss import enclosure_photo
from wirereader.formats.common import parse_date
from wirereader.model import FormatError, ParseResult, Photo, Related
from wirereader.sanitize import clean_line, safe_url


def _json_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _json_item(raw: object, base: str | None, feed_lang: str | None) -> Item:
    if not isinstance(raw, dict):
        return Item(guid=None, link=None, title="", body=None, summary=None, base=base)
    get = raw.get
    html = _json_text(get("content_html"))
    text = _json_text(get("content_text"))
    summary = _json_text(get("summary"))
    authors = get("authors")
    authors = authors if isinstance(authors, list) else [get("author")]
    names = [a.get("name") for a in authors if isinstance(a, dict)]
    item = Item(
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


def parse(data: bytes, url: str | None) -> ParseResult:
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
    collect(items, lambda _i, raw: _json_item(raw, base, lang), result)
    return result
