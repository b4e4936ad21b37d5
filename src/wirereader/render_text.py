"""Plain-text rendering for the headless command line (`list`, `show`, `sources`).

Text reaching here was sanitized when it was parsed; this only lays it out. Widths are
measured in terminal cells (East Asian wide characters count two) so CJK headlines keep
the columns aligned.
"""

from __future__ import annotations

import textwrap
import unicodedata
from datetime import UTC, datetime

from wirereader.model import (
    URGENCY_LABELS,
    Headline,
    Photo,
    PubStatus,
    SourceInfo,
    StoredDispatch,
)


def cell_width(text: str) -> int:
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def fit(text: str, width: int) -> str:
    """Cut to ``width`` cells with an ellipsis, padded to exactly ``width``."""
    if cell_width(text) <= width:
        return text + " " * (width - cell_width(text))
    out, used = [], 0
    for ch in text:
        w = cell_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - used - 1)


def fit_middle(text: str, width: int) -> str:
    """Cut to at most ``width`` cells by taking out the middle, not the end.

    The feeds of one agency differ at the end of their names ("Anadolu Agency – English",
    "Anadolu Agency – Türkçe"): cut at the end, every one read "Anadolu Agency –…".
    """
    if cell_width(text) <= width:
        return text
    if width < 3:
        return fit(text, width).rstrip()
    room = width - 1
    head = _take(text, (room + 1) // 2)
    tail = _take(text[::-1], room - cell_width(head))[::-1]
    while tail and unicodedata.combining(tail[0]):
        tail = tail[1:]  # a mark cut from its letter
    return head.rstrip() + "…" + tail.lstrip()


def _take(text: str, cells: int) -> str:
    out, used = [], 0
    for ch in text:
        used += cell_width(ch)
        if used > cells:
            break
        out.append(ch)
    return "".join(out)


def local_time(value: datetime | None, *, with_date: bool = False) -> str:
    if value is None:
        return "-"
    local = value.astimezone()
    now = datetime.now(UTC).astimezone()
    if with_date or local.date() != now.date():
        return local.strftime("%Y-%m-%d %H:%M")
    return local.strftime("%H:%M")


def marker(urgency: int | None, pub_status: PubStatus, updates: int) -> str:
    """The short urgency/update marker the list shows: FLASH, URGENT, KILLED, UPD 2."""
    if pub_status is PubStatus.CANCELED:
        return "KILLED"
    if pub_status is PubStatus.WITHHELD:
        return "HELD"
    if urgency is not None and urgency in URGENCY_LABELS:
        return URGENCY_LABELS[urgency]
    if updates:
        return f"UPD {updates}"
    return ""


def headline_row(h: Headline, width: int | None = 100) -> str:
    """One list line; ``width=None`` (output to a pipe) keeps the whole headline."""
    mark = marker(h.urgency, h.pub_status, h.updates)
    time = local_time(h.time, with_date=True)
    unread = "*" if not h.read else " "
    prefix = f"{h.id:>7} {unread} {time}  {fit(h.source_title, 14)} {fit(mark, 8)} "
    if width is None:
        return prefix + h.headline
    return prefix + fit(h.headline, max(10, width - cell_width(prefix))).rstrip()


def source_row(s: SourceInfo) -> str:
    state = (
        f"error: {s.last_error}"
        if s.last_error
        else (
            f"ok {local_time(s.last_success, with_date=True)}"
            if s.last_success
            else "never fetched"
        )
    )
    return f"{s.id:>4}  {fit(s.label, 30)} {s.cached:>6} cached {s.unread:>6} unread  {state}\n      {s.url}"


def dispatch_text(s: StoredDispatch, width: int = 80) -> str:
    """Every part of a dispatch, in the order an editor reads them."""
    d = s.dispatch
    wrap = textwrap.TextWrapper(width=width, break_long_words=True, break_on_hyphens=False)
    out: list[str] = []
    mark = marker(d.urgency, d.pub_status, s.updates)
    if d.is_withdrawn:
        out.append("*** WITHDRAWN: this dispatch was canceled by its sender ***")
    out.extend(wrap.wrap(((mark + "  ") if mark else "") + d.headline))
    out.append("=" * min(width, max(cell_width(d.headline), 10)))
    meta = [
        ("Dateline", d.dateline),
        ("Located", d.located if d.located and d.located not in d.dateline else ""),
        ("By", d.byline),
        ("Slugline", d.slugline),
        ("Source", s.source_title),
        ("Time", local_time(s.time, with_date=True)),
        ("First seen", local_time(s.first_seen, with_date=True)),
        ("Version", str(d.version) if d.version is not None else ""),
        ("Updates", f"{s.updates} seen" if s.updates else ""),
        ("Embargo", local_time(d.embargoed_until, with_date=True) if d.embargoed_until else ""),
        ("Ed. note", d.ednote),
        ("Signals", ", ".join(d.signals)),
        ("Language", d.language),
    ]
    out.extend(f"{label + ':':<11} {value}" for label, value in meta if value)
    out.append("")
    shown_photos: set[int] = set()
    for block in d.body:
        if block.kind == "photo" and block.photo is not None and block.photo < len(d.photos):
            shown_photos.add(block.photo)
            out.extend(_photo(d.photos[block.photo], wrap))
        elif block.kind == "subhead":
            out.extend(["", *wrap.wrap(block.text.upper()), ""])
        elif block.kind == "quote":
            out.extend("  > " + line for line in textwrap.wrap(block.text, width - 4))
            out.append("")
        elif block.text:
            out.extend(wrap.wrap(block.text))
            out.append("")
    for i, photo in enumerate(d.photos):
        if i not in shown_photos:
            out.extend(_photo(photo, wrap))
    if d.summary and not any(b.text for b in d.body):
        out.extend([*wrap.wrap(d.summary), ""])
    if d.credit_chain:
        out.append("/".join(d.credit_chain))
    if d.creditline and d.creditline != "/".join(d.credit_chain):
        out.append(f"Credit: {d.creditline}")
    if d.url:
        out.append(f"Link: {d.url}")
    if d.related:
        out.extend(["", "Related:"])
        for n, r in enumerate(d.related, 1):
            out.append(f"  {n}. {r.headline}" + (f"  <{r.url}>" if r.url else ""))
    return "\n".join(out).rstrip() + "\n"


def _photo(photo: Photo, wrap: textwrap.TextWrapper) -> list[str]:
    lines = wrap.wrap(photo.caption or "(no caption)")
    lines = [("[Photo] " if i == 0 else "        ") + line for i, line in enumerate(lines)]
    if photo.credit:
        lines.append(f"        Photo: {photo.credit}")
    if photo.url:
        lines.append(f"        {photo.url}")
    lines.append("")
    return lines
