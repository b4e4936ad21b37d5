"""The SQL text the `Store` is made of, and how its rows become model objects.

Apart from `store.core` so the Store's methods read as what they do; every query here is
a constant (or joined from constants), and values only ever travel as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast, get_args

from wirereader.model import Headline, PubStatus, SourceInfo, source_label
from wirereader.store.schema import cjk_tokens, from_us

SourceKind = Literal["feed", "local", "sample", "pages"]
SOURCE_KINDS: frozenset[str] = frozenset(get_args(SourceKind))

# S608 (the noqa marks in `store.core`): every query is joined from the constant fragments
# in this module; values only ever travel as parameters.
HEADLINE = """SELECT d.id, d.source_id, s.title, s.url, d.headline, d.sort_key, d.urgency,
        d.pub_status, d.updates, coalesce(m.read, 0), coalesce(m.starred, 0)"""
HEADLINE_JOINS = """ JOIN sources s ON s.id = d.source_id
        LEFT JOIN marks m ON m.dispatch_id = d.id"""
STORED = """SELECT d.id, d.source_id, s.title, s.url, d.content, d.sort_key, d.first_seen, d.updated, d.updates,
        coalesce(m.read, 0), coalesce(m.starred, 0)
    FROM dispatches d JOIN sources s ON s.id = d.source_id
        LEFT JOIN marks m ON m.dispatch_id = d.id"""
# Read counts come from one pass over the read marks, grouped (CROSS JOIN keeps SQLite
# from starting at the dispatches): counting per source from the dispatches' side looked
# up a mark for every cached dispatch (15 ms at 100k, each time the sources pane is
# drawn, start-up included). A source's own query (WHERE s.id = ?) costs the same pass.
SOURCE = """SELECT s.id, s.url, s.title, s.kind, s.last_attempt, s.last_success,
        s.last_error,
        (SELECT count(*) FROM dispatches d WHERE d.source_id = s.id),
        coalesce(r.n, 0),
        (SELECT max(d.sort_key) FROM dispatches d WHERE d.source_id = s.id),
        s.next_attempt, s.gone, s.error_count
    FROM sources s LEFT JOIN (
        SELECT d.source_id AS sid, count(*) AS n FROM marks m
            CROSS JOIN dispatches d ON d.id = m.dispatch_id
        WHERE m.read GROUP BY d.source_id) r ON r.sid = s.id"""
UNREAD = " AND NOT EXISTS (SELECT 1 FROM marks r WHERE r.dispatch_id = d.id AND r.read)"
STARRED_IDS = "SELECT dispatch_id FROM marks WHERE starred"
STARRED = f" AND d.id IN ({STARRED_IDS})"


def filters(
    source_id: int | None, unread_only: bool, starred_only: bool
) -> tuple[str, list[object]]:
    """A WHERE clause made only of the constant fragments above; values go in params."""
    sql, params = " WHERE 1", list[object]()
    if source_id is not None:
        sql += " AND d.source_id = ?"
        params.append(source_id)
    if unread_only:
        sql += UNREAD
    if starred_only:
        sql += STARRED
    return sql, params


def headline_of(row: Any) -> Headline:
    return Headline(
        id=row[0],
        source_id=row[1],
        source_title=source_label(row[2], row[3]),
        headline=row[4],
        time=from_us(row[5]),
        urgency=row[6],
        pub_status=status_of(row[7]),
        updates=row[8],
        read=bool(row[9]),
        starred=bool(row[10]),
    )


def status_of(value: str) -> PubStatus:
    try:
        return PubStatus(value)
    except ValueError:
        return PubStatus.WITHHELD


def opt_time(value: int | None) -> datetime | None:
    return None if value is None else from_us(value)


def source_of(row: Any) -> SourceInfo:
    cached, read = row[7], row[8]
    kind = row[3] if row[3] in SOURCE_KINDS else "feed"
    return SourceInfo(
        id=row[0],
        url=row[1],
        title=row[2],
        kind=cast(SourceKind, kind),
        last_attempt=opt_time(row[4]),
        last_success=opt_time(row[5]),
        last_error=row[6],
        cached=cached,
        unread=cached - read,
        newest=opt_time(row[9]),
        next_attempt=opt_time(row[10]),
        gone=bool(row[11]),
        error_count=row[12],
    )


@dataclass(frozen=True, slots=True)
class FetchState:
    """A source's conditional-request validators and polite-fetching state."""

    etag: str | None = None
    last_modified: str | None = None
    next_attempt: datetime | None = None
    gone: bool = False
    error_count: int = 0
    #: `formats.known` JSON: the item keys of the last fetch that parsed.
    seen_items: str | None = None


def search_expression(query: str) -> str | None:
    """User text as an FTS5 expression that cannot be a syntax error.

    Each term becomes a quoted string (so ``"``, ``*``, ``NEAR(``, ``-``, ``:``, ``OR`` are
    just text) and the terms are ANDed. The last term is a prefix so results follow
    typing, unless the text ends in a space (the word is finished): a prefix makes FTS5
    merge every matching token's hits before it can return the newest 50 (~30 ms for a
    word in every row at 300k rows), where an exact word streams in rowid order (~0.1 ms).
    Terms with no letter or digit are dropped: they index to nothing, and an empty
    phrase would make the whole query match nothing.
    """
    terms = [t for t in query.split() if any(ch.isalnum() for ch in t)]
    if not terms:
        return None
    # A CJK word becomes the phrase of its characters, as they are indexed.
    quoted = ['"' + cjk_tokens(t).strip().replace('"', '""') + '"' for t in terms]
    if not query[-1:].isspace():
        quoted[-1] += "*"
    return " ".join(quoted)
