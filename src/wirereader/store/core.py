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
from datetime import UTC, datetime
from types import TracebackType

from wirereader.codec import dispatch_from_json
from wirereader.model import Dispatch, Headline, SourceInfo, StoredDispatch, source_label
from wirereader.store.batch import BatchStats, SourceUpdate, save_batch
from wirereader.store.queries import (
    HEADLINE,
    HEADLINE_JOINS,
    SOURCE,
    SOURCE_KINDS,
    STORED,
    FetchState,
    filters,
    headline_of,
    opt_time,
    search_expression,
    source_of,
)
from wirereader.store.retention import MAX_PRUNE, choose, delete_chosen, delete_where
from wirereader.store.schema import connect, from_us, to_us


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
        row = self._conn.execute(SOURCE + " WHERE s.id = ?", (source_id,)).fetchone()
        return None if row is None else source_of(row)

    def source_by_url(self, url: str) -> SourceInfo | None:
        row = self._conn.execute(SOURCE + " WHERE s.url = ?", (url,)).fetchone()
        return None if row is None else source_of(row)

    def sources(self) -> list[SourceInfo]:
        """By the name the reader shows (a title-less source's comes from its URL)."""
        found = [source_of(row) for row in self._conn.execute(SOURCE)]
        return sorted(found, key=lambda s: (s.label.casefold(), s.id))

    def remove_source(self, source_id: int) -> None:
        """Forget a source and everything cached from it (only ever on the user's word)."""
        with self._write() as db:
            delete_where(db, "source_id = ?", (source_id,))
            db.execute("DELETE FROM sources WHERE id = ?", (source_id,))

    def validators(self, source_id: int) -> tuple[str | None, str | None]:
        row = self._conn.execute(
            "SELECT etag, last_modified FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
        return (None, None) if row is None else (row[0], row[1])

    def fetch_state(self, source_id: int) -> FetchState:
        """What refreshing needs to know about a source: validators and back-off."""
        row = self._conn.execute(
            """SELECT etag, last_modified, next_attempt, gone, error_count, seen_items
               FROM sources WHERE id = ?""",
            (source_id,),
        ).fetchone()
        if row is None:
            return FetchState()
        return FetchState(row[0], row[1], opt_time(row[2]), bool(row[3]), row[4], row[5])

    def clear_backoff(self, source_id: int) -> None:
        """Forget a source's back-off and gone state (the user subscribed to it anew)."""
        with self._write() as db:
            db.execute(
                "UPDATE sources SET next_attempt = NULL, gone = 0 WHERE id = ?", (source_id,)
            )

    def defer(self, deferred: Sequence[tuple[int, datetime, str]]) -> None:
        """Back sources off after the fact: ``(source id, next attempt, note)``; the note
        is added to the error already stored by the refresh."""
        with self._write() as db:
            db.executemany(
                """UPDATE sources SET next_attempt = ?, last_error = last_error || ?
                   WHERE id = ? AND last_error IS NOT NULL""",
                [(to_us(when), note, source_id) for source_id, when, note in deferred],
            )

    def save_batch(self, updates: Sequence[SourceUpdate]) -> BatchStats:
        return save_batch(self._conn, updates)

    # --- reading -----------------------------------------------------------------------

    def count(
        self, source_id: int | None = None, *, unread_only: bool = False, starred_only: bool = False
    ) -> int:
        where, params = filters(source_id, unread_only, starred_only)
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
        where, params = filters(source_id, unread_only, starred_only)
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
            HEADLINE
            + " FROM dispatches d"
            + HEADLINE_JOINS
            + where
            + " ORDER BY d.sort_key DESC LIMIT ?",
            [*params, limit],
        )
        return [headline_of(row) for row in rows]

    def position(
        self,
        dispatch_id: int,
        source_id: int | None = None,
        *,
        unread_only: bool = False,
        starred_only: bool = False,
    ) -> int | None:
        """How many rows of the list come before the dispatch.

        Under the unread or starred filter a dispatch that left the list (just read)
        still has a place: the row that took it, so the cursor stays where it was.
        """
        row = self._conn.execute(
            "SELECT sort_key, source_id FROM dispatches WHERE id = ?", (dispatch_id,)
        ).fetchone()
        if row is None or (source_id is not None and row[1] != source_id):
            return None
        where, params = filters(source_id, unread_only, starred_only)
        above = self._conn.execute(
            "SELECT count(*) FROM dispatches d" + where + " AND d.sort_key > ?",  # noqa: S608
            [*params, row[0]],
        ).fetchone()
        return int(above[0])

    def _stored(self, where: str, params: Sequence[object]) -> StoredDispatch | None:
        row = self._conn.execute(STORED + where, params).fetchone()
        if row is None:
            return None
        return StoredDispatch(
            id=row[0],
            source_id=row[1],
            source_title=source_label(row[2], row[3]),
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
            HEADLINE
            + " FROM search JOIN dispatches d ON d.sort_key = search.rowid"
            + HEADLINE_JOINS
            + " WHERE search MATCH ?"
        )
        params: list[object] = [expression]
        if source_id is not None:
            sql += " AND d.source_id = ?"
            params.append(source_id)
        rows = self._conn.execute(sql + " ORDER BY search.rowid DESC LIMIT ?", [*params, limit])
        return [headline_of(row) for row in rows]

    # --- marks and settings ------------------------------------------------------------

    def set_read(self, dispatch_ids: Sequence[int], read: bool = True) -> None:
        with self._write() as db:
            db.executemany(
                """INSERT INTO marks(dispatch_id, read) SELECT id, ? FROM dispatches WHERE id = ?
                   ON CONFLICT(dispatch_id) DO UPDATE SET read = excluded.read""",
                [(int(read), i) for i in dispatch_ids],
            )

    def mark_all_read(
        self, source_id: int | None = None, *, starred_only: bool = False
    ) -> list[int]:
        """Mark every unread dispatch of the list read; returns their ids (to undo it)."""
        where, params = filters(source_id, True, starred_only)
        with self._write() as db:
            rows = db.execute(
                "INSERT INTO marks(dispatch_id, read) SELECT d.id, 1 FROM dispatches d"  # noqa: S608
                + where
                + " ON CONFLICT(dispatch_id) DO UPDATE SET read = 1 RETURNING dispatch_id",
                params,
            ).fetchall()
        return [row[0] for row in rows]

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

    def prune(
        self, *, per_source: int = 0, older_than: datetime | None = None, limit: int = MAX_PRUNE
    ) -> int:
        """Retention (`store.retention`): the newest ``per_source`` of each source stay,
        and nothing dated before ``older_than``; starred ones always. At most ``limit``
        go, the oldest first, a short transaction at a time. Returns how many went."""
        if per_source <= 0 and older_than is None:
            return 0
        with self._write() as db:
            chosen = choose(db, per_source, older_than, limit)
        gone = 0
        while gone < chosen:
            with self._write() as db:
                deleted = delete_chosen(db)
            if not deleted:
                break
            gone += deleted
        return gone

    def optimize(self) -> None:
        """Refresh the planner's statistics (newsboat's first screen: 2 s without, 150 ms with)."""
        self._conn.execute("PRAGMA analysis_limit = 1000")
        self._conn.execute("PRAGMA optimize")
