"""The no-op check: a build is up to date until an input, the output or an option changes."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from papernotes import load, notetext
from papernotes.config import load_config
from papernotes.errors import Diagnostic, Location, Severity
from papernotes.incremental import fastpath
from papernotes.incremental.fastpath import diagnostics_to_json, stamp_for, up_to_date
from papernotes.write import MARKER

from conftest import copy_fixture, note_text, site_tree, write_note


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
    again = stamp_for(built, config, built / config.output)
    assert stamp["taken"] <= again["taken"]  # when it was taken: the one part that moves
    assert {**stamp, "taken": 0} == {**again, "taken": 0}


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
    elsewhere = stamp_for(built, config, built / "elsewhere")
    here = stamp_for(built, config, built / config.output)
    assert {**elsewhere, "taken": 0} != {**here, "taken": 0}


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


def _age(root: Path, hours: int = 1) -> None:
    """Every note as if last saved ``hours`` ago."""
    then = time.time_ns() - hours * 3600 * 10**9
    for path in (root / "papers").rglob("*.md"):
        os.utime(path, ns=(then, then))


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The note files the next builds read (reading lists aside), in order."""
    read: list[str] = []
    real = load.decode

    def counting(raw: bytes, display: str):  # type: ignore[no-untyped-def]
        if "/lists/" not in display:
            read.append(display)
        return real(raw, display)

    monkeypatch.setattr(load, "decode", counting)
    monkeypatch.setattr(notetext, "decode", counting)  # the quick edit's (``load``'s rule)
    return read


def _is_clean(root: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """The site as it is equals the one a clean build makes."""
    built = site_tree(root / "site")
    assert cli("build", "--root", str(root), "--clean").code == 0
    assert site_tree(root / "site") == built


def test_an_edit_build_reads_only_the_note_edited(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_fixture("small", tmp_path)
    (root / "papers" / "hostile.md").unlink()
    write_note(
        root, "other.md", note_text("Other Paper", extra="id: otherpaper\n", body="Other body.\n")
    )
    _age(root)
    assert cli("build", "--root", str(root)).code == 0
    read = _reads(monkeypatch)
    write_note(
        root,
        "other.md",
        note_text("Other Paper", extra="id: otherpaper\n", body="Other body, edited.\n"),
    )
    assert cli("build", "--root", str(root)).code == 0
    # The others: their size and time, and the cache. The edited note is read twice: first by
    # the quick edit (``incremental.quick``), which leaves it to the full build (its first
    # paragraph, which previews show, changed), then by the full build.
    assert read == ["papers/other.md", "papers/other.md"]
    assert "Other body, edited." in (root / "site" / "papers" / "otherpaper.html").read_text()
    _is_clean(root, cli)


def test_a_note_changed_within_its_stamped_tick_is_read_again(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Saved again in the same tick of the file system's clock, a file keeps its size and
    # time: a note that moved this close to the stamp is read again, whatever its time says.
    root = copy_fixture("small", tmp_path)
    (root / "papers" / "hostile.md").unlink()
    racy = write_note(
        root, "racy.md", note_text("Racy Paper", extra="id: racypaper\n", body="Said AAAA.\n")
    )
    other = write_note(
        root, "other.md", note_text("Other Paper", extra="id: otherpaper\n", body="Other body.\n")
    )
    assert cli("build", "--root", str(root)).code == 0
    before = racy.stat()
    racy.write_text(
        note_text("Racy Paper", extra="id: racypaper\n", body="Said BBBB.\n"), encoding="utf-8"
    )
    os.utime(racy, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert racy.stat().st_size == before.st_size
    other.write_text(
        note_text("Other Paper", extra="id: otherpaper\n", body="Other body, edited.\n"),
        encoding="utf-8",
    )
    read = _reads(monkeypatch)
    assert cli("build", "--root", str(root)).code == 0
    assert "papers/racy.md" in read
    assert "Said BBBB." in (root / "site" / "papers" / "racypaper.html").read_text()
    _is_clean(root, cli)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: {**s, "taken": "late"},
        lambda s: {**s, "taken": None},
        lambda s: {**s, "inputs": [1, 2]},
        lambda s: {**s, "inputs": {k: "x" for k in s["inputs"]}},
        lambda s: {**s, "inputs": {k: [v[0], str(v[1])] for k, v in s["inputs"].items()}},
        lambda s: {**s, "extra": "another build"},
        lambda s: [s],
    ],
)
def test_a_stamp_of_another_shape_has_every_note_read(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch, change
) -> None:
    # The stamp is untrusted: one whose values are not what ``stamp_for`` writes vouches for
    # no note, and the build is what a clean one makes.
    root = copy_fixture("small", tmp_path)
    (root / "papers" / "hostile.md").unlink()
    write_note(
        root, "other.md", note_text("Other Paper", extra="id: otherpaper\n", body="Other body.\n")
    )
    _age(root)
    assert cli("build", "--root", str(root)).code == 0
    stamp_file = root / ".papernotes" / "cache" / "stamp.json"
    stamp_file.write_text(json.dumps(change(json.loads(stamp_file.read_text()))))
    write_note(
        root,
        "other.md",
        note_text("Other Paper", extra="id: otherpaper\n", body="Other body, edited.\n"),
    )
    read = _reads(monkeypatch)
    assert cli("build", "--root", str(root)).code == 0
    assert len(read) == len(list((root / "papers").rglob("*.md"))) - len(
        list((root / "papers").glob("lists/*.md"))
    )
    _is_clean(root, cli)


def test_a_stamp_patched_in_place_says_whether_a_file_told_moved(tmp_path: Path) -> None:
    note = tmp_path / "a.md"
    note.write_text("one", "utf-8")
    st = note.stat()
    inputs = {str(note): [st.st_size, st.st_mtime_ns]}
    stamp: dict[str, Any] = {"inputs": inputs}
    assert fastpath.moved_in_place(stamp, [str(note)]) is False  # looked at: the same
    note.write_text("one more", "utf-8")
    assert fastpath.moved_in_place(stamp, [str(note)]) is True
    assert stamp["inputs"] is inputs and inputs[str(note)][0] == len("one more")
    assert fastpath.moved_in_place(stamp, [str(tmp_path / "new.md")]) is None  # not an input
    note.unlink()
    assert fastpath.moved_in_place(stamp, [str(note)]) is None  # gone
