"""A quick edit of a note the last build warned about (``incremental.quickfront``): when the
warnings come from the front matter or its absence, the file name, or what the body's facets
say (a missing embed, an unknown citation key, a missing heading), a body edit elsewhere is
quick, and it prints what a full build of the same edit prints, in the same order, and leaves
the site a full build and a clean build leave. An edit that moves a warned line or changes a
warned item, or the heading that titles a note with no front matter, takes the full build."""

from __future__ import annotations

import filecmp
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from papernotes import barenote
from papernotes.cli import quick as cli_quick
from papernotes.cli.main import main
from papernotes.incremental.cache import text_digest
from papernotes.incremental.quickfront import same_front

QUICK = "(quick: one note's body)"
LONG = (
    "A first paragraph long enough for the page's description and the feed to be cut from "
    "it, so that what comes after it is not shown there: adapters are small layers added to "
    "a frozen model, trained for each task while the model itself stays as it was."
)
FRONT = "---\ntitle: {title}\nauthors: [Ada Lovelace]\nyear: 2020\n---\n\n"

# One note for each kind of warning a real vault gives, and a note citing them all.
NOTES = {
    "plain.md": f"#obsidian\n\n# A Plain Title\n\n{LONG}\n\nA last paragraph.\n",
    "opens.md": f"# Opening Title\n\n{LONG}\n\nA last paragraph.\n",
    "Spaced Name.md": FRONT.format(title="Spaced") + f"{LONG}\n\nA last paragraph.\n",
    "embeds.md": FRONT.format(title="Embeds")
    + f"{LONG}\n\nA figure: ![[missing.png]]\n\nA last paragraph.\n",
    "unknown.md": FRONT.format(title="Unknown")
    + f"{LONG}\n\nCiting [@nobody2020] here.\n\nA last paragraph.\n",
    "heading.md": FRONT.format(title="Heading")
    + f"{LONG}\n\nSee [[#Nowhere]] and [[#^blk]].\n\nA block. ^blk\n\nA last paragraph.\n",
    "missing.md": f"---\nid: missing2020\nexcalidraw-plugin: parsed\n---\n\n{LONG}\n\nLast.\n",
    "b.md": FRONT.format(title="Bottlenecks").replace("---\n", "---\nid: b2021\n", 1)
    + f"{LONG}\n\nSee [[plain]], [[opens]], [[Spaced Name]] and [@missing2020].\n",
}
WARNED = sorted(set(NOTES) - {"b.md"})


def _library(root: Path, notes: dict[str, str]) -> Path:
    (root / "papers").mkdir(parents=True)
    (root / "papernotes.yaml").write_text("title: Warned notes\n", encoding="utf-8")
    for name, text in notes.items():
        (root / "papers" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "papers" / name).write_text(text, encoding="utf-8")
    return root


def _build(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    capsys.readouterr()
    code = main(["build", "--root", str(root), *args])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out, out.err


def _counts(line: str) -> tuple[str, ...]:
    """The notes, files, warnings and errors a build's line counts."""
    m = re.search(r"(\d+) notes, (\d+) (?:pages|files).* (\d+) warnings, (\d+) errors", line)
    assert m is not None, line
    return m.groups()


def _same_sites(left: Path, right: Path) -> None:
    names = sorted(str(p.relative_to(left)) for p in left.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(right)) for p in right.rglob("*") if p.is_file())
    _, differ, errors = filecmp.cmpfiles(left, right, names, shallow=False)
    assert (differ, errors) == ([], [])


def _edit(name: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        note = root / "papers" / name
        text = note.read_text(encoding="utf-8")
        assert old in text
        note.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


Printed = tuple[str, str]


def _three_ways(
    tmp: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    edit: Callable[[Path], None],
    notes: dict[str, str] = NOTES,
) -> tuple[Printed, Printed, Printed]:
    """The same edit of library ``notes`` built three ways: as ``papernotes build`` does, by
    the full build (no quick edit), and clean; each ``(stdout, stderr)``, after checking that
    the three sites are the same."""
    quick, full, clean = (_library(tmp / n, notes) for n in ("quick", "full", "clean"))
    _build(quick, capsys)
    _build(full, capsys)
    for root in (quick, full, clean):
        edit(root)
    printed = [_build(quick, capsys)]
    with monkeypatch.context() as m:
        m.setattr(cli_quick, "_quick_edit", lambda *a, **k: None)
        printed.append(_build(full, capsys))
    printed.append(_build(clean, capsys))
    _same_sites(quick / "site", full / "site")
    _same_sites(quick / "site", clean / "site")
    # Then nothing changed: the no-op build says what the edit's build said.
    assert _build(quick, capsys)[1] == printed[0][1]
    return printed[0], printed[1], printed[2]


@pytest.mark.parametrize("name", WARNED)
def test_a_warned_notes_edit_is_quick_and_says_what_a_full_build_says(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    def edit(root: Path) -> None:
        note = root / "papers" / name
        note.write_text(note.read_text(encoding="utf-8") + "\nA paragraph added.\n", "utf-8")

    quick, full, clean = _three_ways(tmp_path, capsys, monkeypatch, edit)

    assert QUICK in quick[0] and QUICK not in full[0]
    assert f"papers/{name}:" in quick[1]  # the note was warned about
    assert quick[1] == full[1] == clean[1]
    assert _counts(quick[0]) == _counts(full[0]) == _counts(clean[0])


# Edits that move a warned line, change a warned item, or the heading that titles a note with
# no front matter: the full build runs (and says what a clean one says).
FULL_EDITS = {
    "embed-moved": _edit("embeds.md", "A figure:", "A line above.\n\nA figure:"),
    "embed-renamed": _edit("embeds.md", "missing.png", "absent.png"),
    "key-changed": _edit("unknown.md", "nobody2020", "noone2021"),
    "heading-moved": _edit("heading.md", "See [[#Nowhere]]", "A line.\nSee [[#Nowhere]]"),
    "block-gone": _edit("heading.md", "A block. ^blk", "A block."),
    "block-added": _edit("heading.md", "A last paragraph.", "A last paragraph. ^blk2"),
    "title-changed": _edit("plain.md", "# A Plain Title", "# Another Title"),
    "title-moved": _edit("opens.md", "# Opening Title", "\n# Opening Title"),
    # The heading that opens opens.md is its title, not a heading of its body: only the title
    # tells this edit.
    "title-renamed": _edit("opens.md", "# Opening Title", "# Opened Title"),
    "title-added": _edit("Spaced Name.md", "A last paragraph.", "# A heading\n\nA last one."),
    "front-matter": _edit("missing.md", "excalidraw-plugin: parsed", "year: 2020"),
}


@pytest.mark.parametrize("name", sorted(FULL_EDITS))
def test_an_edit_of_what_was_warned_about_takes_the_full_build(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    notes = NOTES
    if name == "block-added":  # a link to it first: ``[[#^blk2]]`` names nothing yet
        notes = {**NOTES, "heading.md": NOTES["heading.md"].replace("[[#^blk]]", "[[#^blk2]]")}
    quick, full, clean = _three_ways(tmp_path, capsys, monkeypatch, FULL_EDITS[name], notes)

    assert QUICK not in quick[0]
    assert quick[1] == full[1] == clean[1]


def test_an_id_made_from_the_path_is_left_to_the_full_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two Overview.md: each is named by its path, which the quick edit does not know; the
    # page of the file name's id is another note's, with the same body.
    notes = {
        "one/Overview.md": FRONT.format(title="One") + f"{LONG}\n",
        "two/Overview.md": FRONT.format(title="Two") + f"{LONG}\n",
        "third.md": FRONT.format(title="Three").replace("---\n", "---\nid: Overview\n", 1)
        + f"{LONG}\n",
    }

    def edit(root: Path) -> None:
        note = root / "papers" / "one" / "Overview.md"
        note.write_text(note.read_text(encoding="utf-8") + "\nA paragraph.\n", "utf-8")

    quick, full, clean = _three_ways(tmp_path, capsys, monkeypatch, edit, notes)

    assert "from the path" in quick[1]
    assert QUICK not in quick[0]
    assert quick[1] == full[1] == clean[1]


def test_the_body_of_a_note_without_front_matter_is_read_as_the_parse_reads_it() -> None:
    text = "\n# Title\n\nBody.\n"
    title, body = barenote.split_bare(text)
    assert title == barenote.BareTitle(1, "Title", opens=True)
    assert body == "\n\n\nBody.\n"  # the heading's line left blank
    assert same_front(text, body, text_digest(text)) == body
    # The same body, but the heading the last text had there was another one.
    assert same_front(text, body, text_digest(text.replace("Title", "Other"))) is None
    # Not a title that opens the note: the body is the text.
    later = "Lead.\n# Title\n"
    assert same_front(later, later, text_digest(later)) == later
    assert same_front(later, later, text_digest("x" + later)) is None


def test_a_front_matter_is_compared_as_text() -> None:
    text = "---\ntitle: T\n---\nBody.\n"
    assert same_front(text, "Body!\n", text_digest("---\ntitle: T\n---\nBody!\n")) == "Body.\n"
    assert same_front(text, "Body!\n", text_digest("---\ntitle: U\n---\nBody!\n")) is None
    # A front matter of only comments titles the note by its body's first heading.
    only = "---\n# comment\n---\nText.\n# Title\n"
    assert same_front(only, "Text.\n# Title\n", text_digest(only)) == "Text.\n# Title\n"
    moved = "---\n# comment\n---\nText.\n\n# Title\n"
    assert same_front(moved, "Text.\n# Title\n", text_digest(only)) is None
