"""The one sanitizer: every string from a feed, file or page passes through here.

Why one module: terminal escape payloads, markup injection and dangerous links are
defeated only if *every* path applies the same rules (shared/hostile/EXPECTATIONS.md,
G4 and G5). Parsers call these functions while building a `Dispatch`, so the store, the
command line and the UI only ever see clean text.

What it guarantees:
- no ESC sequence (CSI, OSC, DCS, SOS, PM, APC), no C0 control (bodies keep ``\\n``),
  no DEL, no C1 control (8-bit CSI/OSC included), no lone surrogate, no noncharacter;
- single-line fields: no newline, no bidi override or isolate, no invisible TAG
  characters, whitespace collapsed, at most a few combining marks per character;
- hard length caps, with an ellipsis so a cut is visible;
- URLs: only absolute http(s), without userinfo, control characters, whitespace or a
  leading ``-``, resolved against an http(s) base and capped in length.

It does not escape markup: the UI never interprets feed text as markup in the first place
(it builds `Text`/`Content` objects), which is the only defence that cannot be bypassed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import urljoin, urlsplit, urlunsplit

#: Caps from EXPECTATIONS.md G3(d).
MAX_LINE = 4096
MAX_BODY = 1024 * 1024
MAX_URL = 8192
MAX_COMBINING = 4

# ESC-introduced sequences, 7-bit and 8-bit forms. String sequences (OSC, DCS, SOS, PM,
# APC) run to their terminator (BEL or ST) or, unterminated, to the end of the text:
# dropping the rest of a field is safer than letting a terminal swallow the next one.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\]|\x9d) .*? (?:\x07|\x1b\\|\x9c|$)            # OSC
  | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f]) .*? (?:\x1b\\|\x9c|$)  # DCS SOS PM APC
  | (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?  # CSI
  | \x1b [\x20-\x2f]* [\x30-\x7e]?                          # other ESC sequences, lone ESC
    """,
    re.VERBOSE | re.DOTALL,
)

# Controls left after the sequences are gone. Bodies keep \n; \t becomes a space.
_CONTROLS_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# Invisible or direction-changing characters that spoof what a single line says.
_SPOOF = re.compile(
    "[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\u115f\u1160\u3164\uffa0\U000e0000-\U000e007f]"
)
# Noncharacters and lone surrogates cannot be stored or encoded safely.
_INVALID = re.compile("[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_LINE_SEPARATORS = re.compile("[\u2028\u2029\u0085]")
_SPACES = re.compile(r"\s+")
_BLANK_RUNS = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
_TRAILING_SPACE = re.compile(r"(?<![ \t])[ \t]+\n")  # lookbehind: linear on long runs


# Anything the passes below would change. Almost every string from a real feed has none
# of it, and one search is far cheaper than the five substitutions it spares (the
# sanitizer runs on every field of every item: ~190 calls per dispatch).
_NEEDS_SCRUB = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\u115f\u1160\u3164\uffa0\U000e0000-\U000e007f]"
)


def strip_controls(text: str) -> str:
    """Remove terminal escape sequences and control characters, keeping newlines."""
    if not text:
        return ""
    text = _ESCAPES.sub("", text)
    text = text.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_SEPARATORS.sub("\n", text)
    text = _CONTROLS_TEXT.sub("", text)
    return _INVALID.sub("\ufffd", text)


# Runs of combining marks past MAX_COMBINING ("zalgo" text) in the blocks such text uses:
# one regex pass instead of a Python loop over every character of every field.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u0e31"
    "\u0e34-\u0e3a\u0e47-\u0e4e\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
_COMBINING_RUN = re.compile(f"([{_MARKS}]{{{MAX_COMBINING}}})[{_MARKS}]+")
_MARK = re.compile(f"[{_MARKS}]")


def _cap_combining(text: str) -> str:
    """Limit combining marks per base character, so 'zalgo' text cannot tower over rows."""
    # A run needs a mark, and a search costs a third of a substitution that finds nothing
    # (``sub`` with a group reference goes through Python-level template code every call).
    if text.isascii() or not _MARK.search(text):
        return text
    return _COMBINING_RUN.sub(r"\1", text)


def truncate(text: str, limit: int) -> str:
    """Cut to ``limit`` characters, ending in an ellipsis when anything was cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def clean_line(text: str | None, limit: int = MAX_LINE) -> str:
    """A single-line field (headline, byline, caption, source name): safe to draw in one row."""
    if not text:
        return ""
    # Cap before the regexes so a 10 MiB title costs little; the real cap is applied after.
    text = text[: limit * 4]
    if _NEEDS_SCRUB.search(text):
        text = _SPOOF.sub("", strip_controls(text))
    # Every whitespace character but the space is unprintable (categories Cc, Zs, Zl, Zp),
    # so printable text without a double space has nothing for `_SPACES` to collapse.
    if "  " in text or not text.isprintable():
        text = _SPACES.sub(" ", text)
    text = text.strip()
    if not text.isascii():
        text = _cap_combining(unicodedata.normalize("NFC", text))
    return truncate(text, limit)


def clean_text(text: str | None, limit: int = MAX_BODY) -> str:
    """A multi-line field (a body paragraph, a note): newlines kept, blank runs collapsed."""
    if not text:
        return ""
    text = text[: limit * 2]
    if _NEEDS_SCRUB.search(text):
        text = _SPOOF.sub("", strip_controls(text))
    if "\n" in text:
        # Substitute only when there is something to change: with no blank or tab before
        # any newline (true once trailing blanks are gone), a blank run needs three newlines.
        if " \n" in text or "\t\n" in text:
            text = _TRAILING_SPACE.sub("\n", text)
        if "\n\n\n" in text:
            text = _BLANK_RUNS.sub("\n\n", text)
    if not text.isascii():
        text = _cap_combining(unicodedata.normalize("NFC", text))
    return truncate(text.strip(), limit)


def clean_message(text: object, limit: int = 300) -> str:
    """An error message shown to users: error text can quote attacker bytes."""
    return clean_line(str(text), limit)


_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\"<>\\^`{|}]")


def safe_url(url: str | None, base: str | None = None) -> str | None:
    """An absolute http(s) URL fit to store, fetch or open, or None.

    Relative links resolve against ``base`` only when the base is itself http(s): a feed's
    ``xml:base="file:///etc/"`` must not turn a relative link into a local file.
    """
    if not url:
        return None
    return _safe_url(url, base)


# The shape nearly every link has: http(s), then an ASCII host whose labels the idna codec
# passes through unchanged (1 to 63 characters, the last perhaps followed by a dot), an
# optional port, then the end or a path, query or fragment. Anything else (IDN, IPv6,
# userinfo, ``%``, an empty port...) takes the general path through `urlsplit`. No
# IGNORECASE: under it ``[a-z]`` also matches the Kelvin sign and the long s.
_PLAIN_URL = re.compile(
    r"([hH][tT][tT][pP][sS]?)://"
    r"((?:[A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?)"
    r"(?::([0-9]{1,5}))?"
    r"(?=[/?#]|\Z)"
)


@functools.lru_cache(maxsize=8192)
def _safe_url(url: str, base: str | None) -> str | None:
    """`safe_url`, remembered: a feed names the same links, bases and photos many times."""
    url = url.strip()
    if not url or len(url) > MAX_URL or url.startswith("-"):
        return None
    # `_SPOOF` holds only non-ASCII characters.
    if _UNSAFE_URL_CHARS.search(url) or (not url.isascii() and _SPOOF.search(url)):
        return None
    plain = _PLAIN_URL.match(url)
    if plain is not None:
        return _plain_url(url, plain)
    return _general_url(url, base)


def _plain_url(url: str, plain: re.Match[str]) -> str | None:
    """What `_general_url` makes of a `_PLAIN_URL`, without its cost (~10 µs a link).

    `urlsplit` ends the host at the first ``/?#``, lower-cases it, and the idna codec
    returns an ASCII host as it is once its labels pass the length checks the pattern
    already made; `urlunsplit` drops an empty query or fragment. tests/test_sanitize_urls.py
    compares the two paths on thousands of hostile URLs.
    """
    scheme, host, port = plain.group(1, 2, 3)
    netloc = host.lower()
    if port is not None:
        number = int(port)
        if number > 65535:
            return None
        netloc = f"{netloc}:{number}"
    rest = url[plain.end() :]
    # Only an empty query or fragment is dropped: one ends the URL or comes right before
    # the ``#``. Otherwise the rest is kept as it is, which is the common case.
    if rest.endswith(("?", "#")) or "?#" in rest:
        path, _, fragment = rest.partition("#")
        path, _, query = path.partition("?")
        rest = path + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")
    clean = f"{scheme.lower()}://{netloc}{rest}"
    return clean if len(clean) <= MAX_URL else None


def _general_url(url: str, base: str | None) -> str | None:
    """Any other URL `_safe_url` let through: relative, IDN, IPv6, ports, userinfo."""
    try:
        parts = urlsplit(url)
        if not parts.scheme:
            if not base or safe_url(base) is None:
                return None
            url = urljoin(base, url)
            parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            return None
        if not parts.hostname or parts.username is not None or parts.password is not None:
            return None
        _ = parts.port  # raises ValueError on a malformed port
        host = parts.hostname.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if ":" in host:  # IPv6 literal
        netloc = f"[{host}]" if parts.port is None else f"[{host}]:{parts.port}"
    clean = urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))
    return clean if len(clean) <= MAX_URL else None


def url_host(url: str) -> str:
    """The host a URL really points at (punycode), to show before opening it."""
    return urlsplit(url).hostname or ""
