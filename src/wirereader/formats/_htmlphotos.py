"""Photos in HTML: ``<figure>`` and ``<img>`` to `Photo`, the credit split from the caption.

Wire bodies carry pictures as figures (an image, a figcaption, and a credit inside it or
beside it in a "credit" or "byline" element) or as bare images with alt text; this reads
one such element into a `Photo`, leaving out tracking pixels and unsafe URLs, and
`split_credit` serves Media RSS captions too. It also holds what a caption shares with
the walk in `html`: the elements never shown (`SKIP`, `hidden`) and the visible text of
a small subtree (`text_of`, which the walk reads link texts with). Split from `html`,
which walks the whole tree into blocks.
"""

from __future__ import annotations

import re

from lxml import etree

from wirereader.formats._htmlfast import quick_clean_line
from wirereader.model import Photo
from wirereader.sanitize import safe_url

#: Elements whose whole subtree is never shown.
SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "form",
        "input",
        "button",
        "select",
        "textarea",
        "option",
        "svg",
        "math",
        "canvas",
        "audio",
        "video",
        "source",
        "track",
        "map",
        "area",
        "head",
        "title",
        "meta",
        "link",
        "base",
        "nav",
        "footer",
        "aside",
    ]
)
_CREDIT_CLASS = re.compile(r"credit|copyright|byline|author|source", re.I)
_CAPTION_CREDIT = re.compile(
    r"\s*[(\[]?\s*(?:photos?|foto|ảnh|crédit(?:\s+photo)?|credit|image)\s*:\s*"
    r"(?P<credit>[^()\[\]|]{2,80}?)\s*[)\]]?\s*\|?\s*$",
    re.I,
)


def split_credit(caption: str) -> tuple[str, str]:
    """``"Leaders meet in Minsk. Photo: AFP"`` -> ``("Leaders meet in Minsk.", "AFP")``."""
    m = _CAPTION_CREDIT.search(caption)
    if not m or m.start() == 0:
        return caption, ""
    return caption[: m.start()].rstrip(" -–—|"), m.group("credit").strip()


def hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def image_url(img: etree._Element, base: str | None) -> str | None:
    for attr in ("src", "data-src", "data-original"):
        url = safe_url(img.get(attr), base)
        if url:
            return url
    return None


def tiny(img: etree._Element) -> bool:
    """Tracking pixels and spacers are not photos."""
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().rstrip("px")
        if value.isdigit() and int(value) <= 2:
            return True
    return False


def int_attr(el: etree._Element, name: str) -> int | None:
    value = (el.get(name) or "").strip().rstrip("px")
    return int(value) if value.isdigit() and len(value) < 6 else None


def text_of(el: etree._Element) -> str:
    """Visible text of a small subtree (a caption, a link), iteratively."""
    parts: list[str] = []
    walker = etree.iterwalk(el, events=("start", "end"))
    for event, node in walker:
        if not isinstance(node.tag, str):
            continue
        if event == "start":
            if node is not el and (node.tag in SKIP or hidden(node)):
                walker.skip_subtree()
                continue
            if node.text:
                parts.append(node.text)
        elif node is not el and node.tail:
            parts.append(node.tail)
    return "".join(parts)


def figure(fig: etree._Element, base: str | None) -> Photo | None:
    img = next(iter(fig.iter("img")), None)
    url = image_url(img, base) if img is not None else None
    caption_el = next(iter(fig.iter("figcaption")), None)
    credit = ""
    caption = ""
    # The credit may sit inside the figcaption or beside it (TT: <div class="byline">).
    for el in fig.iter():
        if (
            isinstance(el.tag, str)
            and el is not fig
            and el is not caption_el
            and _CREDIT_CLASS.search(el.get("class") or "")
            and (credit := quick_clean_line(text_of(el), 300))
        ):
            parent = el.getparent()
            if parent is not None:
                if el.tail:  # keep caption text that followed the credit
                    prev = el.getprevious()
                    if prev is not None:
                        prev.tail = (prev.tail or "") + el.tail
                    else:
                        parent.text = (parent.text or "") + el.tail
                parent.remove(el)
            break
    if caption_el is not None:
        caption = quick_clean_line(text_of(caption_el))
    elif img is not None:
        caption = quick_clean_line(img.get("alt") or img.get("title"))
    if not credit:
        caption, credit = split_credit(caption)
    if not url and not caption:
        return None
    return Photo(
        caption=caption,
        credit=quick_clean_line(credit, 300),
        url=url,
        width=int_attr(img, "width") if img is not None else None,
        height=int_attr(img, "height") if img is not None else None,
    )
