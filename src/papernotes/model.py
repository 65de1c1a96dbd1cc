"""The library's data: notes, their metadata, and the citation graph between them.

Values here are complete when made and never change; stages build them, later stages read them.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, NewType

from papernotes.cjk import has_cjk
from papernotes.errors import Location
from papernotes.fieldplaces import FieldLocation, FieldLocations
from papernotes.ids import strip_version

if TYPE_CHECKING:
    from papernotes.lists.link import LinkedList
    from papernotes.markdown._types import ParsedBody

__all__ = [
    "NO_DATE",
    "OTHERS",
    "Author",
    "Backlink",
    "Citation",
    "CiteKey",
    "Edge",
    "External",
    "FieldLocation",
    "FieldLocations",
    "Library",
    "Metadata",
    "Note",
    "Status",
    "fold_target",
    "named",
    "people_text",
]

NO_DATE = "n.d."
"""Shown where a year would be for a note with none ("no date", as APA and Chicago write it)."""

CiteKey = NewType("CiteKey", str)
"""A note's id: its BibTeX citekey, any key BibTeX and biber read (:data:`ids.KEY_RE`),
unique ignoring case. Not a file name or a URL: see urls.key_slug and notes.file.note_name."""


class Status(enum.Enum):
    """Where the reader is with a paper."""

    TO_READ = "to-read"
    READING = "reading"
    READ = "read"


@dataclass(frozen=True, slots=True)
class Author:
    """One author's name, split the way BibTeX splits names."""

    family: str
    """Family name ("Hu"), or the whole name when it has no parts ("杨植麟", "OpenAI")."""
    given: str = ""
    """Given names and initials ("Edward J.")."""
    particle: str = ""
    """A lowercase particle that belongs before the family name ("van", "de la")."""
    suffix: str = ""
    """A generational suffix ("Jr.", "III")."""
    others: bool = False
    """True only for :data:`OTHERS`, the "and others" that ends a list: not a person."""

    @property
    def display(self) -> str:
        """The name as a reader writes it: "Edward J. Hu", "杨植麟", "李世民"; "et al." for
        :data:`OTHERS`."""
        if self.others:
            return "et al."
        family, given = self.family, self.given
        # Asked tens of thousands of times a build (every row, list and backlink names its
        # authors): an ASCII name, most, is looked at by no regular expression.
        if not family.isascii() and has_cjk(family) and (not given or has_cjk(given)):
            return family + given
        core = " ".join(filter(None, (given, self.particle, family)))
        return f"{core}, {self.suffix}" if self.suffix else core

    @property
    def short(self) -> str:
        """What an author-year label shows: the family name with its particle ("van Dijk")."""
        if self.others:
            return "et al."
        return " ".join(filter(None, (self.particle, self.family)))


OTHERS = Author(family="others", others=True)
"""The last item of an author or editor list written ``others`` ("A and others"): BibTeX's
"et al.", the list goes on unnamed. Exported as a bare ``others`` to BibTeX and biblatex,
omitted from CSL-JSON, RIS and JSON-LD (which have no such name), shown as "et al.". Only
ever last, after at least one name (front matter rejects it elsewhere)."""


def named(people: tuple[Author, ...]) -> tuple[Author, ...]:
    """``people`` without a closing :data:`OTHERS`: the persons a list names."""
    return people[:-1] if people and people[-1].others else people


def people_text(people: tuple[Author, ...]) -> str:
    """``people`` as shown, joined with ", ": "Doe, Roe et al." for a list that ends in
    :data:`OTHERS` (it names no one more)."""
    shown = named(people)
    return ", ".join(a.display for a in shown) + (" et al." if len(people) > len(shown) else "")


@dataclass(frozen=True, slots=True)
class Citation:
    """One mention of another paper, as written, with where it was written."""

    target: str
    """What the note wrote: a citekey, ``arXiv:2106.09685`` or ``doi:10.1000/xyz``."""
    line: int
    """The 1-based line in the note file."""
    in_body: bool
    """True for ``[@key]``/``[[key]]`` in the text, False for front-matter ``cites:``."""
    col: int | None = None
    """The 1-based column: of the citation's ``[`` in the body, or of the ``cites:`` item."""


@dataclass(frozen=True, slots=True)
class Metadata:
    """A note's validated front matter: one field per key of :data:`papernotes.schema.KEYS`,
    in that order (tests/test_schema.py holds the two together)."""

    key: CiteKey
    """The citekey (front-matter ``id``, or the file name's stem)."""
    title: str | None = None
    """The paper's title, plain Unicode; None when the paper has none (see :attr:`heading`)."""
    authors: tuple[Author, ...] = ()
    """Authors in the paper's order, maybe ending in :data:`OTHERS` ("and others"); empty for
    a work with none (an edited volume, a manual)."""
    year: int | None = None
    """Year of publication; None when the note gives none (see :attr:`year_label`)."""
    editors: tuple[Author, ...] = ()
    """Editors in the paper's order, maybe ending in :data:`OTHERS`."""
    entry_type: str | None = None
    """BibTeX entry type when the note set one (``article``, ``inproceedings``, ``misc``, …)."""
    venue: str | None = None
    """Where it was published ("NeurIPS 2020", "ACL 2022", "JMLR")."""
    arxiv: str | None = None
    """arXiv id without the ``arXiv:`` prefix ("2106.09685", "cs/0112017")."""
    doi: str | None = None
    """DOI without a resolver prefix ("10.18653/v1/2022.acl-long.26")."""
    url: str | None = None
    """The paper's landing page."""
    pdf: str | None = None
    """Link to the PDF."""
    code: str | None = None
    """Link to the code repository."""
    tags: tuple[str, ...] = ()
    """Tags, in the order written, without duplicates."""
    aliases: tuple[str, ...] = ()
    """Other names ``[[...]]`` links to the note by (Obsidian's and Quartz's ``aliases``)."""
    status: Status | None = None
    """Reading status."""
    rating: int | None = None
    """1 to 5."""
    read: dt.date | None = None
    """When the paper was read."""
    added: dt.date | None = None
    """When the paper joined the library (orders the to-read page)."""
    cites: tuple[Citation, ...] = ()
    """Front-matter ``cites:`` entries."""
    abstract: str | None = None
    """The paper's abstract."""
    bibtex: Mapping[str, str] = field(default_factory=dict)
    """Raw BibTeX fields that are added to, or override, the exported entry."""

    @property
    def heading(self) -> str:
        """What names the paper where a title would: its title, else its key (never invented)."""
        return self.title or self.key

    @property
    def year_label(self) -> str:
        """What is shown where a year would be: the year; else the year BibTeX holds as text
        (``bibtex: year: 400 BC``, ``forthcoming``); else "n.d." (no date), as APA writes it."""
        if self.year is not None:
            return str(self.year)
        written = self.bibtex.get("year") or self.bibtex.get("tex.year") or ""
        return " ".join(written.split()) or NO_DATE

    @property
    def sort_year(self) -> tuple[bool, int]:
        """Orders notes newest first with undated ones last: sort ascending by this."""
        return (self.year is None, -(self.year or 0))


@dataclass(frozen=True, slots=True)
class Note:
    """One paper note: its file, metadata and parsed body."""

    source: str
    """The note file, relative to the library root ("papers/lora.md")."""
    meta: Metadata
    """Validated front matter."""
    body: ParsedBody
    """The Markdown body: its text and what was extracted from it (citations, links, headings)."""
    body_line: int
    """The line in the file where the body starts (1-based), to map body lines to file lines."""
    locations: FieldLocations
    """Where each front-matter key read was written, by key as written, in file order."""

    def at(self, key: str) -> Location:
        """Where front-matter ``key`` is written; the opening ``---`` when it is not there."""
        where = self.locations.get(key)
        return where.key if where is not None else Location(self.source, 1)

    @property
    def key_line(self) -> int:
        """The line of the ``id:`` key, or 1 (the opening ``---``) when the id is the file name."""
        return self.at("id").line or 1

    @property
    def key(self) -> CiteKey:
        """The note's citekey."""
        return self.meta.key

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every mention of another paper, front matter first, then the body in order."""
        body = tuple(
            Citation(target, self.body_line + c.line - 1, True, c.col)
            for c in self.body.citations
            for target in c.keys
        )
        return (*self.meta.cites, *body)


class External(NamedTuple):
    """A cited paper that has no note in the library."""

    kind: str
    """``arxiv`` or ``doi``."""
    ident: str
    """The arXiv id or DOI."""

    @property
    def url(self) -> str:
        """Where the paper can be found."""
        if self.kind == "arxiv":
            return f"https://arxiv.org/abs/{self.ident}"
        return f"https://doi.org/{self.ident}"

    @property
    def label(self) -> str:
        """How the reference is shown: ``arXiv:2106.09685`` or ``doi:10.1/x``."""
        return f"{'arXiv' if self.kind == 'arxiv' else 'doi'}:{self.ident}"


class Edge(NamedTuple):
    """A resolved citation from one note to another paper."""

    source: CiteKey
    """The citing note."""
    target: CiteKey | External
    """The cited note, or a paper outside the library."""


class Backlink(NamedTuple):
    """A note that cites or mentions another, with what it says there (``backlinks``)."""

    source: CiteKey
    """The citing note."""
    formal: bool
    """A citation (front-matter ``cites:`` or ``[@key]``), not a mention (a wikilink)."""
    before: str = ""
    """Plain text of the sentence before the citation; "" with ``cited`` when none is known."""
    cited: str = ""
    """The citation as the citing note shows it (labels filled in); "" when only the front
    matter cites."""
    after: str = ""
    """Plain text of the sentence after the citation."""
    embedded: bool = False
    """The citing note shows this one inside it (an ``![[…]]`` embed) and names it in no
    sentence: a mention with nothing to quote."""


@dataclass(frozen=True, slots=True)
class Library:
    """Every note and the citation graph between them."""

    notes: Mapping[CiteKey, Note]
    """Notes by key, in a stable order (by year, then key)."""
    cites: Mapping[CiteKey, tuple[CiteKey, ...]]
    """For each note, the notes its paper cites: front-matter ``cites:``, in that order."""
    cited_by: Mapping[CiteKey, tuple[CiteKey, ...]]
    """For each note, the notes whose papers cite it, in library order."""
    mentions: Mapping[CiteKey, tuple[CiteKey, ...]]
    """For each note, the notes its body cites inline that its front matter does not list.

    A note about the Transformer may well mention LoRA; that makes it a link between notes,
    not a citation by the 2017 paper, so the graph keeps the two apart."""
    mentioned_by: Mapping[CiteKey, tuple[CiteKey, ...]]
    """For each note, the notes that mention it inline without listing it in ``cites:``."""
    external: Mapping[CiteKey, tuple[External, ...]]
    """For each note, the papers it cites (front matter or body) that have no note."""
    labels: Mapping[CiteKey, str]
    """Author–year label of each note ("Hu et al., 2021"), with a/b suffixes where two
    notes would otherwise share one."""
    aliases: Mapping[str, CiteKey]
    """Every other way a note can be named, folded: its key ignoring case, ``arxiv:<id>``,
    ``doi:<doi>``, its file name's stem, its title and its ``aliases``; a name two notes
    share in the same way (two titles, two stems) is left out (see ``link.py``)."""
    files: Mapping[str, str]
    """Files next to the notes (relative to the notes folder) that notes may link to → the
    site path each is copied to (``urls.file_paths``)."""
    sources: Mapping[str, CiteKey]
    """Note files relative to the notes folder ("peft/lora.md") → their keys."""
    backlinks: Mapping[CiteKey, tuple[Backlink, ...]] = field(default_factory=dict)
    """For each note, every note that cites or mentions it, in library order, each with the
    sentence it does so in (``backlinks.backlinks``)."""
    reading_lists: tuple[LinkedList, ...] = ()
    """The reading lists and series (``lists/*.md``), their papers found, by slug."""

    def resolve(self, target: str) -> CiteKey | External | None:
        """What a citation target names: a note, a paper outside the library, or nothing."""
        if target in self.notes:
            return CiteKey(target)
        folded = fold_target(target)
        key = self.aliases.get(folded) or self.sources.get(target.strip().lstrip("/"))
        if key is not None:  # the second: a note's file, as Hugo's ref names it
            return key
        kind, _, ident = folded.partition(":")
        if kind in ("arxiv", "doi") and ident:
            return External(kind, target.split(":", 1)[1].strip())
        return None

    @property
    def edges(self) -> tuple[Edge, ...]:
        """Every front-matter citation between notes, and every citation of an outside paper."""
        out: list[Edge] = []
        for key in self.notes:
            out.extend(Edge(key, t) for t in self.cites.get(key, ()))
            out.extend(Edge(key, x) for x in self.external.get(key, ()))
        return tuple(out)


def fold_target(target: str) -> str:
    """The form a target is looked up by: case folded, arXiv versions dropped."""
    spaced = " ".join(target.split())
    folded = spaced.casefold()
    if folded.startswith("arxiv:"):
        # Versions are read before folding: old-style ids hold capitals (math.GT/0309136v2).
        return "arxiv:" + strip_version(spaced[6:].strip()).casefold()
    if folded.startswith("doi:"):
        return "doi:" + folded[4:].strip()
    return folded
