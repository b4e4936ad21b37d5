"""Fixtures every test module shares: where the shared corpus is, and isolated locations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: ../shared beside the checkout (CI lays a copy there); WIREREADER_SHARED overrides.
SHARED = Path(os.environ.get("WIREREADER_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test cleanly when shared/ is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared material not available: {path}")
    return path


@pytest.fixture
def corpus() -> Path:
    return shared_path("corpus")


@pytest.fixture(autouse=True)
def _isolated_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever touches the real user's config or cache."""
    monkeypatch.setenv("WIREREADER_DB", str(tmp_path / "cache" / "wirereader.db"))
    monkeypatch.setenv("WIREREADER_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
