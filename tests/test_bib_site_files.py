"""The site's bibliography files follow the notes' metadata and nothing else."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from papernotes.bib.site_files import library_exports
from papernotes.build import read_library
from papernotes.config import load_config
from papernotes.incremental.cache import digest

REPO = Path(__file__).resolve().parent.parent


def test_each_export_is_made_and_fingerprinted_by_the_metadata() -> None:
    config, _ = load_config(REPO)
    library, _ = read_library(REPO, config)
    metas = [digest(n.meta) for n in library.notes.values()]
    jobs = library_exports(library, metas)
    assert [path for path, _, _ in jobs] == [
        "library.bib",
        "library-biblatex.bib",
        "library.json",
        "library.ris",
    ]
    made = {path: make() for path, _, make in jobs}
    assert made["library.bib"].count("@") >= len(library.notes)
    assert made["library-biblatex.bib"].count("@") >= len(library.notes)
    assert made["library.json"].count('"id":') == len(library.notes)
    assert made["library.ris"].count("ER  -") == len(library.notes)
    # Four distinct fingerprints, each moving when one note's metadata moves.
    before = [fp for _, fp, _ in jobs]
    assert len(set(before)) == 4
    after = [fp for _, fp, _ in library_exports(library, [*metas[:-1], "changed"])]
    assert all(a != b for a, b in zip(before, after, strict=True))
    # The same digests, the same fingerprints: a body edit rewrites none of them.
    again = [fp for _, fp, _ in library_exports(replace(library), metas)]
    assert again == before
