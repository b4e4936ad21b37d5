"""The command line, run as a user runs it: a subprocess with its own environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tests.loopback import LoopbackServer
from tests.test_service import feed


def run(
    *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "wirereader", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def test_help_lists_every_command() -> None:
    out = run("--help").stdout
    for command in ("add", "sources", "refresh", "import", "list", "show", "search", "open"):
        assert command in out


def test_headless_commands_never_import_textual(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from wirereader.cli import main\n"
        "main(['list']); main(['sources']); main(['show', '1'])\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
        "assert 'httpx' not in sys.modules, 'httpx imported'\n"
        "assert 'asyncio' not in sys.modules, 'asyncio imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_first_run_shows_samples_with_no_network() -> None:
    out = run("list").stdout
    assert "Samples" in out
    assert "Captain of wrecked cruise ship on trial in Italy" in out
    sources = run("sources").stdout
    assert "Samples" in sources and "cached" in sources


def test_subscribe_refresh_list_show_json(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        server.route(
            "/wire",
            body=feed(("w1", "Putin, Lukashenko discuss defence"), ("w2", "EU talks")),
            etag='"e1"',
        )
        assert "subscribed" in run("add", server.url("/wire")).stdout
        first = run("refresh").stdout
        assert "2 new" in first and "0 failed" in first
        second = run("refresh").stdout
        assert "1 not modified" in second and "0 new" in second
        assert server.requests_for("/wire")[-1].headers.get("if-none-match") == '"e1"'

    lines = run("list", "--source", "Test Wire", "--json").stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["headlines"][0]["value"] for r in rows] == [
        "EU talks",
        "Putin, Lukashenko discuss defence",
    ]
    dispatch_id = rows[0]["wirereader"]["id"]
    shown = json.loads(run("show", str(dispatch_id), "--json").stdout)
    assert shown["uri"] == "w2"
    assert shown["associations"][0]["descriptions"][0]["role"] == "caption"
    assert shown["associations"][0]["creditLine"] == "AFP/VNA"
    assert shown["wirereader"]["dateline"] == "HANOI (VNA)"
    text = run("show", str(dispatch_id)).stdout
    assert "[Photo]" in text and "Photo: AFP/VNA" in text

    # The network is gone: every reading command still works from the cache.
    assert "EU talks" in run("list").stdout
    assert run("search", "Lukashenko").stdout.count("Lukashenko") == 1
    sources = run("sources").stdout
    assert "Test Wire" in sources


def test_import_and_show_the_sample_dispatch() -> None:
    path = shared_path("corpus", "dispatch-text", "cvn-minsk-putin-lukashenko.txt")
    out = run("import", str(path)).stdout
    assert "1 dispatches" in out
    rows = [json.loads(x) for x in run("list", "--source", path.name, "--json").stdout.splitlines()]
    assert len(rows) == 1
    shown = json.loads(run("show", str(rows[0]["wirereader"]["id"]), "--json").stdout)
    assert shown["infoSources"] == [{"name": "Xinhua"}, {"name": "VNA"}, {"name": "CVN"}]
    assert len(shown["wirereader"]["related"]) == 3
    assert shown["associations"][0]["creditLine"] == "AFP/VNA/CVN"


def test_locations_from_options_and_environment(tmp_path: Path) -> None:
    db = tmp_path / "elsewhere" / "my.db"
    cfg = tmp_path / "elsewhere" / "my.toml"
    run("--db", str(db), "--config", str(cfg), "add", "https://example.org/feed.xml")
    assert db.exists() and "example.org/feed.xml" in cfg.read_text()
    env_db = tmp_path / "env.db"
    run("list", env={"WIREREADER_DB": str(env_db)})
    assert env_db.exists()


def test_bad_input_gives_clear_errors(tmp_path: Path) -> None:
    missing = run("show", "999999", check=False)
    assert missing.returncode == 1 and "no dispatch 999999" in missing.stderr
    rejected = run("add", "file:///etc/passwd", check=False)
    assert rejected.returncode == 1 and "rejected" in rejected.stderr
    not_db = tmp_path / "not.db"
    not_db.write_bytes(b"this is not a database" * 100)
    broken = run("--db", str(not_db), "list", check=False)
    assert broken.returncode == 2 and "cache" in broken.stderr
    bad_cfg = tmp_path / "bad.toml"
    bad_cfg.write_text("[[feeds]\nurl=")
    bad = run("--config", str(bad_cfg), "sources", check=False)
    assert bad.returncode == 2 and "config" in bad.stderr


@pytest.mark.parametrize("command", [["list"], ["sources"]])
def test_output_to_a_closed_pipe_is_quiet(command: list[str]) -> None:
    proc = subprocess.run(
        f"{sys.executable} -m wirereader {' '.join(command)} | head -c 1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in proc.stderr


def test_show_versions_prints_the_change(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        server.route("/wire", body=feed(("a", "Quake kills 10")))
        run("add", server.url("/wire"))
        run("refresh")
        server.route("/wire", body=feed(("a", "Quake kills 25")))
        assert "1 updated" in run("refresh").stdout
    row = json.loads(run("list", "--source", "Test Wire", "--json").stdout.splitlines()[0])
    out = run("show", str(row["wirereader"]["id"]), "--versions").stdout
    assert "-Headline: Quake kills 10" in out and "+Headline: Quake kills 25" in out


def test_refresh_offline_says_so_in_plain_lines(tmp_path: Path) -> None:
    """stderr here is a pipe, as under cron: plain lines, never the terminal's escapes."""
    config = tmp_path / "offline.toml"
    config.write_text(
        '[[feeds]]\nurl = "http://127.0.0.1:9/a.xml"\n[[feeds]]\nurl = "http://127.0.0.1:9/b.xml"\n'
    )
    done = run("--config", str(config), "refresh", check=False)
    assert done.returncode == 1
    assert "\x1b" not in done.stderr and "\r" not in done.stderr
    lines = done.stderr.splitlines()
    assert "failed: http://127.0.0.1:9/a.xml: connection refused" in lines
    assert "offline: no server answered; the cache is as it was" in lines
    assert done.stdout.startswith("2 feeds: 0 new")


def test_list_only_the_unread_or_the_starred(tmp_path: Path) -> None:
    """The reader's unread-only and Starred lists, for scripts too."""
    from wirereader.service import Reader

    db, cfg = tmp_path / "c.db", tmp_path / "c.toml"
    with LoopbackServer() as server:
        server.route("/wire", body=feed(("a", "Alpha"), ("b", "Bravo"), ("c", "Charlie")))
        with Reader(db, cfg) as reader:
            reader.add([server.url("/wire")])
            reader.refresh_sync()
            ids = {h.headline: h.id for h in reader.headlines()}
            reader.mark_read([ids["Alpha"]])
            reader.store.set_starred(ids["Bravo"], True)

    def titles(*flags: str) -> list[str]:
        args = ("--db", str(db), "--config", str(cfg), "list", "--source", "Test Wire")
        out = run(*args, "--json", *flags).stdout
        return sorted(json.loads(line)["headlines"][0]["value"] for line in out.splitlines())

    assert titles() == ["Alpha", "Bravo", "Charlie"]
    assert titles("--unread") == ["Bravo", "Charlie"]
    assert titles("--starred") == ["Bravo"]
    assert titles("--unread", "--starred") == ["Bravo"]
