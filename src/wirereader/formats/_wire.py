"""What the two IPTC formats share: hardened XML, NITF bodies, photos, tidy bodies.

ninjs carries NITF as a string in ``bodies`` and NewsML-G2 carries it inline, and both
attach pictures that may already sit in the body as a ``<figure>``; keeping these rules in
one place means an item reads the same whichever of the two an agency sends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from lxml import etree

from wirereader.formats.common import split_dateline
from wirereader.formats.html import HtmlContent, element_to_content
from wirereader.formats.xmlsafe import hardened_parser, refuse_entity_declarations
from wirereader.model import Block, FormatError, Photo
from wirereader.sanitize import clean_line, clean_message, clean_text, safe_url

#: Renditions wider than this are print masters (AP's 3000 px, TT's 4724 px, 10 MB):
#: a terminal wants the largest picture below it, the preview, not the download.
MAX_PREVIEW_WIDTH = 2048
HEADLINE_FROM_TEXT = 160


def parse_xml(data: bytes | str) -> etree._Element:
    """Parse untrusted XML with lxml hardened, namespaces stripped; FormatError on failure.

    Entity declarations are refused before parsing (EXPECTATIONS X01-X05): no agency
    needs them, and refusing is cheaper and clearer than budgeting their expansion.
    Namespaces are dropped because real feeds disagree on them (TT sends NewsML-G2 with
    no namespace at all) while the local names are what carries the meaning.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if isinstance(data, str):
        # An encoding declaration contradicts the bytes we just made.
        raw = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", raw, count=1)
    refuse_entity_declarations(raw)
    try:
        root = etree.fromstring(raw, hardened_parser(recover=False, strip=True))
    except etree.XMLSyntaxError as exc:
        raise FormatError(clean_message(f"invalid XML: {exc}")) from None
    except ValueError as exc:  # e.g. an unknown encoding declaration
        raise FormatError(clean_message(f"invalid XML: {exc}")) from None
    if root is None:
        raise FormatError("invalid XML: empty document")
    strip_namespaces(root)
    return root


def strip_namespaces(root: etree._Element) -> None:
    for el in root.iter():
        tag = el.tag
        if isinstance(tag, str) and tag.startswith("{"):
            el.tag = tag.split("}", 1)[1]


def text_of(el: etree._Element | None) -> str:
    """All the text under an element, as one clean line."""
    if el is None:
        return ""
    return clean_line("".join(t for t in el.itertext() if isinstance(t, str)))


def local(name: object) -> str:
    """The code of a qcode (``sig:update`` -> ``update``), lower-cased."""
    text = name if isinstance(name, str) else ""
    return text.rsplit(":", 1)[-1].rsplit("/", 1)[-1].strip().lower()


# NITF elements renamed to the HTML ones `element_to_content` knows.
_NITF_TO_HTML = {
    "block": "div",
    "hl1": "h2",
    "hl2": "h3",
    "bq": "blockquote",
    "credit": "p",
    "note": "div",
    "body.end": "div",
    "tagline": "p",
    "nitf-table": "table",
    "fn": "p",
}


@dataclass
class NitfContent:
    """The body of an NITF document plus what its ``body.head`` says."""

    content: HtmlContent
    headline: str = ""
    byline: str = ""
    dateline: str = ""
    abstract: str = ""


def _media_to_figure(media: etree._Element) -> None:
    """NITF ``media`` becomes an HTML ``figure`` so captions and credits survive the walk."""
    media.tag = "figure"
    for child in list(media):
        if not isinstance(child.tag, str):
            continue
        if child.tag == "media-reference":
            child.tag = "img"
            src = child.get("source") or child.get("data-location") or ""
            alt = child.get("alternate-text") or ""
            child.attrib.clear()
            child.set("src", src)
            if alt:
                child.set("alt", alt)
        elif child.tag == "media-caption":
            child.tag = "figcaption"
        elif child.tag == "media-producer":
            child.tag = "span"
            child.set("class", "credit")
    caption = media.find("figcaption")
    producer = media.find("span[@class='credit']")
    if producer is not None:
        if caption is None:
            caption = etree.SubElement(media, "figcaption")
        caption.append(producer)


def nitf_to_content(nitf: etree._Element, base: str | None) -> NitfContent:
    """Blocks and photos of an NITF document (``nitf``/``body``/``body.content``)."""
    body = nitf if nitf.tag == "body" else nitf.find("body")
    out = NitfContent(HtmlContent())
    if body is None:
        return out
    head = body.find("body.head")
    if head is not None:
        out.headline = text_of(head.find("hedline/hl1"))
        out.byline = text_of(head.find("byline"))
        out.dateline = text_of(head.find("dateline"))
        out.abstract = text_of(head.find("abstract"))
    content = body.find("body.content")
    if content is None:
        return out
    for el in list(content.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.tag == "media":
            _media_to_figure(el)
        elif el.tag in _NITF_TO_HTML:
            el.tag = _NITF_TO_HTML[el.tag]
    out.content = element_to_content(content, base)
    return out


def xhtml_to_content(root: etree._Element, base: str | None) -> HtmlContent:
    """Blocks of an inline XHTML document or fragment (its ``body`` if it has one)."""
    body = root if root.tag == "body" else root.find(".//body")
    return element_to_content(body if body is not None else root, base)


def text_blocks(text: str | None) -> list[Block]:
    """Plain text to paragraphs: blank lines separate them, else every line is one."""
    text = clean_text(text)
    if not text:
        return []
    parts = re.split(r"\n\s*\n", text) if re.search(r"\n\s*\n", text) else text.split("\n")
    return [Block(kind="paragraph", text=p.strip()) for p in parts if p.strip()]


def headline_from_text(*texts: str) -> str:
    """A headline for an item that has none (a bare picture): its caption's first sentence."""
    for text in texts:
        line = clean_line(text)
        if not any(ch.isalnum() for ch in line):
            continue
        m = re.match(r"(.{20,}?[.!?])\s", line)
        first = m.group(1) if m else line
        if len(first) > HEADLINE_FROM_TEXT:
            first = first[: HEADLINE_FROM_TEXT - 1].rsplit(" ", 1)[0] + "…"
        return first
    return ""


@dataclass
class Body:
    """A dispatch body being assembled: blocks and the photos they point at."""

    blocks: list[Block]
    photos: list[Photo]
    dateline: str = ""


def tidy_body(content: HtmlContent | None, headline: str, dateline: str = "") -> Body:
    """Drop a leading repeat of the headline and lift the wire dateline off the lead.

    TT and others start the HTML body with the headline as ``<h1>``: shown under the
    headline it reads as a stutter. A given dateline (NewsML-G2 ``dateline``) is trusted
    over one recognised in the text, but is still cut from the lead if it is there.
    """
    blocks = list(content.blocks) if content else []
    photos = list(content.photos) if content else []
    key = _norm(headline)
    first_text = next((i for i, b in enumerate(blocks) if b.kind != "photo"), None)
    if (
        first_text is not None
        and key
        and blocks[first_text].kind == "subhead"
        and _norm(blocks[first_text].text) == key
    ):
        del blocks[first_text]
    lead = next((i for i, b in enumerate(blocks) if b.kind == "paragraph"), None)
    if lead is not None:
        text = blocks[lead].text
        if dateline and text.startswith(dateline):
            rest = text[len(dateline) :].lstrip(" -–—:")
            if rest:
                blocks[lead] = Block(kind="paragraph", text=rest)
        elif not dateline:
            found, rest = split_dateline(text)
            if found:
                dateline = found
                blocks[lead] = Block(kind="paragraph", text=rest)
    return Body(blocks, photos, clean_line(dateline, 300).rstrip(" -–—:"))


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def merge_photos(body: Body, extra: Iterable[Photo]) -> None:
    """Attach pictures sent beside the body, once each.

    A picture already in the body (same caption or URL) is completed in place: the
    body's ``<figure>`` knows where it sits, the association knows the credit and the
    bigger rendition. Others go before the text, where a wire layout shows its photo.
    """
    lead: list[Block] = []
    for photo in extra:
        match = next(
            (
                i
                for i, p in enumerate(body.photos)
                if (photo.caption and _norm(p.caption) == _norm(photo.caption))
                or (photo.url and p.url == photo.url)
            ),
            None,
        )
        if match is not None:
            old = body.photos[match]
            body.photos[match] = replace(
                old,
                caption=old.caption or photo.caption,
                credit=photo.credit or old.credit,
                url=photo.url or old.url,
                width=photo.width if photo.url else old.width,
                height=photo.height if photo.url else old.height,
                mime=photo.mime if photo.url else old.mime,
            )
            continue
        body.photos.append(photo)
        lead.append(Block(kind="photo", photo=len(body.photos) - 1))
    body.blocks[:0] = lead


@dataclass(frozen=True)
class Rendition:
    href: str | None
    mime: str = ""
    width: int | None = None
    height: int | None = None
    name: str = ""


def best_image(renditions: Iterable[Rendition]) -> Rendition | None:
    """The picture to show: the widest image up to MAX_PREVIEW_WIDTH, else the smallest.

    Renditions with no size are kept as a last resort (ninjs examples often omit it).
    """
    images = [
        r
        for r in renditions
        if r.href and (r.mime.startswith("image/") or (not r.mime and _looks_like_image(r.href)))
    ]
    if not images:
        return None
    sized = [r for r in images if r.width]
    fitting = [r for r in sized if (r.width or 0) <= MAX_PREVIEW_WIDTH]
    if fitting:
        return max(fitting, key=lambda r: r.width or 0)
    if sized:
        return min(sized, key=lambda r: r.width or 0)
    return images[0]


def _looks_like_image(href: str) -> bool:
    return bool(re.search(r"\.(?:jpe?g|png|gif|webp)(?:$|\?)", href, re.I))


def to_int(value: object, low: int = 0, high: int = 10**9) -> int | None:
    """An integer field from JSON or an attribute, or None when it is not a sane one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 10:
        number = int(value.strip())
    else:
        return None
    return number if low <= number <= high else None


def photo(caption: str, credit: str, rendition: Rendition | None, base: str | None = None) -> Photo:
    """A sanitized Photo; the caption's trailing "(Photo by X)" is not split off on purpose:
    agencies' captions carry it as part of the copy."""
    return Photo(
        caption=clean_line(caption),
        credit=clean_line(credit, 300),
        url=safe_url(rendition.href, base) if rendition else None,
        width=rendition.width if rendition else None,
        height=rendition.height if rendition else None,
        mime=(clean_line(rendition.mime, 100) or None) if rendition else None,
    )


def chain(*names: str) -> tuple[str, ...]:
    """A credit chain without blanks or repeats, original source first."""
    out: list[str] = []
    for name in names:
        name = clean_line(name, 100)
        if name and name.casefold() not in (n.casefold() for n in out):
            out.append(name)
    return tuple(out)
