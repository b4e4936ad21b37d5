"""Every file of shared/hostile's corpus through the real pipeline (EXPECTATIONS.md A).

The corpus is generated once per session into a temporary folder by the shared
``make_hostile.py`` (never the ``--big`` file). Each manifest row is its own test: it is
parsed by `wirereader.formats.parse` (article pages also by `formats.article`, as
``Reader.follow`` does), imported with `Reader.import_paths` into a fresh cache, and read
back from the store. For every row (G1–G5):

- nothing raises but `FormatError`, and each case ends within its deadline;
- no socket is opened while parsing or importing (no XXE, DTD, stylesheet or image fetch);
- every string of every `Dispatch`, parsed and stored, is free of C0 controls (``\\n``
  only in multi-line fields), C1 controls, ESC, DEL, bidi overrides and isolates, NUL
  and lone surrogates; single-line fields hold no newline at all;
- only absolute http(s) URLs, without userinfo or a leading ``-``, in url/photo/related;
- headline and single-line fields at most 4 KiB, a body at most 1 MiB, at most 1,000
  items per document;
- dates are timezone-aware, not before 1970 and never ahead of now (plus the store's
  two-hour slack) in the list;

and then what the row's own expectation says (entity bombs refused, markup kept as
literal text, first duplicate wins, feed B cannot touch feed A, ...).

These files attack terminals: this module never prints their content, only ``repr``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import socket
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import SHARED
from tests.loopback import LoopbackServer
from wirereader.formats import article, parse
from wirereader.model import Dispatch, FormatError, ParseResult, StoredDispatch
from wirereader.sanitize import MAX_BODY, MAX_LINE
from wirereader.service import Reader

HOSTILE = SHARED / "hostile"
MAKE = HOSTILE / "make_hostile.py"
MAX_ITEMS = 1000
#: The store caps list times this far ahead of the fetch (store.batch.FUTURE_SLACK).
FUTURE_SLACK = timedelta(hours=2, minutes=5)
FEED_URL = "http://127.0.0.1/hostile/feed.xml"


def _manifest_rows() -> list[dict[str, Any]]:
    """The manifest rows, read at collection time (``--list`` writes nothing).

    ``--list`` prints ``ID category file expect description`` lines; the --big row (S01,
    the 215 MB million-item feed) is left out. The session fixture checks these rows
    against the MANIFEST.json it writes.
    """
    if not MAKE.exists():
        return []
    out = subprocess.run(
        [sys.executable, str(MAKE), "--list"],
        capture_output=True,
        check=True,
        timeout=60,
        text=True,
    ).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split(None, 4)
        if len(parts) >= 4 and parts[3].startswith("E-") and parts[3] != "E-HUGEFEED":
            rows.append({"id": parts[0], "file": parts[2], "expect": parts[3]})
    return rows


ROWS = _manifest_rows()

#: Seconds each case may take, parse + import + read back, measured on 2 busy cores.
DEFAULT_DEADLINE = 15.0
DEADLINES = {"T08": 20.0, "T09": 30.0, "I05": 30.0, "X07": 30.0, "H03": 30.0, "H04": 30.0}
#: Rows feedparser takes tens of seconds on: bounded only by the parse worker pool.
POOL_ONLY = {
    "X08": "feedparser takes ~35-50 s (quadratic in 50,000 attributes); only the parse "
    "worker pool (service/parsepool.py, in progress) bounds it with a timeout",
}


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not MAKE.exists():
        pytest.skip(f"shared material not available: {MAKE}")
    out = tmp_path_factory.mktemp("hostile-corpus")
    # --out keeps the shared folder read-only; no --big.
    subprocess.run(
        [sys.executable, str(MAKE), "--out", str(out)], capture_output=True, check=True, timeout=120
    )
    manifest = json.loads((out / "MANIFEST.json").read_text())
    written = {r["id"]: r for r in manifest if not r.get("big")}
    assert set(written) == {r["id"] for r in ROWS}
    for r in ROWS:
        r["path"] = written[r["id"]]["path"]
    return out


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record (and refuse) any outgoing connection: parsing must never fetch anything."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network use during parsing")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


# -- invariants on any dispatch ---------------------------------------------------------

_BAD_ANYWHERE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\U000e0000-\U000e007f]"
)
_BAD_LINE = re.compile("[\n\u2028\u2029]")
#: Fields that may span lines: everything else is drawn on one row.
MULTILINE = {"summary", "ednote", "text"}
URL_FIELDS = {"url"}


def walk(value: object, path: str = "") -> Iterator[tuple[str, str, object]]:
    """(path, field name, value) for every leaf of a dispatch: strings, numbers, dates."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            child = getattr(value, f.name)
            if isinstance(child, tuple | list):
                for i, item in enumerate(child):
                    yield from walk_item(item, f"{path}.{f.name}[{i}]", f.name)
            else:
                yield from walk_item(child, f"{path}.{f.name}", f.name)
    else:
        yield path, path.rsplit(".", 1)[-1], value


def walk_item(value: object, path: str, name: str) -> Iterator[tuple[str, str, object]]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield from walk(value, path)
    else:
        yield path, name, value


def check_dispatch(d: Dispatch, where: str) -> None:
    now = datetime.now(UTC)
    for path, name, value in walk(d):
        at = f"{where}{path}"
        if isinstance(value, Enum):
            continue
        if isinstance(value, str):
            bad = _BAD_ANYWHERE.search(value)
            assert bad is None, f"{at}: control {bad.group()!r} in {value[:80]!r}"
            if name not in MULTILINE:
                assert not _BAD_LINE.search(value), f"{at}: newline in a one-line field"
                assert len(value) <= MAX_LINE, f"{at}: {len(value)} characters"
            else:
                assert len(value) <= MAX_BODY, f"{at}: {len(value)} characters"
            if name in URL_FIELDS:
                parts = urlsplit(value)
                assert parts.scheme in ("http", "https"), f"{at}: {value[:80]!r}"
                assert parts.hostname and parts.username is None, f"{at}: {value[:80]!r}"
                assert not value.startswith("-") and len(value) <= 8192
        elif isinstance(value, datetime):
            assert value.tzinfo is not None, f"{at}: naive datetime"
            if name != "embargoed_until":
                assert datetime(1970, 1, 1, tzinfo=UTC) <= value <= now + FUTURE_SLACK, (
                    f"{at}: absurd date {value.isoformat()}"
                )
    assert d.guid, f"{where}: empty guid"
    assert len(d.body_text()) <= MAX_BODY + 16 * MAX_LINE, f"{where}: body too large"
    for block in d.body:
        if block.kind == "photo":
            assert block.photo is not None and block.photo < len(d.photos)


def check_result(result: ParseResult, where: str) -> None:
    assert len(result.dispatches) <= MAX_ITEMS
    for i, d in enumerate(result.dispatches):
        check_dispatch(d, f"{where}[{i}]")
    for text in [result.title, *(result.warnings)]:
        assert not _BAD_ANYWHERE.search(text) and not _BAD_LINE.search(text)
    if result.link is not None:
        assert urlsplit(result.link).scheme in ("http", "https")


def stored(reader: Reader) -> list[StoredDispatch]:
    rows = reader.headlines(limit=10_000)
    out = [s for h in rows if (s := reader.get(h.id)) is not None]
    assert len(out) == len(rows)
    return out


def check_store(reader: Reader) -> None:
    """What the store holds: clean, one row per (source, guid), sane list times."""
    now = datetime.now(UTC)
    conn = reader.store._conn
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    dupes = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM dispatches GROUP BY source_id, guid HAVING count(*) > 1)"
    ).fetchone()[0]
    assert dupes == 0
    for table, column in (("dispatches", "headline"), ("dispatches", "guid"), ("sources", "title")):
        for (text,) in conn.execute(f"SELECT {column} FROM {table}"):
            assert not _BAD_ANYWHERE.search(text) and not _BAD_LINE.search(text)
    for s in stored(reader):
        check_dispatch(s.dispatch, f"stored#{s.id}")
        assert s.time <= now + FUTURE_SLACK and s.time.year >= 1970


# -- the pipeline ------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    parsed: ParseResult | None
    error: str | None
    reader: Reader
    imported_errors: list[tuple[str, str]]


def run_pipeline(path: Path, tmp: Path, deadline: float) -> Outcome:
    started = time.monotonic()
    data = path.read_bytes()
    parsed: ParseResult | None = None
    error: str | None = None
    try:
        parsed = parse(data, url=FEED_URL)
    except FormatError as exc:  # the only exception allowed out of a parser
        error = str(exc)
    if parsed is not None:
        check_result(parsed, path.name)
    if error is not None:
        assert error.isprintable() and len(error) <= 300, repr(error)
    reader = Reader(tmp / "cache.db", tmp / "config.toml")
    summary = reader.import_paths([path])
    for _, message in summary.errors:
        assert message.isprintable() and len(message) <= 300, repr(message)
    check_store(reader)
    elapsed = time.monotonic() - started
    assert elapsed < deadline, f"{path.name}: {elapsed:.1f} s (deadline {deadline} s)"
    return Outcome(parsed, error, reader, summary.errors)


# -- what each row expects on top of the invariants -------------------------------------


def _heads(o: Outcome) -> list[str]:
    assert o.parsed is not None, o.error
    return [d.headline for d in o.parsed.dispatches]


def _all_text(o: Outcome) -> str:
    assert o.parsed is not None, o.error
    return "\n".join(
        str(v) for d in o.parsed.dispatches for _, _, v in walk(d) if isinstance(v, str)
    )


def expect_terminal(o: Outcome, row: dict[str, Any]) -> None:
    heads = _heads(o)
    if row["id"] in ("T01", "T02", "T03"):
        assert len(heads) == 26, "every payload item is shown, one row each"
    else:
        assert heads
    assert o.reader.count() == len(heads)


def expect_markup(o: Outcome, row: dict[str, Any]) -> None:
    heads = _heads(o)
    literal = [
        "[textual_click_quit] [@click=app.quit]Read more[/]",
        "[rich_link_file] [link=file:///etc/passwd]Full story[/link]",
        "[unbalanced_close] Markets [/] rally [/bold]",
        "[brackets_plain] Shares [UPDATE 2] [PHOTOS] [1/3]",
        "[rich_emoji_codes] :warning: :skull: :flag_for_united_states:",
    ]
    for title in literal:
        assert title in heads, f"markup-looking title not kept literally: {title!r}"
    stored_heads = {s.dispatch.headline for s in stored(o.reader)}
    assert set(literal) <= stored_heads


#: Invisible or direction-changing characters that spoof what a one-line field says.
_SPOOF_LINE = re.compile(
    "[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\u115f\u1160\u3164\uffa0\U000e0000-\U000e007f]"
)


def expect_unicode(o: Outcome, row: dict[str, Any]) -> None:
    for d in o.parsed.dispatches if o.parsed else []:
        # Joiners (ZWNJ/ZWJ) are needed by Persian, Indic scripts and emoji: they stay.
        spoof = _SPOOF_LINE.search(d.headline)
        assert spoof is None, f"{spoof.group()!r} left in {d.headline[:60]!r}"
        run = 0
        for ch in d.headline:
            run = run + 1 if unicodedata.combining(ch) else 0
            assert run <= 4, "zalgo not capped"


def expect_longtext(o: Outcome, row: dict[str, Any]) -> None:
    assert o.parsed is not None, o.error
    ds = o.parsed.dispatches
    if row["id"] == "T08":
        assert len(ds) == 2, "item 2 after the 10 MiB title is still shown"
        assert len(ds[0].headline) <= MAX_LINE and ds[0].headline.endswith("…")
    if row["id"] == "T09":
        assert len(ds) == 3
        for d in ds:
            assert len(d.body_text()) <= MAX_BODY + MAX_LINE
            assert "\n\n\n" not in d.body_text(), "blank-line runs collapsed"


def expect_xmlbomb(o: Outcome, row: dict[str, Any]) -> None:
    if o.parsed is None:
        assert o.error is not None
        if row["id"] != "X03":  # X03: see the report, the sniffer says "unrecognised"
            assert "entity" in o.error.lower(), o.error
    else:
        text = _all_text(o)
        assert "lollollol" not in text and len(text) < 100_000, "entities expanded"
    assert o.reader.count() == (len(o.parsed.dispatches) if o.parsed else 0)


def expect_xxe(o: Outcome, row: dict[str, Any]) -> None:
    if o.parsed is not None:
        text = _all_text(o)
        assert "root:" not in text and "/bin/" not in text, "a local file leaked"
    else:
        assert o.error is not None and "entity" in o.error.lower(), o.error


def expect_deep(o: Outcome, row: dict[str, Any]) -> None:
    if row["id"] in ("M15",):
        assert o.parsed is None and o.error is not None and "deep" in o.error
        return
    if o.parsed is not None:
        assert o.parsed.dispatches, "other items survive"


def expect_malformed(o: Outcome, row: dict[str, Any]) -> None:
    assert o.parsed is not None, o.error
    ds = o.parsed.dispatches
    assert ds, "the well-formed items are kept"
    for d in ds:
        assert d.headline.strip() or d.url or d.body_text(), "an empty entry was kept"
    if row["id"] == "M14":
        assert "Markets rally — again" in _heads(o)


def expect_notfeed(o: Outcome, row: dict[str, Any]) -> None:
    assert o.parsed is None and o.error is not None
    assert re.search(r"empty|not a feed", o.error), o.error
    assert o.reader.count() == 0 and o.imported_errors


GLYPHS = {
    "M03": "“Quoted” café €5",
    "M04": "日本銀行が利上げ",
    "M06": "UTF-16 é中",
    "M07": "conflict é",
    "M08": "café 中",
    "M14": "—",
}


def expect_encoding(o: Outcome, row: dict[str, Any]) -> None:
    rid = row["id"]
    if rid == "A03":
        expect_article(o, row)
        return
    heads = _heads(o)
    assert heads
    if rid in GLYPHS:
        assert any(GLYPHS[rid] in h for h in heads), [h[:40] for h in heads]
    if rid == "M09":
        assert "NULinside" in heads, "NUL stripped, the text around it kept"
    if rid == "M10":
        assert any("\ufffd" in h for h in heads), "invalid bytes become U+FFFD"


def expect_links(o: Outcome, row: dict[str, Any]) -> None:
    assert o.parsed is not None, o.error
    if row["id"] == "H02":
        assert len(o.parsed.dispatches) == 41, "every item shown, with only clean links"
    # The walk already proved every url/photo/related URL is clean http(s).


def expect_html(o: Outcome, row: dict[str, Any]) -> None:
    text = _all_text(o)
    for active in ("<script", "alert(", "javascript:", "<iframe", "onerror", "tracking-pixel"):
        assert active not in text, f"active content {active!r} leaked into text"


def expect_dates(o: Outcome, row: dict[str, Any]) -> None:
    assert o.parsed is not None, o.error
    assert len(o.parsed.dispatches) == 25, "no item lost to a bad date"
    # check_dispatch proved every date is aware, >= 1970 and not in the future; the store
    # sorts by them without error:
    times = [h.time for h in o.reader.headlines(limit=100)]
    assert times == sorted(times, reverse=True)


def expect_identity(o: Outcome, row: dict[str, Any]) -> None:
    assert o.parsed is not None, o.error
    guids = [d.guid for d in o.parsed.dispatches]
    assert len(guids) == len(set(guids)), "one dispatch per guid"
    if row["id"] == "I01":
        first = next(d for d in o.parsed.dispatches if d.guid == "urn:dup")
        assert first.headline == "First version", "the first occurrence wins"
        cached = {s.dispatch.guid: s.dispatch.headline for s in stored(o.reader)}
        assert cached["urn:dup"] == "First version"
        assert len(cached) == len(guids)
    if row["id"] == "I04":
        assert all(d.headline for d in o.parsed.dispatches), "untitled items get a label"
    if row["id"] == "I05":
        assert len(guids) == MAX_ITEMS, "the item cap applies"
        assert max(len(g) for g in guids) <= 1024, "over-long ids are hashed"


def expect_article(o: Outcome, row: dict[str, Any]) -> None:
    # As a feed: refused. As a page (what Reader.follow does): sanitized or refused.
    assert o.parsed is None and o.error is not None and "HTML" in o.error
    data = (o.reader.db_path.parent / "page.html").read_bytes()
    try:
        page = article.parse(data, "http://127.0.0.1/article/page")
    except FormatError as exc:
        assert row["id"] == "A02", f"{row['id']}: {exc}"
        assert "could not extract" in str(exc)
        return
    check_result(page, row["id"])
    assert page.dispatches
    for d in page.dispatches:
        text = "\n".join(str(v) for _, _, v in walk(d) if isinstance(v, str))
        assert d.body or d.summary, "never a silently blank article"
        assert "<script" not in text and "document.cookie" not in text
        assert len(text) < 1_000_000, "the 5 MB script is not text"
    if row["id"] == "A01":
        assert any("[@click=app.quit]" in d.headline for d in page.dispatches)


def expect_opml(o: Outcome, row: dict[str, Any]) -> None:
    assert o.parsed is None and o.error is not None
    assert o.reader.count() == 0
    assert o.imported_errors and "entity" in o.imported_errors[0][1], o.imported_errors
    for feed in o.reader.subscriptions():
        assert urlsplit(feed.url).scheme in ("http", "https")


CHECKS: dict[str, Callable[[Outcome, dict[str, Any]], None]] = {
    "E-TERM": expect_terminal,
    "E-MARKUP": expect_markup,
    "E-UNICODE": expect_unicode,
    "E-LONGTEXT": expect_longtext,
    "E-XMLBOMB": expect_xmlbomb,
    "E-XXE": expect_xxe,
    "E-DEEP": expect_deep,
    "E-MALFORMED": expect_malformed,
    "E-NOTFEED": expect_notfeed,
    "E-ENCODING": expect_encoding,
    "E-LINKS": expect_links,
    "E-HTML": expect_html,
    "E-DATES": expect_dates,
    "E-IDENTITY": expect_identity,
    "E-ARTICLE": expect_article,
    "E-OPML": expect_opml,
}


def _params() -> list[Any]:
    if not ROWS:
        return [pytest.param(None, id="no-shared-corpus")]
    return [pytest.param(r, id=f"{r['id']}-{r['file']}") for r in ROWS]


@pytest.mark.timeout(90)
@pytest.mark.parametrize("row", _params())
def test_corpus_row(
    row: dict[str, Any] | None, corpus_dir: Path, tmp_path: Path, no_network: list[object]
) -> None:
    if row is None:
        pytest.skip(f"shared material not available: {MAKE}")
    rid = row["id"]
    path = corpus_dir / row["path"]
    assert path.is_file()
    if rid in POOL_ONLY:
        if importlib.util.find_spec("wirereader.service.parsepool") is None:
            pytest.skip(POOL_ONLY[rid])
        pytest.skip(f"{rid}: bounded through a refresh in test_pool_bounds_slow_rows")
    deadline = DEADLINES.get(rid, DEFAULT_DEADLINE)
    if rid.startswith("A"):
        (tmp_path / "page.html").write_bytes(path.read_bytes())
    outcome = run_pipeline(path, tmp_path, deadline)
    try:
        check = CHECKS.get(row["expect"])
        assert check is not None, f"no expectation check for {row['expect']}"
        check(outcome, row)
    finally:
        outcome.reader.close()
    assert no_network == [], f"{rid}: the parser tried to connect to {no_network}"


def test_manifest_is_covered() -> None:
    if not ROWS:
        pytest.skip(f"shared material not available: {MAKE}")
    assert len(ROWS) == 48
    assert {r["expect"] for r in ROWS} <= set(CHECKS)


# -- the same files through a refresh from a loopback server ------------------------------


def _reader(tmp: Path, server: LoopbackServer, paths: list[str]) -> Reader:
    feeds = "".join(f'[[feeds]]\nurl = "{server.url(p)}"\n' for p in paths)
    (tmp / "config.toml").write_text("[settings]\ntimeout = 20.0\n" + feeds)
    return Reader(tmp / "cache.db", tmp / "config.toml")


@pytest.mark.timeout(60)
def test_feed_b_cannot_overwrite_feed_a(corpus_dir: Path, tmp_path: Path) -> None:
    """I02/I03: items are keyed by (source, guid); B reusing A's guids never retitles A."""
    a = (corpus_dir / "corpus" / "i02_guid_collision_feed_a.xml").read_bytes()
    b = (corpus_dir / "corpus" / "i03_guid_collision_feed_b.xml").read_bytes()
    with LoopbackServer() as server:
        server.route("/a", body=a)
        reader = _reader(tmp_path, server, ["/a"])
        with reader:
            assert reader.refresh_sync().new == 3
            before = {s.dispatch.guid: s.dispatch for s in stored(reader)}
            server.route("/b", body=b)
            reader.add([server.url("/b")])
            summary = reader.refresh_sync()
            assert summary.failed == 0 and summary.new == 3
            by_source: dict[str, dict[str, Dispatch]] = {}
            for s in stored(reader):
                by_source.setdefault(s.source_url, {})[s.dispatch.guid] = s.dispatch
            assert by_source[server.url("/a")] == before, "feed B changed feed A's items"
            assert set(by_source[server.url("/b")]) == set(before)
            check_store(reader)


@pytest.mark.timeout(120)
def test_hostile_feeds_through_refresh(corpus_dir: Path, tmp_path: Path) -> None:
    """A refresh of many hostile feeds at once: each fails or caches clean items alone."""
    names = [
        "t01_term_escapes_raw.xml",
        "t05_term_escapes.json",
        "t06_markup_injection.xml",
        "m09_nul_bytes.xml",
        "m10_invalid_utf8_and_surrogates.xml",
        "m12_empty.xml",
        "x01_billion_laughs.xml",
        "i01_duplicate_guids.xml",
        "d01_dates.xml",
        "h02_dangerous_links.xml",
        "o01_hostile.opml",
    ]
    with LoopbackServer() as server:
        for name in names:
            server.route(f"/{name}", body=(corpus_dir / "corpus" / name).read_bytes())
        server.route(
            "/good", body=(corpus_dir / "corpus" / "i02_guid_collision_feed_a.xml").read_bytes()
        )
        with _reader(tmp_path, server, [f"/{n}" for n in names] + ["/good"]) as reader:
            started = time.monotonic()
            summary = reader.refresh_sync()
            assert time.monotonic() - started < 60
            failed = dict(summary.failures)
            assert set(failed) == {
                server.url("/m12_empty.xml"),
                server.url("/x01_billion_laughs.xml"),
                server.url("/o01_hostile.opml"),
            }
            for message in failed.values():
                assert message.isprintable() and len(message) <= 300
            check_store(reader)
            by_url = {s.url: s for s in reader.sources()}
            assert by_url[server.url("/good")].cached == 3
            assert "entity" in (by_url[server.url("/x01_billion_laughs.xml")].last_error or "")


@pytest.mark.timeout(120)
def test_pool_bounds_slow_rows(corpus_dir: Path, tmp_path: Path) -> None:
    """X08 through a refresh: once parsing runs in the worker pool it ends in time."""
    if importlib.util.find_spec("wirereader.service.parsepool") is None:
        pytest.skip(POOL_ONLY["X08"])
    data = (corpus_dir / "corpus" / "x08_attribute_and_charref_flood.xml").read_bytes()
    with LoopbackServer() as server:
        server.route("/x08", body=data)
        with _reader(tmp_path, server, ["/x08"]) as reader:
            started = time.monotonic()
            summary = reader.refresh_sync()
            assert time.monotonic() - started < 45
            for _, message in summary.failures:
                assert message.isprintable() and len(message) <= 300
            check_store(reader)
