"""The cache's schema, how a file is opened, and the ordered migrations.

Shape, and why (design.md sections 8 and 9):
- ``dispatches.id`` is a stable INTEGER PRIMARY KEY: the UI, read marks and versions point
  at it, and it never changes when a dispatch is updated.
- ``dispatches.sort_key`` is the list time in microseconds since the epoch, made UNIQUE
  (a collision is nudged down a microsecond, so the first of equal times stays on top).
  Being unique, it is a total order on its own: newest-first windows and keyset paging
  are one index walk, with no tie-breaker column.
- The FTS5 rowid is ``sort_key``, not ``id``: FTS5 hands rows back in rowid order, so
  "newest 50 hits" stops after 50 instead of sorting every match (0.04 ms against 680 ms
  at 1M rows when sorted by a time column). An update that changes the time re-inserts
  the FTS row under the new key, which FTS5 would do for any update anyway.
- The FTS table is contentless: the text lives once, in ``dispatches.content`` JSON.
  Deleting from it needs the indexed values back, which the store recomputes from the
  stored JSON (headline + `Dispatch.body_text`). If what is indexed ever changes, add a
  migration that rebuilds the index (`rebuild_search`), or old rows cannot be removed.
  Later: a trigram index for CJK (the default tokenizer finds no Chinese words).
- Read and starred marks live in ``marks`` so re-fetching or updating a dispatch never
  touches them; old contents live in ``versions``.
- Times are integers (microseconds, UTC) everywhere: compact, and ordered as numbers.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wirereader.codec import dispatch_from_json

#: "WRDR": tells our cache from any other SQLite file.
APPLICATION_ID = 0x57524452
PAGE_SIZE = 16384
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


class StoreError(Exception):
    """The cache file cannot be used. The message is shown to users."""


def to_us(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _MICRO


def from_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


_V1 = (
    """CREATE TABLE sources(
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT 'feed',
        etag TEXT,
        last_modified TEXT,
        last_attempt INTEGER,
        last_success INTEGER,
        last_error TEXT,
        error_count INTEGER NOT NULL DEFAULT 0,
        added INTEGER NOT NULL)""",
    """CREATE TABLE dispatches(
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        guid TEXT NOT NULL,
        sort_key INTEGER NOT NULL,
        headline TEXT NOT NULL,
        urgency INTEGER,
        pub_status TEXT NOT NULL,
        url TEXT,
        first_seen INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        updates INTEGER NOT NULL DEFAULT 0,
        content_hash BLOB NOT NULL,
        content TEXT NOT NULL)""",
    "CREATE UNIQUE INDEX dispatches_source_guid ON dispatches(source_id, guid)",
    "CREATE UNIQUE INDEX dispatches_sort ON dispatches(sort_key DESC)",
    "CREATE INDEX dispatches_source_sort ON dispatches(source_id, sort_key DESC)",
    "CREATE INDEX dispatches_url ON dispatches(url) WHERE url IS NOT NULL",
    """CREATE TABLE marks(
        dispatch_id INTEGER PRIMARY KEY REFERENCES dispatches(id) ON DELETE CASCADE,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX marks_starred ON marks(dispatch_id) WHERE starred",
    """CREATE TABLE versions(
        id INTEGER PRIMARY KEY,
        dispatch_id INTEGER NOT NULL REFERENCES dispatches(id) ON DELETE CASCADE,
        seen INTEGER NOT NULL,
        replaced INTEGER NOT NULL,
        content TEXT NOT NULL)""",
    "CREATE INDEX versions_dispatch ON versions(dispatch_id, id)",
    "CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    """CREATE VIRTUAL TABLE search USING fts5(
        headline, body, content='', tokenize='unicode61 remove_diacritics 2')""",
)

#: Polite fetching: when a source may be fetched again (a 429/503 Retry-After, or the
#: back-off after repeated failures), and whether it answered 410 Gone (never polled again
#: unless the user forces it or subscribes anew).
_V2 = (
    "ALTER TABLE sources ADD COLUMN next_attempt INTEGER",
    "ALTER TABLE sources ADD COLUMN gone INTEGER NOT NULL DEFAULT 0",
)

Migration = tuple[str, ...] | Callable[[sqlite3.Connection], None]


def _v3(conn: sqlite3.Connection) -> None:
    """Chinese and Japanese are indexed a character at a time (see `index_text`)."""
    rebuild_search(conn)


#: Following a related headline that has neither a known guid nor a cached URL falls back
#: to the same headline: an index answers that in microseconds, where a full-text phrase
#: search took 10-270 ms at 100k (every common word's postings are read) and ran for
#: each related item of every dispatch opened. NOCASE folds ASCII only; `Store.locate`
#: compares the candidates with str.casefold.
_V4 = ("CREATE INDEX IF NOT EXISTS dispatches_headline ON dispatches(headline COLLATE NOCASE)",)


def _v5(conn: sqlite3.Connection) -> None:
    """The item keys of a source's last fetch (`formats.known`, JSON), so that the next
    fetch parses only the items that changed. A cache: NULL, or anything unreadable, just
    means the whole feed is parsed. An item listed here whose dispatch was deleted does
    not return while its bytes stay the same: what retention wants (`store.retention`);
    anything that deletes dispatches the user expects back must clear it.
    """
    columns = {row[1] for row in conn.execute("PRAGMA table_info(sources)")}
    if "seen_items" not in columns:  # idempotent, like _V4's IF NOT EXISTS
        conn.execute("ALTER TABLE sources ADD COLUMN seen_items TEXT")


#: MIGRATIONS[n] takes a database from user_version n to n + 1. Append only.
MIGRATIONS: list[Migration] = [_V1, _V2, _v3, _V4, _v5]
SCHEMA_VERSION = len(MIGRATIONS)


# Han ideographs and kana. Chinese and Japanese write words without spaces, so unicode61
# would index a whole clause as one token and a search for 通胀 inside it finds nothing.
# Indexing each character as a token, and searching a CJK word as the phrase of its
# characters ("通 胀"), finds words anywhere at the cost of a few more postings; the
# trigram tokenizer would do it too, at about 6x the index size (design.md section 9).
_CJK_RUN = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+"
)


def _spread(run: re.Match[str]) -> str:
    return " " + "  ".join(run.group()) + " "


def cjk_tokens(text: str) -> str:
    """Text with every CJK character standing alone (" 北  京 "), for the index and queries.

    One replacement per run of characters, not per character: a template substitution
    per character made this the slowest step of storing a Chinese dispatch.
    """
    return _CJK_RUN.sub(_spread, text) if not text.isascii() else text


def index_text(headline: str, body: str) -> tuple[str, str]:
    """What the FTS row holds for a dispatch: needed again, exactly, to delete it."""
    return cjk_tokens(headline), cjk_tokens(body)


def search_values(headline: str, content: str) -> tuple[str, str]:
    """`index_text` of a stored row."""
    return index_text(headline, dispatch_from_json(content).body_text())


def rebuild_search(conn: sqlite3.Connection) -> None:
    """Re-index every dispatch: for a migration that changes what or how we index."""
    conn.execute("INSERT INTO search(search) VALUES ('delete-all')")
    # In rowid order: FTS5 writes a segment per out-of-order rowid (see batch._Search).
    rows = conn.execute("SELECT sort_key, headline, content FROM dispatches ORDER BY sort_key")
    conn.executemany(
        "INSERT INTO search(rowid, headline, body) VALUES (?, ?, ?)",
        ((key, *search_values(headline, content)) for key, headline, content in rows),
    )


def _pragma(conn: sqlite3.Connection, name: str) -> int:
    value = conn.execute(f"PRAGMA {name}").fetchone()[0]
    return int(value)


def connect(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """Open (creating if needed) and migrate a cache file, or raise `StoreError`."""
    where = Path(path)
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: the store issues BEGIN IMMEDIATE / COMMIT itself, so a batch is one
        # transaction and PRAGMAs that refuse to run inside one (journal_mode) just work.
        conn = sqlite3.connect(where, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open the cache {where}: {exc}") from exc
    try:
        _prepare(conn, where)
    except sqlite3.OperationalError as exc:  # locked, read-only, disk full: not corruption
        conn.close()
        raise StoreError(f"cannot use the cache {where}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{where} is not a wirereader cache ({exc})") from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _prepare(conn: sqlite3.Connection, where: Path) -> None:
    conn.execute("PRAGMA busy_timeout = 5000")
    # One statement, so one snapshot: read one by one, a cache that another process is
    # creating right now could show no application id and then its first tables, and be
    # mistaken for a foreign SQLite file.
    app_id, version, has_tables = conn.execute(
        """SELECT (SELECT application_id FROM pragma_application_id),
                  (SELECT user_version FROM pragma_user_version),
                  (SELECT count(*) FROM sqlite_schema)"""
    ).fetchone()
    if app_id != APPLICATION_ID:
        if app_id != 0 or version != 0 or has_tables:
            raise StoreError(f"{where} is an SQLite file but not a wirereader cache")
        # Only takes effect before the first write, i.e. on a brand new file.
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{where} was written by a newer wirereader (cache schema {version}; "
            f"this version reads up to {SCHEMA_VERSION}): upgrade wirereader or use --db"
        )
    _set_wal(conn)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    if version < SCHEMA_VERSION:
        migrate(conn)


def _set_wal(conn: sqlite3.Connection, wait: float = 5.0) -> None:
    """Switch the file to WAL (a setting kept in the file, so usually already done).

    Switching needs an exclusive lock, and SQLite answers "database is locked" at once,
    without the busy timeout, when another process holds any lock: processes opening a
    brand-new cache together would fail. So retry for as long as the busy timeout.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def migrate(conn: sqlite3.Connection) -> None:
    """Apply the missing migrations, each in its own transaction with its version bump."""
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            version = _pragma(conn, "user_version")
            if version >= SCHEMA_VERSION:
                conn.execute("COMMIT")
                return
            step = MIGRATIONS[version]
            if callable(step):
                step(conn)
            else:
                for statement in step:
                    conn.execute(statement)
            if version == 0:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
