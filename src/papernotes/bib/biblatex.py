"""The two .bib flavours' entry types and fields: classic BibTeX's, and biblatex's.

:func:`papernotes.bib.export.to_entry` builds an entry in BibTeX's vocabulary, with whatever
type and extra fields the note chose, which may be biblatex's (``type: online``,
``bibtex: {location: …}``). :func:`to_bibtex` maps it onto the 14 types every classic style
defines (``@online`` → ``@misc``, ``@thesis`` → ``@phdthesis``; an unknown type would make a
style warn and fall back to ``misc`` anyway) and biblatex's field names back to BibTeX's.
:func:`to_biblatex` goes the other way, as biber's own alias tables do (biblatex manual
§2.1.2 and §2.2.5): ``journal`` → ``journaltitle``, ``address`` → ``location``,
``school`` → ``institution``, ``archivePrefix`` → ``eprinttype``, ``primaryClass`` →
``eprintclass``, ``year``/``month`` → ``date``, ``@phdthesis`` → ``@thesis`` with
``type = {phdthesis}``, and a ``@misc`` that is only a link or an arXiv id → ``@online``.
``url``, ``doi`` and ``eprint`` keep their names in both.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from papernotes.bib.entry import Entry

__all__ = [
    "BIBLATEX_FIELDS",
    "BIBLATEX_TYPES",
    "BIBTEX_TYPES",
    "bibtex_type",
    "month_number",
    "to_biblatex",
    "to_bibtex",
]

BIBTEX_TYPES = frozenset(
    {
        "article", "book", "booklet", "conference", "inbook", "incollection", "inproceedings",
        "manual", "mastersthesis", "misc", "phdthesis", "proceedings", "techreport",
        "unpublished",
    }
)  # fmt: skip
"""The entry types that plain, unsrt, alpha, abbrv, ieeetr and acm all define."""

BIBLATEX_TYPES = MappingProxyType(
    {
        "conference": ("inproceedings", ""),
        "electronic": ("online", ""),
        "www": ("online", ""),
        "mastersthesis": ("thesis", "mathesis"),
        "phdthesis": ("thesis", "phdthesis"),
        "techreport": ("report", "techreport"),
    }
)
"""BibTeX type → (biblatex type, its ``type`` field or ""), biblatex manual §2.1.2."""

BIBLATEX_FIELDS = MappingProxyType(
    {
        "address": "location",
        "annote": "annotation",
        "archiveprefix": "eprinttype",
        "journal": "journaltitle",
        "key": "sortkey",
        "primaryclass": "eprintclass",
        "school": "institution",
    }
)
"""BibTeX field (lower case) → biblatex field, biblatex manual §2.2.5."""

# biblatex-only types that have a close BibTeX type; every other one becomes misc.
_TO_BIBTEX_TYPE = MappingProxyType(
    {
        "report": "techreport",
        "thesis": "phdthesis",
        "mvbook": "book",
        "collection": "book",
        "mvcollection": "book",
        "reference": "book",
        "mvreference": "book",
        "bookinbook": "inbook",
        "suppbook": "inbook",
        "incollection": "incollection",
        "inreference": "incollection",
        "suppcollection": "incollection",
        "mvproceedings": "proceedings",
        "periodical": "article",
        "suppperiodical": "article",
        "review": "article",
    }
)
_TO_BIBTEX_FIELD = MappingProxyType(
    {v: k for k, v in BIBLATEX_FIELDS.items() if k not in ("school", "archiveprefix")}
    | {"eprinttype": "archivePrefix", "eprintclass": "primaryClass"}
)
_THESES = frozenset({"phdthesis", "mastersthesis"})
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-\d{2})?(?:/.*)?")
# A @misc that is only this (and a title, names, a date) is a web page or a preprint: @online.
_ONLINE_FIELDS = frozenset(
    {"title", "year", "month", "url", "doi", "eprint", "archiveprefix", "primaryclass", "note"}
    | {"urldate", "addendum", "language", "version", "pubstate", "organization"}
)


def month_number(value: str) -> int | None:
    """The month ``value`` names (``7``, ``jul``, ``July``, ``Sept.``), or None."""
    text = value.strip().rstrip(".").lower()
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    if len(text) < 3:
        return None
    return next((n for n, name in enumerate(_MONTH_NAMES, 1) if name.startswith(text)), None)


def _renamed(entry: Entry, kind: str, names: dict[str, str]) -> Entry:
    """``entry`` as type ``kind`` with each field named as ``names`` says (by lower-case name)."""
    fields = {names.get(k.lower(), k): v for k, v in entry.fields.items()}
    return Entry(kind, fields=fields, persons=dict(entry.persons))


def _get(entry: Entry, name: str) -> str | None:
    value = entry.fields.get(name)
    return value if isinstance(value, str) else None


def bibtex_type(kind: str) -> str:
    """The classic BibTeX type for entry type ``kind`` (lower case): itself, if every standard
    style defines it, else the closest one (``report`` → ``techreport``), else ``misc``."""
    return kind if kind in BIBTEX_TYPES else _TO_BIBTEX_TYPE.get(kind, "misc")


def to_bibtex(entry: Entry) -> Entry:
    """``entry`` with a type every classic style defines and BibTeX's field names.

    A ``date`` gives ``year`` (and ``month``) when there is no ``year``; the biblatex thesis
    and report subtypes (``type = {mathesis}``) pick ``@mastersthesis``/``@techreport``.
    """
    kind = entry.type.lower()
    subtype = (_get(entry, "type") or "").strip().lower()
    names = dict(_TO_BIBTEX_FIELD)
    drop: set[str] = set()
    new_kind = bibtex_type(kind)
    if kind == "thesis" and subtype in ("mathesis", "mastersthesis"):
        new_kind = "mastersthesis"
    if new_kind != kind and subtype in (new_kind, "mathesis"):  # now the entry type
        drop.add("type")
    if new_kind in _THESES:
        names["institution"] = "school"
    if new_kind == "misc" and kind == "online":
        names["organization"] = "howpublished"
    out = _renamed(entry, new_kind, names)
    for name in drop:
        out.fields.pop(name, None)
    date = _get(out, "date")
    if date is not None and _get(out, "year") is None:
        found = _DATE.fullmatch(date.strip())
        if found:
            out.fields["year"] = found.group(1)
            if found.group(2) and _get(out, "month") is None:
                out.fields["month"] = str(int(found.group(2)))
            out.fields.pop("date")
    return out


def _date(year: str | None, month: str | None) -> str | None:
    """``year`` and ``month`` as one ISO 8601 ``date`` (``2019``, ``2019-07``), if they are one."""
    year = (year or "").strip()
    if not re.fullmatch(r"\d{4}", year):
        return None
    if month is None:
        return year
    number = month_number(month)
    return None if number is None else f"{year}-{number:02d}"


def to_biblatex(entry: Entry) -> Entry:
    """``entry`` in biblatex's types and field names, for biber (see the module docstring)."""
    kind = entry.type.lower()
    if kind == "misc":
        lower = {k.lower() for k in entry.fields}
        if lower <= _ONLINE_FIELDS and lower & {"url", "eprint"}:
            kind = "online"
    new_kind, subtype = BIBLATEX_TYPES.get(kind, (kind, ""))
    names = dict(BIBLATEX_FIELDS)
    if new_kind == "online":
        names["howpublished"] = "organization"
    # One plain dict, one Entry at the end (each field set once).
    fields = {names.get(k.lower(), k): v for k, v in entry.fields.items()}
    spelled = {k.lower(): k for k in fields}
    if subtype and "type" not in spelled:
        fields["type"] = subtype
    eprinttype = spelled.get("eprinttype")
    if eprinttype is not None and fields[eprinttype].lower() == "arxiv":
        fields[eprinttype] = "arxiv"  # biblatex's name for it, which it prints as arXiv
    year, month = spelled.get("year"), spelled.get("month")
    date = _date(fields.get(year or ""), fields.get(month or ""))
    if date is not None and "date" not in spelled:
        # date takes year's place; month goes into it.
        fields = {
            ("date" if k == year else k): (date if k == year else v)
            for k, v in fields.items()
            if k != month
        }
    return Entry(new_kind, fields=fields, persons=dict(entry.persons))
