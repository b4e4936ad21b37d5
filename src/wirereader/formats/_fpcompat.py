"""The pieces of feedparser the lxml fast path (`_fastentry`) must agree with exactly.

feedparser's own tables (namespace prefixes, handler names, the cp1252 map, URI joining)
come from feedparser itself, imported once by `feedparser_parts`; the rest repeats what
feedparser does to every name, type, text and attribute it stores: an element's name
(``content_encoded``, ``media_title``), content types, the double-UTF-8 and C1 repairs,
``url``/``uri`` standing in for ``href``, and ``xml:base``/``xml:lang`` scoping
(`Scope`). Split from `_fastentry`, whose `Reader` walks the elements and decides what
each one means; tests/test_fastentry_fastpaths.py checks the shortcuts here against the
code they replaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

_XML = "{http://www.w3.org/XML/1998/namespace}"
_URIFIXER = re.compile("^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")
_C1 = re.compile("[\x80-\x9f]")


class Feedparser:
    """The few pieces of feedparser the emulation must match exactly (imported once)."""

    def __init__(self) -> None:
        import feedparser.api
        import feedparser.html
        import feedparser.mixin

        mixin: Any = feedparser.mixin._FeedParserMixin
        self.namespaces: dict[str, str] = {k.lower(): v for k, v in mixin.namespaces.items()}
        self.prefixes = frozenset(v for v in self.namespaces.values() if v)
        parser: Any = feedparser.api.StrictFeedParser
        self.handlers = frozenset(
            name.split("_", 2)[-1] if name.startswith("_start_") else name[5:]
            for name in dir(parser)
            if name.startswith(("_start_", "_end_"))
        )
        self.looks_like_html: Callable[[str], bool] = mixin.looks_like_html
        self.cp1252: dict[int, str] = dict(feedparser.html._cp1252)


@lru_cache(maxsize=1)
def feedparser_parts() -> Feedparser:
    return Feedparser()


@lru_cache(maxsize=4096)
def name(tag: str, prefix: str | None) -> str:
    """feedparser's name for an element (``content_encoded``, ``media_title``, ``title``).

    ``!`` means "do not know what feedparser would do": a foreign namespace under a
    prefix feedparser reserves for a known one.
    """
    fp = feedparser_parts()
    if tag[:1] != "{":
        return tag.lower()
    uri, _, local = tag[1:].partition("}")
    mapped = fp.namespaces.get(uri.lower())
    if mapped is None:
        if prefix and prefix.lower() in fp.prefixes:
            return "!"
        mapped = prefix.lower() if prefix else ""
    local = local.lower()
    return f"{mapped}_{local}" if mapped else local


_TYPES = {"text": "text/plain", "plain": "text/plain", "html": "text/html"}


def map_type(value: str) -> str:
    value = value.lower()
    return _TYPES.get(value, "application/xhtml+xml" if value == "xhtml" else value)


class Scope:
    """xml:base and xml:lang as feedparser tracks them, per element."""

    def __init__(self, use_base: bool, use_lang: bool) -> None:
        self.use_base = use_base
        self.use_lang = use_lang
        self.urls: Any = None
        if use_base:
            import feedparser.urls

            self.urls = feedparser.urls

    def enter(self, el: Any, base: str, lang: str | None) -> tuple[str, str | None]:
        if self.use_base:
            given = el.get(_XML + "base", el.get("base")) or base
            if base:
                base = self.urls.make_safe_absolute_uri(base, given) or base
            else:
                base = self.urls._urljoin(base, given)
        if self.use_lang:
            value = el.get(_XML + "lang", el.get("lang"))
            lang = None if value == "" else (lang if value is None else value)
        return base, lang

    def resolve(self, base: str, uri: str) -> str:
        if not base:  # feedparser: _URIFIXER.sub(r"\1\3", uri), slashes after :// dropped
            fixed = _URIFIXER.match(uri)
            return uri if fixed is None else uri[: fixed.end(1)] + uri[fixed.end(2) :]
        result: str = self.urls._urljoin(base, uri)
        return result


def fix(text: str, fp: Feedparser) -> str:
    """feedparser's repairs of every text value: double-encoded UTF-8, then cp1252 C1s."""
    if text.isascii():
        return text
    text = _undouble(text)
    # C1 controls are unprintable, and isprintable() scans a few times faster than a search.
    if text.isprintable() or not _C1.search(text):
        return text
    return text.translate(fp.cp1252)


def _undouble(text: str) -> str:
    """UTF-8 read as Latin-1, decoded again; other text as it is.

    A plain try, not `contextlib.suppress`: that costs ~1 us a call, on every non-ASCII
    text of every item.
    """
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def looks_like_html(value: str, fp: Feedparser) -> bool:
    """feedparser's `looks_like_html`, which is false without a ``</`` or an ``&``.

    It wants ``</tag>`` or an entity reference; most titles have neither, and its
    regular expressions cost ~4 us a title.
    """
    return ("</" in value or "&" in value) and fp.looks_like_html(value)


def enforce_href(attrs: dict[str, str]) -> dict[str, str]:
    """feedparser's ``_enforce_href``: ``url`` or ``uri`` stand in for ``href``."""
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if href:
        attrs.pop("url", None)
        attrs.pop("uri", None)
        attrs["href"] = href
    return attrs


def attrs(el: Any) -> dict[str, str]:
    """Attributes as feedparser's strict parser gives them: lower-case names, rel/type too."""
    out: dict[str, str] = {}
    for key, value in el.attrib.items():
        if key[:1] == "{":
            continue  # xml:lang and the like: nothing `feed` reads
        key = key.lower()
        out[key] = value.lower() if key in ("rel", "type") else value
    return out
