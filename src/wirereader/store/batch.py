"""Saving a refresh: many sources' results in one transaction.

One transaction per batch because a commit (an fsync in WAL) costs far more than the
rows, and because a reader then sees a refresh whole or not at all. Rows are collected in
Python and written with executemany at the end of each source; the stored versions of a
source's items are looked up in one query, and the search index is written once, at the
end, in rowid order (see `_Search`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from wirereader.codec import dispatch_from_json
from wirereader.model import Dispatch
from wirereader.store.rows import Row, prepare
from wirereader.store.schema import index_text, to_us

#: A dispatch dated further ahead than this (a wrong clock or time zone at the sender)
#: would sit on top of the list for hours, so its list time is capped.
FUTURE_SLACK = timedelta(hours=2)


@dataclass(frozen=True)
class SourceUpdate:
    """What one fetch of one source produced; exactly one of error / not_modified / rows.

    The dispatches come either as `Dispatch` objects or already prepared as `rows`
    (see `store.rows`: a refresh prepares them in its parse workers); rows win if both.
    """

    source_id: int
    fetched_at: datetime
    dispatches: Sequence[Dispatch] = ()
    rows: Sequence[Row] = ()
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None
    #: A permanent redirect: the subscription moves (unless another source has that URL).
    new_url: str | None = None
    #: With an error: do not fetch the source again before this time (polite back-off).
    retry_at: datetime | None = None
    #: With an error: the server said 410 Gone, so the source is no longer polled.
    gone: bool = False
    #: With an error: no server answered any feed of the refresh, so the reader was
    #: offline and the source is not at fault: only the attempt is recorded (its last
    #: error and failure count are left as they were).
    offline: bool = False
    #: Items the parse skipped as unchanged since the last fetch (counted, not written),
    #: and what to remember of this fetch for the next one (`FetchState.seen_items`).
    unchanged: int = 0
    seen_items: str | None = None


@dataclass
class BatchStats:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    #: source id -> (new, updated, unchanged), for every source that was fetched fine.
    per_source: dict[int, tuple[int, int, int]] = field(default_factory=dict)


def _sort_us(row: Row, first_seen: int, latest: int) -> int:
    """Where a dispatch sits in the list: its own time, else when first seen, never later
    than ``latest`` (fetch time + `FUTURE_SLACK`); microseconds."""
    return min(first_seen if row.dated is None else row.dated, latest)


class _Keys:
    """Hands out unique sort keys: the wanted time, or the first free microsecond below."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._taken: set[int] = set()
        # wanted -> next candidate, so N dateless items sharing one fetch time cost O(N).
        self._below: dict[int, int] = {}
        # Keys known to be free in the table (every key handed out is in _taken first).
        self._free: set[int] = set()

    def learn(self, wanted: Sequence[int]) -> None:
        """Look up many wanted keys in one query; `take` then skips its own for those free."""
        ask = set(wanted) - self._taken
        used = self._conn.execute(_USED_KEYS, (json.dumps(list(ask)),))
        self._free.update(ask - {key for (key,) in used})

    def take(self, wanted: int) -> int:
        key = self._below.get(wanted, wanted)
        while key in self._taken or (
            key not in self._free
            and self._conn.execute("SELECT 1 FROM dispatches WHERE sort_key = ?", (key,)).fetchone()
        ):
            key -= 1
        self._taken.add(key)
        self._below[wanted] = key - 1
        return key


class _Search:
    """Search-index changes of a whole batch, written at its end in ascending rowid order.

    FTS5 flushes its pending terms to a new on-disk segment whenever a rowid is not
    larger than the previous one in the transaction; feeds list newest first, so writing
    in feed order made a segment per row (and the merges after): 3-4x the cost.
    """

    def __init__(self) -> None:
        self.add: list[tuple[int, str, str]] = []
        self.delete: list[tuple[int, str, str]] = []

    def write(self, conn: sqlite3.Connection) -> None:
        # Deletes first: a key freed by a moved dispatch may be re-used by another one.
        conn.executemany(_FTS_DEL, sorted(self.delete))
        conn.executemany(_FTS_ADD, sorted(self.add))


# Many at once: one statement per source instead of one per item (a JSON array parameter).
_FIND = """SELECT guid, id, sort_key, headline, content_hash, content, first_seen, updated
           FROM dispatches WHERE source_id = ? AND guid IN (SELECT value FROM json_each(?))"""
_USED_KEYS = "SELECT sort_key FROM dispatches WHERE sort_key IN (SELECT value FROM json_each(?))"
_INSERT = """INSERT INTO dispatches(source_id, guid, sort_key, headline, urgency, pub_status,
                url, first_seen, updated, content_hash, content)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
_UPDATE = """UPDATE dispatches SET sort_key = ?, headline = ?, urgency = ?, pub_status = ?,
                url = ?, updated = ?, updates = updates + 1, content_hash = ?, content = ?
             WHERE id = ?"""
_RECANON = "UPDATE dispatches SET content_hash = ?, content = ? WHERE id = ?"
_VERSION = "INSERT INTO versions(dispatch_id, seen, replaced, content) VALUES (?, ?, ?, ?)"
_FTS_ADD = "INSERT INTO search(rowid, headline, body) VALUES (?, ?, ?)"
_FTS_DEL = "INSERT INTO search(search, rowid, headline, body) VALUES ('delete', ?, ?, ?)"


def save_batch(conn: sqlite3.Connection, updates: Sequence[SourceUpdate]) -> BatchStats:
    stats = BatchStats()
    keys = _Keys(conn)
    seen: set[tuple[int, str]] = set()
    search = _Search()
    conn.execute("BEGIN IMMEDIATE")
    try:
        for update in updates:
            _save_one(conn, update, stats, keys, seen, search)
        search.write(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return stats


def _save_one(
    conn: sqlite3.Connection,
    up: SourceUpdate,
    stats: BatchStats,
    keys: _Keys,
    seen: set[tuple[int, str]],
    search: _Search,
) -> None:
    sid = up.source_id
    at = to_us(up.fetched_at)
    if not conn.execute("SELECT 1 FROM sources WHERE id = ?", (sid,)).fetchone():
        return  # removed by the user while the fetch ran: nothing to save it to
    if up.error is not None and up.offline:
        conn.execute("UPDATE sources SET last_attempt = ? WHERE id = ?", (at, sid))
        stats.failed += 1
        return
    if up.error is not None:
        retry = None if up.retry_at is None else to_us(up.retry_at)
        conn.execute(
            """UPDATE sources SET last_attempt = ?, last_error = ?, error_count = error_count + 1,
                   next_attempt = ?, gone = ? WHERE id = ?""",
            (at, up.error, retry, int(up.gone), sid),
        )
        stats.failed += 1
        return
    conn.execute(
        """UPDATE sources SET last_attempt = ?1, last_success = ?1, last_error = NULL,
               error_count = 0, next_attempt = NULL, gone = 0, title = CASE WHEN ?2 != '' THEN ?2 ELSE title END
           WHERE id = ?3""",
        (at, up.title or "", sid),
    )
    if up.new_url:
        conn.execute(
            """UPDATE sources SET url = ?1
               WHERE id = ?2 AND NOT EXISTS (SELECT 1 FROM sources WHERE url = ?1)""",
            (up.new_url, sid),
        )
    if up.not_modified:
        # A 304 may carry fresh validators; it never clears the ones we have.
        conn.execute(
            """UPDATE sources SET etag = coalesce(?, etag),
                   last_modified = coalesce(?, last_modified) WHERE id = ?""",
            (up.etag, up.last_modified, sid),
        )
        stats.per_source.setdefault(sid, (0, 0, 0))
        return
    conn.execute(
        "UPDATE sources SET etag = ?, last_modified = ?, seen_items = ? WHERE id = ?",
        (up.etag, up.last_modified, up.seen_items, sid),
    )
    _save_dispatches(conn, up, stats, keys, seen, search, at)


def _save_dispatches(
    conn: sqlite3.Connection,
    up: SourceUpdate,
    stats: BatchStats,
    keys: _Keys,
    seen: set[tuple[int, str]],
    search: _Search,
    at: int,
) -> None:
    sid = up.source_id
    inserts: list[tuple[object, ...]] = []
    changes: list[tuple[object, ...]] = []
    recanon: list[tuple[object, ...]] = []
    versions: list[tuple[object, ...]] = []
    fts_add, fts_del = search.add, search.delete
    new = updated = 0
    unchanged = up.unchanged
    latest = to_us(up.fetched_at + FUTURE_SLACK)
    rows = up.rows or [prepare(d) for d in up.dispatches]
    # One query per few hundred items rather than one per item, for the stored ones and
    # for the free list keys of the new ones.
    found = conn.execute(_FIND, (sid, json.dumps([r.guid for r in rows])))
    stored: dict[str, tuple[Any, ...]] = {row[0]: row[1:] for row in found}
    keys.learn([_sort_us(r, at, latest) for r in rows if r.guid not in stored])
    for r in rows:
        if (sid, r.guid) in seen:
            continue  # the first occurrence in a batch wins
        seen.add((sid, r.guid))
        row = stored.get(r.guid)
        if row is None:
            key = keys.take(_sort_us(r, at, latest))
            inserts.append(
                (
                    sid,
                    r.guid,
                    key,
                    r.headline,
                    r.urgency,
                    r.pub_status,
                    r.url,
                    at,
                    at,
                    r.digest,
                    r.text,
                )
            )
            fts_add.append((key, r.index_headline, r.index_body))
            new += 1
            continue
        did, old_key, old_headline, old_digest, old_text, first_seen, old_updated = row
        if old_digest == r.digest:
            unchanged += 1
            continue
        old = dispatch_from_json(old_text)
        if old == dispatch_from_json(r.text):
            # Same content written by an older codec: store the current form, count as
            # unchanged, so a codec change never floods the list with false updates.
            recanon.append((r.digest, r.text, did))
            unchanged += 1
            continue
        wanted = _sort_us(r, first_seen, latest)
        key = old_key if wanted == old_key else keys.take(wanted)
        versions.append((did, old_updated, at, old_text))
        fts_del.append((old_key, *index_text(old_headline, old.body_text())))
        fts_add.append((key, r.index_headline, r.index_body))
        changes.append((key, r.headline, r.urgency, r.pub_status, r.url, at, r.digest, r.text, did))
        updated += 1
    conn.executemany(_VERSION, versions)
    conn.executemany(_UPDATE, changes)
    conn.executemany(_RECANON, recanon)
    conn.executemany(_INSERT, inserts)
    a, b, c = stats.per_source.get(sid, (0, 0, 0))
    stats.per_source[sid] = (a + new, b + updated, c + unchanged)
    stats.new += new
    stats.updated += updated
    stats.unchanged += unchanged
