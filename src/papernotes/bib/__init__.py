"""BibTeX in and out: entries from notes (``export``), LaTeX encoding of text (``latex``) and
decoding back to text (``unlatex``), author names (``names``), and splitting a ``.bib`` file
into entries (``split``), all scanning braces one way (``braces``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papernotes._lazy import lazy_exports

if TYPE_CHECKING:
    from papernotes.bib.braces import brace_error
    from papernotes.bib.export import (
        check_raw_field,
        duplicate_keys,
        entry_type,
        format_bib,
        format_entry,
        to_entry,
    )
    from papernotes.bib.latex import (
        escape_latex,
        latex_text,
        latex_title,
        needs_case_protection,
        normalize_space,
    )
    from papernotes.bib.names import format_person, parse_person, split_authors, to_person
    from papernotes.bib.split import Block, split_bib
    from papernotes.bib.unlatex import latex_to_text, unwrap_group

__all__ = [
    "Block",
    "brace_error",
    "check_raw_field",
    "duplicate_keys",
    "entry_type",
    "escape_latex",
    "format_bib",
    "format_entry",
    "format_person",
    "latex_text",
    "latex_title",
    "latex_to_text",
    "needs_case_protection",
    "normalize_space",
    "parse_person",
    "split_authors",
    "split_bib",
    "to_entry",
    "to_person",
    "unwrap_group",
]

# Hidden from mypy, which would otherwise type every unknown attribute as Any.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "export": (
                "check_raw_field",
                "duplicate_keys",
                "entry_type",
                "format_bib",
                "format_entry",
                "to_entry",
            ),
            "braces": ("brace_error",),
            "latex": (
                "escape_latex",
                "latex_text",
                "latex_title",
                "needs_case_protection",
                "normalize_space",
            ),
            "names": ("format_person", "parse_person", "split_authors", "to_person"),
            "split": ("Block", "split_bib"),
            "unlatex": ("latex_to_text", "unwrap_group"),
        },
    )
