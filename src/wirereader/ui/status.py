"""The status line: offline, refresh progress, failing sources, counts, the help hint.

One widget owns what the line says, so the app only reports facts to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:  # the refresh machinery is imported when a refresh starts, not before
    from wirereader.service.refresh import RefreshSummary


class StatusLine(Static):
    """Facts set by the app; `show` draws them in one line."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.offline = False
        self.progress = ""
        self.last_refresh: datetime | None = None
        self.last_summary: RefreshSummary | None = None

    def refresh_done(self, summary: RefreshSummary) -> None:
        self.progress = ""
        self.last_refresh = datetime.now()
        self.last_summary = summary
        self.offline = summary.offline

    def show(self, *, subscribed: bool, failing: int, headlines: int, note: str = "") -> None:
        """``note``: what the line says instead, for now (the failing source under the
        cursor of the Sources pane), so moving over ten of them is not ten toasts."""
        if note:
            self.update(Text(note, style="bold red", no_wrap=True, overflow="ellipsis"))
            return
        parts: list[str] = []
        if not subscribed:
            parts.append("no subscriptions yet — ctrl+p: “Subscribe to the built-in wire feeds”")
        if self.offline:
            parts.append("offline — reading from the cache")
        if self.progress:
            parts.append(self.progress)
        # Offline, every source failed for the same reason: saying so once is enough.
        if failing and not self.offline:
            parts.append(f"{failing} source{'s' if failing != 1 else ''} failing")
        if self.last_summary is not None and not self.offline:
            summary = self.last_summary
            pruned = f", {summary.pruned} old removed" if summary.pruned else ""
            parts.append(f"{summary.new} new, {summary.updated} updated{pruned}")
        if self.last_refresh:
            parts.append(f"last refresh {self.last_refresh:%H:%M}")
        parts.append(f"{headlines} headlines")
        parts.append("? keys")
        self.update(Text(" · ".join(parts)))
