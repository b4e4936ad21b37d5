"""Parsing in worker processes with hard limits on time and memory (EXPECTATIONS G3(e)).

feedparser has super-linear paths (50,000 attributes on one element took 35 s; runs of
``<!--`` are quadratic), so a hostile feed must cost that feed, never the refresh or the
app. Each document goes to a worker process started through the ``forkserver`` context
(never a plain fork of the threaded asyncio app), running under ``RLIMIT_AS`` (1 GiB
by default) and a wall-clock deadline per document (20 s): a worker past its deadline is
killed and replaced, a `MemoryError` answers "feed too large to parse". Two workers per
two cores also let a refresh parse on every core, which threads cannot (the GIL).

Small documents (< 64 KiB) skip the round trip when the lxml fast path takes them: it is
linear in the input and bounded by libxml2's own limits. Whatever it declines goes to a
worker, where feedparser may run.

The answer is a `PreparedFeed`: the dispatches already encoded as the store's rows
(`store.rows`), so the encoding runs on every core too and the answer pickles cheaply.

    async with ParsePool() as pool:
        feed = await pool.parse(body, url, content_type)   # FormatError on any failure
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from wirereader.model import FormatError, ParseResult
from wirereader.sanitize import clean_message
from wirereader.store.rows import Row, prepare_all

DEADLINE = 20.0
MEMORY_LIMIT = 1 << 30
#: Below this, a document the fast path accepts is parsed in a thread of this process.
INLINE_BELOW = 64 * 1024
TOO_LARGE = "feed too large to parse"
_PRELOAD = [
    "wirereader.formats.feed",
    "wirereader.formats.fastfeed",
    "wirereader.store.rows",
    "feedparser",
]


@dataclass(frozen=True, slots=True)
class PreparedFeed:
    """A parsed document as the store will write it (`ParseResult` with rows)."""

    format: str
    title: str = ""
    warnings: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    #: Items not parsed because the last fetch held them unchanged (`ParseResult.unchanged`).
    unchanged: int = 0
    #: `formats.known` JSON of this document, for the next fetch; None: nothing to keep.
    seen_items: str | None = None


def prepare_feed(result: ParseResult) -> PreparedFeed:
    seen_items = None
    if result.seen is not None:
        from wirereader.formats.known import to_json

        seen_items = to_json(result.seen)
    return PreparedFeed(
        format=result.format,
        title=result.title,
        warnings=tuple(result.warnings),
        rows=prepare_all(result.dispatches),
        unchanged=len(result.unchanged),
        seen_items=seen_items,
    )


#: ``(data, url, content_type, last)``: ``last`` is the `PreparedFeed.seen_items` of the
#: previous fetch, "" to start remembering, None not to.
ParseFunction = Callable[[bytes, str, "str | None", "str | None"], PreparedFeed]


def _parse(data: bytes, url: str, content_type: str | None, last: str | None) -> ParseResult:
    from wirereader.formats import known, parse

    return parse(
        data,
        url=url,
        content_type=content_type,
        remember=last is not None,
        last=known.from_json(last),
    )


def parse_document(
    data: bytes, url: str, content_type: str | None, last: str | None = None
) -> PreparedFeed:
    """What a worker runs: `wirereader.formats.parse`, feedparser fallback allowed."""
    return prepare_feed(_parse(data, url, content_type, last))


def _fast_only(
    data: bytes, url: str, content_type: str | None, last: str | None
) -> PreparedFeed | None:
    """Parse here if no feedparser is needed; None when the document needs a worker."""
    from wirereader.formats import fastfeed, sniff

    if sniff(data, content_type) != "feed":  # JSON, ninjs, NewsML-G2...: to a worker
        return None
    token = fastfeed.FEEDPARSER_ALLOWED.set(False)
    try:
        return prepare_feed(_parse(data, url, content_type, last))
    except fastfeed.UseFallback:
        return None
    finally:
        fastfeed.FEEDPARSER_ALLOWED.reset(token)


def _fileno(stream: object) -> int:
    """A stream's file descriptor, -1 when it has none (Textual's print capture says -1)."""
    try:
        fileno = stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return -1
    return fileno if isinstance(fileno, int) else -1


def start_fork_server() -> None:
    """Start multiprocessing's fork server and its resource tracker, from this thread.

    The resource tracker is spawned keeping ``sys.stderr.fileno()`` open. In the reader,
    Textual has replaced ``sys.stderr`` with a capture whose fileno() is -1, and the spawn
    failed with "bad value(s) in fds_to_keep": every feed that needed a worker (all of
    64 KiB and more) failed to parse in the reader, while ``wirereader refresh`` worked.
    For the spawn, ``sys.stderr`` is the process's own (or /dev/null). Call it from the
    thread that runs the event loop: nothing else swaps sys.stderr there meanwhile.
    """
    from multiprocessing import forkserver

    captured = sys.stderr
    if _fileno(captured) >= 0:
        forkserver.ensure_running()
        return
    own = sys.__stderr__ if _fileno(sys.__stderr__) >= 0 else None
    stand_in = own or open(os.devnull, "w")  # noqa: SIM115 - closed below
    sys.stderr = stand_in
    try:
        forkserver.ensure_running()
    finally:
        sys.stderr = captured
        if own is None:
            stand_in.close()


def _worker(
    conn: Connection, memory_limit: int, function: ParseFunction, quiet: bool = False
) -> None:
    """A worker's loop: one ``(data, url, content_type, last)`` in, one ``(ok, value)`` out.

    ``quiet``: the parent draws on the terminal (the reader), so anything a library would
    print here (a warning) goes to /dev/null instead of through the picture.
    """
    import resource

    if quiet:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    if memory_limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        answer: tuple[bool, Any]
        try:
            answer = (True, function(*job))
        except MemoryError:
            answer = (False, TOO_LARGE)
        except FormatError as exc:
            answer = (False, str(exc))
        except RecursionError:
            answer = (False, "feed nested too deeply to parse")
        except Exception as exc:  # a parser bug costs one feed
            answer = (False, f"could not parse: {type(exc).__name__}: {exc}")
        del job
        try:
            conn.send(answer)
        except MemoryError:
            conn.send((False, TOO_LARGE))
        except Exception as exc:  # an unpicklable result, say
            conn.send((False, f"could not parse: {type(exc).__name__}: {exc}"))


@dataclass
class _Worker:
    process: Any
    conn: Connection


class ParsePool:
    """Worker processes that parse documents under limits; an async context manager."""

    def __init__(
        self,
        workers: int | None = None,
        *,
        deadline: float | None = None,
        memory_limit: int | None = None,
        inline_below: int = INLINE_BELOW,
        function: ParseFunction = parse_document,
    ) -> None:
        self.size = max(1, workers or os.cpu_count() or 1)
        self.deadline = DEADLINE if deadline is None else deadline
        self.memory_limit = MEMORY_LIMIT if memory_limit is None else memory_limit
        self.inline_below = inline_below
        self.function = function
        self._context = multiprocessing.get_context("forkserver")
        # Imported once in the fork server, so a new worker starts in milliseconds.
        self._context.set_forkserver_preload(["wirereader.service.parsepool", *_PRELOAD])
        self._idle: asyncio.Queue[_Worker | None] | None = None
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False
        self._quiet = False
        self._server_started = False
        #: Counters for tests and reports: inline, worker, timeouts, replaced.
        self.stats = {"inline": 0, "worker": 0, "timeouts": 0, "replaced": 0}

    # -- lifecycle ----------------------------------------------------------------------
    async def __aenter__(self) -> ParsePool:
        #: Workers keep quiet when this process draws on the terminal (its stderr is
        #: Textual's capture); see `start_fork_server` for why that matters at all.
        self._quiet = _fileno(sys.stderr) < 0
        self._idle = asyncio.Queue()
        for _ in range(self.size):  # started on demand, see `_checkout`
            self._idle.put_nowait(None)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closed = True
        await asyncio.to_thread(self._shutdown)

    def _shutdown(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), []
        for worker in workers:
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        for worker in workers:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=2)
            worker.conn.close()

    def _start(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_worker,
            args=(theirs, self.memory_limit, self.function, self._quiet),
            name="wirereader-parse",
            daemon=True,
        )
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        with self._lock:
            self._all.append(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker (past its deadline or broken); the slot starts a new one on demand."""
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        self.stats["replaced"] += 1

    # -- parsing ------------------------------------------------------------------------
    async def parse(
        self, data: bytes, url: str, content_type: str | None, last: str | None = None
    ) -> PreparedFeed:
        """Parse one document; `FormatError` with a message for users on any failure.

        ``last``: what the previous fetch of this URL left in `PreparedFeed.seen_items`
        ("" for nothing yet), so unchanged items are not parsed again; None: no memory.
        """
        if self._idle is None or self._closed:
            raise RuntimeError("ParsePool used outside `async with`")
        if len(data) < self.inline_below and self.function is parse_document:
            try:
                inline = await asyncio.to_thread(_fast_only, data, url, content_type, last)
            except FormatError:
                raise
            except Exception:  # anything odd: let a worker try, under its limits
                inline = None
            if inline is not None:
                self.stats["inline"] += 1
                return inline
        worker = await self._idle.get()
        if not self._server_started:
            start_fork_server()  # here, in the event loop's thread: see its docstring
            self._server_started = True
        try:
            worker, answer = await asyncio.to_thread(
                self._exchange, worker, (data, url, content_type, last)
            )
        finally:
            self._idle.put_nowait(worker)
        ok, value = answer
        if ok and isinstance(value, PreparedFeed):
            self.stats["worker"] += 1
            return value
        raise FormatError(clean_message(value))

    def _exchange(
        self, worker: _Worker | None, job: tuple[bytes, str, str | None, str | None]
    ) -> tuple[_Worker | None, tuple[bool, Any]]:
        """Send one job and wait for its answer (in a thread); the worker to put back."""
        if worker is None or not worker.process.is_alive():
            if worker is not None:
                self._discard(worker)
            worker = self._start()
        try:
            worker.conn.send(job)
            if not worker.conn.poll(self.deadline):
                self.stats["timeouts"] += 1
                self._discard(worker)
                seconds = f"{self.deadline:g}"
                return None, (False, f"parsing took longer than {seconds} s — skipped")
            answer = worker.conn.recv()
        except (EOFError, OSError):
            self._discard(worker)
            code = worker.process.exitcode
            if code is None or code < 0 or code == 1:  # killed or aborted: out of memory
                return None, (False, TOO_LARGE)
            return None, (False, f"parser process failed (exit code {code})")
        return worker, answer
