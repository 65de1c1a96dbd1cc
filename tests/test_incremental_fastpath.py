"""The no-op check: a build is up to date until an input, the output or an option changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papernotes.config import load_config
from papernotes.errors import Diagnostic, Location, Severity
from papernotes.incremental.fastpath import diagnostics_to_json, stamp_for, up_to_date
from papernotes.write import MARKER

from conftest import copy_fixture, note_text, write_note


@pytest.fixture
def built(tmp_path: Path, cli) -> Path:
    root = copy_fixture("small", tmp_path)
    assert cli("build", "--root", str(root)).code == 0
    return root


def _check(root: Path):  # type: ignore[no-untyped-def]
    config, _ = load_config(root)
    return up_to_date(root, config, root / config.output)


def test_a_fresh_build_is_up_to_date(built: Path) -> None:
    stamp, last = _check(built)
    assert last is not None
    assert last.notes == 3
    # With library.bib, library-biblatex.bib, library.json, library.ris, library-data.js,
    # With library.bib, library-biblatex.bib, library.json, library.ris, library-data.js,
    # graph-data.js, the search index's two shards, and the link previews' preview.js, index
    # and one shard; no page for an author with one paper (7 of them here), and no .bib file
    # a note (its entry downloads from its page); the reading lists' index and the to-read page.
    assert last.pages == 68
    assert last.diagnostics == ()
    config, _ = load_config(built)
    assert stamp == stamp_for(built, config, built / config.output)


def test_an_edited_note_is_not_up_to_date(built: Path) -> None:
    note = next((built / "papers").glob("*.md"))
    note.write_text(note.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    assert _check(built)[1] is None


def test_a_new_note_is_not_up_to_date(built: Path) -> None:
    write_note(built, "new.md", note_text("New"))
    assert _check(built)[1] is None


def test_an_output_folder_without_its_manifest_is_not_up_to_date(built: Path) -> None:
    config, _ = load_config(built)
    (built / config.output / MARKER).unlink()  # pages alone are not read: only the manifest
    assert _check(built)[1] is None


def test_another_output_folder_changes_the_stamp(built: Path) -> None:
    config, _ = load_config(built)
    assert stamp_for(built, config, built / "elsewhere") != stamp_for(
        built, config, built / config.output
    )


def test_the_last_builds_warnings_come_back_with_their_columns(tmp_path: Path, cli) -> None:
    root = tmp_path / "lib"
    write_note(root, "a.md", note_text(extra="cites: [nobody2020]\n"))
    result = cli("build", "--root", str(root))
    assert result.code == 0 and "warning" in result.err
    _, last = _check(root)
    assert last is not None and last.diagnostics  # the warnings come back from the stamp
    assert all(d.severity is Severity.WARNING for d in last.diagnostics)
    assert [str(d.where) for d in last.diagnostics] == ["papers/a.md:5:9"]


def test_diagnostics_to_json_is_one_row_per_diagnostic() -> None:
    diags = (
        Diagnostic(Severity.WARNING, Location("a.md", 2, 7), "m", "h"),
        Diagnostic(Severity.ERROR, Location("b.md"), "n"),
    )
    rows = diagnostics_to_json(diags)
    assert json.loads(json.dumps(rows)) == [
        ["warning", "a.md", 2, 7, "m", "h"],
        ["error", "b.md", None, None, "n", None],
    ]
