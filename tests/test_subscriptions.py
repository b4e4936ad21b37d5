"""OPML and newsboat urls import: only http(s) feeds survive, nothing is ever executed."""

from __future__ import annotations

import time

import pytest

from tests.conftest import shared_path
from wirereader.formats.subscriptions import (
    MAX_SUBSCRIPTIONS,
    Subscription,
    parse_opml,
    parse_urls,
)
from wirereader.model import FormatError


def _opml(body: str, prolog: str = "") -> bytes:
    return f'<?xml version="1.0"?>{prolog}<opml version="2.0"><body>{body}</body></opml>'.encode()


def test_nested_outlines_and_titles() -> None:
    data = _opml(
        '<outline text="Wires"><outline text="Asia">'
        '<outline type="rss" text="VNA" xmlUrl="https://vna.example/rss"/>'
        "</outline></outline>"
        '<outline type="rss" title="Xinhua" text="ignored" xmlurl="http://xinhua.example/feed"/>'
        '<outline type="rss" text="dup" xmlUrl="https://vna.example/rss"/>'
    )
    assert parse_opml(data) == [
        Subscription("https://vna.example/rss", "VNA"),
        Subscription("http://xinhua.example/feed", "Xinhua"),
    ]


@pytest.mark.parametrize(
    "url",
    [
        "exec:~/bin/fetch.sh",
        "filter:~/f.sh:https://a.example/",
        'query:Unread:unread = "yes"',
        "|~/fetch_tweets.py",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "ftp://a.example/feed",
        "https://user:pw@a.example/feed",
        "-https://a.example/",
    ],
)
def test_non_http_urls_are_dropped(url: str) -> None:
    data = _opml(f'<outline type="rss" text="x" xmlUrl="{url.replace(chr(34), "&quot;")}"/>')
    assert parse_opml(data) == []
    assert parse_urls(url.encode()) == []


def test_opml_hostile_title_is_cleaned() -> None:
    data = _opml('<outline text="a&#x1B;]52;c;aGk=&#x07;b" xmlUrl="https://a.example/"/>')
    assert parse_opml(data) == [Subscription("https://a.example/", "ab")]


def test_opml_entity_declarations_refused() -> None:
    bomb = '<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    start = time.perf_counter()
    with pytest.raises(FormatError, match="entity declarations"):
        parse_opml(_opml('<outline text="&b;" xmlUrl="https://a.example/"/>', prolog=bomb))
    assert time.perf_counter() - start < 1


def test_opml_not_opml() -> None:
    with pytest.raises(FormatError):
        parse_opml(b"")
    with pytest.raises(FormatError):
        parse_opml(b"<rss><channel/></rss>")


def test_opml_cap() -> None:
    body = "".join(
        f'<outline xmlUrl="https://a.example/{i}"/>' for i in range(MAX_SUBSCRIPTIONS + 50)
    )
    assert len(parse_opml(_opml(body))) == MAX_SUBSCRIPTIONS


def test_newsboat_opml_files() -> None:
    root = shared_path("corpus", "newsboat-tests")
    example = parse_opml((root / "example.opml").read_bytes())
    assert len(example) >= 5
    assert all(s.url.startswith(("http://", "https://")) for s in example)
    assert Subscription("https://example.com/feed.xml", "example.com website") in example
    piped = parse_opml((root / "piped.opml").read_bytes())
    assert [s.url for s in piped] == ["https://example.com/feed.atom"]
    filtered = parse_opml((root / "filtered.opml").read_bytes())
    assert "https://example.com/firehose" in [s.url for s in filtered]  # the filter is not run
    nested = parse_opml((root / "test-urls+.opml").read_bytes())
    assert [s.title for s in nested][:2] == ["CC Test", "Anotherfeed"]
    assert parse_opml((root / "body-element-missing.opml").read_bytes()) == []
    with pytest.raises(FormatError):
        parse_opml((root / "opml-element-missing.opml").read_bytes())
    for path in sorted(root.glob("*.opml")):
        try:
            parse_opml(path.read_bytes())
        except FormatError:
            assert path.name == "opml-element-missing.opml"


def test_default_feeds_opml() -> None:
    feeds = parse_opml(shared_path("default-feeds.opml").read_bytes())
    assert len(feeds) > 40
    assert all(s.title for s in feeds)


def test_urls_file() -> None:
    data = (
        b"\xef\xbb\xbf# my feeds\n"
        b'https://a.example/feed tag1 "~My Title" "tag two"\n'
        b"  http://b.example/rss\t!hidden\n"
        b"exec:~/bin/x.sh\n"
        b'"query:Unread:unread = \\"yes\\""\n'
        b"filter:~/f.sh:https://c.example/\n"
        b'http://d.example/rss "~Unbalanced quote\n'
        b"https://a.example/feed again\n"
        b"\n"
    )
    assert parse_urls(data) == [
        Subscription("https://a.example/feed", "My Title"),
        Subscription("http://b.example/rss", ""),
        Subscription("http://d.example/rss", "Unbalanced"),
    ]


def test_urls_title_is_cleaned() -> None:
    (sub,) = parse_urls(b'https://a.example/ "~x\x1b[2Jy\xe2\x80\xaez"\n')
    assert sub.title == "xyz"


def test_bare_lines_split_exactly_as_shlex_would() -> None:
    # Lines without quotes or backslashes skip shlex (it was a tenth of a warm refresh);
    # the shortcut must split on shlex's four whitespace characters and nothing else.
    import random

    from wirereader.formats.subscriptions import _shlex_tokens, _tokens

    rnd = random.Random(3)
    alphabet = "ab :/\"\\\t\u00a0\x0b\x1c#~'é\r"
    lines = ["http://a b c", "x\u00a0y z", "a\x0bb", 'http://x "Two words"']
    lines += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 15))) for _ in range(5000)]
    for line in lines:
        assert _tokens(line) == _shlex_tokens(line), repr(line)
