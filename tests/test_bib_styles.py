"""Formatted references (``bib.styles``): each built-in style against the style's own documented
examples, the item as citeproc-py gets it, HTML escaping, the Cite panel on a built page, and
that an unchanged note is not formatted again.

The documented examples are the styles' own reference examples:

- APA: APA Style, "Reference examples" (apastyle.apa.org/style-grammar-guidelines/references/
  examples): journal article no. 1 (Grady et al.), conference proceedings published in a journal
  (Duckworth et al.), preprint archive (Leuker et al.), webpage on a news website (Bologna).
  APA has no Chinese example: §9.38–9.39 of the Publication Manual (7th ed.) asks for the
  title's English translation in brackets and non-Latin script romanized.
- IEEE: the IEEE Reference Guide's periodical (Duncombe) and published-proceedings (Payne and
  Stern) examples, as reproduced at povinelli.eece.mu.edu/teaching/ieeeRefs.html. Its preprint
  and website examples were not in the sources at hand: those rows pin the style's output.
- GB/T 7714-2015: the standard's examples (Des Marais et al., the journal with "et al."; 贾东琴
  and 柯平, a paper in proceedings; 萧钰, an electronic resource; 袁训来 et al., "等"). The
  standard, from 2015, has no preprint example.

Each row is (documented, expected, why). ``expected`` is what the style must print; when
``why`` is empty it *is* the documented example, otherwise ``why`` says what CSL or citeproc-py
cannot do and ``expected`` is citeproc-py's exact output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from papernotes.bib import citeproc_names, styles
from papernotes.bib.styles import StyleSet, citeproc_item, packaged_style
from papernotes.build import build
from papernotes.config import load_config

from conftest import copy_fixture


def _names(*names: tuple[str, str]) -> list[dict[str, str]]:
    return [{"family": f, "given": g} for f, g in names]


_ZH_JOURNAL: dict[str, Any] = {
    "type": "article-journal",
    "title": "蓝田生物群：一个认识多细胞生物起源和早期演化的新窗口",
    "author": [
        {"family": f, "given": g}
        for f, g in [("袁", "训来"), ("陈", "哲"), ("肖", "书海"), ("万", "斌")]
    ],
    "issued": {"date-parts": [[2012]]},
    "container-title": "科学通报",
    "volume": "55",
    "issue": "34",
    "page": "3219",
}
_ARXIV: dict[str, Any] = {
    "type": "article",
    "title": "Attention is all you need",
    "author": _names(("Vaswani", "A."), ("Shazeer", "N."), ("Parmar", "N."), ("Uszkoreit", "J.")),
    "issued": {"date-parts": [[2017]]},
    "number": "arXiv:1706.03762",  # what bib.csl writes for a preprint (Zotero's mapping)
    "publisher": "arXiv",
    "URL": "https://arxiv.org/abs/1706.03762",
}
_NO_ROMANIZATION = (
    "APA wants the Chinese title romanized with an English translation in brackets; CSL has no "
    "transliteration and the note no translation, so the original script is printed"
)

CASES: list[tuple[str, str, dict[str, Any], str | None, str, str]] = [
    # (style, case, item, documented, expected, why expected differs)
    (
        "apa",
        "journal",
        {
            "type": "article-journal",
            "title": "Emotions in storybooks: A comparison of storybooks that represent ethnic "
            "and racial groups in the United States",
            "author": _names(
                ("Grady", "J. S."),
                ("Her", "M."),
                ("Moreno", "G."),
                ("Perez", "C."),
                ("Yelinek", "J."),
            ),
            "issued": {"date-parts": [[2019]]},
            "container-title": "Psychology of Popular Media Culture",
            "volume": "8",
            "issue": "3",
            "page": "207-217",
            "DOI": "10.1037/ppm0000185",
        },
        "Grady, J. S., Her, M., Moreno, G., Perez, C., & Yelinek, J. (2019). Emotions in "
        "storybooks: A comparison of storybooks that represent ethnic and racial groups in the "
        "United States. Psychology of Popular Media Culture, 8(3), 207–217. "
        "https://doi.org/10.1037/ppm0000185",
        "",
        "",
    ),
    (
        "apa",
        "conference paper",
        {
            "type": "paper-conference",
            "title": "Cognitive and noncognitive predictors of success",
            "author": _names(
                ("Duckworth", "A. L."),
                ("Quirk", "A."),
                ("Gallop", "R."),
                ("Hoyle", "R. H."),
                ("Kelly", "D. R."),
                ("Matthews", "M. D."),
            ),
            "issued": {"date-parts": [[2019]]},
            "container-title": "Proceedings of the National Academy of Sciences, USA",
            "volume": "116",
            "issue": "47",
            "page": "23499-23504",
            "DOI": "10.1073/pnas.1910510116",
        },
        "Duckworth, A. L., Quirk, A., Gallop, R., Hoyle, R. H., Kelly, D. R., & Matthews, M. D. "
        "(2019). Cognitive and noncognitive predictors of success. Proceedings of the National "
        "Academy of Sciences, USA, 116(47), 23499–23504. https://doi.org/10.1073/pnas.1910510116",
        "",
        "",
    ),
    (
        "apa",
        "preprint",
        {
            "type": "article",
            "title": "When money talks: Judging risk and coercion in high-paying clinical trials",
            "author": _names(
                ("Leuker", "C."), ("Samartzidis", "L."), ("Hertwig", "R."), ("Pleskac", "T. J.")
            ),
            "issued": {"date-parts": [[2020]]},
            "publisher": "PsyArXiv",
            "DOI": "10.17605/OSF.IO/9P7CB",
        },
        "Leuker, C., Samartzidis, L., Hertwig, R., & Pleskac, T. J. (2020). When money talks: "
        "Judging risk and coercion in high-paying clinical trials. PsyArXiv. "
        "https://doi.org/10.17605/OSF.IO/9P7CB",
        "",
        "",
    ),
    (
        "apa",
        "web page",
        {
            "type": "webpage",
            "title": "Why some people with anxiety love watching horror movies",
            "author": _names(("Bologna", "C.")),
            "issued": {"date-parts": [[2019, 10, 31]]},
            "container-title": "HuffPost",
            "URL": "https://www.huffpost.com/entry/anxiety-love-watching-horror-movies_l_5d277587e4b02a5a5d57b59e",
        },
        "Bologna, C. (2019, October 31). Why some people with anxiety love watching horror movies. "
        "HuffPost. https://www.huffpost.com/entry/anxiety-love-watching-horror-movies_l_5d277587e4b02a5a5d57b59e",
        "",
        "",
    ),
    (
        "apa",
        "Chinese journal article",
        _ZH_JOURNAL,
        None,
        "袁训来, 陈哲, 肖书海, & 万斌. (2012). 蓝田生物群：一个认识多细胞生物起源和早期演化的新窗口. "
        "科学通报, 55(34), 3219.",
        _NO_ROMANIZATION,
    ),
    (
        "ieee",
        "journal",
        {
            "type": "article-journal",
            "title": "Infrared navigation—Part I: An assessment of feasibility",
            "author": _names(("Duncombe", "J. U.")),
            "issued": {"date-parts": [[1959, 1]]},
            "container-title": "IEEE Trans. Electron Devices",
            "volume": "ED-11",
            "page": "34-39",
        },
        "J. U. Duncombe, “Infrared navigation—Part I: An assessment of feasibility,” IEEE Trans. "
        "Electron Devices, vol. ED-11, pp. 34–39, Jan. 1959.",
        "J. U. Duncombe, “Infrared navigation—Part I: An assessment of feasibility,” IEEE Trans. "
        "Electron Devices, vol. ED–11, pp. 34–39, Jan. 1959.",
        "citeproc-py takes any hyphen in a number variable for a range and prints an en dash "
        "(ED–11); not fixed after the fact, since a real range needs the dash",
    ),
    (
        "ieee",
        "conference paper",
        {
            "type": "paper-conference",
            "title": "Wavelength-switched passively coupled single-mode optical network",
            "author": _names(("Payne", "D. B."), ("Stern", "J. R.")),
            "issued": {"date-parts": [[1985]]},
            "container-title": "Proc. IOOC-ECOC",
            "page": "585-590",
        },
        "D. B. Payne and J. R. Stern, “Wavelength-switched passively coupled single-mode optical "
        "network,” in Proc. IOOC-ECOC, 1985, pp. 585–590.",
        "",
        "",
    ),
    (
        "ieee",
        "preprint",
        _ARXIV,
        None,
        "A. Vaswani, N. Shazeer, N. Parmar, and J. Uszkoreit, “Attention is all you need,” 2017, "
        "arXiv: arXiv:1706.03762. [Online]. Available: https://arxiv.org/abs/1706.03762",
        "no IEEE example at hand; ieee.csl prints the repository then the number, and CSL-JSON "
        "(Zotero) holds the number as arXiv:ID, hence 'arXiv: arXiv:'",
    ),
    (
        "ieee",
        "web page",
        {
            "type": "webpage",
            "title": "出版业信息化迈入快车道",
            "author": [{"family": "萧", "given": "钰"}],
            "issued": {"date-parts": [[2001, 12, 19]]},
            "accessed": {"date-parts": [[2002, 4, 15]]},
            "URL": "http://www.creader.com/news/20011219/200112190019.html",
        },
        None,
        "萧钰, “出版业信息化迈入快车道.” Accessed: Apr. 15, 2002. [Online]. Available: "
        "http://www.creader.com/news/20011219/200112190019.html",
        "no IEEE website example at hand: the row pins ieee.csl's layout (title, accessed date, "
        "URL), and the whole CJK name",
    ),
    (
        "ieee",
        "Chinese journal article",
        _ZH_JOURNAL,
        None,
        "袁训来, 陈哲, 肖书海, and 万斌, “蓝田生物群：一个认识多细胞生物起源和早期演化的新窗口,” 科学通报, "
        "vol. 55, no. 34, p. 3219, 2012.",
        "IEEE documents no Chinese example; the names stay whole, family name first",
    ),
    (
        "gb7714",
        "journal",
        {
            "type": "article-journal",
            "title": "Carbon isotope evidence for the stepwise oxidation of the Proterozoic environment",
            "author": _names(
                ("Des Marais", "D. J."), ("Strauss", "H."), ("Summons", "R. E."), ("Hayes", "J. M.")
            ),
            "issued": {"date-parts": [[1992]]},
            "container-title": "Nature",
            "volume": "359",
            "page": "605-609",
        },
        "DES MARAIS D J, STRAUSS H, SUMMONS R E, et al. Carbon isotope evidence for the stepwise "
        "oxidation of the Proterozoic environment[J]. Nature, 1992, 359: 605-609.",
        "",
        "",
    ),
    (
        "gb7714",
        "conference paper",
        {
            "type": "paper-conference",
            "title": "面向数字素养的高校图书馆数字服务体系研究",
            "author": [{"family": "贾", "given": "东琴"}, {"family": "柯", "given": "平"}],
            "editor": [{"literal": "中国图书馆学会"}],
            "container-title": "中国图书馆学会年会论文集：2011年卷",
            "publisher-place": "北京",
            "publisher": "国家图书馆出版社",
            "issued": {"date-parts": [[2011]]},
            "page": "45-52",
        },
        "贾东琴, 柯平. 面向数字素养的高校图书馆数字服务体系研究[C]//中国图书馆学会. "
        "中国图书馆学会年会论文集：2011年卷. 北京: 国家图书馆出版社, 2011: 45-52.",
        "",
        "",
    ),
    (
        "gb7714",
        "preprint",
        {**_ARXIV, "accessed": {"date-parts": [[2023, 5, 1]]}},
        None,
        "VASWANI A, SHAZEER N, PARMAR N, et al. Attention is all you need[A/OL]. arXiv, "
        "2017[2023-05-01]. https://arxiv.org/abs/1706.03762.",
        "the 2015 standard has no preprint example; the style types one [A] (archive)",
    ),
    (
        "gb7714",
        "web page",
        {
            "type": "webpage",
            "title": "出版业信息化迈入快车道",
            "author": [{"family": "萧", "given": "钰"}],
            "issued": {"date-parts": [[2001, 12, 19]]},
            "accessed": {"date-parts": [[2002, 4, 15]]},
            "URL": "http://www.creader.com/news/20011219/200112190019.html",
        },
        "萧钰. 出版业信息化迈入快车道[EB/OL]. (2001-12-19)[2002-04-15]. "
        "http://www.creader.com/news/20011219/200112190019.html.",
        "",
        "",
    ),
    (
        "gb7714",
        "Chinese journal article",
        _ZH_JOURNAL,
        "袁训来, 陈哲, 肖书海, 等. 蓝田生物群：一个认识多细胞生物起源和早期演化的新窗口[J]. 科学通报, "
        "2012, 55(34): 3219.",
        "",
        "",
    ),
]


@pytest.fixture(scope="module")
def builtin() -> StyleSet:
    return StyleSet([packaged_style(name) for name, _ in styles.BUILTIN_STYLES])


@pytest.mark.parametrize(
    ("style", "case", "item", "documented", "expected", "why"),
    CASES,
    ids=[f"{c[0]}-{c[1]}" for c in CASES],
)
def test_each_style_prints_its_documented_examples(
    builtin: StyleSet,
    style: str,
    case: str,
    item: dict[str, Any],
    documented: str | None,
    expected: str,
    why: str,
) -> None:
    want = expected or documented
    refs = {r.style: r for r in builtin.format({"id": case, **item})}
    assert refs[style].text == want
    # A row either matches the documentation or says why not.
    assert (want == documented) != bool(why)


def test_every_case_is_there_for_every_style() -> None:
    cases = {"journal", "conference paper", "preprint", "web page", "Chinese journal article"}
    for name, _ in styles.BUILTIN_STYLES:
        assert {c[1] for c in CASES if c[0] == name} == cases


@pytest.mark.parametrize(
    ("item", "language", "authors"),
    [
        (
            {"title": "Attention", "author": _names(("Vaswani", "A."))},
            None,
            [{"family": "Vaswani", "given": "A."}],
        ),
        (
            {"title": "蓝田生物群", "author": [{"family": "袁", "given": "训来"}]},
            "zh",
            [{"literal": "袁训来"}],
        ),
        ({"title": "Title", "author": [{"literal": "杨植麟"}]}, "zh", [{"literal": "杨植麟"}]),
        ({"title": "ひらがなの研究"}, "ja", None),
        ({"title": "한국어 연구"}, "ko", None),
        ({"title": "English", "language": "de"}, "de", None),
    ],
)
def test_citeproc_item_language_and_cjk_names(
    item: dict[str, Any], language: str | None, authors: list[dict[str, str]] | None
) -> None:
    ready = citeproc_item({"id": "k", "type": "article-journal", **item})
    assert ready.get("language") == language
    assert ready.get("author") == authors


@pytest.mark.parametrize(
    ("kind", "kept"), [("article", True), ("paper-conference", False), ("article-journal", False)]
)
def test_an_arxiv_number_is_printed_only_for_a_preprint(kind: str, kept: bool) -> None:
    ready = citeproc_item({"id": "k", "type": kind, "title": "T", "number": "arXiv:2106.09685"})
    assert ("number" in ready) is kept


def test_an_item_without_year_or_authors_still_formats(builtin: StyleSet) -> None:
    item = {
        "id": "k",
        "type": "document",
        "title": "Untitled draft",
        "issued": {"date-parts": [[None]]},
    }
    assert "issued" not in citeproc_item(item)
    refs = builtin.format(item)
    assert [r.style for r in refs] == ["apa", "ieee", "gb7714"]
    assert all("Untitled draft" in r.text for r in refs)


@pytest.mark.parametrize(
    ("given", "apa", "ieee", "gb7714"),
    [
        # A romanised Korean or Chinese given name: the part after the hyphen is a name too
        # (citeproc-py took "jun" for a particle: "Kim, M.-. jun .").
        ("Min-jun", "Kim, M.-J., & Lee, K.", "M.-J. Kim and K. Lee", "KIM M J, LEE K"),
        ("Jae-won", "Kim, J.-W., & Lee, K.", "J.-W. Kim and K. Lee", "KIM J W, LEE K"),
        ("Ming-Wei", "Kim, M.-W., & Lee, K.", "M.-W. Kim and K. Lee", "KIM M W, LEE K"),
        ("Hyung Won", "Kim, H. W., & Lee, K.", "H. W. Kim and K. Lee", "KIM H W, LEE K"),
    ],
)
def test_a_hyphenated_given_name_is_initialised_part_by_part(
    builtin: StyleSet, given: str, apa: str, ieee: str, gb7714: str
) -> None:
    item = {
        "id": "k",
        "type": "paper-conference",
        "title": "T",
        "author": [{"family": "Kim", "given": given}, {"family": "Lee", "given": "Kenton"}],
        "issued": {"date-parts": [[2019]]},
        "container-title": "ACL",
    }
    got = {r.style: r.text for r in builtin.format(item)}
    assert all(hasattr(getattr(c, m), "__wrapped__") for c, m, _ in citeproc_names.TARGETS)
    assert got["apa"].startswith(apa + " (2019)")
    assert got["ieee"].startswith(ieee + ", “T,”")
    assert got["gb7714"].startswith(gb7714 + ". T[C]")


def test_html_escapes_the_item_and_keeps_the_style_markup(builtin: StyleSet) -> None:
    item = {
        "id": "x",
        "type": "article-journal",
        "title": "<script>alert(1)</script> & <b>bold</b>",
        "author": [{"family": "O'Neil & <i>Sons</i>", "given": "A."}],
        "issued": {"date-parts": [[2020]]},
        "container-title": "<img src=x onerror=alert(1)>",
    }
    for ref in builtin.format(item):
        soup = BeautifulSoup(ref.html, "html.parser")
        assert {t.name for t in soup.find_all(True)} <= {"i", "b", "span", "sup", "sub"}
        assert "<script>alert(1)</script> & <b>bold</b>" in ref.text
        assert soup.get_text() == ref.text
    apa = builtin.format(item)[0]
    # The journal in italics (the style's markup), its text escaped (APA title-cases it).
    assert "<i>&lt;img Src=x Onerror=alert(1)&gt;</i>" in apa.html


def test_bibliography_sorts_as_the_style_does_and_keeps_each_language(builtin: StyleSet) -> None:
    english = {**CASES[10][2], "id": "e"}  # Des Marais et al. (4 authors)
    chinese = {**_ZH_JOURNAL, "id": "z"}
    apa = builtin.bibliography("apa", [chinese, english])
    assert apa[0].startswith("Des Marais") and apa[1].startswith("袁训来")
    gb = builtin.bibliography("gb7714", [chinese, english])  # numeric: in the order given
    assert gb[0].startswith("袁训来") and "等." in gb[0] and "et al." in gb[1]


@pytest.fixture
def small_site(tmp_path: Path) -> tuple[Path, Path]:
    root = copy_fixture("small", tmp_path)
    out = tmp_path / "site"
    config, _ = load_config(root)
    report = build(root, config, out=out, workers=1)
    assert report.written is not None, report.diagnostics
    return root, out


def test_the_cite_panel_shows_each_style_with_a_copy_button(small_site: tuple[Path, Path]) -> None:
    _, out = small_site
    soup = BeautifulSoup((out / "papers/hu2021lora.html").read_text("utf-8"), "html.parser")
    panel = soup.select_one("section.cite-panel")
    assert panel is not None and panel.h2 is not None and panel.h2.get_text() == "Cite"
    blocks = panel.select("details.cite-style")
    assert [d.summary.get_text() for d in blocks] == ["APA 7", "IEEE", "GB/T 7714-2015"]
    for details in blocks:
        assert details.has_attr("open")  # readable without JavaScript
        ref = details.select_one("p.reference")
        # The Copy button is papernotes.js's (test_browser.py presses it): the page names the
        # text it copies by id, and carries no button that would do nothing without script.
        assert ref is not None and ref["id"] and details.select_one("button") is None
    texts = [d.select_one("p.reference").get_text() for d in blocks]
    assert texts[1] == (
        "E. J. Hu, Y. Shen, and P. Wallis, “LoRA: Low-Rank Adaptation of Large Language Models,” "
        "in ICLR 2022, 2022."
    )
    assert texts[2].startswith("HU E J, SHEN Y, WALLIS P. LoRA")
    assert soup.select_one("#bibtex-entry") is not None  # the BibTeX entry stays
    assert soup.select_one('a[href="#cite"]') is not None


def test_the_cite_panel_escapes_a_hostile_note(small_site: tuple[Path, Path]) -> None:
    _, out = small_site
    page = next(p for p in (out / "papers").glob("*.html") if "evil" in p.name)
    html = page.read_text("utf-8")
    panel = BeautifulSoup(html, "html.parser").select_one("section.cite-panel")
    assert panel is not None
    assert panel.find("script") is None and panel.find("img") is None
    assert "<script>alert('title')</script>" in panel.get_text()


def test_an_unchanged_note_is_not_formatted_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_fixture("small", tmp_path)
    config, _ = load_config(root)
    formatted: list[str] = []
    real = StyleSet.format

    def counting(self: StyleSet, item: Any) -> Any:
        formatted.append(item["id"])
        return real(self, item)

    monkeypatch.setattr(StyleSet, "format", counting)
    out = tmp_path / "site"
    assert build(root, config, out=out, workers=1).written is not None
    assert sorted(formatted) == ["evil:key.1", "houlsby2019parameter", "hu2021lora"]
    lora = root / "papers/peft/lora.md"
    formatted.clear()
    lora.write_text(lora.read_text("utf-8") + "\nAnother line of notes.\n", "utf-8")
    assert build(root, config, out=out, workers=1).written is not None
    assert formatted == []  # the body changed, not the reference
    lora.write_text(lora.read_text("utf-8").replace("tags: [peft, 低秩]", "tags: [peft]"), "utf-8")
    assert build(root, config, out=out, workers=1).written is not None
    assert formatted == []  # nor do tags, which no style prints
    formatted.clear()
    lora.write_text(lora.read_text("utf-8").replace("LoRA:", "LoRA —", 1), "utf-8")
    assert build(root, config, out=out, workers=1).written is not None
    assert formatted == ["hu2021lora"]
    page = (out / "papers/hu2021lora.html").read_text("utf-8")
    assert "LoRA — Low-Rank" in BeautifulSoup(page, "html.parser").select_one("#cite-1").get_text()
