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

from wirereader.store.schema import search_values, to_us

_STARRED = "SELECT dispatch_id FROM marks WHERE starred"


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


def prune(db: sqlite3.Connection, per_source: int, older_than: datetime | None) -> int:
    """Keep the newest ``per_source`` of each source (0: all) and none dated before
    ``older_than`` (None: any age), starred ones apart; returns how many went."""
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
    db.execute(f"DELETE FROM doomed WHERE id IN ({_STARRED})")  # noqa: S608
    return delete_where(db, "id IN (SELECT id FROM doomed)", ())
