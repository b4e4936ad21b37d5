"""feedparser-shaped entries from an lxml tree: the element-by-element half of `fastfeed`.

`Reader` reads one item or entry (and the channel's title, link and language) into the
dict feedparser's strict parser would build, and raises `UseFallback` wherever it is
not sure it would match. The pieces of feedparser it must agree with exactly (namespace
prefixes, handler names, the cp1252 table, URI joining, text repairs) are in `_fpcompat`.
Split from `fastfeed`, which finds the items and decides what to parse this way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from wirereader.formats._fpcompat import Feedparser, Scope, feedparser_parts
from wirereader.formats._fpcompat import attrs as _attrs
from wirereader.formats._fpcompat import enforce_href as _enforce_href
from wirereader.formats._fpcompat import fix as _fix
from wirereader.formats._fpcompat import looks_like_html as _looks_like_html
from wirereader.formats._fpcompat import map_type as _map_type
from wirereader.formats._fpcompat import name as _name
from wirereader.formats.common import parse_date


class UseFallback(Exception):
    """The fast path declines this document: parse it with feedparser."""


_Store = Callable[[str, Any, int], None]

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_NO_CLAMP = datetime(9000, 1, 1, tzinfo=UTC)  # feed.py clamps, once
_LINK_REF = re.compile("&([A-Za-z0-9_]+);")
_EMAIL = re.compile(  # feedparser's, to split "a@b.example (Name)" as it does
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_PUBLISHED = frozenset({"pubdate", "published", "issued", "dcterms_issued"})
_UPDATED = frozenset({"updated", "modified", "lastbuilddate", "dc_date", "dcterms_modified"})
_CREATED = frozenset({"created", "dcterms_created"})
_DESCRIPTIONS = frozenset({"description", "dc_description", "summary"})
_CONTENTS = frozenset({"content", "content_encoded", "fullitem"})
_AUTHORS = frozenset({"author", "dc_creator", "dc_author"})
#: Elements feedparser has handlers for whose effect on an entry `feed` never reads.
_HARMLESS = frozenset(
    {
        "category",
        "keywords",
        "tags",
        "dc_subject",
        "dc_language",
        "dc_publisher",
        "dc_rights",
        "rights",
        "copyright",
        "expirationdate",
        "cc_license",
        "creativecommons_license",
        "creativeCommons_license",
        "dcterms_valid",
    }
)
_MEDIA_OK = frozenset(
    {
        "media_content",
        "media_thumbnail",
        "media_group",
        "media_credit",
        "media_category",
        "media_keywords",
        "media_rating",
        "media_restriction",
        "media_license",
        "media_player",
    }
)


@lru_cache(maxsize=4096)
def _classify(tag: str, prefix: str | None) -> tuple[str, str, bool, bool]:
    """``(name, kind, is Media RSS, refused below the item's children)`` of an element.

    `Reader.entry` asks this of every element: worked out once per tag, it replaces a
    chain of a dozen set lookups per element with one cached call. ``kind`` is the
    branch of `Reader.entry` the name takes, in the order the branches are tried.
    """
    name = _name(tag, prefix)
    handlers = feedparser_parts().handlers
    if name in _MEDIA_OK:
        kind = "skip"
    elif name.startswith("media_") and name not in ("media_title", "media_description"):
        kind = "refuse-media"
    elif name in ("title", "media_title"):
        kind = "title"
    elif name in ("link", "enclosure", "source", "dc_source"):
        kind = name
    elif name in ("guid", "id"):
        kind = "id"
    elif name in _PUBLISHED:
        kind = "published"
    elif name in _UPDATED:
        kind = "updated"
    elif name in _CREATED:
        kind = "created"
    elif name in _DESCRIPTIONS or name == "media_description":
        kind = "description"
    elif name in _CONTENTS:
        kind = "content"
    elif name in _AUTHORS:
        kind = "author"
    elif name == "!" or (name in handlers and name not in _HARMLESS):
        kind = "refuse"
    else:
        kind = "other"
    deep_refused = name in handlers or name in ("dc_source", "!")
    return name, kind, name.startswith("media_"), deep_refused


class Reader:
    """Reads one container (channel, feed) or entry into a feedparser-shaped dict."""

    def __init__(self, fp: Feedparser, scope: Scope, atom: bool) -> None:
        self.fp = fp
        self.scope = scope
        self.atom = atom

    def text(self, el: Any) -> str:
        if len(el):
            raise UseFallback("markup or a comment where text belongs")
        return _fix((el.text or "").strip(), self.fp)

    def detail(self, el: Any, default: str, base: str, lang: str | None) -> dict[str, Any]:
        if el.get("mode") is not None or el.get("src") is not None:
            raise UseFallback("base64 or external content")
        kind = _map_type(el.get("type", default))
        if kind == "application/xhtml+xml" or not (
            kind.startswith("text/") or kind.endswith(("+xml", "/xml"))
        ):
            raise UseFallback("XHTML or base64 content")
        value = self.text(el)
        if not self.atom and kind == "text/plain" and _looks_like_html(value, self.fp):
            kind = "text/html"
        language = lang.replace("_", "-") if lang else lang
        return {"type": kind, "language": language, "base": base, "value": value}

    def link(self, target: dict[str, Any], el: Any, base: str) -> None:
        attrs = _enforce_href(_attrs(el))
        rel = attrs.setdefault("rel", "alternate")
        attrs.setdefault("type", "application/atom+xml" if rel == "self" else "text/html")
        links = target.setdefault("links", [])
        if "href" in attrs:
            attrs["href"] = self.scope.resolve(base, attrs["href"])
            links.append(attrs)
            if rel == "alternate" and _map_type(attrs["type"]) in _HTML_TYPES:
                target["link"] = attrs["href"]
            return
        links.append(attrs)
        value = self.text(el)
        value = self.scope.resolve(base, value) if value else value
        value = value.replace("&amp;", "&")
        if ";" in value:
            value = _LINK_REF.sub(r"&\g<1>", value)
        target["link"] = value
        if value:
            links[-1]["href"] = value

    def guid(self, target: dict[str, Any], el: Any, base: str) -> None:
        is_link = el.get("isPermaLink", el.get("ispermalink", "true")) == "true"
        value = self.text(el)
        if is_link and value:
            value = self.scope.resolve(base, value)
        target["id"] = value
        if is_link:
            target.setdefault("link", value)

    def container(
        self, el: Any, base: str, lang: str | None, root_lang: str | None
    ) -> dict[str, Any]:
        """The feed's title, link and language (what `feed` reads of a channel or feed)."""
        feed: dict[str, Any] = {}
        if root_lang:  # only the root element's xml:lang is the feed's language
            feed["language"] = root_lang.replace("_", "-")
        for child in el:
            if not isinstance(child.tag, str):
                continue
            name = _name(child.tag, child.prefix)
            if name not in ("title", "link", "language", "dc_language", "id", "guid"):
                continue
            child_base, child_lang = self.scope.enter(child, base, lang)
            if name == "title":
                if not feed.get("title"):
                    detail = self.detail(child, "text/plain", child_base, child_lang)
                    feed["title"], feed["title_detail"] = detail["value"], detail
            elif name == "link":
                self.link(feed, child, child_base)
            elif name in ("id", "guid"):
                self.guid(feed, child, child_base)
            else:
                feed["language"] = self.text(child)
        return feed

    def entry(self, item: Any, base: str, lang: str | None) -> dict[str, Any]:
        """One item or entry, emulating feedparser's element-by-element state."""
        if item.get("lastmod") is not None or item.get("href") is not None:
            raise UseFallback("CDF item attributes")
        entry: dict[str, Any] = {}
        about = item.get(RDF + "about")
        if about:
            entry["id"] = about
        depths: dict[str, int] = {}
        title_depth = -1
        has_content = False
        seen: set[str] = set()
        source_seen = False
        scope = self.scope
        scoped = scope.use_base or scope.use_lang
        # Each parent's (base, lang, depth, feedparser name), for its children.
        scopes: dict[Any, tuple[str, str | None, int, str]] = {item: (base, lang, 0, "")}

        def store(key: str, value: Any, depth: int) -> None:
            old = depths.get(key)
            if old is None or depth <= old:
                depths[key] = depth
                entry[key] = value

        for el in item.iterdescendants():
            tag = el.tag
            if not isinstance(tag, str):
                continue  # a comment or PI between elements (one inside text is refused)
            parent_base, parent_lang, parent_depth, parent = scopes[el.getparent()]
            if scoped:
                el_base, el_lang = scope.enter(el, parent_base, parent_lang)
            else:
                el_base, el_lang = parent_base, parent_lang
            depth = parent_depth + 1
            name, kind, media, deep_refused = _classify(tag, el.prefix)
            if len(el):
                scopes[el] = (el_base, el_lang, depth, name)
            if kind == "skip":
                continue
            if kind == "refuse-media":
                raise UseFallback("Media RSS element not modelled")
            if depth != 1 and not media:
                if parent == "author" and name in ("name", "email", "uri"):
                    continue
                if deep_refused:
                    raise UseFallback("feedparser element in a place not modelled")
                continue
            if kind == "title":
                if source_seen:
                    raise UseFallback("title after <source>")
                if -1 < title_depth <= depth:
                    continue
                detail = self.detail(el, "text/plain", el_base, el_lang)
                store("title", detail["value"], depth)
                entry["title_detail"] = detail
                if name == "title" and detail["value"]:
                    title_depth = depth
            elif kind == "link":
                self.link(entry, el, el_base)
            elif kind == "id":
                self.guid(entry, el, el_base)
                depths["id"] = depth
            elif kind in ("published", "updated", "created"):
                key = kind
                value = self.text(el)
                parsed = parse_date(value, now=_NO_CLAMP) if value else None
                if key in seen or (value and parsed is None):
                    raise UseFallback(f"{name} repeated or not RFC 822/ISO 8601")
                seen.add(key)
                store(key, value, depth)
                if parsed is not None:  # whole seconds, as feedparser's struct_time
                    entry[f"{key}_parsed"] = parsed.timetuple()[:6]
            elif kind == "description":
                default = "text/plain" if name == "summary" else "text/html"
                if "summary" in entry and not has_content:  # feedparser: "content" instead
                    has_content = True
                    detail = self.detail(el, "text/plain", el_base, el_lang)
                    entry.setdefault("content", []).append(detail)
                else:
                    detail = self.detail(el, default, el_base, el_lang)
                    store("summary", detail["value"], depth)
                    entry["summary_detail"] = detail
            elif kind == "content":
                has_content = True
                default = "text/plain" if name == "content" else "text/html"
                detail = self.detail(el, default, el_base, el_lang)
                entry.setdefault("content", []).append(detail)
                if detail["type"] == "text/plain" or detail["type"] in _HTML_TYPES:
                    entry.setdefault("summary", detail["value"])
            elif kind == "author":
                kind = "person" if len(el) else "text"
                if ({"person", "text"} - {kind}) & seen:
                    raise UseFallback("Atom and RSS authors mixed")
                seen.add(kind)
                self.author(entry, el, depth, store)
            elif kind == "enclosure":
                attrs = _enforce_href(_attrs(el))
                attrs["rel"] = "enclosure"
                entry.setdefault("links", []).append(attrs)
            elif kind == "source":
                if self.atom or len(el):
                    raise UseFallback("Atom source or RSS source with markup")
                source_seen = True
                title_depth = -1
                source = {"title": self.text(el)} if el.text and el.text.strip() else {}
                if el.get("url"):
                    source["href"] = el.get("url") or ""
                entry["source"] = source
            elif kind == "dc_source":
                if el.attrib:
                    raise UseFallback("dc:source with attributes")
                store("dc_source", self.text(el), depth)
            elif kind == "refuse":
                raise UseFallback("feedparser element not modelled")
        entry["enclosures"] = [
            {k: v for k, v in link.items() if k != "rel"}
            for link in entry.get("links", [])
            if link.get("rel") == "enclosure"
        ]
        return entry

    def author(self, entry: dict[str, Any], el: Any, depth: int, store: _Store) -> None:
        """An author as feedparser keeps it: ``author_detail`` is what `feed` reads."""
        if len(el):  # Atom person: the last one's name wins
            names = [c for c in el if isinstance(c.tag, str) and _name(c.tag, c.prefix) == "name"]
            if len(names) != 1 or (el.text and el.text.strip()) or len(names[0]):
                raise UseFallback("author without one plain name")
            name = (names[0].text or "").strip()  # not repaired: feedparser expects no text
            if not name:
                raise UseFallback("author without a name")
            entry.setdefault("author_detail", {})["name"] = name
            entry["author"] = name
            return
        store("author", self.text(el), depth)  # RSS: the first one's name wins
        author = entry.get("author")
        if not author:
            return
        email = None
        if m := _EMAIL.search(author):
            email = m.group(0)
            for junk in (email, "()", "<>", "&lt;&gt;"):
                author = author.replace(junk, "")
            author = author.strip()
            author = author[1:] if author[:1] == "(" else author
            author = (author[:-1] if author[-1:] == ")" else author).strip()
        detail: dict[str, str] = {}
        if author or email:
            entry.setdefault("author_detail", detail)
        if author:
            detail["name"] = author
        if email:
            detail["email"] = email
