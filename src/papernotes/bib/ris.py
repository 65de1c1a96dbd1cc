"""RIS export: notes as the tagged records EndNote, Mendeley and Zotero import.

Each line is a two-character tag, two spaces, a hyphen and a space (``TY  - JOUR``); a record
starts with ``TY`` and ends with ``ER  - ``. Lines end in CRLF: the RIS specification (Research
Information Systems, the RefMan format) requires a carriage return and line feed after every
line, and EndNote writes it so; readers that expect LF accept CRLF too. Text is UTF-8.

Tags written, in this order: TY (type, :data:`RIS_TYPES`), ID (the note's key), AU (one per
author, "Family, Given, Suffix"), TI, T2 (the venue: journal, proceedings or site), PY (year),
DO, UR, AN + DB (the arXiv id as "arXiv:ID" in database "arXiv"), AB, KW (one per tag), ER.
DA is not written: it is for a full date, and a note has only a year, which PY holds.
A value never spans lines (RIS continuation lines are read differently by each reader), so
line breaks inside a value (an abstract's paragraphs) become spaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from papernotes.bib.export import entry_type
from papernotes.model import NO_DATE, Author, Metadata

__all__ = ["RIS_TYPES", "format_record", "format_ris"]

RIS_TYPES: Mapping[str, str] = {
    "article": "JOUR",
    # CPAPER is one paper in proceedings; CONF is the proceedings volume itself.
    "inproceedings": "CPAPER",
    "conference": "CPAPER",
    "proceedings": "CONF",
    "incollection": "CHAP",
    "inbook": "CHAP",
    "book": "BOOK",
    "booklet": "PAMP",
    "phdthesis": "THES",
    "mastersthesis": "THES",
    "thesis": "THES",
    "techreport": "RPRT",
    "report": "RPRT",
    "manual": "RPRT",
    "online": "ELEC",
    "www": "ELEC",
    "software": "COMP",
    "dataset": "DATA",
    "patent": "PAT",
    "unpublished": "UNPB",
    "misc": "GEN",
}
"""RIS reference type by BibTeX/biblatex entry type (anything else: GEN)."""

EOL = "\r\n"
"""The RIS line ending."""


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _author(author: Author) -> str:
    family = " ".join(p for p in (author.particle, author.family) if p)
    parts = [family, author.given, author.suffix] if author.suffix else [family, author.given]
    return ", ".join(parts).rstrip(", ")


def format_record(meta: Metadata) -> str:
    """One note as a RIS record: CRLF-terminated lines from ``TY`` to ``ER``."""
    lines = [("TY", RIS_TYPES.get(entry_type(meta), "GEN")), ("ID", meta.key)]
    lines.extend(("AU", _author(a)) for a in meta.authors)
    lines.extend(("ED", _author(a)) for a in meta.editors)
    if meta.title is not None:
        lines.append(("TI", meta.title))
    if meta.venue and meta.venue.strip():
        lines.append(("T2", meta.venue))
    if meta.year is not None:
        lines.append(("PY", str(meta.year)))
    elif meta.year_label != NO_DATE:
        # A year written as text goes in DA's free "other info" part (YYYY/MM/DD/other).
        lines.append(("DA", f"///{meta.year_label}"))
    if meta.doi:
        lines.append(("DO", meta.doi))
    if meta.url:
        lines.append(("UR", meta.url))
    if meta.arxiv:
        lines.extend((("AN", f"arXiv:{meta.arxiv}"), ("DB", "arXiv")))
    if meta.abstract:
        lines.append(("AB", meta.abstract))
    lines.extend(("KW", tag) for tag in meta.tags)
    text = "".join(f"{tag}  - {_one_line(value)}{EOL}" for tag, value in lines)
    return text + f"ER  - {EOL}"


def format_ris(metas: Iterable[Metadata]) -> str:
    """The library as one RIS file: records in the given order, each line a tagged line."""
    return "".join(format_record(m) for m in metas)
