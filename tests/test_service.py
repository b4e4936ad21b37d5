"""The service layer end to end: subscribe, refresh against a real loopback server, import.

Real parts only: a real HTTP server on 127.0.0.1 (tests/loopback.py), real SQLite files.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tests.loopback import LoopbackServer
from wirereader.model import Related
from wirereader.service import Reader

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Test Wire</title><link>http://127.0.0.1/</link>
{items}
</channel></rss>"""

ITEM = """<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>
<pubDate>{date}</pubDate><description>{body}</description>
<media:content url="http://127.0.0.1/p/{guid}.jpg" medium="image">
<media:description>Caption for {guid}</media:description><media:credit>AFP/VNA</media:credit>
</media:content></item>"""


def feed(*items: tuple[str, str], base: str = "http://127.0.0.1") -> bytes:
    body = "".join(
        ITEM.format(
            title=title,
            link=f"{base}/story/{guid}",
            guid=guid,
            date=f"Sat, 28 Nov 2026 0{i % 6}:00:00 GMT",
            body=f"HANOI (VNA) -- Body of {title}.",
        )
        for i, (guid, title) in enumerate(items)
    )
    return RSS.format(items=body).encode()


@pytest.fixture
def server() -> LoopbackServer:
    with LoopbackServer() as s:
        yield s


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    with Reader(tmp_path / "cache.db", tmp_path / "config.toml") as r:
        yield r


def test_add_persists_subscriptions_in_config(reader: Reader, tmp_path: Path) -> None:
    added, rejected = reader.add(["https://example.org/rss", "javascript:alert(1)", "-x"])
    assert added == ["https://example.org/rss"]
    assert len(rejected) == 2
    again = Reader(tmp_path / "cache.db", tmp_path / "config.toml")
    assert [f.url for f in again.subscriptions()] == ["https://example.org/rss"]
    assert again.add(["https://example.org/rss"]) == ([], [])
    again.close()


def test_refresh_caches_then_sends_validators_and_counts_304(
    reader: Reader, server: LoopbackServer
) -> None:
    server.route(
        "/a",
        body=feed(("a1", "First"), ("a2", "Second")),
        etag='"v1"',
        last_modified="Sat, 28 Nov 2026 05:00:00 GMT",
    )
    reader.add([server.url("/a")])

    first = reader.refresh_sync()
    assert (first.new, first.failed, first.not_modified) == (2, 0, 0)
    rows = reader.headlines()
    assert {h.headline for h in rows} == {"First", "Second"}

    second = reader.refresh_sync()
    assert second.not_modified == 1 and second.new == 0
    conditional = server.requests_for("/a")[-1].headers
    assert conditional["if-none-match"] == '"v1"'
    assert conditional["if-modified-since"] == "Sat, 28 Nov 2026 05:00:00 GMT"
    assert reader.count() == 2


def test_refresh_counts_updates_and_keeps_versions(reader: Reader, server: LoopbackServer) -> None:
    server.route("/a", body=feed(("a1", "First")), etag='"v1"')
    reader.add([server.url("/a")])
    reader.refresh_sync()
    server.route("/a", body=feed(("a1", "First, updated"), ("a2", "New one")), etag='"v2"')
    summary = reader.refresh_sync()
    assert (summary.new, summary.updated) == (1, 1)
    updated = next(h for h in reader.headlines() if h.headline == "First, updated")
    assert updated.updates == 1
    assert [d.headline for _, d in reader.versions(updated.id)] == ["First"]


def test_a_failing_feed_is_reported_and_the_others_carry_on(
    reader: Reader, server: LoopbackServer
) -> None:
    server.route("/good", body=feed(("g1", "Good")))
    server.route("/broken", body=feed(("b1", "Cached before the failure")))
    reader.add([server.url("/good"), server.url("/broken"), server.url("/missing")])
    reader.refresh_sync()
    assert reader.count() == 2

    server.route("/broken", body=b"<html><body>maintenance</body></html>", content_type="text/html")
    server.route("/good", body=feed(("g1", "Good"), ("g2", "Good too")))
    summary = reader.refresh_sync()
    assert summary.failed == 2  # /missing (404) and /broken (not a feed)
    errors = dict(summary.failures)
    assert "404" in errors[server.url("/missing")]
    assert "not a feed" in errors[server.url("/broken")]
    assert summary.new == 1
    # Nothing cached is lost, and each failing source shows its reason.
    assert reader.count() == 3
    by_url = {s.url: s for s in reader.sources()}
    assert by_url[server.url("/broken")].cached == 1
    assert "not a feed" in (by_url[server.url("/broken")].last_error or "")
    assert by_url[server.url("/good")].last_error is None


def test_refresh_survives_a_timeout(reader: Reader, server: LoopbackServer, tmp_path: Path) -> None:
    server.route("/slow", body=feed(("s1", "Slow")), stall=True)
    server.route("/fast", body=feed(("f1", "Fast")))
    (tmp_path / "config.toml").write_text(
        f'[settings]\ntimeout = 1.0\n[[feeds]]\nurl = "{server.url("/slow")}"\n'
        f'[[feeds]]\nurl = "{server.url("/fast")}"\n'
    )
    summary = reader.refresh_sync()
    assert summary.failed == 1 and summary.new == 1
    assert "timed out" in summary.failures[0][1]


def test_import_the_sample_dispatch(reader: Reader) -> None:
    path = shared_path("corpus", "dispatch-text", "cvn-minsk-putin-lukashenko.txt")
    summary = reader.import_paths([path])
    assert (summary.files, summary.dispatches, summary.errors) == (1, 1, [])
    stored = reader.get(reader.headlines()[0].id)
    assert stored is not None
    d = stored.dispatch
    assert len(d.related) == 3
    assert len(d.photos) == 1
    assert d.photos[0].credit == "AFP/VNA/CVN"
    assert d.photos[0].caption.startswith("Le président russe Vladimir Poutine")
    assert d.credit_chain == ("Xinhua", "VNA", "CVN")
    assert sum(1 for b in d.body if b.kind == "paragraph") == 6


def test_import_sniffs_content_not_names(reader: Reader, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "feed.txt").write_bytes(feed(("x1", "An RSS feed named .txt")))
    (folder / "subs.xml").write_text('https://example.org/a.rss\nhttps://example.org/b.rss "~B"\n')
    (folder / "list.opml").write_text(
        '<opml version="2.0"><body><outline xmlUrl="https://example.org/c.rss" text="C"/>'
        '<outline xmlUrl="javascript:alert(1)"/></body></opml>'
    )
    (folder / "junk.bin").write_bytes(b"\x00\x01\x02")
    summary = reader.import_paths([folder])
    assert summary.dispatches == 1
    assert summary.subscriptions_added == 3
    assert [e for e in summary.errors if "junk.bin" in e[0]]
    assert {f.url for f in reader.subscriptions()} == {
        "https://example.org/a.rss",
        "https://example.org/b.rss",
        "https://example.org/c.rss",
    }


def test_samples_load_once(reader: Reader) -> None:
    added = reader.ensure_samples()
    assert added >= 5
    assert reader.ensure_samples() == 0
    sources = reader.sources()
    assert [s.title for s in sources] == ["Samples"]
    captions = [p for h in reader.headlines() if (s := reader.get(h.id)) for p in s.dispatch.photos]
    assert any(p.credit == "AFP/VNA/CVN" for p in captions)


def test_samples_retire_when_a_refresh_brings_real_dispatches(
    reader: Reader, server: LoopbackServer
) -> None:
    """They stand in for the wires until a refresh brings some; after, they sat in All
    among the real news."""
    reader.ensure_samples()
    assert reader.search("Loukachenko")
    reader.add(["http://127.0.0.1:9/dead.xml"])
    assert reader.refresh_sync().offline
    assert [s.title for s in reader.sources() if s.kind == "sample"] == ["Samples"]
    server.route("/a", body=feed(("a1", "First")))
    reader.add([server.url("/a")])
    assert reader.refresh_sync().new == 1
    assert [s.kind for s in reader.sources()] == ["feed", "feed"]
    assert [h.headline for h in reader.headlines()] == ["First"]
    assert reader.search("Loukachenko") == []  # gone from the index too
    assert reader.ensure_samples() == 0  # and never loaded again


def test_retention_after_a_refresh_and_pruned_items_stay_gone(
    tmp_path: Path, server: LoopbackServer
) -> None:
    server.route("/big", body=feed(*((f"g{n}", f"Story {n}") for n in range(150))))
    config = tmp_path / "config.toml"
    config.write_text(
        f'[settings]\nkeep_per_source = 100\n[[feeds]]\nurl = "{server.url("/big")}"\n'
    )
    with Reader(tmp_path / "cache.db", config) as reader:
        first = reader.refresh_sync()
        assert (first.new, first.pruned) == (150, 50)
        assert reader.count() == 100
        # The same 150 items again (no validators): the 50 let go are not new again.
        again = reader.refresh_sync()
        assert (again.new, again.pruned, reader.count()) == (0, 0, 100)
        assert len(server.requests_for("/big")) == 2


def test_retention_settings(tmp_path: Path) -> None:
    from wirereader.config import DEFAULT_KEEP_PER_SOURCE, load

    path = tmp_path / "config.toml"
    assert load(path).keep_per_source == DEFAULT_KEEP_PER_SOURCE and load(path).keep_days == 0
    path.write_text("[settings]\nkeep_per_source = 5\nkeep_days = 30\n")
    assert (load(path).keep_per_source, load(path).keep_days) == (100, 30.0)  # not below 100
    path.write_text("[settings]\nkeep_per_source = 0\n")
    assert load(path).keep_per_source == 0  # keep everything


def test_a_subscription_s_name_wins_over_the_feed_s_own_title(
    reader: Reader, server: LoopbackServer, tmp_path: Path
) -> None:
    """The built-in list, an OPML file or a urls ~title name a feed: that name is what
    the reader shows, as newsboat's ~title does. Before, `defaults --add` dropped the
    names, so a first run offline listed 48 cut URLs, and any name was overwritten by
    the feed's own title ("site:xinhuanet.com OR Xinhua when:1d - Google News")."""
    server.route("/named", body=feed(("n1", "One")))
    server.route("/plain", body=feed(("p1", "Two")))
    reader.add([server.url("/named")], title="My Wire")
    reader.add([server.url("/plain")])
    assert reader.refresh_sync().new == 2
    labels = {s.url: s.label for s in reader.sources()}
    assert labels[server.url("/named")] == "My Wire"
    assert labels[server.url("/plain")] == "Test Wire"  # no name given: the feed's own
    # OPML names come along with an import.
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        f'<outline type="rss" text="Desk feed" xmlUrl="{server.url("/other")}"/>'
        "</body></opml>"
    )
    reader.import_paths([opml])
    assert {s.url: s.label for s in reader.sources()}[server.url("/other")] == "Desk feed"


def test_the_built_in_feeds_come_with_their_names(reader: Reader) -> None:
    from wirereader.service.imports import default_feeds

    assert reader.subscribe_defaults() == len(default_feeds())
    names = {s.url: s.label for s in reader.sources()}
    assert all(names[f.url] == f.title and f.title for f in default_feeds())
    assert {f.url: f.title for f in reader.subscriptions()} == {
        f.url: f.title for f in default_feeds()
    }


def test_read_and_star_survive_a_refetch(reader: Reader, server: LoopbackServer) -> None:
    server.route("/a", body=feed(("a1", "First")))
    reader.add([server.url("/a")])
    reader.refresh_sync()
    row = reader.headlines()[0]
    reader.mark_read([row.id])
    reader.star(row.id, True)
    server.route("/a", body=feed(("a1", "First (changed)")))
    reader.refresh_sync()
    again = reader.get(row.id)
    assert again is not None and again.read and again.starred
    assert again.dispatch.headline == "First (changed)"


def test_follow_related_from_cache_and_by_fetching(reader: Reader, server: LoopbackServer) -> None:
    server.route("/a", body=feed(("a1", "Cached story")))
    reader.add([server.url("/a")])
    reader.refresh_sync()
    cached = asyncio.run(reader.follow(Related(headline="Cached story")))
    assert cached.dispatch is not None and not cached.fetched

    server.route(
        "/page",
        content_type="text/html; charset=utf-8",
        body=(
            "<html><head><title>Page</title><meta property='og:title' content='Fetched page'>"
            "</head><body><article><h1>Fetched page</h1><p>HANOI (VNA) – The text.</p>"
            "<figure><img src='/p.jpg'><figcaption>A caption. Photo: VNA</figcaption></figure>"
            "</article></body></html>"
        ).encode(),
    )
    fetched = asyncio.run(reader.follow(Related(headline="x", url=server.url("/page"))))
    assert fetched.fetched and fetched.dispatch is not None
    d = fetched.dispatch.dispatch
    assert d.headline == "Fetched page"
    assert d.dateline == "HANOI (VNA)"
    assert d.photos[0].credit == "VNA"
    # The second time it comes from the cache, with no request.
    before = len(server.requests_for("/page"))
    again = asyncio.run(reader.follow(Related(headline="x", url=server.url("/page"))))
    assert again.dispatch is not None and not again.fetched
    assert len(server.requests_for("/page")) == before


def test_follow_uncached_without_network(reader: Reader) -> None:
    result = asyncio.run(
        reader.follow(Related(headline="Nowhere", url="http://127.0.0.1:9/unreachable"))
    )
    assert result.dispatch is None
    assert "Not cached yet" in result.message
    no_link = asyncio.run(reader.follow(Related(headline="No link at all")))
    assert no_link.dispatch is None and "no link" in no_link.message


def test_subscribe_to_the_built_in_feeds(reader: Reader) -> None:
    assert reader.subscribe_defaults() == 48
    urls = [f.url for f in reader.subscriptions()]
    assert all(u.startswith("https://") for u in urls)
    assert reader.subscribe_defaults() == 0


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("", 5.0),
        ("refresh_every = 0", 0.0),
        ("refresh_every = -3", 0.0),
        ("refresh_every = 0.1", 1.0),
        ("refresh_every = 15", 15.0),
        ("refresh_every = 99999", 1440.0),
    ],
)
def test_refresh_every_is_read_clamped_and_kept(tmp_path: Path, written: str, read: float) -> None:
    from wirereader.config import load, save

    path = tmp_path / "config.toml"
    path.write_text(f"[settings]\n{written}\n")
    config = load(path)
    assert config.refresh_every == read
    save(path, config)
    assert load(path).refresh_every == read


def test_refresh_every_that_is_not_a_number_is_a_config_error(tmp_path: Path) -> None:
    from wirereader.config import ConfigError, load

    path = tmp_path / "config.toml"
    path.write_text('[settings]\nrefresh_every = "often"\n')
    with pytest.raises(ConfigError, match=r"\[settings\]"):
        load(path)


def test_an_unreachable_feed_backs_off_when_others_answer(
    reader: Reader, server: LoopbackServer
) -> None:
    """A dead server backs off like repeated HTTP errors, but only when the refresh shows
    the network works: other feeds answered."""
    server.route("/a", body=feed(("a1", "First")))
    dead = "http://127.0.0.1:9/feed.xml"  # the discard port: connection refused
    reader.add([server.url("/a"), dead])
    first = reader.refresh_sync()
    assert first.failed == 1 and not first.offline
    by_url = {s.url: s for s in reader.sources()}
    assert reader.store.fetch_state(by_url[dead].id).next_attempt is None  # one glitch: free
    second = reader.refresh_sync()
    assert second.failed == 1
    state = reader.store.fetch_state(by_url[dead].id)
    assert state.next_attempt is not None
    dead_source = {s.url: s for s in reader.sources()}[dead]
    assert (dead_source.last_error or "").startswith("connection refused; next try in")
    third = reader.refresh_sync()
    assert third.skipped == 1 and third.failed == 0
    assert reader.refresh_sync(force=True).failed == 1  # --force tries it anyway


def test_offline_nothing_backs_off(reader: Reader) -> None:
    reader.add(["http://127.0.0.1:9/a.xml", "http://127.0.0.1:9/b.xml"])
    for _ in range(3):
        summary = reader.refresh_sync()
        assert summary.offline and summary.skipped == 0
    assert all(reader.store.fetch_state(s.id).next_attempt is None for s in reader.sources())


def test_offline_refreshes_are_not_the_feeds_fault(reader: Reader, server: LoopbackServer) -> None:
    """Offline, every feed fails alike. Stored as each feed's own failure, that marked
    every source '!' and counted failures in a row, so after a night offline (a refresh
    every 5 minutes) a feed's first glitch backed it off for hours."""
    dead = ["http://127.0.0.1:9/a.xml", "http://127.0.0.1:9/b.xml"]
    reader.add(dead)
    for _ in range(3):
        assert reader.refresh_sync().offline
    for source in reader.sources():
        assert source.last_error is None and source.last_attempt is not None
        assert reader.store.fetch_state(source.id).error_count == 0
    # Back online with one of them still down: its first failure is a glitch, free.
    server.route("/c", body=feed(("c1", "Third")))
    reader.add([server.url("/c")])
    summary = reader.refresh_sync()
    assert not summary.offline and summary.failed == 2 and summary.new == 1
    for source in reader.sources():
        if source.url in dead:
            assert (source.last_error or "").startswith("connection refused")
            assert reader.store.fetch_state(source.id).next_attempt is None
