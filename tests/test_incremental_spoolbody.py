"""A cold build's parsed bodies keep their packed text and template in the build's spool
(``incremental.spoolbody``): the parent holds neither, the values read back equal, and the
cache and the site are what they were."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from papernotes import parse
from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import parallel, store
from papernotes.incremental.spool import Spool
from papernotes.incremental.spoolbody import SpooledBody, spooled_body
from papernotes.markdown._types import ParsedBody
from papernotes.markdown.factory import make_parser

from conftest import catch_saves, note_text, site_tree, write_note

_TEXT = note_text(
    "Attention", extra="id: attn\n", body="# Method\n\nWe cite [@other] é 注意.\n\n" * 5
)


def _parsed(text: str = _TEXT) -> ParsedBody:
    note, _ = parse.parse_note("papers/a.md", text, make_parser())
    assert note is not None
    return note.body


@pytest.mark.parametrize("template", [True, False])
def test_a_spooled_body_reads_its_text_and_template_at_each_use_and_keeps_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: bool
) -> None:
    from dataclasses import replace

    spool = Spool.open(tmp_path)
    assert spool is not None
    body = _parsed() if template else replace(_parsed(), template=None)
    spooled = spooled_body(body, spool)
    assert type(spooled) is SpooledBody
    for name in ("packed_text", "template"):
        with pytest.raises(AttributeError):  # nothing held: the slot is empty
            object.__getattribute__(spooled, name)
    reads: list[int] = []
    get = Spool.get
    monkeypatch.setattr(
        Spool, "get", lambda self, at, size: reads.append(size) or get(self, at, size)
    )
    assert spooled.headings == body.headings and spooled.citations == body.citations
    assert reads == []  # the other fields are its own
    assert spooled.packed_text == body.packed_text and spooled.text == body.text
    assert spooled.template == body.template  # read again each time: none for no template
    assert len(reads) == (3 if template else 2)
    assert spooled == body and body == spooled and repr(spooled) == repr(body)
    assert hash(spooled) == hash(body)
    assert type(pickle.loads(pickle.dumps(spooled))) is ParsedBody
    assert pickle.loads(pickle.dumps(spooled)) == body
    codec = store._codec()  # the cache saves the same
    assert codec.encode(spooled, ParsedBody) == codec.encode(body, ParsedBody)


def test_a_body_the_spool_cannot_take_stays_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = Spool.open(tmp_path)
    assert spool is not None
    monkeypatch.setattr(Spool, "put", lambda self, data: None)  # a full disk
    body = _parsed()
    assert spooled_body(body, spool) is body


def _holds(body: ParsedBody, name: str) -> bool:
    """Whether ``body``'s slot ``name`` holds a value (read without ``__getattr__``)."""
    try:
        object.__getattribute__(body, name)
    except AttributeError:
        return False
    return True


@pytest.mark.parametrize("workers", [1, 2])
def test_a_cold_build_holds_no_parsed_text_or_template_and_saves_them_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    root = tmp_path / "lib"
    for i in range(40):  # enough notes to parse over workers
        body = f"Paper {i} cites [@paper{(i + 1) % 40}] in a sentence.\n\n## Part\n\nMore.\n"
        write_note(root, f"n{i}.md", note_text(f"Paper {i}", extra=f"id: paper{i}\n", body=body))
    saved = catch_saves(monkeypatch)
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)  # parsed in workers, however quick
    config, _ = load_config(root)
    assert build(root, config, out=root / "site", workers=workers).errors == 0
    bodies = [note.body for _, note, _ in saved[0].notes.values() if note is not None]
    assert len(bodies) == 40 and all(type(b) is SpooledBody for b in bodies)
    held = [n for b in bodies for n in ("packed_text", "template") if _holds(b, n)]
    assert held == []
    assert sorted(p.name for p in (root / ".papernotes").iterdir()) == ["build.lock", "cache"]
    read, _ = store.read(root, saved[0].key)  # the cache holds every body whole
    assert read is not None
    for path, (_, note, _) in saved[0].notes.items():
        assert note is not None
        again = read.notes[path][1]
        assert again is not None and again.body == note.body
        assert again.body.text.startswith(f"Paper {path[8:-3].lstrip('n')} cites")
    build(root, config, out=tmp_path / "clean", use_cache=False, workers=1)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")
    write_note(root, "n0.md", note_text("Paper 0", extra="id: paper0\n", body="Edited.\n"))
    build(root, config, out=root / "site", workers=workers)  # the saved bodies read back
    build(root, config, out=tmp_path / "clean", use_cache=False, workers=1)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")


def test_only_a_build_given_a_spool_spools_what_it_parses(tmp_path: Path) -> None:
    from papernotes import load
    from papernotes.incremental.parsenotes import parse_notes

    write_note(tmp_path, "a.md", _TEXT)
    config, _ = load_config(tmp_path)
    sources, _ = load.load_sources(tmp_path, config.papers_dir, config.excludes)
    plain, _, _ = parse_notes(sources, make_parser(), None, 1)
    assert type(plain[0].body) is ParsedBody
    spool = Spool.open(tmp_path)
    assert spool is not None
    notes, _, entries = parse_notes(sources, make_parser(), None, 1, spool=spool)
    assert type(notes[0].body) is SpooledBody and notes[0].body == plain[0].body
    assert entries["papers/a.md"][1] is notes[0] and notes[0].meta == plain[0].meta
