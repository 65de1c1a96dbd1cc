"""``papernotes check``: the engine's diagnostics without building, and every outbound URL.

The URLs are those of the front matter (``url``, ``pdf``, ``code``, and ``doi`` as a
doi.org link) and of the body's links and images, each with the file and line it is on, so
a broken one is reported as ``papers/x.md:12: error: broken link …``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from papernotes.errors import Diagnostic, error, warning
from papernotes.fetch.linkcheck import LinkResult
from papernotes.frontmatter import split_note
from papernotes.load import load_sources
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


def _is_web(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _front_links(path: str, text: str) -> list[Link]:
    raw, _ = split_note(path, text)
    if raw is None:
        return []
    out: list[Link] = []
    for f in raw.fields:
        value = f.value if isinstance(f.value, str) else None
        if value is None:
            continue
        value = value.strip()
        if f.name in _FRONT_LINKS and _is_web(value):
            out.append(Link(value, path, f.line))
        elif f.name == "doi" and value:
            bare = value.split("doi.org/", 1)[-1] if _is_web(value) else value
            bare = bare.removeprefix("doi:").strip()
            out.append(Link(f"https://doi.org/{bare}", path, f.line))
    return out


def _body_links(note: Note) -> list[Link]:
    return [Link(w.url, note.source, note.body_line + w.line - 1) for w in note.body.web_links]


def collect_links(root: Path, papers_dir: str, library: Library) -> list[Link]:
    """Every outbound URL in the notes, front matter first, in file order."""
    sources, _ = load_sources(root, papers_dir)
    by_source = {n.source: n for n in library.notes.values()}
    links: list[Link] = []
    for src in sources.notes:
        links.extend(_front_links(src.path, src.text))
        note = by_source.get(src.path)
        if note is not None:
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
            diags.append(
                warning(link.source, link.line, f"not checked {link.url}: {result.problem}")
            )
        elif result.broken:
            diags.append(error(link.source, link.line, f"broken link {link.url}: {result.problem}"))
        elif result.unverified:
            diags.append(
                warning(
                    link.source,
                    link.line,
                    f"could not verify {link.url}: {result.problem} (the server refuses robots)",
                )
            )
        elif result.moved and not link.url.startswith("https://doi.org/"):
            moved.append(f"{link.source}:{link.line}: moved: {link.url} → {result.final_url}")
    return tuple(diags), tuple(moved)
