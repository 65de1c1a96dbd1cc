from __future__ import annotations

import pytest

from papernotes.link import author_year_label, link
from papernotes.markdown.factory import make_parser
from papernotes.model import Author, External
from papernotes.parse import parse_notes

MD = make_parser()


def lib(*notes: tuple[str, str]):
    parsed, diags = parse_notes(notes, MD)
    assert diags == ()
    return link(parsed, frozenset({"fig.png"}), "papers")


def note(
    key: str, *, authors: str = "[A Smith]", year: int = 2020, extra: str = "", body: str = ""
) -> tuple[str, str]:
    return (
        f"papers/{key}.md",
        f"---\ntitle: Paper {key}\nauthors: {authors}\nyear: {year}\n{extra}---\n{body}",
    )


def test_labels() -> None:
    assert (
        author_year_label([Author("Hu"), Author("Shen"), Author("Wallis")], 2021)
        == "Hu et al., 2021"
    )
    assert author_year_label([Author("Li"), Author("Liang")], 2021) == "Li and Liang, 2021"
    assert author_year_label([Author("Beethoven", "Ludwig", "van")], 1800) == "van Beethoven, 1800"
    assert author_year_label([Author("杨植麟")], 2022) == "杨植麟, 2022"


def test_graph_resolves_keys_arxiv_ids_and_case() -> None:
    library, diags = lib(
        note("gpt1", extra="arxiv: '1801.00001'\n"),
        note(
            "gpt2", extra="cites: [GPT1, gpt2]\n", body="[@arXiv:1801.00001v3] [@arXiv:2005.14165]"
        ),
        note("gpt3", extra="cites: ['arXiv:1801.00001']\ndoi: 10.1000/ABC\n"),
        note("codex", body="See [[gpt3]] and [@doi:10.1000/abc] and [[Paper gpt2]]."),
    )
    assert diags == ()
    assert library.cites["gpt2"] == ("gpt1",)
    assert library.mentions["gpt2"] == ()
    assert library.external["gpt2"] == (External("arxiv", "2005.14165"),)
    assert library.cites["codex"] == ()
    assert library.mentions["codex"] == ("gpt3", "gpt2")
    assert library.cited_by["gpt1"] == ("gpt2", "gpt3")
    assert library.mentioned_by["gpt3"] == ("codex",)
    assert "codex" not in library.cited_by
    assert "gpt1" not in library.mentioned_by


def test_same_author_year_gets_suffixes() -> None:
    library, _ = lib(
        note("b", extra=""), note("a", extra=""), note("c", authors="[A Smith, B Jones]")
    )
    assert library.labels["a"] == "Smith, 2020a"
    assert library.labels["b"] == "Smith, 2020b"
    assert library.labels["c"] == "Smith and Jones, 2020"


def test_unknown_keys_warn_with_a_hint() -> None:
    parsed, _ = parse_notes([note("alpha"), note("beta", body="x\n[@alpah]")], MD)
    _, diags = link(parsed, frozenset(), "papers")
    assert [d.format() for d in diags] == [
        "papers/beta.md:7:1: warning: unknown citation key \"alpah\" (did you mean 'alpha'?)"
    ]


def test_a_missing_paper_cited_by_many_notes_is_looked_for_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The typo hint compares the unknown key with every note's key (0.1 s at 50,000 notes),
    and whether a body's ``[@key]`` names a file walks every file: once per unknown key (and
    folder), not once per note citing it (quadratic when each note cites a missing paper);
    every citing note still gets its warning and hint."""
    import difflib

    from papernotes import linknote

    looked: list[str] = []
    real = difflib.get_close_matches

    def counting(word: str, *args: object, **kwargs: object) -> list[str]:
        looked.append(word)
        return real(word, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    # Whether the name is a file's walks every file and note file too: once per folder.
    walked: list[str] = []
    real_names_file = linknote.names_file

    def names_file(note: object, target: str, *args: object) -> bool:
        walked.append(target)
        return real_names_file(note, target, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(linknote, "names_file", names_file)

    def warnings(n: int) -> list[str]:
        looked.clear()
        walked.clear()
        body = "x\n[@alpah] [@vaswani2017]"
        notes = [note("alpha"), *(note(f"n{i:03d}", body=body) for i in range(n))]
        parsed, _ = parse_notes(notes, MD)
        _, diags = link(parsed, frozenset(), "papers")
        return [d.format() for d in diags]

    small = warnings(50)
    assert sorted(looked) == ["alpah", "vaswani2017"]
    assert warnings(200)[:2] == small[:2] and len(warnings(200)) == 400
    assert sorted(looked) == ["alpah", "vaswani2017"]  # 2 at 200 notes too, not 400
    assert sorted(walked) == ["alpah", "vaswani2017"]
    assert small[0] == (
        "papers/n000.md:7:1: warning: unknown citation key \"alpah\" (did you mean 'alpha'?)"
    )


def test_local_links_checked() -> None:
    parsed, _ = parse_notes(
        [note("a", body="![ok](fig.png) ![no](nofig.png) [up](../../x.pdf)")], MD
    )
    _, diags = link(parsed, frozenset({"fig.png"}), "papers")
    messages = [d.message for d in diags]
    assert messages == [
        'link "nofig.png": no such file next to the note',
        'link "../../x.pdf" points outside papers/; it will not be copied',
    ]


@pytest.mark.parametrize(
    ("extra", "body", "where"),
    [
        # Body citations and links carry the column of their "[" (or "!" for an image).
        ("", "[@nokey]", "papers/x.md:6:1"),
        ("", "Text first, then [@nokey; @alpha] here.", "papers/x.md:6:18"),
        ("", "line one\n\n  * item with [[nokey]]", "papers/x.md:8:15"),
        ("", "| a | b |\n|---|---|\n| 1 | see [@nokey] |", "papers/x.md:8:11"),
        ("", "Look: ![fig](missing.png)", "papers/x.md:6:7"),
        # A front-matter `cites:` entry has a line but no column (its key's line).
        ("cites: [nokey]\n", "", "papers/x.md:5:9"),
    ],
)
def test_diagnostics_carry_line_and_column(extra: str, body: str, where: str) -> None:
    parsed, _ = parse_notes([note("alpha"), note("x", extra=extra, body=body)], MD)
    _, diags = link(parsed, frozenset(), "papers")
    assert [str(d.where) for d in diags] == [where]
