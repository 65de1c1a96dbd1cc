"""The identifier rules (papernotes.ids), one table per rule."""

from __future__ import annotations

import pytest

from papernotes.ids import (
    KEY_RE,
    arxiv_in_text,
    arxiv_of_doi,
    arxiv_problem,
    clean_doi,
    doi_key,
    is_arxiv,
    is_doi,
    key_problem,
    parse_arxiv,
    split_arxiv_version,
    strip_arxiv_prefix,
    strip_doi_prefix,
    strip_version,
)
from papernotes.model import fold_target

# text, (base, version, year) or None when it is no arXiv id
ARXIV = [
    ("0704.0001", ("0704.0001", "", 2007)),
    ("0710.2073", ("0710.2073", "", 2007)),
    ("1412.6980", ("1412.6980", "", 2014)),
    ("1501.00001v2", ("1501.00001", "v2", 2015)),
    ("2106.09685", ("2106.09685", "", 2021)),
    ("2106.09685v12", ("2106.09685", "v12", 2021)),
    ("math.GT/0309136", ("math.GT/0309136", "", 2003)),
    ("hep-th/9901001v3", ("hep-th/9901001", "v3", 1999)),
    ("cs/0112017", ("cs/0112017", "", 2001)),
    ("solv-int/9108001", ("solv-int/9108001", "", 1991)),
    ("2113.00001", None),  # month 13
    ("2100.00001", None),  # month 00
    ("hep-th/9913001", None),  # month 13, old style
    ("2106.0968", None),  # four digits after 2015
    ("1412.69801", None),  # five digits before 2015
    ("0612.1234", None),  # new style before April 2007
    ("2106.09685v0", None),
    ("2106.09685v", None),
    ("cond-mat.str-el/0101001", None),  # a category, never part of an id
    ("MATH/0309136", None),
    ("math.gt/0309136", None),
    ("hep-th/990100", None),
    ("arXiv:2106.09685", None),  # prefixes are stripped first
    (" 2106.09685", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "want"), ARXIV)
def test_parse_arxiv(text: str, want: tuple[str, str, int] | None) -> None:
    found = parse_arxiv(text)
    got = (found.base, found.version, found.year) if found else None
    assert got == want
    assert is_arxiv(text) is (want is not None)
    assert split_arxiv_version(text) == (want[:2] if want else None)
    assert strip_version(text) == (want[0] if want else text)
    if found:
        assert str(found) == text
        assert arxiv_problem(text) is None
    else:
        assert arxiv_problem(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2113.00001", '"13" is no month'),
        ("hep-th/9900001", '"00" is no month'),
        ("2106.0968", "has 5 digits"),
        ("1412.69801", "has 4 digits"),
        ("0612.1234", "April 2007"),
        ("2106.09685v0", "start at v1"),
        ("cond-mat.str-el/0101001", "archive/YYMMNNN"),
        ("attention", "such as 2106.09685"),
    ],
)
def test_arxiv_problem_says_what_to_do(text: str, words: str) -> None:
    problem = arxiv_problem(text)
    assert problem is not None and words in problem


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("arXiv:2106.09685", "2106.09685"),
        ("arxiv: 2106.09685v2", "2106.09685v2"),
        ("ARXIV:hep-th/9901001", "hep-th/9901001"),
        ("https://arxiv.org/abs/2106.09685", "2106.09685"),
        ("http://arxiv.org/abs/math.GT/0309136v1", "math.GT/0309136v1"),
        ("https://arxiv.org/pdf/2106.09685v2.pdf", "2106.09685v2"),
        ("https://www.arxiv.org/pdf/2106.09685/", "2106.09685"),
        ("arxiv.org/html/2106.09685v1", "2106.09685v1"),
        ("https://export.arxiv.org/abs/2106.09685", "2106.09685"),
        ("  2106.09685 ", "2106.09685"),
        ("https://example.org/abs/2106.09685", "https://example.org/abs/2106.09685"),
        ("doi:10.1000/x", "doi:10.1000/x"),
    ],
)
def test_strip_arxiv_prefix(text: str, want: str) -> None:
    assert strip_arxiv_prefix(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("see arXiv:2106.09685 for details", "2106.09685"),
        ("arXiv preprint arXiv:1810.04805v2.", "1810.04805v2"),
        ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("10.48550/arXiv.2106.09685.", "2106.09685"),
        ("arXiv:2113.00001", None),
        ("arXiv:2113.00001 and arXiv:2106.09685", "2106.09685"),
        ("Journal of Things 12(3)", None),
    ],
)
def test_arxiv_in_text(text: str, want: str | None) -> None:
    assert arxiv_in_text(text) == want


# text, DOI it holds (prefix and trailing punctuation gone, case kept) or None
DOI = [
    ("10.18653/v1/2022.acl-long.26", "10.18653/v1/2022.acl-long.26"),
    ("doi:10.18653/v1/N19-1423", "10.18653/v1/N19-1423"),
    ("DOI: 10.18653/v1/N19-1423", "10.18653/v1/N19-1423"),
    ("https://doi.org/10.1145/3290605.3300233", "10.1145/3290605.3300233"),
    ("http://dx.doi.org/10.1145/3290605.3300233", "10.1145/3290605.3300233"),
    ("https://www.doi.org/10.1145/3290605.3300233", "10.1145/3290605.3300233"),
    ("doi.org/10.1145/3290605.3300233", "10.1145/3290605.3300233"),
    ("<https://doi.org/10.1000/xyz>", "10.1000/xyz"),
    ("10.1016/S0140-6736(20)30183-5", "10.1016/S0140-6736(20)30183-5"),
    ("10.1016/S0140-6736(20)30183-5).", "10.1016/S0140-6736(20)30183-5"),
    ("10.1000/abc(1)", "10.1000/abc(1)"),
    (
        "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0",
        "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0",
    ),
    ("10.1000/XYZ.", "10.1000/XYZ"),
    ("10.1000/xyz;", "10.1000/xyz"),
    ("10.1000/xyz]", "10.1000/xyz"),
    ("10.123/xyz", None),  # registrant too short
    ("10.1000/", None),
    ("10.1000/a b", None),
    ("11.1000/xyz", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "want"), DOI)
def test_clean_doi(text: str, want: str | None) -> None:
    assert clean_doi(text) == want
    if want is not None:
        assert is_doi(want)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("10.1000/xyz", True),
        ("10.1000/xyz.", False),
        ("doi:10.1000/xyz", False),
        ("10.1016/S0140-6736(20)30183-5", True),
    ],
)
def test_is_doi(text: str, want: bool) -> None:
    assert is_doi(text) is want


def test_strip_doi_prefix_keeps_inner_angle_brackets() -> None:
    sici = "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"
    assert strip_doi_prefix(f"<doi:{sici}>") == sici


@pytest.mark.parametrize(
    ("a", "b"),
    [("10.1000/ABC", "10.1000/abc"), (" 10.1000/Straße", "10.1000/STRASSE")],
)
def test_doi_key_ignores_case(a: str, b: str) -> None:
    assert doi_key(a) == doi_key(b)


@pytest.mark.parametrize(
    ("doi", "want"),
    [
        ("10.48550/arXiv.2106.09685", ("2106.09685", "")),
        ("10.48550/ARXIV.2106.09685v2", ("2106.09685", "v2")),
        ("10.48550/arXiv.2113.00001", None),
        ("10.18653/v1/N19-1423", None),
    ],
)
def test_arxiv_of_doi(doi: str, want: tuple[str, str] | None) -> None:
    found = arxiv_of_doi(doi)
    assert ((found.base, found.version) if found else None) == want


@pytest.mark.parametrize(
    ("target", "want"),
    [
        ("arXiv:2106.09685v2", "arxiv:2106.09685"),
        ("ARXIV: 2106.09685", "arxiv:2106.09685"),
        ("arXiv:math.GT/0309136v2", "arxiv:math.gt/0309136"),
        ("doi:10.1000/ABC", "doi:10.1000/abc"),
        ("Vaswani2017", "vaswani2017"),
    ],
)
def test_fold_target_drops_versions_by_the_same_rule(target: str, want: str) -> None:
    assert fold_target(target) == want


# key, problem words (None when the key is a valid note id): anything BibTeX and biber read
KEYS = [
    ("vaswani2017attention", None),
    ("arXiv:2106.09685", None),
    ("a.b-c_d", None),
    ("2106.09685", None),
    (".hidden", None),
    ("..", None),
    ("a/b", None),
    ("zhāng2020", None),
    ("DoeLR+19", None),
    ("a!$&*+-./:;<>?@[]^_`|z", None),
    ("", "expected a citekey, got nothing"),
    ("o'neil2019", "expected a key without ': biber cannot read"),
    ("a#b", "without #: biber cannot read"),
    ("a%b", "without %: biber cannot read"),
    ("a{b}", "without {: biber cannot read"),
    ("a b", 'without white space: BibTeX and biber end a key there, and would read "a"'),
    ("a,b", 'without ",": BibTeX'),
    ("a\u00a0b", "white space"),
    ("a~b", 'without "~", a space in LaTeX'),
    ("a\u200bb", "without the invisible character U+200B"),
]


@pytest.mark.parametrize(("key", "words"), KEYS)
def test_key_problem(key: str, words: str | None) -> None:
    problem = key_problem(key)
    assert (KEY_RE.fullmatch(key) is not None) is (words is None)
    assert (problem is None) if words is None else (problem is not None and words in problem)


@pytest.mark.parametrize(
    ("value", "hint"),
    [("2113.00001", '"13" is no month'), ("arXiv:2106.0968", "has 5 digits")],
)
def test_note_with_a_non_id_gets_a_diagnostic_at_its_line(value: str, hint: str) -> None:
    from papernotes.markdown.factory import make_parser
    from papernotes.parse import parse_note

    text = f"---\nid: x\ntitle: T\nauthors: [A B]\nyear: 2021\narxiv: {value}\n---\nBody.\n"
    note, diags = parse_note("papers/x.md", text, make_parser())
    assert note is None
    [diag] = diags
    assert diag.format().startswith(
        f'papers/x.md:6:1: error: arxiv: expected an arXiv id such as "2106.09685" or "cs/0112017", got "{value}" ('
    )
    assert diag.hint is not None and hint in diag.hint
