"""The digests stage 4 compares with the last build's: what a note's rendered body depends on,
what other pages show of each note, and where its PDF link leads; and each note's formatted
references, reused while what they are formatted from is the same."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial

from papernotes.bib import csl
from papernotes.bib.styles import Reference, Style, StyleSet, citeproc_item
from papernotes.bodyctx import MAX_DEPTH, body_tag_pages
from papernotes.incremental.cache import BuildCache, digest
from papernotes.incremental.reuse import reuse
from papernotes.incremental.searchmemo import SaveMemo, once
from papernotes.markdown._types import RenderedBody
from papernotes.model import CiteKey, External, Library, Note
from papernotes.search.index import SearchDoc
from papernotes.vault import embed_fingerprint, resolve_local

__all__ = [
    "body_fingerprint",
    "meta_digest",
    "meta_fingerprints",
    "note_references",
    "pdf_target",
    "search_doc",
]


def body_fingerprint(
    note: Note,
    source_digest: str,
    library: Library,
    papers_dir: str,
    slugs: Callable[[], Mapping[str, str]] | None = None,
) -> str:
    """Everything a rendered body depends on: the note's text, and what each of its inline
    citations and local links resolves to (a label, a title, a page or a file). ``slugs`` is
    the library's tag slugs made once for many notes (``bodyctx.body_tag_pages``)."""
    cites: list[tuple[object, ...]] = []
    for c in note.body.citations:
        for target in c.keys:
            found = library.resolve(target)
            if isinstance(found, External) or found is None:
                cites.append((target, found))
            else:
                cites.append(
                    (target, found, library.labels[found], library.notes[found].meta.heading)
                )
    links = []
    for link in note.body.local_links:
        rel = resolve_local(note, link.url, papers_dir, (library.files, library.sources))
        links.append((link.url, rel, library.sources.get(rel or ""), library.files.get(rel or "")))
    # Inline #tags link to these pages (left out when none: other fingerprints stay as they were).
    tags = sorted(body_tag_pages(note, library, slugs).items())
    # What its embeds show, down to the notes they transclude (left out when none, as tags).
    embeds = embed_fingerprint(note, library, papers_dir, MAX_DEPTH + 1)
    extra = [*([tags] if tags else []), *([embeds] if embeds else [])]
    return digest(source_digest, note.key, cites, links, *extra)


def meta_fingerprints(
    library: Library, memo: SaveMemo | None = None, metas: Mapping[CiteKey, str] | None = None
) -> dict[CiteKey, str]:
    """Each note's metadata as other pages show it: its front matter, label and file
    (``metas``: each note's :func:`meta_digest`, when the caller made them already)."""
    return {
        k: digest(
            metas[k] if metas is not None else meta_digest(n, memo), library.labels[k], n.source
        )
        for k, n in library.notes.items()
    }


def meta_digest(note: Note, memo: SaveMemo | None = None) -> str:
    """The digest of a note's front matter, made once per note while ``memo`` holds it (the
    ``repr`` of a note's metadata is most of what fingerprinting a page costs)."""
    return once(memo, "meta", (note.meta,), lambda: digest(note.meta))


def pdf_target(note: Note, library: Library, papers_dir: str) -> list[str | None]:
    # Where the PDF link leads, or that there is none: a file moved or refused changes it.
    rel = (
        resolve_local(note, note.meta.pdf, papers_dir, (library.files, library.sources))
        if note.meta.pdf
        else None
    )
    return [rel, library.files.get(rel)] if rel else []


def search_doc(note: Note, body: RenderedBody, memo: SaveMemo | None) -> tuple[str, SearchDoc]:
    """A note's search document and its digest (what its search terms are reused by)."""

    def make() -> tuple[str, SearchDoc]:
        doc = SearchDoc.of_note(note, body.text)
        return digest(doc), doc

    return once(memo, "search-doc", (note, body), make)


def note_references(
    library: Library,
    styles: Sequence[Style],
    previous: BuildCache | None,
    workers: int,
    memo: SaveMemo | None = None,
) -> dict[str, tuple[str, tuple[Reference, ...]]]:
    """Each note's formatted references, reused while its CSL item and the styles are the same
    (citeproc-py takes milliseconds per entry and style)."""
    if not styles:
        return {k: ("", ()) for k in library.notes}
    formatter = StyleSet(styles)  # compiled styles, shared by the notes formatted here
    prints = [s.fingerprint for s in styles]

    def keyed(note: Note) -> tuple[str, dict[str, object]]:
        item = csl.to_csl(note.meta)
        # Keyed on what citeproc-py is given: editing an abstract or tags formats nothing.
        return digest(citeproc_item(item), prints), item

    return reuse(
        {
            k: once(memo, "csl", (n.meta, *styles), partial(keyed, n))
            for k, n in library.notes.items()
        },
        previous.refs if previous else {},
        formatter.format,
        workers=workers,
    )
