"""Stage 2: a note's text becomes a validated Note (pure: text in, value and diagnostics out).

Which keys there are, and how each is read, is declared in :mod:`papernotes.schema`; the
readers are in :mod:`papernotes.readers`. This module puts a note together: required keys,
the id (or the file name), unknown keys, and where each key was written.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from markdown_it import MarkdownIt

from papernotes.dialects import ZOTERO_TYPES, alias_message, fold_aliases, machine_id
from papernotes.errors import Diagnostic, Location, Severity
from papernotes.frontmatter import Field, quick_note, split_note
from papernotes.hugo import LAYOUT_TYPES, page_stem, publication_type
from papernotes.ids import KEY_RE, key_problem, suggest_key
from papernotes.lenient import PAGE_KEYS, bare, drop_empty, extra_tags, is_foreign, unpublished
from papernotes.markdown.extract import parse_body
from papernotes.markdown.hugo import unsupported_shortcodes
from papernotes.model import Author, CiteKey, FieldLocations, Metadata, Note, Status
from papernotes.readers import Context, read_field, split_target
from papernotes.schema import KEYS, Key, by_name, resolve

__all__ = [
    "KEY_RE",
    "KNOWN_KEYS",
    "fold_aliases",
    "key_problem",
    "parse_note",
    "parse_notes",
    "split_target",
]

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


KNOWN_KEYS = tuple(k.name for k in KEYS)
KEYS_BY_NAME = {k.name: k for k in KEYS}
_REQUIRED = tuple(k.name for k in KEYS if k.required)
_EXPECTED = tuple(k.name for k in KEYS if k.expected)
# A key left out need not be an omission when another key says the same thing.
_STANDS_IN = {"authors": ("editors",), "year": ()}
_BIBTEX_STANDS_IN = {"year": ("year", "tex.year", "date", "tex.date")}


def _stem(path: str) -> str:
    return page_stem(path)  # a Hugo bundle's index.md is named by its folder


def parse_note(
    path: str,
    text: str,
    md: MarkdownIt,
    keys: Mapping[str, str] | None = None,
    *,
    drafts: bool = False,
) -> tuple[Note | None, tuple[Diagnostic, ...]]:
    """Validate one note's front matter and parse its body. None when the note has errors,
    or is a draft (``draft: true``, ``publish: false``) and ``drafts`` is false.

    ``keys`` maps the library's own spellings to keys (``Config.keys``)."""
    keys = keys or {}
    raw, split_diags = split_note(path, text, keys)
    if raw is None and bare(text):
        raw, split_diags = quick_note(path, text), ()
    if raw is None:
        return None, split_diags
    if not raw.front_matter:  # none, or only comments: a quick note
        split_diags = (*split_diags, _quick_warning(path, raw.fields[0].value))
    if not drafts and (draft := unpublished(raw.fields)) is not None:
        return None, (draft,)
    ctx = Context(path, list(split_diags))
    values: dict[str, Any] = {}
    failed = any(d.severity is Severity.ERROR for d in split_diags)
    chosen = _choose(ctx, raw.fields, keys)
    for name, given in chosen.items():
        spec = KEYS_BY_NAME[name]
        f = drop_empty(given) or given._replace(value=None)
        if f.value is None or (isinstance(f.value, str) and not f.value.strip()):
            # ``url: ""`` (and ``authors: []``) is how templates write a value they do not
            # have: absent.
            if spec.required:
                ctx.err(f, "is empty")
                failed = True
            continue
        if name == "read" and isinstance(f.value, bool):
            # A checkbox (Obsidian, Dataview): read or not yet; an explicit status wins.
            if "status" not in chosen:
                values["status"] = Status.READ if f.value else Status.TO_READ
            continue
        before = len(ctx.diags)
        value = read_field(ctx, f, spec.kind)
        if value is not None:
            values[spec.attr] = value
        # A reader may drop a value with only a warning (a pdf outside the library).
        elif any(d.severity is Severity.ERROR for d in ctx.diags[before:]):
            failed = True
    unreadable = {k.name for n in raw.unreadable if (k := _spec(n, keys)) is not None}
    written = set(chosen) | unreadable
    for name in _REQUIRED:
        if name not in written:
            message = f"{name}: required, but missing from the front matter"
            ctx.diags.append(Diagnostic(Severity.ERROR, Location(path, 1), message))
            failed = True
    if raw.front_matter:  # a quick note's one warning says it all
        _missing_expected(ctx, written, values)
    places = {f.name: f.where for f in raw.fields} | {n: f.where for n, f in chosen.items()}
    locations = FieldLocations.of(path, places)
    _machine_id(ctx, values, raw.fields, chosen.get("id"))
    # The opening "---" stands for an id taken from the file name.
    key_at = locations["id"].key if "id" in locations else Location(path, 1)
    key = values.get("key", _stem(path))
    problem = key_problem(key)
    if problem and "key" not in values and not key_problem(fixed := suggest_key(key)):
        # A vault's file names hold spaces; Obsidian links by them, BibTeX cannot cite them.
        message = f'the file name "{key}" is not a valid id ({problem}): the id is "{fixed}"'
        hint = f"write 'id:' to choose another; [[{key}]] still links here"
        ctx.diags.append(Diagnostic(Severity.WARNING, key_at, message, hint))
        key, problem = fixed, None
        if "title" not in written:  # the file name, as written, names it better than its id
            values["title"] = _stem(path)
    if problem and "id" not in unreadable:
        what = (
            f'id: "{key}"'
            if "key" in values
            else f'the file name "{_stem(path)}" is not a valid id and there is no id'
        )
        fixed = suggest_key(key)
        hint = f"add or fix 'id:'{f', e.g. id: {fixed}' if fixed else ''}; cite it by that key"
        ctx.diags.append(Diagnostic(Severity.ERROR, key_at, f"{what}: {problem}", hint))
        failed = True
    entry_type = values.get("entry_type")
    if entry_type is not None and entry_type.lower() in LAYOUT_TYPES:
        del values["entry_type"]  # Hugo's page layout (type: docs), not the paper's type
        entry_type = None
    if entry_type is None and (hugo_type := publication_type(raw.fields)) is not None:
        values["entry_type"] = hugo_type
    elif entry_type is not None:
        values["entry_type"] = ZOTERO_TYPES.get(entry_type.lower(), entry_type.lower())
        if values["entry_type"] not in ENTRY_TYPES:
            f = chosen["type"]
            from difflib import get_close_matches  # only for a mistake (~2 ms to import)

            close = get_close_matches(values["entry_type"], sorted(ENTRY_TYPES), n=1)
            ctx.warn(
                f,
                f'"{entry_type}" is not a standard BibTeX entry type',
                hint=f"did you mean '{close[0]}'?" if close else None,
            )
    if failed:
        return None, tuple(ctx.diags)
    values["key"] = CiteKey(key)
    meta = Metadata(**_shared(values))
    body = parse_body(md, raw.body)
    for code in unsupported_shortcodes(md, raw.body):
        where = Location(path, raw.body_line + code.line - 1, code.col)
        message = f"Hugo shortcode {code.shown} is not supported: shown as text"
        ctx.diags.append(Diagnostic(Severity.WARNING, where, message))
    # Hugo's categories and inline #tags join the front matter's (as those tools treat them).
    if more := (*extra_tags(raw.fields), *body.tags):
        tags = {t.casefold(): t for t in meta.tags}
        for t in more:
            tags.setdefault(t.casefold(), t)
        meta = dataclasses.replace(meta, tags=tuple(map(sys.intern, tags.values())))
    return Note(path, meta, body, raw.body_line, locations), tuple(ctx.diags)


def _shared(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with the texts that recur from note to note (venues, entry types, tags,
    people's names, cited keys) interned: the build holds every note to its end, and each note
    read its own copies (at 1,000 notes, 0.7 KB a note of the metadata's 1 KB of strings). A
    worker interns the notes it parses, so the notes it sends in one slice share them."""
    for name in ("venue", "entry_type"):
        if type(text := values.get(name)) is str:
            values[name] = sys.intern(text)
    if tags := values.get("tags"):
        values["tags"] = tuple(map(sys.intern, tags))
    for name in ("authors", "editors"):
        if people := values.get(name):
            values[name] = tuple(map(_person, people))
    if cites := values.get("cites"):
        values["cites"] = tuple(dataclasses.replace(c, target=sys.intern(c.target)) for c in cites)
    return values


def _person(who: Author) -> Author:
    if who.others:
        return who
    intern = sys.intern
    return Author(intern(who.family), intern(who.given), intern(who.particle), intern(who.suffix))


def _missing_expected(ctx: Context, written: Collection[str], values: Mapping[str, Any]) -> None:
    """Warn, at the opening ``---``, about each expected key the note leaves out.

    A hand-written note without a title, authors or year has most likely forgotten it; a note
    for a paper that has none writes the key with no value (``year:``), which ``import``
    does, and is not warned about.
    """
    bibtex = {k.lower() for k in values.get("bibtex", {})}
    for name in _EXPECTED:
        if name in written or any(k in written for k in _STANDS_IN.get(name, ())):
            continue
        if bibtex & set(_BIBTEX_STANDS_IN.get(name, ())):
            continue
        message = f"{name}: missing from the front matter (probably an omission)"
        hint = f"write '{name}:' with no value if the paper has none"
        ctx.diags.append(Diagnostic(Severity.WARNING, Location(ctx.path, 1), message, hint))


def _choose(ctx: Context, fields: Sequence[Field], keys: Mapping[str, str]) -> dict[str, Field]:
    """The field each key is read from: the key as we spell it (or as the library's ``keys``
    does), else the first other spelling of it (reported, see :func:`dialects.fold_aliases`);
    unknown keys reported."""
    chosen: dict[str, Field] = {}
    for f in sorted(fields, key=lambda f: by_name(keys.get(f.name, f.name)) is None):
        spec = _spec(f.name, keys)
        if spec is None:
            _unknown_key(ctx, f)
        elif spec.name in chosen:
            first = chosen[spec.name]
            if PAGE_KEYS.get(f.name.casefold()) == spec.name:
                continue  # the page's own date beside the paper's year: no clash

            hint = f"'{first.name}' on line {first.where.key.line} is read; remove one"
            ctx.warn(f, f"ignored: it means '{spec.name}', given already", hint=hint)
        else:
            chosen[spec.name] = f
            if f.name != spec.name and f.name not in keys:
                hint = (
                    f"write '{spec.name}' for a canonical note: --strict fails on other spellings"
                )
                ctx.diags.append(
                    Diagnostic(
                        Severity.WARNING, f.where.key, alias_message(f.name, spec.name), hint
                    )
                )
    return chosen


def _spec(name: str, keys: Mapping[str, str]) -> Key | None:
    return by_name(keys[name]) if name in keys else resolve(name)


def _machine_id(
    ctx: Context, values: dict[str, Any], fields: Sequence[Field], f: Field | None
) -> None:
    """Drop an id another tool generated (Dendron's), so the file name is the citekey."""
    key = values.get("key")
    tool = machine_id(key, {f.name: f.value for f in fields}) if key else None
    if f is not None and key and tool:
        hint = "write the citekey as 'citekey:' (or rename the file) to choose another"
        ctx.warn(f, f'"{key}" was made by {tool}; the file name is the citekey', hint=hint)
        del values["key"]


def _quick_warning(path: str, title: str) -> Diagnostic:
    message = (
        f'no front matter: published as a quick note titled "{title}", with no authors or year'
    )
    hint = "add title, authors and year between '---' lines at the top to cite it"
    return Diagnostic(Severity.WARNING, Location(path, 1), message, hint)


def _unknown_key(ctx: Context, f: Field) -> None:
    if is_foreign(f.name):  # another tool's key, known and read quietly (lenient.FOREIGN_KEYS)
        return
    from difflib import get_close_matches  # only for a mistake (~2 ms to import)

    close = get_close_matches(f.name, KNOWN_KEYS, n=1, cutoff=0.6)
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
    return tuple(notes), tuple(fold_aliases(diags))
