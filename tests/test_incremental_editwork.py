"""The work an edit build does for the notes it did not touch: none of what only their own
pages or problems need (``backlinks.Backlinks``, the stored link rows), and the
output is a clean build's byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cachefiles import entry, rewrite_entry

from papernotes.build import Run, build, run
from papernotes.config import load_config
from papernotes.incremental import cache, fastpath

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


@pytest.mark.parametrize(
    "spots", [[99, 1, 2], [-7, 3], [2, 5], []], ids=["too-long", "negative", "short", "none"]
)
def test_crafted_places_leave_the_site_a_clean_builds(tmp_path: Path, spots: list[int]) -> None:
    # A note's front-matter places are stored as numbers (``fieldplaces.FieldLocations``:
    # file, keys, then each key's spots after its length); crafted lengths read as "not
    # known" and never raise, so the site is a clean build's.
    root = _lib(tmp_path)
    head, _, parts = entry(root, "papers/other.md").decode("utf-8").partition("\n")
    data = json.loads(head)
    places = data["note"][1][4]
    assert places[0] == "papers/other.md" and "title" in places[1]
    places[2] = spots
    spoilt = (json.dumps(data) + "\n" + parts).encode("utf-8")
    rewrite_entry(root, "papers/other.md", lambda _: spoilt)
    config, _ = load_config(root)

    report = build(root, config, out=root / "site", strict=True)

    assert report.errors == 0, [d.format() for d in report.diagnostics]
    clean = tmp_path / "clean"
    assert build(root, config, out=clean, use_cache=False).errors == 0
    assert site_tree(root / "site") == site_tree(clean)
