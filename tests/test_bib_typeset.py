"""The exported .bib typeset by real LaTeX: pdflatex + bibtex (plain, unsrt, alpha, abbrv,
ieeetr, acm),
pdflatex + biber + biblatex, and lualatex + biber + biblatex, for the bundled library and for
tests/fixtures/texhostile (every TeX special, URLs with ``_ ~ % #`` in text fields, a ``tex.``
field, CJK and accented names). Each run must log no error, and the PDF's text (pdftotext)
must show the characters the notes hold. The tools come from .ci/system-deps."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from papernotes.cjk import has_cjk

from conftest import REPO, copy_fixture

TOOLS = ("pdflatex", "lualatex", "bibtex", "biber", "pdftotext")


@dataclass(frozen=True, slots=True)
class Library:
    """A library to export, and the text its typeset bibliography must show."""

    name: str
    """tests/fixtures/NAME, or "bundled" for the repository's papers/."""
    shown: tuple[tuple[str, str], ...]
    """(citekey, text) that every style prints for that entry (compared ignoring case,
    whitespace and hyphens: styles lower-case titles, and lines break anywhere)."""
    shown_biblatex: tuple[tuple[str, str], ...] = ()
    """(citekey, text) that only biblatex prints: url, doi, eprint."""


_S, _Y, _D, _R = "specials2024", "yang2019attention", "doe2021raw", "roe2022proc"
HOSTILE = Library(
    "texhostile",
    shown=(
        (_S, "Q&A on 50% of $5 #1 a_b {braces} ~tilde ^caret back\\slash with LoRA"),
        (
            _S,
            "See https://example.org/~a_b and https://x.org/p?a=1&b=2#sec, "
            "100% free & open_ish #1 {x} ~y ^z",
        ),
        (
            _S,
            "Code: https://github.com/tatsu-lab/stanford_alpaca. "
            "Mirror: https://example.org/%7Euser/x_y",
        ),
        (_S, "Çakmak"),
        (_S, "Kaiser"),
        (_S, "Martín"),
        (_S, "Acme & Sons_1"),
        (_D, "{BERT} and \\emph{GPT}: 100% literal"),
        (_D, "Journal of Q&A_Studies #3"),
        (_D, "See this and 10% more, https://example.org/a_b"),  # the tex.note, typeset as TeX
        (_D, "~7^"),
        (_R, "Tuning T5 on V100s: P-Tuning vs. Prefix_Tuning"),
        (_R, "Proceedings of ICML #40 ~ 50% track"),
        (_R, "PMLR & Co. $ ^"),
        (_R, "Zürich_{1}"),
        (_R, "Beethoven"),
        (_Y, "Müller’s “quoted” Ångström test"),
        (_Y, "https://example.org/a_b"),
        (_Y, "1_0"),
    ),
    shown_biblatex=(
        (_S, "https://example.org/~user/a_b%20c?q=1&r=2#frag"),
        (_S, "10.1000/a_b_c"),
        (_R, "https://openreview.net/forum?id=a_b~c"),
        (_D, "2106.09685"),
    ),
)
BUNDLED = Library(
    "bundled",
    shown=(
        ("taori2023alpaca", "Code and data: https://github.com/tatsu-lab/stanford_alpaca"),
        (
            "openai2022introducing",
            "originally titled “ChatGPT: Optimizing Language Models for Dialogue”",
        ),
        ("vaswani2017attention", "Łukasz"),
        ("touvron2023llama", "Timothée"),
    ),
)
CJK_SHOWN = tuple(
    (_Y, text)
    for text in (
        "注意力就是你所需要的：",
        "杨植麟",
        "田中英輝",
        "第一版https://example.cn/论文_1",
        "中文期刊",
    )
)
"""The hostile library's CJK text, checked where a CJK font is set up (lualatex)."""


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, encoding="utf-8", errors="replace",
        timeout=300, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def require_tools() -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    assert not missing, f"{missing} not installed: run 'bash .ci/system-deps'"


def export(lib: Library, tmp: Path, cli) -> str:  # type: ignore[no-untyped-def]
    root = REPO if lib.name == "bundled" else copy_fixture(lib.name, tmp)
    result = cli("bib", "--root", str(root))
    assert result.code == 0, result.err
    keys = set(re.findall(r"^@\w+\{([^,]+),", result.out, re.MULTILINE))
    assert {k for k, _ in lib.shown + lib.shown_biblatex} <= keys
    return str(result.out)


def squash(text: str) -> str:
    # pdftotext joins a word hyphenated at a line end (a URL broken after "tatsu-"), so
    # hyphens are not compared.
    text = unicodedata.normalize("NFKC", text).casefold().replace("-", "")
    return "".join(text.split())


def pdf_text(pdf: Path) -> str:
    result = run(["pdftotext", "-enc", "UTF-8", pdf.name, "-"], pdf.parent)
    assert result.returncode == 0, result.stderr
    return squash(result.stdout)


def tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:]


def no_tex_errors(log: Path) -> None:
    text = log.read_text(encoding="utf-8", errors="replace")
    errors = [line for line in text.splitlines() if line.startswith("!")]
    assert not errors, "\n".join(errors)
    assert "undefined" not in text.lower() or "There were undefined" not in text, text[-3000:]


_PREAMBLE_PDF = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{url}
%(cjk)s
\hyphenpenalty=10000 \exhyphenpenalty=10000 \sloppy
"""
_PREAMBLE_LUA = r"""\documentclass{article}
\usepackage{fontspec}
\directlua{luaotfload.add_fallback("cjk", {"NotoSerifCJKsc:mode=node;"})}
\setmainfont{Latin Modern Roman}[RawFeature={fallback=cjk}]
\usepackage{url}
\hyphenpenalty=10000 \exhyphenpenalty=10000 \sloppy
"""


def pdflatex_cjk(bib: str) -> str:
    # pdflatex has no CJK font without texlive-lang-cjk: each CJK character prints as "?"
    # there, and lualatex checks the characters themselves.
    chars = sorted({ch for ch in bib if has_cjk(ch) or ord(ch) >= 0x3000})
    return "\n".join(f"\\DeclareUnicodeCharacter{{{ord(ch):04X}}}{{?}}" for ch in chars)


def assert_shows(text: str, wanted: tuple[tuple[str, str], ...], bib: str) -> None:
    keys = set(re.findall(r"^@\w+\{([^,]+),", bib, re.MULTILINE))
    missing = [w for k, w in wanted if k in keys and squash(w) not in text]
    assert not missing, f"not in the PDF text: {missing}\n{text}\n{bib}"


STYLES = ["plain", "unsrt", "alpha", "abbrv", "ieeetr", "acm"]
INITIALS = {"Łukasz": "Ł.", "Timothée": "T."}
"""What abbrv, ieeetr and acm print for the given names that Library.shown holds."""
"""The standard BibTeX styles: all of them read the default (``bibtex``, ASCII-safe) export of
every library whole, CJK and accented names included, with no error and no warning."""
LIBRARIES = [pytest.param(HOSTILE, id="hostile"), pytest.param(BUNDLED, id="bundled")]


def typeset(tmp: Path, bib: str, tex: str, engine: str, backend: str, bad_log: str) -> Path:
    """Compile ``tex`` citing ``bib`` as LaTeX users do (engine, backend, engine twice), asserting
    that nothing fails and the backend's log has no line matching ``bad_log``; the folder."""
    work = tmp / "doc"
    work.mkdir()
    (work / "lib.bib").write_text(bib, encoding="utf-8")
    (work / "doc.tex").write_text(tex, encoding="utf-8")
    latex = [engine, "-interaction=nonstopmode", "-halt-on-error", "doc"]
    assert run(latex, work).returncode == 0, tail(work / "doc.log")
    result = run([backend, "doc"], work)
    blg = (work / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert result.returncode == 0, blg
    assert not re.search(bad_log, blg), blg
    for _ in range(2):
        assert run(latex, work).returncode == 0, tail(work / "doc.log")
    no_tex_errors(work / "doc.log")
    return work


@pytest.mark.parametrize("lib", LIBRARIES)
@pytest.mark.parametrize("style", STYLES)
def test_pdflatex_and_bibtex_typeset_the_export(
    lib: Library, style: str, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    require_tools()
    bib = export(lib, tmp_path, cli)
    preamble = _PREAMBLE_PDF % {"cjk": pdflatex_cjk(bib)}
    body = f"\\begin{{document}}\n\\nocite{{*}}\n\\bibliographystyle{{{style}}}\n"
    tex = f"{preamble}{body}\\bibliography{{lib}}\n\\end{{document}}\n"
    work = typeset(tmp_path, bib, tex, "pdflatex", "bibtex", r"error message|Warning--")
    entries = bib.count("\n@") + bib.startswith("@")
    assert (work / "doc.bbl").read_text(encoding="utf-8").count("\\bibitem") == entries
    shown = lib.shown
    if style in ("abbrv", "ieeetr", "acm"):
        shown = tuple((key, INITIALS.get(text, text)) for key, text in shown)
    assert_shows(pdf_text(work / "doc.pdf"), shown, bib)


@pytest.mark.parametrize("lib", LIBRARIES)
@pytest.mark.parametrize("engine", ["pdflatex", "lualatex"])
def test_biber_and_biblatex_typeset_the_export(
    lib: Library, engine: str, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    require_tools()
    bib = export(lib, tmp_path, cli)
    cjk = pdflatex_cjk(bib)
    preamble = _PREAMBLE_PDF % {"cjk": cjk} if engine == "pdflatex" else _PREAMBLE_LUA
    biblatex = (
        "\\usepackage[backend=biber,style=authoryear,maxnames=99]{biblatex}\n"
        "\\addbibresource{lib.bib}\n"
    )
    body = "\\begin{document}\n\\nocite{*}\n\\printbibliography\n\\end{document}\n"
    work = typeset(tmp_path, bib, preamble + biblatex + body, engine, "biber", r"\b(ERROR|WARN)\b")
    text = pdf_text(work / "doc.pdf")
    assert_shows(text, lib.shown + lib.shown_biblatex, bib)
    if engine == "lualatex" and lib is HOSTILE:
        assert_shows(text, CJK_SHOWN, bib)
