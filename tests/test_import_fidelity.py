"""Import keeps every entry as it came and invents nothing (issue 11).

Each entry below lacks something a note used to require (a title, an author, a four-digit year)
or carries TeX in a field the note keeps as plain text. Each is imported with its named warning,
its note builds into a page that shows what it has ("n.d.", "(eds.)", the id for a title), and
``papernotes bib`` gives back exactly the source's fields with the same meaning: compared field
by field with pybtex's reading of the source, TeX decoded on both sides, and no field added.
"""

from __future__ import annotations

import contextlib
import html
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from pybtex.database import Entry, parse_string
from pybtex.database.input.bibtex import Parser

from papernotes import urls
from papernotes.bib.names import person_parts
from papernotes.bib.unlatex import latex_to_text, verbatim_text
from papernotes.cli.main import main
from papernotes.markdown.factory import make_parser
from papernotes.notes.import_fields import draft_from_entry
from papernotes.parse import parse_note


@dataclass(frozen=True)
class Case:
    """One entry, what import must say about it and what its page must show."""

    key: str
    bib: str
    warning: str | None
    """A fragment of the import warning about the entry; None: imported without a remark."""
    page: tuple[str, ...]
    """Fragments of the paper page's HTML (unescaped)."""


CASES = (
    Case(
        "notitle",
        "@misc{notitle,\n  author = {Doe, Jane},\n  year = {2019},\n"
        "  howpublished = {Personal communication}\n}",
        "no title: imported without one (the page shows the id, the export has none)",
        ("<h1>notitle</h1>", "Jane Doe"),
    ),
    Case(
        "noauthor",
        "@misc{noauthor,\n  title = {A Pamphlet Nobody Signed},\n  year = {1850}\n}",
        "no author or editor: imported with neither, and exported so",
        ("<h1>A Pamphlet Nobody Signed</h1>", '<div class="authors"></div>'),
    ),
    Case(
        "edonly",
        "@book{edonly,\n  title = {Handbook of Things},\n"
        "  editor = {Roe, Richard and van der Poe, Edgar},\n  year = {2001},\n"
        "  publisher = {{Barnes and Noble}}\n}",
        "no author: imported with its editors only (exported as editor, no author)",
        # Roe has two papers here, so a page; van der Poe only this one: his name is not a link.
        ("Richard Roe</a>, Edgar van der Poe (eds.)",),
    ),
    Case(
        "orgonly",
        "@manual{orgonly,\n  title = {Style Guide},\n"
        "  organization = {{IEEE} Computer Society},\n  year = {2010}\n}",
        "its organization 'IEEE Computer Society' is kept in bibtex:",
        ("<h1>Style Guide</h1>", '<div class="authors"></div>'),
    ),
    Case(
        "plato",
        "@book{plato,\n  title = {The Republic},\n  author = {Plato},\n  year = {400 BC}\n}",
        "year '400 BC' is not a four-digit year: imported with no year",
        ('<p class="venue">400 BC</p>',),
    ),
    Case(
        "soon",
        "@article{soon,\n  title = {To Appear},\n  author = {Roe, Richard},\n"
        "  year = {forthcoming},\n  journal = {Journal of Futures}\n}",
        "year 'forthcoming' is not a four-digit year: imported with no year",
        ('<p class="venue">Journal of Futures · forthcoming</p>',),
    ),
    Case(
        "noyear",
        "@misc{noyear,\n  title = {Undated Memo},\n  author = {Doe, John}\n}",
        "no year: imported without one (shown as n.d., exported with no year)",
        ('<p class="venue">n.d.</p>',),
    ),
    Case(
        "texfields",
        "@misc{texfields,\n  title = {Tools for {\\'U}lfar},\n  author = {M{\\\"u}ller, Anna},\n"
        "  year = {2020},\n"
        "  note = {See \\url{https://x.org/a_b~c} \\& \\emph{more}, 50% off},\n"
        "  abstract = {We improve by 50\\% on Mart\\'{\\i}n's test \\textit{in vivo}.},\n"
        "  howpublished = {Available from \\url{https://github.com/x/repo_2}}\n}",
        None,
        ("<h1>Tools for Úlfar</h1>", "Anna Müller", "We improve by 50% on Martín's test in vivo."),
    ),
)

IDS = [c.key for c in CASES]


@dataclass(frozen=True)
class Run:
    """What import, build and bib did with the cases' .bib file."""

    bib: Path
    import_err: str
    notes: dict[str, str]
    """Note file text by key."""
    pages: dict[str, str]
    """Paper page HTML by key (unescaped)."""
    exported: dict[str, Entry]
    source: dict[str, Entry]


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("fidelity") / "lib"
    (root / "papers").mkdir(parents=True)
    text = "\n\n".join(c.bib for c in CASES) + "\n"
    bib = root.parent / "cases.bib"
    bib.write_text(text, encoding="utf-8")
    code, _, import_err = _cli("import", "--root", str(root), str(bib))
    assert code == 0, import_err
    code, _, err = _cli("build", "--root", str(root))
    assert code == 0, err
    code, exported, err = _cli("bib", "--root", str(root))
    assert code == 0 and err == "", err
    site = root / "site"
    return Run(
        bib,
        import_err,
        {c.key: (root / "papers" / f"{c.key}.md").read_text(encoding="utf-8") for c in CASES},
        {
            c.key: html.unescape((site / urls.paper_page(c.key)).read_text(encoding="utf-8"))
            for c in CASES
        },
        dict(parse_string(exported, "bibtex").entries),
        dict(parse_string(text, "bibtex").entries),
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_each_entry_is_imported_with_its_named_warning(run: Run, case: Case) -> None:
    line = run.bib.read_text(encoding="utf-8").split("\n").index(case.bib.split("\n")[0]) + 1
    mine = [w for w in run.import_err.splitlines() if f": {case.key}: " in w]
    if case.warning is None:
        assert mine == []
    else:
        assert any(
            w.startswith(f"{run.bib}:{line}: warning: {case.key}: ") and case.warning in w
            for w in mine
        ), run.import_err


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_note_builds_into_a_page_showing_what_the_entry_has(run: Run, case: Case) -> None:
    for fragment in case.page:
        assert fragment in run.pages[case.key]


def _decoded(name: str, value: str) -> str:
    if name in ("url", "doi", "eprint"):
        return verbatim_text(value)
    # A bare % in a field is a percent sign (what the author meant), not a TeX comment.
    return " ".join(latex_to_text(value.replace("\\%", "%").replace("%", "\\%")).split())


def _people(entry: Entry, role: str) -> list[tuple[str, str, str, str]]:
    return [person_parts(p) for p in entry.persons.get(role, [])]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_export_gives_back_the_source_fields_and_nothing_more(run: Run, case: Case) -> None:
    source, ours = run.source[case.key], run.exported[case.key]
    assert ours.type == source.type
    assert sorted(f.lower() for f in ours.fields) == sorted(f.lower() for f in source.fields)
    for name, value in source.fields.items():
        assert _decoded(name.lower(), ours.fields[name]) == _decoded(name.lower(), value), name
    assert sorted(ours.persons) == sorted(source.persons)
    for role in ("author", "editor"):
        assert _people(ours, role) == _people(source, role), role


@pytest.mark.parametrize(
    ("key", "front"),
    [
        ("notitle", "title:\n"),
        ("noauthor", "authors:\n"),
        ("edonly", "authors:\nyear: 2001\neditors:\n- Roe, Richard\n- van der Poe, Edgar\n"),
        ("noyear", "year:\n"),
        ("plato", "year:\n"),
        ("plato", "  year: 400 BC\n"),
        ("texfields", "title: Tools for Úlfar\n"),
        ("texfields", "  note: See https://x.org/a_b~c & more, 50% off\n"),
        ("texfields", "venue: Available from https://github.com/x/repo_2\n"),  # howpublished
    ],
)
def test_front_matter_is_plain_unicode_and_says_what_is_absent(
    run: Run, key: str, front: str
) -> None:
    text = run.notes[key].replace("\n  - ", "\n- ")
    assert front in text
    assert "(untitled)" not in text and "9999" not in text and "Anonymous" not in text


def test_tex_in_note_abstract_and_howpublished_is_decoded_not_kept_raw(run: Run) -> None:
    assert "tex." not in run.notes["texfields"]
    assert "We improve by 50% on Martín's test in vivo." in run.notes["texfields"]


def test_what_a_braced_group_means_stays_raw_tex(run: Run) -> None:
    # {Barnes and Noble} is one publisher to biblatex; {IEEE} keeps its capitals.
    assert '  tex.publisher: "{Barnes and Noble}"\n' in run.notes["edonly"]
    assert '  tex.organization: "{IEEE} Computer Society"\n' in run.notes["orgonly"]


def test_undated_notes_come_last_on_the_timeline(run: Run) -> None:
    timeline = html.unescape(
        (run.bib.parent / "lib" / "site" / "years" / "index.html").read_text(encoding="utf-8")
    )
    # The timeline lists years (and how many are undated); the home table lists the notes.
    nd = timeline.index('<li>n.d. <span class="count">(3 papers')
    assert timeline.index(">2020</a>") < nd
    home = html.unescape((run.bib.parent / "lib" / "site" / "index.html").read_text("utf-8"))
    assert home.index(">Tools for Úlfar<") < home.index(">Undated Memo<")


@pytest.mark.parametrize(
    ("front", "warned"),
    [
        ("authors: [A B]\nyear: 2020\n", ["title"]),
        ("title: T\nyear: 2020\n", ["authors"]),
        ("title: T\nauthors: [A B]\n", ["year"]),
        ("{}\n", ["title", "authors", "year"]),
        ("title:\nauthors:\nyear:\n", []),  # written with no value: the paper has none
        ("title: T\neditors: [A B]\nyear: 2020\n", []),
        ("title: T\nauthors: [A B]\nbibtex:\n  year: 400 BC\n", []),
    ],
)
def test_a_hand_written_note_missing_title_authors_or_year_is_warned(
    front: str, warned: list[str]
) -> None:
    note, diags = parse_note("papers/x.md", f"---\n{front}---\n", make_parser())
    assert note is not None
    assert [d.format() for d in diags] == [
        f"papers/x.md:1: warning: {name}: missing from the front matter (probably an omission)"
        f" (write '{name}:' with no value if the paper has none)"
        for name in warned
    ]


@pytest.mark.parametrize(
    ("field", "key", "value"),
    [
        ("note = {50% better}", "note", "50% better"),  # a bare % is a percent sign
        ("note = {A \\& B --- C}", "note", "A & B — C"),
        ("pages = {3--12}", "pages", "3--12"),  # plain already: kept as written, not "3–12"
        ("note = {See $\\alpha$-nets}", "tex.note", "See $\\alpha$-nets"),  # math
        ("note = {Cf. \\cite{x}, 50%}", "tex.note", "Cf. \\cite{x}, 50\\%"),  # unknown macro
        ("publisher = {{Barnes and Noble}}", "tex.publisher", "{Barnes and Noble}"),
        ("publisher = {Barnes and Noble}", "publisher", "Barnes and Noble"),
        ("series = {{LNCS}}", "tex.series", "{LNCS}"),  # braces keep its capitals
        ("file = {:a\\_b.pdf:PDF}", "tex.file", ":a\\_b.pdf:PDF"),  # verbatim to biber
    ],
)
def test_a_field_is_decoded_unless_that_loses_its_meaning(field: str, key: str, value: str) -> None:
    bib = (
        f"@misc{{k,\n  title = {{T}},\n  author = {{Doe, Jane}},\n  year = {{2020}},\n  {field}\n}}"
    )
    entry = Parser(person_fields=[]).parse_string(bib).entries["k"]  # as import reads it
    draft, notes = draft_from_entry(entry, "k", taken=set(), md=make_parser())
    assert dict(draft.bibtex) == {key: value}
    assert notes == []
