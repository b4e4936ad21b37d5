"""Deleting dispatches: a source the user removed, and what retention lets go.

A reader that refreshes every few minutes for months must not grow without end, and a
feed that invents fresh guids at every fetch (the hostile corpus's ``/changing-guids``)
must not fill the disk in a day. Retention keeps the newest ``per_source`` dispatches of
each source and, if asked, none dated before a cut-off; a starred dispatch always stays.

A pruned item that is still in its feed does not come back: the source's item keys
(`formats.known`, ``sources.seen_items``) still list it, so the next fetch skips it as
unchanged. It returns only if its bytes change (a correction), as a new dispatch.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from wirereader.store.queries import STARRED_IDS
from wirereader.store.schema import search_values, to_us

#: Dispatches deleted by one prune at most, oldest first: the first prune of a large
#: cache (after an upgrade, or a lower setting) drains over a few refreshes.
MAX_PRUNE = 20_000
#: Deleted per transaction. Each costs ~0.3 ms (its index rows are re-made to delete
#: them, measured at 100k), so the write lock is let go every ~80 ms and the reader's
#: own writes (a read mark) never wait long behind a prune running in its thread.
CHUNK = 250


def delete_where(db: sqlite3.Connection, where: str, params: tuple[object, ...]) -> int:
    """Delete the dispatches ``WHERE <where>`` (a constant fragment) with their index rows.

    Marks and versions go with them (ON DELETE CASCADE). Returns how many were deleted.
    """
    # The FTS index is contentless: each row must be deleted with its own values, and
    # in rowid order (FTS5 writes a segment per out-of-order rowid).
    rows = db.execute(
        "SELECT sort_key, headline, content FROM dispatches WHERE "  # noqa: S608
        + where
        + " ORDER BY sort_key",
        params,
    )
    db.executemany(
        "INSERT INTO search(search, rowid, headline, body) VALUES ('delete', ?, ?, ?)",
        ((key, *search_values(headline, text)) for key, headline, text in rows),
    )
    return db.execute("DELETE FROM dispatches WHERE " + where, params).rowcount  # noqa: S608


def choose(
    db: sqlite3.Connection, per_source: int, older_than: datetime | None, limit: int = MAX_PRUNE
) -> int:
    """Mark for `delete_chosen` what retention lets go: all but the newest ``per_source``
    of each source (0: none), and all dated before ``older_than`` (None: none), starred
    ones apart, the oldest ``limit`` at most. Returns how many were chosen.

    The choice lives in a temporary table of this connection.
    """
    db.execute("CREATE TEMP TABLE IF NOT EXISTS doomed(id INTEGER PRIMARY KEY)")
    db.execute("DELETE FROM doomed")
    if per_source > 0:
        # Counting walks the (source_id, sort_key) index; only sources over the cap are
        # read further, from their oldest kept row on.
        crowded = db.execute(
            "SELECT source_id FROM dispatches GROUP BY source_id HAVING count(*) > ?",
            (per_source,),
        ).fetchall()
        for (source_id,) in crowded:
            db.execute(
                """INSERT OR IGNORE INTO doomed SELECT id FROM dispatches WHERE source_id = ?
                   ORDER BY sort_key DESC LIMIT -1 OFFSET ?""",
                (source_id, per_source),
            )
    if older_than is not None:
        db.execute(
            "INSERT OR IGNORE INTO doomed SELECT id FROM dispatches WHERE sort_key < ?",
            (to_us(older_than),),
        )
    db.execute(f"DELETE FROM doomed WHERE id IN ({STARRED_IDS})")  # noqa: S608
    db.execute(
        """DELETE FROM doomed WHERE id NOT IN (SELECT d.id FROM doomed o
               JOIN dispatches d ON d.id = o.id ORDER BY d.sort_key LIMIT ?)""",
        (limit,),
    )
    return int(db.execute("SELECT count(*) FROM doomed").fetchone()[0])


def delete_chosen(db: sqlite3.Connection, chunk: int | None = None) -> int:
    """Delete the oldest ``chunk`` of what `choose` chose; returns how many went.

    One starred since it was chosen stays.
    """
    db.execute("""CREATE TEMP TABLE IF NOT EXISTS doomed_now AS SELECT id FROM doomed WHERE 0""")
    db.execute("DELETE FROM doomed_now")
    db.execute(
        f"""INSERT INTO doomed_now SELECT d.id FROM doomed o JOIN dispatches d ON d.id = o.id
            WHERE d.id NOT IN ({STARRED_IDS}) ORDER BY d.sort_key LIMIT ?""",  # noqa: S608
        (chunk or CHUNK,),
    )
    db.execute("DELETE FROM doomed WHERE id IN (SELECT id FROM doomed_now)")
    return delete_where(db, "id IN (SELECT id FROM doomed_now)", ())
