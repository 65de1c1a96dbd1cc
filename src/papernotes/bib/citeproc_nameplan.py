"""A ``cs:name``'s options read once per style, then each list of names formatted directly.

citeproc-py's ``Name.process`` asks fifteen options of the element on every call (each an
XPath up to the ``cs:bibliography`` and an attribute read), looks up the "et al." term, the
"and" term and its ``cs:name-part`` children, and only then formats the names. None of those
answers change while a compiled style formats with one formatter (HTML or plain): they depend
on the element, the element it is formatted for (``context``), the style's locale and the
formatter. So they are taken once per (context, formatter) and kept in the element, and a
call runs only the loop over the names, the same statements in the same order as
``Name.process``. Initials are made once per given name (``Name.initialize``, as patched by
:mod:`~papernotes.bib.citeproc_names`), in a bounded memo.

Only a tree that :func:`~papernotes.bib.citeproc_speed.memoize` prepared, formatting a
bibliography (no ``sort_options``), takes this path; anything else (sorting, another user of
citeproc-py, an ``and`` value CSL does not define) goes to citeproc-py's ``Name.process``,
found as ``process.__wrapped__``. ``tests/test_bib_citeproc_nameplan.py`` holds the output
equal to citeproc-py's on generated names in every built-in style.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from citeproc import model
from citeproc.source import VariableError
from citeproc.string import String, join

from papernotes.bib.citeproc_speed import ROOT

__all__ = ["TARGETS"]

_COMPILED = "_papernotes_names"
"""What a ``cs:name`` of a memoized tree keeps in its ``__dict__``: its compiled formatters,
by (context, formatter)."""
_COMPILED_LISTS = "_papernotes_name_lists"
"""What a ``cs:names`` of a memoized tree keeps in its ``__dict__``: its compiled
formatters, by (names context, context)."""
_INITIALS_KEPT = 4096
"""How many given names a compiled ``cs:name`` keeps the initials of before starting over."""

Format = Callable[[Any, str], Any]
"""A compiled ``Name.process``: ``(item, variable)`` → the names as text (or a count)."""


def _compile(name: Any, context: Any) -> Format | None:
    """``name.process`` for ``context`` with no sort options, or None where citeproc-py's own
    must answer (an ``and`` or a ``form`` it does not know: it fails only on some lists)."""

    def option(key: str) -> Any:
        return name.get_option(key, context, None)

    and_ = option("and")
    delimiter = option("delimiter")
    precedes_et_al = option("delimiter-precedes-et-al")
    precedes_last = option("delimiter-precedes-last")
    et_al_min = option("et-al-min")
    et_al_use_first = option("et-al-use-first")
    et_al_use_last = option("et-al-use-last")
    initialize_with = option("initialize-with")
    sort_order = option("name-as-sort-order")
    sort_separator = option("sort-separator")
    form = option("form")
    demote_ndp = option("demote-non-dropping-particle")
    if form not in ("long", "short", "count"):
        return None
    if and_ == "text":
        and_term = name.get_single_term(name="and")
    elif and_ == "symbol":
        and_term = name.preformat("&")
    elif and_ is not None:
        return None
    else:
        and_term = None
    et_al = name.et_al()
    parts = tuple(name.findall("cs:name-part", name.nsmap))
    ellipsis = name.unicode_character("horizontal ellipsis")
    # Delimited.join reads the element's own delimiter first, whatever it is given.
    own = name.get("delimiter")
    list_delimiter = delimiter if own is None else own
    last_delimiter = ", " if own is None else own
    et_al_last = et_al_use_last and et_al_use_first <= et_al_min - 2
    initials: dict[str, Any] = {}

    def joined(strings: list[Any], separator: str) -> Any:
        try:
            return join((s for s in strings if s is not None), separator)
        except Exception:  # as Delimited.join: any failure joins to nothing
            return String("")

    def name_parts(given: Any, family: Any) -> tuple[Any, Any]:
        for part in parts:
            given, family = part.format_part(given, family)
        return given, family

    def initialize(given: str) -> Any:
        found = initials.get(given)
        if found is None:
            if len(initials) >= _INITIALS_KEPT:
                initials.clear()
            found = initials[given] = name.initialize(given, initialize_with, context)
        return found

    def process(item: Any, variable: str) -> Any:
        names = item.reference.get(variable, [])
        if form == "count":
            return sum([min(len(names), et_al_use_first)])
        truncate = len(names) > 1 and et_al_min and len(names) >= et_al_min
        if truncate:
            kept = names[:et_al_use_first]
            names = [*kept, names[-1]] if et_al_last else kept
        output: list[Any] = []
        text: Any = None
        for i, person in enumerate(names):
            given, family, dp, ndp, suffix = person.parts()
            if given is not None and initialize_with is not None:
                given = initialize(given)
            if form == "long":
                if sort_order == "all" or (sort_order == "first" and i == 0):
                    if demote_ndp in ("never", "sort-only"):
                        family = " ".join([n for n in (ndp, family) if n])
                        given = " ".join([n for n in (given, dp) if n])
                    else:
                        given = " ".join([n for n in (given, dp, ndp) if n])
                    given, family = name_parts(given, family)
                    text = sort_separator.join([n for n in (family, given, suffix) if n])
                else:
                    family = " ".join([n for n in (dp, ndp, family) if n])
                    given, family = name_parts(given, family)
                    text = " ".join([n for n in (given, family, suffix) if n])
            elif form == "short":
                family = " ".join([n for n in (ndp, family) if n])
                given, family = name_parts(given, family)
                text = family
            output.append(text)
        if truncate and et_al:
            if et_al_last:
                output[-1] = ellipsis + " " + output[-1]
                return joined(output, list_delimiter)
            if precedes_et_al == "always" or (precedes_et_al == "contextual" and len(output) >= 2):
                output.append(et_al)
                return joined(output, list_delimiter)
            return joined(output, list_delimiter) + " " + et_al
        if and_ is not None and len(output) > 1:
            text = joined(output[:-1], last_delimiter)
            if precedes_last == "always" or (precedes_last == "contextual" and len(output) > 2):
                text = joined([text, ""], last_delimiter)
            else:
                text += " "
            return text + f"{and_term} " + output[-1]
        return joined(output, list_delimiter)

    return process


def _process(original: Callable[..., Any]) -> Callable[..., Any]:
    def process(
        self: Any,
        item: Any,
        variable: str,
        context: Any = None,
        sort_options: Any = None,
        **kw: Any,
    ) -> Any:
        found = self.__dict__
        if sort_options is not None or found.get(ROOT) is None:
            return process.__wrapped__(self, item, variable, context, sort_options, **kw)  # type: ignore[attr-defined]
        compiled = found.get(_COMPILED)
        if compiled is None:
            compiled = found[_COMPILED] = {}
        key = (context, self.get_formatter())
        run = compiled.get(key, False)
        if run is False:
            run = compiled[key] = _compile(self, context)
        if run is None:
            return process.__wrapped__(self, item, variable, context, sort_options, **kw)  # type: ignore[attr-defined]
        return run(item, variable)

    process.__wrapped__ = original  # type: ignore[attr-defined]
    return process


def _compile_names(names: Any, names_context: Any, context: Any) -> Format | None:
    """``names.process(item, names_context=..., context=...)`` with no sort options: the
    roles, the ``cs:name`` and ``cs:label`` to use, the delimiter and the substitute found
    once; None where citeproc-py's own must answer (no ``cs:name``: it inserts one into the
    style)."""
    roles = tuple(names.get("variable").split())
    # Editors who are also the translators are printed once, as such (when the locale has
    # the term): asked of each entry, as citeproc-py asks.
    may_merge = set(roles) == {"editor", "translator"}
    name = names_context.name
    if name is None:
        return None
    label = names_context.label
    label_first = label is not None and label is names_context.getchildren()[0]
    try:
        delimiter = names.get("delimiter", names.get_parent_delimiter(context))
    except Exception:  # no cs:bibliography above: citeproc-py fails only when names print
        return None
    substitute = names.substitute()
    render_name = name.render

    def process(item: Any, sort_options: Any) -> Any:
        reference = item.reference
        output = []
        merged: Any = False
        if may_merge:
            try:
                merged = reference.editor == reference.translator and (
                    names.get_term("editortranslator").getchildren()
                )
            except VariableError:
                merged = False
        for role in ("editor",) if merged else roles:
            if role in reference:
                text = render_name(item, role, context=context, **sort_options)
                plural = len(reference[role]) > 1
                if label is not None:
                    try:  # as citeproc-py, which finds a missing cs:label this way
                        if merged:
                            role = "editortranslator"
                        labelled = label.render(item, role, plural, **sort_options)
                        if labelled is not None:
                            text = labelled + text if label_first else text + labelled
                    except AttributeError:
                        pass
                output.append(text)
        if output:
            try:
                total = sum(output)
            except TypeError:
                is_int = False
            else:
                is_int = isinstance(total, int)
            if is_int:
                return str(total) if total > 0 else None
            try:
                return join((s for s in output if s is not None), delimiter)
            except Exception:  # as Delimited.join
                return String("")
        if substitute is not None:
            return substitute.render(item, context=context, **sort_options)
        raise VariableError

    return process


def _names_process(original: Callable[..., Any]) -> Callable[..., Any]:
    def process(
        self: Any, item: Any, names_context: Any = None, context: Any = None, **kw: Any
    ) -> Any:
        found = self.__dict__
        if found.get(ROOT) is None or kw.get("sort_options") is not None or len(kw) > 1:
            return process.__wrapped__(self, item, names_context, context, **kw)  # type: ignore[attr-defined]
        if context is None:
            context = self
        if names_context is None:
            names_context = self
        compiled = found.get(_COMPILED_LISTS)
        if compiled is None:
            compiled = found[_COMPILED_LISTS] = {}
        key = (names_context, context)
        run = compiled.get(key, False)
        if run is False:
            run = compiled[key] = _compile_names(self, names_context, context)
        if run is None:
            return process.__wrapped__(self, item, names_context, context, **kw)  # type: ignore[attr-defined]
        return run(item, kw)

    process.__wrapped__ = original  # type: ignore[attr-defined]
    return process


TARGETS: tuple[tuple[type, str, Callable[[Callable[..., Any]], Callable[..., Any]]], ...] = (
    (model.Name, "process", _process),
    (model.Names, "process", _names_process),
)
"""What :func:`~papernotes.bib.citeproc_speed.install` puts into citeproc-py's classes."""
