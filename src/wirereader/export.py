"""`wirereader export`: hand dispatches on as ninjs 3.x JSON, or as Markdown for people.

ninjs is what agencies and CMSs read, so what wirereader reads it can also pass on; the
export drops the ``wirereader`` extension of ``--json`` so the objects are plain ninjs,
and `formats.ninjs` reads them back (a test checks the round trip). Markdown escapes
feed text, so a headline like ``[x](javascript:...)`` stays text in any renderer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from wirereader.jsonout import dispatch_json
from wirereader.model import StoredDispatch
from wirereader.render_text import local_time, marker

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>~|])")
_MD_LEADING = re.compile(r"^([#+\-=>])")
_MD_ORDERED = re.compile(r"^(\d+)\.")
_SLUG = re.compile(r"[^\w]+", re.UNICODE)


def md_escape(text: str) -> str:
    """Feed text as literal Markdown: no link, emphasis, HTML or heading can be made of it."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_ORDERED.sub(r"\1\\.", _MD_LEADING.sub(r"\\\1", text))


def ninjs(stored: StoredDispatch) -> dict[str, Any]:
    """Plain ninjs 3.x: the ``--json`` object without wirereader's extension key."""
    out = dispatch_json(stored)
    out.pop("wirereader", None)
    d = stored.dispatch
    if d.related:
        out.setdefault("associations", [])
        out["associations"] = [
            *out["associations"],
            *(
                {
                    k: v
                    for k, v in {
                        "type": "text",
                        "headlines": [{"role": "main", "value": r.headline}],
                        "uri": r.guid,
                        "renditions": [{"href": r.url}] if r.url else None,
                    }.items()
                    if v
                }
                for r in d.related
            ),
        ]
    if d.dateline and out.get("bodies"):
        out["bodies"][0]["value"] = f"{d.dateline} – {out['bodies'][0]['value']}"
    return out


def markdown(stored: StoredDispatch) -> str:
    """One dispatch as a Markdown document, every part in reading order."""
    d = stored.dispatch
    lines = [f"# {md_escape(d.headline)}", ""]
    mark = marker(d.urgency, d.pub_status, stored.updates)
    meta = [
        f"**{mark}**" if mark else "",
        md_escape(d.dateline or d.located),
        f"By {md_escape(d.byline)}" if d.byline else "",
        md_escape(stored.source_title),
        local_time(stored.time, with_date=True),
    ]
    lines += [" · ".join(m for m in meta if m), ""]
    if d.is_withdrawn:
        lines += ["**Withdrawn: canceled by its sender.**", ""]
    placed = {b.photo for b in d.body if b.kind == "photo"}

    def photo(i: int) -> list[str]:
        p = d.photos[i]
        text = f"> *{md_escape(p.caption or 'Photo')}*"
        if p.credit:
            text += f" — Photo: {md_escape(p.credit)}"
        return [text, ""]

    for i in range(len(d.photos)):
        if i not in placed:
            lines += photo(i)
    for block in d.body:
        if block.kind == "photo" and block.photo is not None and block.photo < len(d.photos):
            lines += photo(block.photo)
        elif block.kind == "subhead":
            lines += [f"## {md_escape(block.text)}", ""]
        elif block.kind == "quote":
            lines += [f"> {md_escape(block.text)}", ""]
        elif block.text:
            lines += [md_escape(block.text), ""]
    if d.credit_chain:
        lines += [md_escape("/".join(d.credit_chain)), ""]
    if d.url:
        lines += [f"<{d.url}>", ""]
    if d.related:
        lines += ["## Related", ""]
        lines += [
            f"- {md_escape(r.headline)}" + (f" <{r.url}>" if r.url else "") for r in d.related
        ]
        lines.append("")
    return "\n".join(lines)


def file_name(stored: StoredDispatch, suffix: str) -> str:
    slug = _SLUG.sub("-", stored.dispatch.headline.lower()).strip("-")[:60] or "dispatch"
    return f"{stored.id}-{slug}{suffix}"


def ninjs_lines(items: Iterable[StoredDispatch]) -> Iterable[str]:
    for stored in items:
        yield json.dumps(ninjs(stored), ensure_ascii=False)
