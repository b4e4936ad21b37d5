"""In-process: where one cold refresh's time goes, phase by phase, with cProfile.

    .venv/bin/python bench/profile_phases.py --urls bench/work/p8721/urls --db /tmp/x.db --out bench/work/phases

`wirereader refresh` overlaps fetching (event loop), parsing (`asyncio.to_thread`) and
writing (one store thread), so a profiler on the main thread alone sees little of it.
This runs the same pieces one after the other on the main thread:

1. fetch: `wirereader.fetch.Fetcher(FetchLimits(...))` over every URL, with the limits of
   the default config (`FetchLimits()`, unless --concurrency or --per-host), bodies kept in
   memory;
2. parse: `service.refresh.parse_response(body, url, content_type)` for each body;
3. store: one `Store.save_batch` with every feed's `SourceUpdate` into a fresh file,
   then `Store.optimize()` (what `Reader.refresh` does after new rows).

Writes phases.json (seconds per phase, items) and, for parse and store, cProfile listings
sorted by cumulative and by own time (parse-cum.txt, parse-tot.txt, store-cum.txt, ...).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import time
from datetime import UTC, datetime
from pathlib import Path


async def fetch_all(urls: list[str], concurrency: int | None, per_host: int | None) -> list[object]:
    from dataclasses import replace

    from wirereader.fetch import Fetcher, FetchLimits, FetchRequest

    # The default config's limits, written once in wirereader.config.
    limits = FetchLimits()
    if concurrency is not None:
        limits = replace(limits, concurrency=concurrency)
    if per_host is not None:
        limits = replace(limits, per_host=per_host)
    results = []
    async with Fetcher(limits, trust_env=False) as fetcher:
        async for result in fetcher.fetch_all([FetchRequest(u) for u in urls]):
            results.append(result)
    return results


def listing(prof: cProfile.Profile, sort: str, n: int = 30) -> str:
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(sort).print_stats(n)
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--urls", type=Path, required=True)
    ap.add_argument("--db", type=Path, required=True, help="fresh cache file (deleted first)")
    ap.add_argument("--out", type=Path, required=True, help="directory for the listings")
    ap.add_argument("--concurrency", type=int, help="default: the default config's")
    ap.add_argument("--per-host", type=int, help="default: the default config's")
    ap.add_argument(
        "--no-cprofile", action="store_true", help="time the phases only (cProfile ~3x slower)"
    )
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(args.db) + suffix).unlink(missing_ok=True)
    urls = [
        line.split()[0]
        for line in args.urls.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    phases: dict[str, float | int] = {}

    t0 = time.perf_counter()
    import wirereader.fetch
    import wirereader.formats  # noqa: F401
    from wirereader.service.refresh import parse_response
    from wirereader.store import SourceUpdate, Store

    phases["import_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    results = asyncio.run(fetch_all(urls, args.concurrency, args.per_host))
    phases["fetch_s"] = time.perf_counter() - t0
    ok = [r for r in results if getattr(r, "body", None)]
    phases["fetched_ok"] = len(ok)
    phases["body_bytes"] = sum(len(r.body) for r in ok)  # type: ignore[attr-defined]

    prof = cProfile.Profile()
    t0 = time.perf_counter()
    if not args.no_cprofile:
        prof.enable()
    parsed = [(r, parse_response(r.body, r.final_url, r.content_type)) for r in ok]  # type: ignore[attr-defined]
    prof.disable()
    phases["parse_s"] = time.perf_counter() - t0
    phases["items"] = sum(len(p.dispatches) for _, p in parsed)
    if not args.no_cprofile:
        (args.out / "parse-cum.txt").write_text(listing(prof, "cumulative"))
        (args.out / "parse-tot.txt").write_text(listing(prof, "tottime"))

    store = Store(args.db)
    try:
        now = datetime.now(UTC)
        updates = []
        for r, p in parsed:
            sid = store.ensure_source(r.url, kind="feed")  # type: ignore[attr-defined]
            updates.append(
                SourceUpdate(
                    source_id=sid,
                    fetched_at=now,
                    dispatches=p.dispatches,
                    title=p.title or None,
                    etag=r.etag,  # type: ignore[attr-defined]
                    last_modified=r.last_modified,  # type: ignore[attr-defined]
                )
            )
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        if not args.no_cprofile:
            prof.enable()
        stats = store.save_batch(updates)
        prof.disable()
        phases["store_s"] = time.perf_counter() - t0
        phases["stored_new"] = stats.new
        if not args.no_cprofile:
            (args.out / "store-cum.txt").write_text(listing(prof, "cumulative"))
            (args.out / "store-tot.txt").write_text(listing(prof, "tottime"))
        t0 = time.perf_counter()
        store.optimize()
        phases["optimize_s"] = time.perf_counter() - t0
    finally:
        store.close()
    phases["cprofile"] = int(not args.no_cprofile)
    phases = {k: round(v, 3) if isinstance(v, float) else v for k, v in phases.items()}
    (args.out / "phases.json").write_text(json.dumps(phases, indent=1) + "\n")
    print(json.dumps(phases))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
