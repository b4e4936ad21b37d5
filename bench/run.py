"""The wirereader benchmark runner: wirereader against newsboat, on loopback, in one run.

    .venv/bin/python bench/run.py                     # everything, 5 runs each (~30-60 min)
    .venv/bin/python bench/run.py --runs 3 --only cold,warm
    .venv/bin/python bench/run.py --only search,tui --no-1m

Groups (--only / --skip, comma separated): cold, warm, ttfs, tui, search, profile.
Everything lives in bench/work/ (gitignored): the 200x50 corpus from
/work/shared/bench/gen_feeds.py, the synthetic caches from bench/make_cache.py (built
once, reused while present), newsboat's caches, logs and results.json. The markdown
table goes to bench/RESULTS.md (--results) with the exact command line.

Servers: /work/shared/bench/serve.py on 127.0.0.1, one at 0 ms and one at 50 ms latency,
each with --max-seconds (so they stop by themselves) and killed by PID in `finally`.
Every subprocess has a timeout and runs in its own session so it can be killed with
its children; HOME points at bench/work/home (newsboat, tmux never touch the real one).
Measurements alternate wirereader and newsboat inside each run index; medians are quoted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "work"
SHARED = Path("/work/shared/bench")
PY = ROOT / ".venv" / "bin" / "python"
WR = ROOT / ".venv" / "bin" / "wirereader"
HOME = WORK / "home"
WR_CONFIG = WORK / "wr-config.toml"  # never created: an empty config (no subscriptions)
TTFS_PATTERN = "WIREBENCH newest"  # bench/make_cache.py's NEWEST_HEADLINE
NB_PATTERN = r"Your feeds \("
GROUPS = ("cold", "warm", "revisit", "ttfs", "tui", "search", "profile")

ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith(("WIREREADER_", "XDG_"))},
    "HOME": str(HOME),
    "NO_PROXY": "127.0.0.1",
    "no_proxy": "127.0.0.1",
}
for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
    ENV.pop(proxy, None)


def compile_bytecode() -> None:
    """Write wirereader's .pyc files, as `pip install` does for a normal install.

    The editable install (README) leaves bytecode to the first import, and this machine
    sets PYTHONDONTWRITEBYTECODE=1, so every timed launch compiled all of wirereader from
    source (~70 ms of a ~550 ms first screen) while Textual's own files were compiled at
    install. Compiling once here measures what a user's installed copy does.
    """
    subprocess.run(
        [str(PY), "-m", "compileall", "-q", str(ROOT / "src" / "wirereader")],
        check=True,
        timeout=300,
        env=ENV,
    )


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- processes ------------------------------------------------------------------------------


@dataclass
class Timed:
    wall: float
    user: float
    sys: float
    maxrss_mb: float
    rc: int
    out: str
    err: str
    timed_out: bool = False


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def timed(cmd: list[str], *, timeout: float, cwd: Path | None = None) -> Timed:
    """Run cmd in its own session; wall clock, user/sys and peak RSS from wait4."""
    out_path = WORK / "last.out"
    err_path = WORK / "last.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=ENV,
            cwd=cwd,
            start_new_session=True,
        )
        fired = threading.Event()

        def watchdog() -> None:
            fired.set()
            _kill_group(proc.pid)

        timer = threading.Timer(timeout, watchdog)
        timer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    _kill_group(proc.pid)  # stray children, if any
    return Timed(
        wall=wall,
        user=ru.ru_utime,
        sys=ru.ru_stime,
        maxrss_mb=ru.ru_maxrss / 1024,
        rc=proc.returncode,
        out=out_path.read_text(errors="replace"),
        err=err_path.read_text(errors="replace"),
        timed_out=fired.is_set(),
    )


def run_quiet(
    cmd: list[str], *, timeout: float, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=ENV,
        check=check,
        stdin=subprocess.DEVNULL,
    )


class Server:
    """shared/bench/serve.py on 127.0.0.1:port; stops by itself after max_seconds."""

    def __init__(
        self, corpus: Path, port: int, latency_ms: int, max_seconds: int, validators: bool = True
    ) -> None:
        self.port = port
        self.latency_ms = latency_ms
        self.validators = validators
        log_path = WORK / f"serve-{port}.log"
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(SHARED / "serve.py"),
                "--root",
                str(corpus),
                "--port",
                str(port),
                "--latency-ms",
                str(latency_ms),
                "--max-seconds",
                str(max_seconds),
                "--stats-file",
                str(WORK / f"serve-{port}.stats.json"),
                *([] if validators else ["--no-validators"]),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self.stats()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"serve.py on {port} did not start; see {log_path}"
                    ) from None
                time.sleep(0.2)

    def _get(self, path: str) -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
            return r.read()

    def stats(self) -> dict[str, object]:
        return json.loads(self._get("/__stats"))

    def reset(self) -> None:
        self._get("/__reset")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


# -- data preparation -----------------------------------------------------------------------


def ensure_corpus() -> Path:
    corpus = WORK / "corpus"
    if not (corpus / "manifest.json").exists():
        log("generating the 200x50 corpus (gen_feeds.py, seed 42)")
        run_quiet([sys.executable, str(SHARED / "gen_feeds.py"), "--out", str(corpus)], timeout=600)
    return corpus


def ensure_cache(label: str, n: str, sources: int = 12) -> Path:
    path = WORK / f"cache-{label}.db"
    meta = WORK / f"cache-{label}.json"
    if path.exists() and meta.exists():
        return path
    log(f"building the {label} cache (make_cache.py --n {n}); 1M takes several minutes")
    run_quiet(
        [
            str(PY),
            str(BENCH / "make_cache.py"),
            "--n",
            n,
            "--out",
            str(path),
            "--force",
            "--sources",
            str(sources),
            "--batch",
            "10000",
            "--json",
            str(meta),
        ],
        timeout=7200,
    )
    return path


def peer_files(port: int) -> Path:
    """urls + nb8.conf for one server (what shared/bench/setup_peers.sh writes)."""
    d = WORK / f"p{port}"
    d.mkdir(parents=True, exist_ok=True)
    (d / "urls").write_text(
        "".join(f"http://127.0.0.1:{port}/feeds/f{i:03d}.xml\n" for i in range(200))
    )
    for t in (1, 8):
        (d / f"nb{t}.conf").write_text(
            f"reload-threads {t}\ndownload-timeout 60\ndownload-retries 1\nshow-read-feeds yes\n"
        )
    return d


def rm_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def copy_db(src: Path, dst: Path) -> None:
    rm_db(dst)
    shutil.copyfile(src, dst)
    for suffix in ("-wal", "-shm"):
        if Path(str(src) + suffix).exists():
            shutil.copyfile(str(src) + suffix, str(dst) + suffix)


def count_rows(db: Path, table: str) -> int | None:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as c:
            return int(c.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.Error:
        return None


# -- the cases ------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    samples: list[float] = field(default_factory=list)
    extra: dict[str, list[object]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def add(self, key: str, value: object) -> None:
        self.extra.setdefault(key, []).append(value)

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None


class Results:
    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}
        self.data: dict[str, object] = {}

    def case(self, name: str) -> Case:
        return self.cases.setdefault(name, Case(name))

    def dump(self) -> None:
        blob = {
            "cases": {
                k: {
                    "samples": c.samples,
                    "median": c.median,
                    "extra": c.extra,
                    "failures": c.failures,
                }
                for k, c in self.cases.items()
            },
            **self.data,
        }
        (WORK / "results.json").write_text(json.dumps(blob, indent=1, default=str) + "\n")


#: How wirereader gets the 200 subscriptions: "urls" (--urls FILE, the newsboat file) or
#: "config" (the same URLs as [[feeds]] in a config.toml given with --config). Set in main.
SUBS_MODE = {"mode": "urls"}


def urls_supported() -> bool:
    """`--urls` needs wirereader.formats.subscriptions (missing from some work trees)."""
    probe = run_quiet(
        [str(PY), "-c", "import wirereader.formats.subscriptions"], timeout=60, check=False
    )
    return probe.returncode == 0


def wr_refresh_cmd(db: Path, urls: Path) -> list[str]:
    if SUBS_MODE["mode"] == "config":
        cfg = urls.with_name("wr-subs.toml")
        feeds = [u for u in urls.read_text().split() if u]
        cfg.write_text("".join(f'[[feeds]]\nurl = "{u}"\n\n' for u in feeds))
        return [str(WR), "--db", str(db), "--config", str(cfg), "refresh"]
    return [str(WR), "--db", str(db), "--config", str(WR_CONFIG), "--urls", str(urls), "refresh"]


def nb_reload_cmd(cache: Path, d: Path, threads: int = 8) -> list[str]:
    return [
        "newsboat",
        "-u",
        str(d / "urls"),
        "-c",
        str(cache),
        "-C",
        str(d / f"nb{threads}.conf"),
        "-x",
        "reload",
    ]


def record(case: Case, t: Timed, server: Server, count: int | None) -> None:
    stats = server.stats()
    statuses = stats.get("by_status", {})
    ok = t.rc == 0 and not t.timed_out
    if ok:
        case.samples.append(t.wall)
    else:
        why = "timeout" if t.timed_out else f"rc={t.rc}"
        tail = (t.err.strip().splitlines() or t.out.strip().splitlines() or [""])[-1][:300]
        case.failures.append(f"{why}: {tail}")
    case.add("user_s", round(t.user, 3))
    case.add("sys_s", round(t.sys, 3))
    case.add("maxrss_mb", round(t.maxrss_mb, 1))
    case.add("stored", count)
    case.add("statuses", statuses)
    line = t.out.strip().splitlines()[-1] if t.out.strip() else ""
    if line:
        case.add("summary", line[:200])
    log(f"  {case.name}: {t.wall:.2f} s rc={t.rc} stored={count} http={statuses} {line[:90]}")


def group_cold_warm(res: Results, servers: list[Server], runs: int, groups: set[str]) -> None:
    for server in servers:
        lat = server.latency_ms
        d = peer_files(server.port)
        urls = d / "urls"
        wr_db, nb_db = d / "wr-cold.db", d / "nb-cold.db"
        if "cold" in groups:
            log(f"cold refresh at {lat} ms: {runs} runs, alternating")
            for i in range(runs):
                pair = [("wr", wr_db), ("nb", nb_db)]
                for who, db in pair if i % 2 == 0 else pair[::-1]:
                    rm_db(db)
                    server.reset()
                    if who == "wr":
                        t = timed(wr_refresh_cmd(db, urls), timeout=600)
                        record(res.case(f"cold-wr-{lat}"), t, server, count_rows(db, "dispatches"))
                    else:
                        t = timed(nb_reload_cmd(db, d), timeout=600)
                        record(res.case(f"cold-nb8-{lat}"), t, server, count_rows(db, "rss_item"))
        if "warm" in groups:
            log(f"warm refresh at {lat} ms: preparing caches")
            wr_warm, nb_warm = d / "wr-warm.db", d / "nb-warm.db"
            rm_db(wr_warm)
            rm_db(nb_warm)
            prep = timed(wr_refresh_cmd(wr_warm, urls), timeout=600)
            if prep.rc != 0:
                res.case(f"warm-wr-{lat}").failures.append(
                    f"prepare failed rc={prep.rc}: {prep.err[-300:]}"
                )
            for _ in range(2):  # twice: validators stored
                timed(nb_reload_cmd(nb_warm, d), timeout=600)
            log(f"warm refresh at {lat} ms: {runs} runs, alternating")
            for i in range(runs):
                pair = ["wr", "nb"] if i % 2 == 0 else ["nb", "wr"]
                for who in pair:
                    server.reset()
                    if who == "wr":
                        if prep.rc != 0:
                            continue
                        t = timed(wr_refresh_cmd(wr_warm, urls), timeout=600)
                        record(
                            res.case(f"warm-wr-{lat}"), t, server, count_rows(wr_warm, "dispatches")
                        )
                    else:
                        t = timed(nb_reload_cmd(nb_warm, d), timeout=600)
                        record(
                            res.case(f"warm-nb8-{lat}"), t, server, count_rows(nb_warm, "rss_item")
                        )
        res.dump()


def group_revisit(res: Results, server: Server, runs: int) -> None:
    """A refresh where every feed answers 200 with the bytes it sent last time.

    What a refresh costs against servers without ETag or Last-Modified (or that ignore
    them): all 200 bodies come back and each reader decides what is new. Both caches are
    filled by one refresh first; then each run times the same refresh again.
    """
    lat = server.latency_ms
    d = peer_files(server.port)
    urls = d / "urls"
    wr_db, nb_db = d / "wr-revisit.db", d / "nb-revisit.db"
    log(f"revisit (no validators) at {lat} ms: preparing caches")
    rm_db(wr_db)
    rm_db(nb_db)
    prep = timed(wr_refresh_cmd(wr_db, urls), timeout=600)
    if prep.rc != 0:
        res.case(f"revisit-wr-{lat}").failures.append(f"prepare failed rc={prep.rc}")
    timed(nb_reload_cmd(nb_db, d), timeout=600)
    log(f"revisit at {lat} ms: {runs} runs, alternating")
    for i in range(runs):
        for who in ["wr", "nb"] if i % 2 == 0 else ["nb", "wr"]:
            server.reset()
            if who == "wr" and prep.rc == 0:
                t = timed(wr_refresh_cmd(wr_db, urls), timeout=600)
                record(res.case(f"revisit-wr-{lat}"), t, server, count_rows(wr_db, "dispatches"))
            elif who == "nb":
                t = timed(nb_reload_cmd(nb_db, d), timeout=600)
                record(res.case(f"revisit-nb8-{lat}"), t, server, count_rows(nb_db, "rss_item"))
    res.dump()


# -- time to first screen (own tmux harness, same method as shared/bench/ttfs.sh) ------------


class Tmux:
    def __init__(self, cols: int = 120, rows: int = 40) -> None:
        self.cols, self.rows = cols, rows
        self.base = ["tmux", "-L", f"wrbench{os.getpid()}", "-f", "/dev/null"]
        self.t(
            ["new-session", "-d", "-s", "keeper", "-x", str(cols), "-y", str(rows), "sleep 7200"]
        )
        self.t(["set-option", "-g", "remain-on-exit", "on"])

    def t(self, args: list[str], timeout: float = 10) -> str:
        return run_quiet(self.base + args, timeout=timeout, check=False).stdout

    def kill_server(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.t(["kill-server"])

    def ttfs(
        self, name: str, cmd: str, pattern: str, timeout: float = 30
    ) -> tuple[float | None, int | None, str]:
        """ms from `new-session` to PATTERN on screen; also the pane's pid (the program)."""
        rx = re.compile(pattern)
        t0 = time.monotonic()
        deadline = t0 + timeout
        self.t(["new-session", "-d", "-s", name, "-x", str(self.cols), "-y", str(self.rows), cmd])
        while True:
            screen = self.t(["capture-pane", "-p", "-t", name])
            if rx.search(screen):
                t1 = time.monotonic()
                pid = self.t(["display-message", "-p", "-t", name, "#{pane_pid}"]).strip()
                return (t1 - t0) * 1000, int(pid) if pid.isdigit() else None, screen
            dead = self.t(["display-message", "-p", "-t", name, "#{pane_dead}"]).strip() == "1"
            if dead or time.monotonic() > deadline:
                return None, None, screen
            time.sleep(0.005)

    def keys(self, name: str, *keys: str) -> None:
        self.t(["send-keys", "-t", name, *keys])

    def kill(self, name: str) -> None:
        self.t(["kill-session", "-t", name])


def proc_mem(pid: int) -> dict[str, float]:
    out: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    return out


def prime(label: str) -> Path:
    """A copy of a cache as it is after the app's first launch: the built-in samples are
    loaded once (`Reader.ensure_samples`), so timed launches measure an ordinary start."""
    primed = WORK / f"primed-{label}.db"
    copy_db(WORK / f"cache-{label}.db", primed)
    code = (
        "import sys; from pathlib import Path; from wirereader.service import Reader; "
        "r = Reader(Path(sys.argv[1]), Path(sys.argv[2])); r.ensure_samples(); r.close()"
    )
    run_quiet([str(PY), "-c", code, str(primed), str(WR_CONFIG)], timeout=600)
    return primed


def group_ttfs(res: Results, runs: int, nb_dir: Path | None, sizes: list[str]) -> None:
    tm = Tmux()
    try:
        cases: list[tuple[str, str, str, Path | None, Path | None]] = []
        for label in sizes:
            src = prime(label)
            dst = WORK / f"ttfs-{label}.db"
            cmd = f"exec {WR} --db {dst} --config {WR_CONFIG}"
            cases.append((f"ttfs-wr-{label}", cmd, TTFS_PATTERN, src, dst))
        if nb_dir is not None:
            nb_src = nb_dir / "nb-ttfs-src.db"
            rm_db(nb_src)
            timed(nb_reload_cmd(nb_src, nb_dir), timeout=600)
            dst = WORK / "ttfs-newsboat.db"
            cmd = f"exec newsboat -u {nb_dir / 'urls'} -c {dst} -C {nb_dir / 'nb1.conf'}"
            cases.append(("ttfs-nb-10k", cmd, NB_PATTERN, nb_src, dst))
        probe = SHARED / "textual_probe.py"
        cases.append(
            ("ttfs-textual-hello", f"exec {PY} {probe} --hello", "PROBE READY", None, None)
        )
        cases.append(("ttfs-floor", "printf READY; exec sleep 60", "READY", None, None))
        for i in range(runs):
            order = cases if i % 2 == 0 else cases[::-1]
            for name, cmd, pattern, src, dst in order:
                if src is not None and dst is not None:
                    copy_db(src, dst)  # untimed; a pristine cache each run
                session = f"{name}-{i}".replace(".", "_")
                ms, pid, screen = tm.ttfs(session, cmd, pattern)
                case = res.case(name)
                if ms is None:
                    tail = " | ".join(x for x in screen.splitlines() if x.strip())[-300:]
                    case.failures.append(f"no match: {tail}")
                    log(f"  {name}: FAIL ({tail[:120]})")
                else:
                    case.samples.append(ms / 1000)
                    if pid and name not in ("ttfs-floor", "ttfs-textual-hello"):
                        time.sleep(1.0)
                        idle = proc_mem(pid)
                        tm.keys(session, *(["j"] * 60), "Enter")
                        time.sleep(1.5)
                        busy = proc_mem(pid)
                        case.add("rss_idle_mb", round(idle.get("VmRSS", 0), 1))
                        case.add("hwm_after_keys_mb", round(busy.get("VmHWM", 0), 1))
                    log(f"  {name}: {ms:.0f} ms {case.extra.get('hwm_after_keys_mb', [''])[-1]}")
                tm.kill(session)
                time.sleep(0.3)
        res.dump()
    finally:
        tm.kill_server()


# -- in-process groups (own subprocesses with timeouts) -------------------------------------


def group_tui(res: Results, label: str) -> None:
    db = WORK / f"tui-{label}.db"
    copy_db(prime(label), db)
    out = WORK / f"tui-{label}.json"
    t = timed(
        [
            str(PY),
            str(BENCH / "tui_bench.py"),
            "--db",
            str(db),
            "--config",
            str(WR_CONFIG),
            "--presses",
            "100",
            "--opens",
            "30",
            "--json",
            str(out),
        ],
        timeout=900,
    )
    if t.rc != 0 or not out.exists():
        res.data[f"tui-{label}"] = {"error": t.err[-2000:]}
        log(f"  tui {label}: FAILED rc={t.rc}")
    else:
        res.data[f"tui-{label}"] = json.loads(out.read_text())
        log(f"  tui {label}: done")
    res.dump()


def group_search(res: Results, labels: list[str]) -> None:
    for label in labels:
        out = WORK / f"search-{label}.json"
        t = timed(
            [
                str(PY),
                str(BENCH / "search_bench.py"),
                "--db",
                str(WORK / f"cache-{label}.db"),
                "--repeat",
                "20",
                "--json",
                str(out),
            ],
            timeout=1800,
        )
        if t.rc != 0 or not out.exists():
            res.data[f"search-{label}"] = {"error": t.err[-2000:]}
            log(f"  search {label}: FAILED rc={t.rc}")
        else:
            res.data[f"search-{label}"] = json.loads(out.read_text())
            log(f"  search {label}: done")
    res.dump()


SPY_RULES = [
    (
        "feedparser (pure-Python XML/sanitizer)",
        ("feedparser/", "sgmllib", "xml/sax", "expatreader"),
    ),
    ("sanitize.py (per-character loops, regex)", ("wirereader/sanitize",)),
    ("lxml / libxml2", ("lxml", "libxml2", "libxslt")),
    ("wirereader parsers (formats/*)", ("wirereader/formats",)),
    ("sqlite (store, FTS5)", ("sqlite", "wirereader/store")),
    ("json codec", ("wirereader/codec", "json/")),
    ("httpx/httpcore/h11", ("httpx", "httpcore", "h11/", "anyio")),
    ("asyncio / selectors / threads", ("asyncio/", "selectors", "threading", "concurrent/")),
    ("urllib.parse", ("urllib/parse",)),
    ("re (regex engine)", ("re/", "sre_")),
    ("imports", ("importlib", "<frozen")),
]


def spy_summary(raw: Path) -> dict[str, object]:
    """py-spy raw (collapsed) stacks -> share of samples by category (first match from the
    leaf up) and the top leaf functions."""
    cats: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        count = int(n)
        total += count
        frames = stack.split(";")
        leaves[frames[-1][:140]] += count
        for frame in reversed(frames):
            hit = next((c for c, keys in SPY_RULES if any(k in frame for k in keys)), None)
            if hit:
                cats[hit] += count
                break
        else:
            cats["other"] += count
    return {
        "samples": total,
        "categories": [(c, round(100 * n / total, 1)) for c, n in cats.most_common()]
        if total
        else [],
        "top_leaves": [(f, round(100 * n / total, 1)) for f, n in leaves.most_common(15)]
        if total
        else [],
    }


def group_profile(res: Results, server: Server) -> None:
    d = peer_files(server.port)
    spy = WORK / "tools" / "bin" / "py-spy"
    prof: dict[str, object] = {}
    if spy.exists():
        db = d / "wr-spy.db"
        rm_db(db)
        raw = WORK / "pyspy-cold.txt"
        server.reset()
        t = timed(
            [
                str(spy),
                "record",
                "--gil",
                "-r",
                "200",
                "-f",
                "raw",
                "-o",
                str(raw),
                "--",
                *wr_refresh_cmd(db, d / "urls"),
            ],
            timeout=900,
        )
        if raw.exists():
            prof["pyspy"] = spy_summary(raw)
            prof["pyspy_wall_s"] = round(t.wall, 2)
    else:
        prof["pyspy"] = "not installed (pip install --target bench/work/tools py-spy)"
    out = WORK / "phases"
    t = timed(
        [
            str(PY),
            str(BENCH / "profile_phases.py"),
            "--urls",
            str(d / "urls"),
            "--db",
            str(d / "wr-phases.db"),
            "--out",
            str(out),
            "--no-cprofile",
        ],
        timeout=1800,
    )
    if t.rc == 0 and (out / "phases.json").exists():
        prof["phases"] = json.loads((out / "phases.json").read_text())
    else:
        prof["phases"] = {"error": t.err[-1000:]}
    res.data["profile"] = prof
    res.dump()
    log("  profile done")


# -- the report -----------------------------------------------------------------------------


def fmt_s(v: float | None) -> str:
    return "FAIL" if v is None else (f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s")


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def mid(values: list[object]) -> object:
    nums = [v for v in values if isinstance(v, int | float)]
    return statistics.median(nums) if nums else None


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**not met**")


def report(res: Results, argv: list[str], runs: int, started: float) -> str:
    c = res.cases
    lines: list[str] = ["# wirereader benchmark results", ""]
    lines += [
        "Produced by:",
        "",
        "```sh",
        "cd /work/main && " + " ".join(shlex.quote(a) for a in argv),
        "```",
        "",
        *[
            line
            for m in res.data.get("merged_commands", [])
            for line in (f"Merged with the other groups' figures of: `bench/run.py {m}`", "")
        ],
        f"Machine: {os.cpu_count()} cores (`nproc` {len(os.sched_getaffinity(0))}), "
        f"{platform.platform()}, Python {platform.python_version()} "
        f"({res.data.get('versions', {}).get('python_impl', '')}), "
        f"{res.data.get('versions', {}).get('newsboat', '?')}, tmux "
        f"{res.data.get('versions', {}).get('tmux', '?')}, SQLite {sqlite3.sqlite_version}. "
        f"wirereader at {res.data.get('versions', {}).get('git', '?')}.",
        f"Runs per case: {runs} (median quoted; wirereader and newsboat alternate within each run). "
        f"Wall time of the invocation(s): {res.data.get('wall_min') or '?'} min. "
        "wirereader's bytecode is compiled before timing, as a pip install does "
        "(this machine sets PYTHONDONTWRITEBYTECODE=1; see `compile_bytecode`).",
        "",
    ]
    if res.data.get("subscriptions_mode") == "config":
        lines += [
            "NOTE: `wirereader --urls` failed to import in this work tree "
            "(`wirereader.formats.subscriptions` missing), so wirereader read the same 200 URLs "
            "as `[[feeds]]` from a config.toml (`--config`); the refresh path is otherwise the same.",
            "",
        ]
    # refresh table
    lines += [
        "## Refresh (whole process, 200 feeds x 50 items, loopback)",
        "",
        "| case | latency | wirereader | newsboat (8 threads) | ratio wr/nb | target | stored wr / nb | wr user+sys | nb user+sys | wr peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    targets: tuple[tuple[str, float | None], ...] = (
        ("cold", 0.4),
        ("warm", 0.3),
        ("revisit", None),
    )
    for kind, target in targets:
        for lat in (0, 50):
            wr, nb = c.get(f"{kind}-wr-{lat}"), c.get(f"{kind}-nb8-{lat}")
            if wr is None and nb is None:
                continue
            wm, nm = (wr.median if wr else None), (nb.median if nb else None)
            r = None if wm is None or nm is None else wm / nm
            ok = None if r is None or target is None else r <= target

            def cpu(case: Case | None) -> str:
                if case is None or not case.extra.get("user_s"):
                    return "-"
                return f"{statistics.median([u + s for u, s in zip(case.extra['user_s'], case.extra['sys_s'], strict=False)]):.2f} s"

            lines.append(
                f"| {kind} | {lat} ms | {fmt_s(wm)} | {fmt_s(nm)} | {ratio(wm, nm)} "
                f"| {'-' if target is None else f'≤ {target}x: {verdict(ok)}'} "
                f"| {mid(wr.extra.get('stored', [])) if wr else '-'} / {mid(nb.extra.get('stored', [])) if nb else '-'} "
                f"| {cpu(wr)} | {cpu(nb)} | {mid(wr.extra.get('maxrss_mb', [])) if wr else '-'} MB |"
            )
    if any(k.startswith("revisit-") for k in c):
        lines += [
            "",
            "`revisit`: the same refresh again against `serve.py --no-validators`, so every feed "
            "answers 200 with the bytes of last time (servers without ETag/Last-Modified). Not a "
            "target of issue #6; it measures what `formats.known` saves.",
        ]
    lines.append("")
    # ttfs
    lines += [
        "## Time to first screen (tmux 120x40, command to known headline on screen)",
        "",
        "| case | median | min / max | runs ok | RSS after screen | peak RSS after 60 j + enter | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in [k for k in c if k.startswith("ttfs-")]:
        case = c[name]
        tgt = ""
        if name == "ttfs-wr-100k":
            m = case.median
            tgt = f"< 0.45 s: {verdict(None if m is None else m < 0.45)}"
            hwm = mid(case.extra.get("hwm_after_keys_mb", []))
            tgt += f"; RSS < 150 MB: {verdict(None if hwm is None else hwm < 150)}"
        mm = f"{fmt_s(min(case.samples))} / {fmt_s(max(case.samples))}" if case.samples else "-"
        ok = f"{len(case.samples)}/{len(case.samples) + len(case.failures)}"
        rss = mid(case.extra.get("rss_idle_mb", []))
        hwm = mid(case.extra.get("hwm_after_keys_mb", []))
        lines.append(
            f"| {name} | {fmt_s(case.median)} | {mm} | {ok} | {rss or '-'} MB | {hwm or '-'} MB | {tgt} |"
        )
    lines.append("")
    # tui
    for key in [k for k in res.data if k.startswith("tui-")]:
        tui = res.data[key]
        lines += [
            f"## Keys in the headline list, in-process ({key[4:]} cached, Textual run_test 120x40)",
            "",
        ]
        if not isinstance(tui, dict) or "error" in tui:
            lines += ["FAILED:", "```", str(tui)[-1500:], "```", ""]
            continue
        lines += ["| what | median | p90 | max | target |", "|---|---|---|---|---|"]
        names = [
            ("pilot_floor_x", "pilot.press('x') (unbound key: Pilot's own floor)", ""),
            ("pilot_j", "pilot.press('j')", ""),
            ("pilot_enter", "pilot.press('enter') (open dispatch)", ""),
            (
                "direct_cursor_down_paint",
                "action_cursor_down() + render_line(y) for every visible y",
                "< 16 ms",
            ),
            ("direct_paint_only", "render_line(y) for every visible y only", ""),
            ("direct_page_down_paint", "action_page_down() + paint", "< 16 ms"),
            (
                "direct_window_miss_paint",
                "paint after emptying the 100-row window cache",
                "< 16 ms",
            ),
            ("direct_end_paint", "action_last() (row N) + paint", "< 16 ms"),
            ("direct_home_paint", "action_first() + paint", "< 16 ms"),
            ("direct_open_dispatch", "app.open_dispatch(id) (no paint)", "< 16 ms"),
            ("pause_floor", "await pilot.pause() alone (floor of the next row)", ""),
            (
                "direct_open_dispatch_then_idle",
                "open_dispatch(id) + await pilot.pause() (layout + paint of the view)",
                "< 16 ms",
            ),
        ]
        for k, label, target in names:
            s = tui.get(k)
            if not isinstance(s, dict):
                continue
            t = ""
            if target:
                t = f"{target}: {verdict(s['median_ms'] < 16)}"
            lines.append(
                f"| {label} | {s['median_ms']:.2f} ms | {s['p90_ms']:.2f} ms | {s['max_ms']:.2f} ms | {t} |"
            )
        lines += [
            "",
            f"Rows in the list: {tui.get('rows')}; start-up to idle under run_test: {tui.get('startup_to_idle_ms')} ms.",
            "",
        ]
    # search
    skeys = [k for k in res.data if k.startswith("search-")]
    if skeys:
        lines += [
            "## Search, newest 50 hits, in-process `Store.search` (median of 20 after a first call)",
            "",
            "'typed' = the word as typed (the store makes the last term a prefix: what the TUI and CLI do); "
            "'finished' = the word plus a space (exact token).",
            "",
            "| cached | lang | word | mode | hits | first | median | target < 50 ms with hits |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for key in skeys:
            rows = res.data[key]
            if not isinstance(rows, list):
                lines.append(f"| {key} | FAILED | | | | | | |")
                continue
            for r in rows:
                ok = r["median_ms"] < 50 and r["hits"] > 0
                lines.append(
                    f"| {r['rows']:,} | {r['lang']} | {r['word']} | {r['mode']} | {r['hits']} | "
                    f"{r['first_ms']:.2f} ms | {r['median_ms']:.2f} ms | {verdict(ok)} |"
                )
        lines.append("")
    caches = {k: res.data.get(f"cache-{k}") for k in ("1k", "10k", "100k", "1m")}
    if any(caches.values()):
        lines += [
            "## Synthetic caches (bench/make_cache.py through Store.save_batch)",
            "",
            "| cache | dispatches | store rate | overall rate | size |",
            "|---|---|---|---|---|",
        ]
        for k, m in caches.items():
            if isinstance(m, dict):
                lines.append(
                    f"| {k} | {m['stored']:,} | {m['rate_store']:,.0f}/s | {m['rate_total']:,.0f}/s | {m['bytes'] / 1e6:,.0f} MB |"
                )
        lines.append("")
    prof = res.data.get("profile")
    if isinstance(prof, dict):
        lines += ["## Where the time goes (one cold refresh at 0 ms)", ""]
        spy = prof.get("pyspy")
        if isinstance(spy, dict):
            lines += [
                f"py-spy (`record --gil`, 200 Hz: samples of the thread holding the GIL, {spy['samples']} samples, run took "
                f"{prof.get('pyspy_wall_s')} s); share by the first matching frame from the leaf up:",
                "",
                "| category | share of CPU samples |",
                "|---|---|",
            ]
            lines += [f"| {name} | {pct} % |" for name, pct in spy["categories"]]
            lines += ["", "Top leaf frames:", "", "| frame | share |", "|---|---|"]
            lines += [f"| `{f}` | {pct} % |" for f, pct in spy["top_leaves"][:12]]
            lines.append("")
        ph = prof.get("phases")
        if isinstance(ph, dict):
            lines += [
                "Phases run one after another in-process on one thread "
                "(bench/profile_phases.py --no-cprofile; real fetch/parse/store code):",
                "",
                "```",
                json.dumps(ph),
                "```",
                "",
            ]
    findings = BENCH / "FINDINGS.md"
    if findings.exists():
        lines += [findings.read_text().rstrip(), ""]
    return "\n".join(lines) + "\n"


def versions(res: Results) -> None:
    v: dict[str, str] = {"python_impl": platform.python_implementation()}
    with contextlib.suppress(Exception):
        v["newsboat"] = (
            run_quiet(["newsboat", "-v"], timeout=10, check=False)
            .stdout.splitlines()[0]
            .split(" - ")[0]
        )
    with contextlib.suppress(Exception):
        v["tmux"] = run_quiet(["tmux", "-V"], timeout=10, check=False).stdout.strip()
    with contextlib.suppress(Exception):
        head = run_quiet(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], timeout=10
        ).stdout.strip()
        dirty = run_quiet(
            ["git", "-C", str(ROOT), "status", "--porcelain", "src"], timeout=10
        ).stdout
        v["git"] = head + (" + uncommitted changes in src/" if dirty.strip() else "")
    res.data["versions"] = v


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default=",".join(GROUPS), help="comma-separated groups")
    ap.add_argument("--skip", default="", help="comma-separated groups to leave out")
    ap.add_argument("--port", type=int, default=8721, help="0 ms server; 50 ms on port+1")
    ap.add_argument("--latencies", default="0,50")
    ap.add_argument(
        "--subscriptions",
        choices=("auto", "urls", "config"),
        default="auto",
        help="--urls FILE, or the same feeds in a config.toml (auto: --urls if it imports)",
    )
    ap.add_argument(
        "--merge",
        action="store_true",
        help="keep the other groups' figures from bench/work/results.json (re-run some groups)",
    )
    ap.add_argument(
        "--report-only", action="store_true", help="rewrite RESULTS.md from results.json"
    )
    ap.add_argument("--no-1m", action="store_true", help="no 1M cache (search at 100k only)")
    ap.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    ap.add_argument(
        "--max-seconds", type=int, default=5400, help="servers stop by themselves after this"
    )
    args = ap.parse_args()
    groups = set(args.only.split(",")) - set(args.skip.split(","))
    if unknown := groups - set(GROUPS):
        ap.error(f"unknown groups {sorted(unknown)}")
    started = time.monotonic()
    if args.report_only:
        blob = json.loads((WORK / "results.json").read_text())
        res = Results()
        for name, c in blob.pop("cases", {}).items():
            res.cases[name] = Case(name, c["samples"], c["extra"], c["failures"])
        res.data.update(blob)
        argv = ["bench/run.py", *res.data.get("command", "").split()]
        args.results.write_text(report(res, argv, args.runs, started))
        return 0
    WORK.mkdir(parents=True, exist_ok=True)
    HOME.mkdir(parents=True, exist_ok=True)
    res = Results()
    previous = WORK / "results.json"
    if args.merge and previous.exists():
        blob = json.loads(previous.read_text())
        for name, c in blob.pop("cases", {}).items():
            if not any(name.startswith(g) for g in groups):
                res.cases[name] = Case(name, c["samples"], c["extra"], c["failures"])
        res.data.update({k: v for k, v in blob.items() if not k.startswith(tuple(groups))})
        res.data["merged_commands"] = [*blob.get("merged_commands", []), blob.get("command", "")]
    res.data["command"] = " ".join(shlex.quote(a) for a in sys.argv[1:])
    versions(res)
    if args.subscriptions == "auto":
        args.subscriptions = "urls" if urls_supported() else "config"
    SUBS_MODE["mode"] = args.subscriptions
    if groups & {"cold", "warm"} or "subscriptions_mode" not in res.data:
        res.data["subscriptions_mode"] = args.subscriptions  # what the refresh table used
    log(f"wirereader gets its subscriptions from: {args.subscriptions}")
    compile_bytecode()
    corpus = ensure_corpus()
    sizes = {"1k": "1k", "10k": "10k", "100k": "100k"}
    if not args.no_1m and "search" in groups:
        sizes["1m"] = "1M"
    if groups & {"ttfs", "tui", "search"}:
        for label, n in sizes.items():
            ensure_cache(label, n, sources=24 if label == "1m" else 12)
            meta = WORK / f"cache-{label}.json"
            if meta.exists():
                res.data[f"cache-{label}"] = json.loads(meta.read_text())
    servers: list[Server] = []
    try:
        if groups & {"cold", "warm", "ttfs", "profile"}:
            for k, lat in enumerate(int(x) for x in args.latencies.split(",")):
                servers.append(Server(corpus, args.port + k, lat, args.max_seconds))
                log(
                    f"serve.py on 127.0.0.1:{args.port + k} at {lat} ms (pid {servers[-1].proc.pid})"
                )
        if groups & {"cold", "warm"}:
            group_cold_warm(res, servers, args.runs, groups)
        if "revisit" in groups:
            plain = Server(corpus, args.port + 2, 0, args.max_seconds, validators=False)
            servers.append(plain)
            log(f"serve.py --no-validators on 127.0.0.1:{plain.port} (pid {plain.proc.pid})")
            group_revisit(res, plain, args.runs)
        if "ttfs" in groups:
            log("time to first screen")
            group_ttfs(res, args.runs, peer_files(servers[0].port), ["1k", "10k", "100k"])
        if "profile" in groups:
            log("profile of one cold refresh")
            group_profile(res, servers[0])
    finally:
        for s in servers:
            s.stop()
    if "tui" in groups:
        log("in-process keys at 100k")
        group_tui(res, "100k")
    if "search" in groups:
        log("search")
        group_search(res, [k for k in ("100k", "1m") if k in sizes])
    wall = round((time.monotonic() - started) / 60, 1)
    res.data["wall_min"] = " + ".join(
        x for x in (str(res.data.get("wall_min") or ""), str(wall)) if x
    )
    res.dump()
    text = report(
        res, [sys.argv[0].replace(str(ROOT) + "/", ""), *sys.argv[1:]], args.runs, started
    )
    args.results.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
