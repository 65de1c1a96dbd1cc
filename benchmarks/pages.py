"""The home page and search from ``file://`` in Chromium (Playwright), timed inside the page.

Times come from the page's own clock (``performance.now()`` counts from navigation start; an
event's ``timeStamp`` is on the same clock), so Playwright's round trips are not in them.

Hooks the site may set, and what is measured without them:
- ``<html data-pn-table="ready">`` when the home table answers input: interactive is navigation
  start → that. Without it: the load event plus the first filter keystroke's response.
- ``<html data-pn-table-rows="all">`` when a table that shows its first rows before the rest
  have loaded has them all: complete is navigation start → that (else it is interactive).
  Keystrokes are timed after it, over every row.
- ``data-pn-table-rendered`` changing after a filter keystroke, or else the ``#result-count``
  text changing: the keystroke's time runs from its ``keydown`` to that change.
- ``data-pn-search`` set, or else a first child in ``#search-results``: search's first results.
"""

from __future__ import annotations

import shutil
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
TIMEOUT_MS = 600_000
"""A 50,000-note home page of the old design takes minutes to load under load: wait for it."""

HOME_INIT = """
(() => {
  const marks = (window.__pn = {});
  // Only the attribute: a subtree observer of every change would itself slow the table down.
  // The document, not <html>: an init script runs before <html> exists.
  new MutationObserver(() => {
    const root = document.documentElement;
    if (root.dataset.pnTable === "ready" && marks.ready === undefined) marks.ready = performance.now();
    if (root.dataset.pnTableRows === "all" && marks.all === undefined) marks.all = performance.now();
  }).observe(document, {
    attributes: true, attributeFilter: ["data-pn-table", "data-pn-table-rows"], subtree: true,
  });
})();
"""

SEARCH_INIT = """
(() => {
  const marks = (window.__pn = {});
  const shown = () => {
    if (marks.search !== undefined) return;
    const list = document.getElementById("search-results");
    const flagged = document.querySelector("[data-pn-search]");
    if (flagged || (list && list.children.length)) marks.search = performance.now();
  };
  new MutationObserver(shown).observe(document, {
    attributes: true, attributeFilter: ["data-pn-search"], childList: true, subtree: true,
  });
})();
"""

# Armed before the key is pressed; the promise is awaited afterwards (an awaited evaluate would
# not return before the key it waits for).
KEYSTROKE = """
() => { window.__pnKey = new Promise((resolve) => {
  const root = document.documentElement;
  const count = document.getElementById("result-count");
  const state = () => [root.dataset.pnTableRendered, count ? count.textContent : ""].join("\\u0000");
  const before = state();
  let t0 = null;
  document.addEventListener("keydown", (e) => { t0 = e.timeStamp; }, { capture: true, once: true });
  const observer = new MutationObserver(() => {
    if (t0 === null || state() === before) return;
    observer.disconnect();
    resolve(performance.now() - t0);
  });
  observer.observe(root, { attributes: true, attributeFilter: ["data-pn-table-rendered"] });
  if (count) observer.observe(count, { childList: true, characterData: true, subtree: true });
  setTimeout(() => { observer.disconnect(); resolve(-1); }, 60000);
}); }
"""


@dataclass(frozen=True, slots=True)
class PageTimes:
    """The Chromium figures of one site, seconds and bytes (medians over the runs)."""

    interactive: float
    """Home page: navigation start → the table answers input."""
    fallback: bool
    """True when the site sets no ``data-pn-table`` hook (interactive = load + first filter)."""
    keystroke: float
    """Home page: a filter keystroke → the table shows its result."""
    search_first: float
    """search.html?q=…: navigation start → first result shown."""
    search_bytes: float
    """Bytes of the files the search page loaded for the query (the page included)."""
    complete: float = 0.0
    """Home page: navigation start → every row loaded (interactive, when they come at once)."""


def chromium() -> str | None:
    """Debian's Chromium (Playwright's own download cannot run here), else Playwright's."""
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )


def _has_table_hook(site: Path) -> bool:
    return any("pnTable" in p.read_text("utf-8", "replace") for p in site.glob("static/*.js"))


def _keystroke(page: Any, key: str) -> float:
    page.evaluate(KEYSTROKE)
    page.keyboard.press(key)
    ms = float(page.evaluate("window.__pnKey"))
    if ms < 0:
        raise RuntimeError(f"no response to the filter keystroke {key!r} within 60 s")
    return ms / 1000


def _home_once(browser: Any, site: Path, hook: bool) -> tuple[float, list[float], float]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.add_init_script(HOME_INIT)
        page.goto((site / "index.html").as_uri(), wait_until="load", timeout=TIMEOUT_MS)
        if hook:
            page.wait_for_function("document.documentElement.dataset.pnTable === 'ready'")
            ready = page.evaluate("window.__pn.ready ?? performance.now()") / 1000
            page.wait_for_function(
                "!document.documentElement.dataset.pnTableRows || window.__pn.all !== undefined"
            )
            complete = max(ready, page.evaluate("window.__pn.all ?? 0") / 1000)
        else:
            ready = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            ready /= 1000
            complete = ready
        page.focus("#filter-text")
        # "7" narrows the table (a tenth of the years, some titles); Backspace widens it again.
        keys = [_keystroke(page, "7"), _keystroke(page, "Backspace")]
        return (ready if hook else ready + keys[0]), keys, (complete if hook else ready + keys[0])
    finally:
        context.close()


def _local(url: str) -> Path | None:
    parsed = urlparse(url)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None


def _search_once(browser: Any, site: Path, term: str) -> tuple[float, float]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.add_init_script(SEARCH_INIT)
        urls: set[str] = set()
        page.on("request", lambda request: urls.add(request.url))
        url = (site / "search.html").as_uri() + "?q=" + term
        page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
        page.wait_for_function("window.__pn.search !== undefined")
        first = page.evaluate("window.__pn.search") / 1000
        urls.update(page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)"))
        files = {p for p in map(_local, urls) if p is not None and p.is_file()}
        return first, float(sum(p.stat().st_size for p in files))
    finally:
        context.close()


def page_times(site: Path, runs: int, term: str = "attention", browser: Any = None) -> PageTimes:
    """Open ``site``'s home and search pages ``runs`` times each, each in a fresh context, in
    ``browser`` (a Playwright Chromium; one is launched when None)."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            launched = p.chromium.launch(executable_path=chromium(), args=ARGS)
            try:
                return page_times(site, runs, term, launched)
            finally:
                launched.close()
    hook = _has_table_hook(site)
    homes = [_home_once(browser, site, hook) for _ in range(runs)]
    searches = [_search_once(browser, site, term) for _ in range(runs)]
    return PageTimes(
        interactive=statistics.median(h[0] for h in homes),
        fallback=not hook,
        keystroke=statistics.median(k for h in homes for k in h[1]),
        search_first=statistics.median(s[0] for s in searches),
        search_bytes=statistics.median(s[1] for s in searches),
        complete=statistics.median(h[2] for h in homes),
    )
