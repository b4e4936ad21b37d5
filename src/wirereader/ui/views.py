"""Which headlines the list shows: a source or all of them, the starred, the unread only.

A wire desk reads by catching up: the unread of one agency, then mark them all read.
`ListView` is that choice as one value, so the list, the cursor it keeps across a refresh
and the resume point saved at quit all read the same filters.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from wirereader.service import Reader
from wirereader.ui.headlines import RowSource

#: The saved name of the starred view (`ui.source` holds a source id, "" or this).
STARRED = "starred"


@dataclass(frozen=True, slots=True)
class ListView:
    source_id: int | None = None
    #: Only the starred dispatches (of every source).
    starred: bool = False
    #: Only what is still unread. A dispatch read while on show stays until the list
    #: is next re-read (a refresh, another source): rows do not vanish under the cursor.
    unread: bool = False

    def with_unread(self, unread: bool) -> ListView:
        return replace(self, unread=unread)

    def saved(self) -> tuple[str, str]:
        """The view as two settings (`ui.source`, `ui.unread`) for the next launch."""
        source = STARRED if self.starred else "" if self.source_id is None else str(self.source_id)
        return source, "1" if self.unread else ""

    @classmethod
    def restore(cls, reader: Reader, source: str | None, unread: str | None) -> ListView:
        """The view saved at quit, or All when its source has been removed since."""
        wanted = unread == "1"
        if source == STARRED:
            return cls(starred=True, unread=wanted)
        if source and source.isdigit() and reader.source(int(source)) is not None:
            return cls(source_id=int(source), unread=wanted)
        return cls(unread=wanted)

    def label(self, reader: Reader) -> str:
        if self.starred:
            name = "Starred"
        elif self.source_id is not None and (info := reader.source(self.source_id)):
            name = info.label
        else:
            name = "All sources"
        return f"{name} · unread only" if self.unread else name

    def rows(self, reader: Reader) -> RowSource:
        """The list's rows under this view, read in windows as the list scrolls."""
        source_id, unread, starred = self.source_id, self.unread, self.starred
        return RowSource(
            count=lambda: reader.count(source_id, unread_only=unread, starred_only=starred),
            window=lambda offset, limit: reader.headlines(
                source_id, offset=offset, limit=limit, unread_only=unread, starred_only=starred
            ),
            label=self.label(reader),
        )

    def position(self, reader: Reader, dispatch_id: int) -> int | None:
        return reader.position(
            dispatch_id, self.source_id, unread_only=self.unread, starred_only=self.starred
        )
