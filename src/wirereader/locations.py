"""Where wirereader keeps things: one function per location, built on platformdirs.

Precedence is the same everywhere: the command-line option, then the environment
(`WIREREADER_DB`, `WIREREADER_CONFIG`), then the platform's directories (design.md
section 6). The cache database sits in the cache directory because everything in it can
be fetched again; subscriptions live in the config file, which is the user's own data.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "wirereader"


def config_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The config file (subscriptions, settings)."""
    if override:
        return Path(override).expanduser()
    if env := os.environ.get("WIREREADER_CONFIG"):
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / "config.toml"


def db_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The cache database."""
    if override:
        return Path(override).expanduser()
    if env := os.environ.get("WIREREADER_DB"):
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME)) / "wirereader.db"
