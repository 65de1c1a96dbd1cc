"""``incremental.quick``: ``papernotes build`` after a body edit that the rest of the site does
not see patches the note's page and search files, and the site is then what a clean build
makes, byte for byte — as it is after every build that follows (a no-op, a full build, the
note's text going back to one the cache knows). Every other change takes the full build."""

from __future__ import annotations

import filecmp
import json
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papernotes.cli.main import main
from papernotes.incremental import quickjournal, quicksearch, searchledger, store
from papernotes.incremental.quick import quick_edit

QUICK = "(quick: one note's body)"

NOTES = {
    "a.md": """---
id: a2020
title: "Adapters, Again"
authors: [Ada Lovelace]
year: 2020
cites: [b2021]
---

## Intro

A first paragraph long enough for the page's description and the feed to be cut from it, so
that what comes after it is not shown there: adapters are small layers added to a frozen
model, trained for each task while the model itself stays as it was.

Text citing [@b2021] here, and a word of 注意力.

## Method

More text with $x^2$ in it.

```python
print(1)
```

Final paragraph.
""",
    "b.md": """---
id: b2021
title: "Bottlenecks"
authors: [Grace Hopper]
year: 2021
---

Short body, on its own: bottleneck adapters put a small down- and up-projection after each
sublayer of a frozen model, and only those few weights are trained for each new task, so that
one copy of the large model serves them all.
""",
    "c.md": """---
id: c2022
title: "Compression"
authors: [Alan Turing]
year: 2022
abstract: "An abstract of the paper."
---

Plain body text.

See [[b2021]] too.
""",
    "e.md": """---
id: e2024
title: "Embeddings"
authors: [Ada Lovelace]
year: 2024
---

What b says, shown here:

![[b]]

And a link to [[c2022]].
""",
    # A link to a block of its own: removing the block's id makes a warning (and a link to
    # nothing), though nothing else the site reads of the body changes.
    "k.md": """---
id: k2023
title: "Blocks"
authors: [Alan Turing]
year: 2023
---

A first paragraph long enough for the page's description and the feed to be cut from it, so
that what comes after it is not shown there: Obsidian names a paragraph by an id at its end.

See [[#^blk]] below.

A block. ^blk

A last paragraph.
""",
    # No front matter, a figure not there, a key no note has: warned about by every build.
    "w.md": """# Warned Note

A first paragraph long enough for the page's description and the feed to be cut from it, so
that what comes after it is not shown there: a note with no front matter is titled by its
first heading, as Obsidian shows it.

A figure: ![[missing.png]], and [@nobody2020].

A closing paragraph.
""",
}


def _library(root: Path) -> Path:
    (root / "papers").mkdir(parents=True)
    (root / "papernotes.yaml").write_text("title: Quick test library\n", encoding="utf-8")
    for name, text in NOTES.items():
        (root / "papers" / name).write_text(text, encoding="utf-8")
    return root


def _build(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    code = main(["build", "--root", str(root)])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def _same_as_clean(root: Path, tmp: Path, said: str | None = None) -> None:
    """The site of ``root`` is what a clean build of its notes makes, file for file; and
    ``said``, what the last build printed on stderr, is what the clean build prints."""
    clean = tmp / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    clean.mkdir()
    shutil.copytree(root / "papers", clean / "papers")
    shutil.copy(root / "papernotes.yaml", clean)
    with pytest.MonkeyPatch.context() as m:
        errors: list[str] = []
        m.setattr(sys, "stderr", _Tee(errors))
        assert main(["build", "--root", str(clean), "-q"]) == 0
    assert said is None or said == "".join(errors)
    left, right = root / "site", clean / "site"
    names = sorted(str(p.relative_to(left)) for p in left.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(right)) for p in right.rglob("*") if p.is_file())
    _, differ, errors = filecmp.cmpfiles(left, right, names, shallow=False)
    assert (differ, errors) == ([], [])


class _Tee:
    """A stderr that keeps what is written to it."""

    def __init__(self, kept: list[str]) -> None:
        self.kept = kept

    def write(self, text: str) -> int:
        self.kept.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def _texts(root: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in (root / "papers").iterdir()}


def _append(text: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        note = root / "papers" / "a.md"
        note.write_text(note.read_text(encoding="utf-8") + text, encoding="utf-8")

    return edit


def _replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        note = root / "papers" / name
        note.write_text(note.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    return edit


def _restore(name: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        (root / "papers" / name).write_text(NOTES[name], encoding="utf-8")

    return edit


# Edits a quick build takes (a paragraph where no hole is), and edits it must leave to the
# full build: the front matter, a new citation or heading, a paragraph between two holes,
# another note too, a note added.
QUICK_EDITS = {
    "paragraph": _append("\nA paragraph added.\n"),
    "words": _replace("a.md", "Final paragraph.", "Final paragraph, longer 注意力."),
    # c is mentioned by e (a wikilink): e's page shows c's title, not its body.
    "c-body": _replace("c.md", "too.\n", "too.\n\nA third one.\n"),
    # w's warnings come from its missing front matter and what its facets name.
    "warned": _replace("w.md", "A closing paragraph.", "A closing paragraph, and more."),
}
FULL_EDITS = {
    "title": _replace("a.md", "Adapters, Again", "Adapters, Once More"),
    "citation": _append("\nSee [@c2022].\n"),
    "heading": _append("\n## More\n\nText.\n"),
    "lead": _replace("b.md", "Short body", "A short body"),
    "warned-title": _replace("w.md", "# Warned Note", "# Warned Note, Renamed"),
    "block-gone": _replace("k.md", "A block. ^blk", "A block."),
    "warned-key": _replace("w.md", "nobody2020", "noone2021"),
    # b is embedded in e: e's page shows b's body.
    "embedded": _replace("b.md", "them all.\n", "them all.\n\nA second paragraph.\n"),
    "new-note": lambda root: (root / "papers" / "d.md").write_text(
        NOTES["c.md"].replace("c2022", "d2023"), encoding="utf-8"
    ),
}


# Either way: the note's text back to the one the cache holds (quick after a quick edit).
EITHER = {"restore-a": _restore("a.md")}
EDITS = {**QUICK_EDITS, **FULL_EDITS, **EITHER}


@pytest.fixture
def built(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = _library(tmp_path / "lib")
    _build(root, capsys)
    return root


@pytest.mark.parametrize("name", sorted(QUICK_EDITS))
def test_a_body_edit_is_quick_and_the_site_is_a_clean_builds(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    QUICK_EDITS[name](built)
    # The line a full build prints, with where the site is, and that it was quick.
    assert _build(built, capsys).endswith(f" → {built / 'site'} {QUICK}\n")
    _same_as_clean(built, tmp_path)
    # The ledger of the search files it left is the one the clean build left of the same files.
    ledger = Path(".papernotes", "cache", searchledger.LEDGER_FILE)
    assert (built / ledger).read_bytes() == (tmp_path / "clean" / ledger).read_bytes()
    # Then nothing changed: the no-op build answers.
    assert "nothing to do" in _build(built, capsys)
    assert built.joinpath(".papernotes", "cache", quickjournal.JOURNAL).is_file()


@pytest.mark.parametrize("ledger", ["none", "another"])
def test_without_the_ledger_of_its_files_every_shard_is_read(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], ledger: str
) -> None:
    path = built / ".papernotes" / "cache" / searchledger.LEDGER_FILE
    if ledger == "none":
        path.unlink()
    else:  # left for other files: it is not read (all of its sums doubled would show)
        data = json.loads(path.read_bytes())
        data["binding"] = "0" * 32
        path.write_text(json.dumps(data), encoding="utf-8")
    read: list[str] = []
    with pytest.MonkeyPatch.context() as m:
        m.setattr(quicksearch, "read_shard", _spy(quicksearch.read_shard, read))
        _append("\nA paragraph added.\n")(built)
        assert QUICK in _build(built, capsys)
    shards = {p.name for p in (built / "site" / "static" / "search").iterdir()}
    assert {f"{name}.js" for name in read} == shards  # every one of them
    _same_as_clean(built, tmp_path)


def _spy(real: Callable[[str, str], object], names: list[str]) -> Callable[[str, str], object]:
    def read(text: str, name: str) -> object:
        names.append(name)
        return real(text, name)

    return read


def test_an_edit_that_moves_the_reading_time_is_quick(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The page shows the reading time: a's body reads in 89 seconds with 90 short sentences of
    # five CJK characters added (1 min), in 90 with one more (2 min, rounded).
    _append("\n" + "注意力机制。" * 90 + "\n")(built)
    _build(built, capsys)
    page = built / "site" / "papers" / "a2020.html"
    shown = re.compile(r'<span class="reading-time">(\d+) min read</span>')
    assert shown.findall(page.read_text(encoding="utf-8")) == ["1"]

    _append("\n注意力机制。\n")(built)

    assert QUICK in _build(built, capsys)
    assert shown.findall(page.read_text(encoding="utf-8")) == ["2"]
    _same_as_clean(built, tmp_path)


@pytest.mark.parametrize("name", sorted(FULL_EDITS))
def test_any_other_change_takes_the_full_build(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    _append("\nA paragraph first.\n")(built)
    assert QUICK in _build(built, capsys)
    FULL_EDITS[name](built)
    printed = _build(built, capsys)
    assert QUICK not in printed and "built:" in printed
    _same_as_clean(built, tmp_path)
    # The full build saved its cache: the journal is gone, and a body edit is quick again.
    assert not built.joinpath(".papernotes", "cache", quickjournal.JOURNAL).exists()
    _append("\nA paragraph after.\n")(built)
    assert QUICK in _build(built, capsys)
    _same_as_clean(built, tmp_path)


def test_a_note_back_to_its_cached_text_after_a_full_build_is_a_clean_builds(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The cache's fingerprints of a's page and search files are of its first text: the full
    # build must not take the site's (quick) files for them.
    _append("\nA paragraph first.\n")(built)
    assert QUICK in _build(built, capsys)
    _restore("a.md")(built)
    _replace("c.md", "Plain body text.", "Plain body, changed.")(built)  # the full build
    assert QUICK not in _build(built, capsys)
    _same_as_clean(built, tmp_path)


def test_a_page_changed_by_hand_is_not_patched(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = built / "site" / "papers" / "a2020.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- mine -->", encoding="utf-8")
    _append("\nA paragraph.\n")(built)
    assert quick_edit(str(built), None, strict=False) is None
    assert page.read_text(encoding="utf-8").endswith("<!-- mine -->")


def test_a_library_with_templates_of_its_own_is_not_patched(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (built / "templates").mkdir()
    _build(built, capsys)
    _append("\nA paragraph.\n")(built)
    assert quick_edit(str(built), None, strict=False) is None


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.sampled_from(sorted(EDITS)), max_size=4))
def test_any_sequence_of_edits_leaves_a_clean_builds_site(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], steps: list[str]
) -> None:
    tmp = tmp_path_factory.mktemp("seq")
    root = _library(tmp / "lib")
    _build(root, capsys)
    for step in steps:
        before = _texts(root)
        EDITS[step](root)
        capsys.readouterr()
        assert main(["build", "--root", str(root)]) == 0
        printed, said = capsys.readouterr()
        # (An edit that changed nothing, its text replaced already, may be quick.)
        assert step not in FULL_EDITS or QUICK not in printed or _texts(root) == before
        _same_as_clean(root, tmp, said)


def test_an_embedded_note_is_left_to_the_full_build_after_an_edit_build_too(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An edit build reads e (the embedding note) from the cache; it must still name b as
    # shown by an embed, whether or not e's body was decoded.
    FULL_EDITS["title"](built)
    assert QUICK not in _build(built, capsys)
    FULL_EDITS["embedded"](built)
    printed = _build(built, capsys)
    assert QUICK not in printed and "built:" in printed
    _same_as_clean(built, tmp_path)


def test_the_journal_names_the_stores_index() -> None:
    assert quickjournal.INDEX == store.INDEX
