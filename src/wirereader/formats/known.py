"""Recognising what a feed already held, so that a refetch parses only what changed.

A key is a 128-bit BLAKE2b of the bytes in question together with everything else the
parse depends on: the document's URL and content type, what an item inherits from its
document (format, ``xml:base``, ``xml:lang``, the feed's language) and the parser itself
(`signature`: the source of `formats`, `sanitize` and `model`, and the versions of Python,
lxml, libxml2 and feedparser). An equal key therefore means an equal parse, and any
change to the parser makes every key new, so an upgrade re-reads each item once.

The keys live with the source in the store as JSON (`to_json` / `from_json`); they are a
cache, so anything unreadable is simply no memory at all, and the item is parsed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import unicodedata
from pathlib import Path

from wirereader.model import SeenItems

#: Bytes of hash: 2^-64 for a collision among a billion keys is plenty for a cache.
_DIGEST = 16


@functools.cache
def signature() -> bytes:
    """The parser's identity: its code and the libraries that shape its output."""
    from lxml import etree

    h = hashlib.blake2b(digest_size=_DIGEST)
    package = Path(__file__).resolve().parent.parent
    try:
        paths = sorted(
            [
                *package.joinpath("formats").glob("*.py"),
                package / "sanitize.py",
                package / "model.py",
            ]
        )
        for path in paths:
            h.update(path.name.encode())
            h.update(path.read_bytes())
    except OSError:
        # Code we cannot read cannot be vouched for: a key no other process will make.
        h.update(os.urandom(16))
    try:
        import feedparser

        feedparser_version = str(feedparser.__version__)
    except ImportError:  # pragma: no cover - a dependency; without it nothing parses
        feedparser_version = ""
    versions = (
        sys.version_info[:2],
        unicodedata.unidata_version,
        etree.LXML_VERSION,
        etree.LIBXML_VERSION,
        feedparser_version,
    )
    h.update(repr(versions).encode())
    return h.digest()


def document_key(data: bytes, url: str | None, content_type: str | None) -> str:
    h = hashlib.blake2b(signature(), digest_size=_DIGEST)
    h.update(f"{url}\0{content_type}\0".encode("utf-8", "surrogatepass"))
    h.update(data)
    return h.hexdigest()


def item_prefix(*context: object) -> bytes:
    """What every item of one document shares: the parser and the document's context."""
    return signature() + repr(context).encode("utf-8", "surrogatepass")


def item_key(prefix: bytes, base: str | None, lang: str | None, xml: bytes) -> str:
    h = hashlib.blake2b(prefix, digest_size=_DIGEST)
    h.update(f"{base}\0{lang}\0".encode("utf-8", "surrogatepass"))
    h.update(xml)
    return h.hexdigest()


def to_json(seen: SeenItems) -> str:
    return json.dumps(
        {
            "document": seen.document,
            "format": seen.format,
            "warnings": list(seen.warnings),
            "items": seen.items,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def from_json(text: str | None) -> SeenItems | None:
    """What `to_json` wrote; None for nothing or anything else."""
    if not text:
        return None
    try:
        raw = json.loads(text)
        document, fmt, warnings, items = (
            raw["document"],
            raw["format"],
            raw["warnings"],
            raw["items"],
        )
    except (ValueError, TypeError, KeyError):
        return None
    if not (
        isinstance(document, str)
        and isinstance(fmt, str)
        and isinstance(warnings, list)
        and all(isinstance(w, str) for w in warnings)
        and isinstance(items, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in items.items())
    ):
        return None
    return SeenItems(document=document, format=fmt, warnings=tuple(warnings), items=items)
