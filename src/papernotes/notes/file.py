"""A new note as text, checked by the engine's own parser, and written without overwriting.

``add`` and ``import`` describe a note as a :class:`NoteDraft`; :func:`render_note` turns it
into front matter (keys in the README's order, arXiv ids quoted, the abstract as a folded
block) and a body. :func:`check_note` runs the result through :func:`parse.parse_note`, so a
note papernotes writes always builds without a warning. :func:`write_new` never replaces a
file and never leaves a partial one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt

from papernotes.atomic import create_new
from papernotes.errors import Diagnostic, PapernotesError
from papernotes.markdown.factory import make_parser
from papernotes.model import CiteKey
from papernotes.parse import parse_note
from papernotes.schema import KEYS
from papernotes.urls import fold_name, free_name, is_windows_device

__all__ = [
    "NoteDraft",
    "NoteExists",
    "check_note",
    "dump_front",
    "note_name",
    "relative",
    "render_note",
    "skeleton",
    "write_new",
]

_WIDTH = 96
_SKELETONS = {
    "en": ("Summary", "Problem", "Method", "Results", "Limitations", "Notes to self"),
    "zh": ("一句话", "问题", "方法", "结果", "局限", "笔记"),
}


class NoteExists(PapernotesError):
    """The note's file is already there; nothing was written."""


@dataclass(frozen=True, slots=True)
class NoteDraft:
    """A note to write: its front matter values and its body.

    One field per key of :data:`papernotes.schema.KEYS` that ``add`` and ``import`` fill
    (``drafted``), named as in :class:`papernotes.model.Metadata`; tests/test_schema.py
    holds the three together."""

    key: CiteKey
    """The citekey (front-matter ``id``)."""
    title: str | None
    """Plain-Unicode title; None for a paper that has none (written as ``title:``)."""
    authors: tuple[str, ...]
    """Author names as the note format takes them ("Edward J. Hu", "{OpenAI}"); empty for a
    work with none (written as ``authors:``)."""
    year: int | None = None
    """Year of the version cited; None for a paper with none (written as ``year:``)."""
    editors: tuple[str, ...] = ()
    """Editor names, written like ``authors``."""
    entry_type: str | None = None
    """BibTeX type, when it is not inferred from the venue."""
    venue: str | None = None
    """Journal or conference, as shown."""
    arxiv: str | None = None
    """arXiv id."""
    doi: str | None = None
    """DOI."""
    url: str | None = None
    """Landing page."""
    pdf: str | None = None
    """PDF link."""
    status: str | None = None
    """Reading status ("to-read")."""
    cites: tuple[str, ...] = ()
    """Keys of library notes the paper cites."""
    abstract: str | None = None
    """Abstract, shown folded on the paper's page."""
    bibtex: tuple[tuple[str, str], ...] = ()
    """Raw BibTeX fields for the export, in order."""
    body: str = ""
    """The Markdown body."""


def skeleton(language: str = "en") -> str:
    """The body of a new note: headings to fill in, in the library's language."""
    headings = _SKELETONS["zh" if language.lower().startswith("zh") else "en"]
    return "\n".join(f"## {h}\n" for h in headings)


class _Folded(str):
    """A string written as a folded block scalar (``>-``)."""


class _Quoted(str):
    """A string always written in double quotes (arXiv ids: unquoted, 2101.00190 is a number)."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key ("  - Edward J. Hu"), as the README's notes do.
        super().increase_indent(flow, False)

    def choose_scalar_style(self) -> str:
        # Double quotes where quotes are needed (arxiv: "2106.09685"), as the README writes.
        style: str = super().choose_scalar_style()
        return '"' if style == "'" else style


def _folded(dumper: yaml.SafeDumper, value: _Folded) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=">")


def _quoted(dumper: yaml.SafeDumper, value: _Quoted) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


def _none(dumper: yaml.SafeDumper, _value: None) -> yaml.Node:
    # "year:" rather than "year: null": a key with no value, as a person writes it.
    return dumper.represent_scalar("tag:yaml.org,2002:null", "")


_Dumper.add_representer(_Folded, _folded)
_Dumper.add_representer(type(None), _none)
_Dumper.add_representer(_Quoted, _quoted)


def _yaml_value(name: str, value: Any) -> Any:
    """A draft's value as it is dumped: lists for tuples, arXiv ids quoted, abstracts and long
    BibTeX fields folded."""
    if name == "arxiv":
        return _Quoted(value)
    if name == "abstract":
        return _Folded(value)
    if name == "bibtex":
        return {k: _long(v) for k, v in value}
    return list(value) if isinstance(value, tuple) else value


def _mapping(draft: NoteDraft) -> dict[str, Any]:
    # The schema's keys in its (the README's) order; required and expected ones always (an
    # expected one with no value as "year:", saying the paper has none), others when set.
    data: dict[str, Any] = {}
    for key in KEYS:
        if not key.drafted:
            continue
        value = getattr(draft, key.attr)
        if value or key.required:
            data[key.name] = _yaml_value(key.name, value)
        elif key.expected:
            data[key.name] = None
    return data


def _long(value: str) -> str:
    return _Folded(value) if len(value) > _WIDTH and "\n" not in value else value


def dump_front(data: Mapping[str, Any]) -> str:
    """Front-matter YAML (without the fences) for key → value, in the order given, written as
    drafts are (``migrate`` writes with it too); a ``bibtex`` value is a mapping."""
    values = {k: _yaml_value(k, tuple(v.items()) if k == "bibtex" else v) for k, v in data.items()}
    return _dump(values)


def _dump(values: Mapping[str, Any]) -> str:
    return yaml.dump(
        values,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=_WIDTH,
        default_flow_style=False,
    )


def render_note(draft: NoteDraft) -> str:
    """The note file's text: ``---``, YAML front matter, ``---``, the body."""
    front = _dump(_mapping(draft))
    body = draft.body if draft.body.endswith("\n") or not draft.body else draft.body + "\n"
    return f"---\n{front}---\n\n{body}" if body else f"---\n{front}---\n"


def check_note(path: str, text: str, md: MarkdownIt | None = None) -> tuple[Diagnostic, ...]:
    """What the engine would say about ``text`` as the note at ``path`` (empty when clean)."""
    note, diags = parse_note(path, text, md or make_parser())
    if note is None and not diags:  # pragma: no cover - parse_note always explains a failure
        raise AssertionError(f"{path}: rejected without a diagnostic")
    return diags


def write_new(path: Path, text: str) -> None:
    """Create ``path`` holding ``text``; raises NoteExists if it exists, and writes nothing.

    The text goes to a hidden temporary file first, which is then hard-linked into place:
    linking fails if the name is taken, and a reader never sees half a note.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        create_new(path, text.encode("utf-8"))
    except FileExistsError:
        raise NoteExists(f"{path} already exists; papernotes never overwrites a note") from None


# Characters some file system refuses in a name (Windows: < > : " / \\ | ? *; everywhere: /).
_UNSAFE = frozenset(':/\\<>|?*"')
_NAME_BYTES = 200  # the stem's limit: 255 per name, with room for "-N.md" and temporary names


def note_name(key: str, taken: Collection[str] = ()) -> str:
    """A new note's file name: ``<key>.md`` when that is a portable, free file name.

    The note's ``id:`` always holds the key, so the name only has to be safe and new:
    characters some file system refuses become ``_`` (``smith/article`` → ``smith_article``),
    so do leading dots (``.hidden`` would be hidden, ``..`` a folder), a Windows device name
    (``CON``, ``nul.txt``: the part before the first dot) gets a ``_``, a very long key is cut
    to 200 bytes, and a name in ``taken`` (the names already in the folder, compared as
    case-insensitive file systems do) gets ``-2``, ``-3``: ``a:b`` and ``a/b`` become
    ``a_b.md`` and ``a_b-2.md``.
    """
    return free_name(_portable(key), {fold_name(n) for n in taken}, ext=".md")


def _portable(key: str) -> str:
    name = "".join("_" if ch in _UNSAFE else ch for ch in key)
    dots = len(name) - len(name.lstrip("."))
    name = "_" * dots + name[dots:]
    if is_windows_device(name):
        first, dot, rest = name.partition(".")
        name = f"{first}_{dot}{rest}"
    return name.encode()[:_NAME_BYTES].decode("utf-8", "ignore") or "_"


def taken_names(files: Iterable[str]) -> set[str]:
    """The file names ``files`` as :func:`place_note` compares them (as a case-insensitive file
    system would)."""
    return {fold_name(f) for f in files}


def place_note(key: str, taken: set[str], papers_dir: str) -> tuple[str, str | None]:
    """Where an imported note with id ``key`` goes: its path under ``papers_dir``, named by
    :func:`note_name` apart from ``taken`` (:func:`taken_names`; it learns the new name), and
    why the name differs from ``<key>.md`` (None when it does not)."""
    portable = _portable(key) + ".md"
    name = free_name(_portable(key), taken, ext=".md")  # adds it to taken
    rel = f"{papers_dir}/{name}"
    if name == f"{key}.md":
        return rel, None
    why = "is taken" if portable == f"{key}.md" else "is not a file name on every system"
    if portable not in (name, f"{key}.md"):
        why += f" and '{portable}' is taken"
    return rel, f"written to {rel}: '{key}.md' {why} (the id stays '{key}')"


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with ``/``, for messages and parse_note."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
