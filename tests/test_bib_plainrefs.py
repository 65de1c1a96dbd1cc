"""bib.plainrefs: the references it writes are citeproc-py's, byte for byte, and it writes only
the entries and styles it knows."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.bib import plainrefs
from papernotes.bib.stylefile import read_style
from papernotes.bib.styles import BUILTIN_STYLES, Reference, StyleSet, citeproc_item, packaged_style

STYLES = tuple(packaged_style(name, check=False) for name, _ in BUILTIN_STYLES)
CITEPROC = StyleSet(STYLES)  # compiled once for every test (a style is compiled on first use)

FAMILIES = ["Wang", "García", "Müller", "Mølle", "Ng", "Mcdonald", "Ouyang", "Dubois"]
GIVEN = ["Jie", "Min-jun", "Edward J.", "J.", "Anna Maria", "Jean-Pierre", "Ji-Woo", "Zoë", "A. B."]
WORDS = ["Attention", "is", "all", "of", "the", "a", "An", "BERT", "GPT-4", "2023", "RL: A", "vs"]
VENUES = ["ICML", "NeurIPS", "ACL", "2023", "On", "Of", "The", "Low-Rank", "RL: On", "A", "I", "X"]


def _citeproc(item: dict[str, Any]) -> tuple[Reference, ...]:
    """``StyleSet.format`` as it was: every style through citeproc-py."""
    ready, out = citeproc_item(item), []
    for style in STYLES:
        html = CITEPROC._render(style, ready, True)
        out.append(Reference(style.name, style.label, plainrefs._plain(html), html))
    return tuple(out)


def _paper(title: str, venue: str, year: int, names: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "id": "k",
        "citation-key": "k",
        "type": "paper-conference",
        "title": title,
        "container-title": venue,
        "issued": {"date-parts": [[year]]},
        "number": "arXiv:1509.10980",  # left out for a published paper (citeproc_item)
        "author": [{"family": f, "given": g} for f, g in names],
    }


def _words(pool: list[str], most: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pool), min_size=1, max_size=most).map(" ".join)


papers = st.builds(
    _paper,
    _words(WORDS, 8),
    _words(VENUES, 5),
    st.integers(1000, 2999),
    st.lists(st.tuples(st.sampled_from(FAMILIES), st.sampled_from(GIVEN)), min_size=1, max_size=6),
)


@settings(max_examples=150, deadline=None)
@given(papers)
def test_a_written_reference_is_citeprocs(item: dict[str, Any]) -> None:
    assert plainrefs.plain_references(citeproc_item(item), STYLES) is not None
    assert plainrefs.writes(citeproc_item(item), STYLES)
    assert CITEPROC.format(item) == _citeproc(item)


def test_the_benchmarks_papers_are_written_as_citeproc_writes_them() -> None:
    names = [("Thomas", "Edward J."), ("Wang", "Min-jun"), ("García", "Laura"), ("Li", "Wei")]
    for n in range(1, 7):
        item = _paper(
            "Synthetic Paper 980: Fine-Tuning for Policy Gradient",
            "EMNLP 2015",
            2015,
            [*names, *names][:n],
        )
        refs = CITEPROC.format(item)
        assert refs == _citeproc(item)
    assert refs[2].text.startswith("THOMAS E J, WANG M J, GARCÍA L, et al. Synthetic Paper 980")


@pytest.mark.parametrize(
    "change",
    [
        {"type": "article-journal"},
        {"language": "en"},
        {"volume": "3"},
        {"number": "12"},  # not an arXiv id: printed by some styles
        {"title": "Why attention?"},
        {"title": "A & B"},
        {"title": "“Quoted”"},
        {"container-title": "Proceedings of ICML"},  # APA capitalises "of"
        {"issued": {"date-parts": [[2015, 3]]}},
        {"issued": {"literal": "2015"}},
        {"author": [{"family": "van Dyk", "given": "Jan"}]},
        {"author": [{"family": "Smith", "given": "Jane", "suffix": "Jr."}]},
        {"author": [{"family": "Straß", "given": "Jan"}]},  # upper-cases to two letters
        {"author": [{"family": "Émile", "given": "Jan"}]},
        {"author": [{"family": "Smith", "given": "jane"}]},
        {"author": [{"family": "Smith", "given": "J"}]},
        {"author": [{"literal": "OpenAI"}]},
        {"author": [{"family": "Wang", "given": "Jie"}] * 7},
        {"author": []},
    ],
)
def test_another_entry_goes_to_citeproc(change: dict[str, Any]) -> None:
    item = {**_paper("A Title", "ICML 2020", 2020, [("Wang", "Jie")]), **change}
    assert plainrefs.plain_references(citeproc_item(item), STYLES) is None
    assert not plainrefs.writes(citeproc_item(item), STYLES)
    assert CITEPROC.format(item) == _citeproc(item)


def test_only_the_packaged_styles_it_matches_are_written() -> None:
    item = citeproc_item(_paper("A Title", "ICML 2020", 2020, [("Wang", "Jie")]))
    assert plainrefs.plain_references(item, STYLES) is not None  # the installed packages
    prepared = read_style(STYLES[0].xml, name="apa", origin="apa.csl", label="APA 7")
    assert plainrefs.plain_references(item, (prepared,)) is None  # a style as a user gives it
    other = STYLES[1]._replace(data=STYLES[1].data + b" ")  # another version of the file
    assert plainrefs.plain_references(item, (STYLES[0], other)) is None
    assert plainrefs.plain_references(item, (packaged_style("chicago-author-date"),)) is None
    for styles in (STYLES, (prepared,), (STYLES[0], other)):  # told alike, without writing
        assert plainrefs.writes(item, styles) is (
            plainrefs.plain_references(item, styles) is not None
        )
