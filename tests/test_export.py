"""`wirereader export`: ninjs that wirereader (and others) read back, Markdown for people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tests.ui_helpers import make_reader
from wirereader import export
from wirereader.cli import main
from wirereader.formats import parse
from wirereader.service import Reader


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    with make_reader(tmp_path) as r:
        yield r


def test_ninjs_round_trip_keeps_every_part(reader: Reader) -> None:
    stored = reader.get(reader.headlines()[0].id)
    assert stored is not None
    data = json.dumps(export.ninjs(stored)).encode()
    assert b'"wirereader"' not in data
    back = parse(data).dispatches[0]
    d = stored.dispatch
    assert back.headline == d.headline
    assert back.urgency == d.urgency
    assert back.byline == d.byline
    assert back.dateline == d.dateline
    assert [(p.caption, p.credit, p.url) for p in back.photos] == [
        (p.caption, p.credit, p.url) for p in d.photos
    ]
    assert [b.text for b in back.body if b.text] == [b.text for b in d.body if b.text]
    assert [r.headline for r in back.related] == [r.headline for r in d.related]


def test_sample_dispatch_round_trip_credit_chain(tmp_path: Path) -> None:
    path = shared_path("corpus", "dispatch-text", "cvn-minsk-putin-lukashenko.txt")
    reader = make_reader(tmp_path, with_fixture=False)
    reader.import_paths([path])
    stored = reader.get(reader.headlines()[0].id)
    assert stored is not None
    back = parse(json.dumps(export.ninjs(stored)).encode()).dispatches[0]
    assert back.credit_chain == ("Xinhua", "VNA", "CVN")
    assert back.photos[0].credit == "AFP/VNA/CVN"
    assert len(back.related) == 3
    reader.close()


def test_markdown_escapes_feed_text(reader: Reader) -> None:
    hostile = next(h for h in reader.headlines() if "@click" in h.headline)
    stored = reader.get(hostile.id)
    assert stored is not None
    text = export.markdown(stored)
    assert text.startswith("# \\[bold\\]x\\[/\\] \\[@click=app.quit\\]y")
    urgent = reader.get(reader.headlines()[0].id)
    assert urgent is not None
    md = export.markdown(urgent)
    assert "> *Russian President Vladimir Putin (left)" in md
    assert "— Photo: AFP/VNA/CVN" in md
    assert "## Trade" in md and "## Related" in md


def test_export_command_writes_files_and_lines(
    reader: Reader, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, cfg = str(reader.db_path), str(reader.config_path)
    reader.close()
    out = tmp_path / "out"
    assert (
        main(["--db", db, "--config", cfg, "export", "--format", "markdown", "--out", str(out)])
        == 0
    )
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 5 and all(f.endswith(".md") for f in files)
    capsys.readouterr()
    assert main(["--db", db, "--config", cfg, "export", "--search", "Belarus"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert all(json.loads(line)["headlines"] for line in lines)
