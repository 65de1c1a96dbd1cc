"""Both .bib flavours of tests/fixtures/bibflavours typeset by real LaTeX.

``bibtex``: pdflatex + classic 8-bit bibtex under plain, unsrt, alpha, abbrv, ieeetr and acm,
with no LaTeX error and no BibTeX warning (the library has every field each type needs), the
accented names in the PDF's text, and Çakmak sorted with the C's. ``biblatex``: pdflatex
(inputenc, T1) and lualatex (fontspec, a Noto CJK fallback) with biber, no biber warning, and
``@online``, the arXiv eprint, ``@thesis`` and ``@report`` printed as biblatex prints them.
Every Latin letter the bibtex flavour encodes compiles in pdflatex and reads back from the PDF.
The tools come from .ci/system-deps.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from test_bib_typeset import (
    _PREAMBLE_LUA,
    assert_shows,
    pdf_text,
    pdflatex_cjk,
    require_tools,
    run,
    tail,
    typeset,
)

from papernotes.bib.texascii import ascii_char
from papernotes.cjk import has_cjk

from conftest import copy_fixture

STYLES = ["plain", "unsrt", "alpha", "abbrv", "ieeetr", "acm"]
ABBREVIATING = frozenset({"abbrv", "ieeetr", "acm"})
FAMILY = [
    ("kaiser2017one", name)
    for name in ("Kaiser", "Erlingsson", "Gülçehre", "Abadi", "Özgür")
] + [
    ("cakmak2021sort", "Çakmak"), ("cakmak2021sort", "Kierkegaard"), ("cakmak2021sort", "Žižek"),
    ("bakir2020zero", "Bakır"), ("demir2019after", "Straße"), ("hu2021preprint", "Ångström"),
    ("web2023page", "Peña"), ("yang2019cjk", "Müller"),
]  # fmt: skip
"""(citekey, family name) that every style prints."""
GIVEN = [
    ("kaiser2017one", "Łukasz", "Ł."),
    ("kaiser2017one", "Úlfar", "Ú."),
    ("kaiser2017one", "Çağlar", "Ç."),
    ("kaiser2017one", "Martín", "M."),
    ("kaiser2017one", "Kıvanç", "K."),
    ("cakmak2021sort", "Søren", "S."),
    ("bakir2020zero", "Ayşe", "A."),
    ("demir2019after", "Jürgen", "J."),
    ("hu2021preprint", "Åsa", "Å."),
    ("web2023page", "José", "J."),
]
"""(citekey, given name, as abbrv, ieeetr and acm abbreviate it)."""
TEXT = [
    ("kaiser2017one", "50% of $5 & #1 a_b ~ ^ {x} back\\slash"),
    ("kaiser2017one", "Journal of Q&A_Studies #3"),
    ("bakir2020zero", "Zürich, Switzerland"),
    ("demir2019after", "Technische Universität München"),
    ("roe2022thesis", "Université de Montréal"),
    ("lee2018blog", "Blog post at https://example.org/a_b~c, 50% off #2"),
    ("lee2018blog", "OpenAI & Friends_1"),
]
"""(citekey, text) that every style prints."""
BIBLATEX_ONLY = [
    ("web2023page", "https://example.org/~user/a_b%20c?q=1&r=2#frag"),
    ("web2023page", "Mirror: https://example.org/~a_b and https://x.org/p?a=1&b=2#sec, 100% free"),
    ("hu2021preprint", "arXiv: 2106.09685 [cs.CL]"),
    ("roe2022thesis", "PhD thesis"),
    ("demir2019after", "Tech. rep. TR-7"),
    ("kaiser2017one", "10.1000/a_b_c"),
]
"""(citekey, text) that biblatex prints: urls, eprints, DOIs, its names of thesis and report."""
CJK = [("yang2019cjk", "杨植麟"), ("yang2019cjk", "田中英輝"), ("yang2019cjk", "注意力就是你所需要的"),
       ("yang2019cjk", "中文期刊")]  # fmt: skip


def cjk(ch: str) -> bool:
    """CJK, or CJK punctuation (the fullwidth colon of a Chinese title)."""
    return has_cjk(ch) or 0x3000 <= ord(ch) <= 0x303F or 0xFF00 <= ord(ch) <= 0xFFEF


def export(tmp: Path, cli, flavour: str) -> str:  # type: ignore[no-untyped-def]
    result = cli("bib", "--root", str(copy_fixture("bibflavours", tmp)), "--format", flavour)
    assert result.code == 0, result.err
    return str(result.out)


def order(bbl: str) -> list[str]:
    return re.findall(r"\\bibitem(?:\[[^\]]*\])?\{([^}]+)\}", bbl)


@pytest.mark.parametrize("style", STYLES)
def test_the_bibtex_flavour_typesets_under_every_standard_style(
    style: str, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    require_tools()
    bib = export(tmp_path, cli, "bibtex")
    assert all(ch.isascii() or cjk(ch) for ch in bib), "pure ASCII but for CJK"
    preamble = (
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n"
        f"\\usepackage{{url}}\n{pdflatex_cjk(bib)}\n\\sloppy\n"
    )
    body = f"\\begin{{document}}\n\\nocite{{*}}\n\\bibliographystyle{{{style}}}\n"
    tex = f"{preamble}{body}\\bibliography{{lib}}\n\\end{{document}}\n"
    work = typeset(tmp_path, bib, tex, "pdflatex", "bibtex", r"error message|Warning--")
    bbl = (work / "doc.bbl").read_text(encoding="utf-8")
    assert len(order(bbl)) == 9
    given = [(k, short if style in ABBREVIATING else full) for k, full, short in GIVEN]
    assert_shows(pdf_text(work / "doc.pdf"), tuple(FAMILY + given + TEXT), bib)
    if style in ("plain", "alpha", "abbrv", "acm"):  # sorted by author: Bakır, Çakmak, Demir
        keys = order(bbl)
        assert keys.index("bakir2020zero") < keys.index("cakmak2021sort")
        assert keys.index("cakmak2021sort") < keys.index("demir2019after"), keys


@pytest.mark.parametrize("engine", ["pdflatex", "lualatex"])
def test_the_biblatex_flavour_typesets_with_biber(engine: str, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    require_tools()
    bib = export(tmp_path, cli, "biblatex")
    if engine == "pdflatex":
        preamble = (
            "\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage[T1]{fontenc}\n"
            f"\\usepackage{{lmodern}}\n\\usepackage{{url}}\n{pdflatex_cjk(bib)}\n\\sloppy\n"
        )
    else:
        preamble = _PREAMBLE_LUA
    biblatex = (
        "\\usepackage[backend=biber,style=authoryear,maxnames=99]{biblatex}\n"
        "\\addbibresource{lib.bib}\n"
    )
    body = "\\begin{document}\n\\nocite{*}\n\\printbibliography\n\\end{document}\n"
    work = typeset(tmp_path, bib, preamble + biblatex + body, engine, "biber", r"\b(ERROR|WARN)")
    text = pdf_text(work / "doc.pdf")
    full = [(k, full) for k, full, _ in GIVEN]
    assert_shows(text, tuple(FAMILY + full + TEXT + BIBLATEX_ONLY), bib)
    if engine == "lualatex":
        assert_shows(text, tuple(CJK), bib)
    bbl = (work / "doc.bbl").read_text(encoding="utf-8")
    assert "\\entry{web2023page}{online}" in bbl and "\\entry{roe2022thesis}{thesis}" in bbl


def test_every_encoded_latin_letter_compiles_and_reads_back(tmp_path: Path) -> None:
    require_tools()
    letters = [
        chr(cp)
        for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]
        if chr(cp).isalpha() and ascii_char(chr(cp)) is not None
    ]
    lines = [f"{i}={ascii_char(ch)}\\par" for i, ch in enumerate(letters)]
    tex = (
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n"
        "\\begin{document}\n" + "\n".join(lines) + "\n\\end{document}\n"
    )
    (tmp_path / "doc.tex").write_text(tex, encoding="ascii")
    result = run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc"], tmp_path)
    assert result.returncode == 0, tail(tmp_path / "doc.log")
    log = (tmp_path / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert not [line for line in log.splitlines() if line.startswith("!")]
    shown = run(["pdftotext", "-enc", "UTF-8", "doc.pdf", "-"], tmp_path).stdout
    got = dict(re.findall(r"^\s*(\d+)=(\S+)\s*$", shown, re.MULTILINE))
    exact = {
        ch
        for i, ch in enumerate(letters)
        if unicodedata.normalize("NFC", got.get(str(i), "")) == ch
    }
    # Latin-1 and Latin Extended-A have a T1 glyph each, and read back as themselves, but for
    # these: letters TeX builds from a base and an accent (pdftotext reads the two apart),
    # T1's Eth glyph standing for Đ, and letters written as two (ĳ as ij).
    built = set("ĐĢģĮįĲĳĶķĻļŅņŉŖŗŲųſ")
    latin = {ch for ch in letters if ord(ch) < 0x180}
    assert latin - built <= exact, sorted(latin - built - exact)
    assert len(exact) >= 270, len(exact)


GREEK_NOTE = """---
title: "Intracellular θ rhythm and Σ-models in “quotes”"
authors: [Núñez, Alberto]
year: 1987
venue: Brain Research
---
"""


@pytest.mark.parametrize("style", ["plain", "alpha"])
def test_a_greek_letter_is_math_in_the_bibtex_flavour(style: str, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # pdflatex has no text-mode Greek: a UTF-8 θ stops it ("not set up for use with LaTeX").
    require_tools()
    root = tmp_path / "lib"
    (root / "papers").mkdir(parents=True)
    (root / "papers" / "nunez1987theta.md").write_text(GREEK_NOTE, encoding="utf-8")
    result = cli("bib", "--root", str(root), "--format", "bibtex")
    assert result.code == 0, result.err
    bib = str(result.out)
    assert bib.isascii() and r"{\ensuremath{\theta}} rhythm" in bib, bib
    tex = (
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n"
        f"\\begin{{document}}\n\\nocite{{*}}\n\\bibliographystyle{{{style}}}\n"
        "\\bibliography{lib}\n\\end{document}\n"
    )
    work = typeset(tmp_path, bib, tex, "pdflatex", "bibtex", r"error message")
    assert "θrhythmandσ" in pdf_text(work / "doc.pdf")  # casefolded, spaces squashed
