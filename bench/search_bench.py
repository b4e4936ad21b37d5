"""In-process: `Store.search` newest-50 for single words, as typed and as a finished word.

    .venv/bin/python bench/search_bench.py --db bench/work/cache-1m.db --repeat 20 --json out.json

`Store.search` turns user text into an FTS5 expression (`search_expression`): the last
term becomes a prefix ("word"*) unless the text ends in a space. The reader and the CLI
pass what was typed, so "as typed" (prefix) is what a user gets; "finished" (a trailing
space, an exact token) is the fast path the store's docstring describes. Both are timed.
The first call per query (cold statement, pages maybe not cached) and the median of
--repeat further calls are reported, with the number of hits (at most --limit).
Read-only: nothing is written to the cache.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

#: Single words by language; each occurs in the synthetic text (shared textpool.py).
WORDS: list[tuple[str, str]] = [
    ("en", "government"),
    ("en", "said"),
    ("fr", "gouvernement"),
    ("fr", "marchés"),
    ("vi", "biên"),
    ("vi", "thương"),
    ("zh", "北京"),
    ("zh", "通胀"),
]


def bench(db: Path, repeat: int, limit: int) -> list[dict[str, object]]:
    from wirereader.store import Store

    rows: list[dict[str, object]] = []
    with Store(db) as store:
        total = store.count()
        for lang, word in WORDS:
            for mode, query in (("typed", word), ("finished", word + " ")):
                t0 = time.perf_counter()
                hits = store.search(query, limit=limit)
                first = time.perf_counter() - t0
                samples = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    store.search(query, limit=limit)
                    samples.append(time.perf_counter() - t0)
                rows.append(
                    {
                        "rows": total,
                        "lang": lang,
                        "word": word,
                        "mode": mode,
                        "hits": len(hits),
                        "first_ms": round(first * 1000, 3),
                        "median_ms": round(statistics.median(samples) * 1000, 3),
                        "max_ms": round(max(samples) * 1000, 3),
                    }
                )
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--limit", type=int, default=50)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    rows = bench(args.db, args.repeat, args.limit)
    for r in rows:
        print(
            f"{r['rows']:>9,} {r['lang']} {r['word']!s:<14} {r['mode']:<8} hits {r['hits']:>3}  "
            f"first {r['first_ms']:>9.3f} ms  median {r['median_ms']:>9.3f} ms"
        )
    if args.json:
        args.json.write_text(json.dumps(rows) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
