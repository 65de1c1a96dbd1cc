"""``papernotes check``: the engine's diagnostics without building, and every outbound URL.

The URLs are those of the front matter (``url``, ``pdf``, ``code``, and ``doi`` as a
doi.org link) and of the body's links and images, each with the file and line it is on, so
a broken one is reported as ``papers/x.md:12:7: error: broken link …`` (the column is the
URL's, as written).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from papernotes.errors import Diagnostic, Location, Severity
from papernotes.fetch.linkcheck import LinkResult
from papernotes.frontmatter import split_note
from papernotes.ids import clean_doi, strip_doi_prefix
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
    col: int | None = None
    """The 1-based column where the URL is written on that line, when it is found there."""

    @property
    def where(self) -> Location:
        """``source:line:col``."""
        return Location(self.source, self.line, self.col)


class _Columns:
    """Finds where text is written on a line of a file, left to right within each line, so a
    URL written twice on one line gets two columns."""

    def __init__(self, text: str) -> None:
        self._lines = text.split("\n")
        self._cursor: dict[int, int] = {}

    def find(self, line: int, *written: str) -> int | None:
        if not 1 <= line <= len(self._lines):
            return None
        source, start = self._lines[line - 1], self._cursor.get(line, 0)
        found = [at for w in written if w and (at := source.find(w, start)) >= 0]
        if not found:
            return None
        self._cursor[line] = min(found) + 1
        return min(found) + 1


def _is_web(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _front_links(path: str, text: str, cols: _Columns) -> list[Link]:
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
            out.append(Link(value, path, f.line, cols.find(f.line, value)))
        elif f.name == "doi" and value:
            # The DOI the site links to (parse keeps clean_doi's form).
            bare = clean_doi(value) or strip_doi_prefix(value)
            out.append(Link(f"https://doi.org/{bare}", path, f.line, cols.find(f.line, value)))
    return out


def _body_links(note: Note, cols: _Columns) -> list[Link]:
    out: list[Link] = []
    for block in note.body.tokens:
        if block.type != "inline" or not block.children:
            continue
        first = block.map[0] if block.map else 0
        for tok in block.children:
            if tok.type not in ("link_open", "image"):
                continue
            url = str(tok.attrGet("href" if tok.type == "link_open" else "src") or "")
            if not _is_web(url):
                continue
            # markdown-it percent-encodes hrefs; look for the URL as written to get its line.
            at = max(block.content.find(url), block.content.find(unquote(url)))
            row = block.content.count("\n", 0, at) if at >= 0 else 0
            line = note.body_line + first + row
            out.append(Link(url, note.source, line, cols.find(line, url, unquote(url))))
    return out


def collect_links(root: Path, papers_dir: str, library: Library) -> list[Link]:
    """Every outbound URL in the notes, front matter first, in file order."""
    sources, _ = load_sources(root, papers_dir)
    by_source = {n.source: n for n in library.notes.values()}
    links: list[Link] = []
    for src in sources.notes:
        cols = _Columns(src.text)
        links.extend(_front_links(src.path, src.text, cols))
        note = by_source.get(src.path)
        if note is not None:
            links.extend(_body_links(note, cols))
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
