"""A no-op ``papernotes build`` answers from the cache manifest, importing almost nothing.

What it imports is pinned: a new import on the fast path (a module of ours, or any third-party
package besides PyYAML) fails here, naming what was added, so the cost is a decision rather than
an accident. Time is not asserted (machines differ); importing is what makes it slow.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import copy_fixture

# Third-party packages a no-op build may import: the config file is YAML.
THIRD_PARTY = {"yaml"}

# Our modules on the no-op path. ``cli.serve`` and ``serve.http`` (with ``http.server``) come
# only from registering the ``serve`` subcommand's arguments; they could leave this list.
PAPERNOTES = {
    "papernotes",
    "papernotes._lazy",
    "papernotes.atomic",
    "papernotes.build",
    "papernotes.cjk",
    "papernotes.cli",
    "papernotes.cli.main",
    "papernotes.cli.report",
    "papernotes.cli.serve",
    "papernotes.config",
    "papernotes.errors",
    "papernotes.foreign",
    "papernotes.ids",
    "papernotes.incremental",
    "papernotes.incremental.cache",
    "papernotes.incremental.fastpath",
    "papernotes.load",
    "papernotes.model",
    "papernotes.theme",
    "papernotes.write",
}

# Runs the CLI in a fresh interpreter, then reports what it imported beyond start-up.
_PROBE = """
import json, sys
before = set(sys.modules)
from papernotes.cli.main import main
code = main(["build", "--root", sys.argv[1]])
new = set(sys.modules) - before
# A module without a spec was made in memory by an extension module already listed
# (PyYAML's Cython-compiled loader creates ``cython_runtime``), not found on the path.
found = sorted(m for m in new if getattr(sys.modules[m], "__spec__", None) is not None)
print(json.dumps({"code": code, "modules": found}))
"""


def _noop_build_imports(root: Path) -> tuple[set[str], set[str], str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(root)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    *printed, report = done.stdout.strip().splitlines()
    result = json.loads(report)
    assert result["code"] == 0, done.stderr
    modules: list[str] = result["modules"]
    ours = {m for m in modules if m.split(".")[0] == "papernotes"}
    others = {m.split(".")[0] for m in modules} - {"papernotes"}
    return ours, others - set(sys.stdlib_module_names), "\n".join(printed)


def test_noop_build_imports_only_pyyaml_and_the_pinned_modules(tmp_path: Path, cli) -> None:
    root = copy_fixture("small", tmp_path)
    first = cli("build", "--root", str(root))
    assert first.code == 0, first.err

    ours, third_party, printed = _noop_build_imports(root)

    assert "nothing to do" in printed, "the second build did not take the no-op path"
    assert third_party == THIRD_PARTY, (
        f"third-party imports on the no-op path: added {sorted(third_party - THIRD_PARTY)}, "
        f"gone {sorted(THIRD_PARTY - third_party)}"
    )
    assert ours == PAPERNOTES, (
        f"papernotes modules on the no-op path: added {sorted(ours - PAPERNOTES)}, "
        f"gone {sorted(PAPERNOTES - ours)} (update PAPERNOTES here if that is intended)"
    )
