"""Test vaults written from each tool's documentation (tests/fixtures/vaults/<tool>: Obsidian,
Dendron, Zotero Integration, Quartz, Hugo) build as they are with ``--keep-going``, and what the
site already renders of their syntax is checked: in the HTML, in every published file, and in
Chromium.

Each vault also uses constructs that other branches are building (image embeds, transclusion,
quick notes, drafts, mermaid…); those are deliberately not asserted here. The only notes allowed
to fail are listed in ``PENDING``."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from playwright.sync_api import Page, expect
from test_browser import _axe_violations  # one definition of "every axe-core rule"

from browser import serve
from conftest import FIXTURES

VAULTS = FIXTURES / "vaults"
TOOLS = ("obsidian", "dendron", "zotero", "quartz", "hugo")

PUBLISHED: dict[str, set[str]] = {
    "obsidian": {"vaswani2017attention", "he2016deep", "kingma2015adam", "quick-idea"},
    "dendron": {"paper", "paper.ddpm", "paper.adam"},
    "zotero": {"vaswani2017attention", "devlin2019bert", "ho2020denoising"},
    "quartz": {"index", "ho2020denoising", "he2016deep"},
    "hugo": {"kingma2015adam", "vaswani2017attention"},
}
"""The pages each vault must publish today (drafts are left out of this on purpose)."""

PENDING: dict[str, set[str]] = {}
"""The only notes whose errors are expected: what is not yet read as the tool means it."""


@dataclass(frozen=True, slots=True)
class Built:
    """One vault built with ``--keep-going`` from a fresh copy."""

    site: Path
    """The output folder."""
    code: int
    """The exit code of ``papernotes build``."""
    err: str
    """Everything printed on stderr: the diagnostics and the summary."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    from papernotes.cli.main import main

    out: dict[str, Built] = {}
    base = tmp_path_factory.mktemp("vaults")
    for tool in TOOLS:
        root = base / tool
        shutil.copytree(VAULTS / tool, root)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(["build", "--root", str(root), "--keep-going", "--no-cache", "-q"])
        out[tool] = Built(root / "site", code, err.getvalue())
    return out


@pytest.fixture(scope="module")
def http_root(built: dict[str, Built]) -> Iterator[str]:
    """Every vault over HTTP, as ``<root>/<tool>/site/…``: axe-core reads the style sheets,
    which Chromium refuses to a page opened from file://."""
    first = built[TOOLS[0]].site.parent
    for url in serve(first):
        yield url.removesuffix(f"{first.name}/")


def _soup(built: dict[str, Built], tool: str, key: str) -> BeautifulSoup:
    html = (built[tool].site / "papers" / f"{key}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


def _body(built: dict[str, Built], tool: str, key: str) -> Tag:
    body = _soup(built, tool, key).find(class_="note-body")
    assert isinstance(body, Tag)
    return body


# --- every vault builds ------------------------------------------------------------------------

_ERROR = re.compile(r"^(?P<path>[^\n]+?\.md):\d+(?::\d+)?: error: ", re.M)


@pytest.mark.parametrize("tool", TOOLS)
def test_each_vault_builds_as_it_is_and_publishes_its_notes(
    built: dict[str, Built], tool: str
) -> None:
    run = built[tool]
    published = {p.stem for p in (run.site / "papers").glob("*.html")}
    assert PUBLISHED[tool] <= published
    failing = {m["path"] for m in _ERROR.finditer(run.err)}
    assert failing <= PENDING.get(tool, set()), run.err
    assert "Traceback" not in run.err and "internal error" not in run.err
    # --keep-going exits 1 only because a note was left out.
    assert run.code == (1 if failing else 0), run.err


def test_the_sources_are_never_written_to(built: dict[str, Built]) -> None:
    for tool in TOOLS:
        site = built[tool].site
        for source in (VAULTS / tool).rglob("*"):
            if source.is_file():
                copy = site.parent / source.relative_to(VAULTS / tool)
                assert copy.read_bytes() == source.read_bytes(), copy


# --- callouts ----------------------------------------------------------------------------------

CALLOUTS = [
    # (vault, page, style class, title, element, open)
    ("obsidian", "vaswani2017attention", "callout-abstract", "In one line", "div", None),
    ("obsidian", "vaswani2017attention", "callout-quote", "The claim to remember", "details", True),
    ("obsidian", "vaswani2017attention", "callout-warning", "Caveat", "details", False),
    ("obsidian", "he2016deep", "callout-tip", "Why it mattered", "div", None),
    ("obsidian", "he2016deep", "callout-example", "Nested callouts", "details", True),
    ("obsidian", "he2016deep", "callout-note", "Inner", "div", None),
    ("obsidian", "kingma2015adam", "callout-info", "Used by", "div", None),
    ("obsidian", "kingma2015adam", "callout-question", "Is it always better than SGD?", "details", False),
    ("zotero", "vaswani2017attention", "callout-quote", "Cite", "div", None),
    ("zotero", "vaswani2017attention", "callout-abstract", "Abstract", "details", False),
    ("zotero", "vaswani2017attention", "callout-quote", "Highlight (p. 2)", "details", True),
    ("zotero", "vaswani2017attention", "callout-note", "Comment (p. 5)", "div", None),
    ("zotero", "ho2020denoising", "callout-quote", "Highlight (p. 4)", "details", False),
    ("quartz", "ho2020denoising", "callout-abstract", "In short", "div", None),
    ("quartz", "ho2020denoising", "callout-question", "Why not predict the clean image directly?", "details", False),
    ("quartz", "ho2020denoising", "callout-danger", "Sampling is slow", "details", True),
    ("quartz", "he2016deep", "callout-success", "Result", "div", None),
]  # fmt: skip


@pytest.mark.parametrize(("tool", "key", "style", "title", "tag", "is_open"), CALLOUTS)
def test_callouts_render_with_their_type_title_and_fold(
    built: dict[str, Built], tool: str, key: str, style: str, title: str, tag: str, is_open: bool
) -> None:
    body = _body(built, tool, key)
    boxes = [
        box
        for box in body.find_all(class_=style)
        if isinstance(box, Tag)
        and isinstance(head := box.find(class_="callout-title"), Tag)
        and head.get_text(" ", strip=True) == title
    ]
    assert len(boxes) == 1, [b.get_text(" ", strip=True)[:60] for b in body.find_all(class_=style)]
    box = boxes[0]
    assert box.name == tag
    if is_open is not None:
        assert box.has_attr("open") is is_open
    assert "[!" not in body.get_text()


# --- comments, highlights, tags, bare URLs --------------------------------------------------------

COMMENTS = [
    ("obsidian", "reread the positional-encoding section"),
    ("obsidian", "compare with highway networks"),
    ("zotero", "begin annotations"),
    ("zotero", "Import Date"),
    ("quartz", "add the FID numbers"),
]


@pytest.mark.parametrize(("tool", "comment"), COMMENTS)
def test_comments_are_in_no_published_file(
    built: dict[str, Built], tool: str, comment: str
) -> None:
    """Not on the page, in its meta description, the search index, the feed or the exports."""
    site = built[tool].site
    files = [p for p in site.rglob("*") if p.is_file() and p.suffix not in {".png", ".woff2"}]
    assert any(p.suffix == ".xml" for p in files) and any(
        p.name.startswith("search") for p in files
    )
    leaking = [p for p in files if comment in p.read_text(encoding="utf-8", errors="replace")]
    assert leaking == []
    assert not any("%%" in _body(built, tool, k).get_text() for k in PUBLISHED[tool])


HIGHLIGHTS = [
    ("obsidian", "vaswani2017attention", "multi-head self-attention"),
    ("obsidian", "he2016deep", "lower error"),
    ("obsidian", "kingma2015adam", "bias correction"),
    ("zotero", "vaswani2017attention", "dispensing with recurrence and convolutions entirely"),
    ("zotero", "devlin2019bert", "bidirectional"),
    ("quartz", "ho2020denoising", "predicting the added noise"),
    ("quartz", "he2016deep", "residual"),
]


@pytest.mark.parametrize(("tool", "key", "text"), HIGHLIGHTS)
def test_highlights_are_marked(built: dict[str, Built], tool: str, key: str, text: str) -> None:
    body = _body(built, tool, key)
    assert text in [m.get_text() for m in body.find_all("mark")]
    assert "==" not in body.get_text()


TAGS = [
    # (vault, page, tags from front matter and from #tags in the body, together)
    ("obsidian", "vaswani2017attention", {"transformers", "attention", "nlp"}),
    ("obsidian", "he2016deep", {"todo"}),
    ("dendron", "paper.ddpm", {"diffusion", "generative", "image-synthesis"}),
    ("zotero", "vaswani2017attention", {"transformers", "attention"}),
    ("quartz", "ho2020denoising", {"diffusion", "generative-models"}),
    ("quartz", "he2016deep", {"vision", "cnn"}),
]


@pytest.mark.parametrize(("tool", "key", "tags"), TAGS)
def test_front_matter_and_inline_tags_are_joined(
    built: dict[str, Built], tool: str, key: str, tags: set[str]
) -> None:
    site = built[tool].site
    for tag in tags:
        page = site / "tags" / f"{tag}.html"
        assert page.is_file(), tag
        assert f"{key}.html" in page.read_text(encoding="utf-8"), tag


def test_a_bare_url_is_a_link(built: dict[str, Built]) -> None:
    body = _body(built, "obsidian", "vaswani2017attention")
    links = [a.get("href") for a in body.find_all("a")]
    assert "https://github.com/tensorflow/tensor2tensor" in links


WIKILINKS = [
    # (vault, page, where a [[wikilink]] leads, its text when the link gives one)
    ("obsidian", "vaswani2017attention", "he2016deep.html", "residual connection"),
    ("obsidian", "vaswani2017attention", "kingma2015adam.html", None),  # by the note's title
    ("obsidian", "kingma2015adam", "vaswani2017attention.html", None),
    ("dendron", "paper.ddpm", "paper.adam.html#h-update-rule", None),  # a heading's anchor
    ("zotero", "devlin2019bert", "vaswani2017attention.html", None),
    ("quartz", "index", "he2016deep.html", "the ResNet note"),
    ("quartz", "index", "ho2020denoising.html", None),
]


@pytest.mark.parametrize(("tool", "key", "href", "text"), WIKILINKS)
def test_wikilinks_lead_to_the_note(
    built: dict[str, Built], tool: str, key: str, href: str, text: str | None
) -> None:
    links = _body(built, tool, key).select(f'a.wikilink[href="{href}"]')
    assert links, href
    if text is not None:
        assert text in [a.get_text() for a in links]


# --- front matter the tools write is read --------------------------------------------------------

DIALECTS = [
    # (vault, page, lines its BibTeX entry must hold)
    ("obsidian", "he2016deep", ["@inproceedings{he2016deep,", "booktitle = {CVPR 2016}", "year = {2016}",
        "author = {He, Kaiming and Zhang, Xiangyu and Ren, Shaoqing and Sun, Jian}"]),
    ("obsidian", "kingma2015adam", ["@inproceedings{kingma2015adam,", "booktitle = {ICLR 2015}",
        "author = {Kingma, Diederik P. and Ba, Jimmy}", "year = {2015}",
        "url = {https://arxiv.org/abs/1412.6980}"]),
    ("dendron", "paper.ddpm", ["@inproceedings{paper.ddpm,", "year = {2020}", "eprint = {2006.11239}",
        "author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter}"]),
    ("zotero", "vaswani2017attention", ["@inproceedings{vaswani2017attention,", "year = {2017}",
        "booktitle = {Advances in Neural Information Processing Systems}",
        "url = {https://arxiv.org/abs/1706.03762}"]),
    ("zotero", "devlin2019bert", ["@inproceedings{devlin2019bert,", "doi = {10.18653/v1/N19-1423}",
        "author = {Devlin, Jacob and Chang, Ming-Wei and Lee, Kenton and Toutanova, Kristina}"]),
    ("zotero", "ho2020denoising", ["@misc{ho2020denoising,",
        "author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter}"]),
    ("quartz", "ho2020denoising", ["@inproceedings{ho2020denoising,", "booktitle = {NeurIPS 2020}",
        "year = {2020}"]),
    ("hugo", "kingma2015adam", ["@inproceedings{kingma2015adam,", "booktitle = {ICLR 2015}",
        "author = {Kingma, Diederik P. and Ba, Jimmy}", "year = {2015}"]),
    ("hugo", "vaswani2017attention", ["@inproceedings{vaswani2017attention,",
        "booktitle = {NeurIPS 2017}", "year = {2017}"]),
]  # fmt: skip


@pytest.mark.parametrize(("tool", "key", "lines"), DIALECTS)
def test_the_tool_s_front_matter_is_read(
    built: dict[str, Built], tool: str, key: str, lines: list[str]
) -> None:
    page = (built[tool].site / "papers" / f"{key}.html").read_text(encoding="utf-8")
    code = BeautifulSoup(page, "html.parser").select_one("#bibtex-entry")  # the page's entry
    assert code is not None
    bib = code.get_text()
    entry = [line.strip().rstrip(",") for line in bib.splitlines()]
    for line in lines:
        assert line.rstrip(",") in entry, (line, bib)


def test_dendron_ids_never_become_citekeys(built: dict[str, Built]) -> None:
    run = built["dendron"]
    # One warning says it for the whole vault, naming the first note's id.
    made = [line for line in run.err.splitlines() if "was made by Dendron" in line]
    assert len(made) == 1 and "(also in 2 other notes)" in made[0], made
    for machine_id in (
        "3k9dzq7w1m4x8b2c6v5n0ta",
        "p8r2xk5v0c7m1z4q9w3b6na",
        "b1n6t3w9q0z2x7c4v8m5kra",
    ):
        assert not any(machine_id in p.name for p in run.site.rglob("*"))
    bib = (run.site / "library.bib").read_text(encoding="utf-8")
    assert "{paper.ddpm," in bib and "p8r2xk5v0c7m1z4q9w3b6na" not in bib


# --- in Chromium ---------------------------------------------------------------------------------

FOLDABLE = [
    # (vault, page, title of a callout that folds)
    ("obsidian", "vaswani2017attention", "Caveat"),
    ("zotero", "vaswani2017attention", "Highlight (p. 2)"),
    ("quartz", "ho2020denoising", "Why not predict the clean image directly?"),
]

_RAW = re.compile(r"\[![a-z]+\]|%%|==\w|^\+\+\+$|^---$", re.I | re.M)


def _no_raw_markup(page: Page) -> None:
    text = page.locator(".note-body").inner_text()
    assert not _RAW.search(text), _RAW.search(text)


@pytest.mark.parametrize(("tool", "key", "title"), FOLDABLE)
def test_a_callout_is_shown_and_folds_by_click_and_keyboard(
    page: Page, built: dict[str, Built], tool: str, key: str, title: str
) -> None:
    page.goto((built[tool].site / "papers" / f"{key}.html").as_uri())
    _no_raw_markup(page)
    first = page.locator(".note-body .callout").first
    expect(first).to_be_visible()
    box = page.locator(".note-body details.callout", has=page.get_by_text(title, exact=True))
    summary = box.locator("summary.callout-title")
    content = box.locator(".callout-content")
    expect(summary).to_be_visible()
    was_open = box.evaluate("b => b.open")
    summary.click()
    assert box.evaluate("b => b.open") is not was_open
    if was_open:
        expect(content).to_be_hidden()
    else:
        expect(content).to_be_visible()
    summary.focus()
    page.keyboard.press("Enter")
    assert box.evaluate("b => b.open") is was_open
    page.keyboard.press("Space")
    assert box.evaluate("b => b.open") is not was_open


def test_a_dendron_note_s_links_and_math_work_in_chromium(
    page: Page, built: dict[str, Built]
) -> None:
    page.goto((built["dendron"].site / "papers" / "paper.ddpm.html").as_uri())
    _no_raw_markup(page)
    maths = page.locator(".note-body .math")
    assert maths.count() == 2
    assert page.locator(".note-body .math .katex").count() == 2
    page.locator(".note-body a.wikilink", has_text=re.compile("Kingma|Adam|n.d.")).first.click()
    expect(page.locator("h1")).to_have_text("Adam: A Method for Stochastic Optimization")


def test_a_hugo_toml_page_shows_its_front_matter_as_metadata_not_text(
    page: Page, built: dict[str, Built]
) -> None:
    page.goto((built["hugo"].site / "papers" / "kingma2015adam.html").as_uri())
    _no_raw_markup(page)
    expect(page.locator("h1")).to_have_text("Adam: A Method for Stochastic Optimization")
    expect(page.locator(".note-body")).not_to_contain_text("draft = false")
    expect(page.locator(".note-body .footnotes, .note-body .footnotes-list").first).to_be_attached()
    assert page.locator(".note-body .math .katex").count() == 1


AXE_PAGES = [
    (tool, key, theme)
    for tool, key in [
        ("obsidian", "kingma2015adam"),
        ("obsidian", "he2016deep"),  # task lists
        ("obsidian", "vaswani2017attention"),  # a diagram, a transclusion, an image embed
        ("dendron", "paper.adam"),
        ("dendron", "paper.ddpm"),  # a diagram
        ("zotero", "vaswani2017attention"),  # a missing-image placeholder
        ("quartz", "ho2020denoising"),
        ("quartz", "index"),  # a diagram
        ("hugo", "kingma2015adam"),
    ]
    for theme in ("light", "dark")
]
"""Every vault's pages with what they show (callouts open and folded, highlights, tags,
footnotes, task lists, drawn diagrams, embeds, placeholders), in both themes."""


@pytest.mark.parametrize(("tool", "key", "theme"), AXE_PAGES)
def test_vault_pages_pass_every_axe_rule(
    page: Page, http_root: str, tool: str, key: str, theme: str
) -> None:
    page.emulate_media(color_scheme=theme)
    page.goto(f"{http_root}{tool}/site/papers/{key}.html")
    # Diagrams are drawn after load: check them drawn and named, not the source before it.
    diagrams = page.locator(".note-body pre.mermaid")
    expect(page.locator(".note-body pre.mermaid > svg[role=img]")).to_have_count(diagrams.count())
    assert _axe_violations(page) == []


DRAFTS = [("quartz", "drafts-diffusion-reading-list"), ("hugo", "draft-notes")]


@pytest.mark.parametrize(("tool", "key"), DRAFTS)
def test_drafts_are_left_out_with_a_note(built: dict[str, Built], tool: str, key: str) -> None:
    assert not (built[tool].site / "papers" / f"{key}.html").exists()
    assert re.search(rf"{key}\.md:\d+:\d+: note: not published \(draft: true\)", built[tool].err)


def test_a_quick_note_without_front_matter_is_published(built: dict[str, Built]) -> None:
    body = _body(built, "obsidian", "quick-idea")
    assert body.select('a.wikilink[href="vaswani2017attention.html"]')
    assert (built["obsidian"].site / "tags" / "idea.html").is_file()


TRANSCLUSIONS = [
    ("obsidian", "vaswani2017attention", "he2016deep.html#h-idea", "Stacked layers fit a residual"),
    ("dendron", "paper.ddpm", "paper.adam.html#h-update-rule", "Keep running averages"),
    ("quartz", "ho2020denoising", "he2016deep.html", "Identity shortcuts"),
]


@pytest.mark.parametrize(("tool", "key", "href", "text"), TRANSCLUSIONS)
def test_notes_and_headings_are_transcluded_with_a_link_to_the_source(
    built: dict[str, Built], tool: str, key: str, href: str, text: str
) -> None:
    body = _body(built, tool, key)
    embeds = [
        e for e in body.select("div.embed") if e.select_one(f'.embed-source a[href="{href}"]')
    ]
    assert len(embeds) == 1
    assert text in embeds[0].get_text()
    assert "![[" not in body.get_text()


def test_the_transcluded_callouts_still_fold(built: dict[str, Built]) -> None:
    embed = _body(built, "obsidian", "vaswani2017attention").select_one("div.embed")
    assert embed is not None
    assert embed.select_one("details.callout.callout-example[open] .callout-note")


def test_an_image_embed_keeps_its_width_and_file(built: dict[str, Built]) -> None:
    body = _body(built, "obsidian", "vaswani2017attention")
    img = body.select_one('img[src$="residual-block.png"]')
    assert img is not None and img["width"] == "300" and img.get("alt")
    src = VAULTS / "obsidian" / "papers" / "attachments" / "residual-block.png"
    copied = built["obsidian"].site / "files" / "attachments" / "residual-block.png"
    assert copied.read_bytes() == src.read_bytes()


MISSING_IMAGES = [
    ("obsidian", "vaswani2017attention", "encoder-stack.png"),
    ("zotero", "vaswani2017attention", "vaswani2017attention/image-4-x120-y310.png"),
]


@pytest.mark.parametrize(("tool", "key", "path"), MISSING_IMAGES)
def test_a_missing_image_is_a_placeholder_and_a_warning(
    built: dict[str, Built], tool: str, key: str, path: str
) -> None:
    spans = _body(built, tool, key).select(".missing-image")
    assert path in [s.get_text(strip=True) for s in spans]
    assert re.search(
        rf'\d+:\d+: warning: embed "!\[\[{re.escape(path)}\]\]": no such file', built[tool].err
    )


MERMAID = [("obsidian", "vaswani2017attention"), ("dendron", "paper.ddpm"), ("quartz", "index")]


@pytest.mark.parametrize(("tool", "key"), MERMAID)
def test_mermaid_fences_are_drawn_in_chromium(
    page: Page, built: dict[str, Built], tool: str, key: str
) -> None:
    page.goto((built[tool].site / "papers" / f"{key}.html").as_uri())
    expect(page.locator(".note-body pre.mermaid svg").first).to_be_visible()
    expect(page.locator(".note-body")).not_to_contain_text("```")


def test_pages_without_a_diagram_do_not_load_mermaid(built: dict[str, Built]) -> None:
    html = (built["zotero"].site / "papers" / "devlin2019bert.html").read_text(encoding="utf-8")
    assert "mermaid" not in html


def _body_of(path: Path) -> bytes:
    """The bytes after the front matter (``---`` or ``+++``), or the whole file without one."""
    data = path.read_bytes()
    for fence in (b"---\n", b"+++\n"):
        if data.startswith(fence):
            return data[data.index(b"\n" + fence, 1) + len(fence) + 1 :]
    return data


@pytest.mark.parametrize("tool", TOOLS)
def test_migrate_keeps_every_body_and_leaves_no_alias_to_report(
    tmp_path: Path, cli, tool: str
) -> None:
    root = shutil.copytree(VAULTS / tool, tmp_path / tool)
    new = tmp_path / "migrated"
    run = cli("migrate", "--root", str(root), "--into", str(new), "-q")
    assert run.code == 0, run.err
    for note in (VAULTS / tool).rglob("*.md"):
        assert _body_of(new / note.relative_to(VAULTS / tool)) == _body_of(note), note
    build = cli("build", "--root", str(new), "--strict", "--no-cache", "-q")
    assert "read as '" not in build.err and "it means '" not in build.err, build.err
    # --strict fails only on what no rewrite can mend: the images the vaults miss on purpose.
    errors = [line for line in build.err.splitlines() if ": error: " in line]
    assert all("no such file" in line for line in errors), build.err
    assert (build.code == 0) is (not errors)
