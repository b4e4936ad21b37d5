"""Media RSS reading as it was before the one-walk rewrite: the reference for tests.

`tests/test_mediarss_fastpath.py` compares `wirereader.formats._mediarss.read_media_item`
with this copy on generated items. Kept verbatim (bar the imports and names) so that a
difference can only come from the rewrite.
"""

from __future__ import annotations

from typing import Any

from wirereader.formats._mediarss import IMAGE_EXT, Media, _split_tag
from wirereader.formats.html import html_to_content, split_credit
from wirereader.model import Photo
from wirereader.sanitize import clean_line, safe_url


def local(el: Any) -> tuple[str, str]:
    tag = el.tag
    return _split_tag(tag) if isinstance(tag, str) else ("", "")


def _media_text(el: Any, name: str) -> str:
    """A caption or title; ``type="html"`` ones are reduced to their text."""
    for child in el:
        ns, name_ = local(child)
        if name_ == name and "search.yahoo.com/mrss" in ns and child.text:
            text = "".join(child.itertext())
            if child.get("type") == "html":
                text = " ".join(b.text for b in html_to_content(text).blocks)
            return clean_line(text)
    return ""


def _media_credits(el: Any) -> list[str]:
    found = []
    for child in el:
        ns, name = local(child)
        if name == "credit" and "search.yahoo.com/mrss" in ns:
            found.append(clean_line("".join(child.itertext()), 300))
    return [c for c in found if c]


def _media_photo(el: Any, caption: str, credit: str, base: str | None) -> Photo | None:
    url = safe_url(el.get("url"), base)
    medium = (el.get("medium") or "").lower()
    mime = clean_line(el.get("type"), 100).lower()
    if not url or (medium and medium != "image"):
        return None
    if not medium and mime and not mime.startswith("image/"):
        return None
    if not medium and not mime and local(el)[1] == "content" and not IMAGE_EXT.search(url):
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


def reference_read_media_item(item: Any, base: str | None) -> Media:
    """Photos, captions and credits of one ``item`` or ``entry`` element."""
    media = Media(credits=_media_credits(item))
    caption = _media_text(item, "description") or _media_text(item, "title")
    credit = ", ".join(media.credits)
    thumbs: list[Photo | None] = []
    for child in item:
        ns, name = local(child)
        if name in ("guid", "id") and child.text:
            media.guid = child.text.strip()
        elif name == "link" and not media.link:
            media.link = (child.get("href") or child.text or "").strip()
        elif name == "description" and not ns and child.text and media.description is None:
            media.description = child.text
        if "search.yahoo.com/mrss" not in ns or name not in ("content", "group", "thumbnail"):
            continue
        group_caption = _media_text(child, "description") or _media_text(child, "title")
        child_credits = _media_credits(child)
        group_credit = ", ".join(child_credits) or credit
        media.credits.extend(child_credits)
        photos = []
        for el in child.iter():
            if local(el)[1] == "thumbnail":
                thumbs.append(_media_photo(el, group_caption or caption, group_credit, base))
            elif local(el)[1] == "content":
                cap = _media_text(el, "description") or _media_text(el, "title") or group_caption
                cred = ", ".join(_media_credits(el)) or group_credit
                photos.append(_media_photo(el, cap or caption, cred, base))
        found = [p for p in photos if p]
        if name == "group" and found:  # renditions of one picture: keep the widest
            found = [max(found, key=lambda p: p.width or 0)]
        media.photos.extend(found)
    media.photos.extend([t for t in thumbs if t][:1] if not media.photos else [])
    for el in item.iter():
        ns, name = local(el)
        if name in ("description", "title") and "search.yahoo.com/mrss" in ns and el.text:
            media.captions.add(el.text.strip())
    return media
