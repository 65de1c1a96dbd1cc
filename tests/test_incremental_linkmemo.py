"""A save that changed bodies alone gets the library ``link`` would make, patched from the last
one (``LinkMemo``): the notes saved linked again, the others not visited; a save that moved
metadata or a citation links as a build does."""

from __future__ import annotations

from papernotes.incremental.linkmemo import LinkMemo
from papernotes.incremental.searchmemo import SaveMemo
from papernotes.link import link
from papernotes.markdown.factory import make_parser
from papernotes.model import Note
from papernotes.parse import parse_notes

from conftest import note_text

MD = make_parser()


def _notes(bodies: dict[str, str], titles: dict[str, str] | None = None) -> list[Note]:
    sources = [
        (
            f"papers/{key}.md",
            note_text((titles or {}).get(key, f"Paper {key}"), extra=f"id: {key}\n", body=body),
        )
        for key, body in bodies.items()
    ]
    notes, diags = parse_notes(sources, MD)
    assert not diags
    return list(notes)


BODIES = {
    "a": "Alpha, as [@b] says.\n",
    "b": "Beta on [[c]].\n",
    "c": "Gamma cites [@a] and [@b] here.\n",
}


def _link(notes: list[Note], memo: SaveMemo | None) -> object:
    files = frozenset(n.source.removeprefix("papers/") for n in notes)
    library, diags = link(notes, files, "papers", memo=memo)
    return library, [d.format() for d in diags]


def test_a_body_edit_is_patched_into_the_library_a_build_links() -> None:
    memo = SaveMemo()
    notes = _notes(BODIES)
    assert _link(notes, memo) == _link(notes, None)
    memo.sweep()
    assert memo.slot("link", LinkMemo).kept is not None  # kept for the next save
    edited = _notes({**BODIES, "c": "Gamma now says more of [@a] and [@b]. New words.\n"})
    again = [edited[2] if n.key == "c" else n for n in notes]  # the others: the same objects
    assert _link(again, memo) == _link(edited, None)
    memo.sweep()
    assert memo.made == {"link-note": 1, "backlinks": 1}  # the note saved, nothing else


def test_a_citation_added_or_a_title_moved_is_linked_as_a_build_does() -> None:
    memo = SaveMemo()
    notes = _notes(BODIES)
    _link(notes, memo)
    memo.sweep()
    cited = _notes({**BODIES, "b": "Beta on [[c]] and [@a].\n"})
    again = [cited[1] if n.key == "b" else n for n in notes]
    assert _link(again, memo) == _link(cited, None)
    memo.sweep()
    assert memo.made.get("link-note") == 1  # linked alone, but the graph gathered anew
    titled = _notes(BODIES, {"a": "Alpha Renamed"})
    again = [titled[0] if n.key == "a" else n for n in again]
    assert _link(again, memo) == _link([titled[0], cited[1], cited[2]], None)
    memo.sweep()
    assert "link-names" in memo.made  # a name moved: every name made again


def test_a_save_knows_the_notes_with_embeds_without_looking_at_every_note() -> None:
    # The stamp's "mentioned" (the notes an embed shows) looked at every note's body at each
    # save; the link memo knows which notes have embeds: as many at 30 notes as at 120.
    from papernotes.incremental.quickjournal import mentioned

    for size in (30, 120):
        bodies = {**BODIES, "e": "Shows ![[c]] inside.\n"}
        bodies |= {f"f{i}": f"Filler {i} on [@a].\n" for i in range(size)}
        memo = SaveMemo()
        notes = _notes(bodies)
        _link(notes, memo)
        memo.sweep()
        saved = {n.key: n for n in _notes({**bodies, "f3": "Filler three, saved.\n"})}["f3"]
        again = [saved if n.key == "f3" else n for n in notes]
        (library, _) = _link(again, memo)  # type: ignore[misc]
        among = memo.embedding(library.notes)
        assert among is not None and [note.key for note in among] == ["e"]
        assert mentioned(library, "papers", among) == mentioned(library, "papers") == ["c"]
        assert memo.embedding(dict(library.notes)) is None  # not the map it linked: unknown
