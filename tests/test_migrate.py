"""`papernotes migrate`: one vault per tool (tests/fixtures/migrate/) rewritten into canonical
front matter, in place with a backup or into a new library; bodies byte for byte, no alias
warning, a --strict build, idempotent, and a dry run that touches nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fetch_replay import Replay

from papernotes.cli import fetch as cli_fetch
from papernotes.cli.migrate import BACKUP_DIR
from papernotes.load import decode
from papernotes.markdown.factory import make_parser
from papernotes.notes.migrate import KEPT_HEADER, Migration, migrate_note
from papernotes.notes.migrate_fetch import fetch_fills
from papernotes.notes.migrate_ref import find_ref
from papernotes.parse import parse_note

from conftest import copy_fixture

VAULTS = ("obsidian", "dendron", "quartz", "hugo")
_ALIAS = re.compile(r"read as '|ignored: it means '")
MD = make_parser()


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and mtime, the build's and migrate's own folders left out."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).as_posix().startswith((".papernotes", "site"))
    }


def _body(data: bytes) -> bytes:
    """What follows the front matter, found independently of migrate: the bytes after the
    second fence line; the whole file (less a BOM) when it has no front matter."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    lines = data.splitlines(keepends=True)
    if not lines or lines[0].rstrip() not in (b"---", b"+++"):
        return data
    fence = lines[0].rstrip()
    end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == fence)
    return b"".join(lines[end + 1 :])


def _notes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / "papers").rglob("*.md"))
    }


def _migrate(rel: str, text: str, **kwargs: object) -> Migration:
    raw = text.encode("utf-8")
    decoded, _ = decode(raw, rel)
    assert decoded is not None
    return migrate_note(rel, raw, decoded, MD, **kwargs)  # type: ignore[arg-type]


# The "done when", one vault per tool ------------------------------------------------


@pytest.mark.parametrize("vault", VAULTS)
def test_vault_migrates_in_place(vault: str, tmp_path: Path, cli) -> None:
    root = copy_fixture(f"migrate/{vault}", tmp_path)
    before = _notes(root)
    tree = _tree(root)

    # (f) the default is a dry run: it prints the changes and touches no file.
    dry = cli("migrate", "--root", str(root))
    assert dry.code == 0, dry.err
    assert "→" in dry.out and "nothing written" in dry.err
    assert _tree(root) == tree
    assert not (root / ".papernotes").exists()

    run = cli("migrate", "--root", str(root), "--write")
    assert run.code == 0, run.err
    after = _notes(root)
    assert set(after) == set(before)
    for rel, data in before.items():
        # (a) the body, byte for byte (line endings, no final newline, a BOM kept).
        assert _body(after[rel]) == _body(data), rel
        assert after[rel].startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
        # (b) the engine reads it with no alias warning and no error.
        text, _ = decode(after[rel], rel)
        assert text is not None
        note, diags = parse_note(rel, text, MD, drafts=True)
        assert note is not None, [d.format() for d in diags]
        assert not [d.format() for d in diags if _ALIAS.search(d.message)]
    # (d) the backup holds every original that changed, byte for byte.
    (backup,) = (root / BACKUP_DIR).iterdir()
    saved = {p.relative_to(backup).as_posix(): p.read_bytes() for p in backup.rglob("*.md")}
    assert saved == {rel: data for rel, data in before.items() if after[rel] != data}
    assert saved
    # (c) the library builds under --strict.
    build = cli("build", "--root", str(root), "--strict", "-q")
    assert build.code == 0, build.err
    # (e) a second run changes nothing and makes no second backup.
    tree = _tree(root)
    again = cli("migrate", "--root", str(root), "--write")
    assert again.code == 0, again.err
    assert again.out == "" and "0 to migrate" in again.err
    assert _tree(root) == tree
    assert len(list((root / BACKUP_DIR).iterdir())) == 1


def test_into_writes_a_new_library_from_a_vault_folder(tmp_path: Path, cli) -> None:
    source = copy_fixture("migrate/obsidian", tmp_path)
    tree = _tree(source)
    new = tmp_path / "lib"
    run = cli("migrate", str(source / "papers"), "--into", str(new))
    assert run.code == 0, run.err
    assert "wrote" in run.out and "3 notes (3 migrated) and 1 other files" in run.out
    assert _tree(source) == tree  # the vault is not touched
    assert (new / "papernotes.yaml").is_file()
    png = "papers/Pasted image 20240115.png"
    assert (new / png).read_bytes() == (source / png).read_bytes()
    for rel, data in _notes(source).items():
        assert _body((new / rel).read_bytes()) == _body(data)
    build = cli("build", "--root", str(new), "--strict", "-q")
    assert build.code == 0, build.err
    assert (new / "site").is_dir()


def test_into_refuses_a_folder_that_is_not_empty(tmp_path: Path, cli) -> None:
    source = copy_fixture("migrate/quartz", tmp_path)
    new = tmp_path / "lib"
    new.mkdir()
    (new / "keep.txt").write_text("mine", encoding="utf-8")
    run = cli("migrate", "--root", str(source), "--into", str(new))
    assert run.code == 1
    assert "is not empty" in run.err
    assert [p.name for p in new.iterdir()] == ["keep.txt"]


def test_no_note_changes_when_the_backup_cannot_be_written(tmp_path: Path, cli) -> None:
    root = copy_fixture("migrate/hugo", tmp_path)
    (root / ".papernotes").write_text("a file where the backup folder would go", encoding="utf-8")
    tree = _tree(root)
    run = cli("migrate", "--root", str(root), "--write")
    assert run.code == 1
    assert "cannot write the backup" in run.err and "no note was changed" in run.err
    assert _tree(root) == tree


def test_fetch_fills_authors_and_year_from_a_link_in_the_body(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    replay = Replay()
    monkeypatch.setattr(cli_fetch, "http_factory", replay.factory())
    root = copy_fixture("migrate/dendron", tmp_path)
    run = cli("migrate", "--root", str(root), "--write", "--fetch", "-q")
    assert run.code == 0, run.err
    assert "papers/papers.lora.md:1: authors: filled in from arXiv:2106.09685" in run.out
    text = (root / "papers/papers.lora.md").read_text(encoding="utf-8")
    assert "  - Edward J. Hu\n" in text and "year: 2021\n" in text
    assert "title: LoRA\n" in text  # a title the note has is kept
    assert [r.url.host for r in replay.requests] == ["export.arxiv.org"]
    assert cli("build", "--root", str(root), "--strict", "-q").code == 0


def test_fetch_fills_reports_what_it_cannot_find() -> None:
    replay = Replay()
    fills, failed = fetch_fills(replay.http(), ["arXiv:2106.09685", "arXiv:2101.00001"])
    assert fills["arXiv:2106.09685"]["year"] == 2021
    assert fills["arXiv:2106.09685"]["authors"][0] == "Edward J. Hu"
    assert "arXiv has no such paper" in failed["arXiv:2101.00001"]


# One rule per case ----------------------------------------------------------------------------

CASES = [
    # (front matter lines, what the new front matter holds, a change reported)
    (
        'author: "Ada Lovelace; Alan Turing"',
        "authors:\n  - Ada Lovelace\n  - Alan Turing\n",
        'author: "Ada Lovelace; Alan Turing" → authors: a list of 2 names',
    ),
    (
        "itemType: conferencePaper",
        "type: inproceedings\n",
        "itemType: conferencePaper → type: inproceedings",
    ),
    ('url: ""', "", "url: empty, dropped"),
    ("read: false", "status: to-read\n", "read: false → status: to-read"),
    ("status: reading\nread: true", "status: reading\n", "read: true dropped: status is given"),
    ("status: true", "status: read\n", "status: true → status: read"),
    (
        "url: https://a.org\nlink: https://b.org",
        "url: https://a.org\n",
        "link: ignored beside 'url' (line",
    ),
    (
        "pdf: file:///home/u/x.pdf",
        "# pdf: file:///home/u/x.pdf\n",
        "pdf: a file outside the library",
    ),
    ("tags: '#a, b'", "tags:\n  - a\n  - b\n", 'tags: "#a, b" → tags: a list'),
    ("eprint: 2106.09685", 'arxiv: "2106.09685"\n', "eprint → arxiv"),
    ("Title: X", "title: X\n", "Title → title"),
    (
        "citations: [a, 'arXiv:2106.09685']",
        "cites:\n  - a\n  - arXiv:2106.09685\n",
        "citations → cites",
    ),
    (
        'abstractNote: "One.\\n\\nTwo: x"',
        "abstract: >-\n  One.\n\n\n  Two: x\n",
        "abstractNote → abstract",
    ),
    ("date: 2014-12-22T10:00:00Z", "year: 2014\n", "date: 2014-12-22 10:00:00+00:00 → year: 2014"),
    ("mood: calm", "# mood: calm\n", "mood: not a papernotes key, kept as a comment"),
    ("bibtex_key: a1\nbibtex: {pages: 1--2}", "id: a1\n", "bibtex_key → id"),
]


@pytest.mark.parametrize(("given", "written", "change"), CASES)
def test_each_rule(given: str, written: str, change: str) -> None:
    text = f"---\ntitle: T\nauthors: [A B]\nyear: 2020\n{given}\n---\nBody\n"
    if given.startswith("Title"):
        text = text.replace("title: T\n", "")
    if given.startswith("author:"):
        text = text.replace("authors: [A B]\n", "")
    if given.startswith("date:"):
        text = text.replace("year: 2020\n", "")
    m = _migrate("papers/x.md", text)
    assert m.data is not None, [d.format() for d in m.diagnostics]
    new = m.data.decode("utf-8")
    assert written in new
    assert any(change in c.message for c in m.changes), [c.message for c in m.changes]
    assert new.endswith("---\nBody\n")
    again = _migrate("papers/x.md", new)
    assert again.data is None and not again.changes  # idempotent
    assert not [d for d in again.diagnostics if _ALIAS.search(d.message)]


def test_a_canonical_note_is_left_alone() -> None:
    text = "---\ntitle: T\nauthors: A B and C D\nyear: 2020\ntags: [x]\n---\nBody\n"
    m = _migrate("papers/x.md", text)
    assert m.data is None and m.changes == () and not m.refused


def test_a_broken_note_is_left_alone_with_its_error() -> None:
    m = _migrate("papers/x.md", "---\ntitle: [unclosed\n---\nBody\n")
    assert m.data is None and m.refused
    assert "not valid YAML" in m.diagnostics[0].message


def test_a_value_no_reader_takes_is_left_alone() -> None:
    # (``year: soon`` is only a warning now: no year read.)
    m = _migrate("papers/x.md", "---\nauthor: A B\nyear: 2020\nrating: 9\n---\nBody\n")
    assert m.data is None and m.refused
    assert any("rating" in d.message for d in m.diagnostics)


def test_crlf_front_matter_is_written_with_crlf_and_the_bom_is_kept() -> None:
    raw = b"\xef\xbb\xbf---\r\ntitle: T\r\nauthor: A B\r\nyear: 2020\r\n---\r\nBody\r\n"
    text, _ = decode(raw, "papers/x.md")
    assert text is not None
    m = migrate_note("papers/x.md", raw, text, MD)
    assert m.data == b"\xef\xbb\xbf---\r\ntitle: T\r\nauthors: A B\r\nyear: 2020\r\n---\r\nBody\r\n"


def test_keep_unknown_keeps_keys_as_keys() -> None:
    text = "---\ntitle: T\nauthors: [A B]\nyear: 2020\nmood: calm\nauthor: C D\n---\n"
    kept = _migrate("papers/x.md", text, keep_unknown=True)
    commented = _migrate("papers/x.md", text)
    assert kept.data is not None and commented.data is not None
    # An unknown key stays a key; another spelling of ours would warn: it is a comment still.
    assert f"\nmood: calm\n{KEPT_HEADER}\n# author: C D\n".encode() in kept.data
    assert f"{KEPT_HEADER}\n# mood: calm\n# author: C D\n".encode() in commented.data


def test_a_note_without_front_matter_gets_one() -> None:
    m = _migrate("papers/My Notes.md", "Intro.\n\n```\n# not a heading\n```\n# Real Title\n")
    assert m.data is not None
    front = m.data.decode().split("---\n")[1]
    assert front == "id: MyNotes\ntitle: Real Title\nauthors:\nyear:\n"
    assert m.data.endswith(b"---\nIntro.\n\n```\n# not a heading\n```\n# Real Title\n")
    assert m.needs == ("authors", "year")


def test_fill_is_used_only_for_what_is_missing() -> None:
    fill = {"title": "Fetched", "authors": ["Ada Lovelace"], "year": 1843, "source": "doi:10.1/x"}
    m = _migrate("papers/x.md", "---\ntitle: Mine\nurl: ''\n---\nB\n", fill=fill)
    assert m.data is not None
    assert m.data.decode().startswith("---\ntitle: Mine\nauthors:\n  - Ada Lovelace\nyear: 1843\n")
    assert "authors: filled in from doi:10.1/x" in [c.message for c in m.changes]


@pytest.mark.parametrize(
    ("front", "body", "ref"),
    [
        ("arxiv: '2106.09685'", "", "arXiv:2106.09685"),
        ("doi: 10.18653/v1/2022.acl-long.26", "", "doi:10.18653/v1/2022.acl-long.26"),
        ("url: https://arxiv.org/abs/2305.18290v2", "", "arXiv:2305.18290"),
        ("title: T", "See [pdf](https://arxiv.org/pdf/2106.09685.pdf).", "arXiv:2106.09685"),
        ("title: T", "Published as doi:10.1000/xyz123.", "doi:10.1000/xyz123"),
        ("title: T", "No identifier at all: 2021.", None),
    ],
)
def test_find_ref(front: str, body: str, ref: str | None) -> None:
    from papernotes.frontmatter import split_note

    raw, _ = split_note("x.md", f"---\n{front}\n---\n{body}")
    assert raw is not None
    assert find_ref(raw.fields, raw.body) == ref


def test_comments_and_what_an_earlier_run_kept_survive_a_second_migration() -> None:
    text = "---\n# from my template\ntitle: T\nauthor: A B\nyear: 2020\nmood: x\n---\nB\n"
    first = _migrate("papers/x.md", text)
    assert first.data is not None
    migrated = first.data.decode()
    assert migrated == (
        f"---\ntitle: T\nauthors: A B\nyear: 2020\n{KEPT_HEADER}\n# mood: x\n"
        "# from my template\n---\nB\n"
    )
    edited = migrated.replace("year: 2020\n", "year: 2020\nlink: https://x.org\ncolour: 3\n")
    second = _migrate("papers/x.md", edited)
    assert second.data is not None
    assert second.data.decode() == (
        f"---\ntitle: T\nauthors: A B\nyear: 2020\nurl: https://x.org\n{KEPT_HEADER}\n"
        "# colour: 3\n# mood: x\n# from my template\n---\nB\n"
    )


@pytest.mark.parametrize("line", ["cssclasses: wide", "draft: true", "created: 1700000000000"])
def test_other_tools_keys_the_parser_knows_stay_keys(line: str) -> None:
    """Keys the parser reads quietly (lenient.FOREIGN_KEYS) are the user's settings, kept live:
    a draft stays a draft after migration."""
    text = f"---\ntitle: T\nauthor: A B\nyear: 2020\n{line}\n---\nB\n"
    m = _migrate("papers/x.md", text)
    assert m.data is not None
    assert m.data.decode() == f"---\ntitle: T\nauthors: A B\nyear: 2020\n{line}\n---\nB\n"


def test_notes_sharing_a_file_name_get_their_path_as_id(tmp_path: Path, cli) -> None:
    """Two Overview.md in two folders (Obsidian allows it): the build names them by their
    paths with a warning; migrate writes those ids down, so --strict passes."""
    papers = tmp_path / "papers"
    for folder in ("RL", "Language Models"):
        (papers / folder).mkdir(parents=True)
        (papers / folder / "Overview.md").write_text(f"# {folder}\n\nNotes.\n", encoding="utf-8")
    (papers / "RL" / "Policy.md").write_text("# Policy\n\nSee [[RL/Overview]].\n")
    assert cli("build", "--root", str(tmp_path), "--strict", "-q").code == 1
    run = cli("migrate", "--root", str(tmp_path), "--write")
    assert run.code == 0, run.err
    assert 'papers/RL/Overview.md:1: id: RL/Overview added (other notes are "Overview" too)' in (
        run.out
    )
    assert (
        "id: LanguageModels/Overview\n" in (papers / "Language Models" / "Overview.md").read_text()
    )
    assert "id:" not in (papers / "RL" / "Policy.md").read_text()
    build = cli("build", "--root", str(tmp_path), "--strict", "-q")
    assert build.code == 0, build.err
    assert (tmp_path / "site" / "papers" / "RL~2fOverview.html").is_file()


def test_path_ids_only_for_file_name_ids_that_clash() -> None:
    from papernotes.notes.migrate_ids import path_ids

    texts = {
        "papers/a/Overview.md": "x\n",
        "papers/b/overview.md": "x\n",  # ids ignore case
        "papers/c/Overview.md": "---\nid: own\ntitle: T\n---\n",  # an id written is kept
        "papers/d/Other.md": "x\n",
    }
    assert path_ids(texts, "papers", MD, {}) == {
        "papers/a/Overview.md": "a/Overview",
        "papers/b/overview.md": "b/overview",
    }
