"""Photos: fetched once into the cache under the full-text rules, drawn only when switched on.

Every picture here is made with Pillow and served on 127.0.0.1; the fixture feed's
``https://wire.example`` photos are never fetched (images are off unless a test says so).
"""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.loopback import LoopbackServer, loopback_fixture
from tests.ui_helpers import make_reader
from wirereader.config import Config, ConfigError, load, save
from wirereader.model import Dispatch, Photo, StoredDispatch
from wirereader.service import Reader
from wirereader.service.photos import MAX_BYTES, cache_path, cached_photo, image_kind, may_fetch
from wirereader.ui.app import WireReaderApp
from wirereader.ui.dispatch import DispatchView, PhotoCaption, photo_note
from wirereader.ui.photo import fit_cells, load_picture, should_enable, terminal_draws_images

loopback = loopback_fixture()
SIZE = (120, 40)


def picture(fmt: str = "PNG", size: tuple[int, int] = (48, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format=fmt)
    return out.getvalue()


class RecordingFetcher:
    """Stands in for `Fetcher` where nothing may be fetched: it only records."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    async def fetch(self, url: str, **_: Any) -> Any:
        self.urls.append(url)
        raise AssertionError(f"fetched {url}")


def stored_with(photos: tuple[Photo, ...], source_url: str) -> StoredDispatch:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return StoredDispatch(
        id=1,
        source_id=1,
        source_title="t",
        source_url=source_url,
        dispatch=Dispatch(guid="g", headline="h", photos=photos),
        time=now,
        first_seen=now,
        updated=now,
        updates=0,
        read=False,
        starred=False,
    )


# -- the cache ---------------------------------------------------------------------------


def test_image_kind_reads_magic_bytes_only() -> None:
    assert image_kind(picture("PNG")) == "png"
    assert image_kind(picture("JPEG")) == "jpeg"
    assert image_kind(picture("GIF")) == "gif"
    assert image_kind(picture("WEBP")) == "webp"
    assert image_kind(b"<html>not a picture</html>") is None
    assert image_kind(b"RIFF\0\0\0\0WAVE") is None
    assert image_kind(b"") is None


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
async def test_fetched_once_then_served_from_cache(
    loopback: LoopbackServer, tmp_path: Path, fmt: str
) -> None:
    body = picture(fmt)
    loopback.route("/p/1", body=body, content_type=f"image/{fmt.lower()}")
    photo = Photo(caption="c", url=loopback.url("/p/1"))
    feed = loopback.url("/feed")
    first = await cached_photo(photo, source_url=feed, cache_dir=tmp_path / "images")
    assert first is not None and first.read_bytes() == body
    assert first == cache_path(photo.url or "", tmp_path / "images")
    assert loopback.requests_for("/p/1")[0].headers["accept"] == "image/*"
    again = await cached_photo(photo, source_url=feed, cache_dir=tmp_path / "images")
    assert again == first
    assert len(loopback.requests_for("/p/1")) == 1  # the second came from the cache
    assert [p.name for p in (tmp_path / "images").iterdir()] == [first.name]  # no temp files


async def test_a_non_image_labelled_as_png_is_refused(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route("/p/fake.png", body=b"<html><script>x</script></html>", content_type="image/png")
    photo = Photo(url=loopback.url("/p/fake.png"))
    got = await cached_photo(photo, source_url=loopback.url("/feed"), cache_dir=tmp_path)
    assert got is None
    assert len(loopback.requests_for("/p/fake.png")) == 1
    assert list(tmp_path.iterdir()) == []


async def test_a_picture_over_the_limit_is_refused(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    huge = picture() + b"\0" * MAX_BYTES
    loopback.route("/p/huge.png", body=huge, content_type="image/png")
    photo = Photo(url=loopback.url("/p/huge.png"))
    got = await cached_photo(photo, source_url=loopback.url("/feed"), cache_dir=tmp_path)
    assert got is None
    assert list(tmp_path.iterdir()) == []


async def test_http_errors_and_dead_servers_give_none(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    feed = loopback.url("/feed")
    assert (
        await cached_photo(Photo(url=loopback.url("/404")), source_url=feed, cache_dir=tmp_path)
        is None
    )
    assert await cached_photo(Photo(url=None), source_url=feed, cache_dir=tmp_path) is None
    assert (
        await cached_photo(Photo(url="javascript:x"), source_url=feed, cache_dir=tmp_path) is None
    )


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("http://10.0.0.1/p.jpg", "http://127.0.0.1:9/feed"),  # private, not the feed's host
        ("http://192.168.1.1/p.jpg", "https://wire.example/feed"),
        ("http://169.254.169.254/latest/meta-data", "https://wire.example/feed"),
        ("http://localhost:9/p.jpg", "https://wire.example/feed"),
        ("http://[::1]:9/p.jpg", "https://wire.example/feed"),
        ("http://127.0.0.1:9/p.jpg", "file:///home/me/wire.xml"),  # local file: public only
        ("http://127.0.0.1:9/p.jpg", "wirereader:samples"),
        ("http://127.0.0.1:9/p.jpg", None),
    ],
)
async def test_private_addresses_are_never_fetched(
    tmp_path: Path, url: str, source: str | None
) -> None:
    fetcher = RecordingFetcher()
    got = await cached_photo(
        Photo(url=url),
        source_url=source,
        cache_dir=tmp_path,
        fetcher=fetcher,  # type: ignore[arg-type]
    )
    assert got is None
    assert fetcher.urls == []


async def test_a_loopback_picture_of_a_non_loopback_feed_gets_no_request(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route("/p/1", body=picture(), content_type="image/png")
    photo = Photo(url=loopback.url("/p/1"))
    got = await cached_photo(photo, source_url="https://wire.example/feed", cache_dir=tmp_path)
    assert got is None
    assert loopback.requests == []


def test_the_fetch_rule() -> None:
    assert may_fetch("https://cdn.example/p.jpg", "https://wire.example/feed")
    assert may_fetch("http://10.1.2.3/p.jpg", "http://10.1.2.3/feed")  # the feed's own host
    assert not may_fetch("http://10.1.2.3/p.jpg", "http://10.9.9.9/feed")
    assert may_fetch("https://cdn.example/p.jpg", "file:///x/wire.xml")
    assert not may_fetch("http://127.0.0.1/p.jpg", "file:///x/wire.xml")


async def test_reader_photo_file_and_offline_cached_path(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    body = picture("JPEG")
    loopback.route("/p/1.jpg", body=body, content_type="image/jpeg")
    photo = Photo(caption="c", url=loopback.url("/p/1.jpg"))
    stored = stored_with((Photo(caption="no url"), photo), loopback.url("/feed"))
    with Reader(tmp_path / "cache.db", tmp_path / "config.toml") as reader:
        assert reader.image_dir == tmp_path / "images"
        assert reader.cached_photo_path(photo) is None  # offline, nothing cached yet
        assert loopback.requests == []  # and asking did not fetch
        assert await reader.photo_file(stored, 0) is None  # no URL
        assert await reader.photo_file(stored, 7) is None  # no such photo
        path = await reader.photo_file(stored, 1)
        assert path is not None and path.read_bytes() == body
        assert reader.cached_photo_path(photo) == path
        assert reader.cached_photo_path(Photo(url=loopback.url("/p/other.jpg"))) is None
    assert len(loopback.requests_for("/p/1.jpg")) == 1


# -- settings and detection --------------------------------------------------------------


def test_images_setting(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert load(path).images == "auto"
    for raw, want in (('"on"', "on"), ('"OFF"', "off"), ("true", "on"), ("false", "off")):
        path.write_text(f"[settings]\nimages = {raw}\n")
        assert load(path).images == want
    path.write_text('[settings]\nimages = "sometimes"\n')
    with pytest.raises(ConfigError, match="images must be one of auto, on, off"):
        load(path)
    save(path, Config(images="off"))
    assert load(path).images == "off"


@pytest.mark.parametrize(
    ("env", "draws"),
    [
        ({"TERM": "xterm-kitty", "KITTY_WINDOW_ID": "1"}, True),
        ({"TERM": "xterm-256color", "KITTY_WINDOW_ID": "3"}, True),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, True),
        ({"TERM": "xterm-ghostty", "TERM_PROGRAM": "ghostty"}, True),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, True),
        ({"TERM": "foot"}, True),
        ({"TERM": "mlterm"}, True),
        ({"TERM": "xterm-256color"}, False),  # sixel cannot be proved from the environment
        ({"TERM": "xterm"}, False),
        ({"TERM": "linux"}, False),
        ({}, False),
        # a multiplexer in between: not even inside kitty
        ({"TERM": "tmux-256color", "TMUX": "/tmp/t,1,0", "KITTY_WINDOW_ID": "1"}, False),
        ({"TERM": "screen-256color", "TERM_PROGRAM": "tmux"}, False),
        ({"TERM": "xterm-kitty", "STY": "1.pts-0"}, False),
    ],
)
def test_terminal_detection(env: dict[str, str], draws: bool) -> None:
    assert terminal_draws_images(env) is draws


def test_the_setting_against_the_environment() -> None:
    kitty = {"TERM": "xterm-kitty"}
    assert should_enable("auto", kitty)
    assert not should_enable("auto", {"TERM": "tmux-256color", "TMUX": "x"})
    assert not should_enable("off", kitty)
    assert should_enable("on", {"TERM": "tmux-256color", "TMUX": "x"})


def test_textual_image_is_not_imported_unless_pictures_are_on() -> None:
    """Its import probes the terminal (~350 ms): a plain start must never pay for it."""
    code = (
        "import sys\n"
        "from wirereader.ui.photo import enable_images\n"
        "import wirereader.ui.app\n"
        "assert enable_images('auto', {'TERM': 'tmux-256color', 'TMUX': 'x'}) is False\n"
        "assert enable_images('off', {'TERM': 'xterm-kitty'}) is False\n"
        "bad = [m for m in ('textual_image', 'PIL') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_fit_cells_keeps_the_shape() -> None:
    # 1200x800 on 10x20-pixel cells: 120 columns would be 40 rows; capped at 12 rows.
    assert fit_cells((1200, 800), 100, 12, (10, 20)) == (36, 12)
    assert fit_cells((200, 100), 100, 12, (10, 20)) == (20, 5)  # never enlarged
    assert fit_cells((3000, 100), 50, 12, (10, 20)) == (50, 1)
    assert fit_cells((0, 0), 50, 12, (10, 20)) == (0, 0)


def test_load_picture_shrinks_and_refuses_junk(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(picture("JPEG", (4000, 3000)))
    img = load_picture(big)
    assert img is not None and max(img.size) <= 1600
    junk = tmp_path / "junk"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)  # the magic bytes, then nothing
    assert load_picture(junk) is None


# -- the reader --------------------------------------------------------------------------


async def test_with_images_off_the_caption_gets_a_line_and_nothing_is_fetched(
    tmp_path: Path,
) -> None:
    with make_reader(tmp_path) as reader:
        app = WireReaderApp(reader, refresh_on_start=False)
        async with app.run_test(size=SIZE) as pilot:
            assert app.query_one("#dispatch", DispatchView).photos is None
            await pilot.press("enter")
            await pilot.pause()
            (caption,) = app.query(PhotoCaption)
            text = caption.query_one(".photo-text").visual.plain  # type: ignore[attr-defined]
            assert text.startswith("Russian President Vladimir Putin (left)")
            assert "Photo: AFP/VNA/CVN" in text
            assert text.endswith("[photo 1200×800 — o opens the link]")
            assert caption.picture is None
        assert not reader.image_dir.exists()


def test_the_line_without_a_size_or_a_link() -> None:
    assert photo_note(Photo(url="https://x.example/p.jpg"), linked=True) == (
        "[photo — o opens the link]"
    )
    assert photo_note(Photo(url="u", width=10, height=5), linked=False) == (
        "[photo 10×5 — not shown in this terminal]"
    )


FEED = """<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>
<item><title>Pictured</title><link>{base}/story/1</link><guid>s1</guid>
<pubDate>Sat, 28 Nov 2026 01:00:00 GMT</pubDate><description>HANOI (VNA) -- Body.</description>
<media:content url="{base}/p/1.png" medium="image" width="48" height="32">
<media:description>A red square</media:description><media:credit>VNA</media:credit>
</media:content></item></channel></rss>"""


async def test_with_images_on_the_picture_is_loaded_once_above_its_caption(
    loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("textual_image")
    from textual_image.widget import HalfcellImage

    import wirereader.ui.dispatch as dispatch_mod

    # Under pytest stdout is no terminal, so textual-image would pick character art:
    # draw with half cells, as it does in a terminal without graphics.
    monkeypatch.setattr(dispatch_mod, "picture_widget", HalfcellImage)
    base = loopback.url("").rstrip("/")
    loopback.route("/feed", body=FEED.format(base=base).encode())
    loopback.route("/p/1.png", body=picture(), content_type="image/png")
    (tmp_path / "config.toml").write_text(f'[[feeds]]\nurl = "{loopback.url("/feed")}"\n')
    with Reader(tmp_path / "cache.db", tmp_path / "config.toml") as reader:
        reader.set_setting("samples_loaded", "1")
        assert (await reader.refresh()).new == 1
        app = WireReaderApp(reader, refresh_on_start=False, images=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            (caption,) = app.query(PhotoCaption)
            assert isinstance(caption.picture, HalfcellImage)
            assert caption.children[0] is caption.picture  # above the caption
            text = caption.query_one(".photo-text").visual.plain  # type: ignore[attr-defined]
            assert text == "A red square\nPhoto: VNA"  # the stand-in line is gone
            assert caption.picture.size.height > 0
            await pilot.press("escape", "enter")  # open it again: from the cache
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.query_one(PhotoCaption).picture is not None
        assert len(loopback.requests_for("/p/1.png")) == 1
