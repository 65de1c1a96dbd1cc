"""serve's stage 2: the last save's notes, with the sources saved parsed again, equal to a
full pass; anything more than a changed text goes through the full pass."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from papernotes.incremental import cache
from papernotes.incremental.parsememo import drafts_of, parse_saved
from papernotes.incremental.parsenotes import parse_notes
from papernotes.incremental.searchmemo import SaveMemo
from papernotes.load import Source, Sources
from papernotes.markdown.factory import make_parser

from conftest import note_text


def _sources(texts: dict[str, str], last: tuple[Source, ...] = ()) -> tuple[Source, ...]:
    """The sources, the very objects of ``last`` for the texts that are the same."""
    kept = {s.path: s for s in last}
    return tuple(
        kept[p] if p in kept and kept[p].text == t else Source(p, t) for p, t in texts.items()
    )


def _pass(memo: SaveMemo, sources: tuple[Source, ...]) -> tuple[object, ...]:
    md = make_parser()
    full = partial(parse_notes, Sources(sources, frozenset()), md, None, 1, ())
    got = parse_saved(memo, sources, full, md, ())
    memo.sweep()  # what this pass made: ``memo.made``
    notes, diags, entries = full()
    assert got == (notes, diags, entries)  # the full pass's, in its order
    return got


def _texts(n: int, edited: int = -1, body: str = "Body.\n") -> dict[str, str]:
    return {
        f"papers/n{i}.md": note_text(f"Paper {i}", body=body if i == edited else f"B {i}.\n")
        for i in range(n)
    }


def test_a_save_parses_the_source_saved_alone() -> None:
    memo = SaveMemo()
    first = _sources(_texts(6))
    _pass(memo, first)
    assert memo.made["parse-visit"] == 6
    saved = _sources(_texts(6, edited=2, body="New [@n1].\n"), first)
    notes = _pass(memo, saved)[0]
    assert memo.made == {"parse-visit": 1, "parse-note": 1}
    assert isinstance(notes, list) and notes[2].body.text == "New [@n1].\n"
    assert notes[1] is _pass(memo, saved)[0][1]  # kept, the very object
    assert memo.made == {}


def test_anything_but_a_changed_text_takes_the_full_pass() -> None:
    memo = SaveMemo()
    first = _sources(_texts(4))
    _pass(memo, first)
    added = _sources(_texts(5), first)  # a note added
    _pass(memo, added)
    assert memo.made["parse-visit"] == 5
    broken = _sources({**_texts(5), "papers/n3.md": "---\ntitle: [\n---\n"}, added)
    _pass(memo, broken)  # a note whose front matter cannot be read
    assert memo.made["parse-visit"] == 1 + 5
    fixed = _sources(_texts(5), broken)  # and back: it had problems before
    _pass(memo, fixed)
    assert memo.made["parse-visit"] == 1 + 5


def test_a_save_writes_the_unchanged_fences_as_pygments_wrote_them_last(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # serve: a note saved with its code as it was asks Pygments nothing (its import and the
    # lexer's patterns were most of the first save of a note with a fence); new code is
    # highlighted; the notes equal a full pass's either way.
    import pygments

    fence = "```python\ndef f(x):\n    return x + 1\n```\n"
    memo = SaveMemo()
    first = _sources(_texts(4, edited=1, body=fence))
    _pass(memo, first)
    asked: list[str] = []
    real = pygments.highlight
    monkeypatch.setattr(
        pygments, "highlight", lambda code, *a: asked.append(code) or real(code, *a)
    )

    def save(body: str, last: tuple[Source, ...]) -> tuple[Source, ...]:
        sources = _sources(_texts(4, edited=1, body=body), last)
        md = make_parser()  # its own: no highlighting kept from a pass before
        full = partial(parse_notes, Sources(sources, frozenset()), md, None, 1, ())
        got = parse_saved(memo, sources, full, md, ())
        memo.sweep()
        assert memo.made == {"parse-visit": 1, "parse-note": 1}
        assert got == parse_notes(Sources(sources, frozenset()), make_parser(), None, 1, ())
        return sources

    saved = save(fence + "A line after.\n", first)
    assert asked == [fence.split("```python\n")[1].split("```")[0]]  # the full pass's alone
    asked.clear()
    save(fence.replace("x + 1", "x + 2"), saved)
    assert len(asked) == 2 and "x + 2" in asked[0]  # new code: the save's, then the pass's


def test_the_drafts_are_found_once_while_the_saves_patch_notes_that_are_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``drafts_of``: a body save (the note patched is no draft, before or after) takes the
    last save's drafts, found in a pass over every entry once; the full pass finds them anew.
    Either way they are ``cache.drafts``' of the entries given."""
    looked: list[int] = []
    real = cache.drafts

    def counted(entries: dict[str, Any]) -> tuple[str, ...]:
        looked.append(len(entries))
        return real(entries)

    monkeypatch.setattr(cache, "drafts", counted)
    texts = _texts(6)
    texts["papers/d.md"] = note_text("Draft", extra="draft: true\n")
    memo, sources = SaveMemo(), ()
    for i in range(4):
        if i:
            texts["papers/n2.md"] = note_text("Paper 2", body=f"Saved {i}.\n")
        sources = _sources(texts, sources)
        entries = _pass(memo, sources)[2]
        given = parse_saved(memo, sources, lambda: ([], [], {}), make_parser(), ())[2]
        assert drafts_of(memo, given) == real(given) == ("papers/d.md",)
    assert looked == [7]  # the first pass's, and no other
    assert isinstance(entries, dict)
    assert drafts_of(memo, dict(entries)) == ("papers/d.md",)  # not what was given: found
    assert looked == [7, 7]
