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
from benchmarks.pages import PageTimes, page_times
from papernotes.build import build
from papernotes.config import load_config
from papernotes.search.shards import MANIFEST, SHARD_DIR


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lib")
    generate(40, root)
    library, texts = library_of(root, 2)
    assert len(library.notes) == 40 and (root / CACHE).is_file()
    assert library_of(root, 1) == (library, texts)  # the second time, from the pickle
    out = root / "site"
    sizes = write_pages(root, out, library, texts)
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


def test_the_search_files_are_a_builds_byte_for_byte(site: Path, tmp_path: Path) -> None:
    # The bench times search on these files: they must be what a build ships (the bodies
    # rendered, not their Markdown).
    root = site.parent
    config, _ = load_config(root)
    built = tmp_path / "built"
    assert build(root, config, out=built).errors == 0
    names = sorted(p.relative_to(built).as_posix() for p in (built / SHARD_DIR).glob("*.js"))
    assert names == sorted(p.relative_to(site).as_posix() for p in (site / SHARD_DIR).glob("*.js"))
    for name in [MANIFEST, *names]:
        assert (site / name).read_bytes() == (built / name).read_bytes(), name


def test_the_bench_times_search_on_browse_sites_without_a_cold_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import benchmarks.pages
    from benchmarks.bench import Bench, big_rows

    def no_cold(*args: object, **kwargs: object) -> tuple[float, float]:
        raise AssertionError("a cold build")

    timed: list[tuple[Path, str]] = []

    def times(site: Path, runs: int, term: str = "attention") -> PageTimes:
        timed.append((site, term))
        assert (site / MANIFEST).is_file() and (site / "search.html").is_file()
        assert not (site / "papers").exists()  # browse_site's, not a build's
        return PageTimes(1.0, False, 0.1, 0.2, 3e5)

    monkeypatch.setattr(Bench, "cold", no_cold)
    monkeypatch.setattr(benchmarks.pages, "page_times", times)
    b = Bench(tmp_path, 1, None, lambda line: None)
    big_rows(b, 0, 30, {"search"}, browse=True, query="lora")
    assert timed == [(tmp_path / "lib-30" / "site", "lora")]
    assert b.results["search_first"] == 0.2 and b.results["pages_notes"] == 30
