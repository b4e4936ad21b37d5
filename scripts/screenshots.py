"""Regenerate screenshots/*.svg from the real app (run: .venv/bin/python scripts/screenshots.py).

The app runs headless through Textual's Pilot on a throwaway cache built from the test
fixture feed, the sample dispatch and a real IPTC ninjs item, with the clock's time zone
pinned to UTC, so the images change only when the app does.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "screenshots"
SIZE = (120, 40)


async def shoot() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    from wirereader.service import Reader
    from wirereader.ui.app import WireReaderApp

    with tempfile.TemporaryDirectory() as tmp:
        reader = Reader(Path(tmp) / "cache.db", Path(tmp) / "config.toml")
        reader.set_setting("samples_loaded", "1")
        samples = REPO / "src" / "wirereader" / "data" / "samples"
        reader.import_paths(
            [
                REPO / "tests" / "fixtures" / "ui" / "wire.xml",
                samples / "iptc-newsinjson_ex-v3.0_tt_text_image_3.json",
                samples / "iptc-newsinjson_doc-v3.1_005_complex_text_article.json",
            ]
        )
        OUT.mkdir(exist_ok=True)

        async def scene(name: str, keys: list[str]) -> None:
            app = WireReaderApp(reader, refresh_on_start=False)
            async with app.run_test(size=SIZE) as pilot:
                await pilot.press(*keys)
                await pilot.pause(0.4)  # let the preview of the highlighted headline show
                await pilot.pause()
                app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
            reader.set_setting("ui.dispatch", "")
            reader.set_setting("ui.source", "")

        await scene("headlines", ["j", "k"])
        await scene("dispatch", ["enter"])
        await scene("search", ["slash", *"Belarus", "enter"])
        await scene("help", ["question_mark"])
        reader.close()
    print(f"wrote {', '.join(sorted(p.name for p in OUT.glob('*.svg')))} to {OUT}")


if __name__ == "__main__":
    sys.exit(asyncio.run(shoot()))
