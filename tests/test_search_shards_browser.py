"""The sharded search index in a real Chromium from file://: a query loads only the shards it
needs, and finds what the whole index finds (test_search_browser runs the same notes with one
term shard; here every shard is tiny, so each query reads a few of many)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page
from test_search_browser import NOTES, _docs

from papernotes.build import build
from papernotes.config import load_config
from papernotes.search.shards import MANIFEST, SHARD_DIR, search_files, shard_of

from browser import Problems
from conftest import write_note


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lib")
    for name, text in NOTES.items():
        write_note(root, name, text)
    config, _ = load_config(root)
    out = root / "site"
    assert build(root, config, out=out).errors == 0
    shutil.rmtree(out / SHARD_DIR)
    for file in search_files(_docs(root), term_shard_bytes=300, doc_shard_bytes=250):
        target = out / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file.make(), "utf-8")
    return out


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    problems = Problems()
    context = browser.new_context()
    yield problems.watch(context.new_page())
    context.close()
    assert problems.items == []


def _search(page: Page, site: Path, query: str) -> list[str]:
    page.goto((site / "search.html").as_uri() + "?q=" + quote(query))
    page.wait_for_function("document.documentElement.dataset.pnSearch === '1'")
    return page.locator("#search-results .search-result-title").all_inner_texts()


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("attention", ["Attention Is All You Need", "A Survey of Sequence Models"]),
        ("transf", ["Attention Is All You Need"]),  # a prefix: its expansions' shard
        ("tr", ["Attention Is All You Need", "Training Language Models with Human Feedback"]),
        ("注意力", ["Attention Is All You Need"]),
        (
            "奖励模型训练",
            ["Training Language Models with Human Feedback", "Direct Preference Optimization"],
        ),
        ("LoRA 低秩", ["LoRA: Low-Rank Adaptation of Large Language Models"]),
        ("量子引力", []),
    ],
)
def test_a_query_loads_some_shards_and_finds_the_same(
    tab: Page, site: Path, query: str, titles: list[str]
) -> None:
    got = _search(tab, site, query)
    if query == "tr":  # a one-letter-pair prefix reads the shards the manifest lists
        assert set(titles) <= set(got)
    else:
        assert got == titles
    loaded = tab.eval_on_selector_all("script[data-search-shard]", "s => s.map(e => e.src)")
    shards = list((site / SHARD_DIR).glob("*.js"))
    assert len(shards) > 8
    assert 0 < len(loaded) < len(shards) / 2, loaded
    assert all(Path(src.removeprefix("file://")).is_file() for src in loaded)


def test_browser_shards_terms_as_python_does(tab: Page, site: Path) -> None:
    terms = ["transformer", "trans", "奖励", "𠀀𠀁", "a", "lora", "müller", "ＬｏＲＡ"]
    _search(tab, site, "")
    got = tab.evaluate(
        "terms => terms.map(t => [1, 64, 1024].map(n => PapernotesSearch.shardOf(t, 3, n)))",
        terms,
    )
    assert got == [[shard_of(t, n) for n in (1, 64, 1024)] for t in terms]


def test_an_empty_query_loads_no_shard(tab: Page, site: Path) -> None:
    _search(tab, site, "")
    assert tab.locator("#search-status").inner_text() == f"Search {len(NOTES)} notes."
    assert tab.locator("script[data-search-shard]").count() == 0


def test_a_short_prefix_reads_the_shards_of_its_most_common_words_only(
    tab: Page, site: Path
) -> None:
    manifest = json.loads(
        (site / MANIFEST).read_text("utf-8").removeprefix("window.PAPERNOTES_SEARCH=")[:-2]
    )
    prefix = max(manifest["short"], key=lambda p: len(manifest["short"][p]))
    listed = manifest["short"][prefix]
    assert len(listed) > 4, prefix  # more than search.js reads
    assert _search(tab, site, prefix)
    loaded = tab.eval_on_selector_all(
        "script[data-search-shard^='t-']", "s => s.map(e => e.dataset.searchShard)"
    )
    own = f"t-{shard_of(prefix, manifest['termShards'])}"
    assert set(loaded) == {own, *(f"t-{n}" for n in listed[:4])}


# The doc shards that had arrived when the first result was shown.
FIRST_SHOWN = """
window.__arrived = [];
document.addEventListener("load", (e) => {
  const name = e.target.dataset && e.target.dataset.searchShard;
  if (name && name.startsWith("d-")) window.__arrived.push(name);
}, true);
new MutationObserver((changes, observer) => {
  const list = document.getElementById("search-results");
  if (!list || !list.children.length) return;
  observer.disconnect();
  window.__atFirst = window.__arrived.slice();
}).observe(document, { childList: true, subtree: true });
"""


def test_a_phrase_query_shows_its_first_result_before_reading_every_candidate(
    tab: Page, site: Path
) -> None:
    # "language models" is checked as a phrase over the leading candidates' stored text, one
    # doc shard each here. The first candidate has the phrase: nothing the others' texts say
    # can put one of them above it, so it is shown once its own shard is in. Every checked
    # candidate's shard was read before any result was shown.
    tab.add_init_script(FIRST_SHOWN)
    got = _search(tab, site, "language models")
    assert got == [
        "LoRA: Low-Rank Adaptation of Large Language Models",
        "Training Language Models with Human Feedback",
        "Language Models are Few-Shot Learners",
    ]
    assert len(tab.evaluate("window.__arrived")) == 3
    assert len(tab.evaluate("window.__atFirst")) == 1
