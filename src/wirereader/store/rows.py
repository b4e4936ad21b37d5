"""A dispatch in the form the store writes it: everything but the SQL, computed anywhere.

Why apart from the SQL: encoding a dispatch (canonical JSON, its digest, the search-index
text with CJK spread out) costs more than inserting it, and it needs no database. A
refresh prepares rows in the parse worker processes, on every core, and ships these
plain tuples back (cheaper to pickle than the dispatch tree), so the one writer thread
only runs SQL. `prepare` is the single definition of that form; the store prepares rows
itself when it is handed plain dispatches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from wirereader.codec import dispatch_to_json, json_digest
from wirereader.model import Dispatch
from wirereader.store.schema import index_text, to_us


class Row(NamedTuple):
    guid: str
    headline: str
    urgency: int | None
    pub_status: str
    url: str | None
    #: The dispatch's own time (version created, else first created) in microseconds,
    #: or None: the store then uses the time it first saw it.
    dated: int | None
    #: Canonical JSON (`codec.dispatch_to_json`) and its sha256.
    text: str
    digest: bytes
    #: What the search index holds for it (`schema.index_text`).
    index_headline: str
    index_body: str


def prepare(d: Dispatch) -> Row:
    """The row for one dispatch."""
    text = dispatch_to_json(d)
    when = d.version_created or d.first_created
    index_headline, index_body = index_text(d.headline, d.body_text())
    return Row(
        guid=d.guid,
        headline=d.headline,
        urgency=d.urgency,
        pub_status=str(d.pub_status),
        url=d.url,
        dated=None if when is None else to_us(when),
        text=text,
        digest=json_digest(text),
        index_headline=index_headline,
        index_body=index_body,
    )


def prepare_all(dispatches: Sequence[Dispatch]) -> tuple[Row, ...]:
    return tuple(prepare(d) for d in dispatches)
