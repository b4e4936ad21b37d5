"""The background refresh as the reader sees it: starting it, its progress, the status line.

Kept apart from `app.py` (layout, lists, reading, following links) so each stays short;
`WireReaderApp` inherits these actions and provides `load_sources`, the source shown
(`view`) and the search shown instead (`searching`). The refresh itself runs in
the service (`Reader.refresh`); its machinery is imported by the first refresh, after
the first frame, so nothing here imports it at start-up.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from textual import work

from wirereader.model import URGENCY_LABELS, StoredDispatch
from wirereader.sanitize import clean_message
from wirereader.ui.actions import DispatchActions
from wirereader.ui.dispatch import CHOOSE_HINT, DispatchView
from wirereader.ui.headlines import HeadlineList
from wirereader.ui.panes import SourceList
from wirereader.ui.status import StatusLine
from wirereader.ui.views import ListView

if TYPE_CHECKING:  # imported by the first refresh, after the first frame
    from wirereader.service.refresh import FeedOutcome, RefreshSummary


#: Urgent dispatches dated within this long alert when they arrive; older ones are news
#: caught up on, not news breaking.
ALERT_WINDOW = timedelta(hours=1)
MAX_ALERTS = 3
#: How far down the newest unread a refresh looks for new urgent dispatches.
ALERT_SCAN = 100


class RefreshActions(DispatchActions):
    """Refresh in a worker that never takes the app down; progress and totals in the status."""

    view: ListView
    searching: str | None
    #: Ids of urgent dispatches already alerted or there at start (see `alert_urgent`).
    _alerted: set[int] | None = None

    if TYPE_CHECKING:  # provided by the app

        def load_sources(self) -> None: ...

        def show_source(self, source_id: int | None, *, keep_id: int | None = None) -> None: ...

        def open_dispatch(
            self, dispatch_id: int, *, record: bool = True, preview: bool = False
        ) -> StoredDispatch | None: ...

    def action_refresh(self) -> None:
        if not self.reader.subscriptions():
            self.say(
                "No subscriptions yet: ctrl+p → “Subscribe to the built-in wire feeds”, "
                "or `wirereader add URL` in a shell.",
                timeout=8,
            )
            return
        if self._refreshing():
            # Starting another would cancel this one (an exclusive worker) and fetch
            # everything again from the start.
            self.say(f"Already refreshing ({self.status.progress or 'starting'}).", timeout=3)
            return
        self.run_refresh()

    def _refreshing(self) -> bool:
        return any(w.group == "refresh" and not w.is_finished for w in self.workers)

    def action_subscribe_defaults(self) -> None:
        """Subscribe to the built-in list of public wire feeds, then refresh."""
        added = self.reader.subscribe_defaults()
        self.say(f"Subscribed to {added} built-in feeds; refreshing.", timeout=5)
        self.load_sources()
        self.run_refresh()

    def refresh_when_due(self) -> None:
        """The timer's refresh (`refresh_every`): never over a refresh still running, which
        starting another would cancel, and nothing to do without subscriptions."""
        if not self._refreshing() and self.reader.subscriptions():
            self.run_refresh()

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def run_refresh(self) -> None:
        self._alerted_ids()  # what was cached before the first refresh never alerts
        self.status.progress = "refreshing…"
        self.update_status()

        def progress(outcome: FeedOutcome, done: int, total: int) -> None:
            self.status.progress = f"refreshing {done}/{total}"
            self.update_status()

        try:
            summary = await self.reader.refresh(progress=progress, on_batch=self._rows_changed)
        except Exception as exc:
            self.status.progress = ""
            self.say(clean_message(exc), title="Refresh failed", severity="error")
            self.update_status()
            return
        self._refresh_done(summary)

    def _refresh_done(self, summary: RefreshSummary) -> None:
        self.status.refresh_done(summary)
        self._rows_changed()
        self.update_status()
        if summary.new:
            self.alert_urgent()

    def alert_urgent(self) -> None:
        """Say so when a FLASH, BULLETIN or URGENT dispatch arrives while the reader is open.

        With the reader refreshing itself, one would otherwise sit unseen in the list
        while a story is being read. Only unread ones dated within `ALERT_WINDOW` alert,
        at most `MAX_ALERTS` at a time, and each once: the first refresh after a night
        away does not read the night out loud. What was on screen at start never alerts.
        """
        alerted = self._alerted_ids()
        recent = datetime.now(UTC) - ALERT_WINDOW
        fresh = [
            h
            for h in self.reader.headlines(limit=ALERT_SCAN, unread_only=True)
            if h.urgency in URGENCY_LABELS and h.id not in alerted and h.time >= recent
        ]
        alerted.update(h.id for h in fresh)
        for h in fresh[:MAX_ALERTS]:
            label = URGENCY_LABELS[h.urgency or 0]
            self.say(
                h.headline, title=f"{label} · {h.source_title}", severity="warning", timeout=12
            )
        if len(fresh) > MAX_ALERTS:
            self.say(f"and {len(fresh) - MAX_ALERTS} more", severity="warning", timeout=12)
        if fresh:
            self.bell()

    def _alerted_ids(self) -> set[int]:
        """The urgent dispatches already known: at first use (the first refresh starting),
        those cached then."""
        if self._alerted is None:
            self._alerted = {
                h.id for h in self.reader.headlines(limit=ALERT_SCAN) if h.urgency in URGENCY_LABELS
            }
        return self._alerted

    def _rows_changed(self) -> None:
        """Rows were written by the refresh: re-read, keeping the cursor on its headline."""
        if self.searching is not None:
            return
        view = self.view
        if view.source_id is not None and self.reader.source(view.source_id) is None:
            self.show_source(None)  # the source on show is gone (the samples retire)
        else:
            headlines = self.query_one("#headlines", HeadlineList)
            current = headlines.current
            headlines.reload(
                keep_id=current.id if current else None,
                position=lambda i: view.position(self.reader, i),
            )
        self.load_sources()
        self._forget_deleted()

    def _forget_deleted(self) -> None:
        """The dispatch on show may be gone (the samples retire, retention lets it go):
        the headline under the cursor takes its place, as a preview."""
        shown = self.query_one("#dispatch", DispatchView)
        if shown.stored is None or self.reader.get(shown.stored.id) is not None:
            return
        current = self.query_one("#headlines", HeadlineList).current
        if current is not None:
            self.open_dispatch(current.id, preview=True)
        else:
            shown.show_message(CHOOSE_HINT)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    @property
    def offline(self) -> bool:
        """The last refresh reached no feed at all: the reader works from the cache."""
        return self.status.offline

    def update_status(self) -> None:
        sources = self.query_one("#sources", SourceList)
        self.status.show(
            subscribed=bool(self.reader.subscriptions()),
            failing=sum(1 for s in sources.sources if s.last_error),
            headlines=self.query_one("#headlines", HeadlineList).row_count,
            note=sources.highlighted_error() if self.focused is sources else "",
        )
