"""Pure parsing: ``bytes -> dispatches``, one sniffing entry point for every format.

Nothing in this package does I/O: the fetcher hands it bytes, the store takes what it
returns. That keeps every format testable on a file, and lets the service run parsing in
a worker with limits on time and memory.

Each format is its own module with a ``parse(data, url) -> ParseResult`` function:

========================  ==================================================
``feed``                  RSS 0.9x/1.0/2.0, Atom, JSON Feed (feedparser + lxml)
``dispatch_text``         the plain-text dispatch layout (corpus/dispatch-text)
``ninjs``                 IPTC ninjs 1.x, 2.x, 3.x and AP-style envelopes
``newsmlg2``              IPTC NewsML-G2 newsItem, packageItem, newsMessage
``subscriptions``         OPML and newsboat ``urls`` files (subscriptions, not dispatches)
========================  ==================================================
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Literal

from wirereader.model import FormatError, ParseResult, SeenItems

Kind = Literal[
    "feed", "jsonfeed", "ninjs", "newsml-g2", "dispatch-text", "opml", "urls", "html", "unknown"
]

_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)[\s>/]")
_NEWSML_ROOTS = {
    b"newsItem",
    b"packageItem",
    b"newsMessage",
    b"conceptItem",
    b"knowledgeItem",
    b"catalogItem",
    b"planningItem",
    b"catalog",
    # Fragments of an item, as found in the IPTC guidelines: the parser says what is missing.
    b"groupSet",
    b"contentSet",
    b"contentMeta",
    b"itemMeta",
    b"inlineXML",
}
_FEED_ROOTS = {b"rss", b"RDF", b"feed", b"channel"}
_URL_LINE = re.compile(rb"^\s*(?:https?|file|exec|filter|query):\S*(?:\s.*)?$")


def _head(data: bytes, size: int = 8192) -> bytes:
    """The start of a document as ASCII-compatible bytes, whatever its encoding."""
    head = data[: size * 2]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head.decode("utf-16").encode("utf-8", "replace")[:size]
        except UnicodeDecodeError:
            return head[:size]
    if head[:3] == b"\xef\xbb\xbf":
        head = head[3:]
    return head[:size]


_PROLOG_SKIP = re.compile(rb"<!--|<!DOCTYPE|<\?", re.I)


def _root_element(head: bytes) -> bytes | None:
    """The name of the first element, skipping the prolog, comments and doctype.

    Comments are skipped whole: feedparser's own test files open with a comment quoting
    markup (``<b>``, ``<br/>``), which is not the root. A doctype's internal subset may
    hold ``<`` too, so it is skipped to its ``]>``.
    """
    pos = 0
    while True:
        m = _ROOT.search(head, pos)
        if not m:
            return None
        skip = _PROLOG_SKIP.search(head, pos, m.start())
        if skip is None:
            return m.group(2)
        token = skip.group().upper()
        if token == b"<!--":
            end, closer = head.find(b"-->", skip.end()), 3
        elif token == b"<?":
            end, closer = head.find(b"?>", skip.end()), 2
        else:
            gt = head.find(b">", skip.end())
            bracket = head.find(b"[", skip.end(), gt if gt >= 0 else len(head))
            end, closer = (head.find(b"]>", bracket), 2) if bracket >= 0 else (gt, 1)
        if end < 0:
            return None
        pos = end + closer


def sniff(data: bytes, content_type: str | None = None) -> Kind:
    """What a document is, from its content; the media type only breaks ties."""
    head = _head(data).lstrip()
    if not head:
        return "unknown"
    if head[:1] in (b"{", b"["):
        return "jsonfeed" if b"jsonfeed.org/version" in head else "ninjs"
    if head[:1] == b"<":
        root = _root_element(head)
        if root is None:
            # A prolog longer than the sniffed head is almost always an internal DTD
            # subset: hand it to the XML path, whose entity check names the problem.
            return "feed" if re.search(rb"<!ENTITY", head, re.I) else "unknown"
        if root in _FEED_ROOTS:
            return "feed"
        if root in _NEWSML_ROOTS:
            return "newsml-g2"
        if b"iptc.org/std/nar/" in head:
            return "newsml-g2"  # a fragment (groupSet, contentSet...): the parser says why
        if root == b"opml":
            return "opml"
        if root.lower() in (b"html", b"body", b"head", b"div", b"p", b"article"):
            return "html"
        return "feed" if content_type and "xml" in content_type else "unknown"
    lines = [line for line in head.splitlines()[:50] if line.strip() and not line.startswith(b"#")]
    if lines and all(_URL_LINE.match(line) for line in lines):
        return "urls"
    if b"\x00" in head:
        return "unknown"
    return "dispatch-text"


def parse(
    data: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    remember: bool = False,
    last: SeenItems | None = None,
) -> ParseResult:
    """Parse one document into dispatches, whatever its format.

    Raises `FormatError` (with a short message for users) when the document is empty,
    not a format wirereader reads, or holds no news item.

    A refresh passes ``remember`` and what the previous fetch of the same URL left in
    ``ParseResult.seen`` as ``last``: a document unchanged since is not parsed at all, and
    items unchanged since are not read (their guids come back in ``unchanged``).
    """
    if not data or not data.strip():
        raise FormatError("empty response")
    document = ""
    if remember or last is not None:
        from wirereader.formats import known

        document = known.document_key(data, url, content_type)
        if last is not None and last.document == document:
            return ParseResult(
                format=last.format,
                warnings=list(last.warnings),
                unchanged=list(last.items.values()),
                seen=last,
            )
    kind = sniff(data, content_type)
    if kind in ("feed", "jsonfeed"):
        from wirereader.formats import feed

        if not document:
            return feed.parse(data, url)
        result = feed.parse(data, url, last.items if last is not None else {})
        if result.seen is None:
            return result
        return replace(result, seen=replace(result.seen, document=document))
    if kind == "ninjs":
        from wirereader.formats import ninjs

        return ninjs.parse(data, url)
    if kind == "newsml-g2":
        from wirereader.formats import newsmlg2

        return newsmlg2.parse(data, url)
    if kind == "dispatch-text":
        from wirereader.formats import dispatch_text

        return dispatch_text.parse(data, url)
    if kind in ("opml", "urls"):
        raise FormatError(f"this is a subscription list ({kind}), not a feed")
    if kind == "html":
        raise FormatError("not a feed: an HTML page")
    raise FormatError("not a feed: unrecognised content")


def loads_json(data: bytes) -> object:
    """JSON with the failures users meet turned into `FormatError` (deep nesting included)."""
    try:
        return json.loads(data.decode("utf-8-sig", errors="replace"))
    except RecursionError:
        raise FormatError("JSON nested too deeply") from None
    except ValueError as exc:
        raise FormatError(f"invalid JSON: {exc.args[0] if exc.args else exc}"[:200]) from None
