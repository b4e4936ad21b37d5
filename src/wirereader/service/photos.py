"""Photo files: a dispatch's pictures fetched once into the cache, for the reader to draw.

A picture is fetched on the strength of a stranger's feed, so the rules of full text apply
(`fulltext.allowed_page`): nothing on a loopback, private or link-local address unless the
feed itself lives on that host; a photo from a local file, the samples or a followed page
may only come from a public host. The body must really be an image (its magic bytes, not
its Content-Type), at most `MAX_BYTES`, fetched within `TIMEOUT` seconds.

The cache is one file per URL, named by the SHA-256 of the URL, under the reader's
``images`` folder beside the cache database. It is written atomically (a temporary sibling,
then a rename), so a crash or a cancelled fetch never leaves half a picture behind.

Everything here is best effort: any failure is ``None``, never an exception (cancellation
still propagates, so a reader that moves on can stop a fetch).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from wirereader.model import Photo
from wirereader.sanitize import safe_url
from wirereader.service.fulltext import allowed_address, allowed_page

if TYPE_CHECKING:
    from wirereader.fetch import Fetcher

MiB = 1024 * 1024
#: The largest picture fetched, in bytes.
MAX_BYTES = 10 * MiB
#: Whole-exchange deadline for one picture, in seconds.
TIMEOUT = 20.0
ACCEPT = "image/*"


def image_kind(data: bytes) -> str | None:
    """The image format the bytes start with (JPEG, PNG, GIF, WebP), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if len(data) >= 12 and data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    return None


def cache_path(url: str, cache_dir: Path) -> Path:
    """Where the picture at ``url`` is (or would be) cached."""
    return cache_dir / hashlib.sha256(url.encode("utf-8")).hexdigest()


def cached_file(photo: Photo, cache_dir: Path) -> Path | None:
    """The cached picture of ``photo`` if it is already on disk; never touches the network."""
    url = safe_url(photo.url) if photo.url else None
    if url is None:
        return None
    path = cache_path(url, cache_dir)
    try:
        return path if path.is_file() else None
    except OSError:
        return None


def may_fetch(url: str, source_url: str | None) -> bool:
    """May a photo URL be fetched for a dispatch from ``source_url``?

    A feed on the web may point at its own host, whatever its address; anything else
    (a local file, the samples, followed pages, no source) allows public hosts only.
    """
    return allowed_page(url, _feed_url(source_url))


def _feed_url(source_url: str | None) -> str:
    """The source's URL when it is a feed on the web, else "" (public hosts only)."""
    return source_url if source_url and source_url.startswith(("http://", "https://")) else ""


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(data)
        tmp.replace(path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


async def cached_photo(
    photo: Photo,
    *,
    source_url: str | None,
    cache_dir: Path,
    fetcher: Fetcher | None = None,
) -> Path | None:
    """The picture of ``photo`` as a file on disk, fetched once; None when it cannot be had.

    ``fetcher`` lets a caller share one client across pictures; without it a short-lived
    one is made with the photo limits.
    """
    try:
        return await _cached_photo(photo, source_url, cache_dir, fetcher)
    except Exception:  # best effort: a picture we cannot have is simply not shown
        return None


async def _cached_photo(
    photo: Photo, source_url: str | None, cache_dir: Path, fetcher: Fetcher | None
) -> Path | None:
    url = safe_url(photo.url) if photo.url else None
    if url is None:
        return None
    path = cache_path(url, cache_dir)
    if path.is_file():
        return path
    if not may_fetch(url, source_url):
        return None
    from wirereader.fetch import Fetcher, FetchLimits

    def allow(target: str) -> bool:
        return may_fetch(target, source_url)

    def allow_address(target: str, address: str) -> bool:
        return allowed_address(target, address, _feed_url(source_url))

    async with asyncio.timeout(TIMEOUT + 1.0):
        if fetcher is None:
            limits = FetchLimits(total_timeout=TIMEOUT, max_bytes=MAX_BYTES)
            async with Fetcher(limits) as own:
                result = await own.fetch(
                    url,
                    max_bytes=MAX_BYTES,
                    accept=ACCEPT,
                    allow=allow,
                    allow_address=allow_address,
                )
        else:
            result = await fetcher.fetch(
                url, max_bytes=MAX_BYTES, accept=ACCEPT, allow=allow, allow_address=allow_address
            )
    if not result.ok or result.body is None or len(result.body) > MAX_BYTES:
        return None
    # A redirect is followed by the fetcher; what it led to must pass the same rule.
    if result.final_url != url and not may_fetch(result.final_url, source_url):
        return None
    if image_kind(result.body) is None:
        return None
    await asyncio.to_thread(_write_atomically, path, result.body)
    return path
