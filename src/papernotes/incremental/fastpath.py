"""Has anything changed since the last build? Answered from file sizes and times alone.

This module imports nothing heavy (no Markdown, templates or BibTeX), so ``papernotes build``
with nothing to do finishes in a few hundred milliseconds even for thousands of notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papernotes import __version__, load, write
from papernotes.config import Config
from papernotes.errors import Diagnostic, Location, Severity
from papernotes.incremental import cache as cache
from papernotes.theme import theme_dirs

__all__ = ["LastBuild", "diagnostics_to_json", "stamp_for", "up_to_date"]


def stamp_for(root: Path, config: Config, out: Path) -> dict[str, Any]:
    """Sizes and times of every input (notes and files, templates, configuration), and the
    options that shape the output."""
    # The notes as load_sources finds them, through the folder symlinks it follows.
    notes = load.input_files(root, config.papers_dir)
    files = [root / "papernotes.yaml", root / "pyproject.toml", *notes]
    extra = f"{__version__}|{out.resolve()}|{config!r}"
    # styles/: the library's own CSL styles (bib.styles), read by every full build.
    folders = (*theme_dirs(root), root / "styles")
    return cache.input_stamp(root, folders, files, extra)


def diagnostics_to_json(diags: tuple[Diagnostic, ...]) -> list[list[Any]]:
    """Diagnostics as the stamp keeps them: ``[severity, path, line, col, message, hint]``."""
    return [
        [d.severity.value, d.where.path, d.where.line, d.where.col, d.message, d.hint]
        for d in diags
    ]


def _from_json(rows: object) -> tuple[Diagnostic, ...] | None:
    """The diagnostics saved in the stamp, or None when they are not what we write (the
    stamp is untrusted: a library may come with one)."""
    if not isinstance(rows, list):
        return None
    out = []
    for row in rows:
        if not isinstance(row, list) or len(row) != 6:
            return None
        sev, path, line, col, message, hint = row
        if sev not in ("warning", "error") or not isinstance(path, str):
            return None
        if not all(n is None or type(n) is int for n in (line, col)):
            return None
        if not isinstance(message, str):
            return None
        if hint is not None and not isinstance(hint, str):
            return None
        out.append(Diagnostic(Severity(sev), Location(path, line, col), message, hint))
    return tuple(out)


def _count(value: object) -> int | None:
    return value if type(value) is int and value >= 0 else None


@dataclass(frozen=True, slots=True)
class LastBuild:
    """What the last build reported, when nothing changed since."""

    notes: int
    pages: int
    diagnostics: tuple[Diagnostic, ...]


def up_to_date(root: Path, config: Config, out: Path) -> tuple[dict[str, Any], LastBuild | None]:
    """The input stamp, and the last build's report when nothing changed since (else None)."""
    stamp = stamp_for(root, config, out)
    saved = cache.stamp_matches(root, stamp, write.manifest_digest(out.resolve()))
    # A build that left notes out (--keep-going) is replayed by no one: a plain build must
    # fail on those notes, and a keep-going one must publish them once they are fixed.
    if saved is None or saved.get("partial"):
        return stamp, None
    diags = _from_json(saved.get("diagnostics", []))
    notes, pages = _count(saved.get("notes", 0)), _count(saved.get("pages", 0))
    if diags is None or notes is None or pages is None:
        return stamp, None
    return stamp, LastBuild(notes, pages, diags)
