"""The values the Markdown dialect hands to the rest of papernotes, and takes from it.

A note keeps its body as text plus what was extracted from it and its HTML with holes
(:class:`ParsedBody`); rendering fills the holes. Nothing here imports
markdown-it, so ``model`` and the build cache can use these types without loading the parser,
and the dialect's modules (cite, toc, extract, body) share them without importing one another.

The values nothing subclasses, replaces or compares in part (links, embeds, headings, the
rendered body) are NamedTuples: an edit build defines every class here, and a frozen slotted
dataclass costs ~0.7 ms to define (six methods compiled by ``exec``), a NamedTuple a fifth of
that. Their repr, equality and hash are a dataclass's (the fingerprints read the repr).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = [
    "BodyCitation",
    "BodyEmbed",
    "CiteTarget",
    "EmbedTarget",
    "Heading",
    "Lead",
    "LocalLink",
    "ParsedBody",
    "Passage",
    "RenderContext",
    "RenderedBody",
    "WebLink",
    "pack_text",
    "reading_minutes",
]


@dataclass(frozen=True, slots=True)
class Passage:
    """The sentence (or list item) around a citation, as plain text: what a backlink quotes.

    Other citations in it are holes, ``\\0key\\0``, that the link stage fills with labels
    (``markdown.context.fill``): labels depend on the whole library, the parse does not."""

    before: str
    """The text before the citation, trimmed at a sentence start or to a few words ("…")."""
    cited: str
    """The citation itself as plain text (the hole of its key, or a wikilink's alias)."""
    after: str
    """The text after it, to the sentence end or trimmed ("…")."""


@dataclass(frozen=True, slots=True)
class Lead:
    """The first paragraph of a note, or of one of its sections, as plain text: previews."""

    anchor: str
    """The heading's element id (``h-method``); "" for the note's first paragraph."""
    text: str
    """Plain text with holes as in :class:`Passage`, trimmed to a few hundred characters."""


@dataclass(frozen=True, slots=True)
class BodyCitation:
    """An inline citation in a note body: ``[@a; @b, p. 3]`` or ``[[a]]``."""

    keys: tuple[str, ...]
    """The cited keys, as written (``hu2021lora``, ``arXiv:2106.09685``)."""
    line: int
    """1-based line within the body text."""
    col: int
    """1-based column of the opening ``[`` within that line (in characters)."""
    syntax: str
    """``pandoc`` or ``wikilink``."""
    alt: str = ""
    """For ``[[a|b]]``: ``b`` read as a target, as Dendron writes links (label first); ``link``
    cites it instead of ``a`` when only it names something (``wikitarget``)."""
    fragment: str = ""
    """For a link within the note (``[[#Heading]]``, ``[[#^block]]``, no keys): the heading
    or ``^block`` it names."""
    # The two below say what is around the citation, not what it cites: citations compare
    # equal without them (the cache and fingerprints still see them, through repr).
    context: Passage | None = field(default=None, compare=False)
    """The sentence or list item the citation stands in; None when it was not recorded, or
    when an earlier citation of the body holds one for each of its keys (a backlink quotes
    only the first: ``markdown.extract``)."""
    heading: str = field(default="", compare=False)
    """For ``[[key#Heading]]``: the heading (or ``^block``) it names in the cited note, which
    that note's link preview shows."""


class LocalLink(NamedTuple):
    """A link or image whose target is a relative path (a file next to the note)."""

    url: str
    """The target as written, percent-decoded: ``figures/lora.svg``, ``../other.md#method``."""
    line: int
    """1-based line within the body text."""
    is_image: bool
    """True for ``![alt](src)``."""
    col: int = 0
    """1-based column of the link's ``[`` (``!`` for images); 0 if unknown."""


class BodyEmbed(NamedTuple):
    """An Obsidian embed: ``![[fig.png|300]]``, ``![[other note#Method]]``."""

    target: str
    """What is embedded, as written, without fragment or label: ``fig.png``, ``sub/note``."""
    fragment: str
    """The heading (``Method``) or block (``^b1``) after ``#``; "" for the whole file."""
    label: str
    """Everything after the first ``|``: alt text and/or a size (``300``, ``300x200``)."""
    line: int
    """1-based line within the body text."""
    col: int
    """1-based column of the ``!`` within that line."""


class WebLink(NamedTuple):
    """A link or image whose target is an ``http(s)://`` URL (what ``check --links`` visits)."""

    url: str
    """The target as markdown-it normalised it (percent-encoded), e.g. ``https://a.org/%E5%9B%BE``."""
    line: int
    """1-based line within the body text where the URL is written (the link text may span
    lines); the first line of the paragraph if the URL cannot be found as written."""
    is_image: bool
    """True for ``![alt](src)``."""
    col: int = 0
    """1-based column of the URL within that line; 0 if it cannot be found as written."""


class Heading(NamedTuple):
    """A heading of a note body, after the level shift."""

    level: int
    """HTML level, 2–6 (the page title is the only h1)."""
    anchor: str
    """The element id, ``h-`` + slug, e.g. ``h-注意力-attention``."""
    text: str
    """Plain text of the heading (math as TeX, citations as written)."""
    line: int
    """1-based line within the body text."""


def reading_minutes(seconds: int) -> int:
    """Whole minutes to show for a reading time: to the nearest, at least 1 for any text at all,
    0 for an empty body (nothing is shown). Here, beside the value it reads, so the value
    types import no parser (``markdown.reading`` counts the seconds)."""
    if seconds <= 0:
        return 0
    return max(1, (seconds + 30) // 60)


@dataclass(frozen=True, slots=True)
class ParsedBody:
    """A note body: its text, what was extracted from it and its template."""

    packed_text: bytes
    """The Markdown body as written (the file after the front matter), UTF-8, compressed
    (:attr:`text`, :func:`pack_text`): every note's is held to the build's end for the cache,
    but once the template is made only an embed or a note without one reads it (at 1,000
    notes, 4.6 KB a note as a string, 2 KB packed; the cache keeps it as packed)."""
    citations: tuple[BodyCitation, ...]
    """Every ``[@…]`` and ``[[…]]`` in document order."""
    local_links: tuple[LocalLink, ...]
    """Every link and image with a relative target, in document order."""
    has_toc: bool
    """Whether the body has a ``[TOC]`` marker."""
    headings: tuple[Heading, ...]
    """The body's headings after the level shift, with their anchors, in document order."""
    web_links: tuple[WebLink, ...]
    """Every link and image with an ``http(s)://`` target, in document order."""
    tags: tuple[str, ...] = ()
    """Obsidian ``#tags`` in the text, without ``#``, first spelling of each (case-folded)."""
    embeds: tuple[BodyEmbed, ...] = ()
    """Every Obsidian ``![[…]]`` embed, in document order."""
    root_links: tuple[LocalLink, ...] = ()
    """Every link and image with a root-absolute target (``/attachments/x.png``, as Quartz
    and Hugo write them), read against the notes folder; in document order."""
    template: bytes | None = None
    """The body rendered once, when it was parsed, with holes where what it shows depends on
    the library or the page (``markdown.holes``), packed small (``markdown.body``); what
    :func:`~papernotes.markdown.body.render_body` fills. None: parse the text again."""
    leads: tuple[Lead, ...] = ()
    """The first paragraph of the body, then of each section that has one, in order."""
    reading_seconds: int = 0
    """Seconds the body takes to read (``markdown.reading``: prose, code, formulas)."""

    @property
    def reading_minutes(self) -> int:
        """What the page shows ("6 min read"); 0 for an empty body."""
        return reading_minutes(self.reading_seconds)

    @property
    def text(self) -> str:
        """The Markdown body as written, unpacked anew at each read (not kept)."""
        return zlib.decompress(self.packed_text).decode("utf-8", "surrogatepass")


def pack_text(text: str) -> bytes:
    """``text`` as :attr:`ParsedBody.packed_text` holds it (zlib's fastest level: a note is
    packed once, when parsed, and unpacked only for the few reads above)."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


class CiteTarget(NamedTuple):
    """What a citation key resolves to, for rendering."""

    label: str
    """Author–year label: "Hu et al., 2021"."""
    title: str
    """The cited paper's title (for callers: the link itself carries only its href)."""
    href: str
    """Relative URL of the cited note's page, or an external URL."""
    by_path: bool = False
    """Whether the key was the note's id, file name or path (not a title or alias): only such
    a right part makes ``[[label|note.path]]`` Dendron's label-first link."""


class EmbedTarget(NamedTuple):
    """What an Obsidian embed resolves to, for rendering."""

    kind: str
    """``image``, ``file`` (a PDF, audio, …: shown as a link) or ``note``."""
    href: str
    """Relative URL of the image, the file, or the note's page (and heading)."""
    title: str
    """The file's name, or the note's title (and `` › heading``)."""
    html: str = ""
    """The transcluded part of a note, rendered; "" when it is not shown."""
    notice: str = ""
    """Why a note's content is not shown ("already shown above"); "" when it is."""


def _no_embed(target: str, fragment: str, block: bool) -> EmbedTarget | None:
    return None


class RenderContext(NamedTuple):
    """What rendering a body needs to know about the rest of the library."""

    cite: Callable[[str], CiteTarget | None]
    """Resolve a citation or wikilink key; None renders it as unresolved."""
    local: Callable[[str], str | None]
    """Rewrite a relative link/image URL to its URL in the site; None leaves it as written."""
    tag: Callable[[str], str | None] = lambda name: None
    """The URL of an inline ``#tag``'s page; None renders the tag as text."""
    embed: Callable[[str, str, bool], EmbedTarget | None] = _no_embed
    """Resolve ``![[target#fragment]]``; ``block`` asks for a note's content (an embed alone
    in its paragraph), not only its link. None renders a visible placeholder."""
    missing: Callable[[str], bool] = lambda url: False
    """Whether a local or root-absolute image is known not to be there (a placeholder is
    shown instead); a context that cannot tell says False and the image stays as written."""
    id_prefix: str = ""
    """Prefix of footnote ids, so a note transcluded into another keeps its ids apart."""


class RenderedBody(NamedTuple):
    """A body as HTML, plus what the page around it shows."""

    html: str
    """The body's HTML (sanitized when the parser allows raw HTML)."""
    toc_html: str
    """``<nav class="toc">`` of the h2–h4 headings, or "" with fewer than two."""
    text: str
    """Plain text (math as TeX, citations as labels), whitespace collapsed: search, summaries."""
