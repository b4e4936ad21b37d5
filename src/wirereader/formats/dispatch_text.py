"""The plain-text dispatch layout (shared/corpus/dispatch-text, Le Courrier du Vietnam style).

One dispatch per file, one element per line::

    >> Related headline            (the space after >> may be missing; lines may repeat)
    Caption of the photo. |        (a line ending " |")
    Photo : AFP/VNA/CVN |          (its credit; also "Photos :")
    Body paragraph, one per line.
    Xinhua/VNA/CVN                 (the last line: the credit chain, original agency first)

The credit pattern is checked before the caption pattern because both end in " |".
A headline line is optional: when the first body line is short and unpunctuated it is
taken as the headline, otherwise the first related headline is *not* used (it is another
story) and the lead sentence stands in, truncated.
"""

from __future__ import annotations

import re

from wirereader.formats.common import credit_chain, fallback_guid, split_dateline
from wirereader.model import Block, Dispatch, FormatError, ParseResult, Photo, Related
from wirereader.sanitize import clean_line, clean_text, safe_url

_RELATED = re.compile(r"^\s*>>\s*(?P<text>.+?)\s*$")
_CREDIT = re.compile(r"^\s*Photos?\s*:\s*(?P<credit>.+?)\s*\|\s*$", re.IGNORECASE)
_CAPTION = re.compile(r"^(?P<caption>.+?)\s+\|\s*$")
_URL_LINE = re.compile(r"^\s*(?:URL|Link|Source)\s*:\s*(?P<url>\S+)\s*$", re.IGNORECASE)
_HEADLINE_MAX = 160
MAX_LINES = 20_000


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _looks_like_headline(line: str) -> bool:
    return len(line) <= _HEADLINE_MAX and not line.rstrip().endswith((".", '"', "»", ":"))


def _lead_headline(lead: str, limit: int = 120) -> str:
    """A headline from the lead when the file has none: its start, cut at a word."""
    lead = lead.strip().strip('"«»“” ')
    if len(lead) <= limit:
        return lead
    cut = lead[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def parse(data: bytes, url: str | None) -> ParseResult:
    """Read one dispatch in the text layout. Raises `FormatError` when there is no text."""
    lines = _decode(data).splitlines()[:MAX_LINES]
    related: list[Related] = []
    photos: list[Photo] = []
    paragraphs: list[str] = []
    chain: tuple[str, ...] = ()
    link: str | None = None
    pending_caption: str | None = None

    def close_caption(credit: str = "") -> None:
        nonlocal pending_caption
        if pending_caption is not None:
            photos.append(
                Photo(caption=clean_line(pending_caption), credit=clean_line(credit, 300))
            )
            pending_caption = None

    content = [line for line in lines if line.strip()]
    if content and credit_chain(content[-1]) is not None:
        chain = credit_chain(content[-1]) or ()
        content = content[:-1]
    for raw in content:
        line = raw.strip()
        if m := _RELATED.match(line):
            headline = clean_line(m.group("text"))
            if headline and all(r.headline != headline for r in related):
                related.append(Related(headline=headline))
        elif m := _CREDIT.match(line):
            close_caption(m.group("credit"))
        elif m := _CAPTION.match(line):
            close_caption()
            pending_caption = m.group("caption")
        elif (m := _URL_LINE.match(line)) and link is None and safe_url(m.group("url")):
            link = safe_url(m.group("url"))
        else:
            close_caption()
            paragraphs.append(line)
    close_caption()

    if not paragraphs and not photos:
        raise FormatError("no dispatch text found")
    headline = ""
    if len(paragraphs) > 1 and _looks_like_headline(paragraphs[0]):
        headline = paragraphs.pop(0)
    dateline = ""
    if paragraphs:
        dateline, paragraphs[0] = split_dateline(paragraphs[0])
    if not headline:
        headline = _lead_headline(paragraphs[0] if paragraphs else photos[0].caption)
    headline = clean_line(headline, _HEADLINE_MAX) or "(untitled)"

    body: list[Block] = [Block(kind="photo", photo=i) for i in range(len(photos))]
    body.extend(Block(kind="paragraph", text=clean_text(p)) for p in paragraphs if clean_text(p))
    guid = link or fallback_guid("dispatch-text", headline, "\n".join(paragraphs))
    dispatch = Dispatch(
        guid=guid,
        headline=headline,
        url=link,
        dateline=clean_line(dateline),
        body=tuple(body),
        photos=tuple(photos),
        related=tuple(related),
        credit_chain=tuple(clean_line(c, 64) for c in chain),
        format="dispatch-text",
    )
    return ParseResult(format="dispatch-text", dispatches=[dispatch], link=url)
