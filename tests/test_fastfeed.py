"""The lxml fast path agrees with the feedparser path on every document it accepts."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, shared_path
from wirereader.formats import fastfeed, feed
from wirereader.model import Dispatch, FormatError, ParseResult
from wirereader.sanitize import safe_url

URL = "http://example.com/feed.xml"


def _fast(data: bytes) -> ParseResult:
    return fastfeed.parse(data, safe_url(URL), feed._result)


def _slow(data: bytes, monkeypatch: pytest.MonkeyPatch) -> ParseResult:
    with monkeypatch.context() as m:

        def decline(*_args: object) -> ParseResult:
            raise fastfeed.UseFallback("test: feedparser path")

        m.setattr(fastfeed, "parse", decline)
        return feed.parse(data, URL)


def _normal(d: Dispatch) -> dict[str, object]:
    """A dispatch as comparable fields; a date clamped to "now" compares as "now"."""
    out: dict[str, object] = {}
    now = datetime.now(UTC)
    for f in fields(d):
        value = getattr(d, f.name)
        if isinstance(value, datetime) and abs(value - now) < timedelta(minutes=5):
            value = "now"
        out[f.name] = value
    return out


def _compare(path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """``"fast"`` (and asserts agreement), ``"fallback"`` or ``"refused"``."""
    data = path.read_bytes()
    try:
        fast = _fast(data)
    except fastfeed.UseFallback:
        return "fallback"
    except FormatError:
        with pytest.raises(FormatError):
            _slow(data, monkeypatch)
        return "refused"
    slow = _slow(data, monkeypatch)
    assert (fast.format, fast.title, fast.link) == (slow.format, slow.title, slow.link), path
    assert fast.warnings == slow.warnings, path
    assert len(fast.dispatches) == len(slow.dispatches), path
    for a, b in zip(fast.dispatches, slow.dispatches, strict=True):
        # the fields the brief names first, for a readable failure, then everything
        for name in ("headline", "url", "guid", "first_created", "version_created", "related"):
            assert _normal(a)[name] == _normal(b)[name], (path, name)
        assert [(p.caption, p.credit, p.url) for p in a.photos] == [
            (p.caption, p.credit, p.url) for p in b.photos
        ], path
        assert [blk.text for blk in a.body] == [blk.text for blk in b.body], path
        assert _normal(a) == _normal(b), path
    return "fast"


def _run(paths: list[Path], monkeypatch: pytest.MonkeyPatch, label: str) -> dict[str, int]:
    counts = {"fast": 0, "fallback": 0, "refused": 0}
    for path in paths:
        counts[_compare(path, monkeypatch)] += 1
    print(
        f"{label}: {counts['fast']} fast path, {counts['fallback']} feedparser, "
        f"{counts['refused']} refused by both, of {len(paths)}"
    )
    return counts


def test_fixtures_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = sorted((FIXTURES / "feeds").glob("*.xml"))
    counts = _run(paths, monkeypatch, "fixtures")
    assert counts["fast"] == len(paths)


def test_feedparser_wellformed_suite_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    root = shared_path("corpus", "feedparser-tests", "wellformed")
    paths = sorted(p for p in root.rglob("*") if p.is_file())
    counts = _run(paths, monkeypatch, "feedparser wellformed")
    # 165 of 530 when written; most of the rest test feed-level elements without items
    assert counts["fast"] > 150


def test_newsboat_feeds_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    root = shared_path("corpus", "newsboat-tests")
    paths = sorted(p for p in root.iterdir() if p.suffix in (".xml", ".atom"))
    counts = _run(paths, monkeypatch, "newsboat")
    assert counts["fast"] * 2 > len(paths)


def test_generated_bench_feeds_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = shared_path("bench", "gen_feeds.py")
    out = tmp_path / "corpus"
    args = ["--out", str(out), "--feeds", "2", "--items", "20", "--big-items", "10"]
    subprocess.run([sys.executable, str(script), *args], check=True, capture_output=True)
    paths = sorted(out.rglob("*.xml"))
    counts = _run(paths, monkeypatch, "gen_feeds")
    assert counts["fast"] == len(paths) == 3


def _rss(items: str, declaration: str = '<?xml version="1.0"?>') -> bytes:
    return (
        f'{declaration}<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    ).encode()


@pytest.mark.parametrize(
    "data",
    [
        _rss("<item><title>x</title></item>")[:-20],  # not well-formed
        _rss("<item><title>caf\u00e9</title></item>", '<?xml version="1.0" encoding="koi8-r"?>'),
        _rss("<item><title>x</title></item>").replace(b"<title>x", b"<title>\xff\xfe"),
        _rss("<item><title>&nbsp;</title></item>"),  # an undefined entity
        _rss(
            "<item><title>x</title><itunes:summary xmlns:itunes='http://www.itunes.com/"
            "dtds/podcast-1.0.dtd'>s</itunes:summary></item>"
        ),
        _rss("<item><description>a <b>b</b></description></item>"),  # markup, not text
        _rss("<item><pubDate>the day after tomorrow</pubDate></item>"),
        _rss(""),  # no items: feedparser decides
        b'<feed xmlns="http://purl.org/atom/ns#"><entry><title>x</title></entry></feed>',
        b"<rss version='2.0'><channel/><channel/></rss>",
    ],
)
def test_declines_what_it_does_not_model(data: bytes) -> None:
    with pytest.raises(fastfeed.UseFallback):
        _fast(data)
    feed.parse(data, URL)  # and the feedparser path still reads it (or says why not)


def test_wrong_declared_encoding_falls_back() -> None:
    data = _rss("<item><title>caf\u00e9</title></item>", '<?xml version="1.0" encoding="utf-8"?>')
    latin = data.replace("caf\u00e9".encode(), "caf\u00e9".encode("latin-1"))
    with pytest.raises(fastfeed.UseFallback):
        _fast(latin)
    assert feed.parse(latin, URL).dispatches[0].headline.startswith("caf")


def test_latin1_and_double_utf8_match_feedparser(monkeypatch: pytest.MonkeyPatch) -> None:
    latin = _rss(
        "<item><title>caf\u00e9</title></item>", '<?xml version="1.0" encoding="iso-8859-1"?>'
    )
    latin = latin.replace("caf\u00e9".encode(), b"caf\xe9")
    double = _rss("<item><title>caf&#195;&#169; ok</title></item>")
    c1 = _rss("<item><title>caf&#195;&#169; &#150; ok</title></item>")  # no repair: \x96
    for data in (latin, double, c1):
        assert _fast(data) == _slow(data, monkeypatch)
    assert _fast(double).dispatches[0].headline == "café ok"
    assert _fast(c1).dispatches[0].headline == "cafÃ© – ok"  # as feedparser has it


def test_entity_declarations_are_still_refused() -> None:
    bomb = _rss(
        "<item><title>&a;</title></item>", '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">]>'
    )
    with pytest.raises(FormatError, match="entity declarations"):
        feed.parse(bomb, URL)


def test_only_the_fallback_signal_escapes() -> None:
    data = (FIXTURES / "feeds" / "media_rss.xml").read_bytes()
    for cut in range(0, len(data), 97):
        with contextlib.suppress(fastfeed.UseFallback):
            _fast(data[:cut] + b"<x a='1' a='2'/>" + data[cut:])


def test_fast_only_mode_lets_the_signal_out() -> None:
    token = fastfeed.FEEDPARSER_ALLOWED.set(False)
    try:
        with pytest.raises(fastfeed.UseFallback):
            feed.parse(_rss("<item><title>x</title></item>")[:-20], URL)
    finally:
        fastfeed.FEEDPARSER_ALLOWED.reset(token)
