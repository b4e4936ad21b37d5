"""RSS, Atom and JSON Feed: our fixtures, feedparser's and newsboat's suites, hostile input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, shared_path
from wirereader.formats import feed, parse
from wirereader.formats.common import MAX_ITEMS
from wirereader.model import FormatError, ParseResult

FEEDS = FIXTURES / "feeds"
BASE = "https://wire.example/feed.xml"


def _parse(name: str) -> ParseResult:
    return parse((FEEDS / name).read_bytes(), url=BASE)


def _rss(items: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>{prolog}<rss version="2.0"><channel><title>T</title>'
        f"{items}</channel></rss>"
    ).encode()


def test_media_rss_caption_and_credit() -> None:
    result = _parse("media_rss.xml")
    assert result.format == "rss"
    assert result.title == "Sample Wire"
    assert result.link == "https://wire.example/"
    first = result.dispatches[0]
    assert first.guid == "urn:wire:2024:1001"
    assert first.url == "https://wire.example/news/putin-lukashenko"
    assert first.urgency == 3 and first.signals == ("urgent",)
    assert first.dateline == "MINSK, Dec 19 (Xinhua)"
    assert first.body[0].text == "The two leaders met on Tuesday."
    assert first.byline == "Ivan Petrov"
    assert first.language == "en"
    assert first.credit_chain == ("Xinhua", "VNA", "CVN")
    assert first.first_created is not None and first.first_created.isoformat().startswith(
        "2023-12-19T05:12"
    )
    (photo,) = first.photos  # the thumbnail is a rendition of the same picture
    assert photo.caption == "Leaders meet in Minsk on December 19."
    assert photo.credit == "AFP/VNA/CVN"
    assert photo.url == "https://img.wire.example/minsk.jpg"
    assert (photo.width, photo.height) == (1200, 800)
    assert [r.url for r in first.related] == ["https://wire.example/news/belarus-talks"]


def test_media_group_enclosures_duplicates_and_skips() -> None:
    result = _parse("media_rss.xml")
    second = result.dispatches[1]
    assert [p.url for p in second.photos] == [
        "https://img.wire.example/large.jpg",
        "https://img.wire.example/enclosed.png",
    ]
    assert second.photos[0].caption == "Flood waters rise in Hanoi."
    assert second.photos[0].credit == "VNA"
    # feedparser turns a caption into the summary; it must not become the body
    assert second.body == () and second.summary == ""
    guids = [d.guid for d in result.dispatches]
    assert guids.count("urn:wire:2024:1001") == 1
    assert result.dispatches[0].headline.startswith("URGENT")  # the first occurrence won
    assert any("repeating an earlier id" in w for w in result.warnings)
    assert any("skipped" in w for w in result.warnings)


def test_javascript_links_never_become_urls() -> None:
    result = _parse("media_rss.xml")
    js = next(d for d in result.dispatches if d.guid == "urn:wire:2024:1003")
    assert js.url is None
    for d in result.dispatches:
        assert all("javascript" not in (r.url or "") for r in d.related)


def test_atom_related_links_and_figure() -> None:
    result = _parse("atom_related.xml")
    assert result.format == "atom"
    assert result.title == "Le Courrier"
    first, second = result.dispatches
    assert first.url == "https://courrier.example/actu/belarus-pourparlers.html"
    assert [(r.headline, r.url) for r in first.related] == [
        ("Rapatriement des migrants", "https://courrier.example/actu/rapatriement.html"),
        ("La Russie et l'Ukraine", "https://courrier.example/actu/russie-ukraine.html"),
    ]
    assert first.dateline == "Hanoi (VNA)"
    assert first.language == "fr"
    assert first.byline == "Nguyen Van A"
    (photo,) = first.photos
    assert photo.url == "https://courrier.example/photos/minsk.jpg"
    assert photo.caption == "Les dirigeants à Minsk."
    assert photo.credit == "AFP/VNA/CVN"
    assert [b.kind for b in first.body] == ["paragraph", "photo", "paragraph"]
    assert first.credit_chain == ("Xinhua", "VNA", "CVN")  # taken from the last paragraph
    assert first.version_created is not None and first.first_created is not None
    assert first.version_created > first.first_created
    assert second.signals == ("update",)
    assert second.first_created is None and second.version_created is not None
    assert second.body[0].text == "L'UE confirme les discussions."


def test_json_feed() -> None:
    result = _parse("feed.json")
    assert result.format == "jsonfeed"
    assert (result.title, result.link) == ("JSON Wire", "https://json.example/")
    first, second, third = result.dispatches
    assert first.urgency == 1 and first.dateline == "GROSSETO, Italy (AP)"
    assert first.byline == "Maria Rossi" and first.summary == "A quake struck."
    assert [p.url for p in first.photos] == [
        "https://json.example/img/quake.jpg",
        "https://json.example/img/map.png",
    ]
    assert first.version_created is not None and first.version_created.minute == 10
    assert second.guid == "2" and second.byline == "Old Style Author"
    assert second.body[0].text == "First paragraph <with brackets>."
    assert third.url is None and third.headline == "bad url"
    assert third.guid.startswith("sha256:")


def test_json_feed_errors() -> None:
    with pytest.raises(FormatError):
        feed.parse(b'{"version": "https://jsonfeed.org/version/1"}', None)
    with pytest.raises(FormatError):
        feed.parse(b"[1, 2]", None)
    with pytest.raises(FormatError):
        feed.parse(b"{" * 100_000, None)


def test_empty_valid_feed_and_not_a_feed() -> None:
    result = parse(_rss(""), url=BASE)
    assert result.dispatches == [] and result.title == "T"
    with pytest.raises(FormatError, match="not a feed"):
        feed.parse(b"<html><body><p>hello</p></body></html>", BASE)
    with pytest.raises(FormatError, match="not a feed"):
        feed.parse(b'<?xml version="1.0"?>', BASE)


def test_item_cap() -> None:
    items = "".join(f"<item><title>n{i}</title><guid>g{i}</guid></item>" for i in range(1100))
    result = parse(_rss(items), url=BASE)
    assert len(result.dispatches) == MAX_ITEMS
    assert any(str(MAX_ITEMS) in w for w in result.warnings)


def test_untitled_and_fallback_guid() -> None:
    result = parse(_rss("<item><description>Only a body.</description></item><item/>"), url=BASE)
    (only,) = result.dispatches
    assert only.headline == "(untitled)"
    assert only.guid.startswith("sha256:")
    assert (
        only.guid
        == parse(_rss("<item><description>Only a body.</description></item>")).dispatches[0].guid
    )


def test_escape_payloads_are_stripped() -> None:
    title = "\x1b]52;c;ZWNobyBoaQ==\x07Headline \x1b[31mred\x1b[0m \x9b2J"
    data = _rss(
        f"<item><title>{title}</title><link>https://wire.example/a</link>"
        f"<description>&lt;p&gt;body &amp;#x1B;[2J \x1b]0;pwned\x07&lt;/p&gt;</description></item>"
    )
    (d,) = parse(data, url=BASE).dispatches
    # feedparser maps a lone C1 CSI to the cp1252 glyph "›": inert, so acceptable
    assert d.headline.startswith("Headline red")
    for text in [d.headline, d.summary, *(b.text for b in d.body)]:
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text


def test_entity_declarations_rejected_quickly() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + "x" * 65536 + '">\n]>\n'
        '<rss version="2.0"><channel><item><title>' + "&a;" * 40000 + "</title></item>"
        "</channel></rss>"
    ).encode()
    start = time.perf_counter()
    with pytest.raises(FormatError, match="entity declarations"):
        feed.parse(bomb, BASE)
    with pytest.raises(FormatError, match="entity declarations"):
        feed.parse(bomb.decode().encode("utf-16"), BASE)
    lower = _rss("<item><title>&a;</title></item>", prolog='<!DOCTYPE rss [<!entity a "b">]>')
    with pytest.raises(FormatError, match="entity declarations"):
        feed.parse(lower, BASE)
    assert time.perf_counter() - start < 2
    # the text "<!ENTITY" inside content is not a declaration
    ok = _rss("<item><title>x</title><description><![CDATA[<!ENTITY>]]></description></item>")
    assert len(feed.parse(ok, BASE).dispatches) == 1


def test_lone_surrogates_do_not_escape_as_unicode_errors() -> None:
    data = _rss("<item><title>lone &#xD800; surrogate SURR</title></item>")
    data = data.replace(b"SURR", b"\xed\xa0\x80\xff")
    (d,) = feed.parse(data, BASE).dispatches
    assert "lone" in d.headline
    d.headline.encode("utf-8")


def test_malformed_xml_is_recovered_with_a_warning() -> None:
    data = _rss(
        "<item><title>one</title><link>https://wire.example/1</link></item><item><title>two"
    )
    result = feed.parse(data[:-30], BASE)
    assert result.dispatches and "recovered from malformed XML" in result.warnings


def test_relative_links_need_an_http_base() -> None:
    data = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="file:///etc/">'
        b'<entry><id>urn:1</id><title>t</title><link href="passwd"/></entry></feed>'
    )
    (d,) = feed.parse(data, BASE).dispatches
    assert d.url is None


def _wellformed() -> list[Path]:
    root = shared_path("corpus", "feedparser-tests", "wellformed")
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_feedparser_wellformed_suite() -> None:
    files = _wellformed()
    assert len(files) > 500
    refused: list[str] = []
    for path in files:
        try:
            result = parse(path.read_bytes(), url="http://example.com/feed.xml")
        except FormatError as exc:
            refused.append(f"{path.relative_to(path.parents[1])}: {exc}")
            continue
        assert not any("could not be read" in w for w in result.warnings), path
    print(
        f"{len(refused)} of {len(files)} well-formed files raised FormatError:", *refused, sep="\n"
    )
    assert len(refused) < 10, refused


def test_newsboat_feeds() -> None:
    root = shared_path("corpus", "newsboat-tests")
    feeds = sorted(p for p in root.iterdir() if p.suffix in (".xml", ".atom"))
    assert feeds
    for path in feeds:
        result = parse(path.read_bytes(), url="https://example.com/feed")
        assert result.format in ("rss", "atom"), path
        assert result.dispatches, path
        for d in result.dispatches:
            assert d.guid and d.headline


def test_feedparser_json_example() -> None:
    path = shared_path("corpus", "feedparser-tests", "json", "example.json")
    result = parse(path.read_bytes())
    assert result.title == "My Example Feed"
    assert len(result.dispatches) == 2
    assert "alert" not in result.dispatches[1].body_text()


def test_guid_is_identity_not_rewritten_by_the_feed_url() -> None:
    data = _rss("<item><title>x</title><guid>w2</guid><link>/a/2</link></item>")
    (d,) = parse(data, url="https://moved.example/feeds/rss").dispatches
    assert d.guid == "w2"
    assert d.url == "https://moved.example/a/2"


def test_markup_in_a_leading_comment_is_not_the_root() -> None:
    data = b"<!--\nDescription: <b>bold</b> and <br/>\n-->\n" + _rss(
        "<item><title>x</title></item>"
    )
    assert parse(data).dispatches[0].headline == "x"


def test_summary_survives_a_media_description_after_it() -> None:
    """feedparser overwrites the summary with a later media:description; we keep both."""
    from wirereader.formats import parse

    xml = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>t</title>
<item><title>Story</title><link>https://example.org/s</link><guid>s1</guid>
<description>The real summary of the story.</description>
<media:content url="https://example.org/p.jpg" medium="image">
<media:description>The photo caption.</media:description><media:credit>AFP</media:credit>
</media:content></item></channel></rss>"""
    d = parse(xml, url="https://example.org/rss").dispatches[0]
    assert d.summary == "The real summary of the story."
    assert [b.text for b in d.body if b.text] == ["The real summary of the story."]
    assert d.photos[0].caption == "The photo caption." and d.photos[0].credit == "AFP"


def test_text_after_a_comment_in_a_body_is_kept() -> None:
    # lxml's tree walker reports comments and processing instructions only as their own
    # events: the words after "<!-- more -->" (WordPress puts it in bodies) were lost.
    from lxml import etree

    from wirereader.formats.html import element_to_content, html_to_content

    body = html_to_content("<p>one <!-- more --> two<?php x ?> three</p>")
    assert [b.text for b in body.blocks] == ["one two three"]
    nitf = etree.fromstring("<body.content><p>one <!-- c --> two</p></body.content>")
    assert [b.text for b in element_to_content(nitf, None).blocks] == ["one two"]


def test_hidden_headings_quotes_and_lists_leave_the_body_intact() -> None:
    # A hidden <h2> used to close a subhead it never opened: the whole item failed with
    # IndexError ("could not be read"); inside a quote it ended the quote early.
    from wirereader.formats.html import html_to_content

    body = html_to_content(
        "<p>a</p><h2 hidden>x</h2><p>b</p>"
        "<blockquote>q<h3 style='display:none'>x</h3> still quoted</blockquote>"
        "<ul aria-hidden='true'><li>gone</li></ul><p>c</p>"
    )
    assert [(b.kind, b.text) for b in body.blocks] == [
        ("paragraph", "a"),
        ("paragraph", "b"),
        ("quote", "q"),
        ("quote", "still quoted"),
        ("paragraph", "c"),
    ]
