"""Writing notes rather than reading them: ``add`` from identifiers, drafts from fetched
metadata (``draft``), finding a paper already present (``match``), new citekeys (``citekeys``),
no-overwrite note files (``file``), editing ``cites:`` (``cites_edit``, ``linkcites``), importing
a ``.bib`` file (``importbib``, ``import_fields``) and ``papernotes init`` (``scaffold``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papernotes._lazy import lazy_exports

if TYPE_CHECKING:
    from papernotes.notes.add import Added, AddOptions, Failed, Present, add_papers
    from papernotes.notes.citekeys import arxiv_year, make_key, title_word
    from papernotes.notes.cites_edit import EditError, add_cites, yaml_key
    from papernotes.notes.draft import Sources, draft_note
    from papernotes.notes.file import (
        NoteDraft,
        NoteExists,
        check_note,
        note_name,
        render_note,
        skeleton,
        write_new,
    )
    from papernotes.notes.import_fields import ImportProblem, draft_from_entry
    from papernotes.notes.importbib import import_bib, summary
    from papernotes.notes.linkcites import apply_edit, plan_links
    from papernotes.notes.match import Match, NoteIndex
    from papernotes.notes.scaffold import InitRefused, init_library

__all__ = [
    "AddOptions",
    "Added",
    "EditError",
    "Failed",
    "ImportProblem",
    "InitRefused",
    "Match",
    "NoteDraft",
    "NoteExists",
    "NoteIndex",
    "Present",
    "Sources",
    "add_cites",
    "add_papers",
    "apply_edit",
    "arxiv_year",
    "check_note",
    "draft_from_entry",
    "draft_note",
    "import_bib",
    "init_library",
    "make_key",
    "note_name",
    "plan_links",
    "render_note",
    "skeleton",
    "summary",
    "title_word",
    "write_new",
    "yaml_key",
]

# Hidden from mypy, which would otherwise type every unknown attribute as Any.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "add": ("AddOptions", "Added", "Failed", "Present", "add_papers"),
            "citekeys": ("arxiv_year", "make_key", "title_word"),
            "cites_edit": ("EditError", "add_cites", "yaml_key"),
            "draft": ("Sources", "draft_note"),
            "file": (
                "NoteDraft",
                "NoteExists",
                "check_note",
                "note_name",
                "render_note",
                "skeleton",
                "write_new",
            ),
            "import_fields": ("ImportProblem", "draft_from_entry"),
            "importbib": ("import_bib", "summary"),
            "linkcites": ("apply_edit", "plan_links"),
            "match": ("Match", "NoteIndex"),
            "scaffold": ("InitRefused", "init_library"),
        },
    )
