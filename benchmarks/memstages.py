"""Where a cold build's memory goes: the parent's and each worker's RSS/PSS over the stages.

Runs ``papernotes.build.build`` in this process on a library (a cold build: the cache and
the output are removed first), samples ``/proc`` for this process and its children every
0.05 s, and prints each stage's peak (stages from the build's progress callback, plus the
cache save). ``--trace`` takes tracemalloc snapshots in the parent at the stage boundaries
(slow: use it with ``--workers 1``) and prints the top allocation sites of the last one.

    python benchmarks/memstages.py /tmp/lib5k [--workers N] [--trace]
"""

from __future__ import annotations

import argparse
import os
import shutil
import threading
import time
import tracemalloc
from pathlib import Path


def _status(pid: int) -> tuple[int, int, int]:
    """(RSS, PSS, USS) KiB of ``pid`` now; zeros once it is gone. USS (its private pages) is
    what a worker added to the tree: what it wrote of the parent's pages, and its own."""
    rss = pss = uss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Private_"):
                    uss += int(line.split()[1])
    except OSError:
        pass
    return rss, pss, uss


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children", encoding="ascii") as f:
                    todo += [int(x) for x in f.read().split()]
        except OSError:
            continue
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("library", type=Path)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--trace", action="store_true")
    ap.add_argument("--life", type=int, default=None, help="parallel.ITEMS_PER_WORKER")
    ap.add_argument("--top", type=int, default=12, help="allocation sites shown (--trace)")
    args = ap.parse_args()
    root: Path = args.library
    me = os.getpid()
    idle = _status(me)
    from papernotes import build as build_mod
    from papernotes.config import load_config
    from papernotes.incremental import parallel

    if args.life:
        parallel.ITEMS_PER_WORKER = args.life

    imported = _status(me)
    stage = ["read"]
    peaks: dict[str, dict[str, tuple[int, int, int]]] = {}
    tree_peak: dict[str, int] = {}
    at_peak: dict[str, list[tuple[int, int, int]]] = {}  # each process's (RSS, PSS, USS) then
    snaps: list[tuple[str, tracemalloc.Snapshot]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            st = stage[0]
            total = 0
            per = peaks.setdefault(st, {})
            seen = []
            for pid in _tree(me):
                now = _status(pid)
                seen.append(now)
                total += now[1]
                who = "parent" if pid == me else "worker(max)"
                old = per.get(who, (0, 0, 0))
                per[who] = (max(old[0], now[0]), max(old[1], now[1]), max(old[2], now[2]))
            if total > tree_peak.get(st, 0):
                tree_peak[st], at_peak[st] = total, seen

    def progress(name: str, done_: int, total: int) -> None:
        if stage[0] != name:
            if args.trace:
                snaps.append((stage[0], tracemalloc.take_snapshot()))
            stage[0] = name

    shutil.rmtree(root / ".papernotes", ignore_errors=True)
    shutil.rmtree(root / "site", ignore_errors=True)
    config, _ = load_config(root)
    if args.trace:
        tracemalloc.start(1)
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    t0 = time.perf_counter()
    c0 = os.times()
    orig_persist = build_mod.persist

    def persist(*a, **kw):  # type: ignore[no-untyped-def]
        if args.trace:
            snaps.append((stage[0], tracemalloc.take_snapshot()))
        stage[0] = "save"
        return orig_persist(*a, **kw)

    build_mod.persist = persist  # type: ignore[assignment]
    report = build_mod.build(
        root, config, out=root / "site", progress=progress, workers=args.workers
    )
    c1 = os.times()
    done.set()
    thread.join()
    print(f"notes {report.notes} pages {report.pages} errors {report.errors}")
    parent = c1.user + c1.system - c0.user - c0.system
    kids = c1.children_user + c1.children_system - c0.children_user - c0.children_system
    print(
        f"wall {time.perf_counter() - t0:.1f} s; cpu parent {parent:.1f} s, children {kids:.1f} s"
    )
    print(f"idle python RSS {idle[0] / 1024:.0f} MiB; after imports {imported[0] / 1024:.0f} MiB")
    for st, per in peaks.items():
        parts = ", ".join(
            f"{k} rss {r / 1024:.0f} pss {p / 1024:.0f} uss {u / 1024:.0f}"
            for k, (r, p, u) in per.items()
        )
        print(f"{st:8} tree PSS peak {tree_peak[st] / 1024:6.0f} MiB | {parts}")
        then = " ".join("/".join(f"{v / 1024:.0f}" for v in p) for p in at_peak[st])
        print(f"{'':8} at the peak, each process's RSS/PSS/USS MiB (parent first): {then}")
    if args.trace:
        for st, snap in snaps:
            stats = snap.statistics("filename")
            total = sum(s.size for s in stats)
            print(f"--- tracemalloc at end of {st}: {total / 2**20:.0f} MiB")
            for s in snap.statistics("lineno")[: args.top]:
                print(f"   {s.size / 2**20:7.1f} MiB {s.count:8d} {s.traceback[0]}")


if __name__ == "__main__":
    main()
