"""One feed entry in format-neutral form, and how entries become dispatches.

RSS, Atom (`feed`, through feedparser or `fastfeed`) and JSON Feed (`jsonfeed`) each read
their entries into an `Item`; from there one `dispatch` makes the `Dispatch` -- the body
sanitized into blocks, photos merged, the dateline and a trailing credit line lifted out
of the paragraphs, urgency read from the headline -- and one `collect` applies the rules
every feed shares: the first of repeated guids wins, at most `MAX_ITEMS` are kept, and
items the last fetch held unchanged are counted, not built (`formats.known`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wirereader.formats._htmlfast import quick_clean_line
from wirereader.formats._mediarss import add_photo
from wirereader.formats.common import (
    MAX_ITEMS,
    clean_guid,
    credit_chain,
    fallback_guid,
    headline_signals,
    split_dateline,
)
from wirereader.formats.html import HtmlContent, html_to_content
from wirereader.model import Block, Dispatch, ParseResult, Photo, Related, SeenItems
from wirereader.sanitize import clean_text

if TYPE_CHECKING:
    from wirereader.formats.fastfeed import Keys

_MAX_RELATED = 100
_MAX_SUMMARY = 4096


@dataclass
class Item:
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


def dispatch(item: Item, fmt: str) -> Dispatch | None:
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


def collect(
    items: list[Any], build: Any, result: ParseResult, keys: Keys | None = None
) -> ParseResult:
    """Build dispatches, keeping the first of duplicate guids and at most `MAX_ITEMS`.

    With ``keys``, an item already known (its entry is None) is not built: its guid goes
    to ``result.unchanged``; each item that is kept is remembered in the ``seen`` of the
    result returned.
    """
    seen: set[str] = set()
    remember: dict[str, str] = {}  # item key -> guid, returned only with keys
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
                remember[key] = guid
            continue
        try:
            built = dispatch(build(index, raw), result.format)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            failed += 1
            continue
        if built is None:
            skipped += 1
        elif built.guid in seen:
            duplicates += 1
        else:
            seen.add(built.guid)
            result.dispatches.append(built)
            remember[key] = built.guid
    if skipped:
        result.warnings.append(f"{skipped} items without title, link, id or content skipped")
    if duplicates:
        result.warnings.append(f"{duplicates} items repeating an earlier id ignored")
    if failed:
        result.warnings.append(f"{failed} items could not be read")
    if keys is None:
        return result
    return replace(result, seen=SeenItems("", result.format, tuple(result.warnings), remember))
