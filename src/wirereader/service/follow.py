"""Following a related headline that is not cached yet: fetch its page, read it, cache it.

Apart from `Reader` because it is the one reading path that goes to the network: the
page is fetched under tight limits (20 s, 5 MiB), parsed off the event loop, and cached
in the "Pages" source so the next visit (and offline reading) finds it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from wirereader.model import Dispatch, Related
from wirereader.sanitize import clean_message

if TYPE_CHECKING:
    from wirereader.service import FollowResult
    from wirereader.store import Store


async def fetch_and_cache(store: Store, related: Related) -> FollowResult:
    """The page of ``related`` as a cached dispatch, or a message saying why not."""
    from wirereader.fetch import Fetcher, FetchLimits
    from wirereader.service import PAGES_TITLE, PAGES_URL, FollowResult
    from wirereader.store import SourceUpdate

    if not related.url:
        return FollowResult(None, "Not cached yet, and it has no link to fetch.")
    async with Fetcher(FetchLimits(total_timeout=20.0, max_bytes=5 * 1024 * 1024)) as fetcher:
        result = await fetcher.fetch(
            related.url, accept="text/html, application/xhtml+xml, */*;q=0.8"
        )
    if not result.ok or result.body is None:
        return FollowResult(None, f"Not cached yet, and fetching it failed: {result.error}")
    try:
        dispatches = await asyncio.to_thread(
            _parse_page, result.body, result.final_url, result.content_type
        )
    except Exception as exc:  # a page we cannot read is a message, not a crash
        return FollowResult(None, clean_message(f"Fetched, but could not read the page: {exc}"))
    if not dispatches:
        return FollowResult(None, "Fetched, but the page holds no article.")
    source_id = store.ensure_source(PAGES_URL, title=PAGES_TITLE, kind="pages")
    store.save_batch(
        [SourceUpdate(source_id=source_id, fetched_at=datetime.now(UTC), dispatches=dispatches)]
    )
    stored = store.find(source_id, dispatches[0].guid)
    return FollowResult(stored, fetched=True)


def _parse_page(body: bytes, url: str, content_type: str | None) -> list[Dispatch]:
    """A followed link may be a wire item, a feed or (usually) an article page."""
    from wirereader.formats import article, parse, sniff

    kind = sniff(body, content_type)
    if kind in ("html", "unknown") or (content_type and "html" in content_type):
        charset = None
        if content_type and "charset=" in content_type:
            charset = content_type.split("charset=", 1)[1].split(";")[0].strip(" \"'")
        return article.parse(body, url, charset=charset).dispatches
    return parse(body, url=url, content_type=content_type).dispatches[:1]
