"""The one sanitizer, on the payloads feeds really carry (EXPECTATIONS G4, G5)."""

from __future__ import annotations

import pytest

from wirereader.sanitize import MAX_LINE, clean_line, clean_message, clean_text, safe_url

ESC = "\x1b"


@pytest.mark.parametrize(
    "payload",
    [
        f"{ESC}[31mred{ESC}[0m",
        f"{ESC}[2J{ESC}[H",
        f"{ESC}]0;pwned title\x07",
        f"{ESC}]52;c;SGVsbG8=\x07",
        f"{ESC}]8;;file:///etc/passwd{ESC}\\link{ESC}]8;;{ESC}\\",
        f"{ESC}P+q544e{ESC}\\",
        f"{ESC}c",
        "\x9b2J",
        "\x9d0;title\x9c",
        "\x07\x07\x07",
        f"{ESC}]0;unterminated title",
        "\x00NUL\x7fDEL\x08BS",
        "\u202eevil\u2066",
        "tag\U000e0041\U000e0042",
    ],
)
def test_no_control_survives(payload: str) -> None:
    for clean in (clean_line("a" + payload + "b"), clean_text("a" + payload + "b")):
        assert not any(ord(c) < 0x20 and c != "\n" for c in clean), repr(clean)
        assert not any(0x7F <= ord(c) <= 0x9F for c in clean), repr(clean)
        assert "\u202e" not in clean and "\U000e0041" not in clean
        assert clean.startswith("a")


def test_markup_is_left_as_text() -> None:
    assert clean_line("[bold]x[/] [@click=app.quit]y") == "[bold]x[/] [@click=app.quit]y"


def test_lines_and_bodies() -> None:
    assert clean_line("  two\nlines\tand   spaces ") == "two lines and spaces"
    assert clean_text("p1\r\n\r\n\r\n\r\np2") == "p1\n\np2"
    assert len(clean_line("x" * 10_000_000)) == MAX_LINE
    assert clean_line("x" * 10_000).endswith("…")
    zalgo = "Z" + "\u0301" * 10_000 + "algo"
    assert clean_line(zalgo) == "\u0179" + "\u0301" * 4 + "algo"  # NFC, then at most 4 marks
    assert clean_line("Thủ tướng") == "Thủ tướng"
    assert clean_line("lone \ud800 surrogate") == "lone \ufffd surrogate"
    assert clean_message(ValueError(f"bad {ESC}]52;c;x\x07 byte")) == "bad byte"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.org/a?b=1#c", "https://example.org/a?b=1#c"),
        ("http://例え.jp/", "http://xn--r8jz45g.jp/"),
        ("/relative", "https://feed.example/relative"),
        ("javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("file:///etc/passwd", None),
        ("vbscript:x", None),
        ("//protocol.relative/x", "https://protocol.relative/x"),
        ("-remote-debugging-port=9222", None),
        ("https://user:pw@example.org/", None),
        ("https://example.org/$(id)", "https://example.org/$(id)"),
        ("https://example.org/\x1b]52;c;x\x07", None),
        ("https://example.org/a b", None),
        ("https://example.org/" + "a" * 9000, None),
        ("https://example.org:99999/", None),
        ("", None),
    ],
)
def test_safe_url(url: str, expected: str | None) -> None:
    assert safe_url(url, "https://feed.example/rss") == expected


def test_relative_links_need_an_http_base() -> None:
    assert safe_url("passwd", "file:///etc/") is None
    assert safe_url("x", None) is None
