"""A name that leads to a private address is as private as the address (README, Safety).

Pages and pictures a feed points at are fetched on the strength of a stranger's links.
Checking the URL stopped ``http://127.0.0.1/`` but not a name resolving there. These
tests need such a name: looking one up in DNS would leave 127.0.0.1, so the resolver
answers for ``*.rebind.test`` as a hostile DNS server would (127.0.0.1, where the
loopback server listens) and for nothing else. Without the address check each of these
requests reaches the server.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from tests.loopback import LoopbackServer
from tests.test_fulltext import page, summary_feed
from wirereader.fetch import Fetcher, FetchLimits
from wirereader.model import Photo
from wirereader.service import Reader
from wirereader.service.fulltext import allowed_address
from wirereader.service.photos import cached_photo


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode("idna") if isinstance(host, bytes) else host  # anyio passes bytes
        if isinstance(name, str) and name.endswith(".rebind.test"):
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.fixture
def server() -> LoopbackServer:
    with LoopbackServer() as s:
        yield s


def test_the_address_rule() -> None:
    feed = "https://wire.example/feed"
    assert allowed_address("https://cdn.example/p.jpg", "93.184.216.34", feed)
    for private in ("127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "::ffff:127.0.0.1"):
        assert not allowed_address("https://cdn.example/p.jpg", private, feed)
    # A feed on the intranet links its own pages and pictures, wherever they resolve.
    assert allowed_address("http://wire.intranet/p.jpg", "10.1.2.3", "http://wire.intranet/rss")
    assert not allowed_address("https://cdn.example/p.jpg", "not an address", feed)


async def test_a_picture_on_a_name_that_resolves_to_loopback_gets_no_request(
    rebinding: None, server: LoopbackServer, tmp_path: Path
) -> None:
    server.route("/p/1", body=b"\x89PNG\r\n\x1a\n", content_type="image/png")
    url = server.url("/p/1").replace("127.0.0.1", "cdn.rebind.test")
    got = await cached_photo(
        Photo(url=url), source_url="https://wire.example/feed", cache_dir=tmp_path
    )
    assert got is None
    assert server.requests == []


async def test_the_fetcher_reports_the_refusal(rebinding: None, server: LoopbackServer) -> None:
    server.route("/inside", body=b"secret")
    url = server.url("/inside").replace("127.0.0.1", "intranet.rebind.test")
    async with Fetcher(FetchLimits(total_timeout=5), trust_env=False) as fetcher:
        refused = await fetcher.fetch(
            url, allow_address=lambda u, a: allowed_address(u, a, "https://wire.example/f")
        )
        assert (
            refused.error == "intranet.rebind.test is on a private address (127.0.0.1): not fetched"
        )
        assert server.requests == [] and not refused.unreachable
        # A feed the user subscribed to may live anywhere: no rule, no check.
        fetched = await fetcher.fetch(url)
        assert fetched.ok and fetched.body == b"secret"


def test_full_text_pages_behind_a_name_that_resolves_to_loopback_are_not_fetched(
    rebinding: None, server: LoopbackServer, tmp_path: Path
) -> None:
    base = server.url("").rstrip("/")
    # The feed lives on 127.0.0.1; its links point at another host whose name resolves
    # there, which makes it a private address of another host than the feed's.
    server.route("/feed", body=summary_feed(base.replace("127.0.0.1", "pages.rebind.test")))
    for n in (1, 2):
        server.route(f"/page/{n}", body=page(n), content_type="text/html; charset=utf-8")
    (tmp_path / "config.toml").write_text(
        f'[[feeds]]\nurl = "{server.url("/feed")}"\nfull_text = true\n'
    )
    with Reader(tmp_path / "c.db", tmp_path / "config.toml") as reader:
        summary = reader.refresh_sync()
    assert summary.new == 3
    assert server.requests_for("/page/1") == [] and server.requests_for("/page/2") == []


async def test_a_name_that_changes_its_answer_between_check_and_connect_is_refused(
    monkeypatch: pytest.MonkeyPatch, server: LoopbackServer
) -> None:
    """DNS rebinding: the name passes the check with one answer, and with a zero TTL
    gives another when the connection is made. httpx resolved the name again itself, so
    the request reached the second address. The connection now goes only to addresses
    that passed the rule, looked up when it is made.

    Here the rule lets 127.0.0.2 through (standing in for a public address) and refuses
    127.0.0.1, where the server listens; nothing ever connects to 127.0.0.2."""
    real = socket.getaddrinfo
    answers: list[str] = []

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode("idna") if isinstance(host, bytes) else host  # anyio passes bytes
        if name == "flip.rebind.test":
            answers.append("127.0.0.2" if not answers else "127.0.0.1")
            return real(answers[-1], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    server.route("/inside", body=b"secret")
    url = server.url("/inside").replace("127.0.0.1", "flip.rebind.test")
    asked: list[str] = []

    def rule(target: str, address: str) -> bool:
        asked.append(address)
        return address == "127.0.0.2"

    async with Fetcher(FetchLimits(total_timeout=5), trust_env=False) as fetcher:
        result = await fetcher.fetch(url, allow_address=rule)
    assert server.requests == []
    assert result.error == "flip.rebind.test is on a private address (127.0.0.1): not fetched"
    assert answers == ["127.0.0.2", "127.0.0.1"] and asked == ["127.0.0.2", "127.0.0.1"]


async def test_connections_go_to_the_vetted_address_itself(
    rebinding: None, server: LoopbackServer
) -> None:
    """With a rule, the connection is made to the address that passed, not to the name
    (a name resolved twice may answer twice differently): the server sees the request,
    with the name, as sent."""
    server.route("/page", body=b"fine")
    url = server.url("/page").replace("127.0.0.1", "ok.rebind.test")
    async with Fetcher(FetchLimits(total_timeout=5), trust_env=False) as fetcher:
        result = await fetcher.fetch(url, allow_address=lambda u, a: a == "127.0.0.1")
    assert result.ok and result.body == b"fine"
    (request,) = server.requests
    assert request.headers["host"].startswith("ok.rebind.test:")
