"""Media RSS (``media:content``, ``media:group``, ``media:thumbnail``): photos with captions.

feedparser keeps the pictures but turns ``media:description`` (the caption) into the
item's summary or content (feedparser issue 53), so the captions and credits are read
here from an lxml tree: a hardened re-parse of the document on the feedparser path, or
the tree the fast path (`fastfeed`) already built.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from typing import Any

from lxml import etree

from wirereader.formats._htmlphotos import split_credit
from wirereader.formats.html import html_to_content
from wirereader.formats.xmlsafe import hardened_parser
from wirereader.model import Photo
from wirereader.sanitize import clean_line, safe_url

MRSS = b"search.yahoo.com/mrss"
IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|[?#])", re.I)


@dataclass
class Media:
    """What Media RSS says about one item (feedparser keeps the pictures but loses captions)."""

    guid: str = ""
    link: str = ""
    photos: list[Photo] = field(default_factory=list)
    captions: set[str] = field(default_factory=set)
    credits: list[str] = field(default_factory=list)
    #: The item's own RSS ``description`` (raw HTML): feedparser replaces the summary with
    #: a ``media:description`` that follows it, and this is what the summary really was.
    description: str | None = None


@functools.lru_cache(maxsize=512)
def _split_tag(tag: str) -> tuple[str, str]:
    """``(namespace, local name)`` of a tag; a feed uses a few dozen: remember them."""
    if tag[:1] == "{":
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _media_text(el: Any) -> str:
    """A caption or title; ``type="html"`` ones are reduced to their text."""
    text = "".join(el.itertext())
    if el.get("type") == "html":
        text = " ".join(b.text for b in html_to_content(text).blocks)
    return clean_line(text)


def _scan(el: Any, media: Media | None = None) -> tuple[str, list[str], list[tuple[Any, str]]]:
    """``(caption, credits, media children)`` of an element, from one walk over its children.

    The caption is the first Media RSS ``description`` with text, else the first ``title``;
    credits are every ``credit``, cleaned, empty ones dropped; media children are the
    ``content``, ``group`` and ``thumbnail`` elements with their names. Given ``media``
    (for an item), the same walk also reads the guid, link and RSS description. One walk
    instead of four matters: an item has a dozen children and Media RSS is on every item.
    """
    description = title = None
    credits: list[str] = []
    children: list[tuple[Any, str]] = []
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):
            continue  # a comment, PI or entity: no name
        ns, name = _split_tag(tag)
        if media is not None:
            if name in ("guid", "id") and child.text:
                media.guid = child.text.strip()
            elif name == "link" and not media.link:
                media.link = (child.get("href") or child.text or "").strip()
            elif name == "description" and not ns and child.text and media.description is None:
                media.description = child.text
        if "search.yahoo.com/mrss" not in ns:
            continue
        if name in ("content", "group", "thumbnail"):
            children.append((child, name))
        elif name == "credit":
            if credit := clean_line("".join(child.itertext()), 300):
                credits.append(credit)
        elif name == "description":
            if description is None and child.text:
                description = child
        elif name == "title" and title is None and child.text:
            title = child
    caption = _media_text(description) if description is not None else ""
    if not caption and title is not None:
        caption = _media_text(title)
    return caption, credits, children


def _media_photo(el: Any, name: str, caption: str, credit: str, base: str | None) -> Photo | None:
    url = safe_url(el.get("url"), base)
    medium = (el.get("medium") or "").lower()
    mime = clean_line(el.get("type"), 100).lower()
    if not url or (medium and medium != "image"):
        return None
    if not medium and mime and not mime.startswith("image/"):
        return None
    if not medium and not mime and name == "content" and not IMAGE_EXT.search(url):
        return None
    if not credit:
        caption, credit = split_credit(caption)
    width, height = el.get("width") or "", el.get("height") or ""
    return Photo(
        caption=caption,
        credit=credit,
        url=url,
        width=int(width) if width.isdigit() and len(width) < 6 else None,
        height=int(height) if height.isdigit() and len(height) < 6 else None,
        mime=mime or None,
    )


#: Media elements at any depth, in any namespace or none (as `local` names compare).
_MEDIA_TAGS = ("{*}thumbnail", "{*}content")


def read_media_item(item: Any, base: str | None) -> Media:
    """Photos, captions and credits of one ``item`` or ``entry`` element."""
    media = Media()
    caption, media.credits, children = _scan(item, media)
    credit = ", ".join(media.credits)
    thumbs: list[Photo | None] = []
    for child, name in children:
        group_caption, child_credits, _ = _scan(child)
        group_credit = ", ".join(child_credits) or credit
        media.credits.extend(child_credits)
        photos = []
        # The child itself, then everything inside it named like a picture, in document
        # order. A ``content`` child's own caption and credit are the group's.
        if name == "thumbnail":
            thumbs.append(_media_photo(child, name, group_caption or caption, group_credit, base))
        elif name == "content":
            photos.append(_media_photo(child, name, group_caption or caption, group_credit, base))
        for el in child.iterdescendants(*_MEDIA_TAGS):
            el_name = _split_tag(el.tag)[1]
            if el_name == "thumbnail":
                thumbs.append(
                    _media_photo(el, el_name, group_caption or caption, group_credit, base)
                )
            else:
                cap, el_credits, _ = _scan(el)
                cred = ", ".join(el_credits) or group_credit
                photos.append(
                    _media_photo(el, el_name, cap or group_caption or caption, cred, base)
                )
        found = [p for p in photos if p]
        if name == "group" and found:  # renditions of one picture: keep the widest
            found = [max(found, key=lambda p: p.width or 0)]
        media.photos.extend(found)
    media.photos.extend([t for t in thumbs if t][:1] if not media.photos else [])
    for el in item.iter("{*}description", "{*}title"):
        if el.text and "search.yahoo.com/mrss" in _split_tag(el.tag)[0]:
            media.captions.add(el.text.strip())
    return media


def read_media(data: bytes, base: str | None) -> list[Media]:
    """Media RSS per item, in document order; empty when there is none or lxml gives up."""
    if MRSS not in data and b"\x00" not in data[:4]:
        return []
    try:
        root = etree.fromstring(data, hardened_parser(recover=True))
    except (etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    return [
        read_media_item(el, base)
        for el in root.iter("{*}item", "{*}entry")
        if "search.yahoo.com/mrss" not in _split_tag(el.tag)[0]
    ]


def feedparser_media(entry: Any, base: str | None) -> list[Photo]:
    """Pictures feedparser saw, for when lxml could not read the document."""
    photos = []
    for m in [*(entry.get("media_content") or []), *(entry.get("media_thumbnail") or [])[:1]]:
        medium, mime = str(m.get("medium") or ""), str(m.get("type") or "")
        is_image = medium in ("", "image") and (not mime or mime.startswith("image/"))
        if is_image and (url := safe_url(m.get("url"), base)):
            photos.append(Photo(url=url, mime=clean_line(mime, 100) or None))
    return photos


def enclosure_photo(href: object, mime: object, base: str | None) -> Photo | None:
    url = safe_url(href if isinstance(href, str) else None, base)
    kind = clean_line(mime if isinstance(mime, str) else "", 100).lower()
    if url and (kind.startswith("image/") or (not kind and IMAGE_EXT.search(url))):
        return Photo(url=url, mime=kind or None)
    return None


def add_photo(photos: list[Photo], photo: Photo) -> int:
    """Append, or merge into the photo with the same URL; the index the photo ended at."""
    for i, seen in enumerate(photos):
        if photo.url and seen.url == photo.url:
            photos[i] = replace(
                seen, caption=seen.caption or photo.caption, credit=seen.credit or photo.credit
            )
            return i
    photos.append(photo)
    return len(photos) - 1
