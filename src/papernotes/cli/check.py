"""``papernotes check``: the engine's diagnostics without building, and every outbound URL.

The URLs are those of the front matter (``url``, ``pdf``, ``code``, and ``doi`` as a
doi.org link), at the place parsing kept for each key, and of the body's links and images,
each with the file and line it is on, so a broken one is reported as
``papers/x.md:12: error: broken link …``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from papernotes.errors import Diagnostic, Location, Severity
from papernotes.fetch.linkcheck import LinkResult
from papernotes.model import Library, Note

__all__ = ["Link", "collect_links", "link_diagnostics"]

_FRONT_LINKS = ("url", "pdf", "code")


@dataclass(frozen=True, slots=True)
class Link:
    """One outbound URL and where it is written."""

    url: str
    """The URL (``doi:`` values as https://doi.org/ links)."""
    source: str
    """The note file, relative to the library root."""
    line: int
    """The 1-based line in that file."""
    col: int | None = None
    """The 1-based column, when known (a front-matter key's)."""

    @property
    def where(self) -> Location:
        """The file, line and column, as diagnostics print them."""
        return Location(self.source, self.line, self.col)


def _is_web(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _front_links(note: Note) -> list[Link]:
    meta = note.meta
    out: list[Link] = []
    for name in note.locations:  # the order the keys are written in
        at = note.locations[name].value or note.at(name)
        line = at.line or 1
        value = getattr(meta, name) if name in _FRONT_LINKS else None
        if isinstance(value, str) and _is_web(value):
            out.append(Link(value, note.source, line, at.col))
        elif name == "doi" and meta.doi:
            out.append(Link(f"https://doi.org/{meta.doi}", note.source, line, at.col))
    return out


def _body_links(note: Note) -> list[Link]:
    return [
        Link(w.url, note.source, note.body_line + w.line - 1, w.col or None)
        for w in note.body.web_links
    ]


def collect_links(library: Library) -> list[Link]:
    """Every outbound URL in the library's notes, front matter first, in file order."""
    # The order load_sources reads the notes in: names sorted folder by folder.
    notes = sorted(library.notes.values(), key=lambda n: n.source.split("/"))
    links: list[Link] = []
    for note in notes:
        links.extend(_front_links(note))
        links.extend(_body_links(note))
    return links


def link_diagnostics(
    links: Sequence[Link], results: Mapping[str, LinkResult]
) -> tuple[tuple[Diagnostic, ...], tuple[str, ...]]:
    """Broken links as errors, unverifiable ones as warnings; and redirect notices.

    A permanent redirect is worth updating the link for; doi.org links always redirect and
    are not reported.
    """
    diags: list[Diagnostic] = []
    moved: list[str] = []
    for link in links:
        result = results.get(link.url)
        if result is None:
            continue
        if result.refused:
            message = f"not checked {link.url}: {result.problem}"
            diags.append(Diagnostic(Severity.WARNING, link.where, message))
        elif result.broken:
            message = f"broken link {link.url}: {result.problem}"
            diags.append(Diagnostic(Severity.ERROR, link.where, message))
        elif result.unverified:
            message = f"could not verify {link.url}: {result.problem} (the server refuses robots)"
            diags.append(Diagnostic(Severity.WARNING, link.where, message))
        elif result.moved and not link.url.startswith("https://doi.org/"):
            moved.append(f"{link.where}: moved: {link.url} → {result.final_url}")
    return tuple(diags), tuple(moved)
