"""Subscription lists: OPML exports and newsboat ``urls`` files.

Both come from other programs, and both can name things that are not feeds: newsboat
runs ``exec:`` and ``filter:`` commands and a ``|`` pipe in an OPML ``xmlUrl``, which is
how an imported list once ran code (newsboat/newsboat#3400). Only plain http(s) URLs
survive here; everything else is dropped without being looked at twice. OPML goes through
the same entity refusal as feeds, because an import is as untrusted as a fetch.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from lxml import etree

from wirereader.formats.xmlsafe import hardened_parser, refuse_entity_declarations
from wirereader.model import FormatError
from wirereader.sanitize import clean_line, safe_url

#: More than any real reader exports; a hostile list cannot make an import endless.
MAX_SUBSCRIPTIONS = 10_000
_TITLE_LIMIT = 500


@dataclass(frozen=True)
class Subscription:
    """A feed to subscribe to; a title is the name it is shown by, over the feed's own."""

    url: str
    title: str = ""


def _feed_url(raw: str | None) -> str | None:
    """An http(s) URL, and nothing newsboat would treat as a command or a query."""
    if not raw:
        return None
    raw = raw.strip()
    if not raw.lower().startswith(("http://", "https://")):
        return None
    return safe_url(raw)


def parse_opml(data: bytes) -> list[Subscription]:
    """Every ``outline`` with an http(s) ``xmlUrl``, at any depth, first occurrence kept."""
    if not data or not data.strip():
        raise FormatError("empty subscription list")
    refuse_entity_declarations(data)
    try:
        root = etree.fromstring(data, hardened_parser(recover=True))
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise FormatError(f"not an OPML file: {clean_line(str(exc), 200)}") from None
    if root is None or not isinstance(root.tag, str) or etree.QName(root).localname != "opml":
        raise FormatError("not an OPML file")
    found: dict[str, Subscription] = {}
    for outline in root.iter("{*}outline"):
        attrs = {str(k).lower(): str(v) for k, v in outline.attrib.items()}
        url = _feed_url(attrs.get("xmlurl"))
        if url is None or url in found:
            continue
        title = clean_line(attrs.get("title") or attrs.get("text"), _TITLE_LIMIT)
        found[url] = Subscription(url=url, title=title)
        if len(found) >= MAX_SUBSCRIPTIONS:
            break
    return list(found.values())


_SHLEX_SPACE = re.compile("[ \t\r\n]+")


def _tokens(line: str) -> list[str]:
    """newsboat's tokens: whitespace-separated, double quotes group, backslash escapes."""
    if '"' not in line and "\\" not in line:
        # What shlex gives (it splits on these four only), far faster: most lines are bare URLs.
        return [word for word in _SHLEX_SPACE.split(line) if word]
    return _shlex_tokens(line)


def _shlex_tokens(line: str) -> list[str]:
    """`_tokens` through shlex itself: any line, quotes and escapes included."""
    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # an unbalanced quote: read it as plain words
        return [word.strip('"') for word in line.split()]


def parse_urls(data: bytes) -> list[Subscription]:
    """A newsboat ``urls`` file: ``URL [tag...] ["~Title"]``, ``#`` comments."""
    text = data.decode("utf-8-sig", errors="replace")
    found: dict[str, Subscription] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        tokens = _tokens(line)
        url = _feed_url(tokens[0]) if tokens else None
        if url is None or url in found:
            continue
        title = next((t[1:] for t in tokens[1:] if t.startswith("~")), "")
        found[url] = Subscription(url=url, title=clean_line(title, _TITLE_LIMIT))
        if len(found) >= MAX_SUBSCRIPTIONS:
            break
    return list(found.values())
