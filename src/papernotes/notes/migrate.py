"""``papernotes migrate``: a note another tool wrote, rewritten into the canonical front matter.

Pure: bytes in, the new bytes and every change out. The front matter is read as the build
reads it (:func:`papernotes.frontmatter.split_note`, the schema's aliases, the dialect rules
of :mod:`papernotes.dialects` and :mod:`papernotes.readers`), written as ``import`` writes it
(:func:`papernotes.notes.file.dump_front`, keys in the schema's order), and checked with the
engine's parser: the migrated note must read as the same metadata, with no alias warning and
no error, or it is left as it is. Every byte after the closing fence (the body, its line
endings) and a leading byte-order mark are kept as they are.

Nothing is lost: a key papernotes does not read (Dendron's ``created``, Quartz's ``draft``),
a spelling given beside ours, Dendron's machine id and a ``file://`` PDF outside the library
are kept as YAML comments at the end of the front matter, so that ``--strict`` passes and
uncommenting a line restores it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from markdown_it import MarkdownIt

from papernotes.dialects import ZOTERO_TYPES, machine_id
from papernotes.errors import Diagnostic, Location, Severity
from papernotes.frontmatter import Field, split_note
from papernotes.ids import key_problem, suggest_key
from papernotes.lenient import is_foreign
from papernotes.model import Metadata, Note, Status
from papernotes.notes.file import dump_front
from papernotes.notes.migrate_ref import find_ref
from papernotes.parse import parse_note
from papernotes.readers import Context, read_field, split_names
from papernotes.schema import KEYS, Key, Kind, by_name, resolve

__all__ = ["KEPT_HEADER", "Change", "Migration", "migrate_note"]

KEPT_HEADER = "# kept by papernotes migrate, not read by papernotes (uncomment to restore):"
"""The comment line above the keys migrate keeps as comments."""
_BOM = b"\xef\xbb\xbf"
_EXPECTED = tuple(k.name for k in KEYS if k.expected)
_MISSING = re.compile(r"(?P<key>[a-z]+): missing from the front matter")
_HEADING = re.compile(r"#[ \t]+(?P<title>.+?)(?:[ \t]+#+)?[ \t]*")
# Parse's alias warnings (another spelling read as ours, or ignored beside ours): a migrated
# note must have none.
_ALIAS = re.compile(r"[^:]+: (?:read as|ignored: it means) '")


@dataclass(frozen=True, slots=True)
class Change:
    """One thing migrate changes in a note."""

    where: Location
    """The line of the key (the opening fence for a key added)."""
    message: str
    """What changes, e.g. ``author → authors``."""

    def format(self) -> str:
        """``path:line: message``, the form editors link."""
        return f"{self.where.path}:{self.where.line or 1}: {self.message}"


@dataclass(frozen=True, slots=True)
class Migration:
    """What migrate makes of one note."""

    path: str
    """The note, relative to the library (or vault) root."""
    data: bytes | None
    """The new file's bytes; None when nothing changes or the note is left as it is."""
    changes: tuple[Change, ...]
    """Every change, in the order of the front matter."""
    diagnostics: tuple[Diagnostic, ...]
    """What the migrated note still has (or, when it is left as it is, why)."""
    needs: tuple[str, ...] = ()
    """Expected keys (title, authors, year) it has no value for: what ``--fetch`` fills."""
    ref: str | None = None
    """An arXiv id, DOI or arXiv/DOI link found in the note, for ``--fetch``."""

    @property
    def refused(self) -> bool:
        """Whether the note has errors and is left as it is."""
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


@dataclass(slots=True)
class _Out:
    """The front matter being written (a local working value of :func:`migrate_note`)."""

    path: str
    values: dict[str, Any] = dataclasses.field(default_factory=dict)
    keep_unknown: bool = False
    kept: list[tuple[str, Any]] = dataclasses.field(default_factory=list)
    """Keys written as comments."""
    live: list[tuple[str, Any]] = dataclasses.field(default_factory=list)
    """Unknown keys written as they are (``keep_unknown``)."""
    comments: list[str] = dataclasses.field(default_factory=list)
    """The front matter's own comment lines."""
    changes: list[Change] = dataclasses.field(default_factory=list)
    touched: set[str] = dataclasses.field(default_factory=set)
    """Metadata fields whose value migrate changes on purpose."""

    def change(self, where: Location, message: str) -> None:
        self.changes.append(Change(where, message))

    def keep(self, f: Field, why: str) -> None:
        self.kept.append((f.name, f.value))
        self.change(f.where.key, f"{f.name}: {why}, kept as a comment")


def _split(raw: bytes) -> tuple[bytes, bytes, bytes]:
    """The byte-order mark, the front matter with its fences, and the body, as bytes; the
    fences are found as :func:`split_note` finds them (its caller decides it has one)."""
    bom = _BOM if raw.startswith(_BOM) else b""
    lines = raw[len(bom) :].splitlines(keepends=True)
    first = lines[0].rstrip() if lines else b""
    closing = (b"+++",) if first == b"+++" else (b"---", b"...")
    if first not in (b"---", b"+++"):
        return bom, b"", raw[len(bom) :]
    end = next(i for i in range(1, len(lines)) if lines[i].rstrip() in closing)
    return bom, b"".join(lines[: end + 1]), b"".join(lines[end + 1 :])


def migrate_note(
    path: str,
    raw: bytes,
    text: str,
    md: MarkdownIt,
    *,
    keys: Mapping[str, str] | None = None,
    fill: Mapping[str, Any] | None = None,
    keep_unknown: bool = False,
    path_id: str | None = None,
) -> Migration:
    """``raw`` (the file's bytes; ``text`` as :func:`papernotes.load.decode` reads them) with
    canonical front matter. ``keys`` are the library's own spellings; ``fill`` gives title,
    authors (a list) and year fetched for a note that lacks them; ``keep_unknown`` keeps
    unknown keys as keys (``--strict`` then warns) instead of comments; ``path_id`` is the id
    the library gives the note from its path (:func:`.migrate_ids.path_ids`), written down."""
    keys = keys or {}
    fill = fill or {}
    before, before_diags = parse_note(path, text, md, keys, drafts=True)
    front, split_diags = split_note(path, text, keys)
    fenced = text.split("\n", 1)[0].rstrip() in ("---", "+++")
    if fenced and (front is None or any(d.severity is Severity.ERROR for d in split_diags)):
        return Migration(path, None, (), split_diags)  # not closed, not YAML: fix it first
    out = _Out(path, keep_unknown=keep_unknown)
    fields = front.fields if front is not None else ()
    body_text = front.body if front is not None else text
    if front is None:
        out.change(Location(path, 1), "no front matter: added")
    elif text.startswith("+++"):
        out.change(Location(path, 1), "TOML front matter (+++) → YAML (---)")
    _fields(out, fields, keys)
    if front is not None:
        _comments(out, text.split("\n")[1 : front.body_line - 2])
    missing = {m["key"] for d in before_diags if (m := _MISSING.match(d.message))}
    if front is None:
        missing = set(_EXPECTED)
    _expected(out, missing, body_text, fill)
    _file_name_id(out, path_id)
    needs = tuple(k for k in _EXPECTED if out.values.get(k) in (None, "", []))
    ref = find_ref(fields, body_text) if needs else None
    if not out.changes:
        return Migration(path, None, (), before_diags, needs, ref)
    bom, old_front, body = _split(raw)
    newline = b"\r\n" if old_front.endswith(b"\r\n") else b"\n"
    kept = _kept(out.live, out.kept, out.comments)
    new_front = "---\n" + dump_front(_ordered(out.values)) + kept
    data = bom + (new_front + "---\n").encode("utf-8").replace(b"\n", newline) + body
    return _checked(path, data, out, before, md, keys, needs, ref)


def _fields(out: _Out, fields: Sequence[Field], keys: Mapping[str, str]) -> None:
    chosen: dict[str, Field] = {}
    # Our spelling wins over another tool's, as in parse: sort ours first, stably.
    for f in sorted(fields, key=lambda f: by_name(keys.get(f.name, f.name)) is None):
        spec = _spec(f.name, keys)
        if spec is not None and spec.name not in chosen:
            chosen[spec.name] = f
    values = {f.name: f.value for f in fields}
    for f in fields:
        spec = _spec(f.name, keys)
        if spec is None and (out.keep_unknown or is_foreign(f.name)):
            out.live.append((f.name, f.value))  # as it is: not a change
        elif spec is None:
            out.keep(f, "not a papernotes key")
        elif chosen[spec.name] is not f:
            line = chosen[spec.name].where.key.line
            out.keep(f, f"ignored beside '{chosen[spec.name].name}' (line {line})")
        else:
            told = len(out.changes)
            _value(out, f, spec, values, "status" in chosen)
            if f.name != spec.name and len(out.changes) == told:  # else the change says it
                out.change(f.where.key, f"{f.name} → {spec.name}")


def _spec(name: str, keys: Mapping[str, str]) -> Key | None:
    return by_name(keys[name]) if name in keys else resolve(name)


def _value(out: _Out, f: Field, spec: Key, values: Mapping[str, Any], has_status: bool) -> None:
    """Write ``f``'s value under ``spec``'s name, converted where another tool means it
    otherwise; report each conversion."""
    name, value, at = spec.name, f.value, f.where.key
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.expected:  # "year:" says the paper has none
            out.values[name] = None
        else:
            out.change(at, f"{f.name}: empty, dropped")
        return
    if name == "id" and isinstance(value, str) and (tool := machine_id(value.strip(), values)):
        out.keep(f, f'"{value}" was made by {tool} (the file name is the citekey)')
        return
    if name == "type" and isinstance(value, str) and value.strip().lower() in ZOTERO_TYPES:
        bibtex = ZOTERO_TYPES[value.strip().lower()]
        out.change(at, f"{f.name}: {value} → type: {bibtex}")
        value = bibtex
    elif spec.kind is Kind.AUTHORS and isinstance(value, str):
        names = [n.strip() for n in split_names(value) if n.strip()]
        if len(names) > 1 and (";" in value or "," in value):
            out.change(at, f'{f.name}: "{value}" → {name}: a list of {len(names)} names')
            value = names
    elif spec.kind is Kind.YEAR and f.name.lower() != "year":
        year = read_field(Context(out.path, []), f, Kind.YEAR)
        if year is not None and str(value).strip() != str(year):
            out.kept.append((f.name, value))
            out.change(at, f"{f.name}: {value} → year: {year} (the date kept as a comment)")
            value = year
    elif spec.kind is Kind.TAGS and isinstance(value, str):
        value = list(read_field(Context(out.path, []), f, Kind.TAGS) or ())
        out.change(at, f'{f.name}: "{f.value}" → tags: a list')
    elif spec.kind is Kind.STATUS:
        status = read_field(Context(out.path, []), f, Kind.STATUS)
        if isinstance(status, Status) and status.value != str(value):
            out.change(at, f"status: {value} → status: {status.value}")
            value = status.value
    elif spec.kind is Kind.URL_OR_FILE and isinstance(value, str) and _is_file_url(value):
        out.touched.add(spec.attr)
        out.keep(f, "a file outside the library, never published (copy it next to the note)")
        return
    elif name == "read" and isinstance(value, bool):
        status = Status.READ if value else Status.TO_READ
        if has_status:
            out.change(at, f"read: {str(value).lower()} dropped: status is given")
        else:
            out.change(at, f"read: {str(value).lower()} → status: {status.value}")
            out.values["status"] = status.value
        return
    out.values[name] = value


def _is_file_url(value: str) -> bool:
    return value.strip().lower().startswith("file://")


def _expected(
    out: _Out,
    missing: set[str],
    body: str,
    fill: Mapping[str, Any],
) -> None:
    """Give each expected key a value: fetched (``fill``), the title from the first heading
    or the file name, else written empty (the note then builds under ``--strict``)."""
    at = Location(out.path, 1)
    for name in _EXPECTED:
        empty = name in out.values and out.values[name] in (None, "", [])
        if name not in missing and not empty:
            continue
        if fill.get(name) not in (None, "", [], ()):
            value = fill[name]
            out.values[name] = list(value) if isinstance(value, (list, tuple)) else value
            out.change(at, f"{name}: filled in from {fill.get('source', 'the fetched record')}")
            out.touched.add(name)
        elif name == "title" and not empty:
            title, where = _title(body, out.path)
            out.values["title"] = title
            out.change(at, f"title: added from {where}")
            out.touched.add("title")
        elif not empty:
            out.values[name] = None
            out.change(at, f"{name}: missing, written empty (fill it in, or run with --fetch)")


def _title(body: str, path: str) -> tuple[str, str]:
    in_code = False
    for line in body.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        elif not in_code and (m := _HEADING.fullmatch(line.rstrip())):
            return m["title"], "the first heading"
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem, "the file name"


def _file_name_id(out: _Out, path_id: str | None = None) -> None:
    """An id for a note whose file name is no citekey ("Attention Is All You Need.md"), or
    that other notes' file names give too (``path_id``, see :mod:`.migrate_ids`)."""
    stem = out.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if "id" in out.values:
        return
    if path_id:
        out.values["id"] = path_id
        out.touched.add("key")
        out.change(Location(out.path, 1), f'id: {path_id} added (other notes are "{stem}" too)')
        return
    if not key_problem(stem):
        return
    key = suggest_key(stem)
    if key:
        out.values["id"] = key
        out.touched.add("key")
        out.change(Location(out.path, 1), f'id: {key} added (the file name "{stem}" is no citekey)')


def _ordered(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k.name: values[k.name] for k in KEYS if k.name in values} | {
        k: v for k, v in values.items() if by_name(k) is None
    }


def _comments(out: _Out, lines: Sequence[str]) -> None:
    """Keep the front matter's comment lines, which a dump would lose (not a change by
    itself: a note migrated before keeps what it kept)."""
    out.comments.extend(line.rstrip() for line in lines if line.lstrip().startswith("#"))


def _kept(
    live: Sequence[tuple[str, Any]], kept: Sequence[tuple[str, Any]], comments: Sequence[str]
) -> str:
    """The unknown keys kept as keys, then those kept as comments under :data:`KEPT_HEADER`,
    then the note's own comments."""
    as_is = "".join(_dump_one(name, value) for name, value in live)
    lines = [_dump_one(name, value) for name, value in kept]
    commented = "".join(f"# {line}\n" for text in lines for line in text.splitlines())
    if commented:  # one header, above what this run keeps and what an earlier run kept
        comments = [c for c in comments if c != KEPT_HEADER]
        commented = f"{KEPT_HEADER}\n{commented}"
    return as_is + commented + "".join(f"{c}\n" for c in comments)


def _dump_one(name: str, value: Any) -> str:
    try:
        return yaml.safe_dump({name: value}, allow_unicode=True, sort_keys=False, width=1000)
    except yaml.representer.RepresenterError:  # a TOML time of day
        return yaml.safe_dump({name: str(value)}, allow_unicode=True, width=1000)


def _checked(
    path: str,
    data: bytes,
    out: _Out,
    before: Note | None,
    md: MarkdownIt,
    keys: Mapping[str, str],
    needs: tuple[str, ...] = (),
    ref: str | None = None,
) -> Migration:
    """The migration, once the engine reads the new note as the old one (less what was
    changed on purpose) with no alias warning; else the note is left as it is."""
    changes = tuple(out.changes)
    new_text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    note, diags = parse_note(path, new_text, md, keys, drafts=True)
    problems = [d for d in diags if d.severity is Severity.ERROR or _ALIAS.match(d.message)]
    if note is not None and before is not None:
        old, new = _comparable(before.meta, out.touched), _comparable(note.meta, out.touched)
        for attr in (a for a in old if old[a] != new[a]):
            message = f"{attr}: would read as {new[attr]!r} instead of {old[attr]!r}"
            hint = "a bug in migrate: please report it; the note is left as it is"
            problems.append(Diagnostic(Severity.ERROR, Location(path, 1), message, hint))
    if problems:
        errors = tuple(d._replace(severity=Severity.ERROR) for d in problems)
        return Migration(path, None, changes, errors)
    return Migration(path, data, changes, diags, needs, ref)


def _comparable(meta: Metadata, touched: set[str]) -> dict[str, Any]:
    # A cites: item moves when the front matter is rewritten: compare what it names.
    values = {f.name: getattr(meta, f.name) for f in dataclasses.fields(meta)}
    values["cites"] = tuple(c.target for c in meta.cites)
    return {name: value for name, value in values.items() if name not in touched}
