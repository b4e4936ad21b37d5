"""A dispatch in reading order: runs of text and the photo captions between them.

Pure (no widgets): `DispatchView` mounts a `DispatchText` for each run and a
`PhotoCaption` for each slot. Kept apart from `ui.dispatch` so what a dispatch reads
like can be tested without an app.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from wirereader.model import Photo, StoredDispatch
from wirereader.render_text import local_time, marker

WITHDRAWN = " WITHDRAWN — canceled by its sender; do not use "


@dataclass(frozen=True, slots=True)
class CaptionSlot:
    """Where a photo's caption box goes in the dispatch, between two runs of text."""

    photo: Photo
    number: int
    linked: bool


def dispatch_parts(stored: StoredDispatch) -> list[Text | CaptionSlot]:
    """The dispatch in reading order: runs of text, and caption boxes between them.

    Each run becomes one `DispatchText`; the blank lines inside a run stand for the gaps
    the old one-widget-per-section layout had (the headline's padding, the meta line's
    and each paragraph run's bottom margin). A run's own bottom margin is CSS.
    """
    d = stored.dispatch
    linked = bool(d.url)
    parts: list[Text | CaptionSlot] = []
    run = Text()

    def add(text: Text, *, gap: int) -> None:
        """Append to the current run, after ``gap`` blank lines when it is not empty."""
        if run:
            run.append("\n" * (gap + 1))
        run.append_text(text)

    def flush() -> None:
        nonlocal run
        if run.plain.strip():
            run.rstrip()
            parts.append(run)
        run = Text()

    if d.is_withdrawn:
        add(Text(WITHDRAWN, style="bold reverse red"), gap=0)
    head = Text()
    mark = marker(d.urgency, d.pub_status, stored.updates)
    if mark and not d.headline.upper().startswith(mark):
        head.append(f" {mark} ", style="bold reverse")
        head.append(" ")
    head.append(d.headline, style="bold")
    # The headline keeps a blank line above it, at the top and under the banner alike.
    run.append("\n" * (2 if run else 1))
    run.append_text(head)
    add(_meta(stored), gap=0)

    placed = {b.photo for b in d.body if b.kind == "photo" and b.photo is not None}
    # Photos the body does not place are the lead pictures: they go first, as on the wire.
    lead = [i for i in range(len(d.photos)) if i not in placed]
    if lead:
        flush()
    for i in lead:
        parts.append(CaptionSlot(d.photos[i], i + 1, linked))

    paragraphs = Text()
    gap = 1
    for block in d.body:
        if block.kind == "photo" and block.photo is not None and block.photo < len(d.photos):
            if paragraphs.plain.strip():
                paragraphs.rstrip()
                add(paragraphs, gap=gap)
            paragraphs = Text()
            flush()
            parts.append(CaptionSlot(d.photos[block.photo], block.photo + 1, linked))
        elif block.kind == "subhead":
            paragraphs.append(block.text + "\n\n", style="bold")
        elif block.kind == "quote":
            paragraphs.append("│ " + block.text + "\n\n", style="italic")
        elif block.text:
            paragraphs.append(block.text + "\n\n")
    if not any(b.text for b in d.body) and d.summary:
        paragraphs.append(d.summary + "\n\n")
    if paragraphs.plain.strip():
        paragraphs.rstrip()
        add(paragraphs, gap=gap)

    tail = _credits(stored)
    if tail:
        add(tail, gap=1)
    flush()
    return parts


def _meta(stored: StoredDispatch) -> Text:
    d = stored.dispatch
    meta = Text(style="dim")
    parts = [
        d.dateline or d.located,
        f"By {d.byline}" if d.byline else "",
        stored.source_title,
        local_time(stored.time, with_date=True),
        f"{stored.updates} update{'s' if stored.updates != 1 else ''}" if stored.updates else "",
        d.slugline,
    ]
    meta.append(" · ".join(p for p in parts if p))
    if d.embargoed_until:
        meta.append(
            f"\nEmbargoed until {local_time(d.embargoed_until, with_date=True)}", style="bold"
        )
    if d.ednote:
        meta.append(f"\nEd. note: {d.ednote}", style="italic")
    return meta


def _credits(stored: StoredDispatch) -> Text:
    d = stored.dispatch
    tail = Text()
    if d.credit_chain:
        tail.append("/".join(d.credit_chain), style="bold")
    if d.creditline and d.creditline != "/".join(d.credit_chain):
        tail.append(("\n" if tail else "") + d.creditline, style="dim")
    if d.url:
        tail.append(("\n" if tail else "") + d.url, style="underline dim")
    return tail
