"""Typed, layered configuration: defaults, then config.toml, then the command line.

Subscriptions are kept here rather than in the cache database: a cache may be wiped, a
subscription list is the user's work. The file is plain TOML so people can edit it::

    [[feeds]]
    url = "https://www.france24.com/en/rss"
    title = "France 24"
    full_text = false
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from wirereader.sanitize import clean_line, safe_url

#: Photos drawn in the terminal: "auto" where it says it can (Kitty, WezTerm, ghostty,
#: iTerm2, foot, mlterm), "on" everywhere (half-cell blocks where nothing better), "off" never.
ImagesMode = Literal["auto", "on", "off"]
IMAGES_MODES: tuple[ImagesMode, ...] = ("auto", "on", "off")


#: The fetch bounds of a refresh unless [settings] says otherwise: requests in flight at
#: once, overall and per host, and the whole-exchange deadline for one feed in seconds.
#: Written once, here: `Config` and `fetch.FetchLimits` both take their defaults from
#: these (this module is light, so the UI can load it without the fetch machinery).
DEFAULT_CONCURRENCY = 16
DEFAULT_PER_HOST = 6
DEFAULT_TIMEOUT = 30.0
#: Minutes between refreshes in the reader. A wire desk wants minutes, not hours, and a
#: refresh that finds nothing new is cheap: conditional requests, and only changed items
#: parsed (`formats.known`).
DEFAULT_REFRESH_EVERY = 5.0
#: Retention: the newest dispatches kept per source (0: all). Weeks of a busy agency
#: wire, and a bound on a feed that invents new guids at every fetch (~50 MB at most).
DEFAULT_KEEP_PER_SOURCE = 10_000


class ConfigError(Exception):
    """The config file cannot be read; the message says where and why."""


@dataclass(frozen=True, slots=True)
class FeedConfig:
    url: str
    title: str = ""
    #: Fetch each item's article page at refresh time, so it can be read offline.
    full_text: bool = False


@dataclass(frozen=True, slots=True)
class Config:
    feeds: tuple[FeedConfig, ...] = ()
    refresh_on_start: bool = True
    #: Minutes between refreshes while the reader is open; 0: only on start and on `r`.
    refresh_every: float = DEFAULT_REFRESH_EVERY
    #: Requests in flight at once, overall and per host.
    concurrency: int = DEFAULT_CONCURRENCY
    per_host: int = DEFAULT_PER_HOST
    #: Whole-exchange deadline for one feed, in seconds.
    timeout: float = DEFAULT_TIMEOUT
    images: ImagesMode = "auto"
    #: Retention (`store.retention`): the newest dispatches kept per source, 0 for all;
    #: and days a dispatch is kept after its date, 0 for ever. Starred ones always stay.
    keep_per_source: int = DEFAULT_KEEP_PER_SOURCE
    keep_days: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def with_feeds(self, feeds: tuple[FeedConfig, ...]) -> Config:
        return replace(self, feeds=feeds)


def _feed(entry: object, where: str) -> FeedConfig | None:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: each [[feeds]] entry must be a table")
    url = safe_url(str(entry.get("url", "")))
    if url is None:
        return None
    return FeedConfig(
        url=url,
        title=clean_line(str(entry.get("title", "")), 200),
        full_text=bool(entry.get("full_text", False)),
    )


def _images(value: object) -> ImagesMode:
    """``images``: "auto", "on" or "off" (true and false are taken as "on" and "off")."""
    if isinstance(value, bool):
        return "on" if value else "off"
    text = str(value).strip().lower()
    if text not in IMAGES_MODES:
        raise ValueError(
            f"images must be one of {', '.join(IMAGES_MODES)}, not {clean_line(str(value), 40)!r}"
        )
    return text


def _minutes(value: object) -> float:
    """``refresh_every``: 0 (or less) is off; otherwise 1 minute to a day."""
    minutes = float(value)  # type: ignore[arg-type]  # ValueError/TypeError: a ConfigError
    return 0.0 if minutes <= 0 else max(1.0, min(1440.0, minutes))


def _keep(value: object) -> int:
    """``keep_per_source``: 0 keeps all; otherwise at least 100 (a feed's own items)."""
    count = int(value)  # type: ignore[call-overload]  # ValueError/TypeError: a ConfigError
    return 0 if count <= 0 else max(100, count)


def load(path: Path) -> Config:
    """Read the config file; a missing file is an empty config, a broken one an error."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8", errors="replace"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    feeds_raw = data.get("feeds", [])
    if not isinstance(feeds_raw, list):
        raise ConfigError(f"{path}: 'feeds' must be a list of [[feeds]] tables")
    feeds = [f for i, e in enumerate(feeds_raw) if (f := _feed(e, f"{path}: feeds[{i}]"))]
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise ConfigError(f"{path}: [settings] must be a table")
    try:
        return Config(
            feeds=tuple(feeds),
            refresh_on_start=bool(settings.get("refresh_on_start", True)),
            refresh_every=_minutes(settings.get("refresh_every", DEFAULT_REFRESH_EVERY)),
            concurrency=max(1, min(64, int(settings.get("concurrency", DEFAULT_CONCURRENCY)))),
            per_host=max(1, min(16, int(settings.get("per_host", DEFAULT_PER_HOST)))),
            timeout=max(1.0, min(600.0, float(settings.get("timeout", DEFAULT_TIMEOUT)))),
            images=_images(settings.get("images", "auto")),
            keep_per_source=_keep(settings.get("keep_per_source", DEFAULT_KEEP_PER_SOURCE)),
            keep_days=max(0.0, float(settings.get("keep_days", 0.0))),
            extra={k: v for k, v in data.items() if k not in ("feeds", "settings")},
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: [settings]: {exc}") from None


def save(path: Path, config: Config) -> None:
    """Write the config atomically (write a sibling, then rename), keeping unknown tables."""
    import tomli_w

    data: dict[str, Any] = dict(config.extra)
    data["settings"] = {
        "refresh_on_start": config.refresh_on_start,
        "refresh_every": config.refresh_every,
        "concurrency": config.concurrency,
        "per_host": config.per_host,
        "timeout": config.timeout,
        "images": config.images,
        "keep_per_source": config.keep_per_source,
        "keep_days": config.keep_days,
    }
    data["feeds"] = [
        {"url": f.url, "title": f.title, "full_text": f.full_text} for f in config.feeds
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("# wirereader configuration\n" + tomli_w.dumps(data), encoding="utf-8")
    tmp.replace(path)
