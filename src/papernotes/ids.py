"""The one home of the identifier rules: arXiv ids, DOIs and note ids (pure).

Every module that reads, strips, compares or validates an identifier asks here, so a note's
front matter, ``papernotes add``, a BibTeX import and an arXiv API answer agree on what an id
is. The rules:

- arXiv, new style (since April 2007): ``YYMM.NNNN`` until December 2014, ``YYMM.NNNNN``
  since January 2015, month 01–12, optional version ``vN`` (N ≥ 1).
- arXiv, old style (1991 – March 2007): ``archive(.XX)/YYMMNNN`` such as ``hep-th/9901001``
  or ``math.GT/0309136``, month 01–12, optional version. Only the two-capital subject class
  ever appeared in an id; lower-case dotted names such as ``cond-mat.str-el`` are categories.
- Prefixes: ``arXiv:`` and arxiv.org ``/abs/``, ``/pdf/`` (``.pdf`` dropped) and ``/html/``
  addresses, with or without ``https://``, ``www.`` or ``export.``.
- DOI: ``10.`` + a 4–9 digit registrant + ``/`` + a suffix without white space. Suffixes may
  hold parentheses and angle brackets (SICI DOIs). Prefixes ``doi:`` and doi.org, dx.doi.org,
  www.doi.org addresses; a surrounding ``<…>`` and trailing sentence punctuation (``.,;:``
  and an unbalanced ``)`` or ``]``) are not part of it. DOIs ignore case: compare them by
  :func:`doi_key`, show them as written.
- Note ids (citekeys): anything BibTeX and biber read as a key; see :data:`KEY_RE`.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from papernotes.errors import PATH_ID

__all__ = [
    "KEY_FORBIDDEN",
    "KEY_RE",
    "PATH_ID",
    "ArxivId",
    "arxiv_in_text",
    "arxiv_of_doi",
    "arxiv_problem",
    "clean_doi",
    "doi_key",
    "is_arxiv",
    "is_doi",
    "key_problem",
    "parse_arxiv",
    "split_arxiv_version",
    "strip_arxiv_prefix",
    "strip_doi_prefix",
    "strip_version",
    "suggest_key",
]

# PATH_ID lives with the diagnostics, so a quick edit reads it without this module's patterns.

_MONTH = r"(?:0[1-9]|1[0-2])"
_VERSION = r"(?P<version>v[1-9]\d*)?"
_ARXIV_NEW = re.compile(rf"(?P<base>(?P<yy>\d{{2}})(?P<mm>{_MONTH})\.(?P<num>\d{{4,5}})){_VERSION}")
_ARXIV_OLD = re.compile(
    rf"(?P<base>[a-z][a-z\-]*(?:\.[A-Z]{{2}})?/(?P<yy>\d{{2}})(?P<mm>{_MONTH})\d{{3}}){_VERSION}"
)


@functools.cache
def _arxiv_like() -> re.Pattern[str]:
    """The same shapes without the month and length rules, to explain why an id-like text
    fails (compiled when one does: a build with valid ids never asks)."""
    return re.compile(r"\d{4}\.\d+(?:v\d+)?|[a-z][a-z.\-]*(?:\.[A-Z]{2})?/\d+(?:v\d+)?")


_ARXIV_PREFIX = re.compile(
    r"(?:arxiv:\s*|(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/)", re.IGNORECASE
)


@functools.cache
def _arxiv_in_text() -> re.Pattern[str]:
    """Where free text (a BibTeX note, journal or url field) names an arXiv id; the candidate
    is then checked by parse_arxiv, so "arXiv:2113.00001" in a note field is not taken for one.
    Compiled on first use: imports and fetches search free text, a build does not."""
    return re.compile(
        r"arxiv(?:\.org/(?:abs|pdf)/|[:\s]+)"
        r"((?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)"
        r"|10\.48550/arxiv\.(\S+)",
        re.IGNORECASE,
    )


_DOI = re.compile(r"10\.\d{4,9}/\S+")
_PAIRS = (("(", ")"), ("[", "]"))
# arXiv's own DataCite DOIs name an arXiv paper: 10.48550/arXiv.2106.09685.
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"(?:doi:\s*|(?:https?://)?(?:dx\.|www\.)?doi\.org/)", re.IGNORECASE)

# A note id is its BibTeX citekey, so it may be anything a LaTeX user can cite with both
# BibTeX and biber; its note file's name and its page's name are made from it separately
# (notes/file.py note_name, urls.key_slug), so no character is refused for file safety. Refused:
# - white space and ",": BibTeX ends a key there (bibtex.web, scan2_white(comma, right_brace)); so
#   does biber.
# - " # % ' ( ) = \ { }: biber reads .bib files with btparse (Text::BibTeX), and biber 2.18
#   (Text::BibTeX 0.89) stops with "syntax error: found ..." at each of them in a key (checked
#   one character at a time). btparse's grammar lists what a key may hold (token NAME in
#   btparse/src/bibtex.g, case-blind): [a-z0-9!$&*+\-./:;<>?\[\]^_`|], and since
#   Text::BibTeX 0.46 any byte >= 0x80 ("support entry keys in unicode"); 0.89 also passes
#   @ and ~. In BibTeX itself "%" starts a comment and "#" joins strings.
# - "~": biber 2.18 reads it, but it is LaTeX's active tie: \cite{a~b} writes
#   "a\nobreakspace {}b" to the .aux, an undefined citation under BibTeX and biber alike.
# - control and invisible format characters (zero-width spaces, bidi marks, soft hyphens):
#   the same key would print identically to another, or break the line it is written on.
# Everything else is accepted, each character checked by real pdflatex+bibtex and
# pdflatex+biber+biblatex runs (tests/test_keys_any.py): letters and digits of any script,
# ! $ & * + - . / : ; < > ? @ [ ] ^ _ ` |, so "smith/article", "DoeLR+19", "Müller:2020",
# "..", "a.b-c_d:e" are all keys. The ``[@key]`` syntax (markdown/cite.py) reads pandoc's
# grammar, and ``[@{key}]`` any key.
KEY_FORBIDDEN = "\"#%'(),={}\\~"
"""The printable ASCII characters a citekey may not hold (besides white space)."""
_INVISIBLE = (
    "\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff"
)
KEY_RE = re.compile(rf"[^\s{re.escape(KEY_FORBIDDEN)}{_INVISIBLE}]+")
_BAD_KEY_CHAR = re.compile(rf"[\s{re.escape(KEY_FORBIDDEN)}{_INVISIBLE}]")


class ArxivId(NamedTuple):
    """A valid arXiv id, split into its parts."""

    base: str
    """The id without version: ``2106.09685`` or ``math.GT/0309136``."""
    version: str
    """``v2``, or empty when none was given."""
    year: int
    """The year version 1 appeared (read from the id's YY)."""

    def __str__(self) -> str:
        return self.base + self.version


def parse_arxiv(text: str) -> ArxivId | None:
    """The arXiv id ``text`` is exactly (no prefix, no spaces), or None."""
    m = _ARXIV_NEW.fullmatch(text)
    if m:
        yymm = m["yy"] + m["mm"]
        # New-style ids began in April 2007; four digits until 1412, five since 1501.
        if yymm < "0704" or (len(m["num"]) == 5) != (yymm >= "1501"):
            return None
        return ArxivId(m["base"], m["version"] or "", 2000 + int(m["yy"]))
    m = _ARXIV_OLD.fullmatch(text)
    if m is None:
        return None
    yy = int(m["yy"])
    # Old-style ids ran from August 1991 to March 2007.
    return ArxivId(m["base"], m["version"] or "", 1900 + yy if yy >= 91 else 2000 + yy)


def is_arxiv(text: str) -> bool:
    """Whether ``text`` is exactly an arXiv id, with or without version."""
    return parse_arxiv(text) is not None


def split_arxiv_version(text: str) -> tuple[str, str] | None:
    """``("2106.09685", "v2")`` for an arXiv id (version may be empty), None otherwise."""
    found = parse_arxiv(text)
    return (found.base, found.version) if found else None


def strip_version(text: str) -> str:
    """An arXiv id without its version; any other text unchanged."""
    found = parse_arxiv(text)
    return found.base if found else text


def strip_arxiv_prefix(text: str) -> str:
    """``text`` without white space, an ``arXiv:`` or arxiv.org address prefix, or ``.pdf``."""
    text = text.strip()
    m = _ARXIV_PREFIX.match(text)
    if m is None:
        return text
    rest = text[m.end() :].strip()
    if m.group().lower().endswith("/"):
        rest = rest.removesuffix(".pdf").strip("/")
    return rest


def arxiv_in_text(text: str) -> str | None:
    """The first valid arXiv id free text names (``arXiv:2106.09685``, an arxiv.org address,
    or a 10.48550/arXiv DOI), as written there, or None."""
    for m in _arxiv_in_text().finditer(text):
        found = m.group(1) or _strip_trailing(m.group(2))
        if is_arxiv(found):
            return found
    return None


def arxiv_of_doi(doi: str) -> ArxivId | None:
    """The arXiv id one of arXiv's own DataCite DOIs (``10.48550/arXiv.<id>``) names, or None."""
    m = _ARXIV_DOI.fullmatch(doi)
    return parse_arxiv(m.group(1)) if m else None


def arxiv_problem(text: str) -> str | None:
    """Why ``text`` (prefix already stripped) is no arXiv id, or None when it is one."""
    if is_arxiv(text):
        return None
    if not _arxiv_like().fullmatch(text):
        return "write an arXiv id such as 2106.09685 (new style) or cs/0112017 (old style)"
    split = re.fullmatch(r"(?P<base>.*?)(?:v(?P<version>\d+))?", text)
    base, version = (split["base"], split["version"] or "") if split else (text, "")
    digits = base.rsplit("/", 1)[-1]
    month = digits[2:4]
    if not ("01" <= month <= "12"):
        return f'"{month}" is no month: an arXiv id starts with its year and month, YYMM'
    if version.startswith("0"):
        return "versions start at v1"
    if "/" in base:
        return "an old-style id is archive/YYMMNNN, such as hep-th/9901001 or math.GT/0309136"
    if digits[:4] < "0704":
        return "new-style ids begin in April 2007 (0704); older papers have ids like hep-th/9901001"
    want = 5 if digits[:4] >= "1501" else 4
    return f"an id from {digits[:4]} has {want} digits after the dot"


def strip_doi_prefix(text: str) -> str:
    """``text`` without white space, a surrounding ``<…>`` or a ``doi:`` / doi.org prefix."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    m = _DOI_PREFIX.match(text)
    return text[m.end() :].strip() if m else text


def _strip_trailing(doi: str) -> str:
    # Sentence punctuation after a DOI is not part of it; a closing bracket is, when the DOI
    # opened one: 10.1016/S0140-6736(20)30183-5 keeps its ")", "(see 10.1000/xyz)" loses it.
    while doi and (
        doi[-1] in ".,;:"
        or any(doi[-1] == close and doi.count(close) > doi.count(open_) for open_, close in _PAIRS)
    ):
        doi = doi[:-1]
    return doi


def clean_doi(text: str) -> str | None:
    """The DOI ``text`` holds, prefix and trailing punctuation removed, or None if it is none.

    Case is kept as written (a DOI is shown as its registrant wrote it); compare DOIs with
    :func:`doi_key`.
    """
    doi = _strip_trailing(strip_doi_prefix(text))
    return doi if _DOI.fullmatch(doi) else None


def is_doi(text: str) -> bool:
    """Whether ``text`` is exactly a DOI (no prefix, no trailing punctuation)."""
    return _DOI.fullmatch(text) is not None and _strip_trailing(text) == text


def doi_key(doi: str) -> str:
    """The form two DOIs are compared by: DOIs ignore case (ASCII and beyond)."""
    return doi.strip().casefold()


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot be a citekey (what BibTeX, biber or LaTeX would do with it), or None."""
    if not key:
        return "expected a citekey, got nothing"
    found = _BAD_KEY_CHAR.search(key)
    if found is None:
        return None
    ch = found.group()
    if ch == "," or ch.isspace():
        shown = "white space" if ch.isspace() else '","'
        return (
            f"expected a key without {shown}: BibTeX and biber end a key there, "
            f'and would read "{key[: found.start()]}"'
        )
    if ch == "~":
        return r'expected a key without "~", a space in LaTeX: \cite{' + key + "} finds nothing"
    if ch in KEY_FORBIDDEN:
        shown = " ".join(KEY_FORBIDDEN)
        return f"expected a key without {ch}: biber cannot read {shown} or spaces in a key"
    return f"expected a key without the invisible character U+{ord(ch):04X}"


def suggest_key(key: str) -> str:
    """``key`` without the characters a citekey may not hold (``o'neil2019`` → ``oneil2019``);
    may be empty."""
    return _BAD_KEY_CHAR.sub("", key)
