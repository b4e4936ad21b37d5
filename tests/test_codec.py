"""The cache's JSON form: lossless, canonical, and forgiving of other versions' output."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from wirereader.codec import (
    ENCODED_FIELDS,
    CodecError,
    content_hash,
    dispatch_from_json,
    dispatch_to_json,
)
from wirereader.model import Block, Dispatch, Photo, PubStatus, Related


def full_dispatch() -> Dispatch:
    """Every field set to something other than its default."""
    return Dispatch(
        guid="urn:xinhua:2024:1",
        headline="Le Bélarus propose des négociations",
        url="https://example.org/a/1",
        version=3,
        version_created=datetime(2024, 6, 1, 12, 30, 15, 123456, tzinfo=UTC),
        first_created=datetime(2024, 6, 1, 10, 0, tzinfo=UTC),
        urgency=2,
        pub_status=PubStatus.CANCELED,
        embargoed_until=datetime(2024, 6, 2, tzinfo=UTC),
        signals=("update", "correction"),
        slugline="BELARUS-TALKS",
        dateline="MINSK, Dec 19 (Xinhua) --",
        located="Minsk",
        byline="Ivan Petrov",
        language="fr",
        ednote="Corrects spelling",
        creditline="Xinhua",
        summary="Talks offered.",
        body=(
            Block("paragraph", "Premier paragraphe."),
            Block("subhead", "Contexte"),
            Block("quote", "« Nous sommes prêts »"),
            Block("photo", photo=0),
            Block("paragraph", "通胀率 lạm phát"),
        ),
        photos=(
            Photo("Putin and Lukashenko", "Xinhua/VNA/CVN", "https://example.org/p.jpg", 800, 600),
            Photo(caption="second", mime="image/png"),
        ),
        related=(
            Related("Rapatriement des migrants", url="https://example.org/r"),
            Related("By guid", guid="urn:x:2"),
        ),
        credit_chain=("Xinhua", "VNA", "CVN"),
        format="ninjs",
    )


def test_full_round_trip_is_lossless() -> None:
    d = full_dispatch()
    back = dispatch_from_json(dispatch_to_json(d))
    assert back == d
    assert isinstance(back.signals, tuple)
    assert isinstance(back.body, tuple)
    assert back.pub_status is PubStatus.CANCELED
    assert back.version_created is not None
    assert back.version_created.tzinfo is not None


def test_every_model_field_is_written() -> None:
    assert {f.name for f in fields(Dispatch)} == ENCODED_FIELDS
    d = full_dispatch()
    assert all(getattr(d, f.name) != f.default for f in fields(Dispatch) if f.name != "guid")


def test_minimal_round_trip_and_defaults_left_out() -> None:
    d = Dispatch(guid="g", headline="h")
    text = dispatch_to_json(d)
    assert json.loads(text) == {"v": 1, "guid": "g", "headline": "h"}
    assert dispatch_from_json(text) == d


def test_times_are_iso_utc() -> None:
    plus7 = timezone(timedelta(hours=7))
    d = Dispatch(guid="g", headline="h", first_created=datetime(2024, 6, 1, 19, 0, tzinfo=plus7))
    obj = json.loads(dispatch_to_json(d))
    assert obj["first_created"] == "2024-06-01T12:00:00Z"
    assert dispatch_from_json(dispatch_to_json(d)) == d  # same instant


def test_canonical_and_hash() -> None:
    d = full_dispatch()
    assert dispatch_to_json(d) == dispatch_to_json(replace(d))
    assert content_hash(d) == content_hash(replace(d))
    assert len(content_hash(d)) == 64
    assert content_hash(d) != content_hash(replace(d, headline="other"))
    assert content_hash(d) != content_hash(replace(d, body=d.body[:-1]))


def test_tolerant_read() -> None:
    text = json.dumps(
        {
            "v": 99,
            "guid": "g",
            "headline": "h",
            "future_field": {"x": 1},
            "urgency": "high",  # mistyped: falls back to the default
            "version_created": "not a time",
            "first_created": "2024-06-01T12:00:00",  # naive: taken as UTC
            "pub_status": "recalled",  # unknown: never shown as usable
            "body": [{"text": "p"}, {"kind": "table", "text": "t"}, "junk"],
            "photos": [{"caption": "c", "width": True}],
            "signals": ["a", 3],
        }
    )
    d = dispatch_from_json(text)
    assert d.urgency is None
    assert d.version_created is None
    assert d.first_created == datetime(2024, 6, 1, 12, tzinfo=UTC)
    assert d.pub_status is PubStatus.WITHHELD
    assert d.body == (Block("paragraph", "p"), Block("paragraph", "t"))
    assert d.photos == (Photo(caption="c"),)
    assert d.signals == ("a",)
    assert dispatch_from_json("{}") == Dispatch(guid="", headline="")


@pytest.mark.parametrize("text", ["", "not json", "[1, 2]", '"string"'])
def test_garbage_raises_codec_error(text: str) -> None:
    with pytest.raises(CodecError):
        dispatch_from_json(text)
