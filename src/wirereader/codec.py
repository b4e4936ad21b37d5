"""JSON form of a `Dispatch` for the cache, and the content hash that detects updates.

Why JSON and not columns: a dispatch is a tree (blocks, photos, related) that the store
never queries inside; it only needs the few list columns (headline, time, urgency) beside
it. One text value per version keeps updates, version history and migrations simple.

Rules that keep an old cache readable and the hash stable:
- The output is canonical (sorted keys, no spaces, UTF-8), so equal dispatches give
  byte-equal JSON and `content_hash` is a plain sha256 of it.
- Fields equal to their default are left out. That keeps rows small and means a field
  added to the model later (with a default) does not change the hash of every cached
  dispatch, which would otherwise turn the next refresh into a flood of false "updates".
- Reading is tolerant: unknown keys are ignored, missing or mistyped values fall back to
  the default, so a cache written by another version still opens. A pub_status this
  version does not know becomes ``withheld``: an unknown status is never shown as usable.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import MISSING, fields
from datetime import UTC, datetime
from typing import Any, cast, get_args

from wirereader.model import Block, BlockKind, Dispatch, Photo, PubStatus, Related

#: Written as "v" in every object; bump it when a change needs the reader to know.
FORMAT_VERSION = 1

_BLOCK_KINDS: frozenset[str] = frozenset(get_args(BlockKind))


class CodecError(ValueError):
    """The stored text is not a dispatch at all (not JSON, or not an object)."""


# --- writing -----------------------------------------------------------------------------


def format_time(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``; a naive time is taken to be UTC already."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# (name, default) per class, looked up once: `fields()` per object is the slow part.
_FIELDS: dict[type, tuple[tuple[str, object], ...]] = {
    cls: tuple((f.name, f.default) for f in fields(cls)) for cls in (Photo, Related)
}


def _block_obj(b: Block) -> dict[str, Any]:
    # Most blocks are paragraphs, so that is the reader's default kind.
    out: dict[str, Any] = {} if b.kind == "paragraph" else {"kind": b.kind}
    if b.text:
        out["text"] = b.text
    if b.photo is not None:
        out["photo"] = b.photo
    return out


def _encode_fields(obj: Photo | Related) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, default in _FIELDS[type(obj)]:
        value = getattr(obj, name)
        if default is not MISSING and value == default:
            continue
        out[name] = value
    return out


def dispatch_to_obj(d: Dispatch) -> dict[str, Any]:
    # Spelt out rather than a loop over `fields()`: this runs for every item of every
    # refresh (to hash it), and the generic walk was a third of a 10,000-item batch.
    out: dict[str, Any] = {"v": FORMAT_VERSION, "guid": d.guid, "headline": d.headline}
    for name in _OPTIONAL:  # None by default
        value = getattr(d, name)
        if value is not None:
            out[name] = format_time(value) if isinstance(value, datetime) else value
    if d.pub_status is not PubStatus.USABLE:
        out["pub_status"] = str(d.pub_status)
    for name in _TEXT:  # "" by default
        value = getattr(d, name)
        if value:
            out[name] = value
    if d.signals:
        out["signals"] = list(d.signals)
    if d.credit_chain:
        out["credit_chain"] = list(d.credit_chain)
    if d.body:
        out["body"] = [_block_obj(b) for b in d.body]
    if d.photos:
        out["photos"] = [_encode_fields(p) for p in d.photos]
    if d.related:
        out["related"] = [_encode_fields(r) for r in d.related]
    return out


_OPTIONAL = ("url", "version", "version_created", "first_created", "urgency", "embargoed_until")
_TEXT = (
    "slugline",
    "dateline",
    "located",
    "byline",
    "language",
    "ednote",
    "creditline",
    "summary",
    "format",
)
#: Every `Dispatch` field the writer above covers; a test checks it against the model.
ENCODED_FIELDS = frozenset(
    {"guid", "headline", "pub_status", "signals", "credit_chain", "body", "photos", "related"}
).union(_OPTIONAL, _TEXT)


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def dumps(obj: object) -> str:
    """The canonical JSON text: what is stored and what is hashed."""
    return _CANONICAL.encode(obj)


def dispatch_to_json(d: Dispatch) -> str:
    return dumps(dispatch_to_obj(d))


def json_digest(text: str) -> bytes:
    """The raw sha256 of a canonical JSON text (the store keeps 32 bytes, not 64 hex)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def content_hash(d: Dispatch) -> str:
    """sha256 of the canonical JSON: equal content, equal hash, whatever the fetch."""
    return json_digest(dispatch_to_json(d)).hex()


# --- reading -----------------------------------------------------------------------------


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _str(o: dict[str, Any], key: str, default: str = "") -> str:
    value = o.get(key)
    return value if isinstance(value, str) else default


def _opt_str(o: dict[str, Any], key: str) -> str | None:
    value = o.get(key)
    return value if isinstance(value, str) else None


def _opt_int(o: dict[str, Any], key: str) -> int | None:
    value = o.get(key)
    # bool is an int in Python; a stored true/false is never a count or a size.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _objects(o: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = o.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def _strings(o: dict[str, Any], key: str) -> tuple[str, ...]:
    value = o.get(key)
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def _pub_status(value: object) -> PubStatus:
    if value is None:
        return PubStatus.USABLE
    if not isinstance(value, str):
        return PubStatus.WITHHELD
    try:
        return PubStatus(value)
    except ValueError:
        return PubStatus.WITHHELD


def _block(o: dict[str, Any]) -> Block:
    kind = _str(o, "kind", "paragraph")
    if kind not in _BLOCK_KINDS:
        kind = "paragraph"  # keep the text of a kind this version does not draw
    return Block(kind=cast(BlockKind, kind), text=_str(o, "text"), photo=_opt_int(o, "photo"))


def _photo(o: dict[str, Any]) -> Photo:
    return Photo(
        caption=_str(o, "caption"),
        credit=_str(o, "credit"),
        url=_opt_str(o, "url"),
        width=_opt_int(o, "width"),
        height=_opt_int(o, "height"),
        mime=_opt_str(o, "mime"),
    )


def _related(o: dict[str, Any]) -> Related:
    return Related(headline=_str(o, "headline"), url=_opt_str(o, "url"), guid=_opt_str(o, "guid"))


def dispatch_from_obj(o: dict[str, Any]) -> Dispatch:
    return Dispatch(
        guid=_str(o, "guid"),
        headline=_str(o, "headline"),
        url=_opt_str(o, "url"),
        version=_opt_int(o, "version"),
        version_created=parse_time(o.get("version_created")),
        first_created=parse_time(o.get("first_created")),
        urgency=_opt_int(o, "urgency"),
        pub_status=_pub_status(o.get("pub_status")),
        embargoed_until=parse_time(o.get("embargoed_until")),
        signals=_strings(o, "signals"),
        slugline=_str(o, "slugline"),
        dateline=_str(o, "dateline"),
        located=_str(o, "located"),
        byline=_str(o, "byline"),
        language=_str(o, "language"),
        ednote=_str(o, "ednote"),
        creditline=_str(o, "creditline"),
        summary=_str(o, "summary"),
        body=tuple(_block(b) for b in _objects(o, "body")),
        photos=tuple(_photo(p) for p in _objects(o, "photos")),
        related=tuple(_related(r) for r in _objects(o, "related")),
        credit_chain=_strings(o, "credit_chain"),
        format=_str(o, "format"),
    )


def dispatch_from_json(text: str) -> Dispatch:
    try:
        obj = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise CodecError(f"stored dispatch is not valid JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise CodecError("stored dispatch is not a JSON object")
    return dispatch_from_obj(obj)
