"""BibTeX field LaTeX becomes plain Unicode: every accent spelling, specials, biblatex macros,
math kept as written, and DOIs/URLs with their TeX escapes undone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.bib.unlatex import (
    classic_tex,
    decode_tex,
    latex_to_text,
    repair_c1,
    verbatim_text,
)

# (LaTeX as found in real .bib files, the plain text the front matter holds)
CASES = [
    # accents, in every spelling people write them
    ("Mart\\'{\\i}n", "Martín"),
    ("Mart{\\'\\i}n", "Martín"),
    ("Mart\\'\\i{}n", "Martín"),
    ("Mart\\'in", "Martín"),
    ('na{\\"\\i}ve', "naïve"),
    ("\\v{\\i}", "ǐ"),
    ("{\\L}ukasz", "Łukasz"),
    ("\\L{}ukasz", "Łukasz"),
    ("{\\'U}lfar", "Úlfar"),
    ("Fran\\c{c}ois", "François"),
    ("\\v{S}imon", "Šimon"),
    ("Erd\\H{o}s", "Erdős"),
    ("\\k{a}", "ą"),
    ("\\.{z}", "ż"),
    ("\\=a", "ā"),
    ("Espa\\~na", "España"),
    ('Sch\\"{o}n', "Schön"),
    ('Sch{\\"o}n', "Schön"),
    ("Stra{\\ss}e", "Straße"),
    ("Bj\\o rn", "Bjørn"),
    ("\\aa", "å"),
    ("\\ae", "æ"),
    ("\\OE uvre", "Œuvre"),
    ("\\u{g}", "ğ"),
    # links: the target kept verbatim (its _ and ~ are not LaTeX)
    ("see \\url{http://a.org/c_d~e}", "see http://a.org/c_d~e"),
    ("\\href{http://x.org/a_b}{the \\emph{site}}", "the site (http://x.org/a_b)"),
    ("\\href{http://x.org}{http://x.org}", "http://x.org"),
    # formatting macros, to their text
    ("\\emph{in vivo}", "in vivo"),
    ("\\textit{a \\textbf{b}}", "a b"),
    ("\\textsc{Bert}", "Bert"),
    ("\\mkbibemph{em}", "em"),
    ("\\mkbibquote{Quoted}", "“Quoted”"),
    ("``Quoted''", "“Quoted”"),
    # specials
    ("A \\& B", "A & B"),
    ("50\\%", "50%"),
    ("a\\_b", "a_b"),
    ("\\#1", "#1"),
    ("\\$5", "$5"),
    ("D.~E. Knuth", "D. E. Knuth"),  # a plain space: see the module docstring
    ("1--2", "1–2"),
    ("a---b", "a—b"),
    ("a\\textendash b", "a–b"),
    ("a\\textemdash b", "a—b"),
    ("wait\\ldots", "wait…"),
    ("pre\\hyphen post", "pre-post"),
    ("hy\\-phen", "hyphen"),
    ("and\\slash or", "and/or"),
    # math stays as written, for the site's math renderer
    ("$x^2_i$ and $\\alpha$", "$x^2_i$ and $\\alpha$"),
    ("costs \\$5, not $\\$5$", "costs $5, not $\\$5$"),
    ("$$\\sum_i \\text{x}$$", "$$\\sum_i \\text{x}$$"),
    # braces and whitespace
    ("{T}ransformers  for\n {NLP}", "Transformers for NLP"),
]


@pytest.mark.parametrize(("latex", "text"), CASES)
def test_latex_to_text(latex: str, text: str) -> None:
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ("10.1000/a\\_b", "10.1000/a_b"),
        ("{10.1000/ABC}", "10.1000/ABC"),
        ("\\url{https://x.org/a\\_b\\%20\\#frag}", "https://x.org/a_b%20#frag"),
        ("https://x.org/\\~{}user", "https://x.org/~user"),
        ("https://x.org/{\\textasciitilde}user", "https://x.org/~user"),
        ("https://x.org/plain_url", "https://x.org/plain_url"),
    ],
)
def test_verbatim_text(value: str, plain: str) -> None:
    assert verbatim_text(value) == plain


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ("\\v{i}", "ǐ"),  # pinyin: latexcodec leaves these as macros
        ("L\\v{\\i}", "Lǐ"),
        ("\\v i", "ǐ"),
        ("\\d{a}", "ạ"),
        ("\\H{u}", "ű"),
        ("\\r{U}", "Ů"),
        ("\\b{b}", "ḇ"),
        ("\\c c", "ç"),
        ("\\vspace", "\\vspace"),  # a control word, not an accent
    ],
)
def test_accents_latexcodec_misses(latex: str, text: str) -> None:
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("raw", "text", "lines"),
    [
        ("meaning\x97behavioral", "meaning—behavioral", [1]),
        ("a\n\x93theta\x94 and \x91place\x92", "a\n“theta” and ‘place’", [2]),
        ("unassigned\x81byte", "unassignedbyte", [1]),
        ("plain — text", "plain — text", []),
    ],
)
def test_c1_controls_are_read_as_windows_1252(raw: str, text: str, lines: list[int]) -> None:
    assert repair_c1(raw) == (text, lines)


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"{\ensuremath{\theta}} rhythm", "θ rhythm"),
        (r"\ensuremath {\Sigma}-models", "Σ-models"),
        # Not a symbol: left to the usual reading (braces dropped; import keeps it as tex.NAME).
        (r"\ensuremath{\notacommand} x", r"\ensuremath \notacommand x"),
    ],
)
def test_one_symbol_in_ensuremath_is_that_symbol(tex: str, text: str) -> None:
    assert latex_to_text(tex) == text


@pytest.mark.parametrize(
    ("tex", "classic"),
    [
        (r"Aristotle's \mkbibquote{De Motu {Animalium}}", "Aristotle's ``De Motu {Animalium}''"),
        (r"\mkbibemph{a \mkbibquote{b}} \mkbibbold{c}", r"\emph{a ``b''} \textbf{c}"),
        (r"Methodology\hyphen based, $\alpha$", r"Methodology-based, $\alpha$"),
        (r"\mkbibquote{unclosed", r"\mkbibquote{unclosed"),
        (r"\emph{{IEEE}} stays", r"\emph{{IEEE}} stays"),
    ],
)
def test_biblatex_macros_become_classic_latex_with_the_same_meaning(tex: str, classic: str) -> None:
    assert classic_tex(tex) == classic
    assert latex_to_text(classic) == latex_to_text(tex)


# Plain characters, the ones TeX ligatures are made of, and text from other scripts.
_ALPHABET = "aZ09 \t\n'\"-,.!?;:()[]<>/#&_^*+=|@" + "éß中\u00a0\u200bİǅ\x07"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=16))
def test_a_value_without_tex_decodes_as_the_full_decoding_does(value: str) -> None:
    # latex_to_text gives a value with no TeX in it as its text, without decoding it.
    assert latex_to_text(value) == decode_tex(value)


def test_tex_ligatures_and_groups_are_still_decoded() -> None:
    assert latex_to_text("1--2 ``a'' ,,b~c") == "1–2 “a” „b c"
    assert latex_to_text("{GPU} 50\\%") == "GPU 50%"
