"""The sanitizer's fast paths give exactly what the slow ones gave, on hostile input.

`sanitize` skips `urlsplit` and the idna codec for plain links, and skips substitutions
that would change nothing. Each shortcut is only sound if it is equivalent to the code it
bypasses, so the originals are kept here, verbatim, as references, and both are run on
many generated strings: controls, C1, bidi, combining marks, CJK, IDN hosts, ports, IPv6,
userinfo, empty labels, very long ones. The generator is seeded: a failure reproduces.
"""

from __future__ import annotations

import random
import sys
import unicodedata
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest

from wirereader import sanitize
from wirereader.sanitize import (
    _BLANK_RUNS,
    _COMBINING_RUN,
    _NEEDS_SCRUB,
    _SPACES,
    _SPOOF,
    _TRAILING_SPACE,
    _UNSAFE_URL_CHARS,
    MAX_URL,
    clean_line,
    clean_text,
    strip_controls,
    truncate,
)

# --- the references: sanitize.py as it was before the fast paths -------------------------


def reference_safe_url(url: str, base: str | None) -> str | None:
    url = url.strip()
    if not url or len(url) > MAX_URL or url.startswith("-"):
        return None
    if _UNSAFE_URL_CHARS.search(url) or _SPOOF.search(url):
        return None
    try:
        parts = urlsplit(url)
        if not parts.scheme:
            if not base or reference_safe_url(base, None) is None:
                return None
            url = urljoin(base, url)
            parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            return None
        if not parts.hostname or parts.username is not None or parts.password is not None:
            return None
        _ = parts.port
        host = parts.hostname.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if ":" in host:
        netloc = f"[{host}]" if parts.port is None else f"[{host}]:{parts.port}"
    clean = urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))
    return clean if len(clean) <= MAX_URL else None


def reference_cap_combining(text: str) -> str:
    if text.isascii():
        return text
    return _COMBINING_RUN.sub(r"\1", text)


def reference_clean_line(text: str | None, limit: int = sanitize.MAX_LINE) -> str:
    if not text:
        return ""
    text = text[: limit * 4]
    if _NEEDS_SCRUB.search(text):
        text = _SPOOF.sub("", strip_controls(text))
    text = _SPACES.sub(" ", text).strip()
    if not text.isascii():
        text = reference_cap_combining(unicodedata.normalize("NFC", text))
    return truncate(text, limit)


def reference_clean_text(text: str | None, limit: int = sanitize.MAX_BODY) -> str:
    if not text:
        return ""
    text = text[: limit * 2]
    if _NEEDS_SCRUB.search(text):
        text = _SPOOF.sub("", strip_controls(text))
    if "\n" in text:
        text = _BLANK_RUNS.sub("\n\n", _TRAILING_SPACE.sub("\n", text))
    if not text.isascii():
        text = reference_cap_combining(unicodedata.normalize("NFC", text))
    return truncate(text.strip(), limit)


# --- generated hostile URLs ---------------------------------------------------------------

SCHEMES = [
    "http", "https", "HTTP", "hTtPs", "ftp", "javascript", "file", "httpx", "http\u017f",
    "https\u212a", "\u0068ttp", "h\u0074tps", "", "1http", "ht-tp",
]  # fmt: skip
SEPARATORS = ["://", ":/", ":", "//", ":///", ":\\\\", "://@", "://:"]
LABELS = [
    "a", "Example", "EXAMPLE", "img", "x" * 63, "y" * 64, "", "-", "_", "a-b", "a_b", "0",
    "127", "xn--r8jz45g", "例え", "bücher", "ß", "\u212aelvin", "\u0131", "ﬁ", "a\u0301",
    "%41", "a%2e", "\u2024", "\uff0e", "\u3002", "٣", "\u200b", "\u202e", "日本",
]  # fmt: skip
HOST_SHAPES = [
    "[::1]", "[fe80::1%25eth0]", "[FE80::A]", "[v1.x]", "[::1", "::1]", "[]", "[::1]x",
    "user@a.example", "user:pw@a.example", "@a.example", ":@a.example", "a.example@b",
    "1.2.3.4", "256.1.1.1", "0x7f.1", "localhost", "LOCALHOST.", "a..b", ".a", "a.", "..",
    ".", "a" * 300, ("b" * 63 + ".") * 5,
]  # fmt: skip
PORTS = [
    "", ":", ":0", ":80", ":080", ":00000080", ":443", ":65535", ":65536", ":99999",
    ":123456", ":8a", ":+1", ":-1", ":٣", ":１", ": 1", "::80", ":80:81",
]  # fmt: skip
RESTS = [
    "", "/", "/a", "/A/B?c=D#E", "?", "#", "?#", "#?", "/p?", "/p#", "/p?#", "/p?#f",
    "/p#f?", "/p##", "/p??", "?q", "#f", "/a?b?c#d#e", "/$(id)", "/%00", "/a b", "/\x1b[31m",
    "/\u202e", "/é", "/日本", "/\x85", "/\x9b", "\\path", "/" + "a" * 9000, "/;x", "/@x",
    "/[x]", "/x]", "/x[",
]  # fmt: skip
NOISE = [" ", "\t", "\n", "\r", "\x00", "\x0b", "\x1b", "\x7f", "\x85", "\x9d", "\xa0",
         "\u2028", "\u3000", "\ufeff", "\u200f", "-", "<", '"', "`", "|", "^", "{"]  # fmt: skip
BASES = [None, "", "https://feed.example/rss", "HTTP://Feed.Example/a/b", "file:///etc/",
         "https://例え.jp/x/", "javascript:x", "https://[::1]:8080/a/", "ftp://x/"]  # fmt: skip


def _host(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return rng.choice(HOST_SHAPES)
    return ".".join(rng.choice(LABELS) for _ in range(rng.randint(1, 4)))


ASCII_LABELS = [label for label in LABELS if label.isascii()]


def _url(rng: random.Random) -> str:
    if rng.random() < 0.6:  # close to a plain link, so that the fast path is exercised
        host = ".".join(rng.choice(ASCII_LABELS) for _ in range(rng.randint(1, 4)))
        url = rng.choice(SCHEMES[:4]) + "://" + host + rng.choice(PORTS)
    else:
        url = rng.choice(SCHEMES) + rng.choice(SEPARATORS) + _host(rng) + rng.choice(PORTS)
    url += rng.choice(RESTS)
    if rng.random() < 0.15:  # a hostile character anywhere
        at = rng.randint(0, len(url))
        url = url[:at] + rng.choice(NOISE) + url[at:]
    if rng.random() < 0.1:
        url = rng.choice(["", " ", "\t", "-", "//", "/", "?", "#"]) + url
    if rng.random() < 0.05:  # relative, to be resolved against a base
        url = url.partition("://")[2]
    return url


PLAIN = [
    "https://example.org/a?b=1#c",
    "HTTPS://EXAMPLE.ORG",
    "http://a.b.c.:8080",
    "http://a.b.c:08080/x?",
    "https://x.example/p?#",
    "https://x.example/p#",
    "https://x.example/p#?",
    "https://" + "a" * 63 + ".example/",
    "https://" + "a" * 64 + ".example/",
    "https://" + "a" * 63 + "/",
    "https://" + "a" * 64 + "/",
    "https://" + "a" * 63 + "./",
    "https://a..b/",
    "https://./",
    "https://a.example:65535/",
    "https://a.example:65536/",
    "https://a.example:/",
    "https://a.example/" + "p" * (MAX_URL - 30),
]


@pytest.mark.parametrize("url", PLAIN)
@pytest.mark.parametrize("base", [None, "https://feed.example/rss"])
def test_safe_url_fast_path_matches_reference_on_plain_links(url: str, base: str | None) -> None:
    assert sanitize._safe_url.__wrapped__(url, base) == reference_safe_url(url, base)


def test_safe_url_matches_reference_on_generated_urls() -> None:
    rng = random.Random(20261128)
    fast_taken = 0
    for _ in range(40_000):
        url, base = _url(rng), rng.choice(BASES)
        got = sanitize._safe_url.__wrapped__(url, base)
        assert got == reference_safe_url(url, base), (url, base)
        fast_taken += sanitize._PLAIN_URL.match(url.strip()) is not None
    assert fast_taken > 3_000  # the generator does exercise the fast path


def test_plain_hosts_are_what_the_idna_codec_returns() -> None:
    """Every host `_PLAIN_URL` accepts comes out of the idna codec as it went in."""
    rng = random.Random(7)
    alphabet = "aZ09_-." + "."  # dots twice as likely: empty labels
    accepted = 0
    for _ in range(20_000):
        host = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 140)))
        if rng.random() < 0.3:
            host = ".".join("q" * rng.choice([1, 62, 63, 64, 65]) for _ in range(rng.randint(1, 3)))
        if sanitize._PLAIN_URL.fullmatch(f"http://{host}") is None:
            continue
        accepted += 1
        assert host.lower().encode("idna").decode("ascii") == host.lower()
    assert accepted > 1_000


# --- generated hostile text ---------------------------------------------------------------

TEXT_PIECES = [
    "a", "Word", " ", "  ", "\t", "\n", "\n\n", "\n\n\n", " \n", "\t\n", "\r\n", "\r",
    "\x00", "\x07", "\x0b", "\x0c", "\x1b[31m", "\x1b]0;t\x07", "\x1c", "\x1f", "\x7f",
    "\x85", "\x9b", "\x9d", "\xa0", "\xad", "\u1680", "\u2000", "\u200a", "\u200b",
    "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u202e", "\u2066", "\u061c",
    "\ufeff", "\U000e0041", "\ud800", "\ufdd0", "\uffff", "\u0301", "\u0301" * 7,
    "\u0e31\u0e34\u0e35\u0e36\u0e37", "e\u0301", "\u1e9b\u0323", "日本語", "한국어",
    "Thủ tướng", "ﬁ", "\u212b", "x" * 50, "\U0001f600", "\ue000", "\u0378",
]  # fmt: skip


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(TEXT_PIECES) for _ in range(rng.randint(0, 30)))


def test_clean_line_and_text_match_reference_on_generated_text() -> None:
    rng = random.Random(1128)
    for _ in range(30_000):
        text = _text(rng)
        limit = rng.choice([1, 5, 40, 4096])
        assert clean_line(text, limit) == reference_clean_line(text, limit), repr(text)
        assert clean_text(text, limit * 10) == reference_clean_text(text, limit * 10), repr(text)


def test_long_and_zalgo_text_match_reference() -> None:
    for text in [
        "x" * 20_000,
        " \n" * 10_000,
        "a" + "\u0301" * 5000,
        "\u0e31" * 4 + "x" + "\u0e31" * 5,
        "word  " * 3000,
        "\n \t \n\t\n x",
    ]:
        assert clean_line(text) == reference_clean_line(text)
        assert clean_text(text) == reference_clean_text(text)


def test_only_the_space_is_printable_whitespace() -> None:
    """`clean_line` skips `_SPACES` for printable text without a double space: sound only if
    ``\\s`` is exactly `str.isspace` and every whitespace character but U+0020 is unprintable."""
    for cp in range(sys.maxunicode + 1):
        char = chr(cp)
        assert (_SPACES.match(char) is not None) == char.isspace(), hex(cp)
        if char.isspace() and char != " ":
            assert not char.isprintable(), hex(cp)
