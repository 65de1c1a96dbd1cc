"""Where a cold build's wall time goes: the parent's phases and each worker pool, on one clock.

    python benchmarks/timeline.py LIB [--workers N] [--no-cache] [--out DIR]

Wall time is only half the story on a loaded machine, so every phase says its CPU too, and each
pool what its workers spent (CPU inside slices), how late its first slice started, how many
processes it forked and how many bytes of results were pickled back to the parent. A phase of
the parent with CPU close to its wall, between two pools, is time the workers sit idle.

It measures by wrapping the stages' functions (a harness, never imported by papernotes); the
build is the real one, writing into ``--out`` (default: a temporary folder).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import pickle
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

T0 = time.perf_counter()


def _log(events: Path, **fields: Any) -> None:
    # One line per event, appended: workers are forked processes and write here too.
    fields |= {"t": time.perf_counter() - T0, "pid": os.getpid()}
    with events.open("a", encoding="utf-8") as f:
        f.write(json.dumps(fields) + "\n")


def _wrap(events: Path, module: Any, name: str, label: str | None = None) -> None:
    fn = getattr(module, name)

    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            took, used = time.perf_counter() - wall, time.process_time() - cpu
            _log(events, ev="phase", name=label or name, start=wall - T0, dur=took, cpu=used)

    setattr(module, name, timed)


def _instrument(events: Path) -> None:
    from papernotes import build, link, load, plan, sitewriter, theme
    from papernotes.bib import styles
    from papernotes.incremental import parallel, reuse, searchstate

    for module, name, label in (
        (load, "load_sources", None),
        (build, "_parse_notes", "parse"),
        (link, "link", None),
        (theme, "load_theme", None),
        (styles, "load_styles", None),
        (plan, "body_fingerprints", None),
        (plan, "reuse", "bodies"),
        (searchstate, "search_docs", None),
        (plan, "search_docs", None),
        (plan, "pack_bodies", None),
        (searchstate, "search_terms", None),
        (plan, "note_references", "references"),
        (plan, "references_ahead", "references handed to workers"),
        (plan, "plan_site", None),
        (plan, "split_jobs", None),
        (plan, "pack", "pack (the terms)"),
        (plan, "render_site", "render_site (all of stage 4)"),
        (sitewriter.SiteWriter, "commit", None),
        (build, "persist", "persist (the cache)"),
    ):
        if hasattr(module, name):  # an older tree may not have it
            _wrap(events, module, name, label)
    real_iter, real_slice = parallel.parallel_iter, parallel._run_slice

    def pools(fn: Callable[[Any], Any], items: Any, workers: int, **kw: Any) -> Iterator[Any]:
        start, waited = time.perf_counter(), 0.0
        results = real_iter(fn, items, workers, **kw)
        while True:
            asked = time.perf_counter()
            try:
                result = next(results)
            except StopIteration:
                break
            waited += time.perf_counter() - asked
            yield result
        fans = parallel.fans_out(len(items), workers)
        took = time.perf_counter() - start
        _log(
            events, ev="pool", items=len(items), fans=fans, start=start - T0, dur=took, wait=waited
        )

    global _real_slice, _events
    _real_slice, _events = real_slice, events
    parallel.parallel_iter = plan.parallel_iter = reuse.parallel_iter = pools  # type: ignore[assignment]
    parallel._run_slice = _slice


_real_slice: Callable[[tuple[int, int]], list[Any]] | None = None
_events = Path()


def _slice(bounds: tuple[int, int]) -> list[Any]:
    """A worker's slice, timed: module-level, as the pool sends it to the workers by name."""
    assert _real_slice is not None
    wall, cpu = time.perf_counter(), time.process_time()
    result = _real_slice(bounds)
    size = len(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    used = time.process_time() - cpu
    _log(_events, ev="slice", start=wall - T0, dur=time.perf_counter() - wall, cpu=used, bytes=size)
    return result


def _report(events: Path) -> None:
    rows = [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines()]
    for e in sorted((e for e in rows if e["ev"] in ("phase", "pool")), key=lambda e: e["start"]):
        if e["ev"] == "phase":
            print(f"{e['start']:7.2f} s  +{e['dur']:6.2f} s  cpu {e['cpu']:5.2f} s  {e['name']}")
            continue
        if not e["fans"]:
            continue
        end = e["start"] + e["dur"]
        mine = [s for s in rows if s["ev"] == "slice" and e["start"] <= s["start"] <= end]
        if not mine:
            continue
        first = min(s["start"] for s in mine) - e["start"]
        print(
            f"{e['start']:7.2f} s  +{e['dur']:6.2f} s  pool of {e['items']} items: workers' cpu "
            f"{sum(s['cpu'] for s in mine):5.2f} s, first slice after {first:.2f} s, "
            f"{len({s['pid'] for s in mine})} processes, "
            f"{sum(s['bytes'] for s in mine) / 1e6:.1f} MB pickled back"
        )
    _alone(rows)
    done = next(e for e in rows if e["ev"] == "done")
    print(
        f"wall {done['wall']:.2f} s; cpu: parent {done['parent']:.2f} s, "
        f"workers {done['children']:.2f} s; {done['pages']} files"
    )


def _alone(rows: list[dict[str, Any]]) -> None:
    """Wall and the parent's CPU by how many worker slices were running meanwhile: the
    parent's CPU with none is work that leaves a core idle (by phase, the innermost)."""
    samples = next((e["samples"] for e in rows if e["ev"] == "samples"), [])
    slices = [(s["start"], s["start"] + s["dur"]) for s in rows if s["ev"] == "slice"]
    phases = sorted(
        ((e["dur"], e["start"], e["name"]) for e in rows if e["ev"] == "phase"), reverse=True
    )
    wall = {0: 0.0, 1: 0.0, 2: 0.0}
    cpu = {0: 0.0, 1: 0.0, 2: 0.0}
    lone: dict[str, float] = {}
    for (t0, c0), (t1, c1) in itertools.pairwise(samples):
        mid = (t0 + t1) / 2
        busy = min(2, sum(a <= mid < b for a, b in slices))
        wall[busy] += t1 - t0
        cpu[busy] += c1 - c0
        if busy == 0:
            inner = [name for dur, start, name in phases if start <= mid < start + dur]
            where = inner[-1] if inner else "(between phases)"
            lone[where] = lone.get(where, 0.0) + c1 - c0
    for n, what in ((0, "no worker slice"), (1, "one worker slice"), (2, "2+ worker slices")):
        print(f"with {what:17}: wall {wall[n]:6.2f} s, the parent's cpu {cpu[n]:5.2f} s")
    for name, used in sorted(lone.items(), key=lambda kv: -kv[1]):
        print(f"    the parent alone in {name}: cpu {used:.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--no-cache", action="store_true", help="build as --no-cache does")
    parser.add_argument("--out", type=Path, default=None, help="the output folder (emptied)")
    parser.add_argument("--events", type=Path, default=None, help="keep the event log here")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="timeline-"))
    events, out = scratch / "events.jsonl", args.out or scratch / "site"
    events.touch()
    _instrument(events)
    from papernotes.build import build
    from papernotes.config import load_config

    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(args.library / ".papernotes", ignore_errors=True)  # a cold build
    config, _ = load_config(args.library)
    samples: list[tuple[float, float]] = []
    sampling = threading.Event()

    def sample() -> None:  # the parent's CPU on the events' clock, every 5 ms
        while not sampling.wait(0.005):
            samples.append((time.perf_counter() - T0, time.process_time()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    report = build(args.library, config, out=out, use_cache=not args.no_cache, workers=args.workers)
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    _log(
        events,
        ev="done",
        wall=time.perf_counter() - start,
        parent=me.ru_utime + me.ru_stime,
        children=kids.ru_utime + kids.ru_stime,
        pages=report.pages,
    )
    sampling.set()
    sampler.join()
    _log(events, ev="samples", samples=samples)
    _report(events)
    if args.events:
        shutil.copy(events, args.events)
    shutil.rmtree(scratch, ignore_errors=True)
    return 0 if report.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
