"""Full text at refresh time, against article pages served on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.loopback import LoopbackServer
from wirereader.service import Reader
from wirereader.service.fulltext import allowed_page


def summary_feed(base: str) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{base}/page/{n}</link><guid>s{n}</guid>"
        f"<pubDate>Tue, 19 Dec 2023 1{n}:00:00 GMT</pubDate>"
        f"<description>Short summary {n}.</description></item>"
        for n in (1, 2)
    )
    # A link a hostile feed might use to probe the private network: never fetched.
    items += (
        "<item><title>Probe</title><link>http://10.0.0.1/admin</link><guid>p</guid>"
        "<description>x</description></item>"
    )
    return f'<rss version="2.0"><channel><title>Summaries</title>{items}</channel></rss>'.encode()


def page(n: int) -> bytes:
    return (
        f"<html><head><meta property='og:title' content='Story {n}'></head><body><article>"
        f"<h1>Story {n}</h1><p>HANOI (VNA) – The whole text of story {n}, first paragraph.</p>"
        f"<p>Second paragraph of story {n}.</p><figure><img src='/img/{n}.jpg'>"
        f"<figcaption>Caption {n}. Photo: VNA</figcaption></figure></article></body></html>"
    ).encode()


@pytest.fixture
def server() -> LoopbackServer:
    with LoopbackServer() as s:
        s.route("/feed", body=summary_feed(s.url("").rstrip("/")))
        for n in (1, 2):
            s.route(f"/page/{n}", body=page(n), content_type="text/html; charset=utf-8")
        yield s


def test_full_text_source_fetches_pages_once(server: LoopbackServer, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        f'[[feeds]]\nurl = "{server.url("/feed")}"\nfull_text = true\n'
    )
    with Reader(tmp_path / "c.db", tmp_path / "config.toml") as reader:
        first = reader.refresh_sync()
        assert first.new == 3 and first.pages == 2
        story = next(h for h in reader.headlines() if h.headline == "Story 1")
        stored = reader.get(story.id)
        assert stored is not None
        texts = [b.text for b in stored.dispatch.body if b.text]
        assert "Second paragraph of story 1." in texts
        assert stored.dispatch.photos[0].credit == "VNA"
        assert stored.dispatch.dateline == "HANOI (VNA)"

        second = reader.refresh_sync()
        assert second.pages == 0 and second.updated == 0 and second.unchanged == 3
        assert len(server.requests_for("/page/1")) == 1


def test_refresh_full_text_once_from_the_command_line(
    server: LoopbackServer, tmp_path: Path
) -> None:
    with Reader(tmp_path / "c.db", tmp_path / "config.toml") as reader:
        reader.add([server.url("/feed")])
        plain = reader.refresh_sync()
        assert plain.pages == 0
        once = reader.refresh_sync(full_text=True)
        assert once.pages == 2 and once.updated == 2


def test_private_addresses_are_not_auto_fetched() -> None:
    feed = "https://wire.example/rss"
    assert not allowed_page("http://10.0.0.1/admin", feed)
    assert not allowed_page("http://127.0.0.1:8080/", feed)
    assert not allowed_page("http://169.254.169.254/latest", feed)
    assert not allowed_page("http://localhost/", feed)
    assert not allowed_page("http://[::1]/", feed)
    assert allowed_page("https://wire.example/story", feed)
    assert allowed_page("http://127.0.0.1:9/a", "http://127.0.0.1:9/feed")  # the feed's own host
    assert allowed_page("https://news.example.org/a", feed)


def test_a_page_that_redirects_to_a_private_address_is_not_followed(tmp_path: Path) -> None:
    with LoopbackServer() as s:
        base = s.url("").rstrip("/")
        port = base.rsplit(":", 1)[1]
        # "localhost" is another host than the feed's 127.0.0.1, and a private one.
        s.redirect("/page/1", f"http://localhost:{port}/inside", status=302)
        s.route("/inside", body=page(1), content_type="text/html")
        s.route("/feed", body=summary_feed(base))
        (tmp_path / "config.toml").write_text(
            f'[[feeds]]\nurl = "{s.url("/feed")}"\nfull_text = true\n'
        )
        with Reader(tmp_path / "c.db", tmp_path / "config.toml") as reader:
            summary = reader.refresh_sync()
        assert s.requests_for("/inside") == []
        assert summary.new == 3
