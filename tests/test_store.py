"""The store on real SQLite files: identity, updates, marks, windows, search, opening."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.test_codec import full_dispatch
from wirereader.model import Block, Dispatch, PubStatus, source_label
from wirereader.store import SCHEMA_VERSION, SourceUpdate, Store, StoreError, search_expression

T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def mk(guid: str, minutes: int = 0, headline: str = "", body: str = "", **kw: object) -> Dispatch:
    return Dispatch(
        guid=guid,
        headline=headline or f"headline {guid}",
        version_created=T0 + timedelta(minutes=minutes),
        body=(Block("paragraph", body),) if body else (),
        **kw,  # type: ignore[arg-type]
    )


def ok(
    sid: int, *ds: Dispatch, at: datetime = T0 + timedelta(hours=1), **kw: object
) -> SourceUpdate:
    return SourceUpdate(source_id=sid, fetched_at=at, dispatches=ds, **kw)  # type: ignore[arg-type]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "deep" / "dir" / "cache.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as s:
        yield s


@pytest.fixture
def sid(store: Store) -> int:
    return store.ensure_source("https://wire.example/feed", title="Xinhua")


def test_full_dispatch_round_trip(store: Store, sid: int) -> None:
    d = full_dispatch()
    stats = store.save_batch([ok(sid, d)])
    assert (stats.new, stats.updated, stats.unchanged) == (1, 0, 0)
    got = store.find(sid, d.guid)
    assert got is not None
    assert got.dispatch == d
    assert got.source_title == "Xinhua"
    assert got.source_url == "https://wire.example/feed"
    assert got.time == d.version_created
    assert got.first_seen == got.updated == T0 + timedelta(hours=1)
    assert (got.updates, got.read, got.starred) == (0, False, False)
    assert store.get(got.id) == got
    by_url = store.locate(source_id=None, guid=None, url="https://example.org/a/1", headline="")
    assert by_url == got.id
    assert (
        store.locate(source_id=None, guid=None, url="https://nowhere.example/", headline="") is None
    )
    [h] = store.headlines()
    assert (h.id, h.headline, h.urgency, h.pub_status) == (
        got.id,
        d.headline,
        2,
        PubStatus.CANCELED,
    )


def test_sources(store: Store, sid: int) -> None:
    assert store.ensure_source("https://wire.example/feed") == sid  # identity is the URL
    other = store.ensure_source("file:///tmp/x.txt", kind="local")
    with pytest.raises(ValueError):
        store.ensure_source("https://x.example/", kind="bogus")
    store.save_batch([ok(sid, mk("a", 1), mk("b", 2))])
    store.set_read([store.headlines()[0].id])
    infos = {s.id: s for s in store.sources()}
    assert [s.id for s in store.sources()] == [other, sid]  # by title, URL when untitled
    assert (infos[sid].cached, infos[sid].unread, infos[sid].newest) == (
        2,
        1,
        T0 + timedelta(minutes=2),
    )
    assert infos[other].kind == "local"
    assert (infos[other].cached, infos[other].newest) == (0, None)
    assert store.source_by_url("file:///tmp/x.txt") == infos[other]
    assert store.source(999) is None
    store.remove_source(sid)
    assert store.source(sid) is None
    assert store.count() == 0
    assert store.search("headline") == []


def test_untitled_sources_are_named_by_host_and_feed(store: Store, sid: int) -> None:
    """ninjs, NewsML-G2 and dispatch-text sources have no title: the whole URL cut to a
    name cell read "http://127.0…" for each of them alike."""
    g2 = store.ensure_source("https://feeds.wire.example/g2/latest.xml")
    text = store.ensure_source("http://127.0.0.1:8801/dispatch-text/minsk-talks.txt")
    store.save_batch([ok(g2, mk("g", 1)), ok(text, mk("t", 2)), ok(sid, mk("x", 3))])
    by_id = {s.id: s.label for s in store.sources()}
    assert by_id == {
        g2: "wire.example › g2",
        text: "127.0.0.1 › minsk-talks",
        sid: "Xinhua",
    }
    # The list is in the order of those names, and headlines carry them too.
    assert [s.id for s in store.sources()] == [text, g2, sid]
    assert {h.source_title for h in store.headlines()} == set(by_id.values())
    found = store.find(text, "t")
    assert found is not None and found.source_title == "127.0.0.1 › minsk-talks"
    # A title from a later fetch wins.
    store.save_batch([ok(g2, title="Wire G2")])
    assert store.source(g2).label == "Wire G2"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://feeds.afp.com/rss/world/feed.xml", "afp.com › world"),
        ("https://www.reuters.com/", "reuters.com"),
        ("https://api.wire.example/v1/ninjs/latest?since=0", "wire.example › ninjs"),
        ("https://vnanet.vn/rss", "vnanet.vn"),
        ("https://example.com/", "example.com"),
        ("file:///tmp/x.txt", "file:///tmp/x.txt"),
    ],
)
def test_source_label_of_a_url(url: str, label: str) -> None:
    assert source_label("", url) == label
    assert source_label("Its own title", url) == "Its own title"


def test_mark_all_read_and_the_filtered_lists(store: Store, sid: int) -> None:
    other = store.ensure_source("https://other.example/feed", title="Other")
    store.save_batch([ok(sid, mk("a", 1), mk("b", 2), mk("c", 3)), ok(other, mk("x", 4))])
    ids = {h.headline: h.id for h in store.headlines()}
    store.set_starred(ids["headline a"], True)
    store.set_read([ids["headline b"]])
    assert [h.headline for h in store.headlines(unread_only=True)] == [
        "headline x",
        "headline c",
        "headline a",
    ]
    # A dispatch that left the unread list keeps its place: the row that took it.
    assert store.position(ids["headline b"], unread_only=True) == 2
    assert store.position(ids["headline c"], sid, unread_only=True) == 0
    assert store.mark_all_read(starred_only=True) == [ids["headline a"]]  # the starred only
    assert store.count(sid, unread_only=True) == 1
    assert store.mark_all_read(sid) == [ids["headline c"]]  # one source only
    assert [h.headline for h in store.headlines(unread_only=True)] == ["headline x"]
    assert store.mark_all_read() == [ids["headline x"]]
    assert store.mark_all_read() == []
    assert store.count(unread_only=True) == 0 and store.count() == 4
    # Marks survive as they were: the star is kept, and m can still unread one.
    assert store.count(starred_only=True) == 1
    store.set_read([ids["headline c"]], False)
    assert [h.headline for h in store.headlines(unread_only=True)] == ["headline c"]


def test_retention_keeps_the_newest_per_source_and_the_starred(store: Store, sid: int) -> None:
    other = store.ensure_source("https://other.example/feed", title="Other")
    store.save_batch(
        [
            ok(sid, *(mk(f"a{n}", n, body=f"alpha{n} text") for n in range(6))),
            ok(other, *(mk(f"b{n}", 10 + n) for n in range(2))),
        ]
    )
    ids = {h.headline: h.id for h in store.headlines()}
    store.set_starred(ids["headline a0"], True)
    store.set_read([ids["headline a1"]])
    store.save_batch([ok(sid, mk("a1", 1, body="alpha1 corrected"))])  # a version
    assert store.prune() == 0  # nothing asked: nothing goes
    assert store.prune(per_source=3) == 2  # a1 and a2: a0 is starred, a3-a5 the newest
    assert sorted(h.headline for h in store.headlines(sid)) == [
        "headline a0",
        "headline a3",
        "headline a4",
        "headline a5",
    ]
    assert store.count(other) == 2
    assert store.search("alpha1") == [] and store.search("alpha2") == []
    assert [h.headline for h in store.search("alpha3")] == ["headline a3"]
    # Marks and versions went with them.
    db = sqlite3.connect(store.path)
    assert db.execute(
        "SELECT count(*) FROM marks WHERE dispatch_id = ?", (ids["headline a1"],)
    ).fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM versions").fetchone() == (0,)
    db.close()
    # At most `limit` in one go, the oldest first.
    assert store.prune(older_than=T0 + timedelta(minutes=11), limit=1) == 1
    assert "headline a3" not in {h.headline for h in store.headlines()}
    # By age: everything dated before the cut-off, starred ones apart.
    assert store.prune(older_than=T0 + timedelta(minutes=11)) == 3
    assert sorted(h.headline for h in store.headlines()) == ["headline a0", "headline b1"]


def test_retention_deletes_a_few_at_a_time(
    store: Store, sid: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Short transactions, so the reader's own writes never wait long behind a prune."""
    from wirereader.store import retention

    monkeypatch.setattr(retention, "CHUNK", 2)
    store.save_batch([ok(sid, *(mk(f"c{n}", n) for n in range(7)))])
    store.set_starred(store.headlines()[-1].id, True)  # c0, the oldest
    chunks: list[int] = []
    real = retention.delete_chosen

    def counted(db: sqlite3.Connection, chunk: int | None = None) -> int:
        chunks.append(real(db, chunk))
        return chunks[-1]

    monkeypatch.setattr("wirereader.store.core.delete_chosen", counted)
    assert store.prune(per_source=1) == 5  # c1..c5; c6 the newest, c0 starred
    assert chunks == [2, 2, 1]
    assert sorted(h.headline for h in store.headlines()) == ["headline c0", "headline c6"]


def test_new_unchanged_updated_with_versions(store: Store, sid: int) -> None:
    a, b = mk("a", 1, body="first text"), mk("b", 2)
    store.save_batch([ok(sid, a, b)])
    a2 = replace(a, headline="a corrected", version_created=T0 + timedelta(minutes=30), body=())
    later = T0 + timedelta(hours=2)
    stats = store.save_batch([ok(sid, a2, b, mk("c", 3), at=later)])
    assert (stats.new, stats.updated, stats.unchanged, stats.failed) == (1, 1, 1, 0)
    assert stats.per_source == {sid: (1, 1, 1)}
    got = store.find(sid, "a")
    assert got is not None
    assert got.dispatch == a2
    assert (got.updates, got.updated, got.time) == (1, later, T0 + timedelta(minutes=30))
    assert got.first_seen == T0 + timedelta(hours=1)
    assert store.versions(got.id) == [(T0 + timedelta(hours=1), a)]
    assert store.headlines()[0].headline == "a corrected"  # moved to the top
    assert store.headlines()[0].updates == 1
    # the index follows the update: old words gone, new ones found
    assert store.search("first") == []
    assert [h.id for h in store.search("corrected")] == [got.id]
    # a dispatch missing from a later fetch stays
    store.save_batch([ok(sid, a2, at=later + timedelta(hours=1))])
    assert store.count(sid) == 3


def test_marks_survive_refetch_and_update(store: Store, sid: int) -> None:
    store.save_batch([ok(sid, mk("a", 1), mk("b", 2))])
    a = store.find(sid, "a")
    assert a is not None
    store.set_read([a.id])
    store.set_starred(a.id, True)
    store.save_batch([ok(sid, mk("a", 1), mk("b", 2))])
    store.save_batch([ok(sid, mk("a", 5, headline="changed"))])
    got = store.get(a.id)
    assert got is not None
    assert (got.updates, got.read, got.starred) == (1, True, True)
    assert store.count(unread_only=True) == 1
    assert [h.id for h in store.headlines(starred_only=True)] == [a.id]
    assert store.count(starred_only=True) == 1
    store.set_read([a.id], read=False)
    store.set_starred(a.id, False)
    assert store.count(unread_only=True) == 2
    assert store.count(starred_only=True) == 0
    store.set_read([123456])  # unknown ids are ignored


def test_error_keeps_dispatches_and_validators(store: Store, sid: int) -> None:
    store.save_batch([ok(sid, mk("a"), etag='"v1"', last_modified="Sat, 01 Jun 2024", title="X")])
    t_err = T0 + timedelta(hours=3)
    stats = store.save_batch(
        [SourceUpdate(sid, t_err, dispatches=[mk("zzz")], error="HTTP 503", etag="no")]
    )
    assert stats.failed == 1
    assert stats.per_source == {}
    info = store.source(sid)
    assert info is not None
    assert (info.last_error, info.last_attempt, info.last_success) == (
        "HTTP 503",
        t_err,
        T0 + timedelta(hours=1),
    )
    assert info.title == "X"
    assert store.validators(sid) == ('"v1"', "Sat, 01 Jun 2024")
    assert store.count() == 1
    assert store.find(sid, "zzz") is None


def test_not_modified_keeps_everything(store: Store, sid: int) -> None:
    store.save_batch([ok(sid, mk("a"), etag='"v1"', last_modified="lm")])
    store.save_batch([SourceUpdate(sid, T0 + timedelta(hours=2), error="timeout")])
    t = T0 + timedelta(hours=3)
    stats = store.save_batch([SourceUpdate(sid, t, not_modified=True)])
    assert (stats.new, stats.updated, stats.unchanged, stats.failed) == (0, 0, 0, 0)
    info = store.source(sid)
    assert info is not None
    assert (info.last_error, info.last_attempt, info.last_success) == (None, t, t)
    assert store.validators(sid) == ('"v1"', "lm")
    assert store.count() == 1
    assert store.validators(999) == (None, None)


def test_redirect_moves_the_source(store: Store, sid: int) -> None:
    taken = store.ensure_source("https://taken.example/")
    store.save_batch([ok(sid, mk("a"), new_url="https://moved.example/")])
    assert store.source_by_url("https://moved.example/") is not None
    store.save_batch([ok(sid, new_url="https://taken.example/")])  # never merges two sources
    assert store.source(sid) is not None
    assert store.source_by_url("https://taken.example/") == store.source(taken)


def test_identity_is_source_and_guid(store: Store, sid: int) -> None:
    other = store.ensure_source("https://other.example/feed", title="VNA")
    stats = store.save_batch([ok(sid, mk("same", 1)), ok(other, mk("same", 1))])
    assert stats.new == 2
    assert stats.per_source == {sid: (1, 0, 0), other: (1, 0, 0)}
    x, y = store.find(sid, "same"), store.find(other, "same")
    assert x is not None and y is not None and x.id != y.id
    assert store.count(sid) == store.count(other) == 1


def test_first_occurrence_wins_within_a_batch(store: Store, sid: int) -> None:
    first, second = mk("g", 1, headline="first"), mk("g", 2, headline="second")
    stats = store.save_batch([ok(sid, first, second), ok(sid, mk("g", 3, headline="third"))])
    assert (stats.new, stats.updated, stats.unchanged) == (1, 0, 0)
    got = store.find(sid, "g")
    assert got is not None
    assert got.dispatch.headline == "first"


def test_windows_newest_first_and_position(store: Store, sid: int) -> None:
    other = store.ensure_source("https://other.example/feed", title="VNA")
    # 31 items in shuffled order, two sharing a time, and one without any date
    items = [mk(f"i{n:02}", minutes=n) for n in (7, 3, 29, 0, 15)] + [mk("tie", minutes=15)]
    items += [mk(f"i{n:02}", minutes=n) for n in range(30) if n not in (7, 3, 29, 0, 15)]
    items += [Dispatch(guid="undated", headline="undated")]
    store.save_batch([ok(sid, *items[:20]), ok(other, *items[20:])])
    full = store.headlines(limit=1000)
    assert len(full) == store.count() == 32
    times = [h.time for h in full]
    assert times == sorted(times, reverse=True)
    assert full[0].headline == "undated"  # first seen at fetch time, the newest
    assert times[0] == T0 + timedelta(hours=1)
    ids = [h.id for h in full]
    assert len(set(ids)) == 32
    by_guid = {store.get(i).dispatch.guid: n for n, i in enumerate(ids)}  # type: ignore[union-attr]
    assert by_guid["i15"] == by_guid["tie"] - 1  # equal times: the first in the feed on top
    assert [h.id for h in store.headlines(offset=10, limit=5)] == ids[10:15]
    assert [h.id for h in store.headlines(offset=29, limit=5)] == ids[29:]
    assert store.headlines(offset=32) == []
    assert store.headlines(limit=0) == []
    for i, did in enumerate(ids):
        assert store.position(did) == i
    mine = [h.id for h in store.headlines(sid, limit=100)]
    assert len(mine) == 20
    assert [h.id for h in store.headlines(sid, offset=3, limit=4)] == mine[3:7]
    assert store.position(mine[5], sid) == 5
    assert store.position(mine[5], other) is None
    assert store.position(999_999) is None
    store.set_read(ids[:10])
    unread = [h.id for h in store.headlines(unread_only=True, offset=2, limit=3)]
    assert unread == ids[12:15]


def test_search(store: Store, sid: int) -> None:
    store.save_batch(
        [
            ok(
                sid,
                mk("fr", 1, headline="Le Bélarus propose des pourparlers"),
                mk("en", 2, headline="Talks", body="Minsk offers talks on the border."),
                mk("cap", 3, headline="Photo", photos=()),
                mk("old", 0, headline="Belarus in older news"),
            )
        ]
    )
    assert [h.headline for h in store.search("belarus")] == [
        "Le Bélarus propose des pourparlers",
        "Belarus in older news",
    ]
    assert store.search("BÉLARUS")[0].headline.startswith("Le Bélarus")
    assert [h.headline for h in store.search("minsk border")] == ["Talks"]  # body, AND
    assert [h.headline for h in store.search("pourpar")] == [
        "Le Bélarus propose des pourparlers"
    ]  # prefix on the last term
    assert store.search("belarus", limit=1)[0].headline.startswith("Le")
    assert store.search("belarus", source_id=sid + 1) == []
    for hostile in ['"', "*", "NEAR(", "a OR", "-x", ":", "belarus:", '"unbalanced', "(", "^", ""]:
        store.search(hostile)  # must not raise
    assert store.search('"belarus')[0].headline.startswith("Le")
    assert search_expression("a OR") == '"a" "OR"*'
    assert search_expression('say "hi"') == '"say" """hi"""*'
    assert search_expression("- : *") is None
    assert search_expression("belarus talks ") == '"belarus" "talks"'  # finished word: exact
    assert [h.headline for h in store.search("pourpar ")] == []


def test_settings(store: Store) -> None:
    assert store.get_setting("cursor") is None
    store.set_setting("cursor", "42")
    store.set_setting("cursor", "43")
    assert store.get_setting("cursor") == "43"
    store.optimize()


def test_schema_version_and_reopen(db_path: Path) -> None:
    with Store(db_path) as s:
        sid = s.ensure_source("https://a.example/")
        s.save_batch([ok(sid, mk("a"))])
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 16384
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    with Store(db_path) as s:
        assert s.count() == 1
        assert s.search("headline")[0].headline == "headline a"


def test_future_schema_refuses(db_path: Path) -> None:
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store(db_path)


def test_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 200)
    with pytest.raises(StoreError, match="not a wirereader cache"):
        Store(junk)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t(x)")
    conn.close()
    with pytest.raises(StoreError, match="not a wirereader cache"):
        Store(other)
    with pytest.raises(StoreError):
        Store(tmp_path)  # a directory


def test_writer_and_reader_on_one_file(db_path: Path) -> None:
    with Store(db_path) as writer, Store(db_path) as reader:
        sid = writer.ensure_source("https://a.example/")
        writer.save_batch([ok(sid, mk("a", 1))])
        assert reader.count() == 1
        writer._conn.execute("BEGIN IMMEDIATE")  # a batch in flight
        writer._conn.execute("UPDATE sources SET title = 'busy'")
        assert [h.headline for h in reader.headlines()] == ["headline a"]
        writer._conn.execute("COMMIT")
        writer.save_batch([ok(sid, mk("b", 2))])
        assert reader.count() == 2
        assert reader.headlines()[0].headline == "headline b"


def test_ten_thousand_in_one_batch(store: Store, sid: int) -> None:
    other = store.ensure_source("https://other.example/")
    body = "Paragraph of wire copy about inflation and the central bank. " * 20
    ds = [mk(f"g{i}", minutes=i % 50, body=body + f" token{i}") for i in range(10_000)]
    undated = [Dispatch(guid=f"u{i}", headline="undated") for i in range(200)]
    stats = store.save_batch([ok(sid, *ds[:9000], *undated), ok(other, *ds[9000:])])
    assert (stats.new, stats.updated, stats.unchanged) == (10_200, 0, 0)
    assert store.count() == 10_200
    page = store.headlines(offset=5000, limit=200)
    assert len(page) == 200
    assert [h.time for h in page] == sorted((h.time for h in page), reverse=True)
    # dateless items of one fetch keep feed order: the first listed is the newest
    assert [h.headline for h in store.headlines(limit=2)] == ["undated", "undated"]
    assert store.position(store.headlines(limit=1)[0].id) == 0
    first = store.find(sid, "u0")
    assert first is not None and store.position(first.id) == 0
    assert [h.id for h in store.search("token9999")] == [store.find(other, "g9999").id]  # type: ignore[union-attr]
    assert len(store.search("inflation", limit=50)) == 50
    again = store.save_batch([ok(sid, *ds[:9000], *undated), ok(other, *ds[9000:])])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 10_200)


def test_locked_file_is_a_clear_error(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A migration blocked by another writer says so, instead of calling the file junk."""
    Store(db_path).close()
    monkeypatch.setattr("wirereader.store.schema.SCHEMA_VERSION", SCHEMA_VERSION + 1)
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    blocker.execute("PRAGMA busy_timeout = 0")
    try:
        monkeypatch.setattr("wirereader.store.schema._pragma", _fast_busy_pragma)
        with pytest.raises(StoreError, match="cannot use the cache"):
            Store(db_path)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def _fast_busy_pragma(conn: sqlite3.Connection, name: str) -> int:
    conn.execute("PRAGMA busy_timeout = 50")  # don't wait the real 5 s in a test
    return int(conn.execute(f"PRAGMA {name}").fetchone()[0])


def test_search_finds_chinese_and_japanese_words_inside_a_clause(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from wirereader.model import Block, Dispatch
    from wirereader.store import SourceUpdate, Store

    with Store(tmp_path / "cjk.db") as store:
        sid = store.ensure_source("https://example.org/zh", title="Xinhua zh")
        items = [
            Dispatch(
                guid="1",
                headline="普京与卢卡申科讨论共同防务空间",
                body=(Block(kind="paragraph", text="明斯克12月19日电 两国通胀压力缓解。"),),
            ),
            Dispatch(guid="2", headline="東京で記者会見が行われた"),
            Dispatch(guid="3", headline="Unrelated English story"),
        ]
        store.save_batch(
            [SourceUpdate(source_id=sid, fetched_at=datetime.now(UTC), dispatches=items)]
        )
        assert [h.headline for h in store.search("卢卡申科")] == ["普京与卢卡申科讨论共同防务空间"]
        assert [h.headline for h in store.search("通胀 ")] == ["普京与卢卡申科讨论共同防务空间"]
        assert [h.headline for h in store.search("記者会見")] == ["東京で記者会見が行われた"]
        assert store.search("防务空间 english") == []
        # Updating or removing a CJK row keeps the index consistent.
        store.save_batch(
            [
                SourceUpdate(
                    source_id=sid,
                    fetched_at=datetime.now(UTC),
                    dispatches=[Dispatch(guid="1", headline="普京与卢卡申科会谈")],
                )
            ]
        )
        assert [h.headline for h in store.search("卢卡申科")] == ["普京与卢卡申科会谈"]
        assert store.search("防务") == []


def test_migration_reindexes_an_older_cache_for_cjk(tmp_path: Path) -> None:
    import sqlite3
    from datetime import UTC, datetime

    from wirereader.model import Dispatch
    from wirereader.store import SourceUpdate, Store

    path = tmp_path / "old.db"
    with Store(path) as store:
        sid = store.ensure_source("https://example.org/zh")
        store.save_batch(
            [
                SourceUpdate(
                    source_id=sid,
                    fetched_at=datetime.now(UTC),
                    dispatches=[Dispatch(guid="1", headline="两国通胀压力缓解")],
                )
            ]
        )
    conn = sqlite3.connect(path)
    # As version 2 indexed it: the whole clause one token.
    conn.execute("INSERT INTO search(search) VALUES ('delete-all')")
    conn.execute(
        "INSERT INTO search(rowid, headline, body) SELECT sort_key, headline, '' FROM dispatches"
    )
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert [h.headline for h in store.search("通胀")] == ["两国通胀压力缓解"]


def test_cjk_tokens_match_the_per_character_form_caches_were_indexed_with() -> None:
    # Rows are deleted from the contentless index by re-sending the exact indexed text,
    # so the run-at-a-time form must equal the per-character one schema v3 wrote.
    import random
    import re

    from wirereader.store.schema import cjk_tokens

    per_char = re.compile(
        "([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f])"
    )
    rnd = random.Random(6)
    alphabet = "北京通胀カナかなaé 𠀀\n,。"
    texts = ["", "plain ascii", "北京", "a北b京c", "新华社北京6月1日电", "𠀀𠀁x", "Việt Nam"]
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40))) for _ in range(2000)]
    for text in texts:
        assert cjk_tokens(text) == per_char.sub(r" \1 ", text), text


def test_a_batch_writes_the_search_index_in_one_pass(tmp_path: Path) -> None:
    # Feeds list newest first; FTS5 flushes a segment whenever a rowid is not larger than
    # the previous one, so rows written in feed order cost a segment (and merges) each.
    # SQLite counts the index's own shadow-table writes in total_changes.
    now = datetime(2026, 1, 1, tzinfo=UTC)
    newest_first = [
        Dispatch(
            guid=str(i),
            headline=f"headline {i}",
            first_created=now - timedelta(minutes=i),
            body=(Block(kind="paragraph", text=f"body text {i}"),),
        )
        for i in range(300)
    ]
    with Store(tmp_path / "fts.db") as store:
        sid = store.ensure_source("https://example.com/feed")
        conn = store._conn
        before = conn.total_changes
        store.save_batch([SourceUpdate(source_id=sid, fetched_at=now, dispatches=newest_first)])
        writes = conn.total_changes - before
        assert writes < 1200, writes  # 300 rows + 300 index rows + a few pages, not ~2500
        assert len(store.search("headline")) == 50


def test_list_keys_already_taken_by_earlier_batches_are_skipped(store: Store, sid: int) -> None:
    # Keys of new rows are looked up in bulk (`_Keys.learn`); a key taken by an earlier
    # batch must still push the next item one microsecond down, never collide.
    other = store.ensure_source("https://other.example/")
    store.save_batch([ok(sid, *[mk(f"a{i}", minutes=i % 3) for i in range(30)])])
    stats = store.save_batch([ok(other, *[mk(f"b{i}", minutes=i % 3) for i in range(30)])])
    assert stats.new == 30 and store.count() == 60


def test_locate_a_related_headline_by_guid_url_or_headline(store: Store, sid: int) -> None:
    other = store.ensure_source("https://other.example/")
    store.save_batch(
        [
            ok(sid, mk("g1", 1, "Quake hits Hanoi"), mk("g2", 2, "Élection à Paris")),
            ok(other, mk("o1", 3, "QUAKE HITS HANOI", url="https://other.example/q")),
        ]
    )
    first = store.find(sid, "g1")
    newer = store.find(other, "o1")
    assert first is not None and newer is not None

    def locate(guid: str | None = None, url: str | None = None, headline: str = "") -> int | None:
        return store.locate(source_id=sid, guid=guid, url=url, headline=headline)

    assert locate(guid="g1", headline="anything") == first.id  # guid, within the source
    assert locate(guid="o1", headline="") is None  # another source's guid is not ours
    assert locate(url="https://other.example/q") == newer.id
    # Same headline, case aside: the newest of them.
    assert locate(headline="quake hits hanoi") == newer.id
    assert locate(headline="élection à paris") is None  # NOCASE folds ASCII only...
    assert locate(headline="Élection à Paris") is not None  # ...the exact text is found
    assert locate(headline="Quake hits") is None  # the whole headline, not words of it
    assert locate(headline="   ") is None


def test_migration_4_indexes_headlines(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    with Store(path) as store:
        sid = store.ensure_source("https://wire.example/feed")
        store.save_batch([ok(sid, mk("g1", 1, "Quake hits Hanoi"))])
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX dispatches_headline")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with Store(path) as store:
        plan = store._conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM dispatches WHERE headline = ? COLLATE NOCASE",
            ("x",),
        ).fetchall()
        assert "dispatches_headline" in str(plan)
        assert store.locate(source_id=None, guid=None, url=None, headline="quake HITS hanoi")
