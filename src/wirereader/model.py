"""The domain model: one shape for every input format (design.md section 2).

Modelled on IPTC ninjs 3.x because that is what agencies use, so RSS, Atom, JSON Feed,
ninjs, NewsML-G2, article pages and the plain dispatch text all map onto it. Everything
here is plain data: no I/O, no Textual, no SQL, so every layer can depend on it.

Strings in a `Dispatch` are expected to be sanitized already (see `sanitize.py`): the
parsers build dispatches through `sanitize` so nothing downstream has to remember to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

#: Wire urgency: 1 is a flash, 9 the least urgent. ninjs and NewsML-G2 carry it directly;
#: RSS only through headline markers (see `formats.signals`).
URGENCY_FLASH = 1
URGENCY_BULLETIN = 2
URGENCY_URGENT = 3

URGENCY_LABELS: dict[int, str] = {
    URGENCY_FLASH: "FLASH",
    URGENCY_BULLETIN: "BULLETIN",
    URGENCY_URGENT: "URGENT",
}


class PubStatus(StrEnum):
    """IPTC publication status. A canceled dispatch is a kill: never shown as usable."""

    USABLE = "usable"
    WITHHELD = "withheld"
    CANCELED = "canceled"


BlockKind = Literal["paragraph", "subhead", "quote", "photo"]


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a dispatch body, in reading order.

    A body is blocks rather than HTML so the reader renders it without an HTML engine
    and the store can index its text. A ``photo`` block points at ``Dispatch.photos``
    by index (``photo``) so a caption shows where the picture sat in the story.
    """

    kind: BlockKind
    text: str = ""
    photo: int | None = None


@dataclass(frozen=True, slots=True)
class Photo:
    """A picture attached to a dispatch. Caption and credit are the point; the URL may be absent."""

    caption: str = ""
    credit: str = ""
    url: str | None = None
    width: int | None = None
    height: int | None = None
    mime: str | None = None


@dataclass(frozen=True, slots=True)
class Related:
    """A headline the dispatch points to: by URL (a web page or feed item) or by guid."""

    headline: str
    url: str | None = None
    guid: str | None = None


@dataclass(frozen=True, slots=True)
class Dispatch:
    """One wire dispatch, as parsed. Identity within its source is ``guid``.

    Times are timezone-aware UTC or None when the input had none that made sense.
    ``version`` is the sender's version number (ninjs/NewsML-G2); the store keeps its
    own count of the versions it has seen.
    """

    guid: str
    headline: str
    url: str | None = None
    version: int | None = None
    version_created: datetime | None = None
    first_created: datetime | None = None
    urgency: int | None = None
    pub_status: PubStatus = PubStatus.USABLE
    embargoed_until: datetime | None = None
    signals: tuple[str, ...] = ()
    slugline: str = ""
    dateline: str = ""
    located: str = ""
    byline: str = ""
    language: str = ""
    ednote: str = ""
    creditline: str = ""
    summary: str = ""
    body: tuple[Block, ...] = ()
    photos: tuple[Photo, ...] = ()
    related: tuple[Related, ...] = ()
    #: Original agency first, e.g. ("Xinhua", "VNA", "CVN").
    credit_chain: tuple[str, ...] = ()
    #: The format it came from: "rss", "atom", "jsonfeed", "ninjs", "newsml-g2",
    #: "dispatch-text", "article".
    format: str = ""

    @property
    def is_withdrawn(self) -> bool:
        return self.pub_status is PubStatus.CANCELED

    def body_text(self) -> str:
        """The searchable text of the body: paragraphs, subheads, quotes and captions."""
        parts = [b.text for b in self.body if b.text]
        parts.extend(p.caption for p in self.photos if p.caption)
        return "\n".join(parts)


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What a parser makes of one document: its dispatches and what it learnt about the feed.

    ``warnings`` are short, sanitized, user-facing notes ("recovered from malformed XML",
    "3 items without id or link skipped"); an unusable document raises `FormatError`
    instead of returning an empty result, so an empty feed is never mistaken for a
    feed that emptied itself.
    """

    format: str
    dispatches: list[Dispatch] = field(default_factory=list)
    title: str = ""
    link: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: Guids of the items left unparsed because they are byte for byte what the last
    #: fetch held (see `SeenItems`); the store counts them as unchanged.
    unchanged: list[str] = field(default_factory=list)
    #: What to remember for the next fetch of this document; None when the parse cannot
    #: vouch for its items that way (feedparser's fallback, formats other than RSS/Atom).
    seen: SeenItems | None = None


@dataclass(frozen=True, slots=True)
class SeenItems:
    """A feed as its last fetch held it, so that a refetch parses only what changed.

    Most refreshes bring back what was there: a feed without validators answers 200 with
    the same bytes, and one with a new story repeats the other 49. Parsing an item costs
    about half a millisecond of Python; recognising its bytes costs a hash. The keys
    (`formats.known`) cover the bytes, everything the item inherits from its document and
    the parser's own code, so an equal key means the parse would produce the stored
    dispatch again.
    """

    #: Key of the whole response: equal means nothing in it changed.
    document: str
    format: str
    #: The parse's warnings, repeated when the document is unchanged.
    warnings: tuple[str, ...] = ()
    #: Key of each item that became a dispatch -> that dispatch's guid.
    items: dict[str, str] = field(default_factory=dict)


class FormatError(ValueError):
    """The document is not something wirereader can read. The message is shown to users."""


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """A subscription (or a local import) as the user sees it, with its fetch state."""

    id: int
    url: str
    title: str
    kind: Literal["feed", "local", "sample", "pages"]
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    cached: int = 0
    unread: int = 0
    newest: datetime | None = None
    #: Polite fetching: not fetched again before this time (Retry-After or back-off).
    next_attempt: datetime | None = None
    #: The feed answered 410 Gone: it is no longer polled.
    gone: bool = False
    #: Failed fetches in a row (drives the back-off).
    error_count: int = 0

    @property
    def label(self) -> str:
        return source_label(self.title, self.url)


#: Host labels that say nothing about whose feed it is ("feeds.afp.com" is AFP's).
_PLAIN_HOST_LABELS = frozenset({"www", "feeds", "feed", "rss", "api"})
#: Path segments that say nothing about which of a host's feeds it is.
_PLAIN_SEGMENTS = frozenset({"rss", "feed", "feeds", "atom", "index", "latest", "api", "v1", "v2"})
_FEED_SUFFIXES = (".xml", ".rss", ".atom", ".json", ".txt", ".php")


@lru_cache(maxsize=4096)
def source_label(title: str, url: str) -> str:
    """What a source is called: its own title, or a short name made from its URL.

    ninjs, NewsML-G2 and dispatch-text sources have no feed title, and the whole URL in
    a 12- or 16-column name cell read "http://127.0…" for every one of them. The host
    (whose feed it is) and the last telling path segment (which of its feeds) fit, and
    set one source apart from the next.
    """
    if title:
        return title
    parts = urlsplit(url)
    host = (parts.hostname or "").removesuffix(".")
    if not host:
        return url
    labels = host.split(".")
    if len(labels) > 2 and labels[0] in _PLAIN_HOST_LABELS:
        host = ".".join(labels[1:])
    for segment in reversed([s for s in parts.path.split("/") if s]):
        stem = segment
        for suffix in _FEED_SUFFIXES:
            stem = stem.removesuffix(suffix)
        if stem and stem.casefold() not in _PLAIN_SEGMENTS:
            return f"{host} › {stem}"
    return host


@dataclass(frozen=True, slots=True)
class Headline:
    """One row of the headline list: just what the list draws, read in windows."""

    id: int
    source_id: int
    source_title: str
    headline: str
    time: datetime
    urgency: int | None
    pub_status: PubStatus
    updates: int
    read: bool
    starred: bool


@dataclass(frozen=True, slots=True)
class StoredDispatch:
    """A dispatch as cached: the parsed content plus what the store knows about it."""

    id: int
    source_id: int
    source_title: str
    source_url: str
    dispatch: Dispatch
    time: datetime
    first_seen: datetime
    updated: datetime
    updates: int
    read: bool
    starred: bool
