"""Nothing is imported in the building process once its page workers may be forked: a module
being imported at a fork stays locked in the worker, and its next import there hangs for good
(a cold build of an Obsidian vault hung so, latexcodec first needed by library.bib)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import note_text, write_note

# A fresh interpreter (in the test process, earlier tests imported everything), a pool made
# however cheap the pages (FORK_WORTH), and the modules imported once it is made.
_WATCH = """
import sys
from pathlib import Path
from papernotes import plan
from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import parallel

seen = {}
real_slices, real_run = parallel._slices, plan.run_jobs

def forking(*a, **kw):
    seen.setdefault("before", set(sys.modules))
    seen["pools"] = seen.get("pools", 0) + 1
    return real_slices(*a, **kw)

def run_jobs(*a, **kw):
    parallel._slices = forking
    try:
        return real_run(*a, **kw)
    finally:
        parallel._slices = real_slices
        if "before" in seen:
            seen["late"] = sorted(set(sys.modules) - seen.pop("before"))

plan.run_jobs = run_jobs
parallel.FORK_WORTH = 0.0
root = Path(sys.argv[1])
config, _ = load_config(root)
assert build(root, config, out=root / "site", workers=2).errors == 0
print(seen.get("pools", 0), seen.get("late"))
"""


def test_the_building_process_imports_nothing_once_it_forks_page_workers(
    tmp_path: Path,
) -> None:
    root = tmp_path / "lib"
    for i in range(300):
        write_note(root, f"n{i:03d}.md", note_text(f"Paper {i}", extra="tags: [t]\n"))
    # A letter only latexcodec spells in ASCII: library.bib, made in this process, needs it.
    write_note(root, "o.md", note_text("Paper Ő", authors="[Ődön Ősz]"))
    done = subprocess.run(
        [sys.executable, "-c", _WATCH, str(root)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    pools, late = done.stdout.split(" ", 1)
    assert int(pools) >= 1
    assert late.strip() == "[]"
