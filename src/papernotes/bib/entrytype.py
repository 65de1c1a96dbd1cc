"""A note's BibTeX entry type, and the ``tex.`` prefix of raw TeX fields: what the CSL-JSON
and RIS exports share with the BibTeX one.

Apart from :mod:`.export` because that imports the LaTeX encoders and name rules, and the
CSL item that an edited note's references are keyed on needs only these: an edit build
makes one CSL item and no BibTeX.
"""

from __future__ import annotations

import re

from papernotes.model import Metadata

__all__ = [
    "CONFERENCE_ACRONYMS",
    "CONFERENCE_PREFIXES",
    "CONFERENCE_WORDS",
    "TEX_PREFIX",
    "entry_type",
]

CONFERENCE_ACRONYMS: frozenset[str] = frozenset(
    {
        # Machine learning and AI
        "NeurIPS", "NIPS", "ICML", "ICLR", "AAAI", "IJCAI", "AISTATS", "UAI", "COLT", "CoRL",
        "ACML", "ECML", "L4DC", "MLSys",
        # Language and speech
        "ACL", "EMNLP", "NAACL", "EACL", "AACL", "COLING", "CoNLL", "LREC", "IJCNLP", "SemEval",
        "WMT", "INTERSPEECH", "ICASSP",
        # Vision, graphics, robotics
        "CVPR", "ICCV", "ECCV", "WACV", "BMVC", "MICCAI", "SIGGRAPH", "ICRA", "IROS", "RSS",
        # Data, web, information retrieval
        "KDD", "SIGKDD", "SIGIR", "WWW", "WSDM", "CIKM", "RecSys", "ICDM", "SDM", "SIGMOD", "ICDE",
        # Systems, security, HCI, software
        "OSDI", "SOSP", "NSDI", "EuroSys", "USENIX", "CCS", "NDSS", "CHI", "UIST", "ICSE", "FSE",
        "PLDI", "POPL", "ASPLOS", "ISCA",
    }
)  # fmt: skip
"""Venues whose first word is one of these are conferences (compared ignoring case)."""

CONFERENCE_WORDS: frozenset[str] = frozenset(
    {"conference", "proceedings", "workshop", "symposium", "meeting"}
)
"""A venue containing one of these words (ignoring case) is a conference."""

CONFERENCE_PREFIXES: tuple[str, ...] = ("findings of",)
"""A venue starting with one of these (ignoring case) is a conference ("Findings of EACL 2023")."""

_CASEFOLDED_ACRONYMS = frozenset(a.casefold() for a in CONFERENCE_ACRONYMS)
_LEADING_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z]+)?")
_WORD = re.compile(r"[A-Za-z]+")

TEX_PREFIX = "tex."
"""A ``bibtex:`` key ``tex.NAME`` passes its value through as raw TeX (Better BibTeX's way)."""


def _is_conference(venue: str) -> bool:
    venue = venue.strip()
    if venue.casefold().startswith(CONFERENCE_PREFIXES):
        return True
    if not CONFERENCE_WORDS.isdisjoint(w.casefold() for w in _WORD.findall(venue)):
        return True
    lead = _LEADING_NAME.match(venue)
    if lead is None:
        return False
    # "NeurIPS'20", "EMNLP-IJCNLP 2019", "NAACL-HLT", "CVPR2022": try the whole leading name,
    # then its letters alone, then the part before a hyphen.
    name = lead.group().casefold()
    candidates = {name, name.split("-")[0], re.sub(r"[0-9].*", "", name)}
    return bool(candidates & _CASEFOLDED_ACRONYMS)


def entry_type(meta: Metadata) -> str:
    """The BibTeX entry type: the note's ``type`` if set, else inferred from the venue.

    A conference venue gives ``inproceedings``, any other venue ``article``, none ``misc``.
    """
    if meta.entry_type:
        return meta.entry_type.strip().lower()
    if not meta.venue or not meta.venue.strip():
        return "misc"
    return "inproceedings" if _is_conference(meta.venue) else "article"
