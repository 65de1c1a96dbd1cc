"""What rendering a note body needs from the library: citations, local files, tag pages and
Obsidian embeds, each resolved relative to the page the body is shown on.

A note transcluded into another (``![[other]]``, ``![[other#Method]]``) is rendered with a
context of its own — its links read from its own folder, its URLs relative to the embedding
page — and, inside it, further embeds go on up to :data:`MAX_DEPTH` levels. A note already on
the way down (A embeds B embeds A) is shown as a link saying so, never again. Each embedded
note is parsed once per page: the parses are kept for one top-level render, not longer.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from papernotes import urls
from papernotes.markdown._types import CiteTarget, EmbedTarget, RenderContext, RenderedBody
from papernotes.markdown.body import render_body
from papernotes.markdown.embed import file_kind
from papernotes.markdown.excerpt import excerpt_tokens, parse_for_excerpt, render_excerpt
from papernotes.markdown.extract import is_root_url
from papernotes.model import CiteKey, External, Library, Note
from papernotes.vault import FoundFile, heading_anchor, resolve_embed, resolve_local, root_path
from papernotes.wikitarget import by_path

__all__ = [
    "ALREADY_SHOWN",
    "MAX_DEPTH",
    "TOO_DEEP",
    "body_renderer",
    "body_tag_pages",
    "note_context",
    "tag_slugs",
]

MAX_DEPTH = 3
"""How many notes deep transclusion goes (A shows B shows C shows D); deeper ones are links."""
ALREADY_SHOWN = "already shown above"
TOO_DEEP = f"not shown: embeds nest more than {MAX_DEPTH} deep"


@dataclass(slots=True)
class _Parses:
    """The embedded notes parsed while rendering one page (local to that render)."""

    tokens: dict[CiteKey, list[Token]] = field(default_factory=dict)
    """Each embedded note's tokens, headings without ids."""
    shown: int = 0
    """Transclusions rendered so far: numbers each one's footnote ids."""


def tag_slugs(library: Library) -> dict[str, str]:
    """Folded tag → slug, over every tag of the library (as ``render.SiteIndex`` assigns them)."""
    return urls.assign_slugs(
        dict.fromkeys(t.casefold() for n in library.notes.values() for t in n.meta.tags)
    )


def body_tag_pages(
    note: Note, library: Library, slugs: Callable[[], Mapping[str, str]] | None = None
) -> dict[str, str]:
    """Site path of the tag page of each inline ``#tag`` of the note, by folded name.

    Slugs are assigned over every tag of the library, so a body with inline tags depends on
    them all; bodies without (most) skip the work. ``slugs`` gives :func:`tag_slugs` made once
    for many notes: made for each, a vault of tagged notes costs notes × tags.
    """
    if not note.body.tags:
        return {}
    slugs = slugs or (lambda: tag_slugs(library))
    return {
        t.casefold(): urls.tag_page(table[t.casefold()])
        for table in (slugs(),)
        for t in note.body.tags
        if t.casefold() in table
    }


def note_context(
    note: Note,
    library: Library,
    md: MarkdownIt,
    papers_dir: str,
    *,
    page: str,
    chain: tuple[CiteKey, ...] = (),
    id_prefix: str = "",
    parses: _Parses | None = None,
    slugs: Callable[[], Mapping[str, str]] | None = None,
) -> RenderContext:
    """How ``note``'s body resolves what it names, shown on ``page`` (its own page, or the
    page of the note that embeds it; ``chain`` lists the embedding notes, outermost first)."""
    memo = _Parses() if parses is None else parses
    # A note cites the same few papers again and again (twenty citations of three keys): each
    # key is resolved once per page.
    cited: dict[str, CiteTarget | None] = {}

    def cite(target: str) -> CiteTarget | None:
        if target not in cited:
            cited[target] = resolve_cite(target)
        return cited[target]

    def resolve_cite(target: str) -> CiteTarget | None:
        found = library.resolve(target)
        if isinstance(found, External):
            return CiteTarget(found.label, found.label, found.url)
        if found is None:
            return None
        cited = library.notes[found]
        href = urls.relative(page, urls.paper_page(found))
        named_by_path = by_path(library, target) is not None
        return CiteTarget(library.labels[found], cited.meta.heading, href, named_by_path)

    def site_path(url: str) -> str | None:
        target = (
            root_path(url)
            if is_root_url(url)
            else resolve_local(note, url, papers_dir, (library.files, library.sources))
        )
        if target is None:
            return None
        if target in library.sources:
            return urls.paper_page(library.sources[target])
        return library.files.get(target)

    def local(url: str) -> str | None:
        dest = site_path(url)
        if dest is None:
            return None
        fragment = url.partition("#")[2]
        return urls.relative(page, f"{dest}#{fragment}" if fragment else dest)

    def missing(url: str) -> bool:
        # Escaping the notes folder, refused or absent: ``link`` has warned with file:line.
        return site_path(url) is None

    tag_pages = body_tag_pages(note, library, slugs)

    def tag(name: str) -> str | None:
        path = tag_pages.get(name.casefold())
        return None if path is None else urls.relative(page, path)

    def embed(target: str, fragment: str, block: bool) -> EmbedTarget | None:
        found = resolve_embed(note, target, library, papers_dir)
        if isinstance(found, FoundFile):
            if found.path is None or found.path not in library.files:
                return None
            kind = "image" if file_kind(found.path) == "image" else "file"
            href = urls.relative(page, library.files[found.path])
            return EmbedTarget(kind, href, posixpath.basename(found.path))
        other = library.notes[found]
        dest, title = urls.paper_page(found), other.meta.heading
        if fragment:
            anchor = heading_anchor(other.body, fragment)
            dest, title = (f"{dest}#{anchor}" if anchor else dest), f"{title} › {fragment}"
        shown = EmbedTarget("note", urls.relative(page, dest), title)
        if not block:
            return shown
        if found == note.key or found in chain:
            return EmbedTarget("note", shown.href, title, notice=ALREADY_SHOWN)
        if len(chain) >= MAX_DEPTH:
            return EmbedTarget("note", shown.href, title, notice=TOO_DEEP)
        if found not in memo.tokens:
            memo.tokens[found] = parse_for_excerpt(md, other.body.text)
        part = excerpt_tokens(memo.tokens[found], fragment)
        if part is None:
            return None
        memo.shown += 1
        inner = note_context(
            other,
            library,
            md,
            papers_dir,
            page=page,
            chain=(*chain, note.key),
            id_prefix=f"e{memo.shown}-",
            parses=memo,
            slugs=slugs,
        )
        return EmbedTarget("note", shown.href, title, render_excerpt(md, part, inner))

    return RenderContext(
        cite=cite, local=local, tag=tag, embed=embed, missing=missing, id_prefix=id_prefix
    )


def body_renderer(
    library: Library, md: MarkdownIt, papers_dir: str
) -> Callable[[Note], RenderedBody]:
    """Each note's body rendered for its own page (``render.render_note_body``), with the
    library's tag slugs made once, when a body with an inline ``#tag`` first needs them."""
    slugs = functools.cache(lambda: tag_slugs(library))

    def render(note: Note) -> RenderedBody:
        page = urls.paper_page(note.key)
        ctx = note_context(note, library, md, papers_dir, page=page, slugs=slugs)
        return render_body(md, note.body, ctx)

    return render
