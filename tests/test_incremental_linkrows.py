"""An edit build links only the notes whose text changed, taking the others' links from the
rows the last build stored in the summary (``incremental.linkrows``), and still makes what a
clean build makes; rows that do not fit, or name what is not there, are not used."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_incremental import Library, _build
from test_incremental_edit import _clean

from papernotes import link
from papernotes.incremental.linkrows import context_digest

from conftest import site_tree


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The notes ``link_note`` links, from here on."""
    seen: list[str] = []
    real = link.link_note

    def counted(note: Any, names: Any) -> Any:
        seen.append(note.key)
        return real(note, names)

    monkeypatch.setattr(link, "link_note", counted)
    return seen


def _edit_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *edits: tuple[str, str, object]
) -> list[str]:
    """Build, make ``edits``, build again: the notes the second build linked, after checking
    that its site is a clean build's."""
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    _build(lib.root, out, use_cache=True)
    for op, key, arg in edits:
        lib.apply(op, key, arg)
    seen = _counting(monkeypatch)
    _build(lib.root, out, use_cache=True)
    monkeypatch.undo()
    assert site_tree(out) == _clean(lib, tmp_path)
    return seen


def test_a_body_edit_links_its_own_note_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _edit_build(tmp_path, monkeypatch, ("body", "delta", "Another body.")) == ["delta"]


def test_a_citation_added_in_a_body_links_its_own_note_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit = ("body", "delta", "Now citing [@alpha] and [[beta]].")
    assert _edit_build(tmp_path, monkeypatch, edit) == ["delta"]


def test_a_cites_edit_links_its_own_note_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _edit_build(tmp_path, monkeypatch, ("cites", "gamma", ["alpha"])) == ["gamma"]


def test_a_title_edit_links_every_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _edit_build(tmp_path, monkeypatch, ("title", "beta", "Beta Renamed"))
    assert sorted(seen) == ["alpha", "beta", "delta", "gamma"]  # the names moved


def test_a_note_added_links_every_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _edit_build(tmp_path, monkeypatch, ("add", "epsilon", "Cites [@alpha]."))
    assert sorted(seen) == ["alpha", "beta", "delta", "epsilon", "gamma"]


def _rows(index: Path) -> tuple[dict[str, Any], list[Any]]:
    data = json.loads(index.read_bytes())
    rows = data["index"][4][16]  # the summary's last field: LinkRows
    assert rows is not None and rows[1]  # the plain notes' rows
    return data, rows


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (3, ["nosuchnote"]),  # a note cites a note that is not there
        (3, ["ftp:nowhere"]),  # a paper of no kind
        (4, [9, 1, 2]),  # ends out of order and too few
        (2, ["0" * 32] * 4),  # texts that are not these
        (0, "another library's names"),
    ],
)
def test_rows_that_do_not_fit_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: int, value: object
) -> None:
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    _build(lib.root, out, use_cache=True)
    index = lib.root / ".papernotes" / "cache" / "index.json"
    data, rows = _rows(index)
    if field == 3:  # the first note's only target: a cite, or a paper
        rows[3] = value
        first = [1, 1, 1] if value == ["nosuchnote"] else [0, 0, 1]
        rows[4] = [*first, *([1] * (len(rows[4]) - 3))]
    else:
        rows[field] = value
    index.write_text(json.dumps(data), encoding="utf-8")
    lib.apply("body", "delta", "Another body.")
    seen = _counting(monkeypatch)
    _build(lib.root, out, use_cache=True)
    monkeypatch.undo()
    assert site_tree(out) == _clean(lib, tmp_path)
    assert len(seen) >= 2  # delta, and the notes the rows could not vouch for


def test_the_rows_are_kept_in_the_index(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib")
    _build(lib.root, lib.root / "site", use_cache=True)
    _, rows = _rows(lib.root / ".papernotes" / "cache" / "index.json")
    assert len(rows[4]) == 3 * len(rows[1])  # three ends per note


def test_the_context_digest_does_not_depend_on_a_sets_order() -> None:
    files = ["papers/a.md", "papers/b.md", "papers/fig.png"]
    made = {
        context_digest((), {}, {}, frozenset(order), "papers", {}, order, order)
        for order in (files, files[::-1])
    }
    assert len(made) == 1
    other = context_digest((), {}, {}, frozenset(files[:2]), "papers", {}, (), ())
    assert other not in made


def test_a_note_with_an_embed_is_linked_every_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    lib.apply("body", "gamma", "Shown here:\n\n![[alpha]]\n")
    _build(lib.root, out, use_cache=True)
    lib.apply("body", "delta", "Another body.")
    seen = _counting(monkeypatch)
    _build(lib.root, out, use_cache=True)
    monkeypatch.undo()
    assert site_tree(out) == _clean(lib, tmp_path)
    assert sorted(seen) == ["delta", "gamma"]  # an embed shows another note's text


def test_an_edit_build_reads_no_other_notes_body_to_link_or_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where an unchanged note's body is read (a step toward bodies decoded only when read):
    neither linking it nor its body fingerprint does."""
    import dataclasses
    import sys
    from collections import Counter

    from papernotes.incremental import cache
    from papernotes.model import Note

    readers: Counter[str] = Counter()

    class Sealed(Note):
        __slots__ = ()

        def __getattribute__(self, name: str) -> Any:
            if name == "body":
                readers[sys._getframe(1).f_code.co_name] += 1
            return object.__getattribute__(self, name)

    def seal(note: Note | None) -> Note | None:
        if note is None:
            return None
        sealed = object.__new__(Sealed)
        for f in dataclasses.fields(Note):
            object.__setattr__(sealed, f.name, getattr(note, f.name))
        return sealed

    real = cache.read_cache

    def read_sealed(*args: Any, **kwargs: Any) -> Any:
        old, said = real(*args, **kwargs)
        if old is not None:
            notes = {p: (sha, seal(n), ds) for p, (sha, n, ds) in old.notes.items()}
            old = dataclasses.replace(old, notes=notes)
        return old, said

    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    _build(lib.root, out, use_cache=True)
    lib.apply("body", "delta", "Another body.")
    monkeypatch.setattr(cache, "read_cache", read_sealed)
    _build(lib.root, out, use_cache=True)
    monkeypatch.undo()
    assert readers  # the probe sees reads (the preview's sections read every body still)
    assert not {"one", "take", "keep", "body_fingerprints"} & set(readers), readers
    assert site_tree(out) == _clean(lib, tmp_path)


def _naming(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many notes each making of the names and labels was given, from here on."""
    made: list[int] = []
    real = link._aliases

    def counted(notes: Any) -> Any:
        made.append(len(notes))
        return real(notes)

    monkeypatch.setattr(link, "_aliases", counted)
    return made


@pytest.mark.parametrize(
    ("op", "key", "arg", "makes"),
    [
        ("body", "delta", "Another body.", 0),
        ("cites", "gamma", ["alpha"], 1),  # any front matter edit: its digest moved
        ("title", "beta", "Beta Renamed", 1),
        ("year", "beta", 2001, 1),  # a label ("… 2001")
        ("add", "epsilon", None, 1),
        ("rename", "beta", "bravo", 1),
    ],
)
def test_an_edit_build_makes_the_names_and_labels_only_when_what_they_are_made_of_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, op: str, key: str, arg: object, makes: int
) -> None:
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    _build(lib.root, out, use_cache=True)
    lib.apply(op, key, arg)
    made = _naming(monkeypatch)
    _build(lib.root, out, use_cache=True)
    assert len(made) == makes
    lib.apply("body", "alpha", "Yet another body.")  # then a plain edit keeps them again
    _build(lib.root, out, use_cache=True)
    monkeypatch.undo()
    assert len(made) == makes
    assert site_tree(out) == _clean(lib, tmp_path)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (7, "nosuchnote"),  # a name for a note that is not there
        (12, "nosuchnote"),  # a label of one
        (5, "0" * 32),  # made from something else
        (9, [9]),  # shared ends that do not line up
    ],
)
def test_names_that_do_not_fit_are_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: int, value: object
) -> None:
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    _build(lib.root, out, use_cache=True)
    index = lib.root / ".papernotes" / "cache" / "index.json"
    data, rows = _rows(index)
    assert rows[5] and len(rows[6]) == len(rows[7]) >= 4  # the names, stored
    if field in (7, 12):  # the key of the last name, or of the last label
        rows[field] = [*rows[field][:-1], value]
    else:
        rows[field] = value
    index.write_text(json.dumps(data), encoding="utf-8")
    lib.apply("body", "delta", "Another body.")
    made = _naming(monkeypatch)
    _build(lib.root, out, use_cache=True)
    monkeypatch.undo()
    assert len(made) == 1
    assert site_tree(out) == _clean(lib, tmp_path)
