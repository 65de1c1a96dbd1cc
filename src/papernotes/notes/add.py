"""``papernotes add``: notes that start filled in, from arXiv ids, DOIs and Anthology URLs.

For each identifier: refuse it at once if the library already has the paper (same arXiv id
or DOI); fetch the arXiv record (all arXiv ids in one request) and the DOI record; refuse it
if a note has the same arXiv id, DOI or a near-identical title; ask Semantic Scholar what the
paper references and keep the library's notes among them as ``cites:``; draft the note and
check it with the engine's parser. Nothing is written here: the CLI writes what comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from papernotes.fetch.arxiv import ArxivRecord, fetch_arxiv
from papernotes.fetch.crossref import UnknownDOI, Work, fetch_work
from papernotes.fetch.http import FetchError, Http
from papernotes.fetch.ids import PaperRef, parse_ref
from papernotes.fetch.s2 import fetch_paper, fetch_references, paper_id
from papernotes.model import CiteKey
from papernotes.notes.draft import Sources, draft_note
from papernotes.notes.file import check_note, note_name, render_note
from papernotes.notes.match import Match, NoteIndex

__all__ = ["AddOptions", "Added", "Failed", "Outcome", "Present", "add_papers", "find_references"]


@dataclass(frozen=True, slots=True)
class AddOptions:
    """How ``add`` behaves."""

    semantic_scholar: bool = True
    """Ask Semantic Scholar what the paper references (``cites:``) and, for a DOI, its
    arXiv id."""
    s2_key: str | None = None
    """Semantic Scholar API key (``S2_API_KEY``)."""
    language: str = "en"
    """The library's language, for the skeleton's headings."""


@dataclass(frozen=True, slots=True)
class Added:
    """A note ready to be written."""

    source: str
    """What the user typed."""
    key: CiteKey
    """The new note's key."""
    path: str
    """Where it goes, relative to the library root ("papers/hu2021lora.md")."""
    text: str
    """The note file's text."""
    warnings: tuple[str, ...] = ()
    """Things that went wrong without stopping it (Semantic Scholar unreachable, …)."""


@dataclass(frozen=True, slots=True)
class Present:
    """The paper is already in the library."""

    source: str
    """What the user typed."""
    match: Match
    """The note that has it, and why it is the same paper."""


@dataclass(frozen=True, slots=True)
class Failed:
    """The paper could not be added."""

    source: str
    """What the user typed."""
    message: str
    """One line: what went wrong."""


Outcome = Added | Present | Failed


def find_references(
    http: Http, index: NoteIndex, arxiv: str | None, doi: str | None, key: str, api_key: str | None
) -> tuple[tuple[CiteKey, ...], str | None]:
    """Library notes the paper references, and a warning when Semantic Scholar could not say."""
    ident = paper_id(arxiv, doi)
    if ident is None:
        return (), "no arXiv id or DOI to ask Semantic Scholar about"
    try:
        refs = fetch_references(http, ident, api_key)
    except FetchError as exc:
        return (), str(exc)
    if refs is None:
        return (), f"Semantic Scholar does not know {ident}"
    papers = [(p.arxiv, p.doi, p.title) for p in refs]
    return index.match_all(papers, exclude=[key]), None


class _Adder:
    def __init__(self, http: Http, index: NoteIndex, papers_dir: str, options: AddOptions) -> None:
        self.http = http
        self.index = index
        self.papers_dir = papers_dir
        self.options = options
        self.records: dict[str, ArxivRecord] = {}
        self.batch_error: str | None = None

    def prefetch(self, refs: Sequence[PaperRef]) -> None:
        """Look up every arXiv id not yet in the library in one request."""
        idents = [
            r.ident
            for r in refs
            if r.kind == "arxiv" and self.index.find(r.ident, None, None) is None
        ]
        if idents:
            try:
                self.records.update(fetch_arxiv(self.http, idents))
            except FetchError as exc:
                self.batch_error = str(exc)

    def _arxiv(self, ident: str, warnings: list[str]) -> ArxivRecord | None:
        if ident not in self.records:
            try:
                self.records.update(fetch_arxiv(self.http, [ident]))
            except FetchError as exc:
                warnings.append(f"no abstract: {exc}")
        return self.records.get(ident)

    def _sources(self, ref: PaperRef, warnings: list[str]) -> Sources:
        if ref.kind == "arxiv":
            if self.batch_error is not None:
                raise FetchError(self.batch_error)
            rec = self.records.get(ref.ident)
            if rec is None:
                raise FetchError(f"unknown arXiv id {ref.ident}: arXiv has no such paper")
            work: Work | None = None
            if rec.doi:
                try:
                    work = fetch_work(self.http, rec.doi)
                except UnknownDOI as exc:
                    warnings.append(f"arXiv names DOI {rec.doi}, but {exc}; using arXiv's record")
            return Sources(arxiv=rec, work=work)
        try:
            work = fetch_work(self.http, ref.ident)
        except UnknownDOI:
            if ref.anthology:
                raise FetchError(
                    f"ACL Anthology paper {ref.anthology}: its DOI {ref.ident} is not "
                    "registered (older Anthology papers have none); add it by arXiv id"
                ) from None
            raise
        arxiv_rec = self._arxiv_of(work, warnings) if self.options.semantic_scholar else None
        return Sources(arxiv=arxiv_rec, work=work, anthology=ref.anthology)

    def _arxiv_of(self, work: Work, warnings: list[str]) -> ArxivRecord | None:
        # Crossref does not link a paper to its arXiv preprint; Semantic Scholar does.
        try:
            found = fetch_paper(self.http, f"DOI:{work.doi}", self.options.s2_key)
        except FetchError as exc:
            warnings.append(f"arXiv id not looked up: {exc}")
            return None
        if found is None or not found.arxiv:
            return None
        return self._arxiv(found.arxiv, warnings)

    def add(self, text: str) -> Outcome:
        try:
            ref = parse_ref(text)
        except ValueError as exc:
            return Failed(text, str(exc))
        early = self.index.find(
            ref.ident if ref.kind == "arxiv" else None,
            ref.ident if ref.kind == "doi" else None,
            None,
        )
        if early is not None:
            return Present(text, early)
        warnings: list[str] = []
        try:
            src = self._sources(ref, warnings)
        except FetchError as exc:
            return Failed(text, str(exc))
        arxiv = src.arxiv.ident if src.arxiv else None
        doi = src.work.doi if src.work else (src.arxiv.doi if src.arxiv else None)
        title = src.work.title if src.work else src.arxiv.title if src.arxiv else None
        present = self.index.find(arxiv, doi, title)
        if present is not None:
            return Present(text, present)
        draft = draft_note(
            src, taken=self.index.keys, language=self.options.language, version=ref.version
        )
        if self.options.semantic_scholar:
            cites, problem = find_references(
                self.http, self.index, arxiv, doi, draft.key, self.options.s2_key
            )
            if problem:
                warnings.append(f"cites: left empty ({problem}); run 'papernotes link' later")
            draft = replace(draft, cites=cites)
        path = f"{self.papers_dir}/{note_name(draft.key)}"
        note = render_note(draft)
        problems = check_note(path, note)
        if problems:
            return Failed(text, f"the note drafted for it is not valid: {problems[0].format()}")
        self.index.add(draft.key, path, arxiv, doi, draft.title)
        return Added(text, draft.key, path, note, tuple(warnings))


def add_papers(
    texts: Sequence[str],
    *,
    index: NoteIndex,
    papers_dir: str,
    http: Http,
    options: AddOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Outcome]:
    """One outcome per identifier, in order; ``index`` learns each paper added."""
    adder = _Adder(http, index, papers_dir, options or AddOptions())
    refs: list[PaperRef] = []
    for text in texts:
        try:
            refs.append(parse_ref(text))
        except ValueError:
            continue
    adder.prefetch(refs)
    out: list[Outcome] = []
    for text in texts:
        if progress is not None:
            progress(text)
        out.append(adder.add(text))
    return out
