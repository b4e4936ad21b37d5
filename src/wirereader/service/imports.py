"""Reading local files: dispatches, feeds, subscription lists, and the built-in samples.

The format is sniffed from the content, never the file name: a `.txt` may be a newsboat
``urls`` file and a `.xml` a NewsML-G2 item. `import_paths` and `save_samples` put what
is read into the cache, for `Reader.import_paths` and `Reader.ensure_samples`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from wirereader.model import Dispatch, FormatError
from wirereader.sanitize import clean_line, clean_message

if TYPE_CHECKING:
    from wirereader.formats.subscriptions import Subscription
    from wirereader.service import ImportSummary
    from wirereader.store import Store

#: Files larger than this are not read (the same cap as a fetched feed).
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_FILES = 100_000
SAMPLES_URL = "wirereader:samples"
SAMPLES_TITLE = "Samples"


@dataclass(slots=True)
class ImportedFile:
    path: Path
    dispatches: list[Dispatch] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    error: str | None = None
    format: str = ""


def iter_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Files under the given paths, folders walked in name order, hidden files skipped."""
    seen = 0
    for path in paths:
        if path.is_dir():
            children = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            children = [path]
        for child in children:
            seen += 1
            if seen > MAX_FILES:
                return
            yield child


def read_file(path: Path) -> ImportedFile:
    """Parse one local file into dispatches or subscriptions; errors are recorded, not raised."""
    from wirereader.formats import parse, sniff

    out = ImportedFile(path=path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            out.error = f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB — skipped"
            return out
        data = path.read_bytes()
    except OSError as exc:
        out.error = clean_message(exc.strerror or exc)
        return out
    kind = sniff(data)
    out.format = kind
    try:
        if kind in ("opml", "urls"):
            from wirereader.formats import subscriptions

            reader = subscriptions.parse_opml if kind == "opml" else subscriptions.parse_urls
            out.subscriptions = reader(data)
        else:
            out.dispatches = parse(data, url=None).dispatches
    except FormatError as exc:
        out.error = clean_message(exc)
    except Exception as exc:  # one bad file must not stop an import of many
        out.error = clean_message(f"could not parse: {type(exc).__name__}: {exc}")
    return out


def sample_files() -> list[tuple[str, bytes]]:
    """The sample dispatches shipped in the package, by name."""
    folder = resources.files("wirereader") / "data" / "samples"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_file() and not entry.name.endswith(".md"):
            out.append((entry.name, entry.read_bytes()))
    return out


def sample_dispatches() -> list[Dispatch]:
    """Every shipped sample, parsed, with its guid made stable across releases."""
    from dataclasses import replace

    from wirereader.formats import parse

    now = datetime.now(UTC)
    out: list[Dispatch] = []
    for name, data in sample_files():
        try:
            parsed = parse(data, url=None)
        except FormatError:
            continue
        for d in parsed.dispatches:
            # Undated samples (the dispatch text) sort as of their first load.
            out.append(
                replace(d, guid=f"sample:{name}:{d.guid}", first_created=d.first_created or now)
            )
    return out


def default_feeds() -> list[Subscription]:
    """The built-in list of public wire-service feeds (data/default-feeds.opml)."""
    from wirereader.formats.subscriptions import parse_opml

    data = (resources.files("wirereader") / "data" / "default-feeds.opml").read_bytes()
    return parse_opml(data)


def import_paths(
    store: Store,
    paths: Sequence[Path],
    *,
    subscribe: Callable[[list[Subscription]], list[str]],
) -> ImportSummary:
    """Import files and folders: dispatches are cached, subscription lists subscribed.

    Each path given becomes one local source holding every dispatch found under it, saved
    in one batch; the URLs of a subscription list go to ``subscribe``, which returns those
    it added. A file that cannot be read is an error in the summary, never an exception.
    """
    from wirereader.service import ImportSummary
    from wirereader.store import SourceUpdate

    summary = ImportSummary()
    now = datetime.now(UTC)
    for root in paths:
        root = root.resolve()
        if not root.exists():
            summary.errors.append((str(root), "no such file or folder"))
            continue
        source_id: int | None = None
        updates = []
        for path in iter_files([root]):
            summary.files += 1
            imported = read_file(path)
            if imported.error:
                summary.errors.append((str(path), imported.error))
                continue
            if imported.subscriptions:
                added = subscribe(imported.subscriptions)
                summary.subscriptions_added += len(added)
            if imported.dispatches:
                if source_id is None:
                    source_id = store.ensure_source(
                        root.as_uri(), title=clean_line(root.name, 200), kind="local"
                    )
                summary.dispatches += len(imported.dispatches)
                updates.append(
                    SourceUpdate(
                        source_id=source_id, fetched_at=now, dispatches=imported.dispatches
                    )
                )
        if updates:
            stats = store.save_batch(updates)
            summary.new += stats.new
            summary.updated += stats.updated
    return summary


def save_samples(store: Store) -> int:
    """Cache the built-in samples in their own source; returns how many were new."""
    from wirereader.store import SourceUpdate

    source_id = store.ensure_source(SAMPLES_URL, title=SAMPLES_TITLE, kind="sample")
    stats = store.save_batch(
        [
            SourceUpdate(
                source_id=source_id,
                fetched_at=datetime.now(UTC),
                dispatches=sample_dispatches(),
            )
        ]
    )
    return stats.new
