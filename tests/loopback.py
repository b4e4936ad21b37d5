"""A real HTTP server on 127.0.0.1 for tests of fetching, the service and the TUI.

Why a real server rather than ``httpx.MockTransport``: timeouts, slow drips, stalls,
gzip framing and connection limits only show up on real sockets. It binds 127.0.0.1 on
a free port and nothing else (tests may only talk to loopback).

    with LoopbackServer() as server:
        server.route("/feed", body=b"<rss/>", etag='"v1"')
        server.redirect("/old", "/feed", status=301)
        url = server.url("/old")
        ...
        assert server.requests_for("/feed")[0].headers["if-none-match"] == '"v1"'

In a test module, ``from tests.loopback import LoopbackServer, loopback_fixture`` and
``loopback = loopback_fixture()`` give a function-scoped ``loopback`` fixture.
Routes can be changed while the server runs (e.g. a new body, a new ETag).
"""

from __future__ import annotations

import gzip as gzip_module
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

#: A custom handler gets the raw request handler (write to ``h.wfile`` yourself).
RawHandler = Callable[[BaseHTTPRequestHandler], None]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-case names
    at: float  # time.monotonic() when the request arrived
    client_port: int = 0  # the client's port: one per TCP connection


@dataclass
class Route:
    """What one path answers; see `LoopbackServer.route` for the meaning of each field."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "application/rss+xml"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    delay: float = 0.0
    drip_bps: float | None = None
    stall: bool = False
    raw: RawHandler | None = None


class LoopbackServer:
    """A threaded HTTP/1.1 server on 127.0.0.1:<free port>, with routes and a request log."""

    #: Upper bound on any stall or drip, so a forgotten test cannot hang the run.
    MAX_STALL = 60.0

    def __init__(self) -> None:
        self._routes: dict[str, Route] = {}
        self._log: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._in_flight = 0
        self._max_in_flight = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> LoopbackServer:
        handler = type("_BoundHandler", (_Handler,), {"owner": self})
        httpd = _Server(("127.0.0.1", 0), handler)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; stalled and dripping handlers notice within ~50 ms."""
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- configuration ---------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, body: bytes = b"", **options: Any) -> Route:
        """Serve ``path`` (query string ignored when matching).

        Options: ``status`` (200), ``content_type`` ("application/rss+xml"; None = none),
        ``headers`` (extra response headers), ``etag`` / ``last_modified`` (sent, and a
        matching If-None-Match / If-Modified-Since gets a 304), ``gzip`` (compress the
        body, Content-Encoding: gzip; pass pre-compressed bytes with
        ``headers={"Content-Encoding": "gzip"}`` instead for bombs), ``delay`` (seconds
        before the status line), ``drip_bps`` (body at that many bytes per second),
        ``stall`` (send nothing, ever), ``raw`` (a callable that writes the whole
        response itself, for malformed HTTP).
        """
        route = Route(body=body, **options)
        with self._lock:
            self._routes[path] = route
        return route

    def redirect(self, path: str, location: str, status: int = 302) -> Route:
        """``path`` answers ``status`` with ``Location: location`` (verbatim)."""
        return self.route(path, status=status, content_type=None, headers={"Location": location})

    def redirect_chain(self, paths: list[str], target: str, status: int | list[int] = 302) -> None:
        """paths[0] -> paths[1] -> ... -> target, each hop with its own status if a list."""
        codes = status if isinstance(status, list) else [status] * len(paths)
        for path, nxt, code in zip(paths, [*paths[1:], target], codes, strict=True):
            self.redirect(path, nxt, code)

    # -- observation ---------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._log)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if urlsplit(r.path).path == path]

    @property
    def max_in_flight(self) -> int:
        """Most requests being answered at the same time since start or `reset`."""
        with self._lock:
            return self._max_in_flight

    def reset(self) -> None:
        """Forget the request log and the in-flight high-water mark (routes stay)."""
        with self._lock:
            self._log.clear()
            self._max_in_flight = self._in_flight

    # -- used by the handler -------------------------------------------------------------
    def _enter(self, request: RecordedRequest) -> Route | None:
        with self._lock:
            self._log.append(request)
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            return self._routes.get(urlsplit(request.path).path)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops first; False means stop now."""
        return not self._stop.wait(min(seconds, self.MAX_STALL))


def _not_modified(route: Route, headers: dict[str, str]) -> bool:
    inm = headers.get("if-none-match")
    if route.etag is not None and inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or route.etag.removeprefix("W/") in tags
    ims = headers.get("if-modified-since")
    if route.last_modified is not None and ims is not None:
        try:
            return parsedate_to_datetime(route.last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, caps) are expected here; other errors print."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    owner: LoopbackServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean; the request log is on the server

    def do_GET(self) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        record = RecordedRequest(
            self.command, self.path, headers, time.monotonic(), self.client_address[1]
        )
        route = self.owner._enter(record)
        try:
            self._answer(route, headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            self.owner._leave()

    do_HEAD = do_GET

    def _answer(self, route: Route | None, headers: dict[str, str]) -> None:
        owner = self.owner
        if route is None:
            route = Route(body=b"no such route\n", status=404, content_type="text/plain")
        if route.delay and not owner._sleep(route.delay):
            return
        if route.stall:
            self.close_connection = True
            owner._sleep(owner.MAX_STALL)
            return
        if route.raw is not None:
            self.close_connection = True
            route.raw(self)
            return
        status, body = route.status, route.body
        extra = dict(route.headers)
        if route.gzip:
            body = gzip_module.compress(body)
            extra["Content-Encoding"] = "gzip"
        if _not_modified(route, headers):
            status, body = 304, b""
        self.send_response(status)
        if route.content_type and status != 304:
            self.send_header("Content-Type", route.content_type)
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)
        for name, value in extra.items():
            self.send_header(name, value)
        if status != 304 and "content-length" not in {k.lower() for k in extra}:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD" or not body:
            return
        if route.drip_bps is None:
            self.wfile.write(body)
            return
        self.close_connection = True
        for i in range(len(body)):
            self.wfile.write(body[i : i + 1])
            self.wfile.flush()
            if not owner._sleep(1.0 / route.drip_bps):
                return


def loopback_fixture(name: str = "loopback") -> Any:
    """A function-scoped fixture yielding a started `LoopbackServer`.

    Use it as ``loopback = loopback_fixture()`` at module level (importing a fixture by
    name trips linters; a factory does not).
    """

    @pytest.fixture(name=name)
    def _fixture() -> Iterator[LoopbackServer]:
        with LoopbackServer() as server:
            yield server

    return _fixture
