"""A refetch parses only what changed: item keys (`formats.known`) through parse and refresh.

The promise is that skipping never changes what is stored: a parse that skips the items
it knows returns exactly the dispatches a full parse returns for the others, and the
guids of the rest. Real parts: the bundled fixtures, a real loopback server, SQLite files.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tests.loopback import LoopbackServer
from tests.test_service import feed
from wirereader.formats import known, parse
from wirereader.model import ParseResult, SeenItems
from wirereader.service import Reader

URL = "http://127.0.0.1/feed.xml"
FIXTURES = Path(__file__).parent / "fixtures"


def full(data: bytes, url: str = URL) -> ParseResult:
    return parse(data, url=url)


def remembered(data: bytes, url: str = URL) -> SeenItems:
    result = parse(data, url=url, remember=True)
    assert result.seen is not None
    return result.seen


def items_only(seen: SeenItems) -> SeenItems:
    """The same item keys with a document key that cannot match: the per-item path."""
    return replace(seen, document="")


def test_a_first_fetch_remembers_one_key_per_dispatch() -> None:
    data = feed(("a1", "First"), ("a2", "Second"), ("a3", "Third"))
    result = parse(data, url=URL, remember=True)
    assert result.seen is not None
    assert sorted(result.seen.items.values()) == ["a1", "a2", "a3"]
    assert result.seen.format == "rss" and result.seen.document
    assert result.dispatches == full(data).dispatches
    assert full(data).seen is None  # nothing remembered unless asked


def test_an_unchanged_document_is_not_parsed_again() -> None:
    data = feed(("a1", "First"), ("a2", "Second"))
    seen = remembered(data)
    again = parse(data, url=URL, last=seen)
    assert again.dispatches == [] and sorted(again.unchanged) == ["a1", "a2"]
    assert again.seen == seen


def stable(*items: tuple[str, str]) -> bytes:
    """A feed whose items do not depend on their position (`feed` dates them by it)."""
    return b"".join(
        re.sub(rb"<pubDate>[^<]*</pubDate>", b"", part) if b"<item>" in part else part
        for part in re.split(rb"(?=<item>)|(?<=</item>)", feed(*items))
    )


def test_only_the_changed_and_new_items_are_parsed() -> None:
    before = stable(("a1", "First"), ("a2", "Second"), ("a3", "Third"))
    after = stable(("a0", "Newest"), ("a1", "First"), ("a2", "Second, corrected"), ("a3", "Third"))
    result = parse(after, url=URL, last=remembered(before))
    assert [d.guid for d in result.dispatches] == ["a0", "a2"]
    assert sorted(result.unchanged) == ["a1", "a3"]
    expected = {d.guid: d for d in full(after).dispatches}
    for d in result.dispatches:
        assert d == expected[d.guid]
    assert set(result.unchanged) | {d.guid for d in result.dispatches} == set(expected)
    assert result.seen is not None and set(result.seen.items.values()) == set(expected)


def skips_faithfully(data: bytes) -> tuple[int, int] | None:
    """Parse ``data``, edit its first titles, parse it again knowing the first parse: the
    result must be a full parse's, with the items known left out as their guids. Returns
    (parsed, skipped) of the second parse; None where nothing is remembered (not RSS/Atom
    on the fast path, or not a feed at all)."""
    try:
        first = parse(data, url=URL, remember=True)
    except ValueError:
        return None
    if first.seen is None or not first.dispatches:
        return None
    edited = re.sub(rb"(<title[^>]*>)", rb"\1Edited ", data, count=2)
    reference = full(edited)
    result = parse(edited, url=URL, last=items_only(first.seen))
    by_guid = {d.guid: d for d in reference.dispatches}
    for d in result.dispatches:
        assert d == by_guid[d.guid]
    assert len(result.dispatches) + len(result.unchanged) == len(reference.dispatches)
    assert set(result.unchanged) | {d.guid for d in result.dispatches} == set(by_guid)
    assert set(result.unchanged) <= set(first.seen.items.values())
    assert result.warnings == reference.warnings
    return len(result.dispatches), len(result.unchanged)


def _suite(paths: list[Path]) -> tuple[int, int, int]:
    """(documents remembered, items parsed, items skipped) over ``paths``."""
    documents = parsed = skipped = 0
    for path in paths:
        outcome = skips_faithfully(path.read_bytes())
        if outcome is not None:
            documents += 1
            parsed += outcome[0]
            skipped += outcome[1]
    return documents, parsed, skipped


def test_skipping_stores_what_a_full_parse_stores_fixtures() -> None:
    paths = sorted((FIXTURES / "feeds").glob("*.xml"))
    documents, _, skipped = _suite(paths)
    assert documents == len(paths) and skipped > 0


def test_skipping_stores_what_a_full_parse_stores_feedparser_suite() -> None:
    root = shared_path("corpus", "feedparser-tests", "wellformed")
    documents, _, skipped = _suite(sorted(p for p in root.rglob("*") if p.is_file()))
    # 92 when written: the suite's other documents test feed-level elements (no dispatch)
    # or go to feedparser, which remembers nothing.
    assert documents > 80 and skipped > 0


def test_skipping_stores_what_a_full_parse_stores_newsboat_suite() -> None:
    root = shared_path("corpus", "newsboat-tests")
    paths = sorted(p for p in root.iterdir() if p.suffix in (".xml", ".atom"))
    documents, _, skipped = _suite(paths)
    assert documents * 2 > len(paths) and skipped > 0


def test_skipping_stores_what_a_full_parse_stores_bench_feeds(tmp_path: Path) -> None:
    script = shared_path("bench", "gen_feeds.py")
    out = tmp_path / "corpus"
    args = ["--out", str(out), "--feeds", "2", "--items", "20", "--big-items", "10"]
    subprocess.run([sys.executable, str(script), *args], check=True, capture_output=True)
    documents, parsed, skipped = _suite(sorted(out.rglob("*.xml")))
    assert documents == 3 and skipped > parsed


def test_what_an_item_inherits_is_part_of_its_key() -> None:
    """Same item bytes, another xml:base, language or URL: the items are read again."""
    template = (
        '<?xml version="1.0"?><rss version="2.0"><channel xml:base="{base}"><title>T</title>'
        "<language>{lang}</language>"
        "<item><title>One</title><link>story/1</link><guid>g1</guid></item></channel></rss>"
    )
    data = template.format(base="http://127.0.0.1/a/", lang="en").encode()
    seen = items_only(remembered(data))
    assert parse(data, url=URL, last=seen).dispatches == []
    moved = template.format(base="http://127.0.0.1/b/", lang="en").encode()
    result = parse(moved, url=URL, last=seen)
    assert [d.url for d in result.dispatches] == ["http://127.0.0.1/b/story/1"]
    french = template.format(base="http://127.0.0.1/a/", lang="fr").encode()
    assert [d.language for d in parse(french, url=URL, last=seen).dispatches] == ["fr"]
    assert len(parse(data, url="http://127.0.0.1/other.xml", last=seen).dispatches) == 1


def test_a_new_parser_reads_every_item_again(monkeypatch: pytest.MonkeyPatch) -> None:
    data = feed(("a1", "First"), ("a2", "Second"))
    seen = remembered(data)
    monkeypatch.setattr(known, "signature", lambda: b"another parser version")
    result = parse(data, url=URL, last=seen)
    assert [d.guid for d in result.dispatches] == ["a1", "a2"] and result.unchanged == []


def test_the_signature_covers_the_parser_code() -> None:
    package = Path(known.__file__).resolve().parent.parent
    known.signature.cache_clear()
    assert known.signature() == known.signature()
    assert (package / "formats" / "feed.py").exists() and (package / "sanitize.py").exists()


def test_a_repeated_guid_stays_a_duplicate_when_the_first_is_known() -> None:
    before = feed(("a1", "First"))
    after = feed(("a1", "First"), ("a1", "Impostor with the same guid"))
    result = parse(after, url=URL, last=items_only(remembered(before)))
    assert result.dispatches == [] and result.unchanged == ["a1"]
    assert result.warnings == full(after).warnings


@pytest.mark.parametrize(
    "junk", ["", "{", "[]", '{"document": 1}', '{"document":"","format":"rss","items":[]}']
)
def test_unreadable_memory_is_no_memory(junk: str) -> None:
    assert known.from_json(junk) is None


def test_memory_round_trips_through_json() -> None:
    seen = remembered(feed(("a1", "Ünïcode ✓"), ("a2", "通胀")))
    assert known.from_json(known.to_json(seen)) == seen


# -- through a refresh: a real server, a real store ------------------------------------


@pytest.fixture
def server() -> LoopbackServer:
    with LoopbackServer() as s:
        yield s


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    with Reader(tmp_path / "cache.db", tmp_path / "config.toml") as r:
        yield r


def count_item_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Titles of the items the feed parser builds (small feeds parse in this process)."""
    import wirereader.formats._items as items_module

    built: list[str] = []
    original = items_module.dispatch

    def spy(item: object, fmt: str) -> object:
        built.append(getattr(item, "title", ""))
        return original(item, fmt)  # type: ignore[arg-type]

    monkeypatch.setattr(items_module, "dispatch", spy)
    return built


def test_a_refresh_without_validators_parses_only_what_changed(
    reader: Reader, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = count_item_builds(monkeypatch)
    server.route("/a", body=feed(("a1", "First"), ("a2", "Second")))  # no ETag, no date
    reader.add([server.url("/a")])
    first = reader.refresh_sync()
    assert (first.new, first.unchanged) == (2, 0) and sorted(built) == ["First", "Second"]

    built.clear()
    same = reader.refresh_sync()  # a 200 with the same bytes
    assert (same.new, same.updated, same.unchanged, same.not_modified) == (0, 0, 2, 0)
    assert built == []

    server.route("/a", body=feed(("a0", "Newest"), ("a1", "First"), ("a2", "Second")))
    changed = reader.refresh_sync()
    # `feed` dates items by position, so a1 and a2 moved: their bytes changed.
    assert changed.new == 1 and changed.updated + changed.unchanged == 2
    assert "Newest" in built
    assert {h.headline for h in reader.headlines()} == {"Newest", "First", "Second"}

    built.clear()
    assert reader.refresh_sync().unchanged == 3 and built == []
    assert reader.count() == 3


def test_a_refreshed_item_that_changed_is_stored_as_an_update(
    reader: Reader, server: LoopbackServer
) -> None:
    server.route("/a", body=feed(("a1", "First"), ("a2", "Second")))
    reader.add([server.url("/a")])
    reader.refresh_sync()
    server.route("/a", body=feed(("a1", "First"), ("a2", "Second, with the toll")))
    summary = reader.refresh_sync()
    assert (summary.new, summary.updated, summary.unchanged) == (0, 1, 1)
    updated = next(h for h in reader.headlines() if h.headline == "Second, with the toll")
    assert updated.updates == 1
    assert [d.headline for _, d in reader.versions(updated.id)] == ["Second"]


def test_a_feed_that_fails_keeps_its_memory(reader: Reader, server: LoopbackServer) -> None:
    body = feed(("a1", "First"))
    server.route("/a", body=body)
    reader.add([server.url("/a")])
    reader.refresh_sync()
    source = reader.sources()[0].id
    remembered_before = reader.store.fetch_state(source).seen_items
    assert remembered_before
    server.route("/a", status=500, body=b"oops", content_type="text/plain")
    assert reader.refresh_sync().failed == 1
    assert reader.store.fetch_state(source).seen_items == remembered_before
    server.route("/a", body=body)
    assert reader.refresh_sync(force=True).unchanged == 1
