"""``link``'s plan and its writes: cites Semantic Scholar knows, added and nothing else."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fetch_replay import Replay, json_response

from papernotes.model import Library
from papernotes.notes.linkcites import apply_edit, plan_links

from conftest import clean_library, note_text, write_note

# What Semantic Scholar says 2106.09685 references: one library note (by arXiv id), one by
# title, one paper the library does not have.
REFERENCES = {
    "data": [
        {"citedPaper": {"title": "Attention", "externalIds": {"ArXiv": "1706.03762"}}},
        {"citedPaper": {"title": "BERT pre-training", "externalIds": {}}},
        {"citedPaper": {"title": "Unknown", "externalIds": {"DOI": "10.1/none"}}},
    ]
}


def _library(root: Path) -> Library:
    write_note(root, "lora.md", note_text("LoRA", extra="arxiv: '2106.09685v2'\ncites: [bert]\n"))
    write_note(root, "attn.md", note_text("Attention", year=2017, extra="arxiv: '1706.03762'\n"))
    write_note(root, "bert.md", note_text("BERT Pre-training", year=2019))
    write_note(root, "plain.md", note_text("No identifiers", year=2018))
    return clean_library(root)


def _replay() -> Replay:
    def answer(request: httpx.Request) -> httpx.Response:
        if "arXiv:2106.09685/references" in request.url.path:
            return json_response(200, REFERENCES)
        return json_response(404, {"error": "not found"})

    return Replay(overrides={"api.semanticscholar.org": answer})


def test_the_plan_adds_only_missing_library_notes(tmp_path: Path) -> None:
    library = _library(tmp_path)
    plan = plan_links(tmp_path, library, _replay().http())
    [edit] = plan.edits
    assert (edit.source, edit.key, edit.added) == ("papers/lora.md", "lora", ("attn",))
    assert edit.after == edit.before.replace(b"cites: [bert]", b"cites: [bert, attn]")
    assert edit.before == (tmp_path / "papers/lora.md").read_bytes()
    assert plan.checked == 2  # lora and attn have identifiers; plain and bert do not
    assert plan.skipped == ("papers/attn.md: Semantic Scholar does not know arXiv:1706.03762",)


def test_named_keys_limit_the_plan_and_unknown_keys_are_refused(tmp_path: Path) -> None:
    library = _library(tmp_path)
    plan = plan_links(tmp_path, library, _replay().http(), keys=["plain"])
    assert plan.edits == () and plan.checked == 0
    assert plan.skipped == ("papers/plain.md: no arXiv id or DOI to look up",)
    with pytest.raises(KeyError, match="nobody"):
        plan_links(tmp_path, library, _replay().http(), keys=["nobody"])


def test_apply_edit_writes_the_new_bytes_unless_the_file_changed(tmp_path: Path) -> None:
    library = _library(tmp_path)
    [edit] = plan_links(tmp_path, library, _replay().http()).edits
    apply_edit(tmp_path, edit)
    path = tmp_path / edit.source
    assert path.read_bytes() == edit.after
    with pytest.raises(OSError, match="changed while papernotes was working"):
        apply_edit(tmp_path, edit)  # the file is no longer what the plan read
    assert path.read_bytes() == edit.after
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []
