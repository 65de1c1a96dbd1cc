"""Stage 2: a note's text becomes a validated Note (pure: text in, value and diagnostics out)."""

from __future__ import annotations

import datetime as dt
import difflib
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt

from papernotes.bib import export as bib
from papernotes.errors import Diagnostic, Severity, error, warning
from papernotes.frontmatter import Field, date_problem, split_note
from papernotes.markdown.extract import parse_body
from papernotes.model import Author, Citation, CiteKey, Metadata, Note, Status

__all__ = ["KEY_RE", "KNOWN_KEYS", "key_problem", "parse_note", "parse_notes", "split_target"]

# A leading "." is refused: ids name files, and ".", ".." or ".x" are folders or hidden files.
KEY_RE = re.compile(r"[A-Za-z0-9_:\-][A-Za-z0-9_:.\-]*")
_ARXIV_NEW = re.compile(r"\d{4}\.\d{4,5}(v\d+)?")
_ARXIV_OLD = re.compile(r"[a-z][a-z.\-]*(\.[A-Z]{2})?/\d{7}(v\d+)?")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_ARXIV_PREFIXES = ("arxiv:", "https://arxiv.org/abs/", "http://arxiv.org/abs/")
_DOI_PREFIXES = ("doi:", "https://doi.org/", "http://doi.org/", "https://dx.doi.org/")
_BIB_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")

ENTRY_TYPES = frozenset(
    [
        "article",
        "book",
        "booklet",
        "inbook",
        "incollection",
        "inproceedings",
        "conference",
        "manual",
        "mastersthesis",
        "misc",
        "phdthesis",
        "proceedings",
        "techreport",
        "unpublished",
        "online",
        "software",
        "dataset",
        "report",
        "thesis",
        "patent",
    ]
)

# Common spellings from other tools, mapped to our key, so the hint is exact.
_ALIASES = {
    "author": "authors",
    "tag": "tags",
    "citations": "cites",
    "references": "cites",
    "citekey": "id",
    "key": "id",
    "arxiv_id": "arxiv",
    "eprint": "arxiv",
    "journal": "venue",
    "booktitle": "venue",
    "date": "read",
    "link": "url",
    "github": "code",
    "repo": "code",
}


@dataclass(frozen=True, slots=True)
class _Ctx:
    path: str
    diags: list[Diagnostic]

    def err(self, f: Field, message: str, line: int | None = None, hint: str | None = None) -> None:
        self.diags.append(error(self.path, line or f.line, f"{f.name}: {message}", hint))

    def warn(
        self, f: Field, message: str, line: int | None = None, hint: str | None = None
    ) -> None:
        self.diags.append(warning(self.path, line or f.line, f"{f.name}: {message}", hint))


def _text(ctx: _Ctx, f: Field) -> str | None:
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


def _year(ctx: _Ctx, f: Field) -> int | None:
    value = f.value
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 9999:
        ctx.err(f, f"expected a whole number, got {_show(f.value)}", hint="e.g. year: 2021")
        return None
    return value


def _authors(ctx: _Ctx, f: Field) -> tuple[Author, ...] | None:
    value = f.value
    if isinstance(value, str):
        names: list[tuple[str, int]] = [(n, f.line) for n in bib.split_authors(value)]
    elif isinstance(value, list):
        names = []
        for i, item in enumerate(value):
            line = f.item_lines[i] if i < len(f.item_lines) else f.line
            if not isinstance(item, str) or not item.strip():
                ctx.err(f, f"expected a name, got {_show(item)}", line)
                continue
            names.append((item, line))
    else:
        ctx.err(f, f"expected a list of names, got {_show(value)}")
        return None
    if not names:
        ctx.err(f, "no authors given", hint="list at least one name")
        return None
    out: list[Author] = []
    for name, line in names:
        try:
            out.append(bib.parse_person(name.strip()))
        except ValueError as exc:
            ctx.err(f, f'cannot read the name "{name}": {exc}', line)
    return tuple(out) if len(out) == len(names) else None


def _arxiv(ctx: _Ctx, f: Field) -> str | None:
    text = _text(ctx, f)
    if text is None:
        return None
    ident = _strip_prefix(text, _ARXIV_PREFIXES)
    if not (_ARXIV_NEW.fullmatch(ident) or _ARXIV_OLD.fullmatch(ident)):
        ctx.err(f, f'expected an arXiv id such as "2106.09685" or "cs/0112017", got "{text}"')
        return None
    return ident


def _doi(ctx: _Ctx, f: Field) -> str | None:
    text = _text(ctx, f)
    if text is None:
        return None
    ident = _strip_prefix(text, _DOI_PREFIXES)
    if not _DOI.fullmatch(ident):
        ctx.err(f, f'expected a DOI such as "10.18653/v1/2022.acl-long.26", got "{text}"')
        return None
    return ident


def _strip_prefix(text: str, prefixes: Sequence[str]) -> str:
    for prefix in prefixes:
        if text.lower().startswith(prefix):
            return text[len(prefix) :].strip()
    return text


def _link(ctx: _Ctx, f: Field, *, local_ok: bool) -> str | None:
    text = _text(ctx, f)
    if text is None:
        return None
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme in ("http", "https"):
        return text
    if not scheme and local_ok:
        return text
    allowed = "an http(s) URL" + (" or a file next to the note" if local_ok else "")
    ctx.err(f, f'expected {allowed}, got "{text}"')
    return None


def _tags(ctx: _Ctx, f: Field) -> tuple[str, ...] | None:
    value = f.value
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        ctx.err(f, f"expected a list of tags, got {_show(value)}")
        return None
    out: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            line = f.item_lines[i] if i < len(f.item_lines) else f.line
            ctx.err(f, f"expected a tag, got {_show(item)}", line)
            continue
        tag = item.strip().lstrip("#")
        if tag.casefold() not in {t.casefold() for t in out}:
            out.append(tag)
    return tuple(out)


def _status(ctx: _Ctx, f: Field) -> Status | None:
    values = [s.value for s in Status]
    text = str(f.value).strip().lower().replace("_", "-").replace(" ", "-")
    if text in values:
        return Status(text)
    close = difflib.get_close_matches(text, values, n=1)
    hint = f"did you mean '{close[0]}'?" if close else None
    ctx.err(f, f"expected one of {', '.join(values)}, got {_show(f.value)}", hint=hint)
    return None


def _rating(ctx: _Ctx, f: Field) -> int | None:
    value = f.value
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        ctx.err(f, f"expected a whole number from 1 to 5, got {_show(value)}")
        return None
    return value


def _date(ctx: _Ctx, f: Field) -> dt.date | None:
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


def _cites(ctx: _Ctx, f: Field) -> tuple[Citation, ...] | None:
    items = [f.value] if isinstance(f.value, str) else f.value
    if not isinstance(items, list):
        ctx.err(f, f"expected a list of citekeys, got {_show(f.value)}")
        return None
    out: list[Citation] = []
    for i, item in enumerate(items):
        line = f.item_lines[i] if i < len(f.item_lines) else f.line
        text = item.strip() if isinstance(item, str) else ""
        external = split_target(text)
        if (external is not None and external[1]) or (text and KEY_RE.fullmatch(text)):
            out.append(Citation(text, line, in_body=False))
        else:
            hint = "write a note id, arXiv:2106.09685 or doi:10.1000/xyz"
            ctx.err(f, f"expected a citekey, got {_show(item)}", line, hint=hint)
    return tuple(out)


def _raw_bibtex(ctx: _Ctx, f: Field) -> dict[str, str] | None:
    if not isinstance(f.value, dict):
        ctx.err(f, f"expected a mapping of BibTeX field: value, got {_show(f.value)}")
        return None
    out: dict[str, str] = {}
    for name, value in f.value.items():
        if not isinstance(name, str) or not _BIB_FIELD.fullmatch(name):
            ctx.err(f, f"{name!r} is not a BibTeX field name")
            continue
        if not isinstance(value, str):
            ctx.err(f, f"{name}: expected text, got {_show(value)}")
            continue
        problem = bib.check_raw_field(name, value)
        if problem:
            ctx.err(f, f"{name}: {problem}")
            continue
        out[name.lower()] = value
    return out


_Reader = Callable[[_Ctx, Field], Any]

_READERS: dict[str, tuple[str, _Reader]] = {
    "id": ("key", _text),
    "title": ("title", _text),
    "authors": ("authors", _authors),
    "year": ("year", _year),
    "type": ("entry_type", _text),
    "venue": ("venue", _text),
    "arxiv": ("arxiv", _arxiv),
    "doi": ("doi", _doi),
    "url": ("url", lambda c, f: _link(c, f, local_ok=False)),
    "pdf": ("pdf", lambda c, f: _link(c, f, local_ok=True)),
    "code": ("code", lambda c, f: _link(c, f, local_ok=False)),
    "tags": ("tags", _tags),
    "status": ("status", _status),
    "rating": ("rating", _rating),
    "read": ("read", _date),
    "cites": ("cites", _cites),
    "abstract": ("abstract", _text),
    "bibtex": ("bibtex", _raw_bibtex),
}

KNOWN_KEYS = tuple(_READERS)
_REQUIRED = ("title", "authors", "year")


def _stem(path: str) -> str:
    return posixpath.splitext(posixpath.basename(path))[0]


def parse_note(path: str, text: str, md: MarkdownIt) -> tuple[Note | None, tuple[Diagnostic, ...]]:
    """Validate one note's front matter and parse its body. None when the note has errors."""
    raw, split_diags = split_note(path, text)
    if raw is None:
        return None, split_diags
    ctx = _Ctx(path, list(split_diags))
    values: dict[str, Any] = {}
    failed = any(d.severity is Severity.ERROR for d in split_diags)
    for f in raw.fields:
        reader = _READERS.get(f.name)
        if reader is None:
            _unknown_key(ctx, f)
            continue
        if f.value is None:
            if f.name in _REQUIRED:
                ctx.err(f, "is empty")
                failed = True
            continue
        value = reader[1](ctx, f)
        if value is None:
            failed = True
        else:
            values[reader[0]] = value
    for name in _REQUIRED:
        if name not in values and name not in raw.unreadable and name not in raw.names:
            ctx.diags.append(error(path, 1, f"{name}: required, but missing from the front matter"))
            failed = True
    key_field = next((f for f in raw.fields if f.name == "id"), None)
    key_line = key_field.line if key_field else 1
    key = values.get("key", _stem(path))
    problem = key_problem(key)
    if problem and "id" not in raw.unreadable:
        what = (
            f'id: "{key}"'
            if "key" in values
            else f'the file name "{_stem(path)}" is not a valid id and there is no id'
        )
        hint = "ids use letters, digits and _ : . - (e.g. hu2021lora); add or fix 'id:'"
        ctx.diags.append(error(path, key_line, f"{what}: {problem}", hint))
        failed = True
    entry_type = values.get("entry_type")
    if entry_type is not None:
        values["entry_type"] = entry_type.lower()
        if values["entry_type"] not in ENTRY_TYPES:
            f = next(f for f in raw.fields if f.name == "type")
            close = difflib.get_close_matches(values["entry_type"], sorted(ENTRY_TYPES), n=1)
            ctx.warn(
                f,
                f'"{entry_type}" is not a standard BibTeX entry type',
                hint=f"did you mean '{close[0]}'?" if close else None,
            )
    if failed:
        return None, tuple(ctx.diags)
    values["key"] = CiteKey(key)
    meta = Metadata(**values)
    body = parse_body(md, raw.body)
    return Note(path, meta, body, raw.body_line, key_line), tuple(ctx.diags)


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot be a note's id, or None when it can."""
    if KEY_RE.fullmatch(key):
        return None
    if key.startswith(".") and KEY_RE.fullmatch(key.lstrip(".") or "x"):
        return 'an id may not start with ".", which would name a hidden file or a folder'
    return "expected [A-Za-z0-9_:.-]+"


def _unknown_key(ctx: _Ctx, f: Field) -> None:
    alias = _ALIASES.get(f.name.lower()) or (f.name.lower() if f.name.lower() in _READERS else None)
    close = [alias] if alias else difflib.get_close_matches(f.name, KNOWN_KEYS, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else "see the note format in the README"
    ctx.warn(f, "unknown key, ignored", hint=hint)


def parse_notes(
    sources: Sequence[tuple[str, str]], md: MarkdownIt
) -> tuple[tuple[Note, ...], tuple[Diagnostic, ...]]:
    """Parse every note; a note with errors is left out and its problems reported."""
    notes: list[Note] = []
    diags: list[Diagnostic] = []
    for path, text in sources:
        note, d = parse_note(path, text, md)
        diags.extend(d)
        if note is not None:
            notes.append(note)
    return tuple(notes), tuple(diags)
