"""Build a synthetic wirereader cache of N dispatches through the real Store API.

    .venv/bin/python bench/make_cache.py --n 100k --out bench/work/cache-100k.db
    .venv/bin/python bench/make_cache.py --n 1M --out bench/work/cache-1m.db --sources 24

Deterministic for the same arguments (text, guids, times): the text comes from the
shared multilingual pools (/work/shared/bench/textpool.py: English, French, Vietnamese,
Chinese wire copy), pre-generated into a few thousand headlines and paragraphs per
language and then combined, so building 1M rows costs the Store's time, not ours.

Dispatch times run back from a fixed instant (END, 2030) one every STEP seconds, so the
synthetic rows sit above the built-in samples the TUI adds at start-up and the newest one
is always NEWEST_HEADLINE: a known text for time-to-first-screen patterns.

Writes in batches of --batch dispatches (one `Store.save_batch` transaction each, one
`SourceUpdate` per source in it, as a refresh would) and ends with `Store.optimize()`,
as `Reader.refresh` does. Prints the rate (dispatches/s) of the Store part alone and of
the whole run. Refuses to overwrite an existing file unless --force.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SHARED_BENCH = Path("/work/shared/bench")
END = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
STEP = timedelta(seconds=37)
NEWEST_HEADLINE = "WIREBENCH newest dispatch on the wire"
#: Source titles ("Wire EN 03"...): one language each, in LANGS order, repeated.
SOURCE_TITLE = {"en": "Wire EN", "fr": "AFW FR", "vi": "TTXW VI", "zh": "XHW ZH"}


def parse_count(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    mult = 1
    if text.endswith("k"):
        mult, text = 1_000, text[:-1]
    elif text.endswith("m"):
        mult, text = 1_000_000, text[:-1]
    return int(float(text) * mult)


class Pools:
    """Pre-generated headlines, paragraphs and captions per language (deterministic)."""

    def __init__(self, seed: int, n_titles: int = 3000, n_paras: int = 1500) -> None:
        sys.path.insert(0, str(SHARED_BENCH))
        import textpool  # the shared generator's pools (read-only, stdlib only)

        self.langs: list[str] = list(textpool.LANGS)
        self.weights: list[float] = list(textpool.LANG_WEIGHTS)
        rng = random.Random(seed)
        self.titles = {
            lang: [textpool.title(rng, lang) for _ in range(n_titles)] for lang in self.langs
        }
        self.paras = {
            lang: [textpool.paragraph(rng, lang) for _ in range(n_paras)] for lang in self.langs
        }
        self.captions = {
            lang: [textpool.caption(rng, lang) for _ in range(500)] for lang in self.langs
        }
        self.people = textpool.PEOPLE
        self.places = textpool.PLACES
        self.photographers = textpool.PHOTOGRAPHERS


def make_dispatch(rng: random.Random, pools: Pools, lang: str, i: int, when: datetime, source: int):
    from wirereader.model import Block, Dispatch, Photo, Related

    headline = rng.choice(pools.titles[lang])
    urgency = rng.choices([None, 3, 2, 1], weights=[90, 7, 2, 1])[0]
    paras = rng.sample(pools.paras[lang], rng.randint(3, 7))
    body: list[Block] = []
    if rng.random() < 0.15:
        body.append(Block("subhead", rng.choice(pools.titles[lang])))
    body.extend(Block("paragraph", p) for p in paras)
    photos: list[Photo] = []
    if rng.random() < 0.4:
        photos.append(
            Photo(
                caption=rng.choice(pools.captions[lang]),
                credit=rng.choice(pools.photographers) + " / WIRE",
                url=f"http://127.0.0.1:9/img/{source}/{i}.jpg",
                width=1024,
                height=683,
                mime="image/jpeg",
            )
        )
        body.insert(2, Block("photo", photo=0))
    related = tuple(
        Related(headline=rng.choice(pools.titles[lang]), url=f"http://127.0.0.1:9/s{source}/{j}")
        for j in rng.sample(range(max(1, i)), min(i, rng.randint(0, 3)))
    )
    place = rng.choice(pools.places[lang])
    return Dispatch(
        guid=f"urn:wirebench:{source}:{i}",
        headline=headline,
        url=f"http://127.0.0.1:9/s{source}/{i}",
        version_created=when,
        first_created=when,
        urgency=urgency,
        signals=("urgent",) if urgency and urgency <= 3 else (),
        slugline=f"{lang.upper()}-{place.split()[0].upper()}",
        dateline=place,
        located=place,
        byline=rng.choice(pools.people[lang]),
        language=lang,
        summary=paras[0][:200],
        body=tuple(body),
        photos=tuple(photos),
        related=related,
        credit_chain=(SOURCE_TITLE[lang].split()[0],),
        format="rss",
    )


def build(out: Path, n: int, n_sources: int, batch: int, seed: int) -> dict[str, float]:
    from dataclasses import replace

    from wirereader.store import SourceUpdate, Store

    t_start = time.perf_counter()
    pools = Pools(seed)
    rng = random.Random(seed + 1)
    t_pools = time.perf_counter() - t_start
    store = Store(out)
    try:
        langs = pools.langs
        sources: list[tuple[int, str]] = []
        for s in range(n_sources):
            lang = langs[s % len(langs)]
            url = f"http://127.0.0.1:9/wirebench/{lang}/{s:03d}.xml"
            sid = store.ensure_source(url, title=f"{SOURCE_TITLE[lang]} {s:02d}", kind="feed")
            sources.append((sid, lang))
        store_secs = 0.0
        done = 0
        # Oldest first, as a reader's cache grows; the newest (i = n - 1) is on top.
        while done < n:
            upto = min(n, done + batch)
            per_source: dict[int, list] = {}
            fetched_at = END - STEP * (n - upto)
            for i in range(done, upto):
                s = rng.randrange(n_sources)
                sid, lang = sources[s]
                when = END - STEP * (n - 1 - i)
                d = make_dispatch(rng, pools, lang, i, when, s)
                if i == n - 1:
                    d = replace(d, headline=NEWEST_HEADLINE, urgency=3)
                per_source.setdefault(sid, []).append(d)
            updates = [
                SourceUpdate(source_id=sid, fetched_at=fetched_at, dispatches=ds, title=None)
                for sid, ds in per_source.items()
            ]
            t0 = time.perf_counter()
            store.save_batch(updates)
            store_secs += time.perf_counter() - t0
            done = upto
            if done % max(batch, n // 10) == 0 or done == n:
                print(
                    f"  {done:>9,} dispatches  {done / store_secs:,.0f}/s (store)", file=sys.stderr
                )
        t0 = time.perf_counter()
        store.optimize()
        optimize_secs = time.perf_counter() - t0
        count = store.count()
    finally:
        store.close()
    total = time.perf_counter() - t_start
    return {
        "dispatches": n,
        "stored": count,
        "sources": n_sources,
        "seconds_total": round(total, 2),
        "seconds_store": round(store_secs, 2),
        "seconds_pools": round(t_pools, 2),
        "seconds_optimize": round(optimize_secs, 2),
        "rate_store": round(n / store_secs, 1) if store_secs else 0.0,
        "rate_total": round(n / total, 1),
        "bytes": sum(p.stat().st_size for p in out.parent.glob(out.name + "*")),
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", default="10k", help="dispatches: 1k, 10k, 100k, 1M or a number")
    ap.add_argument("--out", type=Path, required=True, help="cache file to create")
    ap.add_argument("--sources", type=int, default=12, help="number of sources (languages rotate)")
    ap.add_argument("--batch", type=int, default=5000, help="dispatches per save_batch transaction")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--force", action="store_true", help="replace an existing file")
    ap.add_argument("--json", type=Path, help="also write the result as JSON here")
    args = ap.parse_args()
    n = parse_count(args.n)
    if n <= 0:
        ap.error("--n must be positive")
    if args.out.exists():
        if not args.force:
            ap.error(f"{args.out} exists (use --force)")
        for p in args.out.parent.glob(args.out.name + "*"):
            if p.name in {args.out.name, args.out.name + "-wal", args.out.name + "-shm"}:
                p.unlink()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = build(args.out, n, args.sources, args.batch, args.seed)
    line = (
        f"{result['stored']:,} dispatches in {result['seconds_total']} s: "
        f"{result['rate_store']:,.0f} dispatches/s through Store.save_batch, "
        f"{result['rate_total']:,.0f}/s overall; {result['bytes'] / 1e6:,.1f} MB -> {args.out}"
    )
    print(line)
    if args.json:
        args.json.write_text(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
