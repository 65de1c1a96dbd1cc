"""A no-op ``papernotes build`` answers from the cache manifest, importing almost nothing.

What it imports is pinned: a new import on the fast path (a module of ours, or any third-party
package besides PyYAML) fails here, naming what was added, so the cost is a decision rather than
an accident. Time is not asserted (machines differ); importing is what makes it slow.

Two no-op paths: the command line's replay of the last build it ran (``incremental.replay``:
no configuration read, nothing third-party), and the full check once the configuration is read,
which runs when that note is missing or stale (after ``serve`` rebuilt, say).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import copy_fixture

# Our modules on the replayed no-op path: the command line and the note it left.
REPLAY = {
    "papernotes",
    "papernotes._lazy",
    "papernotes.cli",
    "papernotes.cli.main",
    "papernotes.cli.quick",
    "papernotes.cli.startup",
    "papernotes.incremental",
    "papernotes.incremental.replay",
}

# Standard-library modules the replay does without, each a few milliseconds or more.
NOT_ON_REPLAY = {
    "argparse",
    "dataclasses",
    "inspect",
    "hashlib",
    "tomllib",
    "pathlib",
    "difflib",
    # ``TYPE_CHECKING = False`` and ``collections.namedtuple`` stand in for typing's.
    "typing",
}

# Third-party packages the full no-op check may import: the config file is YAML.
THIRD_PARTY = {"yaml"}

# Our modules on the full no-op check. Plain ``build`` options are read without argparse's parser,
# so neither the other subcommands' arguments (``cli.serve_args``, the model's ``Status``) nor the
# model come with it.
PAPERNOTES = {
    "papernotes",
    "papernotes._lazy",
    "papernotes.atomic",
    "papernotes.blake",  # BLAKE2b without hashlib (OpenSSL): the cache's digests
    "papernotes.build",
    "papernotes.cli",
    "papernotes.cli.main",
    "papernotes.cli.quick",
    "papernotes.cli.startup",
    "papernotes.cli.report",
    "papernotes.config",
    "papernotes.errors",
    "papernotes.foreign",
    "papernotes.incremental",
    "papernotes.incremental.cache",
    "papernotes.incremental.fastpath",
    # Asked first, as a build that is not replayed may be one note's body edited (it finds
    # here that the command line's note is not this call's and answers None: nothing more).
    "papernotes.incremental.quick",
    "papernotes.incremental.replay",
    "papernotes.load",
    "papernotes.notetext",  # load.decode: its own module, for the quick edit
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


def _noop_build_imports(root: Path) -> tuple[set[str], set[str], str, set[str]]:
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
    stdlib = others & set(sys.stdlib_module_names)
    return ours, others - set(sys.stdlib_module_names), "\n".join(printed), stdlib


def test_a_replayed_noop_build_imports_only_the_pinned_modules(tmp_path: Path, cli) -> None:
    root = copy_fixture("small", tmp_path)
    first = cli("build", "--root", str(root))
    assert first.code == 0, first.err

    ours, third_party, printed, stdlib = _noop_build_imports(root)

    assert "nothing to do" in printed, "the second build did not take the no-op path"
    assert third_party == set(), f"third-party imports on the replayed no-op: {third_party}"
    assert ours == REPLAY, (
        f"papernotes modules on the replayed no-op: added {sorted(ours - REPLAY)}, "
        f"gone {sorted(REPLAY - ours)} (update REPLAY here if that is intended)"
    )
    assert stdlib & NOT_ON_REPLAY == set()


def test_noop_build_imports_only_pyyaml_and_the_pinned_modules(tmp_path: Path, cli) -> None:
    root = copy_fixture("small", tmp_path)
    first = cli("build", "--root", str(root))
    assert first.code == 0, first.err
    (root / ".papernotes" / "cache" / "noop.json").unlink()  # as after a rebuild by serve

    ours, third_party, printed, _ = _noop_build_imports(root)

    assert "nothing to do" in printed, "the second build did not take the no-op path"
    assert third_party == THIRD_PARTY, (
        f"third-party imports on the no-op path: added {sorted(third_party - THIRD_PARTY)}, "
        f"gone {sorted(THIRD_PARTY - third_party)}"
    )
    assert ours == PAPERNOTES, (
        f"papernotes modules on the no-op path: added {sorted(ours - PAPERNOTES)}, "
        f"gone {sorted(PAPERNOTES - ours)} (update PAPERNOTES here if that is intended)"
    )
