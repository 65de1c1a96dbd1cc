"""The two .bib flavours: ``bibtex`` (ASCII, TeX commands for letters, BibTeX's vocabulary) and
``biblatex`` (UTF-8, biblatex's types and fields): the letter and name encodings, their
idempotence, the type and field maps, and that each flavour of the tests/fixtures/bibflavours
library reads back with pybtex to the same entries."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pybtex.database import Entry, parse_string

from papernotes.bib.biblatex import bibtex_type, month_number, to_biblatex, to_bibtex
from papernotes.bib.export import FLAVOURS, format_bib, format_entry
from papernotes.bib.names import person_parts
from papernotes.bib.texascii import ascii_char, ascii_name, ascii_tex, ascii_url
from papernotes.bib.unlatex import latex_to_text, verbatim_text
from papernotes.build import read_library
from papernotes.cjk import has_cjk
from papernotes.config import load_config
from papernotes.model import Author, CiteKey, Metadata

from conftest import copy_fixture

FIXTURE = Path(__file__).parent / "fixtures" / "bibflavours"

# --------------------------------------------------------------------------- letters and names

LETTERS = [
    ("Ł", r"{\L}"),
    ("ł", r"{\l}"),
    ("Ú", r"{\'U}"),
    ("Ç", r"{\c{C}}"),
    ("ç", r"{\c{c}}"),
    ("ğ", r"{\u{g}}"),
    ("í", r"{\'i}"),  # not latexcodec's \'\i, which biber reads as ı + U+0301
    ("ı", r"{\i}"),
    ("ö", r"{\"o}"),
    ("ß", r"{\ss}"),
    ("ø", r"{\o}"),
    ("å", r"{\aa}"),
    ("Å", r"{\AA}"),
    ("ñ", r"{\~n}"),
    ("š", r"{\v{s}}"),
    ("Ž", r"{\v{Z}}"),
    ("ő", r"{\H{o}}"),
    ("ą", r"{\k{a}}"),
    ("ż", r"{\.z}"),
    ("æ", r"{\ae}"),
    ("ǐ", r"{\v{i}}"),  # pinyin
    ("ạ", r"{\d{a}}"),  # not in latexcodec: from the decomposition
    ("ễ", r"{\~{\^e}}"),  # two accents, the inner one braced
    ("ệ", r"{\^{\d{e}}}"),
    ("’", "'"),
    ("“", "``"),
    ("–", "--"),
    ("«", r"{\guillemotleft}"),
    ("ﬁ", "fi"),  # a ligature as its letters
    ("Ǆ", r"D{\v{Z}}"),
    ("…", "..."),
]


@pytest.mark.parametrize(("char", "tex"), LETTERS)
def test_a_letter_is_one_braced_tex_command(char: str, tex: str) -> None:
    assert ascii_char(char) == tex
    assert tex.isascii()


@pytest.mark.parametrize("char", ["杨", "語", "한", "：", "Ж", "×", "€", "½", "😀"])
def test_a_character_tex_has_no_command_for_stays_utf8(char: str) -> None:
    assert ascii_char(char) is None
    assert ascii_tex(f"a{char}b") == f"a{char}b"


NAMES = [
    ("Kaiser, Łukasz", r"Kaiser, {\L}ukasz"),
    ("Erlingsson, Úlfar", r"Erlingsson, {\'U}lfar"),
    ("Gülçehre, Çağlar", r"G{\"u}l{\c{c}}ehre, {\c{C}}a{\u{g}}lar"),
    ("Abadi, Martín", r"Abadi, Mart{\'i}n"),
    ("Kierkegaard, Søren", r"Kierkegaard, S{\o}ren"),
    ("Žižek, Slavoj", r"{\v{Z}}i{\v{z}}ek, Slavoj"),
    ("Çakmak, Ali", r"{\c{C}}akmak, Ali"),
    ("{杨植麟}", r"{\relax 杨植麟}"),
    ("{田中 英輝}", r"{\relax 田中 英輝}"),
    ("{Acme \\& Sons}", "{Acme \\& Sons}"),
    ("de la Fuente, José", r"de la Fuente, Jos{\'e}"),
]


@pytest.mark.parametrize(("name", "written"), NAMES)
def test_name_encoding(name: str, written: str) -> None:
    assert ascii_name(name) == written


def test_a_combining_accent_is_composed_first() -> None:
    assert ascii_tex("Jose\u0301") == ascii_tex("José") == r"Jos{\'e}"


@pytest.mark.parametrize(
    ("url", "written"),
    [
        ("https://example.org/a_b~c%20#x", "https://example.org/a_b~c%20#x"),
        ("https://example.cn/论文_1", "https://example.cn/%E8%AE%BA%E6%96%87_1"),
        ("https://de.wikipedia.org/wiki/Müller", "https://de.wikipedia.org/wiki/M%C3%BCller"),
    ],
)
def test_a_verbatim_field_is_percent_encoded(url: str, written: str) -> None:
    assert ascii_url(url) == written


LATIN = [
    chr(cp)
    for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]
    if chr(cp).isalpha() and ascii_char(chr(cp)) is not None
]


def test_latin_letters_with_a_command_are_encoded() -> None:
    # Latin-1, Latin Extended-A and B, Latin Extended Additional: 430 of them have one.
    assert len(LATIN) >= 400
    assert {"Ł", "Ç", "ğ", "í", "ø", "Ž", "ß", "ạ", "ễ"} <= set(LATIN)


@pytest.mark.parametrize(
    "text",
    ["Łukasz Kaiser", "Çağlar Gülçehre", "Martín Abadi", "Nguyễn Thị Ạnh", "Søren Žižek",
     "Straße Ångström Peña", "Müller’s “quoted” – text", "Kıvanç Özgür", "".join(LATIN)],
)  # fmt: skip
def test_encoding_is_stable_through_decoding(text: str) -> None:
    """encode(decode(encode(x))) == encode(x), and decoding gives x back (NFC)."""
    encoded = ascii_tex(text)
    assert encoded.isascii()
    decoded = latex_to_text(encoded)
    # ’ is TeX's ' (the same glyph); ligatures are their letters.
    expected = unicodedata.normalize("NFKC", text.replace("’", "'")).replace("ʼ", "'")
    assert unicodedata.normalize("NFKC", decoded) == expected
    assert ascii_tex(decoded) == encoded


# --------------------------------------------------------------------------- types and fields


@pytest.mark.parametrize(
    ("value", "number"),
    [("7", 7), ("07", 7), ("jul", 7), ("July", 7), ("Sept.", 9), ("sep", 9), ("may", 5),
     ("13", None), ("0", None), ("Ju", None), ("Summer", None), ("", None)],
)  # fmt: skip
def test_month_number(value: str, number: int | None) -> None:
    assert month_number(value) == number


@pytest.mark.parametrize(
    ("kind", "bibtex"),
    [("article", "article"), ("online", "misc"), ("report", "techreport"),
     ("thesis", "phdthesis"), ("collection", "book"), ("dataset", "misc"),
     ("software", "misc"), ("inreference", "incollection"), ("periodical", "article")],
)  # fmt: skip
def test_bibtex_type(kind: str, bibtex: str) -> None:
    assert bibtex_type(kind) == bibtex


def entry(kind: str, **fields: str) -> Entry:
    return Entry(kind, fields=fields)


@pytest.mark.parametrize(
    ("given", "kind", "fields"),
    [
        (entry("article", journal="J", year="2020", month="7"), "article",
         {"journaltitle": "J", "date": "2020-07"}),
        (entry("misc", title="T", year="2020", url="u"), "online",
         {"title": "T", "date": "2020", "url": "u"}),
        (entry("misc", year="2021", eprint="2106.09685", archivePrefix="arXiv",
               primaryClass="cs.CL"), "online",
         {"date": "2021", "eprint": "2106.09685", "eprinttype": "arxiv", "eprintclass": "cs.CL"}),
        (entry("misc", howpublished="Blog", url="u", year="2018"), "misc",
         {"howpublished": "Blog", "url": "u", "date": "2018"}),
        (entry("online", howpublished="OpenAI", url="u"), "online",
         {"organization": "OpenAI", "url": "u"}),
        (entry("phdthesis", school="S", address="A", year="2022"), "thesis",
         {"institution": "S", "location": "A", "date": "2022", "type": "phdthesis"}),
        (entry("mastersthesis", school="S"), "thesis", {"institution": "S", "type": "mathesis"}),
        (entry("techreport", institution="I"), "report",
         {"institution": "I", "type": "techreport"}),
        (entry("inproceedings", booktitle="B", year="400 BC"), "inproceedings",
         {"booktitle": "B", "year": "400 BC"}),
        (entry("article", year="2020", month="Summer"), "article",
         {"year": "2020", "month": "Summer"}),
    ],
)  # fmt: skip
def test_to_biblatex(given: Entry, kind: str, fields: dict[str, str]) -> None:
    out = to_biblatex(given)
    assert (out.type, dict(out.fields)) == (kind, fields)


@pytest.mark.parametrize(
    ("given", "kind", "fields"),
    [
        (entry("online", organization="OpenAI", url="u"), "misc",
         {"howpublished": "OpenAI", "url": "u"}),
        (entry("thesis", institution="S", type="mathesis", location="A"), "mastersthesis",
         {"school": "S", "address": "A"}),
        (entry("thesis", institution="S", type="phdthesis"), "phdthesis", {"school": "S"}),
        (entry("report", institution="I", type="techreport"), "techreport", {"institution": "I"}),
        (entry("article", journaltitle="J", date="2019-07-15"), "article",
         {"journal": "J", "year": "2019", "month": "7"}),
        (entry("misc", eprinttype="arxiv", eprintclass="cs.CL", year="2020"), "misc",
         {"archivePrefix": "arxiv", "primaryClass": "cs.CL", "year": "2020"}),
        (entry("dataset", title="D"), "misc", {"title": "D"}),
    ],
)  # fmt: skip
def test_to_bibtex(given: Entry, kind: str, fields: dict[str, str]) -> None:
    out = to_bibtex(given)
    assert (out.type, dict(out.fields)) == (kind, fields)


# --------------------------------------------------------------------------- the fixture


def library() -> list[Metadata]:
    config, _ = load_config(FIXTURE)
    lib, diags = read_library(FIXTURE, config, strict=True)
    assert not diags
    return [n.meta for n in lib.notes.values()]


def meaning(bib: str) -> dict[str, tuple[str, dict[str, str], dict[str, list[tuple[str, ...]]]]]:
    """Each entry as BibTeX reads it, in BibTeX's vocabulary and as plain Unicode text."""
    out = {}
    for key, parsed in parse_string(bib, "bibtex").entries.items():
        plain = to_bibtex(parsed)
        fields = {
            name.lower(): verbatim_text(v) if name.lower() in ("url", "doi", "eprint")
            else unicodedata.normalize("NFKC", latex_to_text(v).replace("’", "'"))
            for name, v in plain.fields.items()
        }  # fmt: skip
        if "month" in fields:
            fields["month"] = str(month_number(fields["month"]))
        if "archiveprefix" in fields:
            fields["archiveprefix"] = fields["archiveprefix"].lower()
        people = {role: [person_parts(p) for p in ps] for role, ps in plain.persons.items()}
        out[key] = (plain.type, fields, people)
    return out


def test_each_flavour_reads_back_to_the_same_entries() -> None:
    metas = library()
    utf8 = meaning(format_bib(metas))
    assert len(utf8) == len(metas) == 9
    for flavour in FLAVOURS:
        assert meaning(format_bib(metas, flavour)) == utf8, flavour


def test_the_bibtex_flavour_is_ascii_but_for_cjk() -> None:
    bib = format_bib(library(), "bibtex")
    assert {ch for ch in bib if not ch.isascii() and not has_cjk(ch)} <= {"："}  # fullwidth colon
    for written in [r"{\L}ukasz", r"{\'U}lfar", r"{\c{C}}akmak", r"Mart{\'i}n", r"{\ss}",
                    r"{\o}", r"{\AA}", r"{\~n}", r"{\v{Z}}", r"{\relax 杨植麟}", "month = jul",
                    "@misc{web2023page", "archivePrefix = {arXiv}", "school = "]:  # fmt: skip
        assert written in bib, written


def test_the_biblatex_flavour_is_utf8_in_biblatex_vocabulary() -> None:
    bib = format_bib(library(), "biblatex")
    for written in ["Kaiser, Łukasz", "{杨植麟}", "@online{web2023page", "@online{hu2021preprint",
                    "eprinttype = {arxiv}", "eprintclass = {cs.CL}", "date = {2017-07}",
                    "journaltitle = {Journal of Sorting}", "location = {Zürich, Switzerland}",
                    "@thesis{roe2022thesis", "type = {phdthesis}", "@report{demir2019after",
                    "institution = {Université de Montréal}", "doi = {10.1000/a_b_c}"]:  # fmt: skip
        assert written in bib, written
    assert "\\relax" not in bib and "year =" not in bib and "month =" not in bib


def test_a_paper_page_entry_defaults_to_no_flavour() -> None:
    m = Metadata(key=CiteKey("x"), title="T", authors=(Author("Kaiser", "Łukasz"),), year=2017)
    assert "Kaiser, Łukasz" in format_entry(m)
    assert r"Kaiser, {\L}ukasz" in format_entry(m, "bibtex")


# --------------------------------------------------------------------------- cli and site


def test_bib_format_biblatex_writes_and_replaces_a_bib_file(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "refs.bib"
    for _ in range(2):  # the second run replaces the file the first one wrote
        result = cli("bib", "--root", str(FIXTURE), "--format", "biblatex", "-o", str(out))
        assert result.code == 0, result.err
    assert out.read_text(encoding="utf-8") == format_bib(library(), "biblatex")
    assert "wrote 9 entries" in result.err


def test_the_site_has_both_flavours_linked_from_the_home_page_and_reached_from_every_page(
    tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    root = copy_fixture("bibflavours", tmp_path)
    out = tmp_path / "site"
    assert cli("build", "--root", str(root), "--out", str(out)).code == 0
    metas = library()
    assert (out / "library.bib").read_text(encoding="utf-8") == format_bib(metas, "bibtex")
    biblatex = (out / "library-biblatex.bib").read_text(encoding="utf-8")
    assert biblatex == format_bib(metas, "biblatex")
    # A paper's entry is on its page (downloaded from there as kaiser2017one.bib).
    page = BeautifulSoup((out / "papers" / "kaiser2017one.html").read_text("utf-8"), "html.parser")
    paper = page.select_one("#bibtex-entry").get_text()
    assert paper == format_entry(next(m for m in metas if m.key == "kaiser2017one"), "bibtex")
    # Both files are named in the home page's Export section; every other page's footer
    # leads there (one link, not four on every page).
    home = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    named = {a["href"] for a in home.select("#export a")}
    assert {"library.bib", "library-biblatex.bib"} <= named
    paper_footer = page.select_one("footer")
    assert paper_footer is not None
    assert "../index.html#export" in {a["href"] for a in paper_footer.select("a")}


def test_a_name_asks_latexcodec_of_its_own_letters_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each character's TeX is made on first sight: a page naming one Phạm asks of "ạ", not of
    # the thousand letters of the Latin and Greek blocks (a tenth of an edit build); a García
    # asks of nothing, its "í" being one of the letters bib.texletters holds.
    from papernotes.bib import texascii

    texascii._table.cache_clear()
    asked: list[str] = []
    real = texascii._from_latexcodec
    monkeypatch.setattr(texascii, "_from_latexcodec", lambda ch: asked.append(ch) or real(ch))
    first = ascii_name("Phạm, García")
    assert first == ascii_name("Phạm, García") == "Ph{\\d{a}}m, Garc{\\'i}a"
    assert asked == ["ạ"]
    texascii._table.cache_clear()
