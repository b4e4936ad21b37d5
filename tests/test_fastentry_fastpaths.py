"""The fast path's shortcuts agree with what they shortcut, on generated and hostile input.

Each shortcut (`_fastentry`'s cached element classification; `_fpcompat`'s C1 and
double-UTF-8 repair, ``looks_like_html`` pre-check and slash fix of links without a
base) is compared with the code it replaced, kept here verbatim.
"""

from __future__ import annotations

import contextlib
import random

from wirereader.formats import _fastentry as fe
from wirereader.formats import _fpcompat as fpc

FP = fpc.feedparser_parts()
PIECES = [
    "a", "Title", " ", "&", "&amp;", "&#169;", "&nbsp;", "&bogus;", "</b>", "<b>", "</script>",
    "<", ">", "/", ";", "#", "é", "Ã©", "\x80", "\x85", "\x9f", "\xa0", "ÿ", "€", "日本",
    "\u202e", "\n", "\t", "\ud7ff", "\U0001f600", "http://", "https:///", "//", "x:",
]  # fmt: skip


def _strings(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12))) for _ in range(count)]


def reference_fix(text: str) -> str:
    if text.isascii():
        return text
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(FP.cp1252) if fpc._C1.search(text) else text


def test_fix_matches_reference() -> None:
    for text in [*_strings(1, 20_000), "caf\xc3\xa9", "\xe2\x80\x99", "\x93quoted\x94"]:
        assert fpc.fix(text, FP) == reference_fix(text), repr(text)


def test_looks_like_html_matches_feedparser() -> None:
    for text in _strings(2, 20_000):
        assert fpc.looks_like_html(text, FP) == FP.looks_like_html(text), repr(text)


def test_resolve_without_a_base_matches_the_uri_fixer() -> None:
    scope = fpc.Scope(use_base=False, use_lang=False)
    for uri in [*_strings(3, 20_000), "http:////x", "HTTP://a", "a+b-c.d:///x", "1a:///x"]:
        assert scope.resolve("", uri) == fpc._URIFIXER.sub(r"\1\3", uri), repr(uri)


def reference_kind(name: str) -> str:
    """The branch the element loop took before `_classify`, in its order."""
    if name in fe._MEDIA_OK:
        return "skip"
    if name.startswith("media_") and name not in ("media_title", "media_description"):
        return "refuse-media"
    if name in ("title", "media_title"):
        return "title"
    if name == "link":
        return "link"
    if name in ("guid", "id"):
        return "id"
    if name in fe._PUBLISHED or name in fe._UPDATED or name in fe._CREATED:
        return (
            "published"
            if name in fe._PUBLISHED
            else "updated"
            if name in fe._UPDATED
            else "created"
        )
    if name in fe._DESCRIPTIONS or name == "media_description":
        return "description"
    if name in fe._CONTENTS:
        return "content"
    if name in fe._AUTHORS:
        return "author"
    if name in ("enclosure", "source", "dc_source"):
        return name
    if name == "!" or (name in FP.handlers and name not in fe._HARMLESS):
        return "refuse"
    return "other"


def test_classify_matches_the_old_branches() -> None:
    names = {*FP.handlers, *fe._MEDIA_OK, *fe._HARMLESS, "media_title", "media_description"}
    names |= {"media_bogus", "x", "name", "email", "uri", "!", "dc_source", "source"}
    tags = [(name, None) for name in names if name.islower() and "_" not in name]
    for uri in [*FP.namespaces, "http://unknown.example/"]:
        for local in ["title", "description", "content", "thumbnail", "date", "creator", "x"]:
            tags += [(f"{{{uri}}}{local}", prefix) for prefix in (None, "zz", "media", "dc")]
    for tag, prefix in tags:
        name, kind, media, deep_refused = fe._classify(tag, prefix)
        assert name == fpc.name(tag, prefix)
        assert kind == reference_kind(name), tag
        assert media == name.startswith("media_")
        assert deep_refused == (name in FP.handlers or name in ("dc_source", "!"))
