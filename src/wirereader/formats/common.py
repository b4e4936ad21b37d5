"""Helpers every parser shares: dates, datelines, headline signals, fallback ids.

Kept pure and format-agnostic so RSS, ninjs, NewsML-G2, the dispatch text and article
pages read a dateline or an urgency marker the same way.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from wirereader.model import URGENCY_BULLETIN, URGENCY_FLASH, URGENCY_URGENT
from wirereader.sanitize import MAX_LINE, clean_line

#: Dates further in the future than this are clamped to "now" (EXPECTATIONS D01): a feed
#: must not pin an item to the top of the list forever.
FUTURE_SKEW = timedelta(hours=2)
_EARLIEST = datetime(1970, 1, 2, tzinfo=UTC)

#: Items past this are dropped (EXPECTATIONS G3(c)).
MAX_ITEMS = 1000

_ISO = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9})\d*)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$",
    re.IGNORECASE,
)


def parse_date(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """Read an ISO 8601 or RFC 822 date; None when absent or absurd. Never raises."""
    if not value or len(value) > 100:
        return None
    value = value.strip()
    parsed: datetime | None = None
    m = _ISO.match(value)
    try:
        if m:
            y, mo, d, hh, mm, ss, frac, tz = m.groups()
            micro = int((frac or "0").ljust(6, "0")[:6])
            parsed = datetime(
                int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), micro
            )
            if tz and tz.upper() != "Z":
                sign = 1 if tz[0] == "+" else -1
                digits = tz[1:].replace(":", "")
                offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
                if offset > timedelta(hours=14):
                    return None
                parsed = (parsed - sign * offset).replace(tzinfo=UTC)
            else:
                parsed = parsed.replace(tzinfo=UTC)
        else:
            parsed = parsedate_to_datetime(value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            if parsed.utcoffset() is not None and abs(parsed.utcoffset()) > timedelta(hours=14):  # type: ignore[arg-type]
                return None
            parsed = parsed.astimezone(UTC)
    except (ValueError, TypeError, OverflowError, IndexError):
        return None
    return clamp_date(parsed, now=now)


def clamp_date(value: datetime | None, *, now: datetime | None = None) -> datetime | None:
    """Drop dates before 1970 and bring far-future dates back to now."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if value < _EARLIEST:
        return None
    now = now or datetime.now(UTC)
    return now if value > now + FUTURE_SKEW else value


def from_struct_time(
    value: Sequence[int] | None, *, now: datetime | None = None
) -> datetime | None:
    """feedparser's ``*_parsed`` tuples (UTC) to a datetime, tolerating its year-0 dates."""
    if value is None:
        return None
    try:
        y, mo, d, hh, mm, ss = (int(v) for v in tuple(value)[:6])
        parsed = datetime(y, mo, d, hh, mm, ss, tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return clamp_date(parsed, now=now)


# Datelines the wires use: "MINSK, Dec 19 (Xinhua) --", "Hanoi (VNA) –",
# "GROSSETO, Italy (AP) --", "London (dpa) -", "PARIS, 3 mars (AFP) -".
_DATELINE = re.compile(
    r"^(?P<dateline>[A-ZÀ-ÝĐ][\w.'’À-ÿĐđ\- ]{1,40}(?:,[\w.'’À-ÿĐđ\- ]{1,40}){0,2}"
    r"\s*\((?P<agency>[\w\-/ ]{2,20})\))\s*(?:--|[-–—])\s*",
    re.UNICODE,
)


def split_dateline(paragraph: str) -> tuple[str, str]:
    """Split a leading wire dateline off the first paragraph: ``(dateline, rest)``."""
    m = _DATELINE.match(paragraph)
    if not m or not m.end() < len(paragraph):
        return "", paragraph
    return m.group("dateline").strip(), paragraph[m.end() :]


_MARKERS: list[tuple[re.Pattern[str], str, int | None]] = [
    (re.compile(r"^\s*\(?(FLASH)\)?\s*[:\-–—]?\s*", re.I), "flash", URGENCY_FLASH),
    (re.compile(r"^\s*\(?(BULLETIN)\)?\s*[:\-–—]?\s*", re.I), "bulletin", URGENCY_BULLETIN),
    (
        re.compile(
            r"^\s*\(?(URGENT|BREAKING(?: NEWS)?|ALERTE|ALERT|EIL|KHẨN)\)?\s*[:\-–—]\s*", re.I
        ),
        "urgent",
        URGENCY_URGENT,
    ),
    (
        re.compile(r"^\s*\(?(UPDATE\s*\d*|UPDATED|MISE À JOUR)\)?\s*[:\-–—]?\s*(?=\S)", re.I),
        "update",
        None,
    ),
    (
        re.compile(r"^\s*\(?(CORRECTED|CORRECTION|CORRECTS?)\)?\s*[:\-–—]?\s*(?=\S)", re.I),
        "correction",
        None,
    ),
    (re.compile(r"^\s*\(?(REFILE)\)?\s*[:\-–—]?\s*(?=\S)", re.I), "refile", None),
]


def headline_signals(headline: str) -> tuple[int | None, tuple[str, ...]]:
    """Urgency and signals from markers at the head of a headline ("URGENT: ...", "UPDATE 2-").

    The headline itself is left as the agency wrote it: the marker is part of the copy.
    """
    urgency: int | None = None
    signals: list[str] = []
    rest = headline
    for _ in range(3):
        for pattern, signal, level in _MARKERS:
            m = pattern.match(rest)
            if m and m.group(1).isupper():
                if level is not None and (urgency is None or level < urgency):
                    urgency = level
                if signal not in signals:
                    signals.append(signal)
                rest = rest[m.end() :]
                break
        else:
            break
    return urgency, tuple(signals)


def fallback_guid(*parts: str | None) -> str:
    """A stable id for an item that has none, from what it does have (EXPECTATIONS I04)."""
    digest = hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8", "replace"))
    return "sha256:" + digest.hexdigest()[:32]


def clean_guid(value: str | None) -> str:
    """A guid fit for a key: sanitized, and hashed when absurdly long (EXPECTATIONS I05)."""
    if not value:
        return ""
    guid = clean_line(value, MAX_LINE * 4)
    if len(guid) > 1024:
        return fallback_guid(guid)
    return guid


_CREDIT_CHAIN = re.compile(r"^[A-Z][\w\-.&]{1,20}(?:\s*/\s*[A-Z][\w\-.&]{1,20}){1,6}$", re.UNICODE)


def credit_chain(line: str) -> tuple[str, ...] | None:
    """``Xinhua/VNA/CVN`` -> ("Xinhua", "VNA", "CVN"); None when the line is not one."""
    line = line.strip()
    if not _CREDIT_CHAIN.match(line):
        return None
    return tuple(part.strip() for part in line.split("/"))
