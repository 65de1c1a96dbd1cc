"""A cold build's quoted sentences and leads live in the build's spool
(``incremental.spoolquotes``): the parent holds none of their text, the values read back
equal, and the cache and the site are what they were."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from papernotes import parse
from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import store
from papernotes.incremental.spool import Spool
from papernotes.incremental.spoolbody import spooled_body
from papernotes.incremental.spoolquotes import SpooledLead, SpooledPassage, spooled_quotes
from papernotes.markdown._types import Lead, ParsedBody, Passage
from papernotes.markdown.factory import make_parser

from conftest import catch_saves, note_text, site_tree, write_note

_BODY = (
    "First we cite [@other] é 注意. Then [@third] too.\n\n"
    "## Method\n\nThe method cites [@other] again, and [@fourth].\n\n## Empty\n"
)


def _parsed(body: str = _BODY) -> ParsedBody:
    note, _ = parse.parse_note(
        "papers/a.md", note_text("A", extra="id: a\n", body=body), make_parser()
    )
    assert note is not None
    return note.body


def _empty(value: object, names: tuple[str, ...]) -> bool:
    """Whether every slot ``names`` of ``value`` is empty (read without ``__getattr__``)."""
    for name in names:
        try:
            object.__getattribute__(value, name)
        except AttributeError:
            continue
        return False
    return True


def test_a_spooled_body_holds_no_quoted_text_and_reads_it_back_equal(tmp_path: Path) -> None:
    spool = Spool.open(tmp_path)
    assert spool is not None
    body = _parsed()
    said = [c.context for c in body.citations if c.context is not None]
    assert len(said) == 3 and len(body.leads) == 2  # the first sentence of each key
    spooled = spooled_body(body, spool)
    passages = [c.context for c in spooled.citations if c.context is not None]
    assert [type(p) for p in passages] == [SpooledPassage] * 3
    assert [type(lead) for lead in spooled.leads] == [SpooledLead] * 2
    assert all(_empty(p, ("before", "cited", "after")) for p in passages)
    assert all(_empty(lead, ("anchor", "text")) for lead in spooled.leads)
    assert passages == said and said == passages and list(spooled.leads) == list(body.leads)
    assert [repr(p) for p in passages] == [repr(p) for p in said]
    assert [hash(p) for p in passages] == [hash(p) for p in said]
    assert repr(spooled) == repr(body) and spooled == body and hash(spooled) == hash(body)
    assert passages[0] != Passage("x", "y", "z") and spooled.leads[0] != Lead("", "x")
    assert type(pickle.loads(pickle.dumps(passages[0]))) is Passage
    assert pickle.loads(pickle.dumps(spooled)) == body
    codec = store._codec()  # the cache saves the same
    assert codec.encode(spooled, ParsedBody) == codec.encode(body, ParsedBody)


def test_one_read_decodes_a_notes_quotes_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = Spool.open(tmp_path)
    assert spool is not None
    first, second = _parsed(), _parsed("Only [@other] here.\n")
    made = [spooled_body(b, spool) for b in (first, second)]
    reads: list[int] = []
    get = Spool.get
    monkeypatch.setattr(
        Spool, "get", lambda self, at, size: reads.append(at) or get(self, at, size)
    )
    quoted = [[c.context for c in b.citations if c.context is not None] for b in made]
    assert [p.before for p in quoted[0]] == [c.context.before for c in first.citations if c.context]
    assert len(reads) == 1  # every sentence of the note from one decoded text
    assert quoted[1][0].after == second.citations[0].context.after  # type: ignore[union-attr]
    assert made[0].leads[0].text == first.leads[0].text
    assert len(reads) == 3  # another note's, then the first's again: one text kept at most


def test_a_body_without_quotes_or_a_full_spool_keeps_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = Spool.open(tmp_path)
    assert spool is not None
    assert spooled_quotes((), (), spool) is None
    body = _parsed()
    monkeypatch.setattr(Spool, "put", lambda self, data: None)  # a full disk
    assert spooled_quotes(body.citations, body.leads, spool) is None


@pytest.mark.parametrize("workers", [1, 2])
def test_a_cold_build_holds_no_quotes_and_saves_them_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    root = tmp_path / "lib"
    for i in range(40):
        body = f"Paper {i} cites [@paper{(i + 1) % 40}] in a sentence.\n\n## Part\n\nMore.\n"
        write_note(root, f"n{i}.md", note_text(f"Paper {i}", extra=f"id: paper{i}\n", body=body))
    saved = catch_saves(monkeypatch)
    config, _ = load_config(root)
    assert build(root, config, out=root / "site", workers=workers).errors == 0
    bodies = [note.body for _, note, _ in saved[0].notes.values() if note is not None]
    passages = [c.context for b in bodies for c in b.citations if c.context is not None]
    leads = [lead for b in bodies for lead in b.leads]
    assert len(passages) == 40 and len(leads) == 80
    assert all(type(p) is SpooledPassage for p in passages)
    assert all(type(lead) is SpooledLead for lead in leads)
    read, _ = store.read(root, saved[0].key)  # the cache holds every quote whole
    assert read is not None
    for path, (_, note, _) in saved[0].notes.items():
        again = read.notes[path][1]
        assert note is not None and again is not None
        assert again.body.leads == note.body.leads
        said = [c.context for c in note.body.citations]
        assert [c.context for c in again.body.citations] == said
        assert said[0] is not None and said[0].before.startswith("Paper")
    build(root, config, out=tmp_path / "clean", use_cache=False, workers=1)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")
    write_note(root, "n0.md", note_text("Paper 0", extra="id: paper0\n", body="Edited.\n"))
    build(root, config, out=root / "site", workers=workers)
    build(root, config, out=tmp_path / "clean", use_cache=False, workers=1)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")
