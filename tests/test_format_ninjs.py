"""ninjs 1.x/2.x/3.x: the IPTC corpus (real AP, dpa, NTB, TT items) and our own fixtures."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.conftest import CORPUS, FIXTURES, shared_path
from wirereader.formats import parse
from wirereader.model import Dispatch, FormatError, PubStatus

NINJS = CORPUS / "ninjs"
FILES = sorted(p.name for p in NINJS.glob("*.json")) if NINJS.is_dir() else []
PREFIX = "iptc-newsinjson_"

#: Not news: renditions-only fragments (no headline, body "..."), events and planning.
NON_NEWS = {
    "doc-v1.6_002_renditions_example.json": "item without headline or text",
    "doc-v2.2_002_renditions_example.json": "item without headline or text",
    "doc-v3.1_002_renditions_example.json": "item without headline or text",
    "doc-v3.1_008_event.json": "event",
    "ex-v3.0_20231004-UEFA-ChampionLeague.json": "event",
    "ex-v3.0_20231005-65-addb-event.json": "event",
    "ex-v3.0_20231016-addb-example-press-conference.json": "event",
    "ex-v3.0_collection_20231016-event-timeline-sample.json": "event",
    "ex-v3.0_simpleEvent.json": "event",
    "ex-v3.0_tt_event_pressconference_3.0.json": "event",
}


def one(name: str) -> Dispatch:
    result = parse(shared_path("corpus", "ninjs", PREFIX + name).read_bytes())
    assert result.format == "ninjs"
    assert len(result.dispatches) == 1
    return result.dispatches[0]


def fixture(name: str) -> bytes:
    return (FIXTURES / "wire" / name).read_bytes()


@pytest.mark.parametrize("name", FILES)
def test_every_corpus_file_parses_or_is_refused_clearly(name: str) -> None:
    data = shared_path("corpus", "ninjs", name).read_bytes()
    short = name.removeprefix(PREFIX)
    if short in NON_NEWS:
        with pytest.raises(FormatError, match=f"^no news item in this document: {NON_NEWS[short]}"):
            parse(data)
        return
    result = parse(data)
    assert result.dispatches
    for d in result.dispatches:
        assert d.headline.strip()
        assert d.guid
        assert d.format == "ninjs"


def test_corpus_listing_is_complete() -> None:
    shared_path("corpus", "ninjs")
    assert len(FILES) >= 60
    assert set(NON_NEWS) <= {f.removeprefix(PREFIX) for f in FILES}


def test_ap_picture_item_is_a_dispatch_showing_its_picture() -> None:
    d = one("ex-v3.0_ap_image.json")
    assert d.headline == "Turkey Islamic State"
    assert (d.urgency, d.version, d.pub_status) == (5, 0, PubStatus.USABLE)
    assert d.first_created == datetime(2019, 11, 15, 13, 39, 59, tzinfo=UTC)
    assert d.version_created == datetime(2019, 11, 15, 14, 39, 44, tzinfo=UTC)
    assert d.ednote == "TURKEY OUT  NOV. 11, 2019 FILE PHOTO"  # as sent
    assert d.slugline == "Turkey Islamic State"
    assert d.credit_chain == ("DHA",)
    assert d.creditline == "ASSOCIATED PRESS"
    [photo] = d.photos
    assert photo.caption.startswith("FILE - In this Monday, Nov. 11, 2019 file photo")
    assert photo.caption.endswith("(DHA via AP, File)")
    assert photo.credit == "ASSOCIATED PRESS"
    # the 512 px preview, not the 3000 px download or the 125 px thumbnail
    assert (photo.width, photo.height, photo.mime) == (512, 377, "image/jpeg")
    assert photo.url and photo.url.startswith("http://mapi.associatedpress.com/")
    assert [b.kind for b in d.body] == ["photo"]


def test_ap_video_and_audio_show_headline_and_caption() -> None:
    video = one("ex-v3.0_ap_video.json")
    assert video.headline == "House leaders double down on impeachment positions"
    assert video.located == "Washington"
    assert video.photos[0].caption.startswith("As the Trump impeachment hearings go public")
    assert video.photos[0].credit == "ASSOCIATED PRESS"
    assert video.photos[0].width == 1920
    audio = one("ex-v3.0_ap_audio.json")
    assert audio.urgency == 4
    assert audio.photos == ()
    assert (
        audio.body[0].text
        == "House Speaker Nancy Pelosi says the president committed an impeachable offense."
    )


@pytest.mark.parametrize("version", ["v2.1", "v3.0"])
def test_dpa_text(version: str) -> None:
    d = one(f"ex-{version}_dpa_text.json")
    assert d.headline == "Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?"
    assert (d.urgency, d.version, d.language) == (4, 2, "de")
    assert d.byline == "Von Christian Hollmann, dpa"
    assert d.credit_chain == ("dpa",)
    assert d.guid == "urn:newsml:dpa.com:20090101:190510-99-167362"
    assert [b.kind for b in d.body] == ["paragraph"] * 9
    assert d.body[0].text.startswith("Für Lucien Favre war es «der größte Skandal")
    assert d.version_created == datetime(2019, 5, 10, 14, 2, 28, tzinfo=UTC)


def test_ntb_text_has_summary_slugline_and_note() -> None:
    d = one("ex-v3.0_ntb_text.json")
    assert d.headline == "Google har kjøpt giganttomt i Skien"
    assert (d.urgency, d.version, d.language) == (5, 6, "nb-NO")
    assert d.slugline == "skien-google"
    assert d.ednote == "Noe utvidet."
    assert d.summary.startswith("IT-giganten Google har kjøpt en tomt")
    assert d.byline == "NTB"
    assert d.credit_chain == ("NTB",)


@pytest.mark.parametrize("name", ["ex-v3.0_tt_text_image_3.json", "ex-v2.1_tt_text_image_2.json"])
def test_tt_text_with_picture_association(name: str) -> None:
    d = one(name)
    assert d.headline == "Militärövning i jätteformat hålls 2023"
    assert (d.urgency, d.version, d.slugline) == (3, 1, "militärövning")
    # the <h1> repeating the headline is not shown twice
    assert all(b.text != d.headline for b in d.body)
    assert [b.kind for b in d.body].count("quote") == 2
    [photo] = d.photos  # the body <figure> and the association are one picture
    assert photo.caption.startswith("En stor internationell försvarsövning planeras 2023")
    assert photo.credit == "Karl Melander/TT"
    assert (
        photo.url
        == "https://beta.tt.se/media/text/210526-militarovning-a0f2d045/a001_NormalPreview.jpg"
    )
    assert d.credit_chain == ("TT",)


@pytest.mark.parametrize("version", ["doc-v1.6", "doc-v2.2", "doc-v3.1"])
def test_three_spec_versions_read_alike(version: str) -> None:
    d = one(f"{version}_004_simple_text_article.json")
    assert d.headline == "Captain of wrecked cruise ship on trial in Italy"
    assert d.byline == "Paulo Santalucia and Frances d'Emilio"
    assert d.dateline == "GROSSETO, Italy (AP)"
    assert len(d.body) == 4
    assert d.body[0].text.startswith("The trial of the captain")
    assert d.version_created == datetime(2013, 7, 9, 10, 37, tzinfo=UTC)


@pytest.mark.parametrize("version", ["doc-v1.6", "doc-v2.2", "doc-v3.1"])
def test_multimedia_pictures_lead_the_body(version: str) -> None:
    d = one(f"{version}_007_multimedia.json")
    assert [p.caption[:30] for p in d.photos] == [
        "The Costa Concordia cruise shi",
        "Francesco Schettino the captai",
    ]
    assert all(p.credit == "Paulo Santalucia" for p in d.photos)
    assert [b.kind for b in d.body[:2]] == ["photo", "photo"]
    assert d.located == "Grossetto, Italy"


@pytest.mark.parametrize("version", ["doc-v1.6", "doc-v2.2", "doc-v3.1"])
def test_photo_only_item(version: str) -> None:
    d = one(f"{version}_006_photo_only.json")
    assert d.headline == "Costa Concordia cruise ship"
    [photo] = d.photos
    assert photo.caption.startswith("The Costa Concordia cruise ship lies on its side")
    assert photo.credit == "Paulo Santalucia"
    assert photo.url == "http://hosted.ap.org/photos/2/2643c588-dc8d-4923-bebd-e3b904edbb3a-big.jpg"


def test_nitf_body_inside_ninjs() -> None:
    d = one(
        "ex-v3.0_20231008-anti-doping-measures-at-the-tour-down-under-will-be-the-toughest-ever"
        "-addb-ninjs-nitf.json"
    )
    assert d.body[0].text.startswith("The Australian Sports Anti-Doping Authority (ASADA)")
    assert len(d.body) > 10


def test_own_fixture_ninjs3_text_with_picture_and_related() -> None:
    [d] = parse(fixture("ninjs3_text_picture.json")).dispatches
    assert d.headline == "CORRECTED: Putin, Lukashenko discuss defence space"
    assert (d.urgency, d.version, d.pub_status) == (2, 3, PubStatus.WITHHELD)
    assert d.signals == ("correction",)  # explicit and from the headline, once
    assert d.embargoed_until == datetime(2021, 12, 19, 6, 0, tzinfo=UTC)
    assert d.version_created == datetime(2021, 12, 19, 4, 12, tzinfo=UTC)
    assert d.dateline == "MINSK, Dec 19 (Xinhua)"
    assert d.credit_chain == ("Xinhua", "VNA", "CVN")
    assert (d.slugline, d.located, d.byline) == (
        "Belarus-Russia-Talks",
        "Minsk, Belarus",
        "Staff reporter",
    )
    assert d.summary == "The two leaders spoke by phone."
    assert [(b.kind, b.text[:20]) for b in d.body] == [
        ("photo", ""),
        ("paragraph", "Russian President Vl"),
        ("subhead", "Next steps"),
        ("paragraph", "Both sides agreed to"),
    ]
    [photo] = d.photos
    assert (photo.caption, photo.credit) == ("Putin and Lukashenko meet in Minsk.", "AFP/VNA/CVN")
    assert photo.url == "https://img.example.org/minsk-1024.jpg"
    assert [(r.headline, r.url, r.guid) for r in d.related] == [
        (
            "Migrants: EU confirms talks with Belarus",
            "https://news.example.org/migrants",
            "urn:wirereader:test:ninjs3:migrants",
        ),
        ("A link that must not open", None, "urn:wirereader:test:ninjs3:bad"),
    ]


def test_ap_style_envelope_with_kill_duplicate_and_event() -> None:
    result = parse(fixture("ninjs_ap_envelope.json"))
    [d] = result.dispatches
    assert d.pub_status is PubStatus.CANCELED and d.is_withdrawn
    assert d.headline == "URGENT: Quake hits coast"  # the OSC 52 payload is gone
    assert (d.urgency, d.signals) == (3, ("urgent",))
    assert d.dateline == "TOKYO (AP)"
    assert [b.text for b in d.body] == ["A strong earthquake struck.", "No damage was reported."]
    assert any("event" in w for w in result.warnings)
    assert any("repeated uri" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([1, "two", None], "no news item in this document"),
        ({"meta": {"count": 0}}, "no news item in this document"),
        (
            {"type": "planning", "uri": "x", "headline": "Planned"},
            "no news item in this document: planning",
        ),
        ({"uri": "x", "bodies": [{"value": "..."}]}, "no news item in this document"),
    ],
)
def test_documents_without_news_are_refused(doc: object, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        parse(json.dumps(doc).encode())


def test_hostile_values_never_crash_or_leak() -> None:
    doc = {
        "uri": 12345,
        "headlines": "not a list",
        "headline": "Ok \u202e headline\u0007",
        "urgency": "99",
        "version": True,
        "renditions": [{"href": "javascript:alert(1)", "contentType": "image/png"}, "junk"],
        "associations": [
            "junk",
            {"type": "picture", "renditions": {"a": {"href": "file:///etc/passwd"}}},
        ],
        "type": "picture",
        "infoSources": "Xinhua",
    }
    [d] = parse(json.dumps(doc).encode(), url="https://feed.example.org/").dispatches
    assert d.headline == "Ok headline"
    assert d.urgency is None and d.version is None
    assert d.guid == "12345"
    assert all(p.url is None for p in d.photos)
    assert d.credit_chain == ("Xinhua",)


def test_deep_json_is_refused() -> None:
    with pytest.raises(FormatError, match="nested too deeply"):
        parse(b"[" * 100_000 + b"]" * 100_000)


def test_item_without_uri_gets_a_stable_fallback_guid() -> None:
    data = json.dumps({"headline": "No id here", "body_text": "Text."}).encode()
    first = parse(data, url="https://a.example/").dispatches[0].guid
    assert first.startswith("sha256:")
    assert parse(data, url="https://a.example/").dispatches[0].guid == first
