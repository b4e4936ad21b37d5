"""The rules of the subscription list: what subscribing does, which feeds are due, moves.

Apart from `Reader` (the facade, which holds the config and the store and saves
config.toml) so these rules sit in one place, each a function of the store and the feed
list it works on: where the list comes from when it is a newsboat ``urls`` file, what
adding a URL does to the cache, which subscriptions a refresh fetches (polite fetching:
back-off, Retry-After, 410 Gone) and how a feed that moved for good is followed.

Light on purpose: `Reader` imports it at start-up, so the refresh machinery (asyncio,
httpx) and the parsers are imported only inside the functions that need them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wirereader.config import FeedConfig
from wirereader.sanitize import clean_line, safe_url

if TYPE_CHECKING:
    from wirereader.service.refresh import FeedTarget
    from wirereader.store import Store


def read_urls_file(path: Path) -> list[FeedConfig]:
    """The feeds of a newsboat ``urls`` file (``--urls``), as subscriptions."""
    from wirereader.formats.subscriptions import parse_urls

    subs = parse_urls(path.read_bytes())
    return [FeedConfig(url=s.url, title=s.title) for s in subs]


def add_feeds(
    store: Store, feeds: Sequence[FeedConfig], new: Sequence[tuple[str, str]]
) -> tuple[list[FeedConfig], list[str], list[str]]:
    """Subscribe ``feeds`` to the ``(url, title)`` of ``new``: (the new list, added, rejected).

    Already-subscribed URLs are skipped; unsafe ones are rejected. Each added URL gets its
    source in the cache, and subscribing anew revives a feed that had gone (410) or was
    backing off. A title given here is the source's name from then on (see `due_targets`);
    an empty one lets the feed's own title show. The caller saves the new list.
    """
    out = list(feeds)
    known = {f.url for f in out}
    added: list[str] = []
    rejected: list[str] = []
    for raw, raw_title in new:
        url = safe_url(raw)
        title = clean_line(raw_title, 200)
        if url is None:
            rejected.append(clean_line(raw, 200))
            continue
        if url in known:
            continue
        known.add(url)
        out.append(FeedConfig(url=url, title=title))
        added.append(url)
        source_id = store.ensure_source(url, title=title, kind="feed")
        store.clear_backoff(source_id)  # subscribing anew revives a gone feed
    return out, added, rejected


def ensure_sources(store: Store, feeds: Sequence[FeedConfig]) -> None:
    """Give every subscription its source in the cache, so new ones show before a refresh."""
    for feed in feeds:
        if store.source_by_url(feed.url) is None:
            store.ensure_source(feed.url, title=feed.title, kind="feed")


def due_targets(
    store: Store, feeds: Sequence[FeedConfig], *, force: bool = False
) -> list[FeedTarget]:
    """The subscriptions due for a fetch.

    Polite fetching: a source whose server asked us to wait (429/503 Retry-After) or
    that is backing off after repeated failures is skipped until its time, and one
    that answered 410 Gone is skipped for good; ``force`` fetches them anyway.
    """
    # asyncio and the fetch machinery load only when a refresh happens: `list`, `show`
    # and `search` start without them.
    from wirereader.service.refresh import FeedTarget

    targets = []
    now = datetime.now(UTC)
    for feed in feeds:
        source_id = store.ensure_source(feed.url, title=feed.title, kind="feed")
        state = store.fetch_state(source_id)
        waiting = state.next_attempt is not None and state.next_attempt > now
        if not force and (state.gone or waiting):
            continue
        targets.append(
            FeedTarget(
                source_id,
                feed.url,
                state.etag,
                state.last_modified,
                feed.full_text,
                error_count=state.error_count,
                seen_items=state.seen_items or "",
                title=feed.title,
            )
        )
    return targets


def follow_moves(
    store: Store, feeds: Sequence[FeedConfig], moved: Sequence[tuple[str, str]]
) -> list[FeedConfig] | None:
    """The subscription list with moved feeds rewritten, or None when nothing changes.

    Only once the store has moved the source: it does so only when no other source has
    the new URL; otherwise the subscription stays as it was, so its cached items never
    lose their feed. A subscription moving onto a URL already subscribed is dropped.
    """
    targets = dict(moved)
    out = list(feeds)
    changed = False
    for i, feed in enumerate(out):
        new = targets.get(feed.url)
        if new is None:
            continue
        source = store.source_by_url(new)
        if source is None or store.source_by_url(feed.url) is not None:
            continue
        if any(f.url == new for f in out):
            out[i] = replace(feed, url="")
        else:
            out[i] = replace(feed, url=new)
        changed = True
    return [f for f in out if f.url] if changed else None
