"""The dispatch view: what each dispatch turns into, and the widgets it keeps between them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widget import Widget

from tests.ui_helpers import make_reader
from wirereader.model import Block, Dispatch, Photo, PubStatus, StoredDispatch
from wirereader.service import Reader
from wirereader.ui.app import PREVIEW_DELAY, WireReaderApp
from wirereader.ui.dispatch import DispatchView
from wirereader.ui.dispatch_parts import WITHDRAWN, CaptionSlot, dispatch_parts
from wirereader.ui.dispatch_text import DispatchText

SIZE = (120, 40)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def stored(dispatch: Dispatch, *, id: int = 1) -> StoredDispatch:
    return StoredDispatch(
        id=id,
        source_id=1,
        source_title="Wire",
        source_url="http://wire.example/feed",
        dispatch=dispatch,
        time=NOW,
        first_seen=NOW,
        updated=NOW,
        updates=0,
        read=False,
        starred=False,
    )


PICTURED = Dispatch(
    guid="p",
    headline="Floods in the delta",
    dateline="HANOI",
    url="https://wire.example/p",
    body=(
        Block("paragraph", "First paragraph."),
        Block("subhead", "A subhead"),
        Block("photo", photo=1),
        Block("quote", "Quoted words."),
    ),
    photos=(Photo(caption="Lead picture", credit="VNA"), Photo(caption="In the body")),
    credit_chain=("Xinhua", "VNA"),
)


def test_parts_keep_the_reading_order_and_the_gaps() -> None:
    parts = dispatch_parts(stored(PICTURED))
    kinds = [type(p).__name__ for p in parts]
    assert kinds == ["Text", "CaptionSlot", "Text", "CaptionSlot", "Text"]
    head, lead, body, placed, tail = parts
    assert isinstance(head, Text) and isinstance(body, Text) and isinstance(tail, Text)
    assert isinstance(lead, CaptionSlot) and isinstance(placed, CaptionSlot)
    # A blank line above the headline, the meta line right under it.
    assert head.plain.startswith("\nFloods in the delta\nHANOI · Wire · ")
    # The lead photo goes first; the body's photo sits where the body put it.
    assert (lead.number, placed.number) == (1, 2)
    assert lead.linked
    assert body.plain == "First paragraph.\n\nA subhead"
    assert tail.plain == "│ Quoted words.\n\nXinhua/VNA\nhttps://wire.example/p"


def test_a_withdrawn_dispatch_opens_with_its_banner() -> None:
    d = Dispatch(guid="w", headline="Gone", pub_status=PubStatus.CANCELED)
    (run,) = dispatch_parts(stored(d))
    assert isinstance(run, Text)
    assert run.plain.startswith(WITHDRAWN + "\n\n")


def test_feed_text_stays_text() -> None:
    d = Dispatch(guid="m", headline="[bold]x[/]", body=(Block("paragraph", "[@click=app.quit]y"),))
    (run,) = dispatch_parts(stored(d))
    assert isinstance(run, Text)
    assert "[bold]x[/]" in run.plain and "[@click=app.quit]y" in run.plain


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    with make_reader(tmp_path) as r:
        yield r


def shown(view: DispatchView) -> list[Widget]:
    return [w for w in view.children if w.display]


async def settled_view(app: WireReaderApp, pilot: Pilot[None]) -> DispatchView:
    """The view once the start-up preview (the row under the cursor) has been shown, so
    it cannot replace what the test shows next (on a busy machine its timer fires late)."""
    view = app.query_one("#dispatch", DispatchView)
    for _ in range(100):
        if view.stored is not None:
            break
        await pilot.pause(PREVIEW_DELAY)
    assert view.stored is not None
    await pilot.pause()
    return view


async def test_the_next_dispatch_reuses_the_widgets(reader: Reader) -> None:
    app = WireReaderApp(reader, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        view = await settled_view(app, pilot)
        plain = stored(Dispatch(guid="a", headline="Plain story"), id=101)
        view.show(stored(PICTURED, id=100))
        await pilot.pause()
        first = list(view.children)
        assert len(shown(view)) == 5
        view.show(plain)
        await pilot.pause()
        # Fewer parts: the spare widgets are hidden, not removed...
        assert list(view.children) == first
        (text,) = shown(view)
        assert isinstance(text, DispatchText) and "Plain story" in text.plain
        view.show(stored(PICTURED, id=100))
        await pilot.pause()
        # ...and the next pictured dispatch mounts nothing.
        assert list(view.children) == first and len(shown(view)) == 5
        assert text.size.height == len(text.lines(text.content_size.width))


#: Forty paragraphs: several screens of text to scroll through.
LONG = Dispatch(
    guid="l",
    headline="Long story",
    body=tuple(Block("paragraph", f"Paragraph {i} " + "word " * 40) for i in range(40)),
)


async def test_a_long_dispatch_scrolls_with_keys_and_reopens_at_the_top(reader: Reader) -> None:
    long = LONG
    app = WireReaderApp(reader, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        view = await settled_view(app, pilot)
        view.show(stored(long, id=200))
        view.focus()
        await pilot.pause()
        await pilot.pause()  # a scrollbar that appears asks for one more layout
        assert view.virtual_size.height > view.size.height * 3
        await pilot.press("j", "j", "pagedown")
        assert view.scroll_y > 2
        await pilot.press("end")
        assert view.scroll_y == view.max_scroll_y > 0
        view.show(stored(long, id=201))
        await pilot.pause()
        assert view.scroll_y == 0
        # A longer one (the scrollbar stays): the view scrolls to its real end.
        longer = Dispatch(guid="l2", headline="Longer", body=long.body * 2)
        view.show(stored(longer, id=202))
        await pilot.pause()
        await pilot.pause()
        (text,) = shown(view)
        assert view.virtual_size.height == text.outer_size.height + 1  # + its bottom margin
        await pilot.press("end")
        assert view.scroll_y == view.max_scroll_y == view.virtual_size.height - view.size.height


async def test_keys_that_arrive_together_all_scroll(reader: Reader) -> None:
    """A held j (or page down) reaches the app as a burst of keys handled before the next
    refresh; each must count. Textual's own actions aimed them all at the same line."""
    long = LONG
    app = WireReaderApp(reader, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        view = await settled_view(app, pilot)
        view.show(stored(long, id=300))
        view.focus()
        await pilot.pause()
        await pilot.pause()
        for _ in range(5):  # one burst: no refresh in between
            app.simulate_key("j")
        await pilot.pause()
        await app.animator.wait_until_complete()
        await pilot.pause()
        assert view.scroll_y == 5
        page = view.scrollable_content_region.height
        for _ in range(2):
            app.simulate_key("pagedown")
        await pilot.pause()
        await app.animator.wait_until_complete()
        assert view.scroll_y == 5 + 2 * page
        for _ in range(3):
            app.simulate_key("k")
        await pilot.pause()
        await app.animator.wait_until_complete()
        assert view.scroll_y == 2 + 2 * page
