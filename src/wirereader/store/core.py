"""The `Store`: the one place that speaks SQL. Everything else asks it in domain terms.

One Store per thread (sqlite3's same-thread check stays on): the refresh worker and the
UI each open their own, and WAL lets the UI read while a batch is being written.
Every list is newest first and walks an index on ``sort_key`` (see `schema`), so a window
of rows costs the same at 1,000 or 1,000,000 cached dispatches.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, cast, get_args

from wirereader.codec import dispatch_from_json
from wirereader.model import Dispatch, Headline, PubStatus, SourceInfo, StoredDispatch
from wirereader.store.batch import BatchStats, SourceUpdate, save_batch
from wirereader.store.schema import cjk_tokens, connect, from_us, search_values, to_us

SourceKind = Literal["feed", "local", "sample", "pages"]
SOURCE_KINDS: frozenset[str] = frozenset(get_args(SourceKind))

# S608 (noqa below): every query is joined from the constant fragments in this module;
# values only ever travel as parameters.
_TITLE = "CASE s.title WHEN '' THEN s.url ELSE s.title END"
_HEADLINE = f"""SELECT d.id, d.source_id, {_TITLE}, d.headline, d.sort_key, d.urgency,
        d.pub_status, d.updates, coalesce(m.read, 0), coalesce(m.starred, 0)"""
_HEADLINE_JOINS = """ JOIN sources s ON s.id = d.source_id
        LEFT JOIN marks m ON m.dispatch_id = d.id"""
# S608 below: every query is joined from the constant fragments in this module; values
# only ever travel as parameters.
_STORED = """SELECT d.id, d.source_id, CASE s.title WHEN '' THEN s.url ELSE s.title END,
        s.url, d.content, d.sort_key, d.first_seen, d.updated, d.updates,
        coalesce(m.read, 0), coalesce(m.starred, 0)
    FROM dispatches d JOIN sources s ON s.id = d.source_id
        LEFT JOIN marks m ON m.dispatch_id = d.id"""
# Read counts come from one pass over the read marks, grouped (CROSS JOIN keeps SQLite
# from starting at the dispatches): counting per source from the dispatches' side looked
# up a mark for every cached dispatch (15 ms at 100k, each time the sources pane is
# drawn, start-up included). A source's own query (WHERE s.id = ?) costs the same pass.
_SOURCE = """SELECT s.id, s.url, s.title, s.kind, s.last_attempt, s.last_success,
        s.last_error,
        (SELECT count(*) FROM dispatches d WHERE d.source_id = s.id),
        coalesce(r.n, 0),
        (SELECT max(d.sort_key) FROM dispatches d WHERE d.source_id = s.id),
        s.next_attempt, s.gone, s.error_count
    FROM sources s LEFT JOIN (
        SELECT d.source_id AS sid, count(*) AS n FROM marks m
            CROSS JOIN dispatches d ON d.id = m.dispatch_id
        WHERE m.read GROUP BY d.source_id) r ON r.sid = s.id"""
_UNREAD = " AND NOT EXISTS (SELECT 1 FROM marks r WHERE r.dispatch_id = d.id AND r.read)"
_STARRED = " AND d.id IN (SELECT dispatch_id FROM marks WHERE starred)"


def _filters(
    source_id: int | None, unread_only: bool, starred_only: bool
) -> tuple[str, list[object]]:
    """A WHERE clause made only of the constant fragments above; values go in params."""
    sql, params = " WHERE 1", list[object]()
    if source_id is not None:
        sql += " AND d.source_id = ?"
        params.append(source_id)
    if unread_only:
        sql += _UNREAD
    if starred_only:
        sql += _STARRED
    return sql, params


def _headline(row: Any) -> Headline:
    return Headline(
        id=row[0],
        source_id=row[1],
        source_title=row[2],
        headline=row[3],
        time=from_us(row[4]),
        urgency=row[5],
        pub_status=_status(row[6]),
        updates=row[7],
        read=bool(row[8]),
        starred=bool(row[9]),
    )


def _status(value: str) -> PubStatus:
    try:
        return PubStatus(value)
    except ValueError:
        return PubStatus.WITHHELD


def _opt_time(value: int | None) -> datetime | None:
    return None if value is None else from_us(value)


def _source(row: Any) -> SourceInfo:
    cached, read = row[7], row[8]
    kind = row[3] if row[3] in SOURCE_KINDS else "feed"
    return SourceInfo(
        id=row[0],
        url=row[1],
        title=row[2],
        kind=cast(SourceKind, kind),
        last_attempt=_opt_time(row[4]),
        last_success=_opt_time(row[5]),
        last_error=row[6],
        cached=cached,
        unread=cached - read,
        newest=_opt_time(row[9]),
        next_attempt=_opt_time(row[10]),
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


class Store:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._conn: sqlite3.Connection = connect(path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE: take the write lock up front, so two writers queue on busy_timeout
        # instead of one failing when it tries to upgrade a read transaction.
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # --- sources -----------------------------------------------------------------------

    def ensure_source(self, url: str, *, title: str = "", kind: str = "feed") -> int:
        if kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source kind {kind!r}")
        now = to_us(datetime.now(UTC))
        with self._write() as db:
            db.execute(
                """INSERT INTO sources(url, title, kind, added) VALUES (?, ?, ?, ?)
                   ON CONFLICT(url) DO NOTHING""",
                (url, title, kind, now),
            )
            if title:
                db.execute(
                    "UPDATE sources SET title = ? WHERE url = ? AND title = ''", (title, url)
                )
            row = db.execute("SELECT id FROM sources WHERE url = ?", (url,)).fetchone()
        return int(row[0])

    def source(self, source_id: int) -> SourceInfo | None:
        row = self._conn.execute(_SOURCE + " WHERE s.id = ?", (source_id,)).fetchone()
        return None if row is None else _source(row)

    def source_by_url(self, url: str) -> SourceInfo | None:
        row = self._conn.execute(_SOURCE + " WHERE s.url = ?", (url,)).fetchone()
        return None if row is None else _source(row)

    def sources(self) -> list[SourceInfo]:
        rows = self._conn.execute(_SOURCE + f" ORDER BY {_TITLE} COLLATE NOCASE, s.id")
        return [_source(row) for row in rows]

    def remove_source(self, source_id: int) -> None:
        """Forget a source and everything cached from it (only ever on the user's word)."""
        with self._write() as db:
            # The FTS index is contentless: each row must be deleted with its own values.
            rows = db.execute(
                # In rowid order: FTS5 writes a segment per out-of-order rowid.
                "SELECT sort_key, headline, content FROM dispatches WHERE source_id = ?"
                " ORDER BY sort_key",
                (source_id,),
            )
            db.executemany(
                "INSERT INTO search(search, rowid, headline, body) VALUES ('delete', ?, ?, ?)",
                ((key, *search_values(headline, text)) for key, headline, text in rows),
            )
            db.execute("DELETE FROM sources WHERE id = ?", (source_id,))

    def validators(self, source_id: int) -> tuple[str | None, str | None]:
        row = self._conn.execute(
            "SELECT etag, last_modified FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
        return (None, None) if row is None else (row[0], row[1])

    def fetch_state(self, source_id: int) -> FetchState:
        """What refreshing needs to know about a source: validators and back-off."""
        row = self._conn.execute(
            """SELECT etag, last_modified, next_attempt, gone, error_count
               FROM sources WHERE id = ?""",
            (source_id,),
        ).fetchone()
        if row is None:
            return FetchState()
        return FetchState(row[0], row[1], _opt_time(row[2]), bool(row[3]), row[4])

    def clear_backoff(self, source_id: int) -> None:
        """Forget a source's back-off and gone state (the user subscribed to it anew)."""
        with self._write() as db:
            db.execute(
                "UPDATE sources SET next_attempt = NULL, gone = 0 WHERE id = ?", (source_id,)
            )

    def save_batch(self, updates: Sequence[SourceUpdate]) -> BatchStats:
        return save_batch(self._conn, updates)

    # --- reading -----------------------------------------------------------------------

    def count(
        self, source_id: int | None = None, *, unread_only: bool = False, starred_only: bool = False
    ) -> int:
        where, params = _filters(source_id, unread_only, starred_only)
        sql = "SELECT count(*) FROM dispatches d" + where  # noqa: S608
        row = self._conn.execute(sql, params).fetchone()
        return int(row[0])

    def headlines(
        self,
        source_id: int | None = None,
        *,
        offset: int = 0,
        limit: int = 200,
        unread_only: bool = False,
        starred_only: bool = False,
    ) -> list[Headline]:
        """A window of the newest-first list, rows ``offset`` to ``offset + limit``.

        The offset is turned into a sort key by walking the index alone; the window is
        then read from that key on. A plain OFFSET would build (and throw away) joined
        rows for every skipped dispatch.
        """
        if limit <= 0:
            return []
        where, params = _filters(source_id, unread_only, starred_only)
        if offset > 0:
            start = self._conn.execute(
                "SELECT d.sort_key FROM dispatches d"  # noqa: S608
                + where
                + " ORDER BY d.sort_key DESC LIMIT 1 OFFSET ?",
                [*params, offset],
            ).fetchone()
            if start is None:
                return []
            where += " AND d.sort_key <= ?"
            params.append(start[0])
        rows = self._conn.execute(
            _HEADLINE
            + " FROM dispatches d"
            + _HEADLINE_JOINS
            + where
            + " ORDER BY d.sort_key DESC LIMIT ?",
            [*params, limit],
        )
        return [_headline(row) for row in rows]

    def position(self, dispatch_id: int, source_id: int | None = None) -> int | None:
        row = self._conn.execute(
            "SELECT sort_key, source_id FROM dispatches WHERE id = ?", (dispatch_id,)
        ).fetchone()
        if row is None or (source_id is not None and row[1] != source_id):
            return None
        where, params = _filters(source_id, False, False)
        above = self._conn.execute(
            "SELECT count(*) FROM dispatches d" + where + " AND d.sort_key > ?",  # noqa: S608
            [*params, row[0]],
        ).fetchone()
        return int(above[0])

    def _stored(self, where: str, params: Sequence[object]) -> StoredDispatch | None:
        row = self._conn.execute(_STORED + where, params).fetchone()
        if row is None:
            return None
        return StoredDispatch(
            id=row[0],
            source_id=row[1],
            source_title=row[2],
            source_url=row[3],
            dispatch=dispatch_from_json(row[4]),
            time=from_us(row[5]),
            first_seen=from_us(row[6]),
            updated=from_us(row[7]),
            updates=row[8],
            read=bool(row[9]),
            starred=bool(row[10]),
        )

    def get(self, dispatch_id: int) -> StoredDispatch | None:
        return self._stored(" WHERE d.id = ?", (dispatch_id,))

    def find(self, source_id: int, guid: str) -> StoredDispatch | None:
        return self._stored(" WHERE d.source_id = ? AND d.guid = ?", (source_id, guid))

    def find_by_url(self, url: str) -> StoredDispatch | None:
        """The newest cached dispatch with that page URL, whichever source it came from."""
        return self._stored(" WHERE d.url = ? ORDER BY d.sort_key DESC LIMIT 1", (url,))

    def locate(
        self, *, source_id: int | None, guid: str | None, url: str | None, headline: str
    ) -> int | None:
        """The cached dispatch a related headline points at, newest first: by guid within
        ``source_id``, else by page URL, else by the same headline (case aside). Index
        look-ups only, nothing decoded: the related pane asks this for every item."""
        conn = self._conn
        if guid and source_id is not None:
            row = conn.execute(
                "SELECT id FROM dispatches WHERE source_id = ? AND guid = ?", (source_id, guid)
            ).fetchone()
            if row:
                return int(row[0])
        if url:
            row = conn.execute(
                "SELECT id FROM dispatches WHERE url = ? ORDER BY sort_key DESC LIMIT 1", (url,)
            ).fetchone()
            if row:
                return int(row[0])
        wanted = headline.casefold().strip()
        if not wanted:
            return None
        rows = conn.execute(
            """SELECT id, headline FROM dispatches WHERE headline = ? COLLATE NOCASE
               ORDER BY sort_key DESC LIMIT 50""",
            (headline.strip(),),
        )
        for dispatch_id, found in rows:
            if found.casefold().strip() == wanted:
                return int(dispatch_id)
        return None

    def versions(self, dispatch_id: int) -> list[tuple[datetime, Dispatch]]:
        """Earlier contents, oldest first, each with the time it was first fetched."""
        rows = self._conn.execute(
            "SELECT seen, content FROM versions WHERE dispatch_id = ? ORDER BY id",
            (dispatch_id,),
        )
        return [(from_us(seen), dispatch_from_json(text)) for seen, text in rows]

    def search(
        self, query: str, *, limit: int = 50, source_id: int | None = None
    ) -> list[Headline]:
        """Newest matches first, in FTS rowid order (= sort_key), so it stops at ``limit``."""
        expression = search_expression(query)
        if expression is None or limit <= 0:
            return []
        sql = (
            _HEADLINE
            + " FROM search JOIN dispatches d ON d.sort_key = search.rowid"
            + _HEADLINE_JOINS
            + " WHERE search MATCH ?"
        )
        params: list[object] = [expression]
        if source_id is not None:
            sql += " AND d.source_id = ?"
            params.append(source_id)
        rows = self._conn.execute(sql + " ORDER BY search.rowid DESC LIMIT ?", [*params, limit])
        return [_headline(row) for row in rows]

    # --- marks and settings ------------------------------------------------------------

    def set_read(self, dispatch_ids: Sequence[int], read: bool = True) -> None:
        with self._write() as db:
            db.executemany(
                """INSERT INTO marks(dispatch_id, read) SELECT id, ? FROM dispatches WHERE id = ?
                   ON CONFLICT(dispatch_id) DO UPDATE SET read = excluded.read""",
                [(int(read), i) for i in dispatch_ids],
            )

    def set_starred(self, dispatch_id: int, starred: bool) -> None:
        with self._write() as db:
            db.execute(
                """INSERT INTO marks(dispatch_id, starred) SELECT id, ? FROM dispatches
                   WHERE id = ?
                   ON CONFLICT(dispatch_id) DO UPDATE SET starred = excluded.starred""",
                (int(starred), dispatch_id),
            )

    def get_setting(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute(
                """INSERT INTO settings(key, value) VALUES (?, ?)
                   ON CONFLICT(key) DO UPDATE SET value = excluded.value""",
                (key, value),
            )

    def optimize(self) -> None:
        """Refresh the planner's statistics (newsboat's first screen: 2 s without, 150 ms with)."""
        self._conn.execute("PRAGMA analysis_limit = 1000")
        self._conn.execute("PRAGMA optimize")
