"""Notes of a real vault build as the tool that wrote them shows them (issue 12): no front matter,
an unquoted ``: `` in a title, a file name with spaces, other tools' keys, and names that two
notes share, each with a warning at file:line instead of an error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from papernotes import lenient
from papernotes.errors import Severity
from papernotes.link import link
from papernotes.markdown.factory import make_parser
from papernotes.model import Note
from papernotes.parse import parse_note

from conftest import copy_fixture

MD = make_parser()
BASE = "title: T\nauthors: [Ada Lovelace]\nyear: 2020\n"
README = Path(__file__).resolve().parents[1] / "README.md"


def _lines(diags) -> list[str]:
    return [d.format() for d in diags]


def _library(*files: tuple[str, str]):
    notes: list[Note] = []
    for path, text in files:
        note, _ = parse_note(path, text, MD)
        assert note is not None, path
        notes.append(note)
    return link(notes, frozenset(), "papers")


# 1. No front matter: a quick note -------------------------------------------------------------

QUICK = [
    # path, text, title, key, whether the heading line left the body
    ("papers/plain.md", "# A Plain Heading\n\nText.\n", "A Plain Heading", "plain", True),
    ("papers/plain.md", "\n#   Spaced Out  ##\nText.\n", "Spaced Out", "plain", True),
    ("papers/later.md", "Intro.\n\n# Later Heading\n", "Later Heading", "later", False),
    ("papers/code.md", "```\n# not a heading\n```\n# Real\n", "Real", "code", False),
    ("papers/h2.md", "## Only h2\n#tag\n", "h2", "h2", False),
    ("papers/empty.md", "", "empty", "empty", False),
    ("papers/Deep Notes.md", "Loose.\n", "Deep Notes", "DeepNotes", False),
]


@pytest.mark.parametrize(("path", "text", "title", "key", "dropped"), QUICK)
def test_a_note_without_front_matter_is_a_quick_note(
    path: str, text: str, title: str, key: str, dropped: bool
) -> None:
    note, diags = parse_note(path, text, MD)
    assert note is not None
    assert (note.meta.title, note.key) == (title, key)
    assert note.meta.authors == () and note.meta.year is None
    assert all(d.severity is Severity.WARNING for d in diags)
    quick = [d for d in diags if d.message.startswith("no front matter")]
    assert len(quick) == 1 and quick[0].where.line == 1 and quick[0].where.path == path
    assert f'a quick note titled "{title}", with no authors or year' in quick[0].message
    # The title is not shown twice: a heading that opens the note became the title.
    assert (note.body.text != text) is dropped
    assert note.body_line == 1


def test_a_quick_note_gets_one_warning_not_one_per_missing_key() -> None:
    _, diags = parse_note("papers/plain.md", "# A Plain Heading\n", MD)
    assert _lines(diags) == [
        'papers/plain.md:1: warning: no front matter: published as a quick note titled "A Plain'
        " Heading\", with no authors or year (add title, authors and year between '---' lines at"
        " the top to cite it)"
    ]


def test_front_matter_after_blank_lines_is_read_with_its_lines() -> None:
    note, diags = parse_note("papers/late.md", f"\n\n---\n{BASE}rating: 9\n---\nBody.\n", MD)
    assert note is None  # rating 9 is an error: at its own line, counted from the file's top
    assert "papers/late.md:3: warning: front matter starts on line 3" in _lines(diags)[0]
    assert any(line.startswith("papers/late.md:7:1: error: rating") for line in _lines(diags))
    note, diags = parse_note("papers/late.md", f"\n---\n{BASE}---\nBody.\n", MD)
    assert note is not None and note.meta.title == "T" and note.body_line == 7


# 2. An unquoted ": " in a value ---------------------------------------------------------------

COLONS = [
    # front matter lines, the key, the value read, where the warning is
    ("title: Attention: a survey\n", "title", "Attention: a survey", "2:8"),
    ("title: X: Y\n", "title", "X: Y", "2:8"),
    ("title:   A: B: C\n", "title", "A: B: C", "2:10"),
    ("venue: Proc. X: Y # a comment\n", "venue", "Proc. X: Y", "2:8"),
    (
        "abstract: Why: because \"quotes\" and 'more'\n",
        "abstract",
        "Why: because \"quotes\" and 'more'",
        "2:11",
    ),
]


@pytest.mark.parametrize(("line", "key", "value", "where"), COLONS)
def test_an_unquoted_colon_value_is_read_as_text_with_a_warning(
    line: str, key: str, value: str, where: str
) -> None:
    front = line + "".join(f for f in BASE.splitlines(keepends=True) if not f.startswith(key))
    note, diags = parse_note("papers/x.md", f"---\n{front}---\n", MD)
    assert note is not None
    assert getattr(note.meta, key) == value
    [warning] = diags
    assert warning.severity is Severity.WARNING
    assert warning.format().startswith(
        f'papers/x.md:{where}: warning: {key}: the value holds ": ", which YAML reads as another'
    )
    assert warning.hint is not None and "quote it" in warning.hint
    assert json.dumps(value, ensure_ascii=False) in warning.hint


def test_every_colon_line_is_read_and_warned_about() -> None:
    text = "---\ntitle: A: B\nauthors: [Ada Lovelace]\nyear: 2020\nvenue: C: D\n---\n"
    note, diags = parse_note("papers/x.md", text, MD)
    assert note is not None and (note.meta.title, note.meta.venue) == ("A: B", "C: D")
    assert [str(d.where) for d in diags] == ["papers/x.md:2:8", "papers/x.md:5:8"]


@pytest.mark.parametrize(
    ("front", "where"),
    [
        ("title: [x\n", "papers/x.md:3:1"),  # an unclosed list
        ('title: "A: B\nyear: 2020\n', "papers/x.md:3:11"),  # an unclosed quote
        ("title: A: B\nauthors: [x\n", "papers/x.md:4:1"),  # repaired, but broken elsewhere
        ("title: A\n  b: c\n", "papers/x.md:3:4"),  # an indented key under a value
    ],
)
def test_other_yaml_errors_stay_errors_at_their_line(front: str, where: str) -> None:
    note, diags = parse_note("papers/x.md", f"---\n{front}---\n", MD)
    assert note is None
    errors = [d for d in diags if d.severity is Severity.ERROR]
    assert [str(d.where) for d in errors] == [where]
    assert errors[0].message.startswith("front matter is not valid YAML")


@pytest.mark.parametrize(
    "line",
    ["- a: b", "title: 'A: B'", 'title: "A: B"', "title: http://x.org", "title: [a: b]", "a b"],
)
def test_only_a_plain_value_with_a_colon_is_quoted(line: str) -> None:
    assert lenient.quote_value(line) is None


# 3. A file name that is no citekey ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "front", "key", "title"),
    [
        ("papers/Deep Learning Notes.md", BASE, "DeepLearningNotes", "T"),
        ("papers/sub/a b.md", "authors: [Ada Lovelace]\nyear: 2020\n", "ab", "a b"),
        ("papers/PM submit - Oct 11th, 2022.md", BASE, "PMsubmit-Oct11th2022", "T"),
    ],
)
def test_a_file_name_with_spaces_gives_an_id_with_a_warning(
    path: str, front: str, key: str, title: str
) -> None:
    note, diags = parse_note(path, f"---\n{front}---\n", MD)
    assert note is not None and note.key == key and note.meta.title == title
    stem = path.rsplit("/", 1)[1].removesuffix(".md")
    [warning] = [d for d in diags if "file name" in d.message]
    assert warning.format().startswith(
        f'{path}:1: warning: the file name "{stem}" is not a valid id ('
    )
    assert f'the id is "{key}"' in warning.message
    assert warning.hint == f"write 'id:' to choose another; [[{stem}]] still links here"


def test_an_invalid_id_written_out_stays_an_error() -> None:
    note, diags = parse_note("papers/Deep Notes.md", f'---\n{BASE}id: "a b"\n---\n', MD)
    assert note is None
    assert _lines(diags)[0].startswith('papers/Deep Notes.md:5:1: error: id: "a b": expected')


def test_a_file_name_still_links_and_derived_ids_that_clash_take_their_path() -> None:
    library, diags = _library(
        ("papers/Deep Notes.md", "Loose.\n"),
        ("papers/citer.md", f"---\n{BASE}---\nSee [[Deep Notes]] and [[deep notes]].\n"),
    )
    assert diags == ()
    assert library.resolve("Deep Notes") == library.resolve("deep notes") == "DeepNotes"

    def parsed(*files: tuple[str, str]) -> list[Note]:
        notes = []
        for path, front in files:
            note, _ = parse_note(path, f"---\n{BASE}{front}---\n", MD)
            assert note is not None
            notes.append(note)
        return notes

    # Two Overview.md in two folders (Obsidian allows it): each takes its path as id.
    notes = parsed(("papers/a/Deep Notes.md", ""), ("papers/b/DeepNotes.md", ""))
    library, diags = link(notes, frozenset(), "papers")
    assert sorted(library.notes) == ["a/DeepNotes", "b/DeepNotes"]
    assert _lines(diags) == [
        'papers/a/Deep Notes.md:1: warning: id "a/DeepNotes" from the path: "DeepNotes" is '
        "also the id of 1 other note (write 'id:' to choose one; [[a/DeepNotes]] links here)",
        'papers/b/DeepNotes.md:1: warning: id "b/DeepNotes" from the path: "DeepNotes" is '
        "also the id of 1 other note (write 'id:' to choose one; [[b/DeepNotes]] links here)",
    ]
    # An id written out keeps it; only the file name's id moves.
    notes = parsed(("papers/a/x.md", "id: DeepNotes\n"), ("papers/b/DeepNotes.md", ""))
    library, diags = link(notes, frozenset(), "papers")
    assert sorted(library.notes) == ["DeepNotes", "b/DeepNotes"]
    # Paths that clash still (a/Deep Notes.md, a/DeepNotes.md) are duplicate ids.
    notes = parsed(("papers/a/Deep Notes.md", ""), ("papers/a/DeepNotes.md", ""))
    _, diags = link(notes, frozenset(), "papers")
    assert [d.message for d in diags if d.severity is Severity.ERROR] == [
        'duplicate id "a/DeepNotes": also the id of papers/a/DeepNotes.md:1',
        'duplicate id "a/DeepNotes": also the id of papers/a/Deep Notes.md:1',
    ]


# 4. Other tools' keys -------------------------------------------------------------------------

FOREIGN_VALUES = {
    "cssclasses": "[wide, cards]",
    "cssclass": "wide",
    "enableToc": "false",
    "lang": "en",
    "permalink": "/x",
    "created": "1700000000000",
    "updated": "1700000000001",
    "weight": "3",
    "slug": "x",
    "lastmod": "2024-01-01",
    "nav_order": "2",
    "layout": "post",
    "draft": "false",
    "publish": "true",
    "categories": "[ML]",
    # Hugo Blox's publication pages (tests/test_vault_values.py).
    "url_slides": "https://x.org/s",
    "url_video": "https://x.org/v",
    "url_dataset": "https://x.org/d",
    "url_project": "https://x.org/p",
    "url_poster": "https://x.org/p.pdf",
    "url_source": "https://x.org/src",
    "publication_types": '["1"]',
    "publication_short": "ICML",
    "publishDate": "2024-01-01",
    "date_end": "2024-01-02",
    "show_date": "true",
    "author_notes": "[Equal contribution]",
    "featured": "false",
    "projects": "[]",
    "slides": "example",
    "image": "{caption: x}",
    "links": "[{name: Web, url: 'https://x.org'}]",
    "hugoblox": "{ids: {doi: 10.1/x}}",
}


def test_every_foreign_key_has_a_value_here() -> None:
    assert {k.casefold() for k in FOREIGN_VALUES} == set(lenient.FOREIGN_KEYS)


@pytest.mark.parametrize(("key", "value"), sorted(FOREIGN_VALUES.items()))
def test_known_foreign_keys_are_read_quietly(key: str, value: str) -> None:
    note, diags = parse_note("papers/x.md", f"---\n{BASE}{key}: {value}\n---\n", MD)
    assert note is not None and diags == ()


@pytest.mark.parametrize(("key", "unknown"), [("theme", True), ("CSSClasses", False)])
def test_unknown_keys_are_still_warned_about(key: str, unknown: bool) -> None:
    _, diags = parse_note("papers/x.md", f"---\n{BASE}{key}: x\n---\n", MD)
    assert any("unknown key" in d.message for d in diags) is unknown


@pytest.mark.parametrize(
    ("front", "tags"),
    [
        ("tags: [nlp]\ncategories: [NLP, architectures]\n", ("nlp", "architectures")),
        ("categories: 'a, b'\n", ("a", "b")),
        ("categories: [2021, '#x']\n", ("2021", "x")),
        ("categories:\n", ()),
    ],
)
def test_categories_join_the_tags(front: str, tags: tuple[str, ...]) -> None:
    note, _ = parse_note("papers/x.md", f"---\n{BASE}{front}---\n", MD)
    assert note is not None and note.meta.tags == tags


@pytest.mark.parametrize(
    ("front", "line"),
    [
        ("draft: true\n", "draft: true"),
        ("Draft: yes\n", "Draft: true"),
        ("draft: 'true'\n", "draft: true"),
        ("publish: false\n", "publish: false"),
        ("publish: no\nrating: 99\n", "publish: false"),  # its errors do not matter any more
    ],
)
def test_a_draft_or_unpublished_note_is_left_out_with_a_note(front: str, line: str) -> None:
    note, diags = parse_note("papers/x.md", f"---\n{BASE}{front}---\n", MD)
    assert note is None
    assert _lines(diags) == [
        f"papers/x.md:5:1: note: not published ({line}): left out of the site; links to it "
        "are unresolved (remove it to publish the note)"
    ]


def test_a_draft_and_links_to_it_pass_strict(tmp_path: Path, cli) -> None:
    """Leaving a draft out is the user's choice: said as a note, which --strict does not fail."""
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "wip.md").write_text(f"---\n{BASE}draft: true\n---\n", encoding="utf-8")
    (papers / "done.md").write_text(
        "---\ntitle: Done\nauthors: [A. B]\nyear: 2020\n---\nSee [[wip]] and [[gone]].\n",
        encoding="utf-8",
    )
    run = cli("build", "--root", str(tmp_path), "--strict")
    assert run.code == 1  # [[gone]] is no note at all: still a warning, an error under --strict
    assert 'papers/done.md:6:17: error: unknown citation key "gone"' in run.err
    assert 'papers/done.md:6:5: note: "wip" is papers/wip.md, which is not published' in run.err
    assert "papers/wip.md:5:1: note: not published (draft: true)" in run.err
    (papers / "done.md").write_text(
        "---\ntitle: Done\nauthors: [A. B]\nyear: 2020\n---\nSee [[wip]].\n", encoding="utf-8"
    )
    run = cli("build", "--root", str(tmp_path), "--strict")
    assert run.code == 0, run.err
    check = cli("check", "--root", str(tmp_path), "--strict")
    assert check.code == 0 and "1 notes: 0 errors, 0 warnings" in check.out, check.out
    page = (tmp_path / "site" / "papers" / "done.html").read_text(encoding="utf-8")
    assert "unresolved" in page and "wip.md" not in page


@pytest.mark.parametrize("front", ["draft: false\n", "publish: true\n", "draft: maybe\n"])
def test_a_note_to_publish_is_published(front: str) -> None:
    note, _ = parse_note("papers/x.md", f"---\n{BASE}{front}---\n", MD)
    assert note is not None


@pytest.mark.parametrize(
    ("front", "aliases"),
    [
        (
            "aliases: [Transformers, 'The  Transformer', Transformers]\n",
            ("Transformers", "The Transformer"),
        ),
        ("aliases: Attention, revisited\n", ("Attention, revisited",)),
        ("alias: One\n", ("One",)),
        ("aliases:\n", ()),
    ],
)
def test_aliases_are_read(front: str, aliases: tuple[str, ...]) -> None:
    note, diags = parse_note("papers/x.md", f"---\n{BASE}{front}---\n", MD)
    assert note is not None and note.meta.aliases == aliases
    assert all("unknown key" not in d.message for d in diags)


def test_aliases_that_are_not_names_are_an_error() -> None:
    note, diags = parse_note("papers/x.md", f"---\n{BASE}aliases: [[a]]\n---\n", MD)
    assert note is None and _lines(diags)[0].startswith("papers/x.md:5:11: error: aliases:")


def test_wikilinks_resolve_by_alias() -> None:
    library, diags = _library(
        ("papers/tf.md", f"---\n{BASE}aliases: [Transformers, The Transformer]\n---\n"),
        ("papers/citer.md", f"---\n{BASE}---\n[[Transformers]] [[the  transformer]]\n"),
    )
    assert diags == ()
    assert library.resolve("Transformers") == library.resolve("the transformer") == "tf"
    assert library.mentions["citer"] == ("tf",)


def test_the_readme_names_every_foreign_key() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Coming from Obsidian") : text.index("## Commands")]
    for key in lenient.FOREIGN_KEYS:
        assert re.search(rf"`{key}[`:]", section, re.IGNORECASE), key


# 5. A name two notes share is ambiguous -------------------------------------------------------


def _note(path: str, front: str = "") -> tuple[str, str]:
    return path, f"---\n{BASE.replace('title: T', front or 'title: T')}---\n"


AMBIGUOUS = [
    # the notes, the link, the notes it names
    (
        [
            _note("papers/a.md", "title: Attention Is All You Need"),
            _note("papers/b.md", "title: Attention is all you need"),
        ],
        "Attention Is All You Need",
        ("a", "b"),
    ),
    (
        [_note("papers/a.md", "title: Same"), _note("papers/b.md", "title: Same")],
        "same",
        ("a", "b"),
    ),
    (
        [
            _note("papers/x/Overview.md", "id: ova\ntitle: O1"),
            _note("papers/y/Overview.md", "id: ovb\ntitle: O2"),
        ],
        "Overview",
        ("ova", "ovb"),
    ),
    (
        [_note("papers/a.md", "title: Name"), _note("papers/b.md", "title: B\naliases: [name]")],
        "Name",
        ("a", "b"),
    ),
]


@pytest.mark.parametrize(("files", "target", "named"), AMBIGUOUS)
def test_a_name_two_notes_share_is_ambiguous_never_guessed(
    files: list[tuple[str, str]], target: str, named: tuple[str, ...]
) -> None:
    citer = ("papers/citer.md", f"---\n{BASE}---\n\nSee [[{target}]].\n")
    library, diags = _library(*files, citer)
    assert library.resolve(target) is None
    assert library.mentions["citer"] == ()
    [warning] = diags
    assert warning.severity is Severity.WARNING
    sources = " and ".join(f'{p} ("{k}")' for (p, _), k in zip(files, named, strict=True))
    assert warning.format() == (
        f'papers/citer.md:7:5: warning: ambiguous link "{target}": names {sources}; left '
        "unresolved (cite one by its id, or give the notes titles, aliases or file names of "
        "their own)"
    )


@pytest.mark.parametrize(
    ("files", "target", "key"),
    [
        # A key matches exactly and wins over another note's title.
        ([_note("papers/shared.md"), _note("papers/b.md", "title: shared")], "shared", "shared"),
        # A key in another case still wins (keys are unique ignoring case).
        ([_note("papers/Shared.md"), _note("papers/b.md", "title: shared")], "shared", "Shared"),
        # A file name wins over another note's title, as before.
        ([_note("papers/x/Name.md", "id: k1"), _note("papers/b.md", "title: Name")], "name", "k1"),
        # One note's title and file name are the same note: not ambiguous.
        ([_note("papers/Name.md", "id: k2\ntitle: Name")], "name", "k2"),
    ],
)
def test_a_stronger_name_wins_without_a_warning(
    files: list[tuple[str, str]], target: str, key: str
) -> None:
    citer = ("papers/citer.md", f"---\n{BASE}---\n\nSee [[{target}]].\n")
    library, diags = _library(*files, citer)
    assert diags == () and library.resolve(target) == key


# The whole vault ------------------------------------------------------------------------------


def test_the_vault_builds_with_warnings_only(tmp_path: Path, cli) -> None:
    root = copy_fixture("lenient/vault", tmp_path)
    result = cli("build", "--root", str(root), "--no-cache")
    assert result.code == 0, result.err
    pages = sorted(p.name for p in (root / "site" / "papers").glob("*.html"))
    assert pages == [
        "DeepLearningNotes.html",
        "attention-a.html",
        "attention-b.html",
        "citer.html",
        "colon.html",
        "late.html",
        "overviewA.html",
        "overviewB.html",
        "plain.html",
        "quartz.html",
    ]
    for wanted in (
        "papers/plain.md:1: warning: no front matter",
        'papers/Projects/Deep Learning Notes.md:1: warning: the file name "Deep Learning Notes"',
        "papers/colon.md:2:8: warning: title: the value holds",
        "papers/colon.md:5:8: warning: venue: the value holds",
        "papers/draft.md:3:1: note: not published (draft: true)",
        "papers/private.md:3:1: note: not published (publish: false)",
        "papers/late.md:3: warning: front matter starts on line 3",
        'papers/citer.md:7:12: warning: ambiguous link "Attention Is All You Need": names '
        'papers/attention-a.md ("attention-a") and papers/attention-b.md ("attention-b")',
        'papers/citer.md:8:17: warning: ambiguous link "Overview"',
    ):
        assert any(line.startswith(wanted) for line in result.err.splitlines()), wanted
    assert "unknown key" not in result.err and " error: " not in result.err
    citer = (root / "site" / "papers" / "citer.html").read_text(encoding="utf-8")
    assert citer.count('href="quartz.html"') >= 2  # [[Transformers]], [[the transformer]]
    unresolved = '<span class="cite wikilink unresolved" title="no note with this key">'
    assert f"Ambiguous: {unresolved}Attention Is All You Need</span>" in citer
    assert f"Also ambiguous: {unresolved}Overview</span>" in citer
    plain = (root / "site" / "papers" / "plain.html").read_text(encoding="utf-8")
    assert "<h1>A Plain Heading</h1>" in plain and plain.count("A Plain Heading</h") == 1
    assert 'href="DeepLearningNotes.html"' in plain


# bib ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("# Just a quick note\n", False),
        ("---\ntitle: Only a title\n---\n", False),
        ("---\ntitle: T\nauthors: [Ada Lovelace]\n---\n", True),
        ("---\ntitle: T\neditors: [Ada Lovelace]\n---\n", True),
        ("---\ntitle: T\nyear: 2020\n---\n", True),
        ("---\ntitle: T\nbibtex:\n  year: forthcoming\n---\n", True),
    ],
)
def test_bib_leaves_out_what_it_cannot_cite_naming_the_file(text: str, kept: bool) -> None:
    note, _ = parse_note("papers/q.md", text, MD)
    assert note is not None
    notes, diags = lenient.citable([note])
    assert (notes == (note,)) is kept
    assert _lines(diags) == (
        []
        if kept
        else [
            f'papers/q.md:1: warning: not exported: "{note.meta.heading}" has no authors, '
            "editors or year to cite it by (add them to its front matter to cite it)"
        ]
    )


def test_the_vault_exports_its_papers_and_names_the_quick_notes(tmp_path: Path, cli) -> None:
    root = copy_fixture("lenient/vault", tmp_path)
    result = cli("bib", "--root", str(root))
    assert result.code == 0, result.err
    keys = re.findall(r"^@\w+\{([^,]+),", result.out, re.MULTILINE)
    assert keys == ["attention-a", "attention-b", "citer", "colon", "late", "quartz"]
    assert "papers/plain.md:1: warning: not exported" in result.err
    assert "papers/Projects/Deep Learning Notes.md:1: warning: not exported" in result.err
    assert "papers/a/Overview.md:1: warning: not exported" in result.err
