"""Full text at refresh time: fetch the article page behind a summary-only feed item.

Many feeds carry a headline and a sentence; the reader wants the story, offline. For a
source with ``full_text = true`` (or `wirereader refresh --full-text`), each item whose
body is short gets its page fetched (under the article limits), extracted by
`formats.article`, and merged in before it is stored.

Two rules keep this honest:
- an item already enriched at an earlier refresh is not fetched again while its headline
  is unchanged: the stored text is reused, so the store sees no change;
- pages are auto-fetched on the strength of a stranger's feed, so a link to a loopback,
  private or link-local address is refused unless it is on the feed's own host
  (EXPECTATIONS G5).
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from wirereader.model import Dispatch
from wirereader.sanitize import url_host

if TYPE_CHECKING:
    from wirereader.fetch import Fetcher

#: Bodies shorter than this (in characters) are taken as summaries.
SHORT_BODY = 600
#: At most this many pages per feed per refresh: one refresh never crawls a site.
MAX_PAGES_PER_FEED = 30
PAGE_BYTES = 5 * 1024 * 1024
ENRICHED = "+article"

#: Looks up what is cached for (guid): the refresh's own store, on its writer thread.
Lookup = Callable[[Sequence[str]], Awaitable[dict[str, Dispatch]]]


def _host(url: str) -> str:
    return url_host(url).strip("[]").lower()


def allowed_page(url: str, feed_url: str) -> bool:
    """May a feed make us fetch this page? Not a private address unless the feed lives there."""
    host = _host(url)
    if host == _host(feed_url):
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a name: where it leads is `allowed_address`'s question
    return address.is_global


def allowed_address(url: str, address: str, feed_url: str) -> bool:
    """May this page be fetched from ``address``, one that its host's name resolves to?

    On the feed's own host, from anywhere (a feed on the intranet links its own pages);
    anywhere else, from public addresses only, whatever the name.
    """
    if _host(url) == _host(feed_url):
        return True
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


def needs_text(d: Dispatch) -> bool:
    return bool(d.url) and len(d.body_text()) < SHORT_BODY and not d.format.endswith(ENRICHED)


def merge(d: Dispatch, page: Dispatch) -> Dispatch:
    """The feed item with the page's body: feed metadata wins, the page fills the gaps."""
    photos = list(d.photos)
    known = {p.url for p in photos if p.url}
    offset = len(photos)
    page_photos = [p for p in page.photos if not (p.url and p.url in known)]
    photos.extend(page_photos)
    index = {
        i: offset + n
        for n, i in enumerate(i for i, p in enumerate(page.photos) if p in page_photos)
    }
    body = tuple(
        replace(b, photo=index.get(b.photo)) if b.kind == "photo" and b.photo is not None else b
        for b in page.body
        if not (b.kind == "photo" and b.photo not in index)
    )
    related = list(d.related) + [r for r in page.related if r not in d.related][:30]
    return replace(
        d,
        body=body or d.body,
        photos=tuple(photos),
        related=tuple(related),
        dateline=d.dateline or page.dateline,
        byline=d.byline or page.byline,
        summary=d.summary or page.summary,
        format=d.format + ENRICHED,
    )


async def enrich(
    fetcher: Fetcher,
    dispatches: Sequence[Dispatch],
    feed_url: str,
    lookup: Lookup,
) -> tuple[list[Dispatch], int, list[str]]:
    """Dispatches with full text where it was missing: (dispatches, pages fetched, errors)."""
    from wirereader.formats import article

    wanted = [d for d in dispatches if needs_text(d)]
    if not wanted:
        return list(dispatches), 0, []
    cached = await lookup([d.guid for d in wanted])
    out: dict[str, Dispatch] = {}
    to_fetch: list[Dispatch] = []
    for d in wanted:
        old = cached.get(d.guid)
        if old is not None and old.format.endswith(ENRICHED) and old.headline == d.headline:
            out[d.guid] = replace(
                d,
                body=old.body,
                photos=old.photos,
                related=old.related,
                format=old.format,
                dateline=d.dateline or old.dateline,
                byline=d.byline or old.byline,
                summary=d.summary or old.summary,
            )
        elif d.url and allowed_page(d.url, feed_url) and len(to_fetch) < MAX_PAGES_PER_FEED:
            to_fetch.append(d)
    errors: list[str] = []

    async def one(d: Dispatch) -> None:
        assert d.url is not None
        result = await fetcher.fetch(
            d.url,
            max_bytes=PAGE_BYTES,
            accept="text/html, application/xhtml+xml, */*;q=0.8",
            allow=lambda target: allowed_page(target, feed_url),
            allow_address=lambda target, address: allowed_address(target, address, feed_url),
        )
        if not result.ok or result.body is None:
            errors.append(f"{d.url}: {result.error}")
            return
        try:
            parsed = await asyncio.to_thread(article.parse, result.body, result.final_url)
        except Exception as exc:  # one unreadable page costs that page only
            errors.append(f"{d.url}: {exc}")
            return
        if parsed.dispatches:
            out[d.guid] = merge(d, parsed.dispatches[0])

    await asyncio.gather(*(one(d) for d in to_fetch))
    return [out.get(d.guid, d) for d in dispatches], len(to_fetch), errors
