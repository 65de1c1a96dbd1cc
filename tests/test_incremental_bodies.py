"""Stage 3's bodies and search documents: a cold build's, packed where each body is rendered
and each document made there from the plain text alone, equal what a build with the bodies in
hand makes (``incremental.bodies``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from papernotes.bodyctx import body_renderer
from papernotes.incremental import bodies
from papernotes.incremental.packed import Packed
from papernotes.incremental.reuse import reuse
from papernotes.incremental.searchstate import search_docs, search_terms
from papernotes.incremental.spool import Spool
from papernotes.markdown._types import RenderedBody
from papernotes.markdown.factory import make_parser
from papernotes.model import Library, Note

from conftest import clean_library, note_text, write_note


def _notes(root: Path) -> tuple[Library, Callable[[Note], RenderedBody], dict[str, str]]:
    """A small library of notes with headings, lists and CJK text; its body renderer; a
    body fingerprint for each note."""
    for i in range(6):
        body = f"## Part {i}\n\nAttention over *{i}* tokens, 注意力 {i}, é.\n\n- a list item\n"
        write_note(root, f"n{i}.md", note_text(f"Paper {i}", extra=f"id: paper{i}\n", body=body))
    library = clean_library(root)
    fps = {k: f"fp-{k}" for k in library.notes}
    return library, body_renderer(library, make_parser(), "papers"), fps


def test_a_cold_builds_packed_bodies_and_documents_equal_the_bodies_in_hand(
    tmp_path: Path,
) -> None:
    library, render, fps = _notes(tmp_path / "lib")
    seen: list[tuple[str, int, int]] = []
    made, docs, terms = bodies.bodies_and_docs(
        library,
        fps,
        render,
        previous=None,
        memo=None,
        workers=1,
        spool=None,
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    wanted = {k: (fps[k], n) for k, n in library.notes.items()}
    plain = reuse(wanted, {}, render, workers=1)
    assert isinstance(made, Packed)  # held packed, never every rendered body at once
    assert dict(made.items()) == dict(plain)
    assert dict(docs) == dict(search_docs(library, plain, {}))
    assert seen == [("render", 6, 6)]
    assert terms is None  # made after, over every worker (not asked)


def test_a_cold_builds_terms_made_with_the_bodies_equal_those_made_after(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    library, render, fps = _notes(root)
    spool = Spool.open(root)
    assert spool is not None
    made = bodies.bodies_and_docs(
        library, fps, render, previous=None, memo=None, workers=1, spool=spool, terms=True
    )
    assert isinstance(made.terms, Packed) and made.terms.held() == 0  # in the spool
    assert dict(made.terms.items()) == dict(search_terms(made.docs, {}, 1))
    plain = reuse({k: (fps[k], n) for k, n in library.notes.items()}, {}, render, workers=1)
    assert dict(made.bodies.items()) == dict(plain)
    assert dict(made.docs) == dict(search_docs(library, plain, {}))
