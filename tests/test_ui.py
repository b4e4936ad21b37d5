"""The reader driven as a person drives it: Textual's Pilot pressing keys on the real app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.text import Text
from textual import events
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Static

from tests.loopback import LoopbackServer
from tests.test_service import feed
from tests.ui_helpers import make_reader
from wirereader.service import Reader
from wirereader.ui.app import WireReaderApp
from wirereader.ui.dispatch import DispatchView, PhotoCaption
from wirereader.ui.dispatch_text import DispatchText
from wirereader.ui.headlines import HeadlineList
from wirereader.ui.panes import RelatedList, SourceList
from wirereader.ui.views import ListView

SIZE = (120, 40)


def app_for(reader: Reader, **kwargs: object) -> WireReaderApp:
    return WireReaderApp(reader, refresh_on_start=False, **kwargs)  # type: ignore[arg-type]


def visible_rows(app: WireReaderApp) -> list[str]:
    headlines = app.query_one("#headlines", HeadlineList)
    return [headlines.row(i).headline for i in range(headlines.row_count)]  # type: ignore[union-attr]


def dispatch_text(app: WireReaderApp) -> str:
    """The text of the dispatch on show, in reading order (hidden spare widgets left out)."""
    view = app.query_one("#dispatch", DispatchView)
    parts = []
    for widget in view.walk_children(Widget):
        if not widget.display:
            continue
        if isinstance(widget, DispatchText):
            parts.append(widget.plain)
        elif isinstance(widget, Static):
            content = widget.visual
            parts.append(content.plain if hasattr(content, "plain") else str(content))
    return "\n".join(parts)


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    with make_reader(tmp_path) as r:
        yield r


async def test_launch_shows_cached_headlines_newest_first(reader: Reader) -> None:
    app = app_for(reader)
    async with app.run_test(size=SIZE):
        rows = visible_rows(app)
        assert rows[0] == "URGENT: Putin, Lukashenko discuss common defence space"
        assert rows[-1] == "Thủ tướng Việt Nam tiếp Đại sứ Belarus"
        sources = app.query_one("#sources", SourceList)
        assert [s.title for s in sources.sources] == ["wire.xml"]
        status = str(app.query_one("#status", Static).visual)
        assert "5 headlines" in status


async def test_open_a_dispatch_with_caption_credit_and_related(reader: Reader) -> None:
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        text = dispatch_text(app)
        assert "Putin, Lukashenko discuss common defence space" in text
        assert "MINSK, Dec 19 (Xinhua)" in text
        assert "By Wire staff" in text
        captions = list(app.query(PhotoCaption))
        assert len(captions) == 1
        assert captions[0].photo.credit == "AFP/VNA/CVN"
        assert "Photo: AFP/VNA/CVN" in text
        assert "Bilateral trade will reach a record" in text
        related = app.query_one("#related", RelatedList)
        assert [r.headline for r in related.items] == [
            "EU confirms technical talks with Belarus",
            "Belarus offers humanitarian corridor",
        ]
        # Opening marks it read.
        assert app.query_one("#headlines", HeadlineList).row(0).read  # type: ignore[union-attr]


async def test_next_and_previous_without_going_back_to_the_list(reader: Reader) -> None:
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "right_square_bracket")
        assert "EU confirms technical talks" in dispatch_text(app)
        await pilot.press("right_square_bracket", "left_square_bracket")
        assert "EU confirms technical talks" in dispatch_text(app)
        assert app.query_one("#headlines", HeadlineList).cursor == 1


async def test_follow_related_cached_then_back_and_forward(reader: Reader) -> None:
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "1")
        await pilot.pause()
        assert "The European Union confirmed" in dispatch_text(app)
        await pilot.press("backspace")
        assert "common defence space" in dispatch_text(app)
        await pilot.press("l")  # forward
        assert "The European Union confirmed" in dispatch_text(app)


async def test_follow_related_not_cached_offline_says_so(reader: Reader) -> None:
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "2")
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any("Not cached yet" in m or "not cached" in m.lower() for m in messages), messages
        assert "common defence space" in dispatch_text(app)


async def test_follow_related_not_cached_fetches_and_caches(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        server.route(
            "/story",
            content_type="text/html; charset=utf-8",
            body=(
                b"<html><head><meta property='og:title' content='Belarus offers corridor'></head>"
                b"<body><article><h1>Belarus offers corridor</h1>"
                b"<p>MINSK (BelTA) - Belarus proposed a humanitarian corridor.</p></article></body></html>"
            ),
        )
        server.route(
            "/wire",
            body=feed(("w1", "Lead story")).replace(
                b"Body of Lead story.</description>",
                b"Body.</description>",
            ),
        )
        page = server.url("/story")
        xml = (
            '<rss version="2.0"><channel><title>Live</title><item><title>Lead story</title>'
            "<guid>lead</guid><pubDate>Tue, 19 Dec 2023 10:00:00 GMT</pubDate>"
            f"<description><![CDATA[<p>Text.</p><ul><li><a href='{page}'>Belarus offers corridor</a>"
            "</li></ul>]]></description></item></channel></rss>"
        )
        path = tmp_path / "live.xml"
        path.write_text(xml)
        reader = make_reader(tmp_path, with_fixture=False)
        reader.import_paths([path])
        app = app_for(reader)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter", "1")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "Belarus proposed a humanitarian corridor" in dispatch_text(app)
            assert len(server.requests_for("/story")) == 1
            await pilot.press("backspace")
            assert "Lead story" in dispatch_text(app)
            # Now cached: following again makes no request.
            await pilot.press("1")
            await pilot.pause()
            assert "Belarus proposed" in dispatch_text(app)
            assert len(server.requests_for("/story")) == 1
        reader.close()


async def test_search_shows_hits_and_escape_returns(reader: Reader) -> None:
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"Lukashenko", "enter")
        assert visible_rows(app) == ["URGENT: Putin, Lukashenko discuss common defence space"]
        await pilot.press("escape")
        assert len(visible_rows(app)) == 5
        # From a search's results to a list (unread only): the search box goes too.
        await pilot.press("slash", *"Lukashenko", "enter", "u")
        assert not app.query_one("#search", Input).display
        assert "unread only" in str(app.query_one("#headlines", HeadlineList).border_title)


async def test_a_query_typed_in_one_burst_after_slash_goes_to_the_box(reader: Reader) -> None:
    """When the app is busy, "/" and the query arrive together: every key was routed to
    the headline list before "/" moved the focus, so the query was lost and its h (Back)
    and o (open link) ran there."""
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for char in "/hanoi/vn":
            key = "slash" if char == "/" else char
            app.post_message(events.Key(key, char))  # no refresh in between
        await pilot.pause()
        search = app.query_one("#search", Input)
        assert app.focused is search and search.value == "hanoi/vn"
        await pilot.press("escape")
        await pilot.press("question_mark")  # another screen on top: "/" is not a search
        await pilot.press("slash")
        assert len(app.screen_stack) == 2 and not search.display


async def test_enter_in_the_related_pane_follows_the_first_headline(reader: Reader) -> None:
    """README: "enter in the Related pane" follows a related headline. Tabbing there left
    nothing highlighted, so enter did nothing until an arrow key was pressed."""
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "tab")
        assert isinstance(app.focused, RelatedList)
        await pilot.press("enter")
        await pilot.pause()
        shown = app.query_one("#dispatch", DispatchView).stored
        assert shown is not None and shown.dispatch.headline.startswith("EU confirms")


async def test_keys_read_with_enter_or_tab_go_where_the_focus_went(reader: Reader) -> None:
    """Keys arrive in bursts (a busy app, a slow link). Textual routes each key to the
    widget focused when it is read, so enter then j scrolled the list and previewed the
    next story over the one just opened; tab then j moved the pane left behind."""
    app = app_for(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        headlines = app.query_one("#headlines", HeadlineList)
        view = app.query_one("#dispatch", DispatchView)

        def burst(*keys: str) -> None:
            for key in keys:
                app.post_message(events.Key(key, key if len(key) == 1 else None))

        burst("enter", "j", "j")
        await pilot.pause(0.3)  # longer than the preview delay
        assert headlines.cursor == 0
        assert view.stored is not None and view.stored.dispatch.headline.startswith("URGENT")
        assert app.focused is view and view.scroll_y > 0
        burst("escape", "j", "enter")  # back to the list, the next one, open it
        await pilot.pause(0.3)
        assert headlines.cursor == 1 and app.focused is view
        assert view.stored is not None and "EU confirms" in view.stored.dispatch.headline
        burst("escape", "tab", "j")  # tab goes to the story from the list
        await pilot.pause()
        assert app.focused is view and headlines.cursor == 1
        burst("shift+tab", "shift+tab", "j", "enter")  # to Sources: j, enter picks ★ Starred
        await pilot.pause()
        assert app.view.starred and app.focused is headlines
        # Over another screen these keys are that screen's.
        await pilot.press("question_mark", "escape")
        assert len(app.screen_stack) == 1


async def test_search_finds_vietnamese_and_french_accents(reader: Reader) -> None:
    assert [h.headline for h in reader.search("thu tuong")] == [
        "Thủ tướng Việt Nam tiếp Đại sứ Belarus"
    ]


async def test_read_and_star_keys(reader: Reader) -> None:
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        headlines = app.query_one("#headlines", HeadlineList)
        await pilot.press("j", "m")
        assert headlines.row(1).read  # type: ignore[union-attr]
        await pilot.press("m", "s")
        row = headlines.row(1)
        assert row is not None and not row.read and row.starred


async def test_resume_where_the_reader_left(reader: Reader, tmp_path: Path) -> None:
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "enter")
    again = app_for(reader)
    async with again.run_test(size=SIZE):
        assert again.query_one("#headlines", HeadlineList).cursor == 2


async def test_markup_in_headlines_is_literal_and_inert(reader: Reader) -> None:
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        headlines = app.query_one("#headlines", HeadlineList)
        lines = ["".join(seg.text for seg in headlines.render_line(y)) for y in range(5)]
        assert any("[bold]x[/] [@click=app.quit]y" in line for line in lines), lines
        # Click the row where the markup headline is drawn: it opens, nothing quits.
        row = next(i for i, line in enumerate(lines) if "@click" in line)
        await pilot.click("#headlines", offset=(60, row + 1))
        await pilot.pause()
        assert app.is_running
        assert "[bold]x[/] [@click=app.quit]y" in dispatch_text(app)


async def test_wide_text_keeps_columns_aligned(reader: Reader) -> None:
    app = app_for(reader)
    async with app.run_test(size=SIZE):
        headlines = app.query_one("#headlines", HeadlineList)
        from rich.cells import cell_len

        widths = {sum(cell_len(seg.text) for seg in headlines.render_line(y)) for y in range(5)}
        assert widths == {headlines.size.width}


async def test_offline_start_shows_cache_and_says_offline(reader: Reader) -> None:
    reader.add(["http://127.0.0.1:9/feed.xml"])  # the discard port: connection refused
    app = WireReaderApp(reader, refresh_on_start=True)
    async with app.run_test(size=SIZE) as pilot:
        assert len(visible_rows(app)) == 5  # before the refresh finishes
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(app.query_one("#status", Static).visual)
        assert "offline" in status
        assert len(visible_rows(app)) == 5
        await pilot.press("enter")
        assert "common defence space" in dispatch_text(app)


async def test_offline_when_no_name_resolves(
    reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Offline, names fail to resolve before anything else ("host not found"); the status
    said "2 sources failing" instead of offline. The resolver answers as glibc does
    offline (a real lookup would leave 127.0.0.1)."""
    import socket

    real = socket.getaddrinfo

    asked: list[str] = []

    def offline(host: object, *args: object, **kwargs: object) -> object:
        name = host.decode("idna") if isinstance(host, bytes) else host  # anyio passes bytes
        if isinstance(name, str) and name.endswith(".invalid"):
            asked.append(name)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    reader.add(["http://afp.invalid/feed.xml", "http://vna.invalid/rss"])
    app = WireReaderApp(reader, refresh_on_start=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(app.query_one("#status", Static).visual)
        assert "offline" in status and "failing" not in status
        assert sorted(set(asked)) == ["afp.invalid", "vna.invalid"]  # not a DNS server


async def test_background_refresh_adds_rows_without_moving_the_cursor(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        server.route("/wire", body=feed(("a", "Alpha"), ("b", "Bravo")))
        reader = make_reader(tmp_path)
        reader.add([server.url("/wire")])
        app = WireReaderApp(reader, refresh_on_start=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "j")
            headlines = app.query_one("#headlines", HeadlineList)
            before = headlines.current
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert headlines.row_count == 7
            assert headlines.current == before or (
                headlines.current is not None
                and before is not None
                and headlines.current.id == before.id
            )
        reader.close()


async def test_the_list_refreshes_itself_while_open(tmp_path: Path) -> None:
    """A live list: `refresh_every` refreshes on a timer, without a key pressed."""
    import asyncio

    with LoopbackServer() as server:
        server.route("/wire", body=feed(("a", "Alpha")))
        reader = make_reader(tmp_path)
        reader.add([server.url("/wire")])
        app = WireReaderApp(reader, refresh_on_start=True, refresh_every=0.3)
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(100):
                await asyncio.sleep(0.05)
                if "Alpha" in visible_rows(app):
                    break
            assert "Alpha" in visible_rows(app)
            server.route("/wire", body=feed(("a", "Alpha"), ("b", "Bravo arrives on its own")))
            for _ in range(100):
                await asyncio.sleep(0.05)
                await pilot.pause()
                if "Bravo arrives on its own" in visible_rows(app):
                    break
            assert "Bravo arrives on its own" in visible_rows(app)
            assert len(server.requests_for("/wire")) >= 2
        reader.close()


async def test_no_timer_refresh_when_refresh_every_is_zero(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        server.route("/wire", body=feed(("a", "Alpha")))
        reader = make_reader(tmp_path)
        reader.add([server.url("/wire")])
        app = WireReaderApp(reader, refresh_on_start=False, refresh_every=0)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(1.0)
            assert server.requests_for("/wire") == []
        reader.close()


async def test_help_lists_keys(reader: Reader) -> None:
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        from wirereader.ui.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(Static).visual
        assert table is not None
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_open_a_local_file_straight_into_the_dispatch_view(tmp_path: Path) -> None:
    from tests.conftest import shared_path

    path = shared_path("corpus", "dispatch-text", "cvn-minsk-putin-lukashenko.txt")
    reader = make_reader(tmp_path, with_fixture=False)
    app = app_for(reader, open_path=path)
    async with app.run_test(size=SIZE):
        assert app.query_one("#dispatch", DispatchView).stored is not None
        text = dispatch_text(app)
        assert "Photo: AFP/VNA/CVN" in text
        assert "Xinhua/VNA/CVN" in text
        assert len(app.query_one("#related", RelatedList).items) == 3
    reader.close()


def test_text_is_never_markup() -> None:
    """The helpers the UI uses for feed text build Text, not markup strings."""
    text = Text("[@click=app.quit]x")
    assert text.plain == "[@click=app.quit]x"


async def test_versions_screen_shows_what_an_update_changed(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        server.route("/wire", body=feed(("a", "Quake kills 10")))
        reader = make_reader(tmp_path, with_fixture=False)
        reader.add([server.url("/wire")])
        await reader.refresh()
        server.route("/wire", body=feed(("a", "Quake kills 25")))
        await reader.refresh()
        app = app_for(reader)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter", "v")
            await pilot.pause()
            from wirereader.ui.versions import VersionsScreen

            assert isinstance(app.screen, VersionsScreen)
            text = app.screen.query_one(Static).visual.plain  # type: ignore[union-attr]
            assert "-Headline: Quake kills 10" in text
            assert "+Headline: Quake kills 25" in text
            from textual.widgets._footer import FooterKey

            # Its own footer: how to close it, not the reader's keys underneath.
            keys = [k.description for k in app.screen.query(FooterKey)]
            assert keys == ["Close"]
        reader.close()


async def test_command_palette_reaches_actions_and_sources(reader: Reader) -> None:
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Source: wire", "enter")
        await pilot.pause()
        headlines = app.query_one("#headlines", HeadlineList)
        assert app.view.source_id is not None and headlines.row_count == 5
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Show keys", "enter")
        await pilot.pause()
        from wirereader.ui.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)


async def test_many_sources_keep_one_line_each(tmp_path: Path) -> None:
    """With more sources than rows, the scrollbar must not push counts onto a second line."""
    reader = make_reader(tmp_path)
    for n in range(40):
        reader.add([f"https://wire{n}.example/feed-with-a-long-name/rss.xml"])
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        sources = app.query_one("#sources", SourceList)
        assert sources.option_count == 43  # All, Starred and the 40 feeds
        await pilot.pause()
        # Every option is drawn on exactly one line.
        assert sources.virtual_size.height == 43
    reader.close()


async def test_sources_are_rebuilt_only_when_their_width_changes(reader: Reader) -> None:
    # Start-up sends several resizes of one size; rebuilding every option for each was
    # a third of the first frame's work.
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        sources = app.query_one("#sources", SourceList)
        before = sources.get_option_at_index(1)
        sources.on_resize()
        assert sources.get_option_at_index(1) is before
        sources.styles.width = sources.size.width + 10
        await pilot.pause()
        assert sources.get_option_at_index(1) is not before  # counts re-aligned to the width


def test_a_narrow_sources_pane_keeps_names_readable() -> None:
    """At 80 columns the pane is 18 wide (rows of 13): "812/845" left a name three
    letters ("Wir…"), so every feed of one agency read the same. Narrow rows show the
    unread count only; wide ones (23) keep both."""
    wide = SourceList._row("Wire EN - Politics", 845, 812, None, 23).plain
    narrow = SourceList._row("Wire EN - Politics", 845, 812, None, 13).plain
    assert wide.startswith("Wire EN - ") and wide.endswith("812/845")
    assert narrow.startswith("Wire EN") and narrow.endswith(" 812")
    assert SourceList._row("Wire EN", 845, 0, None, 13).plain.rstrip() == "Wire EN"
    # Cut in the middle where the feeds of one agency differ: the end of their names.
    middle = SourceList._row("Wire EN - Politics", 845, 812, None, 13, middle=True).plain
    assert middle.startswith("Wire…tics")
    failing = SourceList._row("Anadolu Agency – Türkçe", 9, 0, "HTTP 500", 23, middle=True)
    assert failing.plain.startswith("! Anadolu…– Türkçe")


async def test_sources_that_would_read_the_same_are_cut_in_the_middle(tmp_path: Path) -> None:
    """48 built-in feeds, several per agency: cut at the end, "Anadolu Agency –…" twice."""
    reader = make_reader(tmp_path)
    reader.add_named(
        [
            ("https://a.example/en", "Anadolu Agency – English"),
            ("https://a.example/fr", "Anadolu Agency – Français"),
            ("https://b.example/x", "Al Jazeera – English (world news)"),
        ]
    )
    app = app_for(reader)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        sources = app.query_one("#sources", SourceList)
        rows = [sources.get_option_at_index(i).prompt for i in range(sources.option_count)]
        names = [str(r.plain if isinstance(r, Text) else r).split("  ")[0] for r in rows]
        anadolu = [n for n in names if n.startswith("Anad")]
        assert len(anadolu) == 2 and anadolu[0] != anadolu[1]
        assert all("…" in n for n in anadolu)
        assert any(n.startswith("Al Jaz") for n in names)  # alone: the agency stays
    reader.close()


def _dated_feed(*items: tuple[str, str, datetime]) -> bytes:
    from email.utils import format_datetime

    body = "".join(
        f"<item><title>{title}</title><link>http://127.0.0.1/s/{guid}</link><guid>{guid}</guid>"
        f"<pubDate>{format_datetime(when)}</pubDate><description>Body of {guid}.</description>"
        "</item>"
        for guid, title, when in items
    )
    return f'<rss version="2.0"><channel><title>Desk</title>{body}</channel></rss>'.encode()


async def test_a_flash_arriving_while_open_is_announced_once(tmp_path: Path) -> None:
    """Marked in the list is not enough while one reads another story: a new FLASH, BULLETIN
    or URGENT dated within the hour is announced, once; older ones arrive quietly."""
    now = datetime.now(UTC)
    old_urgent = ("u0", "URGENT: Yesterday's vote count", now - timedelta(hours=20))
    calm = ("c1", "Markets steady in Hanoi", now - timedelta(minutes=5))
    with LoopbackServer() as server:
        server.route("/wire", body=_dated_feed(calm))
        reader = make_reader(tmp_path)
        reader.add([server.url("/wire")])
        app = WireReaderApp(reader, refresh_on_start=True, refresh_every=0)
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not [n for n in app._notifications if n.severity == "warning"]
            flash = ("f1", "FLASH: Quake hits the capital", now - timedelta(minutes=1))
            server.route("/wire", body=_dated_feed(flash, old_urgent, calm))
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            alerts = [(n.title, n.message) for n in app._notifications if n.severity == "warning"]
            assert alerts == [("FLASH · Desk", "FLASH: Quake hits the capital")]
            server.route("/wire", body=_dated_feed(("c2", "Rain", now), flash, old_urgent, calm))
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            again = [n for n in app._notifications if n.severity == "warning"]
            assert len(again) == 1  # the same FLASH is not announced twice
        reader.close()


async def test_vi_keys_move_in_the_sources_and_related_panes(reader: Reader) -> None:
    """j/k/g/G move the headline list; the panes beside it knew only the arrows, so a
    reader who tabbed to Sources and pressed j saw nothing happen."""
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # a dispatch with two related headlines
        related = app.query_one("#related", RelatedList)
        related.focus()
        await pilot.pause()
        related.highlighted = 0
        await pilot.press("j")
        assert related.highlighted == 1
        await pilot.press("k")
        assert related.highlighted == 0
        await pilot.press("G")
        assert related.highlighted == 1
        await pilot.press("g")
        assert related.highlighted == 0
        sources = app.query_one("#sources", SourceList)
        sources.focus()
        await pilot.pause()
        assert sources.highlighted == 0
        await pilot.press("j")
        assert sources.highlighted == 1
        await pilot.press("k")
        assert sources.highlighted == 0


async def test_the_samples_on_show_retire_to_all_when_real_news_arrives(tmp_path: Path) -> None:
    """A first launch shows the samples; reading them when the first refresh brings the
    user's own dispatches lands on All, not on a source that no longer exists."""
    with LoopbackServer() as server:
        server.route("/wire", body=feed(("a", "Alpha from the wire")))
        reader = Reader(tmp_path / "cache.db", tmp_path / "config.toml")
        reader.ensure_samples()
        samples = reader.sources()[0]
        reader.add([server.url("/wire")])
        app = app_for(reader)
        async with app.run_test(size=SIZE) as pilot:
            app.show_source(samples.id)
            await pilot.pause()
            assert "Alpha from the wire" not in visible_rows(app)
            await pilot.press("enter")  # a sample on show when it goes
            app.run_refresh()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.view.source_id is None
            assert visible_rows(app) == ["Alpha from the wire"]
            shown = app.query_one("#dispatch", DispatchView).stored
            assert shown is not None and shown.dispatch.headline == "Alpha from the wire"
            sources = app.query_one("#sources", SourceList)
            assert [s.label for s in sources.sources] == ["Test Wire"]
        reader.close()


async def test_unread_only_starred_view_and_mark_all_read(tmp_path: Path) -> None:
    """Catching up as a wire desk does: the unread only, the starred apart, all read."""
    reader = make_reader(tmp_path)
    first = "URGENT: Putin, Lukashenko discuss common defence space"
    app = app_for(reader)
    async with app.run_test(size=SIZE) as pilot:
        headlines = app.query_one("#headlines", HeadlineList)
        await pilot.press("enter", "s", "escape")  # read and star the first
        await pilot.press("u")
        assert first not in visible_rows(app) and len(visible_rows(app)) == 4
        assert "unread only" in str(headlines.border_title)
        await pilot.press("enter", "escape")  # read one: it stays until the list is re-read
        assert len(visible_rows(app)) == 4
        await pilot.press("u")
        assert len(visible_rows(app)) == 5
        # The Starred row of the sources pane.
        sources = app.query_one("#sources", SourceList)
        sources.focus()
        await pilot.press("j", "enter")
        assert visible_rows(app) == [first]
        assert app.view.starred and app.focused is headlines
        await pilot.press("u")  # the starred one is read: nothing unread there
        assert visible_rows(app) == []
        app.show_source(None)
        await pilot.pause()
        assert len(visible_rows(app)) == 3  # unread only is kept across sources
        await pilot.press("A")
        await pilot.pause()
        assert visible_rows(app) == [] and reader.count(unread_only=True) == 0
        assert reader.count(starred_only=True) == 1  # the star is kept
        await pilot.press("U")  # a slip of the shift key: put them back
        await pilot.pause()
        assert len(visible_rows(app)) == 3 and reader.count(unread_only=True) == 3
        await pilot.press("U")  # one step of undo only
        assert reader.count(unread_only=True) == 3
        await pilot.press("A")
        await pilot.pause()
        assert reader.count(unread_only=True) == 0
        app.show_view(ListView(starred=True, unread=True))
    # The view is where the reader comes back to.
    again = app_for(reader)
    async with again.run_test(size=SIZE):
        assert again.view == ListView(starred=True, unread=True)
        assert "Starred · unread only" in str(
            again.query_one("#headlines", HeadlineList).border_title
        )
    reader.close()


async def test_a_failing_source_under_the_cursor_says_why_in_the_status_line(
    tmp_path: Path,
) -> None:
    """Moving down a Sources pane with ten failing feeds stacked ten toasts over the
    dispatch; the error of the one under the cursor is now the status line, for as
    long as the pane has the focus."""
    with LoopbackServer() as server:
        server.route("/ok", body=feed(("a", "Alpha")))
        server.route("/broken", status=500, body=b"oops")
        reader = make_reader(tmp_path)
        reader.add([server.url("/ok"), server.url("/broken")])
        await reader.refresh()
        app = app_for(reader)
        async with app.run_test(size=SIZE) as pilot:
            sources = app.query_one("#sources", SourceList)
            by_label = [s.label for s in sources.sources]
            broken = 2 + by_label.index("127.0.0.1 › broken")
            sources.focus()
            await pilot.pause()
            status = app.query_one("#status", Static)
            for _ in range(broken):
                await pilot.press("j")
            assert str(status.visual).startswith(
                "127.0.0.1 › broken — last refresh failed: HTTP 500"
            )
            assert len(app._notifications) == 0
            await pilot.press("k")
            assert "last refresh failed" not in str(status.visual)
            await pilot.press("j", "tab")  # leaving the pane: the usual line again
            assert "headlines" in str(status.visual) and "failed" not in str(status.visual)
        reader.close()


async def test_the_status_line_says_when_retention_removed_old_dispatches(
    reader: Reader,
) -> None:
    """Dispatches that leave for retention should not vanish without a word."""
    from wirereader.service.refresh import RefreshSummary

    app = app_for(reader)
    async with app.run_test(size=SIZE):
        app.status.refresh_done(RefreshSummary(feeds=3, new=12, pruned=40))
        app.update_status()
        assert "12 new, 0 updated, 40 old removed" in str(app.status.visual)
        app.status.refresh_done(RefreshSummary(feeds=3, new=1))
        app.update_status()
        assert "1 new, 0 updated ·" in str(app.status.visual)


async def test_a_feed_s_name_in_a_title_or_the_palette_is_never_markup(tmp_path: Path) -> None:
    """Textual reads a str border title, palette help and palette matches as markup; a
    feed named "[@click=app.quit]Evil[/]" became a link there that quit the reader."""
    from textual.content import Content

    from wirereader.ui.commands import ReaderCommands

    evil = "[@click=app.quit]Evil[/]"
    url = "https://x.example/[@click=app.quit]y[/]"
    with LoopbackServer() as server:
        server.route(
            "/evil", body=feed(("e1", "[b]Bold[/b] headline")).replace(b"Test Wire", evil.encode())
        )
        reader = make_reader(tmp_path)
        reader.add([server.url("/evil"), url])
        await reader.refresh()
        source = next(s for s in reader.sources() if s.url == server.url("/evil"))
        assert source.label == evil
        app = app_for(reader)
        async with app.run_test(size=SIZE) as pilot:
            app.show_source(source.id)
            await pilot.press("enter")
            headlines = app.query_one("#headlines", HeadlineList)
            view = app.query_one("#dispatch", DispatchView)

            def plain(markup: str | None) -> str:
                return Content.from_markup(markup or "").plain

            assert plain(headlines.border_title) == f"Headlines — {evil}"
            assert plain(view.border_title) == f"Dispatch — {evil}"
            await pilot.press("v")
            versions = app.screen.query_one(VerticalScroll)
            assert plain(versions.border_title) == "Versions — [b]Bold[/b] headline"
            await pilot.press("escape")
            provider = ReaderCommands(app.screen)
            hits = [hit async for hit in provider.search("Evil")]
            assert [h.match_display.plain for h in hits] == [f"Source: {evil}"]
            hits = [hit async for hit in provider.search("x.example")]
            assert [plain(h.help) for h in hits] == [url]
        reader.close()


async def test_r_during_a_refresh_does_not_start_it_over(tmp_path: Path) -> None:
    """r started a new refresh over the running one (an exclusive worker): the first was
    cancelled and every feed fetched again from the start."""
    import asyncio

    with LoopbackServer() as server:
        server.route("/slow", body=feed(("a", "Alpha")), delay=0.6)
        reader = make_reader(tmp_path)
        reader.add([server.url("/slow")])
        app = app_for(reader)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("r")
            await asyncio.sleep(0.2)
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert len(server.requests_for("/slow")) == 1
            assert "Alpha" in visible_rows(app)
        reader.close()
