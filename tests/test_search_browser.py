"""Search in a real Chromium, over file:// and over HTTP on 127.0.0.1.

The site is built by the real builder from a tiny library. Until render.py writes search.html
and static/search-index.js, the test adds them itself: the index from ``search_index_js`` over
the same notes, the page from search.html's own blocks in a bare HTML shell.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page

from papernotes import theme, urls
from papernotes.build import build, read_library
from papernotes.config import load_config
from papernotes.markdown.factory import make_parser
from papernotes.render import render_note_body
from papernotes.search.index import SearchDoc, search_index_js
from papernotes.search.text import tokenize

from conftest import REPO, note_text, write_note

SEARCH_JS = REPO / "templates" / "static" / "search.js"

HOSTILE = "<img src=x onerror=alert(1)>"
NOTES = {
    "attention.md": note_text(
        "Attention Is All You Need",
        authors="[Ashish Vaswani, Noam Shazeer]",
        year=2017,
        extra="id: vaswani2017attention\nvenue: NeurIPS 2017\ntags: [transformer]\n",
        body="## 方法\n\nThe Transformer drops recurrence and relies on 注意力机制 alone.\n",
    ),
    "survey.md": note_text(
        "A Survey of Sequence Models",
        authors="[Ada Lovelace]",
        year=2024,
        extra="id: lovelace2024survey\n",
        body="Recurrent networks came first. Later, models used attention as well.\n",
    ),
    "rlhf.md": note_text(
        "Training Language Models with Human Feedback",
        authors="[Long Ouyang, Jeff Wu]",
        year=2022,
        extra="id: ouyang2022training\ntags: [rlhf]\n",
        body="RLHF 分三步。第二步是奖励模型训练：标注员对回答排序，\n人类偏好成为标量奖励。\n",
    ),
    "dpo.md": note_text(
        "Direct Preference Optimization",
        authors="[Rafael Rafailov]",
        year=2023,
        extra="id: rafailov2023direct\n",
        # A space inside a Chinese word (as from a soft line break) does not split it.
        body="DPO 不需要单独的奖励 模型。它直接在偏好数据上训练策略。\n",
    ),
    "pretrain.md": note_text(
        "Language Models are Few-Shot Learners",
        authors="[Tom Brown]",
        year=2020,
        extra="id: brown2020language\n",
        body="预训练之后再训练一次，模型变大，能力变强。\n",
    ),
    "lora.md": note_text(
        '"LoRA: Low-Rank Adaptation of Large Language Models"',
        authors="[Edward J. Hu]",
        year=2022,
        extra="id: hu2021lora\n",
        body="LoRA 把权重更新写成低秩分解 $W_0 + BA$，只训练 $A$ 和 $B$。\n",
    ),
    "hostile.md": note_text(
        f'"{HOSTILE}"',
        authors='["<b>Mallory</b>"]',
        year=2021,
        extra="id: mallory2021hostile\n",
        body="A note whose title is markup: <script>alert(2)</script> must stay text.\n",
    ),
}


def _docs(root: Path) -> list[SearchDoc]:
    """The notes as render.py hands them to the index."""
    config, _ = load_config(root)
    md = make_parser(allow_html=config.allow_html)
    library, _ = read_library(root, config, md)
    return [
        SearchDoc.of_note(note, render_note_body(note, library, md, config.papers_dir).text)
        for note in library.notes.values()
    ]


def _harness(root: Path, out: Path) -> None:
    """search.html's own head, main and scripts blocks in a bare page, and the index beside it."""
    config, _ = load_config(root)
    template = theme.load_theme(root).env.get_template("search.html")
    context = template.new_context(
        {"site": config, "url": lambda target: urls.relative("search.html", target)}
    )
    head = "".join(template.blocks["head"](context))
    main = "".join(template.blocks["main"](context))
    scripts = "".join(template.blocks["scripts"](context))
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        # No favicon request: base.html's business, not the harness's.
        '<link rel="icon" href="data:,">'
        f"<title>Search</title>{head}</head><body><main>{main}</main>{scripts}</body></html>"
    )
    (out / "search.html").write_text(page, encoding="utf-8")
    (out / "static" / "search-index.js").write_text(search_index_js(_docs(root)), "utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lib")
    for name, text in NOTES.items():
        write_note(root, name, text)
    config, _ = load_config(root)
    out = root / "site"
    report = build(root, config, out=out)
    assert report.errors == 0, report.diagnostics
    if not (out / "search.html").exists():
        _harness(root, out)
    assert (out / "static" / "search.js").exists()
    return out


@dataclass
class Tab:
    page: Page
    base: str
    problems: list[str] = field(default_factory=list)

    def open(self, query: str | None = None) -> None:
        url = self.base + "search.html" + (f"?q={quote(query)}" if query is not None else "")
        self.page.goto(url)
        self.page.wait_for_function(
            "document.getElementById('search-status').getAttribute('data-ms') !== null"
        )

    def titles(self) -> list[str]:
        return self.page.locator("#search-results .search-result-title").all_inner_texts()

    def marks(self, nth: int) -> list[str]:
        result = self.page.locator("#search-results .search-result").nth(nth)
        return result.locator("mark").all_inner_texts()

    def status(self) -> str:
        return self.page.locator("#search-status").inner_text()


@pytest.fixture(params=["file", "http"])
def tab(request: pytest.FixtureRequest, browser: Browser, site: Path) -> Iterator[Tab]:
    base = site.as_uri() + "/" if request.param == "file" else request.getfixturevalue("http_base")
    page = browser.new_page()
    t = Tab(page, base)
    page.on(
        "console",
        lambda m: m.type == "error" and t.problems.append(f"console: {m.text} {m.location}"),
    )
    page.on("pageerror", lambda e: t.problems.append(f"page error: {e}"))
    # ERR_ABORTED: Chromium cancelled a request the page no longer needs (a preview shard
    # still loading when the test moves on), as browser.Problems also allows.
    page.on(
        "requestfailed",
        lambda r: r.failure == "net::ERR_ABORTED" or t.problems.append(f"request failed: {r.url}"),
    )
    page.on("response", lambda r: r.status >= 400 and t.problems.append(f"{r.status}: {r.url}"))
    page.on("dialog", lambda d: (t.problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield t
    page.close()
    assert t.problems == []


def test_english_word_ranks_title_hit_above_body_hit(tab: Tab) -> None:
    tab.open("attention")
    titles = tab.titles()
    assert titles[:2] == ["Attention Is All You Need", "A Survey of Sequence Models"]
    assert tab.status() == "2 results for “attention”."
    assert "Attention" in tab.marks(0)
    snippet = tab.page.locator(".search-result").nth(1).locator(".search-result-snippet")
    assert snippet.locator("mark").all_inner_texts() == ["attention"]


def test_english_prefix_finds_the_whole_word(tab: Tab) -> None:
    tab.open("transf")
    assert tab.titles() == ["Attention Is All You Need"]
    assert "Transformer" in tab.marks(0)


def test_single_chinese_character(tab: Tab) -> None:
    tab.open("人")
    assert tab.titles() == ["Training Language Models with Human Feedback"]
    assert tab.marks(0) == ["人"]


def test_multi_character_chinese_word(tab: Tab) -> None:
    tab.open("注意力")
    assert tab.titles() == ["Attention Is All You Need"]
    assert tab.marks(0) == ["注意力"]


def test_unspaced_chinese_phrase_ranks_the_exact_phrase_first(tab: Tab) -> None:
    tab.open("奖励模型训练")
    # rlhf has the phrase itself; dpo has 奖励模型 and 训练 apart; pretrain has only 训练.
    assert tab.titles() == [
        "Training Language Models with Human Feedback",
        "Direct Preference Optimization",
    ]
    assert tab.marks(0) == ["奖励模型训练"]
    assert tab.marks(1) == ["奖励 模型", "训练"]


@pytest.mark.parametrize(
    ("query", "title", "marked"),
    [
        ("RLHF奖励模型", "Training Language Models with Human Feedback", {"RLHF", "奖励模型"}),
        ("LoRA 低秩", "LoRA: Low-Rank Adaptation of Large Language Models", {"LoRA", "低秩"}),
        ("ＬｏＲＡ 低秩", "LoRA: Low-Rank Adaptation of Large Language Models", {"LoRA", "低秩"}),
    ],
)
def test_mixed_chinese_english_query(tab: Tab, query: str, title: str, marked: set[str]) -> None:
    tab.open(query)
    assert tab.titles() == [title]
    result = tab.page.locator(".search-result").first
    assert set(result.locator(".search-result-snippet mark").all_inner_texts()) == marked


def test_no_results(tab: Tab) -> None:
    tab.open("量子引力")
    assert tab.titles() == []
    assert tab.status() == "No results for “量子引力”."


def test_hostile_title_is_shown_as_text(tab: Tab) -> None:
    tab.open("onerror")
    link = tab.page.locator(".search-result-title a")
    assert link.inner_text() == HOSTILE
    assert link.locator("mark").inner_text() == "onerror"
    meta = tab.page.locator(".search-result-meta").inner_text()
    assert meta.startswith("<b>Mallory</b>")
    assert (
        tab.page.locator("#search-results img, #search-results b, #search-results script").count()
        == 0
    )


def test_typing_searches_and_keyboard_reaches_the_paper(tab: Tab) -> None:
    tab.open()
    assert tab.status() == "Search 7 notes."
    tab.page.locator("#search-input").press_sequentially("low-ra")
    # The search is done when its status names the query (a phrase query shows its first
    # results before it is done).
    tab.page.wait_for_function(
        "document.getElementById('search-status').textContent.includes('low-ra')"
    )
    assert tab.titles() == ["LoRA: Low-Rank Adaptation of Large Language Models"]
    if tab.base.startswith("http"):  # a file:// URL may refuse history.replaceState
        assert tab.page.evaluate("location.search") == "?q=low-ra"
    tab.page.locator("#search-input").press("ArrowDown")
    focused = tab.page.evaluate("document.activeElement.textContent")
    assert focused == "LoRA: Low-Rank Adaptation of Large Language Models"
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url("**/papers/hu2021lora.html")
    assert "LoRA" in tab.page.locator("h1").first.inner_text()


def test_header_form_query_survives_the_page_load(tab: Tab) -> None:
    tab.open("RLHF")
    assert tab.page.locator("#search-input").input_value() == "RLHF"
    assert tab.titles() == ["Training Language Models with Human Feedback"]


def test_a_missing_index_is_reported_on_the_page(tab: Tab, site: Path) -> None:
    page = (site / "search.html").read_text("utf-8")
    broken = page.replace("static/search-index.js", "static/no-such-index.js")
    assert broken != page
    (site / "search-broken.html").write_text(broken, "utf-8")
    tab.page.goto(tab.base + "search-broken.html?q=lora")
    assert "missing" in tab.status()
    assert tab.titles() == []
    # The one failure expected: the index itself (a console error, and a 404 over HTTP).
    assert tab.problems and all("no-such-index.js" in p or "404" in p for p in tab.problems)
    tab.problems.clear()


def test_no_javascript_explains_itself(browser: Browser, site: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "search.html").as_uri() + "?q=lora")
    assert not page.locator("#search-status").is_visible()
    assert "needs JavaScript" in page.locator("main").inner_text()
    context.close()


TOKEN_CASES = [
    "用 LoRA 微调",
    "奖励\n模型 训练",
    "Müller ＬｏＲＡ fine-tuning GPT-3",
    "ｶﾞｷﾞ がぎ ｶﾞ",
    "𠀀𠀁x　全角空格",
    "r_\\theta co\u00adoperate İstanbul ΣΑΣ ß ﬁne",
    "a — b; c.d 1.3B 2017年 第3章",
    "한국어 텍스트 ㈜ ① ⅻ",
]


def test_browser_tokenizer_agrees_with_python(tab: Tab) -> None:
    tab.open()
    got = tab.page.evaluate(
        "cases => cases.map(c => window.PapernotesSearch.tokenize(c))", TOKEN_CASES
    )
    assert got == [tokenize(c) for c in TOKEN_CASES]


def _doc(key: str, title: str = "Untitled", authors: str = "Nobody", body: str = "") -> SearchDoc:
    return SearchDoc(key, f"papers/{key}.html", title, authors, 2020, "", (), "", body)


PAD = " filler text here" * 5  # equal lengths, so only what is tested differs

RANKING_CASES = [
    # (query, notes, expected keys best first)
    (
        "attention",
        [_doc("body", body="attention" + PAD), _doc("title", title="Attention")],
        ["title", "body"],
    ),
    (
        "hinton",
        [_doc("body", body="hinton" + PAD), _doc("author", authors="Geoffrey Hinton")],
        ["author", "body"],
    ),
    (
        "reward model",
        [
            _doc("apart", body="the model gets a reward" + PAD),
            _doc("adjacent", body="the reward model" + PAD),
        ],
        ["adjacent", "apart"],
    ),
    (
        "奖励模型训练",
        [_doc("pieces", body="奖励模型的训练" + PAD), _doc("exact", body="奖励模型训练" + PAD)],
        ["exact", "pieces"],
    ),
    (
        "RLHF奖励模型",
        [
            _doc("apart", body="奖励模型 and RLHF" + PAD),
            _doc("adjacent", body="RLHF 奖励模型" + PAD),
        ],
        ["adjacent", "apart"],
    ),
    (
        "lora",
        [_doc("longer", body="loras" + PAD), _doc("exact", body="lora" + PAD)],
        ["exact", "longer"],
    ),
    ("模型", [_doc("one", body="模" + PAD), _doc("two", body="型模" + PAD)], []),
    ("gpt3", [_doc("hyphen", body="GPT-3" + PAD), _doc("none", body="GPT 4" + PAD)], ["hyphen"]),
]


def test_ranking_cases(browser: Browser) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_content("<!DOCTYPE html><title>ranking</title>")
    page.add_script_tag(path=str(SEARCH_JS))
    for query, docs, expected in RANKING_CASES:
        index = json.loads(search_index_js(docs).removeprefix("window.PAPERNOTES_SEARCH=")[:-2])
        got = page.evaluate(
            """([data, q]) => {
                const index = new PapernotesSearch.Index(data);
                return index.search(q).map((r) => index.docs[r.doc].key);
            }""",
            [index, query],
        )
        assert got == expected, query
    assert errors == []
    page.close()
