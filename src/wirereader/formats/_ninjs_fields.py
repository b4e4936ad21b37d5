"""Reading ninjs fields the same way across 1.x, 2.x and 3.x.

The three versions spell one idea three ways: ``headline`` / ``headline_main`` (1.x),
``headlines: [{role, value}]`` (2.x, 3.x); ``versioncreated`` / ``versionCreated``;
associations as an object keyed by name or as a list. Everything here folds keys to
lower case and turns each variant into the same small records, so `ninjs` only has to
decide what a field means, never how it was spelt. JSON is untrusted: every accessor
tolerates the wrong type and returns an empty value instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from wirereader.formats._wire import Rendition, to_int
from wirereader.formats.html import html_to_content

JsonObj = dict[str, object]

#: Roles that say how a text is encoded, not what it is for.
_FORMAT_ROLES = frozenset(
    {"text", "xhtml", "html", "richtext", "html5", "richhtml5", "plain", "nitf", "xml"}
)
_FORMAT_SUFFIX = re.compile(r"_(?:text|xhtml|html|richtext|html5|plain)$")
_MARKUP = re.compile(
    r"<(?:p|div|br|h[1-6]|section|article|figure|ul|ol|table|blockquote|body|html)\b", re.I
)
_MAX_LIST = 200


def lower_keys(obj: object) -> JsonObj | None:
    """A JSON object with its keys folded to lower case, or None if it is not an object."""
    if not isinstance(obj, dict):
        return None
    return {str(k).lower(): v for k, v in obj.items()}


def string(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def first_string(item: JsonObj, *keys: str) -> str:
    for key in keys:
        value = string(item.get(key)).strip()
        if value:
            return value
    return ""


@dataclass(frozen=True)
class Text:
    """One variant of a text field: what it is for (``role``) and how it is encoded."""

    role: str
    kind: str  # "html", "nitf", "text" or "other"
    value: str

    def plain(self) -> str:
        if self.kind == "html":
            return "\n".join(b.text for b in html_to_content(self.value).blocks if b.text)
        if self.kind in ("nitf", "other"):
            return ""
        return self.value


def _kind(role: str, content_type: str, value: str) -> str:
    ct = content_type.lower()
    if "nitf" in ct or role == "nitf":
        return "nitf"
    if "html" in ct or "html" in role or role == "richtext":
        return "html"
    if ct and ct not in ("text/plain", "text"):
        return "other"
    return "html" if _MARKUP.search(value[:2000]) else "text"


def _role(raw: str) -> str:
    role = raw.strip().lower()
    if role in _FORMAT_ROLES:
        return ""
    return _FORMAT_SUFFIX.sub("", role)


_PLURAL = {"headline": "headlines", "body": "bodies", "description": "descriptions"}


def texts(item: JsonObj, field: str) -> list[Text]:
    """Every variant of ``field`` (``headline``, ``body``, ``description``) in the item."""
    plural = _PLURAL[field]
    out: list[Text] = []
    for key, value in item.items():
        if key == field or key.startswith(field + "_"):
            raw = key[len(field) + 1 :]
            if isinstance(value, str):
                out.append(Text(_role(raw), _kind(raw, "", value), value))
        elif key == plural and isinstance(value, list):
            for entry in value[:_MAX_LIST]:
                if isinstance(entry, str):
                    out.append(Text("", _kind("", "", entry), entry))
                    continue
                obj = lower_keys(entry)
                if obj is None:
                    continue
                text = string(obj.get("value"))
                raw = string(obj.get("role"))
                ct = string(obj.get("contenttype"))
                if text:
                    out.append(Text(_role(raw), _kind(raw.lower(), ct, text), text))
    return out


def pick(variants: list[Text], roles: tuple[str, ...] | None, *, plain: bool = True) -> str:
    """The first variant whose role is one of ``roles`` (any role for None), as plain text."""
    for role in roles if roles is not None else (None,):
        for text in variants:
            if role is None or text.role == role:
                value = text.plain() if plain else text.value
                if value.strip():
                    return value
    return ""


def renditions(item: JsonObj) -> list[Rendition]:
    """``renditions`` as a list (2.x, 3.x) or an object keyed by name (1.x)."""
    raw = item.get("renditions")
    pairs: list[tuple[str, object]]
    if isinstance(raw, dict):
        pairs = [(str(k), v) for k, v in list(raw.items())[:_MAX_LIST]]
    elif isinstance(raw, list):
        pairs = [("", v) for v in raw[:_MAX_LIST]]
    else:
        return []
    out: list[Rendition] = []
    for name, value in pairs:
        obj = lower_keys(value)
        if obj is None:
            continue
        out.append(
            Rendition(
                href=string(obj.get("href")) or None,
                mime=first_string(obj, "contenttype", "mimetype").lower(),
                width=to_int(obj.get("width"), 1, 100_000),
                height=to_int(obj.get("height"), 1, 100_000),
                name=name or string(obj.get("name")),
            )
        )
    return out


def associations(item: JsonObj) -> Iterator[JsonObj]:
    """Associated objects, in order, whichever way they are listed."""
    raw = item.get("associations")
    values: list[object]
    if isinstance(raw, dict):
        values = list(raw.values())[:_MAX_LIST]
    elif isinstance(raw, list):
        values = raw[:_MAX_LIST]
    else:
        return
    for value in values:
        obj = lower_keys(value)
        if obj is not None:
            yield obj


def names(value: object) -> list[str]:
    """Names from ``infosources``-like lists: objects with name/literal/uri, or strings."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for entry in items[:50]:
        if isinstance(entry, str):
            out.append(entry)
            continue
        obj = lower_keys(entry)
        if obj is not None:
            name = first_string(obj, "name", "literal", "code", "qcode", "uri")
            if name:
                out.append(name)
    return out


def links(item: JsonObj) -> Iterator[tuple[str, str, str]]:
    """``links`` entries as (rel, href, contenttype)."""
    raw = item.get("links")
    if not isinstance(raw, list):
        return
    for entry in raw[:_MAX_LIST]:
        obj = lower_keys(entry)
        if obj is not None:
            yield (
                string(obj.get("rel")).lower(),
                string(obj.get("href")),
                string(obj.get("contenttype")).lower(),
            )
