"""Where a cold build's CPU goes, every process included: cProfile in the parent and in each
forked worker, merged.

    python benchmarks/cpuprofile.py LIB [--out DIR] [--top N] [--workers N] [--save FILE]

A build's work is spread over the parent and the pools it forks (``incremental.parallel``):
profiling the parent alone shows it waiting for results. Here every slice a worker runs is
profiled too, and each worker's stats are written to a scratch folder after each slice (a pool
ends its workers without letting them clean up). The report is one merged table: the functions
by own time over every process, then the time under each stage's own function (inclusive; a
stage's share of the build), the parent's and the workers' apart.

cProfile times by the wall clock and adds a cost per call (about 1.7× a build's real time), so
read the shares, not the seconds; ``--workers 1`` profiles the build in one process (every
stage serial: the shares of the work without pools). It measures by wrapping
``parallel._run_slice`` (a harness, never imported by papernotes); the build is the real one,
writing into ``--out`` (default: a temporary folder).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STAGES = (
    ("parse a note", "parse.py", "parse_note"),
    ("  markdown-it parse", "main.py", "parse"),
    ("  body template", "body.py", "body_template"),
    ("  front matter", "frontmatter.py", "split_note"),
    ("render a body (fill the template)", "body.py", "render_body"),
    ("format references (citeproc)", "styles.py", "format"),
    ("search documents", "searchstate.py", "search_docs"),
    ("search terms", "index.py", "doc_terms"),
    ("search index", "index.py", "build_index"),
    ("plan the site (fingerprints, index)", "plan.py", "plan_site"),
    ("link", "link.py", "link"),
    ("a page job (render, stage its files)", "sitewriter.py", "made"),
    ("  paper page", "render.py", "paper_page"),
    ("  Jinja render", "environment.py", "render"),
    ("  BibTeX entries", "export.py", "format_entries"),
    ("cache save", "cache.py", "persist"),
    ("  an entry file", "store.py", "_write_entry"),
    ("commit the site", "sitewriter.py", "commit"),
)
"""(label, file name, function name): the functions whose inclusive time is a stage's."""

WAITS = ("acquire", "wait", "poll", "select", "recv_bytes", "sleep")
"""Built-in functions in which a process waits (for results, a lock): left out of the total."""

_folder = Path()
_profile: cProfile.Profile | None = None
_real_slice: Any = None


def _slice(bounds: tuple[int, int]) -> list[Any]:
    """A worker's slice, profiled: module-level, as the pool sends it to the workers by name."""
    global _profile
    if _profile is None:
        sys.setprofile(None)  # a fork of the profiled parent inherits its profiler: not ours
        _profile = cProfile.Profile()
    _profile.enable()
    try:
        return list(_real_slice(bounds))
    finally:
        _profile.disable()
        _profile.dump_stats(_folder / f"worker-{os.getpid()}.prof")


def _instrument(folder: Path) -> None:
    from papernotes.incremental import parallel

    global _folder, _real_slice
    _folder, _real_slice = folder, parallel._run_slice
    parallel._run_slice = _slice  # type: ignore[assignment]


def _build(lib: Path, out: Path, workers: int | None) -> tuple[cProfile.Profile, float, float]:
    import papernotes.build as build
    from papernotes.cli import main

    if workers is not None:
        build._workers = lambda asked: workers  # type: ignore[assignment]
    os.chdir(lib)
    profile = cProfile.Profile()
    wall, cpu = time.perf_counter(), time.process_time()
    profile.enable()
    try:
        main.main(["build", "-q", "--out", str(out)])
    finally:
        profile.disable()
    return profile, time.perf_counter() - wall, time.process_time() - cpu


def _waits(name: str) -> bool:
    return any(f"'{w}'" in name or f" {w}>" in name for w in WAITS)


def _stage_times(stats: pstats.Stats) -> dict[str, float]:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    out: dict[str, float] = {}
    for label, file, name in STAGES:
        total = 0.0
        for (path, _line, func), (_cc, _nc, _tt, ct, callers) in raw.items():
            if func != name or not path.endswith(file):
                continue
            # Inclusive time counted once: the calls from outside the function itself.
            total += ct if not any(c[2] == name and c[0] == path for c in callers) else 0.0
        out[label] = total
    return out


def _report(profile: cProfile.Profile, done: list[Path], top: int) -> pstats.Stats:
    """Print the tables; the merged stats."""
    parent = pstats.Stats(profile)
    workers = pstats.Stats(*map(str, done)) if done else None
    both = pstats.Stats(profile)
    if workers is not None:
        both.add(workers)
    raw: dict[Any, Any] = both.stats  # type: ignore[attr-defined]
    waited = sum(v[2] for k, v in raw.items() if k[0] == "~" and _waits(k[2]))
    total = both.total_tt - waited  # type: ignore[attr-defined]
    print(f"profiled time, every process: {total:.2f} s, and {waited:.2f} s waiting")
    print("\nstages (inclusive, share of every process's profiled time):")
    mine = _stage_times(parent)
    theirs = _stage_times(workers) if workers is not None else {}
    for label, *_ in STAGES:
        here, there = mine.get(label, 0.0), theirs.get(label, 0.0)
        share = 100 * (here + there) / total if total else 0.0
        print(f"  {share:5.1f}%  parent {here:6.2f} s  workers {there:6.2f} s  {label}")
    print(f"\nfunctions by own time, every process (top {top}; not the waits):")
    working = (kv for kv in raw.items() if not (kv[0][0] == "~" and _waits(kv[0][2])))
    rows = sorted(working, key=lambda kv: -kv[1][2])[:top]
    for (path, line, func), (_cc, calls, tt, _ct, _callers) in rows:
        where = "/".join(Path(path).parts[-2:]) if path != "~" else "(built-in)"
        share = 100 * tt / total if total else 0.0
        print(f"  {share:5.1f}%  {tt:6.2f} s  {calls:9,} calls  {func} ({where}:{line})")
    return both


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("lib", type=Path, help="a library (a copy: it is built in place)")
    parser.add_argument("--out", type=Path, default=None, help="the site (default: a temp dir)")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--workers", type=int, default=None, help="1: every stage serial")
    parser.add_argument("--save", type=Path, default=None, help="keep the merged stats here")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="cpuprofile-"))
    try:
        _instrument(scratch)
        out = (args.out or scratch / "site").resolve()
        profile, wall, cpu = _build(args.lib.resolve(), out, args.workers)
        done = sorted(scratch.glob("worker-*.prof"))
        print(f"wall {wall:.2f} s, the parent's cpu {cpu:.2f} s, {len(done)} worker processes")
        merged = _report(profile, done, args.top)
        if args.save:
            merged.dump_stats(args.save)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
