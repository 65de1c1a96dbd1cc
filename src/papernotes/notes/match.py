"""Finding a paper among the library's notes: by arXiv id, DOI or a near-identical title (pure).

Used by ``add`` and ``import`` to refuse duplicates and by ``add``/``link`` to turn Semantic
Scholar's reference lists into ``cites:`` keys. Titles match when their normalised forms
(case folded, accents and punctuation dropped) have a difflib ratio of at least
:data:`TITLE_RATIO`: "LoRA: Low-Rank Adaptation…" and "Lora: low-rank adaptation…" match,
"GPT Understands, Too" and "GPT Understands" do not.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from papernotes.ids import doi_key, strip_version
from papernotes.model import CiteKey, Library, Note

__all__ = ["TITLE_RATIO", "Match", "NoteIndex", "normalize_title", "same_paper"]

TITLE_RATIO = 0.9
"""The difflib ratio at which two normalised titles name the same paper."""


def normalize_title(title: str) -> str:
    """Lower case, accents dropped, letters and digits (any script) separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    kept = "".join(
        ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)
    )
    return " ".join(kept.split())


def _arxiv_base(ident: str) -> str:
    return strip_version(ident.strip()).casefold()


@dataclass(frozen=True, slots=True)
class Match:
    """A note that is the same paper, and why."""

    key: CiteKey
    """The note's key."""
    source: str
    """The note's file."""
    reason: str
    """``same arXiv id 2106.09685``, ``same DOI …`` or ``near-identical title "…"``."""


class NoteIndex:
    """The library's notes, looked up by arXiv id, DOI and title."""

    def __init__(self, entries: Iterable[tuple[CiteKey, str, str | None, str | None, str | None]]):
        """``entries``: (key, source file, arXiv id, DOI, title) of each note."""
        self._arxiv: dict[str, tuple[CiteKey, str]] = {}
        self._doi: dict[str, tuple[CiteKey, str]] = {}
        self._titles: dict[str, tuple[CiteKey, str, str]] = {}
        self.keys: set[str] = set()
        for key, source, arxiv, doi, title in entries:
            self.add(key, source, arxiv, doi, title)

    @classmethod
    def of_library(cls, library: Library) -> NoteIndex:
        """The index of every note in ``library``."""
        return cls(_entry(n) for n in library.notes.values())

    def add(
        self, key: CiteKey, source: str, arxiv: str | None, doi: str | None, title: str | None
    ) -> None:
        """Index one more paper (a note written in this run)."""
        self.keys.add(key)
        if arxiv:
            self._arxiv.setdefault(_arxiv_base(arxiv), (key, source))
        if doi:
            self._doi.setdefault(doi_key(doi), (key, source))
        norm = normalize_title(title) if title else ""
        if title and norm:
            self._titles.setdefault(norm, (key, source, title))

    def find(self, arxiv: str | None, doi: str | None, title: str | None) -> Match | None:
        """The note that is this paper, or None."""
        if arxiv and (hit := self._arxiv.get(_arxiv_base(arxiv))):
            return Match(hit[0], hit[1], f"same arXiv id {_arxiv_base(arxiv)}")
        if doi and (hit := self._doi.get(doi_key(doi))):
            return Match(hit[0], hit[1], f"same DOI {doi.strip()}")
        if title:
            found = self._title(title)
            if found is not None:
                key, source, written = found
                return Match(key, source, f'near-identical title "{written}"')
        return None

    def _title(self, title: str) -> tuple[CiteKey, str, str] | None:
        norm = normalize_title(title)
        if not norm:
            return None
        exact = self._titles.get(norm)
        if exact is not None:
            return exact
        matcher = difflib.SequenceMatcher(None, "", norm, autojunk=False)
        for other, hit in self._titles.items():
            matcher.set_seq1(other)
            if (
                matcher.real_quick_ratio() >= TITLE_RATIO
                and matcher.quick_ratio() >= TITLE_RATIO
                and matcher.ratio() >= TITLE_RATIO
            ):
                return hit
        return None

    def match_all(
        self, papers: Iterable[tuple[str, str, str]], exclude: Iterable[str] = ()
    ) -> tuple[CiteKey, ...]:
        """Keys of the notes among ``papers`` ((arXiv id, DOI, title) each), in order, once."""
        skip = {k.casefold() for k in exclude}
        out: dict[CiteKey, None] = {}
        for arxiv, doi, title in papers:
            found = self.find(arxiv or None, doi or None, title or None)
            if found is not None and found.key.casefold() not in skip:
                out[found.key] = None
        return tuple(out)


def _entry(note: Note) -> tuple[CiteKey, str, str | None, str | None, str | None]:
    m = note.meta
    return note.key, note.source, m.arxiv, m.doi, m.title


def same_paper(found: Match, made: Collection[str], *, merge: bool) -> str:
    """What ``import`` says of a record with the DOI or arXiv id of note ``found`` (one of
    ``made`` in this import, or already in the library): both kept, or with ``merge`` the
    record dropped in favour of that note."""
    same = found.reason.removeprefix("same ")
    where = (
        "earlier in the file" if found.key in made else f"already in the library ({found.source})"
    )
    if merge:
        return (
            f"same {same} as '{found.key}', {where}: merged into it (not imported); "
            f"cite '{found.key}' where you cited this key"
        )
    # Both keys are kept by default: each may be cited, and a shared DOI is as often a typo or
    # a survey's later version as the same paper twice.
    return (
        f"same {same} as '{found.key}', {where}; both are kept (import with --merge to keep "
        "only the first)"
    )
