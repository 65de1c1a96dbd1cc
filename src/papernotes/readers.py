"""How each kind of front-matter value is read: one reader per :class:`schema.Kind`.

A reader takes the :class:`frontmatter.Field` as written and returns the value for
:class:`model.Metadata`, or None after reporting why it cannot (at the key, or at the list
item that is wrong). Readers do no I/O; :func:`parse.parse_note` assembles their results.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple
from urllib.parse import unquote

from papernotes.bib import export as bib
from papernotes.errors import Diagnostic, Location, Severity
from papernotes.frontmatter import Field, date_problem
from papernotes.ids import KEY_RE, arxiv_problem, clean_doi, strip_arxiv_prefix
from papernotes.lenient import status_word, year_in
from papernotes.model import OTHERS, Author, Citation, Status
from papernotes.schema import Kind, resolve

__all__ = ["KEY_RE", "READERS", "Context", "Reader", "read_field", "split_names", "split_target"]

_BIB_FIELD = re.compile(r"(?:[Tt][Ee][Xx]\.)?[A-Za-z][A-Za-z0-9_\-]*")
_DATE_YEAR = re.compile(r"\d{4}-\d\d(?:-\d\d)?(?:[T ].*)?$")
_WINDOWS_PATH = re.compile(r"[A-Za-z]:[\\/]")
_TAG_SPLIT = re.compile(r"\s*,\s*|\s+(?=#)")


def _file_path(rest: str) -> str:
    """The path of a ``file://`` address without its scheme: ``/home/u/x.pdf`` from
    ``file:///home/u/x.pdf``, ``F:\\x.pdf`` from ``file://F:\\x.pdf`` or ``file:///F:/x.pdf``."""
    rest = rest.removeprefix("localhost")
    return rest[1:] if _WINDOWS_PATH.match(rest[1:]) else rest


class Context(NamedTuple):
    """Where the note is, and the diagnostics its readers report."""

    path: str
    """The note file."""
    diags: list[Diagnostic]
    """Appended to by the readers (a local list: parse_note makes one per note)."""

    def err(
        self, f: Field, message: str, at: Location | None = None, hint: str | None = None
    ) -> None:
        """An error about ``f``, at ``at`` (one of its items) or else at its key."""
        where = at or f.where.key
        self.diags.append(Diagnostic(Severity.ERROR, where, f"{f.name}: {message}", hint))

    def warn(
        self, f: Field, message: str, at: Location | None = None, hint: str | None = None
    ) -> None:
        """A warning about ``f``, at ``at`` or else at its key."""
        where = at or f.where.key
        self.diags.append(Diagnostic(Severity.WARNING, where, f"{f.name}: {message}", hint))


def _text(ctx: Context, f: Field) -> str | None:
    if not isinstance(f.value, str):
        ctx.err(f, f"expected text, got {_show(f.value)}")
        return None
    text = f.value.strip()
    if not text:
        ctx.err(f, "is empty")
        return None
    return text


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return f'"{value}"'


def _year(ctx: Context, f: Field) -> int | None:
    value = f.value
    if f.name.lower() != "year":  # another tool's ``date``: a date, or a year
        if isinstance(value, dt.date):
            value = value.year
        elif isinstance(value, str) and _DATE_YEAR.match(value.strip()):
            value = value.strip()[:4]
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, bool) and isinstance(value, int) and 1000 <= value <= 9999:
        return value
    # Other tools write dates and templates here; the year they hold is read, never an error.
    year = None if isinstance(value, (bool, int)) else year_in(value)
    if year is not None:
        ctx.warn(f, f"read as the year {year} from {_show(f.value)}", hint=f"write year: {year}")
        return year
    hint = "e.g. year: 2021; a year written otherwise (400 BC, forthcoming) goes in bibtex: year"
    ctx.warn(f, f"expected a whole number, got {_show(f.value)}: no year read", hint=hint)
    return None


def _comma_list(text: str) -> list[str] | None:
    """The names of ``"Yilun Du, Shuang Li, Joshua B. Tenenbaum"``, or None.

    A comma also separates a family name from the given names (``Du, Yilun``, ``Du, Jr.,
    Yilun``), so the text is read as a list only when every part is a whole name of at least
    two words: ``van der Berg, Jan`` stays one name. A final ``and`` (``A B, and C D``) goes.
    """
    if "," not in text:
        return None
    parts = [p.strip() for p in text.split(",")]
    parts[-1] = parts[-1].removeprefix("and ").strip()
    if any(" and " in f" {p} " for p in parts):  # a BibTeX list: "Du, Yilun and Li, Shuang"
        return None
    if all(len(p.split()) >= 2 for p in parts):
        return parts
    return None


def split_names(text: str) -> list[str]:
    """The names one string of authors holds (``migrate`` writes them as a list)."""
    # Zotero Integration joins names with "; " (or, in its default {{authors}}, ", ");
    # BibTeX with " and ".
    return text.split(";") if ";" in text else (_comma_list(text) or bib.split_authors(text))


def _authors(ctx: Context, f: Field) -> tuple[Author, ...] | None:
    value = f.value
    if isinstance(value, str):
        parts = split_names(value)
        names: list[tuple[str, Location]] = [(n, f.where.key) for n in parts if n.strip()]
    elif isinstance(value, list):
        names = []
        for i, item in enumerate(value):
            at = f.item(i)
            if not isinstance(item, str) or not item.strip():
                ctx.err(f, f"expected a name, got {_show(item)}", at)
                continue
            names.append((item, at))
    else:
        ctx.err(f, f"expected a list of names, got {_show(value)}")
        return None
    if not names:
        hint = f"list at least one name, or write '{f.name}:' with no value for a work with none"
        ctx.err(f, f"no {f.name} given", hint=hint)
        return None
    out: list[Author] = []
    for i, (name, at) in enumerate(names):
        if bib.is_others(name):
            # "and others": BibTeX's "et al.", meaningful only after a name, at the end.
            if i == len(names) - 1 and i > 0:
                out.append(OTHERS)
            else:
                where = "first" if i == 0 else "before the last"
                hint = "'others' (or 'et al.') may only end the list, after at least one name"
                ctx.err(f, f'"{name.strip()}" means "and others" and cannot come {where}', at, hint)
            continue
        try:
            out.append(bib.parse_person(name.strip()))
        except ValueError as exc:
            ctx.err(f, f'cannot read the name "{name}": {exc}', at)
    return tuple(out) if len(out) == len(names) else None


def _arxiv(ctx: Context, f: Field) -> str | None:
    text = _text(ctx, f)
    if text is None:
        return None
    ident = strip_arxiv_prefix(text)
    problem = arxiv_problem(ident)
    if problem is not None:
        expected = 'expected an arXiv id such as "2106.09685" or "cs/0112017"'
        ctx.err(f, f'{expected}, got "{text}"', hint=problem)
        return None
    return ident


def _doi(ctx: Context, f: Field) -> str | None:
    text = _text(ctx, f)
    if text is None:
        return None
    ident = clean_doi(text)
    if ident is None:
        ctx.err(f, f'expected a DOI such as "10.18653/v1/2022.acl-long.26", got "{text}"')
        return None
    return ident


def _link(ctx: Context, f: Field, *, local_ok: bool) -> str | None:
    text = _text(ctx, f)
    if text is None:
        return None
    if local_ok and text.lower().startswith("file://"):
        text = _file_path(unquote(text[len("file://") :]))
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme in ("http", "https"):
        return text
    if local_ok and _WINDOWS_PATH.match(text):
        # A file in Zotero's storage on Windows: outside the library, so never published;
        # kept it would read as a link. (A POSIX path is kept: link warns it is outside.)
        hint = "copy the PDF next to the note and write its name"
        ctx.warn(f, f'"{text}" is outside the library and is not published', hint=hint)
        return None
    if not scheme and local_ok:
        return text
    allowed = "an http(s) URL" + (" or a file next to the note" if local_ok else "")
    ctx.err(f, f'expected {allowed}, got "{text}"')
    return None


def _tags(ctx: Context, f: Field) -> tuple[str, ...] | None:
    value = f.value
    # One string holds one tag, or several as "a, b" or "#a #b" (Obsidian, Zotero).
    items = _TAG_SPLIT.split(value.strip()) if isinstance(value, str) else value
    if not isinstance(items, list):
        ctx.err(f, f"expected a list of tags, got {_show(value)}")
        return None
    out: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            ctx.err(f, f"expected a tag, got {_show(item)}", f.item(i))
            continue
        tag = item.strip().lstrip("#")
        if tag.casefold() not in {t.casefold() for t in out}:
            out.append(tag)
    return tuple(out)


def _names(ctx: Context, f: Field) -> tuple[str, ...] | None:
    # One string is one name: an alias may well hold a comma ("Attention, revisited").
    items = [f.value] if isinstance(f.value, str) else f.value
    if not isinstance(items, list):
        ctx.err(f, f"expected a list of names, got {_show(f.value)}")
        return None
    out: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            ctx.err(f, f"expected a name, got {_show(item)}", f.item(i))
            return None
        out.append(" ".join(item.split()))
    return tuple(dict.fromkeys(out))


def _status(ctx: Context, f: Field) -> Status | None:
    word = status_word(f.value)
    if word is not None:
        return Status(word)
    # Other tools' own states (emoji, Hugo Blox's ``icon:`` mapping) are theirs: ignored.
    values = ", ".join(s.value for s in Status)
    hint = f"write one of {values} (done, doing and todo are read too)"
    ctx.warn(f, f"{_show(f.value)} is not a reading status: ignored", hint=hint)
    return None


def _rating(ctx: Context, f: Field) -> int | None:
    value = f.value
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        ctx.err(f, f"expected a whole number from 1 to 5, got {_show(value)}")
        return None
    return value


def _date(ctx: Context, f: Field) -> dt.date | None:
    value = f.value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            problem = date_problem(value)
            if problem:
                ctx.err(f, f"{value.strip()} is not a real date ({problem}); write YYYY-MM-DD")
                return None
    ctx.err(f, f"expected a date such as 2024-03-01, got {_show(value)}")
    return None


def split_target(target: str) -> tuple[str, str] | None:
    """``("arxiv", id)`` or ``("doi", doi)`` for an external reference, None for a citekey."""
    low = target.lower()
    if low.startswith("arxiv:"):
        return "arxiv", target[6:].strip()
    if low.startswith("doi:"):
        return "doi", target[4:].strip()
    return None


def _cites(ctx: Context, f: Field) -> tuple[Citation, ...] | None:
    items = [f.value] if isinstance(f.value, str) else f.value
    if not isinstance(items, list):
        ctx.err(f, f"expected a list of citekeys, got {_show(f.value)}")
        return None
    out: list[Citation] = []
    for i, item in enumerate(items):
        at = f.item(i)
        text = item.strip() if isinstance(item, str) else ""
        external = split_target(text)
        if (external is not None and external[1]) or (text and KEY_RE.fullmatch(text)):
            out.append(Citation(text, at.line or 1, in_body=False, col=at.col))
        else:
            hint = "write a note id, arXiv:2106.09685 or doi:10.1000/xyz"
            ctx.err(f, f"expected a citekey, got {_show(item)}", at, hint=hint)
    return tuple(out)


def _raw_bibtex(ctx: Context, f: Field) -> dict[str, str] | None:
    if not isinstance(f.value, dict):
        ctx.err(f, f"expected a mapping of BibTeX field: value, got {_show(f.value)}")
        return None
    out: dict[str, str] = {}
    for i, (name, value) in enumerate(f.value.items()):
        at = f.item(i)  # the sub-key's own line and column
        if not isinstance(name, str) or not _BIB_FIELD.fullmatch(name):
            ctx.err(f, f"{name!r} is not a BibTeX field name", at)
            continue
        if not isinstance(value, str):
            ctx.err(f, f"{name}: expected text, got {_show(value)}", at)
            continue
        problem = bib.check_raw_field(name, value)
        if problem:
            ctx.err(f, f"{name}: {problem}", at)
            continue
        key = name.lower()
        field, raw = (key[4:], True) if key.startswith("tex.") else (key, False)
        twin = field if raw else f"tex.{field}"
        if twin in out:
            ctx.err(f, f"{name}: {field} is given both as text and as tex.{field}", at)
            continue
        tex = None if raw else bib.looks_like_tex(value)
        if tex:
            hint = f"write 'tex.{name}:' to pass TeX through as it is, or write plain Unicode"
            ctx.warn(f, f"{name}: {tex!r} looks like TeX but is exported as plain text", at, hint)
        out[key] = value
    return out


Reader = Callable[[Context, Field], Any]
"""Reads one field's value, or reports why it cannot and returns None."""

READERS: Mapping[Kind, Reader] = MappingProxyType(
    {
        Kind.TEXT: _text,
        Kind.AUTHORS: _authors,
        Kind.YEAR: _year,
        Kind.ARXIV: _arxiv,
        Kind.DOI: _doi,
        Kind.URL: lambda c, f: _link(c, f, local_ok=False),
        Kind.URL_OR_FILE: lambda c, f: _link(c, f, local_ok=True),
        Kind.TAGS: _tags,
        Kind.STATUS: _status,
        Kind.RATING: _rating,
        Kind.DATE: _date,
        Kind.CITES: _cites,
        Kind.BIBTEX: _raw_bibtex,
        Kind.NAMES: _names,
    }
)
"""The reader of each kind of value; every kind has one (tests/test_schema.py)."""


def read_field(ctx: Context, f: Field, kind: Kind | None = None) -> Any:
    """The value of ``f``, a known key or another tool's spelling of one (else give its
    ``kind``), or None after reporting why it cannot be read."""
    key = resolve(f.name)
    kind = kind or (key.kind if key else None)
    assert kind is not None, f.name
    return READERS[kind](ctx, f)
