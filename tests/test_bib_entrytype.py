"""``bib.entrytype``: the entry type and the ``tex.`` prefix, without pybtex.

The CSL item an edited note's references are keyed on is made from these alone, so making one
for a note without raw TeX or editors imports neither ``bib.export`` nor the name rules (and
pybtex is never imported for plain names: ``bib.entry`` reads them).
"""

from __future__ import annotations

import json
import subprocess
import sys

from papernotes.bib import export
from papernotes.bib.entrytype import TEX_PREFIX, entry_type
from papernotes.model import Metadata

_PROBE = """
import json, sys
from papernotes.bib.csl import to_csl
from papernotes.model import Author, CiteKey, Metadata
meta = Metadata(key=CiteKey("a2020"), title="T", authors=(Author("Lovelace", "Ada"),),
                year=2020, venue="ICML 2020", bibtex=dict(json.loads(sys.argv[1])))
item = to_csl(meta)
print(json.dumps({"type": item["type"], "pybtex": "pybtex" in sys.modules,
                  "export": "papernotes.bib.export" in sys.modules,
                  "names": "papernotes.bib.names" in sys.modules,
                  "editor": item.get("editor")}))
"""


def _probe(bibtex: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(bibtex)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_export_re_exports_the_same_rule() -> None:
    assert export.entry_type is entry_type
    assert export.TEX_PREFIX == TEX_PREFIX == "tex."


def test_entry_type_reads_the_venue() -> None:
    def meta(venue: str | None) -> Metadata:
        return Metadata(key="k", venue=venue)  # type: ignore[arg-type]

    assert [entry_type(meta(v)) for v in ("ICML 2020", "Nature", None)] == [
        "inproceedings",
        "article",
        "misc",
    ]


def test_a_csl_item_without_raw_tex_or_editors_imports_no_pybtex() -> None:
    assert _probe({"volume": "3"}) == {
        "type": "paper-conference",
        "pybtex": False,
        "export": False,
        "names": False,
        "editor": None,
    }


def test_an_editor_field_parses_its_names_still_without_pybtex() -> None:
    # The other side: the name rules are loaded when a note has names to read, and they are
    # bib.entry's port of pybtex's (pybtex itself reads only a name with a TeX command).
    probe = _probe({"editor": "Knuth, Donald and Ludwig van Beethoven"})
    assert (probe["names"], probe["pybtex"]) == (True, False)
    assert probe["editor"] == [
        {"family": "Knuth", "given": "Donald"},
        {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
    ]
