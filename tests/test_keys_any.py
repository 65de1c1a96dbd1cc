"""Keys are sacred (issue 11): every key BibTeX and biber read survives import, build and
export unchanged, can be cited from a note body and from ``cites:``, gets a page of its own
that links resolve to (from ``file://`` too), and is cited without an undefined citation by
real pdflatex + bibtex and pdflatex + biber + biblatex."""

from __future__ import annotations

import json
import posixpath
import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup, Tag
from test_bib_typeset import require_tools, typeset

from papernotes import urls
from papernotes.ids import KEY_RE, key_problem
from papernotes.notes.file import note_name
from papernotes.notes.importbib import import_bib
from papernotes.notes.match import NoteIndex
from papernotes.search.shards import unpack_rows

# Real-world keys, and keys holding every character BibTeX and biber both read. Three keys
# share one portable file name (smith_article.md), two more differ in it only by case.
KEYS = (
    "smith/article",
    "smith:article",
    "smith_article",
    "DoeLR+19",
    "Müller:2020",
    "a.b-c_d:e",
    "x&y",
    "中文2020",
    "Ab/c",
    "aB:c",
    "..",
    ".hidden",
    "CON",
    "d.",
    "-lead",
    "arXiv:2106.09685",
    "10.1000/xyz",
    "a!$*;<>?@[]^`|z",
    "Liu2022",
    "</script><b>",
)


@pytest.mark.parametrize("key", KEYS)
def test_every_real_world_key_is_a_key(key: str) -> None:
    assert KEY_RE.fullmatch(key) and key_problem(key) is None


# -- page names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "slug"),
    [
        ("smith/article", "smith~2farticle"),
        ("DoeLR+19", "DoeLR~2b19"),
        ("o.neil", "o.neil"),
        ("Müller", "M~c3~bcller"),
        ("中", "~e4~b8~ad"),
        ("..", "~2e."),
        ("a:b", "a~3ab"),
    ],
)
def test_key_slug_encodes_each_utf8_byte(key: str, slug: str) -> None:
    assert urls.key_slug(key) == slug


def test_page_names_are_distinct_on_case_insensitive_file_systems() -> None:
    """ ":" + "2d" and U+3A2D (one code point, hex 3a2d) would share ``~3a2d`` if code points
    were written in hex; "É" and "é" are one key ignoring case, so need not be apart."""
    keys = [*KEYS, ":2d", "\u3a2d", "ü", "Ü0", "~", "Straße", "Strasse", "\U0001f600"]
    keys = [k for k in keys if k != "~"]
    names = [posixpath.basename(urls.paper_page(k)) for k in keys]
    assert len({urls.fold_name(n) for n in names}) == len(set(keys))
    for name in names:
        assert name.isascii() and "/" not in name and not name.startswith(".")


def test_code_points_a_key_may_hold_make_distinct_safe_page_names() -> None:
    # Every one- and two-byte UTF-8 character, and a sample of the longer ones.
    points = [*range(0x800), *range(0x800, sys.maxunicode + 1, 61)]
    allowed = [chr(c) for c in points if KEY_RE.fullmatch("a" + chr(c))]
    slugs = {urls.key_slug("a" + ch) for ch in allowed}
    assert len(slugs) == len(allowed) > 18_000
    assert all(re.fullmatch(r"a(?:[A-Za-z0-9_.-]|~[0-9a-f]{2})*", s) for s in slugs)


def test_refused_characters_are_the_documented_ones() -> None:
    """Printable ASCII: only what biber or LaTeX cannot take; beyond ASCII only white space,
    controls and invisible format characters."""
    import unicodedata

    refused = {chr(c) for c in range(sys.maxunicode + 1) if not KEY_RE.fullmatch(chr(c))}
    assert {ch for ch in refused if " " < ch < "\x7f"} == set("\"#%'(),={}\\~")
    assert all(unicodedata.category(ch)[0] in "CZ" for ch in refused if ord(ch) >= 0x7F)
    for ch in map(chr, range(sys.maxunicode + 1)):
        if unicodedata.category(ch) in ("Cc", "Zs", "Zl", "Zp"):
            assert ch in refused, hex(ord(ch))


# -- note file names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "taken", "name"),
    [
        ("smith/article", (), "smith_article.md"),
        ("smith/article", ("smith_article.md",), "smith_article-2.md"),
        ("smith:article", ("SMITH_ARTICLE.md", "smith_article-2.md"), "smith_article-3.md"),
        ("..", (), "__.md"),
        (".hidden", (), "_hidden.md"),
        ("Müller:2020", ("mu\u0308ller_2020.md",), "Müller_2020-2.md"),  # macOS: NFD names
        ("a" * 300, (), "a" * 200 + ".md"),
        ("中" * 100, (), "中" * 66 + ".md"),
    ],
)
def test_note_names_are_portable_and_never_taken(key: str, taken: tuple[str, ...], name: str):
    assert note_name(key, taken) == name


@pytest.mark.parametrize(
    ("keys", "files", "paths", "why"),
    [
        (("smith/article",), (), ["papers/smith_article.md"], "is not a file name on every"),
        (("hu2021",), ("HU2021.md",), ["papers/hu2021-2.md"], "'hu2021.md' is taken"),
        (
            ("a/b", "a:b"),
            ("A_B.md",),
            ["papers/a_b-2.md", "papers/a_b-3.md"],
            "is not a file name on every system and 'a_b.md' is taken",
        ),
    ],
)
def test_import_names_each_note_file_and_says_why(
    keys: tuple[str, ...], files: tuple[str, ...], paths: list[str], why: str
) -> None:
    report = import_bib("in.bib", _bib(keys), index=NoteIndex([]), papers_dir="papers", files=files)
    assert [n.path for n in report.notes] == paths
    assert [n.key for n in report.notes] == list(keys)
    assert all(f"id: {k}\n" in n.text for k, n in zip(keys, report.notes, strict=True))
    messages = [d.message for d in report.diagnostics]
    assert any(why in m and "(the id stays" in m for m in messages), messages


# -- import → build → export --------------------------------------------------------------


def _bib(keys: tuple[str, ...]) -> str:
    return "".join(
        f"@misc{{{key},\n  author = {{Ann Author{i}}},\n  title = {{Paper number {i}}},\n"
        f"  year = {{2020}},\n}}\n"
        for i, key in enumerate(keys)
    )


def _citer(keys: tuple[str, ...]) -> str:
    cites = ", ".join(json.dumps(k, ensure_ascii=False) for k in keys)
    body = " ".join(f"[@{{{k}}}]" for k in keys)
    plain = (
        "[@smith/article; @DoeLR+19, p. 3] and [see @Müller:2020; @a.b-c_d:e] [@x&y]. "
        "[[smith/article]], [[DoeLR+19|Doe]]."
    )
    return (
        f"---\nid: citer\ntitle: Citer\nauthors: [Bo Bee]\nyear: 2021\ncites: [{cites}]\n---\n"
        f"{plain}\n\n{body}\n"
    )


@pytest.fixture
def library(tmp_path: Path, cli) -> Path:  # type: ignore[no-untyped-def]
    """A library with one note already in smith_article.md (another id), then KEYS imported,
    then a note citing every key in its body and its ``cites:``, built."""
    root = tmp_path / "lib"
    (root / "papers").mkdir(parents=True)
    mine = "---\nid: jones2020\ntitle: Mine\nauthors: [Jo Jones]\nyear: 2020\n---\nMine.\n"
    (root / "papers" / "smith_article.md").write_text(mine, encoding="utf-8")
    bib = tmp_path / "in.bib"
    bib.write_text(_bib((*KEYS, "liu2022")), encoding="utf-8")
    result = cli("import", "--root", str(root), str(bib))
    assert result.code == 0, result.err
    assert "duplicate key 'liu2022'" in result.err  # BibTeX keys ignore case: the rule stays
    assert f"{len(KEYS)} of {len(KEYS) + 1} entries imported" in result.err
    assert (root / "papers" / "smith_article.md").read_text(encoding="utf-8") == mine
    (root / "papers" / "citer.md").write_text(_citer(KEYS), encoding="utf-8")
    built = cli("build", "--root", str(root), "--strict")
    assert built.code == 0, built.err
    return root


def test_import_keeps_every_key_in_a_file_of_its_own(library: Path) -> None:
    ids: dict[str, str] = {}
    for path in (library / "papers").glob("*.md"):
        found = re.search(r"^id: (.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)
        assert found is not None, path
        ids[path.name] = _yaml_scalar(found.group(1))
    assert sorted(ids.values()) == sorted([*KEYS, "jones2020", "citer"])
    assert ids["smith_article.md"] == "jones2020"
    assert {ids[n] for n in ("smith_article-2.md", "smith_article-3.md", "smith_article-4.md")} == {
        "smith/article",
        "smith:article",
        "smith_article",
    }
    folded = {urls.fold_name(n) for n in ids}
    assert len(folded) == len(ids)  # "Ab/c" and "aB:c" too: Ab_c.md, aB_c-2.md


def _yaml_scalar(text: str) -> str:
    import yaml

    value = yaml.safe_load(text)
    assert isinstance(value, str)
    return value


def test_each_key_has_its_page_and_every_citation_links_to_it(library: Path) -> None:
    site = library / "site"
    citer = site / urls.paper_page("citer")
    soup = BeautifulSoup(citer.read_text(encoding="utf-8"), "html.parser")

    # A citation names its note by its href alone: the last paragraph cites KEYS in order.
    def target(a: Tag) -> Path:
        return (citer.parent / unquote(str(a["href"]))).resolve()

    in_order = soup.select(".note-body p")[-1].select("a.cite")
    linked = {key: {target(a)} for key, a in zip(KEYS, in_order, strict=True)}
    pages = {(site / urls.paper_page(key)).resolve() for key in KEYS}
    assert {target(a) for a in soup.select("a.cite")} <= pages
    assert not soup.select(".unresolved")
    for page in (citer, site / urls.paper_page("</script><b>")):
        assert not BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select("b")
    for key in KEYS:
        page = (site / urls.paper_page(key)).resolve()
        assert page.parent == (site / "papers").resolve() and page.is_file(), key
        assert linked[key] == {page}, key  # from the body, from file:// as from a server
        assert "Paper number" in page.read_text(encoding="utf-8")


def test_search_index_and_graph_hold_every_key(library: Path) -> None:
    site = library / "site"
    paths = {}
    for shard in (site / "static" / "search").glob("d-*.js"):  # the index's stored notes
        raw = shard.read_text(encoding="utf-8")
        rows = unpack_rows(json.loads(raw[raw.index(",") + 1 :].rstrip().removesuffix(");")))
        paths.update({doc[0]: doc[1] for doc in rows})
    for key in KEYS:
        assert paths[key] == urls.paper_page(key)
    # The graph's shared data: every key, each node's page where the paper's page is.
    raw = (site / "static" / "graph-data.js").read_text(encoding="utf-8")
    nodes = json.loads(raw[raw.index("=") + 1 :].strip().removesuffix(";"))["nodes"]
    pages = {n[0]: f"papers/{unquote(n[4]) or n[0]}.html" for n in nodes}
    for key in KEYS:
        assert pages[key] == urls.paper_page(key)


def test_every_export_keeps_every_key_exactly(library: Path, cli) -> None:  # type: ignore[no-untyped-def]
    bib = cli("bib", "--root", str(library))
    assert bib.code == 0, bib.err
    assert set(re.findall(r"^@\w+\{([^,\n]+),$", bib.out, re.MULTILINE)) == {
        *KEYS,
        "citer",
        "jones2020",
    }
    csl = json.loads(cli("bib", "--root", str(library), "--format", "csl-json").out)
    assert {item["id"] for item in csl} == {*KEYS, "citer", "jones2020"}
    assert all(item["citation-key"] == item["id"] for item in csl)
    ris = cli("bib", "--root", str(library), "--format", "ris").out
    assert set(re.findall(r"^ID  - (.*?)\r?$", ris, re.MULTILINE)) == {*KEYS, "citer", "jones2020"}
    site_bib = (library / "site" / "library.bib").read_text(encoding="utf-8")
    assert set(re.findall(r"^@\w+\{([^,\n]+),$", site_bib, re.MULTILINE)) == {
        *KEYS,
        "citer",
        "jones2020",
    }
    for key in KEYS:
        one = cli("bib", "--root", str(library), f"--key={key}")  # "-lead" is no option
        assert one.code == 0, one.err
        assert re.findall(r"^@\w+\{([^,\n]+),$", one.out, re.MULTILINE) == [key]


# -- real LaTeX -----------------------------------------------------------------------------


def _export(library: Path, cli) -> str:  # type: ignore[no-untyped-def]
    result = cli("bib", "--root", str(library))
    assert result.code == 0, result.err
    return str(result.out)


def test_pdflatex_and_bibtex_cite_every_key(library: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    require_tools()
    bib = _export(library, cli)
    tex = (
        "\\documentclass{article}\n\\begin{document}\n"
        f"\\cite{{{','.join(KEYS)}}}\n\\bibliographystyle{{plain}}\n\\bibliography{{lib}}\n"
        "\\end{document}\n"
    )
    work = typeset(tmp_path, bib, tex, "pdflatex", "bibtex", r"error message|Warning--")
    bbl = (work / "doc.bbl").read_text(encoding="utf-8")
    assert sorted(re.findall(r"\\bibitem\{(.*)\}$", bbl, re.MULTILINE)) == sorted(KEYS)
    assert "undefined" not in (work / "doc.log").read_text(encoding="utf-8", errors="replace")


def test_biber_and_biblatex_cite_every_key(library: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    require_tools()
    bib = _export(library, cli)
    tex = (
        "\\documentclass{article}\n\\usepackage[backend=biber]{biblatex}\n"
        "\\addbibresource{lib.bib}\n\\begin{document}\n"
        f"\\cite{{{','.join(KEYS)}}}\n\\printbibliography\n\\end{{document}}\n"
    )
    work = typeset(tmp_path, bib, tex, "pdflatex", "biber", r"\b(ERROR|WARN)\b")
    bbl = (work / "doc.bbl").read_text(encoding="utf-8")
    assert sorted(re.findall(r"\\entry\{(.*?)\}\{", bbl)) == sorted(KEYS)
    assert "undefined" not in (work / "doc.log").read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize("key", KEYS)
def test_feed_entry_ids_are_valid_urns(key: str) -> None:
    """A site without a base URL names a feed entry ``urn:papernotes:<key>`` (RFC 8141)."""
    urn = urls.urn_key(key)
    assert re.fullmatch(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%]+", urn) and unquote(urn) == key
    if re.fullmatch(r"[A-Za-z0-9_:.\-]+", key):
        assert urn == key  # the ids of keys papernotes always took do not change
