"""What a query reads before its first result is shown, counted in a real Chromium from file://.

At 50,000 notes the first result waited for every doc shard of the first page (twenty asked for
at once arrive together) and, for a one-word query, for the doc shards of up to eight notes with
the word in their meta fields (to compare their keys with it). Here every doc shard holds one or
two notes, so each note read is a shard counted.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page
from test_search_browser import _docs

from papernotes.build import build
from papernotes.config import load_config
from papernotes.search.index import SearchDoc, build_index, index_data
from papernotes.search.shards import SHARD_DIR, doc_order, search_files

from browser import Problems
from conftest import note_text, write_note

TAGGED = 30
"""Notes tagged ``attention``, all newer (numbered before) the note whose key is the word."""

# The doc shards asked for before the result list got its first child, from the mutation
# records in the order they happened (one observer callback may see both).
FIRST = """
(() => {
  window.__first = null;
  const asked = [];
  new MutationObserver((records) => {
    for (const record of records) {
      if (window.__first !== null) return;
      for (const node of record.addedNodes) {
        if (node.dataset && (node.dataset.searchShard || "").startsWith("d-")) asked.push(node.dataset.searchShard);
        if (record.target.id === "search-results") window.__first = asked.slice();
      }
    }
  }).observe(document, { childList: true, subtree: true });
})();
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lib")
    for n in range(TAGGED):
        write_note(
            root,
            f"tagged{n:02}.md",
            note_text(
                f"Survey number {n}",
                year=2000 + n,
                extra="tags: [attention]\n",
                body=f"A survey of attention, part {n}.\n",
            ),
        )
    keyed = note_text("The Keyed Note", year=1990, extra="id: attention\n", body="Nothing.\n")
    write_note(root, "keyed.md", keyed)
    config, _ = load_config(root)
    out = root / "site"
    assert build(root, config, out=out).errors == 0
    shutil.rmtree(out / SHARD_DIR)
    for file in search_files(_docs(root), doc_shard_bytes=150):
        target = out / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file.make(), "utf-8")
    return out


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    problems = Problems()
    context = browser.new_context()
    page = problems.watch(context.new_page())
    page.add_init_script(FIRST)
    yield page
    context.close()
    assert problems.items == []


def _search(page: Page, site: Path, query: str) -> tuple[list[str], list[str]]:
    """The titles shown and the doc shards there were when the first was shown."""
    page.goto((site / "search.html").as_uri() + "?q=" + quote(query))
    page.wait_for_function("document.documentElement.dataset.pnSearch === '1'")
    titles = page.locator("#search-results .search-result-title").all_inner_texts()
    return titles, page.evaluate("window.__first")


def test_the_first_result_waits_for_its_own_doc_shard_only(tab: Page, site: Path) -> None:
    titles, first = _search(tab, site, "survey")
    assert titles[:3] == ["Survey number 29", "Survey number 28", "Survey number 27"]
    assert len(titles) == 20  # the first page, whose rest came after
    assert len(first) == 1, first
    assert tab.locator("script[data-search-shard^='d-']").count() > 5


def test_a_key_as_one_word_is_found_without_reading_any_other_note(tab: Page, site: Path) -> None:
    # Thirty notes have the word in their meta fields; the key's note is numbered last.
    titles, first = _search(tab, site, "attention")
    assert titles[0] == "The Keyed Note"
    assert titles[1:3] == ["Survey number 29", "Survey number 28"]
    assert len(first) == 1, first


def test_ranking_past_the_best_sorts_the_rest_as_a_full_sort_would(tab: Page, site: Path) -> None:
    # 450 notes match: more than twice the 200 ranked at once, so the rest wait unsorted (as
    # typed arrays) until the reader pages past the best; then they follow in the same order.
    docs = [
        SearchDoc(
            f"k{n:03}",
            f"papers/k{n:03}.html",
            f"T{n}",
            "A",
            2000 + n % 7,
            "",
            (),
            "",
            "lora " * (1 + n % 13) + "pad " * (n % 17),
        )
        for n in range(450)
    ]
    data = index_data(build_index(docs, order=doc_order))
    _search(tab, site, "survey")
    got = tab.evaluate(
        """(data) => {
          const index = new PapernotesSearch.Index(data);
          const results = index.search("lora");
          const head = results.map((r) => r.doc);
          const before = [results.total, results.sorted, results.length];
          index.sortAll(results);
          const order = index.order();
          const full = results.slice().sort(order).map((r) => r.doc);
          return { before: before, head: head, all: results.map((r) => r.doc), full: full };
        }""",
        data,
    )
    assert got["before"] == [450, 200, 200]
    assert got["all"][:200] == got["head"]
    assert got["all"] == got["full"] and len(set(got["all"])) == 450
