"""Polite fetching: when a source that failed may be fetched again.

A server that asks us to wait (429, 503 with Retry-After) is obeyed; repeated failures
back off exponentially, from the second in a row so one glitch costs nothing; a feed no
server answered for backs off only when the refresh shows the network works. The refresh
(`refresh.py`) applies these; `Reader.refresh_targets` skips sources until their time.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wirereader.service.refresh import FeedTarget

#: Polite fetching (EXPECTATIONS.md B: 429, 5xx, retry-after-storm, 410). A server's
#: Retry-After is clamped to [MIN_BACKOFF, MAX_RETRY_AFTER]; repeated failures back off
#: exponentially from MIN_BACKOFF up to MAX_BACKOFF, with up to 10 % jitter so many
#: readers do not come back at the same second.
MIN_BACKOFF = 60.0
MAX_BACKOFF = 6 * 3600.0
MAX_RETRY_AFTER = 24 * 3600.0


def backoff_delay(
    status: int | None,
    retry_after: float | None,
    failures: int,
    *,
    jitter: Callable[[], float] = random.random,
) -> float | None:
    """Seconds to wait before fetching a source again after an HTTP error, or None.

    ``failures`` is how many fetches had already failed in a row before this one. A 429,
    or a 503 with Retry-After, is honoured at once (garbage Retry-After = the default
    back-off); any other 4xx/5xx backs off from its second failure in a row, so one
    glitch costs nothing. Network errors are not HTTP answers: whether they back off is
    decided when the whole refresh is known (`back_off_unreachable`).
    """
    if status is None or status < 400:
        return None
    if status in (429, 503) and retry_after is not None:
        return min(max(retry_after, MIN_BACKOFF), MAX_RETRY_AFTER)
    if status != 429:
        return repeated_failure_delay(failures, jitter=jitter)
    return _exponential(failures, jitter)


def repeated_failure_delay(
    failures: int, *, jitter: Callable[[], float] = random.random
) -> float | None:
    """The back-off of a failure that is not the first in a row (one glitch costs nothing)."""
    return None if failures < 1 else _exponential(failures - 1, jitter)


def _exponential(failures: int, jitter: Callable[[], float]) -> float:
    delay = MIN_BACKOFF * 2.0 ** min(failures, 30)
    return min(delay * (1.0 + 0.1 * jitter()), MAX_BACKOFF)


def back_off_unreachable(
    targets: Sequence[FeedTarget], now: datetime
) -> list[tuple[int, datetime, str]]:
    """Feeds no server answered for, in a refresh where others did: their own fault.

    Per feed, a dead server and the reader's own network being down look the same, so
    the verdict waits for the whole refresh: when every feed failed that way the reader
    is offline and nothing backs off; when some answered, the unreachable ones back off
    like repeated HTTP errors (from the second failure in a row). Returns
    ``(source id, next attempt, note for its error)``.
    """
    deferred = []
    for target in targets:
        delay = repeated_failure_delay(target.error_count)
        if delay is not None:
            deferred.append(
                (
                    target.source_id,
                    now + timedelta(seconds=delay),
                    next_try(delay),
                )
            )
    return deferred


def next_try(delay: float) -> str:
    """What a failing source's error says of its back-off (appended to the error)."""
    return f"; next try in {duration(delay)}"


def duration(seconds: float) -> str:
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    hours = seconds / 3600
    return f"{hours:.0f} h" if hours >= 10 or hours == int(hours) else f"{hours:.1f} h"
