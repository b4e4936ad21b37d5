"""The stable ``--json`` shape: an IPTC ninjs 3.x object per dispatch.

Scripts read this, so it changes only by adding keys. ninjs fields carry what ninjs can
say; what it cannot (cache id, read state, the dateline as printed, related headlines
without a guid) sits under the ``wirereader`` extension key. README.md documents it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wirereader.model import URGENCY_LABELS, Headline, StoredDispatch

SCHEMA = "https://iptc.org/std/ninjs/ninjs-schema_3.0.json"


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _drop_empty(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if v not in (None, "", [], {})}


def headline_json(h: Headline) -> dict[str, Any]:
    """One row of ``list``/``search --json``: the ninjs basics plus cache state."""
    return _drop_empty(
        {
            "headlines": [{"role": "main", "value": h.headline}],
            "versionCreated": _time(h.time),
            "urgency": h.urgency,
            "pubStatus": h.pub_status.value,
            "wirereader": _drop_empty(
                {
                    "id": h.id,
                    "source": h.source_title,
                    "sourceId": h.source_id,
                    "updates": h.updates,
                    "read": h.read,
                    "starred": h.starred,
                }
            ),
        }
    )


def dispatch_json(s: StoredDispatch) -> dict[str, Any]:
    """A whole dispatch as ninjs 3.x, every part included."""
    d = s.dispatch
    photos = [
        _drop_empty(
            {
                "type": "picture",
                "descriptions": [{"role": "caption", "value": p.caption}] if p.caption else [],
                "creditLine": p.credit,
                "renditions": [
                    _drop_empty(
                        {"href": p.url, "width": p.width, "height": p.height, "contentType": p.mime}
                    )
                ]
                if p.url
                else [],
            }
        )
        for p in d.photos
    ]
    body_text = "\n\n".join(b.text for b in d.body if b.text)
    return _drop_empty(
        {
            "$schema": SCHEMA,
            "uri": d.guid,
            "type": "text",
            "version": str(d.version) if d.version is not None else None,
            "firstCreated": _time(d.first_created),
            "versionCreated": _time(d.version_created or s.time),
            "embargoedUntil": _time(d.embargoed_until),
            "pubStatus": d.pub_status.value,
            "urgency": d.urgency,
            "language": d.language,
            "headlines": [{"role": "main", "value": d.headline}],
            "slugline": d.slugline,
            "located": d.located,
            "by": d.byline,
            "edNote": d.ednote,
            "descriptions": [{"role": "summary", "value": d.summary}] if d.summary else [],
            "bodies": [{"role": "main", "contentType": "text/plain", "value": body_text}]
            if body_text
            else [],
            "associations": photos,
            "infoSources": [{"name": name} for name in d.credit_chain],
            "links": [{"href": d.url, "rel": "canonical"}] if d.url else [],
            "wirereader": _drop_empty(
                {
                    "id": s.id,
                    "source": s.source_title,
                    "sourceUrl": s.source_url,
                    "format": d.format,
                    "time": _time(s.time),
                    "firstSeen": _time(s.first_seen),
                    "updates": s.updates,
                    "read": s.read,
                    "starred": s.starred,
                    "dateline": d.dateline,
                    "creditLine": d.creditline,
                    "urgencyLabel": URGENCY_LABELS.get(d.urgency or 0),
                    "signals": list(d.signals),
                    "withdrawn": d.is_withdrawn,
                    "body": [
                        _drop_empty({"kind": b.kind, "text": b.text, "photo": b.photo})
                        for b in d.body
                    ],
                    "related": [
                        _drop_empty({"headline": r.headline, "url": r.url, "guid": r.guid})
                        for r in d.related
                    ],
                }
            ),
        }
    )
