"""Refreshing subscriptions: fetch concurrently, parse off the event loop, store in batches.

The one place where fetch, formats and store meet for feeds. Failures stay per feed: a
feed that times out, answers 500 or sends garbage is recorded with its reason and every
other feed carries on; nothing already cached is touched by a failure (EXPECTATIONS G1,
G2). Parsing runs in worker threads so the TUI's event loop never waits on it; writing
runs on one dedicated writer thread with its own connection, one transaction per batch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from wirereader.model import Dispatch, FormatError, ParseResult
from wirereader.sanitize import clean_message
from wirereader.service.backoff import back_off_unreachable, backoff_delay, next_try

if TYPE_CHECKING:
    from wirereader.config import Config
    from wirereader.fetch import Fetcher, FetchLimits, FetchResult
    from wirereader.service.fulltext import Lookup
    from wirereader.service.parsepool import ParsePool
    from wirereader.store import SourceUpdate

#: How long refreshed feeds wait before their batch is written, so new headlines show up
#: while a long refresh is still running without a transaction per feed.
BATCH_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class FeedTarget:
    source_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    #: Fetch the article page of summary-only items (see `fulltext`).
    full_text: bool = False
    #: Failed fetches in a row so far, for the exponential back-off.
    error_count: int = 0
    #: The item keys of the last fetch (`FetchState.seen_items`), "" for none yet.
    seen_items: str = ""
    #: The name the subscription was given (config, urls ~title, OPML, the built-in
    #: list): it wins over the feed's own title, as newsboat's urls ~title does.
    title: str = ""


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """What happened to one feed, as shown in progress lines and in the TUI."""

    source_id: int
    url: str
    status: str  # "new", "unchanged", "not-modified", "failed"
    new: int = 0
    updated: int = 0
    error: str | None = None
    warnings: tuple[str, ...] = ()
    pages: int = 0
    #: The feed moved for good (301/308) and its new URL parsed: the subscription follows.
    moved_to: str | None = None
    #: Failed without any server answering (see `FetchResult.unreachable`).
    unreachable: bool = False


@dataclass(slots=True)
class RefreshSummary:
    feeds: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: int = 0
    failed: int = 0
    #: Of the failed, those no server answered (name not found, no connection).
    unreachable: int = 0
    pages: int = 0
    #: Sources not fetched this time: backing off, rate limited or gone (410).
    skipped: int = 0
    #: Dispatches let go by retention after the refresh (`Reader.prune`).
    pruned: int = 0
    elapsed: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)
    #: (old URL, new URL) of the subscriptions that moved permanently.
    moved: list[tuple[str, str]] = field(default_factory=list)

    @property
    def offline(self) -> bool:
        """No server answered at all: the network (not the feeds) is the problem.

        Counted from the fetches, not read from their messages: a name that does not
        resolve ("host not found", what being offline looks like first) was missed.
        """
        return bool(self.feeds) and self.failed == self.feeds == self.unreachable

    def line(self) -> str:
        pages = f", {self.pages} article pages fetched" if self.pages else ""
        skipped = f", {self.skipped} skipped (backing off or gone)" if self.skipped else ""
        pruned = f", {self.pruned} removed by retention" if self.pruned else ""
        return (
            f"{self.feeds} feeds: {self.new} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.not_modified} not modified, "
            f"{self.failed} failed{pages}{skipped}{pruned} in {self.elapsed:.1f} s"
        )


ProgressCallback = Callable[[FeedOutcome, int, int], None]


def failed_update(
    result: FetchResult, target: FeedTarget, now: datetime
) -> tuple[SourceUpdate, FeedOutcome]:
    """A failed fetch as a store update: the error, and when to try again (or never)."""
    from wirereader.store import SourceUpdate

    error = result.error or "no response"
    gone = result.status == 410
    retry_at = None
    if gone:
        error = f"{error}: the feed was removed by its server; no longer polled"
    else:
        delay = backoff_delay(result.status, result.retry_after, target.error_count)
        if delay is not None:
            retry_at = now + timedelta(seconds=delay)
            error += next_try(delay)
    error = clean_message(error)
    update = SourceUpdate(
        source_id=target.source_id, fetched_at=now, error=error, retry_at=retry_at, gone=gone
    )
    outcome = FeedOutcome(
        target.source_id, target.url, "failed", error=error, unreachable=result.unreachable
    )
    return update, outcome


def parse_response(body: bytes, url: str, content_type: str | None) -> ParseResult:
    """Parse a fetched feed; imported lazily so `wirereader --help` stays fast."""
    from wirereader.formats import parse

    return parse(body, url=url, content_type=content_type)


def fetch_limits(config: Config) -> FetchLimits:
    """The bounds of a refresh's fetches: the [settings] of config.toml."""
    from wirereader.fetch import FetchLimits

    return FetchLimits(
        total_timeout=config.timeout, concurrency=config.concurrency, per_host=config.per_host
    )


async def refresh_feeds(
    targets: Sequence[FeedTarget],
    db_path: Path,
    limits: FetchLimits,
    *,
    progress: ProgressCallback | None = None,
    on_batch: Callable[[], None] | None = None,
    full_text: bool = False,
) -> RefreshSummary:
    """Fetch, parse and store every target within ``limits`` (see `fetch_limits`); returns
    the totals. Never raises for one feed."""
    from wirereader.fetch import Fetcher, FetchRequest
    from wirereader.service.parsepool import ParsePool
    from wirereader.store import SourceUpdate, Store

    started = time.monotonic()
    summary = RefreshSummary(feeds=len(targets))
    if not targets:
        return summary
    loop = asyncio.get_running_loop()
    by_url = {t.url: t for t in targets}
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wirereader-store")
    store_box: list[Store] = []

    def store() -> Store:
        """The writer thread's own connection, opened on first use (one Store per thread)."""
        if not store_box:
            store_box.append(Store(db_path))
        return store_box[0]

    def write(updates: list[SourceUpdate]) -> dict[int, tuple[int, int, int]]:
        return dict(store().save_batch(updates).per_source)

    pending: list[tuple[SourceUpdate, FeedOutcome]] = []
    unreachable: list[tuple[FeedTarget, SourceUpdate, FeedOutcome]] = []
    last_flush = time.monotonic()
    done = 0

    async def flush() -> None:
        nonlocal last_flush, done
        if not pending:
            return
        batch = list(pending)
        pending.clear()
        per_source = await loop.run_in_executor(writer, write, [u for u, _ in batch])
        last_flush = time.monotonic()
        for _, outcome in batch:
            outcome = _count(outcome, per_source, summary)
            done += 1
            if progress:
                progress(outcome, done, len(targets))
        if on_batch:
            on_batch()

    def lookup_sync(source_id: int, guids: Sequence[str]) -> dict[str, Dispatch]:
        found = (store().find(source_id, guid) for guid in guids)
        return {s.dispatch.guid: s.dispatch for s in found if s is not None}

    async def process(fetcher: Fetcher, result: FetchResult) -> None:
        target = by_url[result.url]
        now = datetime.now(UTC)
        if result.not_modified:
            update = SourceUpdate(source_id=target.source_id, fetched_at=now, not_modified=True)
            outcome = FeedOutcome(target.source_id, target.url, "not-modified")
        elif not result.ok or result.body is None:
            update, outcome = failed_update(result, target, now)
        else:
            enrich = target.full_text or full_text
            # Full text is added to every summary-only item the parse returns, so those
            # sources parse every item (the items are few; the article pages cost more).
            last = "" if enrich else target.seen_items
            update, outcome = await _parse_update(result, target, now, pool, last)
            if result.permanent_redirect and update.error is None:
                # Moved for good, and the new URL parsed: only now does the subscription move.
                update = replace(update, new_url=result.permanent_redirect)
                outcome = replace(outcome, moved_to=result.permanent_redirect)
            if enrich and update.rows:
                update, outcome = await _with_full_text(
                    fetcher,
                    update,
                    outcome,
                    target,
                    lambda guids: loop.run_in_executor(
                        writer, lookup_sync, target.source_id, guids
                    ),
                )
        if outcome.unreachable:
            # Written once the whole refresh is known: offline, it is not the feed's fault.
            unreachable.append((target, update, outcome))
            return
        pending.append((update, outcome))
        if time.monotonic() - last_flush >= BATCH_SECONDS:
            await flush()

    requests = [FetchRequest(t.url, etag=t.etag, last_modified=t.last_modified) for t in targets]
    try:
        # Parsing runs in worker processes under time and memory limits (G3(e)).
        async with ParsePool() as pool, Fetcher(limits) as fetcher:
            tasks = [
                asyncio.create_task(process(fetcher, result))
                async for result in fetcher.fetch_all(requests)
            ]
            await asyncio.gather(*tasks)
            offline = len(unreachable) == len(targets)
            pending.extend((replace(u, offline=offline), o) for _, u, o in unreachable)
            await flush()
            if unreachable and not offline:
                deferred = back_off_unreachable([t for t, _, _ in unreachable], datetime.now(UTC))
                if deferred:
                    await loop.run_in_executor(writer, lambda: store().defer(deferred))
    finally:
        if store_box:
            await loop.run_in_executor(writer, store_box[0].close)
        writer.shutdown(wait=True)
    summary.elapsed = time.monotonic() - started
    return summary


async def _parse_update(
    result: FetchResult, target: FeedTarget, now: datetime, pool: ParsePool, last: str
) -> tuple[SourceUpdate, FeedOutcome]:
    from wirereader.store import SourceUpdate

    assert result.body is not None
    try:
        parsed = await pool.parse(result.body, result.final_url, result.content_type, last)
    except FormatError as exc:
        error = clean_message(exc)
        return (
            SourceUpdate(source_id=target.source_id, fetched_at=now, error=error),
            FeedOutcome(target.source_id, target.url, "failed", error=error),
        )
    except Exception as exc:  # a parser bug must cost one feed, never the refresh
        error = clean_message(f"could not parse: {type(exc).__name__}: {exc}")
        return (
            SourceUpdate(source_id=target.source_id, fetched_at=now, error=error),
            FeedOutcome(target.source_id, target.url, "failed", error=error),
        )
    update = SourceUpdate(
        source_id=target.source_id,
        fetched_at=now,
        rows=parsed.rows,
        title=target.title or parsed.title or None,
        etag=result.etag,
        last_modified=result.last_modified,
        unchanged=parsed.unchanged,
        seen_items=parsed.seen_items,
    )
    return update, FeedOutcome(target.source_id, target.url, "new", warnings=tuple(parsed.warnings))


async def _with_full_text(
    fetcher: Fetcher,
    update: SourceUpdate,
    outcome: FeedOutcome,
    target: FeedTarget,
    lookup: Lookup,
) -> tuple[SourceUpdate, FeedOutcome]:
    """Fill summary-only items with their article text; a failed page keeps the summary."""
    from wirereader.codec import dispatch_from_json
    from wirereader.service.fulltext import enrich

    parsed = [dispatch_from_json(row.text) for row in update.rows]
    try:
        dispatches, pages, errors = await enrich(fetcher, parsed, target.url, lookup)
    except Exception as exc:  # full text is a bonus: never lose the feed over it
        return update, replace(outcome, warnings=(*outcome.warnings, clean_message(exc)))
    warnings = outcome.warnings
    if errors:
        warnings = (*warnings, clean_message(f"{len(errors)} article pages failed: {errors[0]}"))
    enriched = replace(update, dispatches=dispatches, rows=())
    return enriched, replace(outcome, pages=pages, warnings=warnings)


def _count(
    outcome: FeedOutcome, per_source: dict[int, tuple[int, int, int]], summary: RefreshSummary
) -> FeedOutcome:
    """Add one feed's outcome to the totals; returns it with its stored counts filled in."""
    if outcome.status == "failed":
        summary.failed += 1
        summary.unreachable += outcome.unreachable
        summary.failures.append((outcome.url, outcome.error or "failed"))
        return outcome
    if outcome.status == "not-modified":
        summary.not_modified += 1
        return outcome
    new, updated, unchanged = per_source.get(outcome.source_id, (0, 0, 0))
    if outcome.moved_to:
        summary.moved.append((outcome.url, outcome.moved_to))
    summary.pages += outcome.pages
    summary.new += new
    summary.updated += updated
    summary.unchanged += unchanged
    status = "new" if new or updated else "unchanged"
    return replace(outcome, status=status, new=new, updated=updated)
