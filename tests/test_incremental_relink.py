"""A save through a serve session links again only the notes it changed while every name stays
the same, and the site it writes is still the clean build's, byte for byte: a body edit, a link
added in a body, a title edit, a ``cites:`` edit, a note deleted, a note added.

The counts are what the session reports it made afresh (``Session.made``), not seconds."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental.session import Session
from papernotes.linknote import Names, link_note
from papernotes.model import CiteKey

from conftest import note_text, same_as_clean, site_tree, write_note

NOTES = {
    "a.md": ("alpha", "Alpha Paper", 2020, "[beta]", "Alpha builds on [[gamma]] here.\n"),
    "b.md": ("beta", "Beta Paper", 2019, "[]", "Beta stands alone.\n"),
    "c.md": ("gamma", "Gamma Paper", 2021, "[alpha, beta]", "Gamma, as [@alpha] says.\n"),
    "d.md": ("delta", "Delta Paper", 2022, "[]", "See [[alpha]] for more.\n"),
    "e.md": ("eps", "Epsilon Paper", 2018, "[]", "Shown here:\n\n![[beta]]\n"),
}
WITHOUT_EMBEDS = 4
"""Notes the memo keeps links for: a note with embeds (e.md) is linked on every save."""


def _text(key: str, title: str, year: int, cites: str, body: str) -> str:
    extra = f"id: {key}\ntags: [t{year % 2}]\ncites: {cites}\n"
    return note_text(
        title, authors=f"[{title.split()[0]} Writer]", year=year, extra=extra, body=body
    )


def _library(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "papernotes.yaml").write_text("title: Relink\n", encoding="utf-8")
    for rel, fields in NOTES.items():
        write_note(root, rel, _text(*fields))
    return root


def _save(root: Path, rel: str, change: Callable[[str], str] | None) -> Path:
    """Change, delete (None) or add the note ``rel``, moving its time on."""
    path = root / "papers" / rel
    if change is None:
        path.unlink()
        return path
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(change(path.read_text("utf-8") if path.exists() else ""), encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))
    return path


def _append(line: str) -> Callable[[str], str]:
    return lambda text: text + line


# (what the save does, the note, the change, notes linked again, names made again)
CASES = [
    ("body only", "b.md", _append("\nA sentence added.\n"), 1, False),
    ("link added in a body", "b.md", _append("\nNow see [[delta]].\n"), 1, False),
    ("a cite added in a body", "d.md", _append("\nAs [@beta] shows.\n"), 1, False),
    ("title", "b.md", lambda t: t.replace("Beta Paper", "Beta Renamed"), WITHOUT_EMBEDS, True),
    ("cites", "d.md", lambda t: t.replace("cites: []", "cites: [beta]"), 1, True),
    ("note deleted", "d.md", None, WITHOUT_EMBEDS - 1, True),
    (
        "note added",
        "f.md",
        lambda _: _text("phi", "Phi Paper", 2023, "[alpha]", "Phi cites [[beta]].\n"),
        WITHOUT_EMBEDS + 1,
        True,
    ),
]


def _served(root: Path) -> tuple[Path, Path, Session]:
    """A library in ``root`` built once by a serving session (its cache saved)."""
    root = _library(root)
    out = root / "site"
    session = Session(root, out)
    assert session.build().errors == 0
    session.persist()
    return root, out, session


def _assert_clean(root: Path, out: Path, clean: Path, what: object = None) -> None:
    """The site in ``out`` is the one a clean build of ``root`` makes."""
    config, _ = load_config(root)
    assert build(root, config, out=clean, use_cache=False).errors == 0
    assert site_tree(out) == site_tree(clean), what


@pytest.mark.parametrize(
    ("what", "rel", "change", "relinked", "names_again"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_a_save_relinks_only_what_it_changed_and_equals_a_clean_build(
    tmp_path: Path,
    what: str,
    rel: str,
    change: Callable[[str], str] | None,
    relinked: int,
    names_again: bool,
) -> None:
    root, out, session = _served(tmp_path / "lib")
    # The first build links every note; a save that changed nothing would link none.
    path = _save(root, rel, change)
    session.invalidate({str(path.resolve())})
    report = session.build()
    assert report.errors == 0, [d.format() for d in report.diagnostics]
    made = session.made
    assert made.get("link-note", 0) == relinked, (what, made)
    assert ("link-names" in made) is names_again, (what, made)
    # Backlinks: made again for the notes linked again (and e.md, whose links are new each time).
    assert made.get("backlinks", 0) == relinked + 1, (what, made)
    session.persist()
    _assert_clean(root, out, tmp_path / "clean", what)


def test_two_saves_in_a_row_keep_the_backlinks_of_the_notes_they_did_not_touch(
    tmp_path: Path,
) -> None:
    root = _library(tmp_path / "lib")
    out = root / "site"
    session = Session(root, out)
    assert session.build().errors == 0
    for n in range(2):
        path = _save(root, "d.md", _append(f"\nAnd [[gamma]] too, {n}.\n"))
        session.invalidate({str(path.resolve())})
        assert session.build().errors == 0
        assert session.made.get("link-note") == 1
        assert session.made.get("preview:delta") == 1
        assert "preview:alpha" not in session.made
    page = (out / "papers" / "gamma.html").read_text("utf-8")
    assert "delta" in page  # the backlink the body link made
    _assert_clean(root, out, tmp_path / "clean")


def test_link_note_is_what_link_finds_for_one_note(tmp_path: Path) -> None:
    from papernotes.build import read_library

    root = _library(tmp_path / "lib")
    config, _ = load_config(root)
    library, _ = read_library(root, config)
    names = Names(
        library,
        {},
        {},
        {},
        frozenset(f"papers/{rel}" for rel in NOTES),
        library.sources,
        "papers",
        {},
        (),
    )
    found = link_note(library.notes[CiteKey("alpha")], names)
    assert found.cites == ("beta",)
    assert found.mentions == ("gamma",)
    assert found.diagnostics == ()


def test_restamp_looks_again_only_at_the_files_it_is_told_of(tmp_path: Path) -> None:
    from papernotes.incremental import fastpath

    root = _library(tmp_path / "lib")
    config, _ = load_config(root)
    stamp = fastpath.stamp_for(root, config, root / "site")
    a, b = root / "papers" / "a.md", root / "papers" / "b.md"
    for path in (a, b):
        _save(root, path.name, _append("\nMore.\n"))
    again = fastpath.restamp(stamp, [str(a.resolve())])
    assert again is not None
    fresh = fastpath.stamp_for(root, config, root / "site")
    moved = {k for k in fresh["inputs"] if fresh["inputs"][k] != again["inputs"][k]}
    assert moved == {str(b)}  # b moved unreported: the next check sees it moved
    assert again["watch"] == stamp["watch"]
    # A file that is not an input yet, or went away: the stamp is taken afresh.
    _save(root, "new.md", lambda _: _text("nu", "Nu Paper", 2020, "[]", "New.\n"))
    assert fastpath.restamp(stamp, [str((root / "papers" / "new.md").resolve())]) is None
    b.unlink()
    assert fastpath.restamp(stamp, [str(b.resolve())]) is None


def test_a_save_told_what_changed_does_not_walk_the_library_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papernotes.incremental import fastpath

    root, out, session = _served(tmp_path / "lib")
    walks: list[Path] = []
    real = fastpath.stamp_for

    def counting(root: Path, config: object, out: Path) -> dict[str, object]:
        walks.append(root)
        return real(root, config, out)  # type: ignore[arg-type]

    monkeypatch.setattr(fastpath, "stamp_for", counting)
    path = _save(root, "b.md", _append("\nTold.\n"))
    session.invalidate({str(path.resolve())})
    assert session.build().rendered > 0
    session.persist()
    assert walks == []
    # Not told (a build without invalidate): the stamp is taken afresh, and still finds it.
    _save(root, "b.md", _append("\nNot told.\n"))
    assert session.build().rendered > 0
    session.persist()
    assert len(walks) == 1
    # A note added: not an input yet, so walked again.
    path = _save(root, "f.md", lambda _: _text("phi", "Phi Paper", 2023, "[]", "Phi.\n"))
    session.invalidate({str(path.resolve())})
    assert session.build().rendered > 0
    session.persist()
    assert len(walks) == 2
    monkeypatch.undo()
    # The stamp saved is the whole truth: the plain build finds nothing to do.
    assert same_as_clean(root, tmp_path / "clean", out).up_to_date


def test_a_save_told_what_changed_looks_at_and_hashes_only_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papernotes import load
    from papernotes.incremental import cache

    root, out, session = _served(tmp_path / "lib")
    assert session.made["look-file"] == len(NOTES)  # the first build looks at every note
    walks: list[str] = []
    hashed: list[str] = []
    real_walk, real_hash = load.walk_notes, cache.text_digest
    monkeypatch.setattr(load, "walk_notes", lambda *a: walks.append("walk") or real_walk(*a))
    monkeypatch.setattr(cache, "text_digest", lambda t: hashed.append(t) or real_hash(t))
    for n in range(2):
        path = _save(root, "b.md", _append(f"\nTold {n}.\n"))
        session.invalidate({str(path.resolve())})
        assert session.build().rendered > 0
        session.persist()
        assert session.made["look-file"] == 1
        assert (walks, hashed) == ([], [])  # hashed as it was read, once
    # A note added: walked again (for the stamp, and for the notes), every note looked at.
    path = _save(root, "f.md", lambda _: _text("phi", "Phi Paper", 2023, "[]", "Phi.\n"))
    session.invalidate({str(path.resolve())})
    assert session.build().errors == 0
    session.persist()
    assert walks == ["walk"] * 2
    assert session.made["look-file"] == len(NOTES) + 1
    # Then deleted: told of a file that is gone, walked again.
    path.unlink()
    session.invalidate({str(path.resolve())})
    assert session.build().errors == 0
    session.persist()
    assert walks == ["walk"] * 4
    monkeypatch.undo()
    _assert_clean(root, out, tmp_path / "clean")


def test_a_note_reached_through_a_symlink_is_looked_at_on_every_save(tmp_path: Path) -> None:
    root = _library(tmp_path / "lib")
    (root / "notes-elsewhere").mkdir()
    real = root / "notes-elsewhere" / "s.md"
    real.write_text(_text("sym", "Sym Paper", 2020, "[]", "First.\n"), encoding="utf-8")
    (root / "papers" / "s.md").symlink_to(real)
    out = root / "site"
    session = Session(root, out)
    assert session.build().errors == 0
    session.persist()
    # The watcher reports the target's change under its own name; b.md is saved too.
    _save(root, "b.md", _append("\nMore.\n"))
    real.write_text(_text("sym", "Sym Paper", 2020, "[]", "Second.\n"), encoding="utf-8")
    os.utime(real, ns=(10**18, 10**18))
    session.invalidate({str((root / "papers" / "b.md").resolve())})
    assert session.build().errors == 0
    session.persist()
    assert session.made["look-file"] == 2
    assert "Second." in (out / "papers" / "sym.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("rel", "change"),
    [
        ("b.md", lambda t: t.replace("[Beta Writer]", "[Zeta Writer]")),  # b's label
        ("c.md", lambda t: t.replace("cites: [alpha, beta]", "cites: [beta]")),
        ("a.md", lambda t: t.replace("cites: [beta]", "cites: [beta, delta]")),
    ],
    ids=["an author's label", "a cite removed", "a cite added"],
)
def test_a_save_that_keeps_every_name_relinks_one_note(
    tmp_path: Path, rel: str, change: Callable[[str], str]
) -> None:
    root, out, session = _served(tmp_path / "lib")
    path = _save(root, rel, change)
    session.invalidate({str(path.resolve())})
    assert session.build().errors == 0
    session.persist()
    assert session.made.get("link-note") == 1, session.made
    _assert_clean(root, out, tmp_path / "clean")


# (the save, the note, the change, paper pages fingerprinted again)
PRINTS = [
    # Beta's page, and eps's, which embeds beta's text.
    ("body only", "b.md", _append("\nA sentence added.\n"), {"beta", "eps"}),
    ("title", "b.md", lambda t: t.replace("Beta Paper", "Beta Renamed"), None),
    # Delta now cites beta: delta's page, beta's (cited by delta), and alpha's, which shows
    # delta's metadata (delta mentions it), cites included.
    (
        "cites",
        "d.md",
        lambda t: t.replace("cites: []", "cites: [beta]"),
        {"delta", "beta", "alpha"},
    ),
    # Delta's year shows on the pages of the notes around it: alpha, which it mentions.
    ("year", "d.md", lambda t: t.replace("year: 2022", "year: 2017"), {"delta", "alpha"}),
]


@pytest.mark.parametrize(("what", "rel", "change", "printed"), PRINTS, ids=[c[0] for c in PRINTS])
def test_a_save_fingerprints_only_the_pages_whose_inputs_changed(
    tmp_path: Path,
    what: str,
    rel: str,
    change: Callable[[str], str],
    printed: set[str] | None,
) -> None:
    root, out, session = _served(tmp_path / "lib")
    assert session.made["paper-fp"] == len(NOTES)  # the first build: every page
    path = _save(root, rel, change)
    session.invalidate({str(path.resolve())})
    assert session.build().errors == 0
    session.persist()
    made = session.made
    if printed is None:  # a title is a name: every note linked again, every page printed
        assert made["paper-fp"] == len(NOTES), (what, made)
        # The bibliography files: beta's entries formatted again, the others kept.
        for tag in ("bib", "csl-line", "ris"):
            assert made[tag] == 1, (tag, made)
    else:
        assert made["paper-fp"] == len(printed), (what, made)
        assert made.get("meta-fp", 0) == (what != "body only"), (what, made)
    if what == "body only":  # every tag, author, year and list page kept
        assert "listing" not in made, made
    if what == "cites":  # only those listing delta (its tag's, author's, year's), and home
        assert made.get("listing", 0) <= 4, made
    _assert_clean(root, out, tmp_path / "clean", what)
