"""The service layer: everything the command line and the TUI do goes through `Reader`.

The UI never parses, fetches or writes SQL itself (design.md section 3); it calls these
methods, so every feature can be tested without a terminal. Heavy modules (httpx,
feedparser, lxml) are imported only when a method needs them, which keeps `wirereader
--help` and the first screen fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wirereader import config as config_mod
from wirereader.config import Config, FeedConfig
from wirereader.model import Dispatch, Headline, Photo, Related, SourceInfo, StoredDispatch
from wirereader.service.subscriptions import (
    add_feeds,
    due_targets,
    ensure_sources,
    follow_moves,
    read_urls_file,
)

if TYPE_CHECKING:
    from wirereader.service.refresh import FeedTarget, ProgressCallback, RefreshSummary
    from wirereader.store import Store

PAGES_URL = "wirereader:pages"
PAGES_TITLE = "Pages (followed links)"

__all__ = ["FollowResult", "ImportSummary", "Reader"]


@dataclass(slots=True)
class ImportSummary:
    files: int = 0
    dispatches: int = 0
    new: int = 0
    updated: int = 0
    subscriptions_added: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FollowResult:
    """Where following a related headline led: a cached (or just fetched) dispatch, or why not."""

    dispatch: StoredDispatch | None
    message: str = ""
    fetched: bool = False


class Reader:
    """One reader's cache and subscriptions. Not thread-safe: one per thread."""

    def __init__(
        self,
        db_path: Path,
        config_path: Path,
        *,
        urls_file: Path | None = None,
    ) -> None:
        self.db_path = db_path
        self.config_path = config_path
        self.urls_file = urls_file
        self._store: Store | None = None
        self._config: Config | None = None

    # -- plumbing -----------------------------------------------------------------------

    @property
    def store(self) -> Store:
        if self._store is None:
            from wirereader.store import Store

            self._store = Store(self.db_path)
        return self._store

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = config_mod.load(self.config_path)
        return self._config

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- subscriptions (their rules: `service.subscriptions`) ---------------------------

    def subscriptions(self) -> list[FeedConfig]:
        """The feeds to refresh: the ``--urls`` file when given, else config.toml."""
        if self.urls_file is not None:
            return read_urls_file(self.urls_file)
        return list(self.config.feeds)

    def add(self, urls: Sequence[str], *, title: str = "") -> tuple[list[str], list[str]]:
        """Subscribe to URLs; returns (added, rejected). Already-subscribed URLs are skipped."""
        return self.add_named([(url, title) for url in urls])

    def add_named(self, new: Sequence[tuple[str, str]]) -> tuple[list[str], list[str]]:
        """Subscribe to ``(url, name)`` pairs; a name wins over the feed's own title."""
        feeds, added, rejected = add_feeds(self.store, self.config.feeds, new)
        if added:
            self._save_config(self.config.with_feeds(tuple(feeds)))
        return added, rejected

    def remove(self, url: str) -> bool:
        """Unsubscribe. Cached dispatches stay until the user removes the source's cache."""
        feeds = [f for f in self.config.feeds if f.url != url]
        if len(feeds) == len(self.config.feeds):
            return False
        self._save_config(self.config.with_feeds(tuple(feeds)))
        return True

    def subscribe_defaults(self) -> int:
        """Subscribe to the built-in public wire feeds; returns how many were new."""
        from wirereader.service.imports import default_feeds

        added, _ = self.add_named([(f.url, f.title) for f in default_feeds()])
        return len(added)

    def _save_config(self, config: Config) -> None:
        config_mod.save(self.config_path, config)
        self._config = config

    def sources(self) -> list[SourceInfo]:
        """Every source with its state: subscriptions first ensured, so new ones show too."""
        ensure_sources(self.store, self.subscriptions())
        return self.store.sources()

    # -- refresh ------------------------------------------------------------------------

    def refresh_targets(self, *, force: bool = False) -> list[FeedTarget]:
        """The subscriptions due for a fetch (polite fetching, see `due_targets`).

        A source backing off, asked to wait (Retry-After) or gone (410) is skipped;
        ``force`` fetches them anyway.
        """
        return due_targets(self.store, self.subscriptions(), force=force)

    async def refresh(
        self,
        *,
        progress: ProgressCallback | None = None,
        on_batch: Callable[[], None] | None = None,
        full_text: bool = False,
        force: bool = False,
    ) -> RefreshSummary:
        """Fetch every subscription due (all of them with ``force``) and cache what is new.

        ``full_text`` fetches the article page of every summary-only item this once, as
        the per-source ``full_text`` setting does at every refresh.
        """
        from wirereader.service.refresh import fetch_limits, refresh_feeds

        limits = fetch_limits(self.config)
        targets = self.refresh_targets(force=force)
        skipped = len(self.subscriptions()) - len(targets)
        summary = await refresh_feeds(
            targets,
            self.db_path,
            limits,
            progress=progress,
            on_batch=on_batch,
            full_text=full_text,
        )
        summary.skipped = skipped
        # A newsboat urls file is the user's own: never rewritten.
        if summary.moved and self.urls_file is None:
            feeds = follow_moves(self.store, self.config.feeds, summary.moved)
            if feeds is not None:
                self._save_config(self.config.with_feeds(tuple(feeds)))
        if summary.new:
            self.retire_samples()
        if summary.new or self.config.keep_days:
            import asyncio

            # Off the event loop: the first prune of a large cache deletes thousands.
            summary.pruned = await asyncio.to_thread(self.prune)
        if summary.new or summary.updated:
            self.store.optimize()
        return summary

    def prune(self) -> int:
        """Retention as the config says (`store.retention`); how many dispatches went.

        On a connection of its own, so that it can run in any thread.
        """
        from datetime import UTC, timedelta

        from wirereader.store import Store

        days = self.config.keep_days
        cutoff = datetime.now(UTC) - timedelta(days=days) if days else None
        with Store(self.db_path) as store:
            return store.prune(per_source=self.config.keep_per_source, older_than=cutoff)

    def refresh_sync(
        self,
        *,
        progress: ProgressCallback | None = None,
        full_text: bool = False,
        force: bool = False,
    ) -> RefreshSummary:
        import asyncio

        return asyncio.run(self.refresh(progress=progress, full_text=full_text, force=force))

    # -- local files and samples (`service.imports`) ------------------------------------

    def import_paths(self, paths: Sequence[Path]) -> ImportSummary:
        """Import files and folders: dispatches are cached, subscription lists subscribed."""
        from wirereader.service.imports import import_paths

        return import_paths(
            self.store,
            paths,
            subscribe=lambda subs: self.add_named([(s.url, s.title) for s in subs])[0],
        )

    def ensure_samples(self) -> int:
        """Load the built-in samples once, so a first launch (even offline) shows real dispatches.

        Returns how many were added. Once loaded they are never re-added, so a user who
        removes the Samples source keeps it removed.
        """
        if self.store.get_setting("samples_loaded") == "1":
            return 0
        from wirereader.service.imports import save_samples

        added = save_samples(self.store)
        self.store.set_setting("samples_loaded", "1")
        return added

    def retire_samples(self) -> bool:
        """Drop the samples once a refresh has brought dispatches of the user's own.

        They stand in for the wires until then; after, they sat in All among real news,
        dated the day they were loaded. Returns whether there were samples to drop.
        """
        from wirereader.service.imports import SAMPLES_URL

        samples = self.store.source_by_url(SAMPLES_URL)
        if samples is None:
            return False
        self.store.remove_source(samples.id)
        return True

    # -- reading ------------------------------------------------------------------------

    def source(self, source_id: int) -> SourceInfo | None:
        return self.store.source(source_id)

    def local_source(self, path: Path) -> SourceInfo | None:
        """The source an imported file or folder became."""
        return self.store.source_by_url(path.resolve().as_uri())

    def position(
        self,
        dispatch_id: int,
        source_id: int | None = None,
        *,
        unread_only: bool = False,
        starred_only: bool = False,
    ) -> int | None:
        """Where a dispatch sits in the newest-first list (to keep or restore the cursor)."""
        return self.store.position(
            dispatch_id, source_id, unread_only=unread_only, starred_only=starred_only
        )

    def headlines(
        self,
        source_id: int | None = None,
        *,
        offset: int = 0,
        limit: int = 200,
        unread_only: bool = False,
        starred_only: bool = False,
    ) -> list[Headline]:
        return self.store.headlines(
            source_id,
            offset=offset,
            limit=limit,
            unread_only=unread_only,
            starred_only=starred_only,
        )

    def count(
        self, source_id: int | None = None, *, unread_only: bool = False, starred_only: bool = False
    ) -> int:
        return self.store.count(source_id, unread_only=unread_only, starred_only=starred_only)

    def headline(self, dispatch_id: int) -> Headline | None:
        """One dispatch as a list row (to redraw it after its marks change)."""
        stored = self.store.get(dispatch_id)
        if stored is None:
            return None
        d = stored.dispatch
        return Headline(
            id=stored.id,
            source_id=stored.source_id,
            source_title=stored.source_title,
            headline=d.headline,
            time=stored.time,
            urgency=d.urgency,
            pub_status=d.pub_status,
            updates=stored.updates,
            read=stored.read,
            starred=stored.starred,
        )

    def get(self, dispatch_id: int) -> StoredDispatch | None:
        return self.store.get(dispatch_id)

    def versions(self, dispatch_id: int) -> list[tuple[datetime, Dispatch]]:
        return self.store.versions(dispatch_id)

    def search(
        self, query: str, *, limit: int = 50, source_id: int | None = None
    ) -> list[Headline]:
        if not query.strip():
            return []
        return self.store.search(query, limit=limit, source_id=source_id)

    def mark_all_read(
        self, source_id: int | None = None, *, starred_only: bool = False
    ) -> list[int]:
        """Catch up: every unread dispatch of a source (or of all, or the starred) read.

        Returns the ids marked, so that `mark_read(ids, False)` can undo it."""
        return self.store.mark_all_read(source_id, starred_only=starred_only)

    def mark_read(self, dispatch_ids: Sequence[int], read: bool = True) -> None:
        self.store.set_read(dispatch_ids, read)

    def star(self, dispatch_id: int, starred: bool) -> None:
        self.store.set_starred(dispatch_id, starred)

    def get_setting(self, key: str) -> str | None:
        return self.store.get_setting(key)

    def set_setting(self, key: str, value: str) -> None:
        self.store.set_setting(key, value)

    # -- following related headlines ----------------------------------------------------

    def find_related(
        self, related: Related, origin: StoredDispatch | None = None
    ) -> StoredDispatch | None:
        """The cached dispatch a related headline points at, if any: by guid, URL, then headline."""
        found = self._locate(related, origin)
        return None if found is None else self.store.get(found)

    def related_cached(self, related: Related, origin: StoredDispatch | None = None) -> bool:
        """Whether following it would open a cached dispatch (cheap: nothing is decoded)."""
        return self._locate(related, origin) is not None

    def _locate(self, related: Related, origin: StoredDispatch | None) -> int | None:
        return self.store.locate(
            source_id=None if origin is None else origin.source_id,
            guid=related.guid,
            url=related.url,
            headline=related.headline,
        )

    async def follow(self, related: Related, origin: StoredDispatch | None = None) -> FollowResult:
        """Open a related headline: from the cache, else fetch the page, cache it and return it."""
        cached = self.find_related(related, origin)
        if cached is not None:
            return FollowResult(cached)
        from wirereader.service.follow import fetch_and_cache

        return await fetch_and_cache(self.store, related)

    # -- photos -------------------------------------------------------------------------

    @property
    def image_dir(self) -> Path:
        """Cached pictures: beside the cache database, as re-fetchable as it is."""
        return self.db_path.parent / "images"

    async def photo_file(self, stored: StoredDispatch, index: int) -> Path | None:
        """The picture of a dispatch's photo ``index`` on disk: from the cache, else fetched
        once (see `service.photos` for the rules). None when it cannot be had; never raises."""
        from wirereader.service.photos import cached_photo

        photos = stored.dispatch.photos
        if not 0 <= index < len(photos):
            return None
        return await cached_photo(
            photos[index], source_url=stored.source_url, cache_dir=self.image_dir
        )

    def cached_photo_path(self, photo: Photo) -> Path | None:
        """The picture of ``photo`` if it is already cached; no network (for offline reading)."""
        from wirereader.service.photos import cached_file

        return cached_file(photo, self.image_dir)
