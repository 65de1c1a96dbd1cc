"""The build's body renderer: each body as ``render_note_body`` renders it, with the library's
tag slugs made once for all the notes, not once per note with an inline #tag."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes import bodyctx
from papernotes.markdown.factory import make_parser
from papernotes.model import CiteKey, Library
from papernotes.render import render_note_body

from conftest import library_at, note_text, write_note


def test_body_renderer_makes_the_tag_slugs_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i, body in enumerate(["A #ml note [@b1].\n", "B #ML and #nlp.\n", "No tags.\n"]):
        extra = "tags: [ml, nlp, index]\n" if i == 2 else ""
        write_note(
            tmp_path, f"b{i}.md", note_text(f"Paper {i}", year=2020 + i, extra=extra, body=body)
        )
    library, _ = library_at(tmp_path)
    md = make_parser()
    expected = {k: render_note_body(n, library, md, "papers") for k, n in library.notes.items()}
    made: list[Library] = []

    def counted(lib: Library) -> dict[str, str]:
        made.append(lib)
        return bodyctx.urls.assign_slugs(
            {t.casefold() for n in lib.notes.values() for t in n.meta.tags}
        )

    monkeypatch.setattr(bodyctx, "tag_slugs", counted)
    render = bodyctx.body_renderer(library, md, "papers")
    got = {k: render(n) for k, n in library.notes.items()}
    assert got == expected
    assert len(made) == 1
    assert 'href="../tags/ml.html"' in got[CiteKey("b0")].html


def test_a_page_resolves_each_cited_key_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cites = "See [@c1], [@c1, p. 2], [[c1]] and [@c2; @c1].\n\nAgain [@c2] and [@nowhere].\n"
    write_note(tmp_path, "c0.md", note_text("Citing", body=cites))
    for i in (1, 2):
        write_note(tmp_path, f"c{i}.md", note_text(f"Cited {i}", year=2020 + i))
    library, _ = library_at(tmp_path)
    md = make_parser()
    note = library.notes[CiteKey("c0")]
    expected = render_note_body(note, library, md, "papers")
    asked: list[str] = []
    resolve = Library.resolve

    def counted(self: Library, target: str) -> object:
        asked.append(target)
        return resolve(self, target)

    monkeypatch.setattr(Library, "resolve", counted)
    got = bodyctx.body_renderer(library, md, "papers")(note)
    assert got == expected
    assert 'href="c1.html"' in got.html
    # Once for what the key names, once to ask if it names it by path (a found key only).
    assert sorted(asked) == ["c1", "c1", "c2", "c2", "nowhere"]
