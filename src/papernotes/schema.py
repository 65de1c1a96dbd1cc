"""The note format, declared once: every front-matter key, how it is read, what it means.

Validation (:mod:`papernotes.readers` by :class:`Kind`, assembled in :mod:`papernotes.parse`),
the YAML reading (:mod:`papernotes.frontmatter` keeps ``as_written`` kinds as text), the
drafts ``add`` and ``import`` write (:mod:`papernotes.notes.file`, in this order) and the
README's table of keys (:func:`key_table`, between the ``<!-- keys -->`` markers) all come
from :data:`KEYS` (:func:`update_readme`; ``tests/test_schema.py`` checks it and rewrites it
when ``PAPERNOTES_UPDATE_README=1``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

__all__ = [
    "ALIASES",
    "KEYS",
    "README_END",
    "README_START",
    "Key",
    "Kind",
    "by_name",
    "key_table",
    "resolve",
    "update_readme",
]


class Kind(enum.Enum):
    """The type of a key's value, which names the reader that validates it."""

    TEXT = "text"
    AUTHORS = "authors"
    YEAR = "year"
    ARXIV = "arxiv"
    DOI = "doi"
    URL = "url"
    URL_OR_FILE = "url-or-file"
    TAGS = "tags"
    STATUS = "status"
    RATING = "rating"
    DATE = "date"
    CITES = "cites"
    BIBTEX = "bibtex"
    NAMES = "names"

    @property
    def as_written(self) -> bool:
        """Whether values are kept as the text written rather than read as YAML 1.1 (where
        ``0123`` is 83 and ``no`` is False); only numbers and dates want YAML's reading."""
        return self not in (Kind.YEAR, Kind.RATING, Kind.DATE)


class Key(NamedTuple):
    """One front-matter key of the note format."""

    name: str
    """The key as written in a note."""
    attr: str
    """The :class:`papernotes.model.Metadata` field (and ``NoteDraft`` field) it fills."""
    kind: Kind
    """How the value is read and validated."""
    doc: str
    """What it holds, one line of Markdown for the README's table."""
    required: bool = False
    """Whether every note must give it."""
    expected: bool = False
    """Whether a note that leaves the key out is warned about (probably an omission); the key
    written with no value says the paper has none, and is not warned about."""
    aliases: tuple[str, ...] = ()
    """Other tools' spellings of it (lowercase), read as this key with a warning."""
    drafted: bool = False
    """Whether ``add`` and ``import`` write it into the notes they make."""
    bibtex: str = ""
    """Where the value goes in the exported BibTeX entry (Markdown); empty: never exported."""


KEYS: tuple[Key, ...] = (
    Key(
        "id",
        "key",
        Kind.TEXT,
        "The citekey: any key BibTeX and biber read and LaTeX can `\\cite` — letters and "
        "digits of any script and most punctuation (`smith/article`, `DoeLR+19`, "
        "`Müller:2020`, `x&y`), but no space and none of `\" # % ' ( ) , = { } \\ ~`. Defaults "
        "to the file name without `.md`; file name and page address are made from the key, "
        "not the other way round. Unique in the library "
        "**ignoring case** (BibTeX keys are case-insensitive: `Liu2022` and `liu2022` clash).",
        aliases=("citekey", "key", "bibtex_key", "citationkey", "citation-key"),
        drafted=True,
        bibtex="the entry's key",
    ),
    Key(
        "title",
        "title",
        Kind.TEXT,
        "The paper's title in plain Unicode — no LaTeX escapes; papernotes escapes on export. "
        "Left out: a warning. Written with no value (`title:`): the paper has none, the page "
        "shows the id and the export writes no `title`.",
        expected=True,
        drafted=True,
        bibtex="`title`",
    ),
    Key(
        "authors",
        "authors",
        Kind.AUTHORS,
        "A list of names, each `First Last` or `Last, First` (`Last, Jr., First` and particles "
        'such as `van` work too), or one BibTeX-style string `"A and B and C"`. Chinese, '
        "Japanese and Korean names are written as usual (`杨植麟`); an organisation goes in "
        'braces (`"{OpenAI}"`) so it is never split. A last name `others` (or `et al.`) means '
        '"and others": shown as "et al.", exported as BibTeX\'s bare `and others`. Left out: a '
        "warning unless `editors` is given. Written with no value (`authors:`): the work has "
        "none, and none is exported. One string may also separate names with `;` "
        "(Zotero Integration: `Vaswani, Ashish; Shazeer, Noam`), or list whole names with commas "
        "(`Ashish Vaswani, Noam Shazeer`: a list only when every part has two words or more, so "
        "`Du, Yilun` stays one name).",
        expected=True,
        aliases=("author", "creators"),
        drafted=True,
        bibtex="`author`",
    ),
    Key(
        "year",
        "year",
        Kind.YEAR,
        "A whole number: the year of the version you cite. Left out: a warning, unless "
        "`bibtex:` gives a `year` or `date`. Written with no value (`year:`): the paper has "
        'none; it shows "n.d." and is listed after dated papers. A year BibTeX holds as text '
        "(`400 BC`, `forthcoming`) goes in `bibtex: year`, which is shown and exported as written.",
        expected=True,
        aliases=("date",),
        drafted=True,
        bibtex="`year`",
    ),
    Key(
        "editors",
        "editors",
        Kind.AUTHORS,
        "The editors, written like `authors` (an edited volume, proceedings); shown as "
        '"(ed.)"/"(eds.)".',
        aliases=("editor",),
        drafted=True,
        bibtex="`editor`",
    ),
    Key(
        "type",
        "entry_type",
        Kind.TEXT,
        "The BibTeX entry type. Default: `inproceedings` when the venue is a conference or "
        'workshop (NeurIPS, ICML, ICLR, ACL, EMNLP, NAACL, "Findings of …", "Proceedings of '
        '…"), `article` for any other venue, `misc` with no venue. A Zotero item type is '
        "read as its BibTeX type (`conferencePaper` → `inproceedings`, `journalArticle` → "
        "`article`, `bookSection` → `incollection`, `preprint` → `misc`, as Better BibTeX "
        "exports them); a name that is already a BibTeX or biblatex type is kept.",
        aliases=("itemtype", "entrytype"),
        drafted=True,
        bibtex="the entry's type",
    ),
    Key(
        "venue",
        "venue",
        Kind.TEXT,
        "Where it was published, as you want to see it: `NeurIPS 2020`, `ACL 2022`, `JMLR`.",
        aliases=(
            "journal",
            "booktitle",
            "publication",
            "publicationtitle",
            "conference",
        ),
        drafted=True,
        bibtex="`journal`, `booktitle` or `howpublished`, by type",
    ),
    Key(
        "arxiv",
        "arxiv",
        Kind.ARXIV,
        "arXiv id, `2106.09685` or `cs/0112017` (quoted or not: see below). A version suffix "
        "is kept; `arXiv:` and `https://arxiv.org/abs/` prefixes are stripped.",
        aliases=("arxiv_id", "eprint"),
        drafted=True,
        bibtex="`eprint`, with `archivePrefix`",
    ),
    Key(
        "doi",
        "doi",
        Kind.DOI,
        "The DOI, bare or as a `https://doi.org/` link.",
        drafted=True,
        bibtex="`doi`",
    ),
    Key(
        "url",
        "url",
        Kind.URL,
        "The paper's landing page (http or https).",
        aliases=("link",),
        drafted=True,
        bibtex="`url`",
    ),
    Key(
        "pdf",
        "pdf",
        Kind.URL_OR_FILE,
        "A link to the PDF, or the name of a PDF file next to the note (copied into the site). "
        "A `file://` address or a path outside the library is accepted with a warning and "
        "never published.",
        aliases=("url_pdf",),
        drafted=True,
    ),
    Key(
        "code",
        "code",
        Kind.URL,
        "The code repository.",
        aliases=("github", "repo", "url_code"),
    ),
    Key(
        "tags",
        "tags",
        Kind.TAGS,
        "A list of tags; case-insensitive, duplicates dropped, a leading `#` ignored.",
        aliases=("tag", "keywords"),
    ),
    Key(
        "aliases",
        "aliases",
        Kind.NAMES,
        "Other names of the note (Obsidian, Quartz): a list, or one name. `[[name]]` links to "
        "the note by any of them, as by its title; a name two notes share links to neither "
        "and is reported.",
        aliases=("alias",),
    ),
    Key(
        "status",
        "status",
        Kind.STATUS,
        "`to-read`, `reading` or `read` (`true`: read, `false`: to-read).",
        drafted=True,
    ),
    Key("rating", "rating", Kind.RATING, "1 to 5."),
    Key(
        "read",
        "read",
        Kind.DATE,
        "The date you read it, `YYYY-MM-DD`; `true` or `false` (a checkbox) instead sets "
        "`status` to `read` or `to-read` unless `status` is given.",
    ),
    Key(
        "added",
        "added",
        Kind.DATE,
        "The date the paper joined the library, `YYYY-MM-DD`: orders the to-read page.",
    ),
    Key(
        "cites",
        "cites",
        Kind.CITES,
        "Papers this one cites: ids of other notes, or `arXiv:ID` / `doi:DOI` for papers "
        "outside the library. An `arXiv:`/`doi:` entry that matches a note's `arxiv`/`doi` "
        "links to that note.",
        aliases=("citations", "references"),
        drafted=True,
    ),
    Key(
        "abstract",
        "abstract",
        Kind.TEXT,
        "The abstract (shown folded on the paper's page, not exported).",
        aliases=("abstractnote", "desc", "description", "summary"),
        drafted=True,
    ),
    Key(
        "bibtex",
        "bibtex",
        Kind.BIBTEX,
        "Extra BibTeX fields added to, or overriding, the exported entry (`pages`, `publisher`, "
        "`booktitle`, …), plain text like every key; `tex.NAME` passes raw TeX through as NAME.",
        drafted=True,
        bibtex="each field, TeX-escaped (`tex.NAME`: as written)",
    ),
)
"""Every key, in the order the README lists them and drafts write them."""

_BY_NAME: Mapping[str, Key] = MappingProxyType({k.name: k for k in KEYS})

ALIASES: Mapping[str, str] = MappingProxyType({a: k.name for k in KEYS for a in k.aliases})
"""Other tools' spellings (lowercase) → our key."""


def by_name(name: str) -> Key | None:
    """The key called ``name`` (exactly as written), or None for a key papernotes ignores."""
    return _BY_NAME.get(name)


def resolve(name: str) -> Key | None:
    """The key ``name`` stands for: the key itself, or (in any case: ``Author``,
    ``publicationTitle``) another tool's spelling of it; None for a key papernotes ignores."""
    low = name.lower()
    return _BY_NAME.get(name) or _BY_NAME.get(ALIASES.get(low, low))


README_START = (
    "<!-- keys: generated from src/papernotes/schema.py "
    "(PAPERNOTES_UPDATE_README=1 python -m pytest tests/test_schema.py) -->"
)
README_END = "<!-- /keys -->"


def key_table() -> str:
    """The README's table of front-matter keys, one row per key, in :data:`KEYS` order, with
    the other tools' spellings each is read from."""
    rows = [
        "| key | required | what it holds | in BibTeX | also read from |",
        "|---|---|---|---|---|",
    ]
    for k in KEYS:
        required = "yes" if k.required else "no"
        also = ", ".join(f"`{a}`" for a in k.aliases) or "—"
        rows.append(f"| `{k.name}` | {required} | {k.doc} | {k.bibtex or '—'} | {also} |")
    return "\n".join(rows) + "\n"


def update_readme(text: str) -> str:
    """``text`` with the table between the key markers replaced by :func:`key_table`."""
    start = text.index(README_START) + len(README_START)
    end = text.index(README_END, start)
    return f"{text[:start]}\n{key_table()}{text[end:]}"
