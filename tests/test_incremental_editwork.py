"""The work an edit build does for the notes it did not touch: none of what only their own
pages or problems need (``incremental.codec.Deferred``, ``backlinks.Backlinks``), and the
output is a clean build's byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

from papernotes.build import Run, build, run
from papernotes.config import load_config
from papernotes.incremental import cache, fastpath
from papernotes.incremental.codec import Deferred
from papernotes.incremental.store import ENTRIES, entry_name

from conftest import copy_fixture, note_text, site_tree, write_note

LORA = "papers/peft/lora.md"


def _lib(tmp_path: Path) -> Path:
    root = copy_fixture("small", tmp_path)
    (root / "papers" / "hostile.md").unlink()
    write_note(root, "other.md", note_text("Other Paper", extra="id: otherpaper\n"))
    write_note(root, "third.md", note_text("Third Paper", extra="id: third\ncites: [lora]\n"))
    config, _ = load_config(root)
    assert build(root, config, out=root / "site").errors == 0
    lora = root / LORA
    lora.write_text(lora.read_text("utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    return root


def _edit_build(root: Path) -> Run:
    """An edit build as ``build`` runs it, returning what it would save."""
    config, _ = load_config(root)
    with cache.build_lock(root):
        stamp, last = fastpath.up_to_date(root, config, root / "site")
        assert last is None  # the edit is seen
        return run(root, config, root / "site", stamp=stamp)


def test_an_edit_build_decodes_no_other_notes_locations(tmp_path: Path) -> None:
    done = _edit_build(_lib(tmp_path))
    assert done.report.errors == 0 and done.cache is not None
    kept = {
        path
        for path, (_, note, _) in done.cache.notes.items()
        if note is not None and isinstance(note.locations, Deferred) and note.locations.text
    }
    assert kept == set(done.cache.notes) - {LORA}  # the edited note's are made anew


def test_locations_that_do_not_decode_leave_the_site_a_clean_builds(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    entry = root / ".papernotes" / "cache" / ENTRIES / entry_name("papers/other.md")
    head, _, parts = entry.read_text("utf-8").partition("\n")
    data = json.loads(head)
    assert type(data["note"][1][4]) is str  # the locations, as JSON text
    data["note"][1][4] = '{"id": [1, 2'  # crafted: not JSON
    entry.write_text(json.dumps(data) + "\n" + parts, encoding="utf-8")
    config, _ = load_config(root)

    report = build(root, config, out=root / "site", strict=True)

    assert report.errors == 0, [d.format() for d in report.diagnostics]
    clean = tmp_path / "clean"
    assert build(root, config, out=clean, use_cache=False).errors == 0
    assert site_tree(root / "site") == site_tree(clean)
