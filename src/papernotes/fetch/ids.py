"""What the user typed after ``papernotes add``, as an arXiv id or a DOI (pure).

Accepted: arXiv ids new and old style, with or without a version (``2106.09685v2``,
``cs/0112017``), ``arXiv:`` prefixes, arXiv abs/PDF/HTML URLs, DOIs, ``doi:`` prefixes,
doi.org URLs, and ACL Anthology ids and URLs, which become the DOI the Anthology registers
for them. arXiv's own DataCite DOIs (``10.48550/arXiv.<id>``) are treated as arXiv ids, since
the arXiv API knows more about those papers than the DOI record does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from papernotes.ids import arxiv_of_doi, clean_doi, split_arxiv_version

__all__ = ["PaperRef", "anthology_doi", "parse_ref", "split_arxiv_version"]

# The Anthology's two id schemes: "P19-1001" (letter, two-digit year, four digits) until
# 2019, "2022.acl-long.26" (year.venue-volume.number) since 2020.
_ACL_OLD = re.compile(r"([AC-FH-UWXY])(\d{2})-\d{4}", re.IGNORECASE)
_ACL_NEW = re.compile(r"(\d{4})\.[a-z0-9]+-[a-z0-9]+\.\d+", re.IGNORECASE)
_ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})
_ACL_HOSTS = frozenset({"aclanthology.org", "www.aclanthology.org"})
_ACLWEB_HOSTS = frozenset({"aclweb.org", "www.aclweb.org"})


@dataclass(frozen=True, slots=True)
class PaperRef:
    """One paper to look up."""

    kind: Literal["arxiv", "doi"]
    """Which service knows it first."""
    ident: str
    """The arXiv id without its version, or the DOI as written (DOIs ignore case)."""
    source: str
    """What the user typed, for messages."""
    version: str = ""
    """The arXiv version the user asked for ("v2"), or empty."""
    anthology: str = ""
    """The ACL Anthology id the DOI was made from, or empty."""

    @property
    def label(self) -> str:
        """``arXiv:2106.09685`` or ``doi:10.18653/v1/2022.acl-long.26``."""
        return f"arXiv:{self.ident}" if self.kind == "arxiv" else f"doi:{self.ident}"


def anthology_doi(anthology_id: str) -> str:
    """The DOI the ACL Anthology registers for a paper id.

    The Anthology mints ``10.18653/v1/<id>`` (``10.18653/v1/N19-1423``,
    ``10.18653/v1/2022.acl-long.26``); papers from 2013–2014 carry the older
    ``10.3115/v1/<id>`` (``10.3115/v1/D14-1162``). Earlier papers have no DOI of this form:
    raises ValueError for them, and for text that is no Anthology id.
    """
    old = _ACL_OLD.fullmatch(anthology_id)
    if old:
        year = int(old.group(2))
        ident = anthology_id.upper()
        if 15 <= year <= 19:
            return f"10.18653/v1/{ident}"
        if 13 <= year <= 14:
            return f"10.3115/v1/{ident}"
        raise ValueError(
            f"ACL Anthology paper {ident} is from before 2013 and has no Anthology DOI; "
            "add it by its DOI or arXiv id instead"
        )
    if _ACL_NEW.fullmatch(anthology_id):
        return f"10.18653/v1/{anthology_id.lower()}"
    raise ValueError(f'"{anthology_id}" is not an ACL Anthology id')


def _from_doi(doi: str, source: str, anthology: str = "") -> PaperRef:
    clean = clean_doi(doi)
    if clean is None:
        raise ValueError(f'"{source}" is not a DOI such as 10.18653/v1/2022.acl-long.26')
    arxiv = arxiv_of_doi(clean)
    if arxiv:
        return PaperRef("arxiv", arxiv.base, source, arxiv.version)
    return PaperRef("doi", clean, source, anthology=anthology)


def _from_arxiv(ident: str, source: str) -> PaperRef:
    ident = ident.strip().removesuffix(".pdf").strip("/")
    split = split_arxiv_version(ident)
    if split is None:
        raise ValueError(f'"{source}" has no arXiv id such as 2106.09685 or cs/0112017')
    return PaperRef("arxiv", split[0], source, split[1])


def _from_anthology(ident: str, source: str) -> PaperRef:
    ident = ident.strip("/").removesuffix(".pdf").removesuffix(".bib").strip("/")
    return _from_doi(anthology_doi(ident), source, anthology=ident)


def _from_url(text: str) -> PaperRef:
    parts = urlsplit(text)
    host = parts.hostname or ""
    path = unquote(parts.path)
    if host in _ARXIV_HOSTS:
        for prefix in ("/abs/", "/pdf/", "/html/"):
            if path.startswith(prefix):
                return _from_arxiv(path[len(prefix) :], text)
        raise ValueError(f'"{text}": expected an arXiv abs or PDF address')
    if host in _DOI_HOSTS:
        return _from_doi(path.lstrip("/"), text)
    if host in _ACL_HOSTS:
        return _from_anthology(path, text)
    if host in _ACLWEB_HOSTS and path.startswith("/anthology/"):
        # aclweb.org nested old ids under letter and collection folders: /anthology/P/P19/…
        return _from_anthology(path.rstrip("/").rsplit("/", 1)[-1], text)
    raise ValueError(
        f'"{text}": not an arXiv, doi.org or ACL Anthology address; give an arXiv id or a DOI'
    )


def parse_ref(text: str) -> PaperRef:
    """The paper ``text`` names. Raises ValueError with a one-line reason when it names none."""
    source = text.strip().strip("<>")
    if not source:
        raise ValueError("empty identifier")
    low = source.lower()
    if low.startswith(("http://", "https://")):
        return _from_url(source)
    for prefix in ("arxiv.org/", "doi.org/", "aclanthology.org/"):
        if low.startswith(prefix):
            return _from_url(f"https://{source}")
    if low.startswith("arxiv:"):
        return _from_arxiv(source[6:], source)
    if low.startswith("doi:"):
        return _from_doi(source[4:], source)
    if split_arxiv_version(source):
        return _from_arxiv(source, source)
    if source.startswith("10."):
        return _from_doi(source, source)
    if _ACL_OLD.fullmatch(source) or _ACL_NEW.fullmatch(source):
        return _from_anthology(source, source)
    raise ValueError(
        f'"{source}" is not an arXiv id (2106.09685, cs/0112017), a DOI (10.…/…), '
        "or an arXiv, doi.org or ACL Anthology address"
    )
