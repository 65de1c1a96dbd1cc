"""The text model of the ``bibtex:`` mapping: plain Unicode, encoded at export; ``tex.NAME``
passes raw TeX through; problems are reported at the sub-key's own line and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from papernotes.bib.export import check_raw_field, keep_as, looks_like_tex, to_entry
from papernotes.bib.latex import latex_field
from papernotes.markdown.factory import make_parser
from papernotes.model import Author, CiteKey, Metadata
from papernotes.parse import parse_note

from conftest import note_text, write_note

MD = make_parser()

LATEX_FIELD = [
    ("plain words", "plain words"),
    ("50% & $5 #1 a_b {x} ~y ^z \\", r"50\% \& \$5 \#1 a\_b {\textbraceleft}x{\textbraceright} "
     r"{\textasciitilde}y {\textasciicircum}z {\textbackslash}"),
    ("Code: https://github.com/tatsu-lab/stanford_alpaca.",
     r"Code: \url{https://github.com/tatsu-lab/stanford_alpaca}."),
    ("(see https://x.org/a_b~c&d), then", r"(see \url{https://x.org/a_b~c&d}), then"),
    ("https://x.org/w_(a)", r"\url{https://x.org/w_(a)}"),
    # \url cannot take these inside a field: escaped text, the same characters.
    ("at https://x.org/a%20b_c", r"at https://x.org/a\%20b\_c"),
    ("at https://x.org/p#sec", r"at https://x.org/p\#sec"),
    ("at https://例子.cn/论文_1", r"at https://例子.cn/论文\_1"),
    ("just https:// alone", "just https:// alone"),
    ("two\n  lines", "two lines"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "latex"), LATEX_FIELD)
def test_latex_field_escapes_and_wraps_urls(text: str, latex: str) -> None:
    assert latex_field(text) == latex


CHECKS = [
    ("note", "{unbalanced", None),  # plain text: the brace is escaped on export
    ("note", "50% off", None),
    ("tex.note", "50% off", "bare '%'"),
    ("tex.note", r"50\% off", None),
    ("tex.note", r"a\\% b", "bare '%'"),  # "\\" is a line break, then a bare %
    ("tex.note", "{unbalanced", "unbalanced braces"),
    ("TEX.note", "x}", "unbalanced braces"),
    ("tex.", "x", "not a BibTeX field name"),
    ("tex.my note", "x", "not a BibTeX field name"),
    ("author", "Doe, Jane and {Acme & Co}", None),
    ("author", r"M{\"u}ller, Hans", "backslash"),
    ("tex.author", r"M{\"u}ller, Hans", None),
]


@pytest.mark.parametrize(("name", "value", "problem"), CHECKS)
def test_check_raw_field_by_kind(name: str, value: str, problem: str | None) -> None:
    found = check_raw_field(name, value)
    assert (found is None) if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize(
    ("value", "tex"),
    [("See \\emph{x}", "\\emph"), ("50\\% off", "\\%"), ("``q''", "``"), ("50% & a_b", None)],
)
def test_looks_like_tex(value: str, tex: str | None) -> None:
    assert looks_like_tex(value) == tex


def meta(**kw: Any) -> Metadata:
    return Metadata(key=CiteKey("x"), title="T", authors=(Author("Doe", "Jane"),), year=2020, **kw)


def test_plain_fields_are_encoded_and_tex_fields_written_as_given() -> None:
    bibtex = {
        "note": "50% of https://x.org/a_b",
        "tex.addendum": r"See \emph{x}",
        "url": "https://x.org/a_b%20c#f",
        "doi": "10.1000/a_b",
        "title": "Tuning T5 & more",
        "editor": "Roe, Rick and {Acme & Co}",
        "tex.author": r"M{\"u}ller, Hans",
    }
    entry = to_entry(meta(bibtex=bibtex))
    assert entry.fields["note"] == r"50\% of \url{https://x.org/a_b}"
    assert entry.fields["addendum"] == r"See \emph{x}"
    assert entry.fields["url"] == "https://x.org/a_b%20c#f"
    assert entry.fields["doi"] == "10.1000/a_b"
    assert entry.fields["title"] == r"Tuning {T5} \& more"
    assert [str(p) for p in entry.persons["editor"]] == ["Roe, Rick", r"{Acme \& Co}"]
    assert [str(p) for p in entry.persons["author"]] == [r"M{\"u}ller, Hans"]


BASE = "title: T\nauthors: [A B]\nyear: 2020\nbibtex:\n  pages: 1--2\n"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("  tex.note: '{x'\n", "papers/x.md:7:3: error: bibtex: tex.note: "),
        ("  tex.note: '50% off'\n", "papers/x.md:7:3: error: bibtex: tex.note: "),
        ("  note: a\n  tex.NOTE: b\n", "papers/x.md:8:3: error: bibtex: tex.NOTE: note is given"),
        (
            "  note: See \\emph{x}\n",
            "papers/x.md:7:3: warning: bibtex: note: '\\\\emph' looks like TeX",
        ),
        ("  bad name: x\n", "papers/x.md:7:3: error: bibtex: 'bad name' is not a BibTeX"),
    ],
)
def test_bibtex_problems_name_the_sub_key_line_and_column(extra: str, message: str) -> None:
    note, diags = parse_note("papers/x.md", f"---\n{BASE}{extra}---\nBody.\n", MD)
    assert note is not None
    assert any(d.format().startswith(message) for d in diags), [d.format() for d in diags]


def test_plain_and_tex_fields_are_read() -> None:
    front = f"{BASE}  note: '{{50% & a_b}}'\n  tex.Addendum: '\\emph{{x}}'\n"
    note, diags = parse_note("papers/x.md", f"---\n{front}---\nBody.\n", MD)
    assert diags == () and note is not None
    assert dict(note.meta.bibtex) == {
        "pages": "1--2", "note": "{50% & a_b}", "tex.addendum": "\\emph{x}",
    }  # fmt: skip


def test_check_reports_a_field_that_would_not_compile(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    extra = "bibtex:\n  tex.note: 'See \\emph{x'\n  howpublished: 'a \\url{x}'\n"
    write_note(tmp_path, "a.md", note_text(extra=extra))
    result = cli("check", "--root", str(tmp_path))
    assert result.code != 0
    assert "papers/a.md:6:3: error: bibtex: tex.note: " in result.err + result.out
    assert "papers/a.md:7:3: warning: bibtex: howpublished: " in result.err + result.out
    write_note(tmp_path, "a.md", note_text(extra="bibtex:\n  note: '50% of a_b {x}'\n"))
    result = cli("check", "--root", str(tmp_path))
    assert result.code == 0, result.err + result.out


def test_build_warns_at_the_field(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    write_note(tmp_path, "a.md", note_text(extra="bibtex:\n  note: 'See \\emph{x}'\n"))
    result = cli("build", "--root", str(tmp_path))
    assert result.code == 0, result.err
    assert "papers/a.md:6:3: warning: bibtex: note: '\\\\emph' looks like TeX" in result.err
    assert " 1 warning" in result.out


@pytest.mark.parametrize(
    ("name", "value", "key"),
    [
        ("year", "2021a", "year"),
        ("publisher", "Curran Associates, Inc.", "publisher"),
        ("title", "{T}ransformers", "tex.title"),
        ("note", r"50\% more", "tex.note"),
        ("abstract", "improves by 50% & more", "abstract"),  # a bare % is text
        ("note", "see https://x.org/a", "tex.note"),  # plain, it would become \url{...}
        ("author", "Doe, Jane and others", "author"),
        ("author", "Doe, J. and Roe, R.", "author"),
        ("author", "Doe Jane", "tex.author"),  # plain, it would be written "Jane, Doe"
        ("author", r"M{\"u}ller, Hans", "tex.author"),
    ],
)
def test_import_keeps_original_bibtex_as_plain_only_when_equal(
    name: str, value: str, key: str
) -> None:
    assert keep_as(name, value) == key


@pytest.mark.parametrize(
    ("month", "written"),
    [
        ("7", "month = jul"),
        ("12", "month = dec"),
        ("1", "month = jan"),
        ("13", "month = {13}"),
        ("Summer", "month = {Summer}"),
    ],
)
def test_a_month_number_is_written_as_the_standard_macro(month: str, written: str) -> None:
    from papernotes.bib.export import format_entry

    assert f"  {written}" in format_entry(meta(bibtex={"month": month}))
