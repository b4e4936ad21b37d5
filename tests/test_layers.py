"""The dependency rule, checked: ui -> service -> store/fetch/formats -> model.

A newcomer should be able to trust the layering, so it is a test rather than a habit.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "wirereader"

FORBIDDEN = {
    "ui": (
        "wirereader.store",
        "wirereader.fetch",
        "wirereader.formats",
        "sqlite3",
        "httpx",
        "feedparser",
    ),
    "formats": (
        "wirereader.store",
        "wirereader.fetch",
        "wirereader.service",
        "wirereader.ui",
        "textual",
        "httpx",
        "sqlite3",
    ),
    "store": (
        "wirereader.fetch",
        "wirereader.formats",
        "wirereader.service",
        "wirereader.ui",
        "textual",
        "httpx",
    ),
    "fetch": (
        "wirereader.store",
        "wirereader.formats",
        "wirereader.service",
        "wirereader.ui",
        "textual",
    ),
    "model.py": ("wirereader.",),
    "service": ("wirereader.ui", "textual"),
}


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _within(name: str, forbidden: str) -> bool:
    """``wirereader.store`` forbids it and its submodules; ``wirereader.`` forbids the package."""
    if forbidden.endswith("."):
        return name.startswith(forbidden)
    return name == forbidden or name.startswith(forbidden + ".")


def test_each_layer_imports_only_downwards() -> None:
    problems = []
    for part, forbidden in FORBIDDEN.items():
        target = SRC / part
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for path in files:
            for name in imports_of(path):
                if any(_within(name, f) for f in forbidden):
                    problems.append(f"{path.relative_to(SRC)} imports {name}")
    assert problems == []


def test_core_never_loads_textual() -> None:
    code = (
        "import sys\n"
        "import wirereader.service, wirereader.store, wirereader.fetch, wirereader.formats\n"
        "import wirereader.formats.feed, wirereader.formats.ninjs, wirereader.formats.newsmlg2\n"
        "import wirereader.cli, wirereader.export\n"
        "bad = [m for m in ('textual', 'rich') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_the_reader_starts_without_the_refresh_machinery() -> None:
    # The first screen only reads the cache: fetching, the parse pool, the parsers and
    # the browser module load when first used (a refresh starts after the first frame).
    code = (
        "import sys\n"
        "import wirereader.ui.app\n"
        "late = ('httpx', 'lxml', 'feedparser', 'webbrowser', 'wirereader.service.refresh',\n"
        "        'wirereader.fetch', 'wirereader.formats', 'wirereader.service.parsepool')\n"
        "bad = [m for m in late if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
