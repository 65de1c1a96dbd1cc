"""A list ending in ``others`` ("A and others", BibTeX's "et al."): read, exported in every
format, shown, labelled, indexed, imported, and typeset by real BibTeX with ``alpha``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pybtex.database import Entry
from pybtex.database.input.bibtex import Parser
from test_bib_typeset import pdf_text, pdflatex_cjk, require_tools, squash, typeset

from papernotes.bib.csl import to_csl
from papernotes.bib.export import format_entry
from papernotes.bib.ris import format_record
from papernotes.link import author_year_label
from papernotes.markdown.factory import make_parser
from papernotes.model import OTHERS, Author, Metadata, Note, named
from papernotes.notes.import_fields import draft_from_entry
from papernotes.parse import parse_note
from papernotes.search.index import SearchDoc

from conftest import note_text, write_note

MD = make_parser()


def _note(authors: str, *, editors: str = "", key: str = "zhang2020") -> tuple[Note | None, str]:
    extra = f"editors: {editors}\n" if editors else ""
    text = f"---\nid: {key}\ntitle: A Paper\nauthors: {authors}\nyear: 2020\n{extra}---\nBody.\n"
    note, diags = parse_note("papers/x.md", text, MD)
    return note, "\n".join(d.format() for d in diags)


def _meta(authors: str, *, editors: str = "", key: str = "zhang2020") -> Metadata:
    note, diags = _note(authors, editors=editors, key=key)
    assert note is not None and diags == "", diags
    return note.meta


CJK_LIST = "[张昆, 冯立群, 余昌钰, others]"


@pytest.mark.parametrize(
    ("authors", "names"),
    [
        ("[Jane Doe, others]", ("Jane Doe",)),
        ("[Jane Doe, Others]", ("Jane Doe",)),
        ("[Jane Doe, OTHERS]", ("Jane Doe",)),
        ("[Jane Doe, et al.]", ("Jane Doe",)),
        ("[Jane Doe, Et Al]", ("Jane Doe",)),
        ('"Doe, Jane and Roe, Rick and others"', ("Jane Doe", "Rick Roe")),
        (CJK_LIST, ("张昆", "冯立群", "余昌钰")),
    ],
)
def test_a_last_others_means_and_others(authors: str, names: tuple[str, ...]) -> None:
    meta = _meta(authors)
    assert meta.authors[-1] is OTHERS or meta.authors[-1] == OTHERS
    assert tuple(a.display for a in named(meta.authors)) == names
    assert len(meta.authors) == len(names) + 1


@pytest.mark.parametrize(
    ("authors", "error"),
    [
        ("[others]", 'authors: "others" means "and others" and cannot come first'),
        ('"others"', 'authors: "others" means "and others" and cannot come first'),
        ("[et al., Jane Doe]", 'authors: "et al." means "and others" and cannot come first'),
        ("[Jane Doe, others, Rick Roe]", "cannot come before the last"),
    ],
)
def test_others_anywhere_but_last_after_a_name_is_an_error(authors: str, error: str) -> None:
    note, diags = _note(authors)
    assert error in diags and note is None, diags


def test_a_braced_others_is_a_name() -> None:
    meta = _meta('[Jane Doe, "{others}"]')
    assert meta.authors[-1] == Author(family="others") and not meta.authors[-1].others
    assert "  author = {Doe, Jane and {others}},\n" in format_entry(meta, "bibtex")


# (authors, editors, flavour, the person lines of the export): bare "others", the names before
# it encoded as in any export ({\relax ...} for a CJK name in the ASCII-safe bibtex flavour).
EXPORTS = [
    ("[Jane Doe, others]", "", "bibtex", "  author = {Doe, Jane and others},\n"),
    ("[Jane Doe, others]", "", "biblatex", "  author = {Doe, Jane and others},\n"),
    ("[Łukasz Kaiser, et al.]", "", "bibtex", "  author = {Kaiser, {\\L}ukasz and others},\n"),
    ("[Łukasz Kaiser, et al.]", "", "biblatex", "  author = {Kaiser, Łukasz and others},\n"),
    (
        CJK_LIST,
        "",
        "bibtex",
        "  author = {{\\relax 张昆} and {\\relax 冯立群} and {\\relax 余昌钰} and others},\n",
    ),
    (CJK_LIST, "", "biblatex", "  author = {{张昆} and {冯立群} and {余昌钰} and others},\n"),
    (
        "[Jane Doe]",
        '"Müller, Anna and others"',
        "bibtex",
        '  author = {Doe, Jane},\n  editor = {M{\\"u}ller, Anna and others},\n',
    ),
    (
        "[Jane Doe]",
        '"Müller, Anna and others"',
        "biblatex",
        "  author = {Doe, Jane},\n  editor = {Müller, Anna and others},\n",
    ),
]


@pytest.mark.parametrize(("authors", "editors", "flavour", "written"), EXPORTS)
def test_bibtex_and_biblatex_write_a_bare_and_others(
    authors: str, editors: str, flavour: str, written: str
) -> None:
    bib = format_entry(_meta(authors, editors=editors), flavour)  # type: ignore[arg-type]
    assert written in bib, bib
    assert "{others}" not in bib and "tex." not in bib


@pytest.mark.parametrize(
    ("authors", "editors", "csl_authors", "csl_editors", "ris"),
    [
        ("[Jane Doe, others]", "", [{"family": "Doe", "given": "Jane"}], None, ["AU  - Doe, Jane"]),
        (
            CJK_LIST,
            '"Roe, Rick and others"',
            [{"literal": "张昆"}, {"literal": "冯立群"}, {"literal": "余昌钰"}],
            [{"family": "Roe", "given": "Rick"}],
            ["AU  - 张昆", "AU  - 冯立群", "AU  - 余昌钰", "A2  - Roe, Rick"],
        ),
    ],
)
def test_csl_json_and_ris_omit_others(
    authors: str,
    editors: str,
    csl_authors: list[dict[str, str]],
    csl_editors: list[dict[str, str]] | None,
    ris: list[str],
) -> None:
    meta = _meta(authors, editors=editors)
    item = to_csl(meta)
    assert item["author"] == csl_authors
    assert item.get("editor") == csl_editors
    assert "others" not in json.dumps(item) and "et al" not in json.dumps(item)
    record = format_record(meta).split("\r\n")
    assert [line for line in record if line[:2] in ("AU", "A2", "A3")] == ris
    assert not any("others" in line or "et al" in line for line in record)


@pytest.mark.parametrize(
    ("people", "label"),
    [
        ((Author("Doe", "Jane"), OTHERS), "Doe et al., 2020"),
        ((Author("Doe", "Jane"), Author("Roe", "Rick"), OTHERS), "Doe et al., 2020"),
        ((Author("Doe"), Author("Roe"), Author("Poe"), OTHERS), "Doe et al., 2020"),
        ((Author("张昆"), OTHERS), "张昆 et al., 2020"),
        ((Author("Doe", "Jane"), Author("Roe", "Rick")), "Doe and Roe, 2020"),  # unchanged
    ],
)
def test_labels_say_et_al(people: tuple[Author, ...], label: str) -> None:
    assert author_year_label(people, 2020) == label


@pytest.mark.parametrize(
    ("authors", "indexed"),
    [
        ("[Jane Doe, others]", "Jane Doe et al."),
        (CJK_LIST, "张昆, 冯立群, 余昌钰 et al."),
        ("[Jane Doe, Rick Roe]", "Jane Doe, Rick Roe"),
    ],
)
def test_the_search_index_names_the_authors_then_et_al(authors: str, indexed: str) -> None:
    note, _ = _note(authors)
    assert note is not None
    assert SearchDoc.of_note(note, "").authors == indexed


def test_the_site_shows_et_al_and_makes_no_author_named_others(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    write_note(tmp_path, "a.md", note_text("CJK Paper", authors=CJK_LIST, extra="id: zhang2020\n"))
    write_note(tmp_path, "b.md", note_text("Doe Paper", authors="[Jane Doe, others]"))
    built = cli("build", "--root", str(tmp_path), "--strict")
    assert built.code == 0, built.err
    site = tmp_path / "site"
    page = (site / "papers" / "zhang2020.html").read_text(encoding="utf-8")
    authors = re.search(r'<div class="authors">(.*?)</div>', page, re.S)
    assert authors is not None
    shown = re.sub(r"<[^>]+>", "", authors.group(1))
    assert shown == "张昆, 冯立群, 余昌钰 et al."
    home = re.sub(r"<[^>]+>", "", (site / "index.html").read_text(encoding="utf-8"))
    assert "Jane Doe et al." in home and "张昆, 冯立群, 余昌钰 et al." in home
    people = (site / "authors" / "index.html").read_text(encoding="utf-8")
    assert "Jane Doe" in people and "others" not in people and "et al" not in people
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert ld is not None and "et al" not in ld.group(1) and "others" not in ld.group(1)
    bib = (site / "library.bib").read_text(encoding="utf-8")
    assert "  author = {Doe, Jane and others},\n" in bib


def _entry(author: str) -> Entry:
    text = f"@article{{k,\n  title = {{T}},\n  author = {{{author}}},\n  year = {{2020}}\n}}"
    return Parser(person_fields=[]).parse_string(text).entries["k"]


@pytest.mark.parametrize(
    ("author", "front", "exported"),
    [
        ("Devlin, Jacob and others", ("Devlin, Jacob", "others"), "Devlin, Jacob and others"),
        ("Jacob Devlin and others", ("Jacob Devlin", "others"), "Devlin, Jacob and others"),
        (
            "张昆 and 冯立群 and 余昌钰 and others",
            ("张昆", "冯立群", "余昌钰", "others"),
            "{\\relax 张昆} and {\\relax 冯立群} and {\\relax 余昌钰} and others",
        ),
        (
            "{张昆} and {冯立群} and others",
            ("{张昆}", "{冯立群}", "others"),
            "{\\relax 张昆} and {\\relax 冯立群} and others",
        ),
    ],
)
def test_import_keeps_and_others_in_the_front_matter_not_as_raw_tex(
    author: str, front: tuple[str, ...], exported: str
) -> None:
    draft, _ = draft_from_entry(_entry(author), "k", taken=set(), md=MD)
    assert draft.authors == front
    assert not any(k.lower() in ("author", "tex.author") for k, _ in draft.bibtex), draft.bibtex
    meta = _meta("[" + ", ".join(f'"{n}"' for n in front) + "]")
    assert f"  author = {{{exported}}},\n" in format_entry(meta, "bibtex")


@pytest.mark.parametrize("style", ["alpha", "plain"])
def test_pdflatex_and_bibtex_typeset_cjk_names_and_others(style: str, tmp_path: Path) -> None:
    require_tools()
    metas = [_meta(CJK_LIST), _meta("[Jane Doe, others]", key="doe2020")]
    bib = "\n".join(format_entry(m, "bibtex") for m in metas)
    assert "{\\relax 张昆} and {\\relax 冯立群} and {\\relax 余昌钰} and others" in bib
    preamble = (
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n"
        f"\\usepackage{{url}}\n{pdflatex_cjk(bib)}\n"
    )
    body = f"\\begin{{document}}\n\\nocite{{*}}\n\\bibliographystyle{{{style}}}\n"
    tex = f"{preamble}{body}\\bibliography{{lib}}\n\\end{{document}}\n"
    work = typeset(tmp_path, bib, tex, "pdflatex", "bibtex", r"error message|Warning--")
    text = pdf_text(work / "doc.pdf")
    assert text.count(squash("et al.")) == 2, text
    assert squash("Jane Doe et al.") in text, text
    bbl = (work / "doc.bbl").read_text(encoding="utf-8")
    if style == "alpha":  # "+" marks the unnamed others; a CJK name is one letter of the label
        assert "\\bibitem[D{\\etalchar{+}}20]{doe2020}" in bbl, bbl
        label = "{\\relax 张昆}{\\relax 冯立群}{\\relax\n  余昌钰}{\\etalchar{+}}20"
        assert f"\\bibitem[{label}]{{zhang2020}}" in bbl, bbl
