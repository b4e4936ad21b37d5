"""Every dispatch the parsers make of four corpora, one canonical line each, to diff.

    .venv/bin/python bench/parse_dump.py before.txt             # on the old code
    .venv/bin/python bench/parse_dump.py after.txt              # on the new code
    diff before.txt after.txt                                   # must be empty
    .venv/bin/python bench/parse_dump.py fp.txt --feedparser    # the fallback path alone

Why: a speed change to the parsers or the sanitizer must not change what users read. This
parses tests/fixtures, ../shared/corpus, the hostile corpus (generated into bench/work/
from ../shared/hostile/make_hostile.py) and the 200 bench feeds (bench/work/corpus, made
by bench/run.py) and prints ``<file>\\t<index>\\t<dispatch JSON>`` per dispatch (or the
error). The second session's speed work was checked this way: identical output except
d01_dates.xml, whose undatable items are stamped with the parse time on every run.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from wirereader.codec import dispatch_to_json
from wirereader.formats import fastfeed, parse
from wirereader.model import FormatError

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SHARED = ROOT.parent / "shared"
HOSTILE = BENCH / "work" / "hostile"
#: x08 takes ~35 s through feedparser (bounded by the parse pool in real refreshes).
SKIP = ("x08",)


def corpora(feedparser_only: bool) -> list[Path]:
    if not (HOSTILE / "corpus").is_dir() and (SHARED / "hostile" / "make_hostile.py").exists():
        subprocess.run(
            [sys.executable, str(SHARED / "hostile" / "make_hostile.py"), "--out", str(HOSTILE)],
            check=True,
            capture_output=True,
            timeout=600,
        )
    roots = [ROOT / "tests" / "fixtures", SHARED / "corpus", HOSTILE / "corpus"]
    feeds = sorted((BENCH / "work" / "corpus" / "feeds").glob("*.xml"))
    files = [p for r in roots if r.is_dir() for p in sorted(r.rglob("*")) if p.is_file()]
    # feedparser parses ~900 items/s: ten bench feeds are enough for the fallback path
    return files + (feeds[:10] if feedparser_only else feeds)


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    feedparser_only = "--feedparser" in sys.argv[2:]
    if feedparser_only:

        def refuse(*_: object, **__: object) -> object:
            raise fastfeed.UseFallback("forced")

        fastfeed.parse = refuse  # type: ignore[assignment]
    started = time.perf_counter()
    count = 0
    with open(sys.argv[1], "w", encoding="utf-8", errors="surrogatepass") as out:
        for path in corpora(feedparser_only):
            if path.suffix == ".md" or any(s in path.name for s in SKIP):
                continue
            if path.stat().st_size > 30_000_000:
                continue
            name = path.relative_to(ROOT.parent)
            try:
                result = parse(path.read_bytes(), url="https://example.com/feed")
            except FormatError as exc:
                out.write(f"{name}\tERROR\t{exc}\n")
                continue
            except Exception as exc:  # a crash is a finding too: keep going
                out.write(f"{name}\tCRASH\t{type(exc).__name__}: {exc}\n")
                continue
            out.write(f"{name}\tTITLE\t{result.title!r}\t{result.warnings!r}\n")
            for i, d in enumerate(result.dispatches):
                out.write(f"{name}\t{i}\t{dispatch_to_json(d)}\n")
                count += 1
    print(f"{count} dispatches in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
