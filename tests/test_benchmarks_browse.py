"""benchmarks/browse_site.py and benchmarks/pages.py: the home and search pages of a library
written without a full build, then opened in Chromium as the benchmark does."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not installed

from benchmarks.browse_site import CACHE, PAGES, library_of, wanted, write_pages
from benchmarks.generate import generate
from benchmarks.pages import page_times
from papernotes.search.shards import SHARD_DIR


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lib")
    generate(40, root)
    library = library_of(root, 1)
    assert len(library.notes) == 40 and (root / CACHE).is_file()
    assert library_of(root, 1) == library  # the second time, from the pickle
    out = root / "site"
    sizes = write_pages(root, out, library)
    assert set(PAGES) <= set(sizes)
    assert any(p.startswith(SHARD_DIR) for p in sizes)
    return out


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("index.html", True),
        ("static/library-data.js", True),
        ("static/library/2.js", True),
        ("static/search/t-0.js", True),
        ("papers/x.html", False),
        ("authors/index.html", False),
        ("static/graph-data.js", False),
    ],
)
def test_only_what_the_two_pages_read_is_written(path: str, expected: bool) -> None:
    assert wanted(path) is expected


def test_the_site_has_the_pages_and_none_of_the_papers(site: Path) -> None:
    assert (site / "static" / "table.js").is_file() and (site / "static" / "search.js").is_file()
    assert not (site / "papers").exists()


def test_pages_times_the_home_table_and_search(site: Path, browser: Browser) -> None:
    t = page_times(site, runs=1, browser=browser)
    assert not t.fallback  # table.js sets the ready hook
    assert 0 < t.interactive <= t.complete
    assert t.keystroke > 0 and t.search_first > 0
    assert t.search_bytes > (site / "search.html").stat().st_size
