"""The command line: `wirereader` opens the reader; subcommands work headless.

Headless commands never import Textual (a test checks it), so `wirereader list` in a
script or over ssh starts in a blink. Every command reads the cache and works with no
network; only `refresh` (and following a link) goes out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from wirereader import __version__
from wirereader.config import ConfigError
from wirereader.locations import config_path, db_path
from wirereader.sanitize import clean_message
from wirereader.service import Reader

EPILOG = """\
With no command, opens the reader. Locations: --db / WIREREADER_DB for the cache,
--config / WIREREADER_CONFIG for the config file (subscriptions); by default both
follow the platform's directories. Every command works offline from the cache.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wirereader",
        description="A terminal reader for wire-service dispatches.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"wirereader {__version__}")
    parser.add_argument("--db", metavar="PATH", help="cache database (env WIREREADER_DB)")
    parser.add_argument("--config", metavar="PATH", help="config file (env WIREREADER_CONFIG)")
    parser.add_argument(
        "--urls",
        dest="urls_file",
        metavar="FILE",
        help="use a newsboat-style urls file as the subscriptions",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("add", help="subscribe to feed URLs")
    p.add_argument("urls", nargs="+", metavar="URL")
    p.add_argument("--title", default="", help="a name for the source")
    p = sub.add_parser("remove", help="unsubscribe from a feed URL (its cache is kept)")
    p.add_argument("url", metavar="URL")
    sub.add_parser("sources", help="list sources with their state")
    p = sub.add_parser("defaults", help="show the built-in list of public wire feeds")
    p.add_argument("--add", action="store_true", help="subscribe to all of them")
    p = sub.add_parser("refresh", help="fetch every subscription and cache what is new")
    p.add_argument("--quiet", "-q", action="store_true", help="print only the summary")
    p.add_argument(
        "--full-text",
        action="store_true",
        help="also fetch the article page of every summary-only item, to read offline",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="also fetch feeds that are backing off, rate limited or gone (HTTP 410)",
    )
    p = sub.add_parser("import", help="read local files and folders (feeds, dispatches, OPML)")
    p.add_argument("paths", nargs="+", metavar="PATH", type=Path)
    for name, help_text in (("list", "print the newest headlines"), ("search", "search the cache")):
        p = sub.add_parser(name, help=help_text)
        if name == "search":
            p.add_argument("query", nargs="+")
        p.add_argument("--source", metavar="NAME", help="only this source (title, URL or id)")
        p.add_argument("--limit", type=int, default=50 if name == "search" else 30, metavar="N")
        p.add_argument("--json", action="store_true", help="one ninjs JSON object per line")
        if name == "list":
            p.add_argument("--unread", action="store_true", help="only what is still unread")
            p.add_argument("--starred", action="store_true", help="only the starred")
    p = sub.add_parser("show", help="print one dispatch with every part")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true", help="the dispatch as ninjs JSON")
    p.add_argument(
        "--versions", action="store_true", help="what changed in each update of the dispatch"
    )
    p = sub.add_parser("export", help="write dispatches as ninjs 3.x JSON or Markdown")
    p.add_argument("ids", nargs="*", type=int, metavar="ID", help="these dispatches only")
    p.add_argument("--format", choices=("ninjs", "markdown"), default="ninjs")
    p.add_argument("--source", metavar="NAME", help="only this source (title, URL or id)")
    p.add_argument("--search", metavar="WORDS", help="only dispatches matching a search")
    p.add_argument("--limit", type=int, default=1000, metavar="N", help="at most N (newest first)")
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write one file per dispatch into DIR (default: all to standard output)",
    )
    p = sub.add_parser("open", help="open a local dispatch file in the reader")
    p.add_argument("path", type=Path, metavar="PATH")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except ConfigError as exc:
        print(f"wirereader: config: {clean_message(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `wirereader list | head`: the reader went away; exit quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _reader(args: argparse.Namespace) -> Reader:
    return Reader(
        db_path(args.db),
        config_path(args.config),
        urls_file=Path(args.urls_file) if args.urls_file else None,
    )


def _run(args: argparse.Namespace) -> int:
    from wirereader.store import StoreError

    reader = _reader(args)
    command = args.command
    try:
        with reader:
            if command in (None, "open"):
                return _launch(reader, args)
            handler = _COMMANDS[command]
            return handler(reader, args)
    except StoreError as exc:
        print(f"wirereader: cache: {clean_message(exc)}", file=sys.stderr)
        return 2


def _launch(reader: Reader, args: argparse.Namespace) -> int:
    """Open the TUI; without a terminal, print the newest headlines instead."""
    if args.command == "open" and not args.path.exists():
        print(f"wirereader: no such file: {args.path}", file=sys.stderr)
        return 1
    if not (sys.stdout.isatty() and sys.stdin.isatty()):
        # No terminal to draw on (a pipe, a cron job): print what the first screen would.
        if args.command == "open":
            return _cmd_import(reader, argparse.Namespace(paths=[args.path]))
        return _cmd_list(reader, argparse.Namespace(source=None, limit=30, json=False))
    # textual-image probes the terminal when imported, which only works before the app
    # owns it, and costs hundreds of ms: only when pictures are on, or "auto" and the
    # terminal says it draws them (never in tmux or a plain xterm).
    from wirereader.ui.photo import enable_images

    enable_images(reader.config.images)
    from wirereader.ui.app import run_app

    return run_app(reader, open_path=args.path if args.command == "open" else None)


def _find_source(reader: Reader, name: str | None) -> int | None:
    if not name:
        return None
    sources = reader.sources()
    for s in sources:
        if name == str(s.id) or name == s.url or name.casefold() == s.title.casefold():
            return s.id
    matches = [s for s in sources if name.casefold() in s.title.casefold()]
    if len(matches) == 1:
        return matches[0].id
    raise SystemExit(f"wirereader: no single source matches {name!r}; see `wirereader sources`")


def _width() -> int:
    return max(60, shutil.get_terminal_size((100, 24)).columns)


def _list_width() -> int | None:
    """Fit rows to a terminal; to a pipe, print whole headlines for the next program."""
    return _width() if sys.stdout.isatty() else None


def _cmd_add(reader: Reader, args: argparse.Namespace) -> int:
    added, rejected = reader.add(args.urls, title=args.title)
    for url in added:
        print(f"subscribed: {url}")
    for url in rejected:
        print(f"rejected (only http and https feed URLs): {url}", file=sys.stderr)
    if not added and not rejected:
        print("already subscribed")
    return 1 if rejected and not added else 0


def _cmd_remove(reader: Reader, args: argparse.Namespace) -> int:
    if reader.remove(args.url):
        print(f"unsubscribed: {args.url} (cached dispatches kept)")
        return 0
    print(f"not subscribed: {args.url}", file=sys.stderr)
    return 1


def _cmd_sources(reader: Reader, args: argparse.Namespace) -> int:
    from wirereader.render_text import local_time, source_row

    reader.ensure_samples()
    sources = reader.sources()
    if not sources:
        print("no sources yet: `wirereader add URL`, or `wirereader defaults --add`")
    now = datetime.now(UTC)
    for s in sources:
        print(source_row(s))
        if s.gone:
            print("      gone: the server answered 410, so it is no longer polled")
            print("      (`wirereader remove URL` unsubscribes; `refresh --force` tries anyway)")
        elif s.next_attempt is not None and s.next_attempt > now:
            when = local_time(s.next_attempt, with_date=True)
            print(f"      backing off: next try after {when} ({s.error_count} failed in a row)")
    return 0


def _cmd_defaults(reader: Reader, args: argparse.Namespace) -> int:
    from wirereader.service.imports import default_feeds

    feeds = default_feeds()
    if args.add:
        print(f"subscribed to {reader.subscribe_defaults()} of {len(feeds)} built-in feeds")
        return 0
    for f in feeds:
        print(f"{f.title}\n    {f.url}")
    print(f"\n{len(feeds)} public feeds; `wirereader defaults --add` subscribes to all of them.")
    return 0


def _cmd_refresh(reader: Reader, args: argparse.Namespace) -> int:
    from wirereader.service.refresh import FeedOutcome

    live = sys.stderr.isatty() and not args.quiet

    # The progress line is redrawn in place on a terminal only: a log (cron, a pipe) gets
    # plain lines, no escape sequences.
    clear = "\r\033[K" if live else ""

    def progress(outcome: FeedOutcome, done: int, total: int) -> None:
        if outcome.status == "failed":
            print(f"{clear}failed: {outcome.url}: {outcome.error}", file=sys.stderr)
        if live:
            print(f"\r\033[K[{done}/{total}] {outcome.url}", end="", file=sys.stderr, flush=True)

    if not reader.subscriptions():
        print("no subscriptions: `wirereader add URL`, or `wirereader defaults --add`")
        return 0
    summary = reader.refresh_sync(progress=progress, full_text=args.full_text, force=args.force)
    if live:
        print("\r\033[K", end="", file=sys.stderr)
    if summary.offline:
        print("offline: no server answered; the cache is as it was", file=sys.stderr)
    print(summary.line())
    return 1 if summary.failed and summary.failed == summary.feeds else 0


def _cmd_import(reader: Reader, args: argparse.Namespace) -> int:
    import time

    started = time.monotonic()
    summary = reader.import_paths(args.paths)
    took = time.monotonic() - started
    for path, error in summary.errors:
        print(f"skipped {path}: {error}", file=sys.stderr)
    print(
        f"{summary.files} files: {summary.dispatches} dispatches ({summary.new} new, "
        f"{summary.updated} updated), {summary.subscriptions_added} subscriptions added, "
        f"{len(summary.errors)} skipped in {took:.1f} s "
        f"({summary.dispatches / max(took, 1e-6):.0f} dispatches/s)"
    )
    return 1 if summary.errors and not (summary.dispatches or summary.subscriptions_added) else 0


def _cmd_list(reader: Reader, args: argparse.Namespace) -> int:
    from wirereader.jsonout import headline_json
    from wirereader.render_text import headline_row

    source_id = _find_source(reader, args.source)
    if getattr(args, "query", None):
        rows = reader.search(" ".join(args.query), limit=args.limit, source_id=source_id)
    else:
        reader.ensure_samples()
        rows = reader.headlines(
            source_id,
            limit=max(0, args.limit),
            unread_only=args.unread,
            starred_only=args.starred,
        )
    width = _list_width()
    for h in rows:
        print(
            json.dumps(headline_json(h), ensure_ascii=False)
            if args.json
            else headline_row(h, width)
        )
    if not rows and not args.json:
        print("nothing found" if getattr(args, "query", None) else "nothing cached yet")
    return 0


def _cmd_show(reader: Reader, args: argparse.Namespace) -> int:
    from wirereader.jsonout import dispatch_json
    from wirereader.render_text import dispatch_text

    stored = reader.get(args.id)
    if stored is None:
        print(f"wirereader: no dispatch {args.id} in the cache", file=sys.stderr)
        return 1
    if args.versions:
        from wirereader.render_text import local_time
        from wirereader.versions import changes

        steps = changes(stored.dispatch, reader.versions(stored.id))
        if not steps:
            print("no earlier versions cached")
        for step in steps:
            print(
                f"@ update of the version first seen {local_time(step.older_seen, with_date=True)}"
            )
            print("\n".join(step.lines) or "(no visible change)")
            print()
    elif args.json:
        print(json.dumps(dispatch_json(stored), ensure_ascii=False, indent=2))
    else:
        print(dispatch_text(stored, min(_width(), 100)), end="")
    return 0


def _cmd_export(reader: Reader, args: argparse.Namespace) -> int:
    from wirereader import export

    source_id = _find_source(reader, args.source)
    if args.ids:
        ids = list(args.ids)
    elif args.search:
        ids = [h.id for h in reader.search(args.search, limit=args.limit, source_id=source_id)]
    else:
        ids = [h.id for h in reader.headlines(source_id, limit=max(0, args.limit))]
    items = [s for i in ids if (s := reader.get(i)) is not None]
    if len(items) < len(ids) and args.ids:
        print("wirereader: some ids are not in the cache", file=sys.stderr)
    markdown = args.format == "markdown"
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        suffix = ".md" if markdown else ".json"
        for stored in items:
            text = (
                export.markdown(stored)
                if markdown
                else json.dumps(export.ninjs(stored), ensure_ascii=False, indent=2) + "\n"
            )
            (args.out / export.file_name(stored, suffix)).write_text(text, encoding="utf-8")
        print(f"wrote {len(items)} dispatches to {args.out}", file=sys.stderr)
    elif markdown:
        print("\n---\n\n".join(export.markdown(s) for s in items), end="")
    else:
        for line in export.ninjs_lines(items):
            print(line)
    return 0 if items or not ids else 1


_COMMANDS = {
    "export": _cmd_export,
    "add": _cmd_add,
    "remove": _cmd_remove,
    "sources": _cmd_sources,
    "defaults": _cmd_defaults,
    "refresh": _cmd_refresh,
    "import": _cmd_import,
    "list": _cmd_list,
    "search": _cmd_list,
    "show": _cmd_show,
}
