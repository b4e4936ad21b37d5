"""In-process: moving the cursor and opening a dispatch in the real app, two ways.

    .venv/bin/python bench/tui_bench.py --db bench/work/tui-100k.db --presses 100 --json out.json

The app is `WireReaderApp(Reader(db, config), refresh_on_start=False)` under Textual's
`run_test()` (120x40, headless). The cache file is used as given and is written to (the
app adds the built-in samples, read marks and its resume point), so pass a copy.

1. Through the Pilot: each `await pilot.press(key)` timed from call to return. That
   includes Pilot's own cost (posting the key, waiting for the screen to go idle and a
   repaint), so the floor is measured too: a key bound to nothing ("x").
2. The work itself, called directly: `HeadlineList.action_cursor_down()` followed by a
   forced render of every visible line (`render_line(y)` for each y on screen); for
   opening, `WireReaderApp.open_dispatch(id)` (store read + JSON decode + building the
   view + related look-ups + the read mark and resume point writes). Also jumps: to the
   last row (`action_last`, which reads a window at offset ~N), a page down, and a window
   miss (the 100-row window cache emptied, then the screen rendered).
Between timed calls the app is allowed to go idle (`pilot.pause()`), outside the timing.
3. Opening then going idle: `open_dispatch(id)` and one `pilot.pause()` (the layout and
   paint of the new dispatch, and the related list), against the floor of a bare
   `pilot.pause()`; in wall-clock time and in this process's CPU time (`_cpu`), which a
   busy machine disturbs far less.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path


def summary(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 3),
        "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 3),
        "max_ms": round(ms[-1], 3),
        "min_ms": round(ms[0], 3),
    }


async def run(db: Path, config: Path, presses: int, opens: int) -> dict[str, object]:
    from wirereader.service import Reader
    from wirereader.ui.app import WireReaderApp
    from wirereader.ui.dispatch import DispatchView
    from wirereader.ui.headlines import HeadlineList

    reader = Reader(db, config)
    app = WireReaderApp(reader, refresh_on_start=False)
    out: dict[str, object] = {}
    t_start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        out["startup_to_idle_ms"] = round((time.perf_counter() - t_start) * 1000, 1)
        hl = app.query_one("#headlines", HeadlineList)
        out["rows"] = hl.row_count
        out["visible_lines"] = hl.size.height

        async def press(key: str) -> float:
            t0 = time.perf_counter()
            await pilot.press(key)
            return time.perf_counter() - t0

        def paint() -> None:
            for y in range(hl.size.height):
                hl.render_line(y)

        hl.focus()
        await pilot.pause()
        out["pilot_floor_x"] = summary([await press("x") for _ in range(presses)])
        out["pilot_j"] = summary([await press("j") for _ in range(presses)])
        enter: list[float] = []
        for _ in range(opens):
            enter.append(await press("enter"))
            await pilot.press("escape")
            await pilot.press("j")
            hl.focus()
            await pilot.pause()
        out["pilot_enter"] = summary(enter)

        # -- the work itself ------------------------------------------------------------
        hl.focus()
        await pilot.pause()
        down: list[float] = []
        for _ in range(presses):
            t0 = time.perf_counter()
            hl.action_cursor_down()
            paint()
            down.append(time.perf_counter() - t0)
            await pilot.pause()
        out["direct_cursor_down_paint"] = summary(down)
        paint_only: list[float] = []
        for _ in range(presses):
            t0 = time.perf_counter()
            paint()
            paint_only.append(time.perf_counter() - t0)
        out["direct_paint_only"] = summary(paint_only)
        pages: list[float] = []
        for _ in range(min(presses, 50)):
            t0 = time.perf_counter()
            hl.action_page_down()
            paint()
            pages.append(time.perf_counter() - t0)
            await pilot.pause()
        out["direct_page_down_paint"] = summary(pages)
        misses: list[float] = []
        for _ in range(min(presses, 30)):
            hl._windows.clear()
            t0 = time.perf_counter()
            paint()
            misses.append(time.perf_counter() - t0)
        out["direct_window_miss_paint"] = summary(misses)
        jumps_last: list[float] = []
        jumps_first: list[float] = []
        for _ in range(10):
            t0 = time.perf_counter()
            hl.action_last()
            paint()
            jumps_last.append(time.perf_counter() - t0)
            await pilot.pause()
            t0 = time.perf_counter()
            hl.action_first()
            paint()
            jumps_first.append(time.perf_counter() - t0)
            await pilot.pause()
        out["direct_end_paint"] = summary(jumps_last)
        out["direct_home_paint"] = summary(jumps_first)
        view = app.query_one("#dispatch", DispatchView)
        opened: list[float] = []
        for _ in range(opens):
            hl.action_cursor_down()
            await pilot.pause()
            current = hl.current
            assert current is not None
            t0 = time.perf_counter()
            app.open_dispatch(current.id)
            opened.append(time.perf_counter() - t0)
            await pilot.pause()
        out["direct_open_dispatch"] = summary(opened)
        settled: list[float] = []
        floor: list[float] = []
        settled_cpu: list[float] = []
        floor_cpu: list[float] = []
        for _ in range(opens):
            hl.action_cursor_down()
            await pilot.pause()
            current = hl.current
            assert current is not None
            c0, t0 = time.process_time(), time.perf_counter()
            await pilot.pause()
            floor.append(time.perf_counter() - t0)
            floor_cpu.append(time.process_time() - c0)
            c0, t0 = time.process_time(), time.perf_counter()
            app.open_dispatch(current.id)
            await pilot.pause()
            settled.append(time.perf_counter() - t0)
            settled_cpu.append(time.process_time() - c0)
        out["pause_floor"] = summary(floor)
        out["direct_open_dispatch_then_idle"] = summary(settled)
        # The same two, in CPU time of this process: what the work costs, without the
        # waiting that other processes on a busy machine add to the wall-clock figures.
        out["pause_floor_cpu"] = summary(floor_cpu)
        out["direct_open_dispatch_then_idle_cpu"] = summary(settled_cpu)
        out["dispatch_view_children"] = len(view.children)
        # Let a pending preview timer (the app previews the row the cursor rests on) fire
        # while the view still exists: leaving run_test with it pending crashed the app.
        await pilot.pause(0.5)
    reader.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--db", type=Path, required=True, help="a COPY of a cache (it is written to)")
    ap.add_argument("--config", type=Path, default=Path("bench/work/wr-config.toml"))
    ap.add_argument("--presses", type=int, default=100)
    ap.add_argument("--opens", type=int, default=30)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    result = asyncio.run(run(args.db, args.config, args.presses, args.opens))
    text = json.dumps(result, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
