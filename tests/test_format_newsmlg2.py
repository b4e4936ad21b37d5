"""NewsML-G2: the IPTC corpus (incl. TT's real newsMessage) and our own fixtures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import CORPUS, FIXTURES, shared_path
from wirereader.formats import parse
from wirereader.formats._g2_meta import read_meta
from wirereader.formats._wire import parse_xml
from wirereader.model import Dispatch, FormatError, PubStatus

G2 = CORPUS / "newsmlg2"
FILES = sorted(p.name for p in G2.glob("*.xml")) if G2.is_dir() else []

_NO_TEXT = "has no headline or text"
#: Why each non-news corpus file is refused (the start of the FormatError message).
NON_NEWS = {
    "LISTING_10_": "no news item in this document: conceptItem",
    "LISTING_11_": "no news item in this document: conceptItem",
    "LISTING_12_": "no news item in this document: knowledgeItem",
    "LISTING_13_": "no news item in this document: catalogItem",
    "LISTING_14_": "no news item in this document: conceptItem",
    "LISTING_15_": "no news item in this document: knowledgeItem",
    "LISTING_16_": f"no news item in this document: newsItem {_NO_TEXT}",  # events, no story
    "LISTING_17_": "no news item in this document: planningItem",
    "LISTING_18_": "no news item in this document: planningItem",
    "LISTING_19_": "no news item in this document: planningItem",
    "LISTING_20_": "no news item in this document: planningItem",
    # a skeleton: items whose content is "....."
    "LISTING_24_": "no news item in this document: newsMessage has no item with",
    # fragments, not documents: the sniffer does not even route them here
    "LISTING_25_": "no news item",
    "LISTING_28_": "no news item",
    "LISTING_7_": "no news item",
    "LISTING_8_": "no news item",
    "LISTING_9_": "no news item",
    "LISTING_29_": f"no news item in this document: newsItem {_NO_TEXT}",  # hop history only
    "ap_metadata_example": f"no news item in this document: newsItem {_NO_TEXT}",
    "facet-example.xml": f"no news item in this document: newsItem {_NO_TEXT}",
    "facet-example-2": f"no news item in this document: newsItem {_NO_TEXT}",
    "test_2.27_001": f"no news item in this document: newsItem {_NO_TEXT}",
    "test_2.27_CR00203": f"no news item in this document: newsItem {_NO_TEXT}",
    "test_2.9_CR00138": f"no news item in this document: newsItem {_NO_TEXT}",
    "test_dev_001": f"no news item in this document: newsItem {_NO_TEXT}",
}


def _refusal(name: str) -> str | None:
    return next((msg for key, msg in NON_NEWS.items() if key in name), None)


def one(name: str, url: str | None = None) -> Dispatch:
    result = parse(shared_path("corpus", "newsmlg2", name).read_bytes(), url=url)
    assert result.format == "newsml-g2"
    assert len(result.dispatches) == 1
    return result.dispatches[0]


def fixture(name: str) -> bytes:
    return (FIXTURES / "wire" / name).read_bytes()


@pytest.mark.parametrize("name", FILES)
def test_every_corpus_file_parses_or_is_refused_clearly(name: str) -> None:
    data = shared_path("corpus", "newsmlg2", name).read_bytes()
    refusal = _refusal(name)
    if refusal:
        with pytest.raises(FormatError) as info:
            parse(data)
        assert str(info.value).startswith(refusal)
        return
    result = parse(data)
    assert result.dispatches
    for d in result.dispatches:
        assert d.headline.strip()
        assert d.format == "newsml-g2"


def test_corpus_listing_is_complete() -> None:
    shared_path("corpus", "newsmlg2")
    assert len(FILES) >= 40
    for key in NON_NEWS:
        assert any(key in name for name in FILES), key


def test_tt_news_message_gives_one_story_with_its_picture() -> None:
    result = parse(
        shared_path("corpus", "newsmlg2", "iptc-newsinjson_TT_newsmlg2_sample.xml").read_bytes()
    )
    assert result.warnings == []
    [d] = result.dispatches  # the package and the picture item are folded into the story
    assert d.guid == "http://tt.se/media/text/210919-janguillou-879f202b"
    assert d.headline == 'Jan Guillou skriver på ny "Hamilton"-bok'
    assert (d.urgency, d.version, d.language, d.slugline) == (3, 1, "sv", "janguillou")
    assert d.version_created == datetime(2021, 9, 19, 18, 57, 43, tzinfo=UTC)
    assert d.credit_chain == ("TT",)
    [photo] = d.photos
    assert photo.caption.startswith("Journalisten och författaren Jan Guillou")
    assert photo.credit == "Naina Helén Jåma/TT"
    assert (
        photo.url
        == "https://beta.tt.se/media/text/210919-janguillou-879f202b/a001_NormalPreview.jpg"
    )
    assert [b.kind for b in d.body].count("quote") == 2
    assert all(b.text != d.headline for b in d.body)


@pytest.mark.parametrize(
    "name",
    ["iptc-newsml-g2_LISTING_2_NewsML-G2_Text_Document.xml", "iptc-newsml-g2_Receiver_View.xml"],
)
def test_nitf_text_document(name: str) -> None:
    d = one(name)
    assert d.headline == 'Fed to halt QE to avert "bubble"'
    assert d.slugline == "US-Finance-Fed"
    assert d.located == "New York, NY" or d.located == ""
    assert d.byline.startswith("By Meredith Jameson,")
    assert [b.kind for b in d.body] == ["paragraph", "paragraph"]
    assert d.credit_chain[0] == "Associated Press"
    assert d.language == "en-US"


def test_receiver_view_urgency() -> None:
    assert one("iptc-newsml-g2_Receiver_View.xml").urgency == 5


def test_news_item_metadata() -> None:
    d = one("iptc-newsml-g2_LISTING_1_A_NewsML-G2_News_Item.xml")
    assert d.guid == "urn:newsml:acmenews.com:20161018:US-FINANCE-FED"
    assert d.version == 11
    assert d.signals == ("update",)
    assert d.embargoed_until == datetime(2018, 10, 23, 12, 0, tzinfo=UTC)
    assert d.first_created == datetime(2016, 10, 18, 18, 12, 21, tzinfo=UTC)
    assert d.ednote.startswith("Note to editors: STRICTLY EMBARGOED.")
    assert d.located == "Berlin, Germany"
    assert d.byline == "Meredith Jameson"
    assert d.language == "en-GB"
    assert [r.url for r in d.related] == [
        "http://www.example.com/video/20081222-PNN-1517-407624/index.html"
    ]


def test_picture_item_is_a_dispatch_with_its_photo() -> None:
    name = "iptc-newsml-g2_LISTING_3_Photo_in_NewsML-G2.xml"
    d = one(name, url="https://photos.example.org/feed/")
    assert d.headline == "Variety Of Recessionary Forces Leave Las Vegas Economy Scarred"
    [photo] = d.photos
    assert photo.caption.startswith("A general view of part of downtown, including Las Vegas")
    assert photo.credit == "Getty Images"
    # the relative highRes href resolves against the feed; file:// renditions never count
    assert photo.url == "https://photos.example.org/feed/GYI0062134533.jpg"
    assert (photo.width, photo.height) == (1500, 1001)
    assert one(name).photos[0].url is None  # no base: a relative link is not a URL
    assert d.byline == "Spencer Platt"
    assert d.creditline == "Getty Images"


def test_embedded_photo_metadata() -> None:
    d = one("iptc-newsml-g2_LISTING_26_Embedded_photo_metadata_fields_mapped_to_NewsML-G2.xml")
    assert (d.urgency, d.slugline) == (4, "USA-CRASH/MILITARY")
    assert d.photos[0].credit == "Acme/John Smith"
    assert d.photos[0].caption.startswith("A firefighter in a flameproof suit")
    assert (
        d.photos[0].url
        == "http://www.acmenews.com/content/pictures/hires/20081208/USA-CRASH-MILITARY_001_HI.jpg"
    )


def test_sports_story_nitf() -> None:
    d = one("iptc-newsml-g2_LISTING_22_Sports_story_in_NewsML-G2NITF.xml")
    assert d.headline.startswith("Preview: Arizona Diamondbacks (29-23) at Philadelphia Phillies")
    assert len(d.body) == 6
    assert d.summary.startswith("A pair of teams coming off big weekend sweeps will square off")
    assert d.slugline == "AAV!PREVIEW-ARI-PHI"


def test_package_lists_its_items_as_related() -> None:
    d = one("iptc-newsml-g2_LISTING_6_Simple_NewsML-G2_Package.xml")
    assert d.headline == "UK"
    assert d.signals == ("update",)
    assert [(r.headline, r.guid) for r in d.related] == [
        ("Obama annonce son équipe", "urn:newsml:iptc.org:20081007:tutorial-item-A"),
        ("Barack Obama arrive à Washington", "urn:newsml:iptc.org:20081007:tutorial—item-B"),
    ]


@pytest.mark.parametrize(
    ("name", "signals"),
    [
        ("iptc-newsml-g2_test_2.27_CR00203_signal_literal.xml", ["literal"]),
        ("iptc-newsml-g2_test_2.9_CR00138_signal_severity.xml", ["x"]),
    ],
)
def test_signal_test_files(name: str, signals: list[str]) -> None:
    """These hold only itemMeta (no headline, no content): refused as dispatches, but
    their signals are read like any other item's."""
    data = shared_path("corpus", "newsmlg2", name).read_bytes()
    assert read_meta(parse_xml(data), None).signals == signals
    with pytest.raises(FormatError, match="no headline or text"):
        parse(data)


def test_own_fixture_nitf_canceled_flash() -> None:
    [d] = parse(fixture("g2_nitf_canceled.xml"), url="https://wire.example.org/").dispatches
    assert d.pub_status is PubStatus.CANCELED and d.is_withdrawn
    assert d.headline == "FLASH Talks collapse in Hanoi"  # the role-less headline, not the sub
    assert (d.urgency, d.version) == (1, 4)
    assert d.signals == ("correction", "flash")
    assert d.dateline == "Hanoi (VNA)"
    assert (d.located, d.byline, d.creditline) == ("Hanoi, Viet Nam", "By Staff", "Xinhua/VNA")
    assert d.credit_chain == ("Xinhua", "VNA")
    assert d.ednote == "Kill: this story was withdrawn."
    assert d.version_created == datetime(2024, 1, 1, 1, 30, tzinfo=UTC)
    assert [(b.kind, b.text) for b in d.body] == [
        ("paragraph", "The talks collapsed on Monday."),
        ("subhead", "Reactions"),
        ("paragraph", "Both sides blamed each other."),
        ("photo", ""),
        ("paragraph", "More to follow."),
    ]
    [photo] = d.photos
    assert (photo.caption, photo.credit, photo.url) == (
        "Delegates leave the hall in Hanoi.",
        "VNA",
        "https://img.example.org/hanoi.jpg",
    )
    # the file:// seeAlso link is dropped, the https one kept
    assert [(r.headline, r.url) for r in d.related] == [
        ("Earlier: talks open in Hanoi", "https://news.example.org/earlier")
    ]


def test_own_fixture_message_folds_picture_into_story() -> None:
    result = parse(fixture("g2_message_picture.xml"))
    [d] = result.dispatches
    assert d.guid == "urn:test:story"
    assert d.dateline == "GDANSK, Feb 1 (PAP)"
    assert [b.kind for b in d.body] == ["photo", "paragraph", "paragraph"]
    [photo] = d.photos
    assert (photo.caption, photo.credit) == ("Ships wait outside the harbour.", "PAP/Jan Kowalski")
    assert photo.url == "https://img.example.org/harbour-800.jpg"


def test_message_of_only_concepts_is_refused() -> None:
    data = b"""<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>
      <conceptItem guid="a"/><planningItem guid="b"/></itemSet></newsMessage>"""
    with pytest.raises(FormatError, match="newsMessage of conceptItem, planningItem"):
        parse(data)


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE newsItem [<!ENTITY a "aaaaaaaaaa">]>'
        b"<newsItem><contentMeta><headline>&a;&a;</headline></contentMeta></newsItem>",
        b'<!DOCTYPE newsItem [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<newsItem><contentMeta><headline>&x;</headline></contentMeta></newsItem>",
    ],
)
def test_entity_declarations_are_refused(data: bytes) -> None:
    with pytest.raises(FormatError, match="entity declarations rejected"):
        parse(data)


def test_malformed_and_deep_xml_raise_format_error() -> None:
    with pytest.raises(FormatError, match="invalid XML"):
        parse(b"<newsItem><contentMeta><headline>x</contentMeta>")
    deep = b"<newsItem>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</newsItem>"
    with pytest.raises(FormatError, match="invalid XML"):
        parse(deep)


def test_hostile_text_is_sanitized() -> None:
    data = (
        b'<newsItem guid="g1"><itemMeta><itemClass qcode="ninat:picture"/></itemMeta>'
        b"<contentMeta><headline>Hello \xe2\x80\xae\xc2\x9b31m&#x9D;52;c;aGk=&#x9C;world"
        b"</headline></contentMeta><contentSet>"
        b'<remoteContent href="javascript:alert(1)" contenttype="image/jpeg"/></contentSet>'
        b"</newsItem>"
    )
    [d] = parse(data).dispatches
    assert d.headline == "Hello world"
    assert d.photos[0].url is None
    with pytest.raises(FormatError, match="invalid XML"):  # a raw ESC is not XML at all
        parse(data.replace(b"Hello", b"Hello \x1b[31m"))
