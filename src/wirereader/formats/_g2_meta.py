"""The metadata every NewsML-G2 item carries in ``itemMeta`` and ``contentMeta``.

News items and packages share it, so it is read once into `Meta`. Elements are matched
by local name (namespaces are stripped on parsing) and every value goes through the
sanitizer here, so `newsmlg2` only assembles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from wirereader.formats._wire import chain, local, text_of, to_int
from wirereader.formats.common import clean_guid, parse_date
from wirereader.model import PubStatus, Related
from wirereader.sanitize import clean_line, clean_text, safe_url

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_STATUS = {
    "usable": PubStatus.USABLE,
    "withheld": PubStatus.WITHHELD,
    "canceled": PubStatus.CANCELED,
    "cancelled": PubStatus.CANCELED,
}
_MAX_REPEATS = 200


@dataclass
class Meta:
    guid: str = ""
    version: int | None = None
    item_class: str = ""
    version_created: datetime | None = None
    first_created: datetime | None = None
    embargoed_until: datetime | None = None
    pub_status: PubStatus = PubStatus.USABLE
    signals: list[str] = field(default_factory=list)
    ednote: str = ""
    title: str = ""
    see_also: list[Related] = field(default_factory=list)
    url: str | None = None
    urgency: int | None = None
    headline: str = ""
    slugline: str = ""
    dateline: str = ""
    located: str = ""
    byline: str = ""
    creator: str = ""
    creditline: str = ""
    language: str = ""
    caption: str = ""
    summary: str = ""
    icon: str | None = None
    credit_chain: tuple[str, ...] = ()


def code(qcode: str | None) -> str:
    """The code part of a qcode, case kept (``is:AP`` -> ``AP``)."""
    return (qcode or "").split(":", 1)[-1].strip()


def _name(el: etree._Element | None) -> str:
    """A G2 concept's label: its ``name``, else its literal, else its qcode's code."""
    if el is None:
        return ""
    return (
        text_of(el.find("name"))
        or clean_line(el.get("literal"))
        or clean_line(code(el.get("qcode")))
    )


def _headline(meta: etree._Element) -> str:
    """``headline`` with no role or the main role; else the first one."""
    headlines = meta.findall("headline")[:_MAX_REPEATS]
    for el in headlines:
        if local(el.get("role")) in ("", "main"):
            text = text_of(el)
            if text:
                return text
    return next((t for t in (text_of(el) for el in headlines) if t), "")


def _located(el: etree._Element | None) -> str:
    if el is None:
        return ""
    parts = [text_of(el.find("name")) or clean_line(el.get("literal"))]
    parts.extend(text_of(b.find("name")) for b in el.findall("broader")[:10])
    return ", ".join(dict.fromkeys(p for p in parts if p))


def _signal(el: etree._Element) -> str:
    """``sig:update`` -> ``update``; a private scheme's signal by its literal if it has one."""
    qcode = el.get("qcode") or ""
    if qcode.lower().startswith("sig:") or not el.get("literal"):
        return local(qcode) or local(el.get("uri"))
    return clean_line(el.get("literal"), 60).lower()


def _item_meta(item: etree._Element, out: Meta, base: str | None) -> None:
    meta = item.find("itemMeta")
    if meta is None:
        return
    item_class = meta.find("itemClass")
    out.item_class = local(item_class.get("qcode")) if item_class is not None else ""
    out.version_created = parse_date(text_of(meta.find("versionCreated")))
    out.first_created = parse_date(text_of(meta.find("firstCreated")))
    out.embargoed_until = parse_date(text_of(meta.find("embargoed")))
    status = meta.find("pubStatus")
    if status is not None:
        out.pub_status = _STATUS.get(local(status.get("qcode")), PubStatus.USABLE)
    out.signals = [s for s in (_signal(el) for el in meta.findall("signal")[:50]) if s]
    out.ednote = clean_text("\n".join(text_of(el) for el in meta.findall("edNote")[:10]), 4096)
    out.title = text_of(meta.find("title"))
    for link in meta.findall("link")[:_MAX_REPEATS]:
        rel = local(link.get("rel"))
        href = safe_url(link.get("href"), base)
        if rel in ("canonical", "alternate") and href and not out.url:
            out.url = href
        elif rel == "seealso":
            headline = clean_line(link.get("title")) or text_of(link.find("title")) or href or ""
            guid = clean_guid(link.get("residref")) or None
            if headline and (href or guid):
                out.see_also.append(Related(headline=headline, url=href, guid=guid))


def _content_meta(item: etree._Element, out: Meta, base: str | None) -> None:
    meta = item.find("contentMeta")
    if meta is None:
        return
    out.urgency = to_int(text_of(meta.find("urgency")), 1, 9)
    out.headline = _headline(meta)
    out.slugline = clean_line(text_of(meta.find("slugline")), 300)
    out.dateline = clean_line(text_of(meta.find("dateline")), 300)
    out.located = clean_line(_located(meta.find("located")), 300)
    out.byline = clean_line(text_of(meta.find("by")), 500)
    out.creator = clean_line(_name(meta.find("creator")), 500)
    out.creditline = clean_line(text_of(meta.find("creditline")), 300)
    language = meta.find("language")
    out.language = clean_line(language.get("tag") if language is not None else "", 35)
    others: list[tuple[str, str]] = []
    for desc in meta.findall("description")[:_MAX_REPEATS]:
        role, text = local(desc.get("role")), text_of(desc)
        if text and role == "caption":
            out.caption = out.caption or text
        elif text:
            others.append((role, text))
    # drol:summary first; else whatever else describes the item (abstract, synthesis).
    out.summary = next((t for r, t in others if r == "summary"), others[0][1] if others else "")
    icon = meta.find("icon")
    if icon is not None:
        out.icon = safe_url(icon.get("href"), base)
    sources = [_name(el) for el in meta.findall("infoSource")[:50]]
    holder = item.find("rightsInfo/copyrightHolder")
    out.credit_chain = chain(*sources, _name(holder))


def read_meta(item: etree._Element, base: str | None) -> Meta:
    out = Meta(guid=clean_guid(item.get("guid")), version=to_int(item.get("version")))
    _item_meta(item, out, base)
    _content_meta(item, out, base)
    out.language = out.language or clean_line(item.get(XML_LANG), 35)
    return out
