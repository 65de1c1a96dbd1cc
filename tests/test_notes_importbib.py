"""``papernotes import``: notes for a .bib file's new entries, problems by line."""

from __future__ import annotations

import pytest

from papernotes.model import CiteKey
from papernotes.notes.file import check_note
from papernotes.notes.importbib import import_bib, summary
from papernotes.notes.match import NoteIndex

BIB = """\
@string{acl = {Proceedings of ACL}}

@inproceedings{smith2020,
  title = {A Paper},
  author = {Smith, John},
  year = {2020},
  crossref = {acl2020},
}

@proceedings{acl2020,
  title = acl,
  year = {2020},
}

@article{Smith2020,
  title = {Same key, other case},
  author = {Roe, Richard},
  year = {2020},
}

@article{broken,
  title = {No year},
  author = {Doe, Jane},
}

@preamble{"\\newcommand{\\x}{x}"}
"""


def _report(text: str = BIB, index: NoteIndex | None = None):  # type: ignore[no-untyped-def]
    return import_bib("refs.bib", text, index=index or NoteIndex([]), papers_dir="papers")


def test_new_entries_become_notes_and_problems_are_reported_by_line() -> None:
    report = _report()
    assert report.entries == 4
    keys = [n.key for n in report.notes]
    assert keys[0] == "smith2020"
    assert "Smith2020" not in keys and "broken" in keys  # no year: kept, with a warning
    smith = report.notes[0]
    assert (smith.path, smith.line) == ("papers/smith2020.md", 3)
    assert check_note(smith.path, smith.text) == ()
    assert "Proceedings of ACL" in smith.text  # inherited through crossref, macro expanded
    assert "crossref" not in smith.text
    messages = {(d.where.line, d.severity.value): d.message for d in report.diagnostics}
    assert any("duplicate key 'Smith2020'" in m for (line, _), m in messages.items() if line == 15)
    assert "broken: no year: imported without one" in messages[21, "warning"]
    assert any("@preamble ignored" in m for m in messages.values())
    errors = sum(d.severity.value == "error" for d in report.diagnostics)
    assert summary(report) == f"{len(report.notes)} of 4 entries imported, {errors} errors"


def test_papers_already_in_the_library_are_skipped() -> None:
    index = NoteIndex([(CiteKey("smith2020"), "papers/s.md", None, None, "Something else")])
    report = _report(index=index)
    assert "smith2020" not in [n.key for n in report.notes]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@article{open,\n  title = {T},\n", "is not closed"),
        ("@article{,\n  title = {T}, year = {2020}\n}\n", "has no citekey"),
    ],
)
def test_malformed_entries_are_errors_and_import_nothing(text: str, message: str) -> None:
    report = _report(text)
    assert report.notes == ()
    [diag] = report.diagnostics
    assert diag.severity.value == "error" and message in diag.message and diag.where.line == 1


def test_windows_1252_punctuation_stored_as_c1_controls_is_repaired_and_said() -> None:
    text = (
        "@article{a,\n  title = {Semantic meaning\x97behavioral \x93theta\x94},\n"
        "  author = {Doe, Jane},\n  year = {2001},\n}\n"
    )
    report = _report(text)
    (note,) = report.notes
    assert "title: Semantic meaning—behavioral “theta”" in note.text
    (said,) = [d for d in report.diagnostics if "U+0080" in d.message]
    assert said.where.line == 2 and "on lines 2" in said.message


def test_a_failed_string_leaves_the_macros_as_they_were() -> None:
    # One parser reads the whole file; a @string that fails is reported at its line, and the
    # entries after it see the definitions before it (pybtex assigns before it finds the
    # missing brace on line 2).
    text = """@string{jn = "Good"}
@string{jn = "Bad" junk}
@string{new = "New" junk}
@string{other = "X" # nosuch}
@article{k, title = {T}, author = {Roe, Ann}, year = {2020}, journal = jn}
@article{m, title = {U}, author = {Roe, Ann}, year = {2021}, journal = new}
"""
    report = import_bib("x.bib", text, index=NoteIndex([]), papers_dir="papers")
    said = [(d.where.line, d.message) for d in report.diagnostics]
    assert said[:3] == [
        (2, "@string: '}' expected"),
        (3, "@string: '}' expected"),
        (4, "@string: undefined string in line 1: nosuch"),
    ]
    assert [n.key for n in report.notes] == ["k"]
    assert "venue: Good\n" in report.notes[0].text
    assert any(line == 6 and "new" in message for line, message in said)


def test_biber_comments_and_repeated_fields_import_as_biber_reads_them() -> None:
    # Real .bib files comment fields and whole entries out with "%", and repeat a field:
    # biber reads the first as comments and keeps the first of a repeated field.
    text = """%@misc{tool,
%  title = {An old version},
% }
@misc{tool,
  title = {The Tool},
  author = {Roe, Ann},
  % abstract = {Left out {for now}},
  %eprint = {https://x.org/a.pdf",
  year = {2023},
  note = {50% faster},
  note = {A second note},
}
"""
    report = import_bib("x.bib", text, index=NoteIndex([]), papers_dir="papers")
    assert [(d.severity.value, d.where.line, d.message) for d in report.diagnostics] == [
        ("warning", 4, "tool: 'note' is given twice: the first one is imported")
    ]
    (note,) = report.notes
    assert "The Tool" in note.text and "An old version" not in note.text
    assert "Left out" not in note.text and "x.org" not in note.text
    assert "note: 50% faster\n" in note.text and "second" not in note.text
