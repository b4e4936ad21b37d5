"""What changed between versions of a dispatch: a line diff of the parts editors check.

Wires update a story in place (a new casualty figure, a corrected name, a new lead); the
store keeps every older version and this says, line by line, what the newer one changed.
Pure: the CLI prints it and the reader colours it.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass
from datetime import datetime

from wirereader.model import Dispatch


@dataclass(frozen=True, slots=True)
class VersionChange:
    """One step from an older version to the next: when, and the changed lines."""

    older_seen: datetime
    lines: list[str]  # "-old", "+new", or " context" / "@@" hunk headers


def dispatch_lines(d: Dispatch) -> list[str]:
    lines = [f"Headline: {d.headline}"]
    if d.pub_status.value != "usable":
        lines.append(f"Status: {d.pub_status.value}")
    for label, value in (("Urgency", d.urgency), ("Dateline", d.dateline), ("By", d.byline)):
        if value:
            lines.append(f"{label}: {value}")
    lines.extend(f"Photo: {p.caption} — {p.credit}" for p in d.photos)
    lines.extend(b.text for b in d.body if b.text)
    if d.credit_chain:
        lines.append("/".join(d.credit_chain))
    return lines


def changes(current: Dispatch, older: list[tuple[datetime, Dispatch]]) -> list[VersionChange]:
    """Each update as a diff, newest first: (older[-1] -> current), (older[-2] -> older[-1])..."""
    chain = [*older, (datetime.max, current)]
    out: list[VersionChange] = []
    for (seen, before), (_, after) in itertools.pairwise(chain):
        diff = difflib.unified_diff(dispatch_lines(before), dispatch_lines(after), lineterm="", n=1)
        lines = [line for line in diff if not line.startswith(("---", "+++"))]
        out.append(VersionChange(older_seen=seen, lines=lines))
    return list(reversed(out))
