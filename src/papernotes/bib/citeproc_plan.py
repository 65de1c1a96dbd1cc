"""A style's bibliography layout compiled once into Python closures, then run for each entry.

citeproc-py renders an entry by calling ``render`` on each element of the layout, which calls
``process`` and then ``markup``, each a method found through the element's classes, with the
arguments packed into dicts and unpacked again; :mod:`papernotes.bib.citeproc_walk` made each
of those steps cheaper, but the steps remain: a few hundred calls per entry and style, most of
them on a ``cs:choose``, ``cs:if``, ``cs:group``, ``cs:text`` or ``cs:macro`` that prints
nothing of its own. Here each such element is turned, once per compiled style, into a closure
that holds what it will ask (its children's closures, a branch's tests, its delimiter, whether
its markup changes nothing) and does what citeproc-py's methods do, in the same order; every
other element (names, dates, numbers, labels, ``cs:if`` with tests other than type and
variable) is rendered by its own ``render``, called with the very arguments citeproc-py would
pass it (a ``cs:names``, ``cs:name`` and ``cs:date`` then runs what
:mod:`~papernotes.bib.citeproc_nameplan` and :mod:`~papernotes.bib.citeproc_dateplan` compiled
of it). What is printed stays the same, byte for byte (``tests/test_bib_citeproc_plan.py``
holds it against citeproc-py as it is, on varied entries in many styles).

A closure takes ``(item, context)`` and gives the element's text (or None), raising
VariableError and ConditionFailed where citeproc-py does. Only ``Layout.render_bibliography``
runs them, on a tree with a memo (:func:`~papernotes.bib.citeproc_speed.memoize`); sorting
(``sort_options``) and citations go through citeproc-py's methods as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from citeproc import model
from citeproc.source import VariableError
from citeproc.string import String, join

from papernotes.bib.citeproc_speed import ATTRIBUTES, MISSING, ROOT
from papernotes.bib.citeproc_walk import (
    _FONT,
    _MACRO,
    _PLAIN_TYPES,
    _TEXT_KINDS,
    _calls_variable,
    _if_spec,
    _passes,
    _Reference,
    _Spec,
    plain_markup,
)

__all__ = ["TARGETS", "plan_of"]

Render = Callable[[Any, Any], Any]
"""An element compiled: ``(item, context)`` → its text or None (raises as citeproc-py does)."""

_PLAN = "_papernotes_plan"
"""What a ``cs:layout`` or ``cs:macro`` of a memoized tree keeps in its ``__dict__``: its
children compiled (kept alive with the tree, as its root is)."""


def plan_of(parent: Any, in_macro: bool) -> Render:
    """``parent``'s children compiled, rendered as ``Parent.render_children`` renders them
    with no delimiter (a ``cs:layout``'s or a ``cs:macro``'s), kept in the element."""
    found = parent.__dict__
    plan: Render | None = found.get(_PLAN)
    if plan is None:
        plan = found[_PLAN] = _children(parent, in_macro, "")
    return plan


def _generic(element: Any, in_macro: bool) -> Render:
    # As Parent.render_children and Group.process call a child that is not a cs:choose: the
    # context by keyword, and inside a macro also the sort options it was given (None).
    render = element.render
    if in_macro:
        return lambda item, context: render(item, context=context, sort_options=None)
    return lambda item, context: render(item, context=context)


def _child(element: Any, in_macro: bool, delimiter: str) -> Render:
    """One child compiled; ``delimiter``: what a ``cs:choose`` child is given (its parent's)."""
    if element.__dict__.get(ROOT) is None:
        return _generic(element, in_macro)
    kind = type(element)
    if kind is model.Choose:
        return _choose(element, in_macro, delimiter)
    if kind is model.Group:
        return _group(element, in_macro)
    if kind is model.Text:
        return _text(element, in_macro)
    if kind is model.Names:
        return _names(element, in_macro)
    return _generic(element, in_macro)


def _plain(attributes: dict[str, str]) -> bool:
    """Whether ``wrap(format(text))`` gives a plain text back as it came: no font attributes,
    no prefix, no suffix."""
    return _FONT.isdisjoint(attributes) and not (
        attributes.get("prefix") or attributes.get("suffix")
    )


def _names(element: Any, in_macro: bool) -> Render:
    """``Names.render``: citeproc-py's own ``process`` (names, labels, substitutes), then the
    markup, which for most changes nothing."""
    process = element.process
    markup = element.markup
    plain = _plain(element.__dict__[ATTRIBUTES])

    def render(item: Any, context: Any) -> Any:
        if in_macro:
            text = process(item, context=context, sort_options=None)
        else:
            text = process(item, context=context)
        if not text:
            return None
        if plain and type(text) in _PLAIN_TYPES:
            return text
        return markup(text)

    return render


def _children(parent: Any, in_macro: bool, delimiter: str) -> Render:
    """``Parent.render_children(item, delimiter=delimiter, context=...)`` compiled."""
    kids = tuple(_child(c, in_macro, delimiter) for c in parent.iterchildren())

    def render(item: Any, context: Any) -> Any:
        output = []
        for kid in kids:
            try:
                text = kid(item, context)
            except VariableError:
                continue
            if text is not None:
                output.append(text)
        if not output:
            return None
        # citeproc-py's join gives a lone piece back as it is: no seam to look at.
        return output[0] if len(output) == 1 else join(output, delimiter)

    return render


def _choose(element: Any, in_macro: bool, delimiter: str) -> Render:
    """``Choose.render``: the first branch whose tests pass renders its children (joined
    with the delimiter of the element above the choose); None when none passes."""
    branches: list[tuple[Any, Render]] = []
    for child in element.getchildren():
        spec = _if_spec(child) if isinstance(child, model.If) else ()
        if spec:
            branches.append((spec, _children(child, in_macro, delimiter)))
        elif type(child) is model.Else and child.__dict__.get(ROOT) is not None:
            branches.append(((), _children(child, in_macro, delimiter)))
        else:
            branches.append((None, _branch(child, in_macro, delimiter)))

    steps = tuple((_test(spec) if spec else None, children) for spec, children in branches)

    def render(item: Any, context: Any) -> Any:
        for test, children in steps:
            try:
                if test is None or test(item):
                    return children(item, context)
            except model.ConditionFailed:  # from a branch left to citeproc-py, as it does
                continue
        return None

    return render


def _test(spec: _Spec) -> Callable[[Any], bool]:
    """A ``cs:if``'s type and variable tests (:func:`~papernotes.bib.citeproc_walk._if_spec`)
    as one function of the item, answering as :func:`~papernotes.bib.citeproc_walk._passes`
    does: the type read first (only reading it can raise), then the tests in order."""
    types, variables, match = spec
    if "locator" in variables:
        return lambda item: _passes(spec, item)
    if match == "any" or match == "none":
        wanted = match == "any"

        def any_or_none(item: Any) -> bool:
            reference = item.reference
            if types and reference.type in types:
                return wanted
            for variable in variables:
                if variable in reference:
                    return wanted
            return not wanted

        return any_or_none

    def every(item: Any) -> bool:
        reference = item.reference
        if types:
            kind = reference.type
            for t in types:
                if t != kind:
                    return False
        # A loop, not all() over a generator: this runs a hundred thousand times a build.
        for variable in variables:  # noqa: SIM110
            if variable not in reference:
                return False
        return True

    return every


def _branch(element: Any, in_macro: bool, delimiter: str) -> Render:
    # A branch left to citeproc-py (a cs:if with a position or locator test, say): its render
    # raises ConditionFailed when it does not apply.
    render = element.render
    if in_macro:
        return lambda item, context: render(
            item, context=context, delimiter=delimiter, sort_options=None
        )
    return lambda item, context: render(item, context=context, delimiter=delimiter)


def _group(element: Any, in_macro: bool) -> Render:
    """``Group.render``: the children, left out (VariableError) when some call a variable and
    none that does printed anything; then the group's markup (none, often)."""
    found = element.__dict__
    delimiter = found[ATTRIBUTES].get("delimiter", "")
    kids = tuple((_child(c, in_macro, delimiter), c) for c in element.iterchildren())
    plain = _plain(found[ATTRIBUTES])
    markup = element.markup
    group_join = element.join

    def render(item: Any, context: Any) -> Any:
        output = []
        called = False
        rendered = False
        for kid, child in kids:
            # Asked only until one child calls a variable, as citeproc-py asks.
            called = called or _calls_variable(child)
            try:
                text = kid(item, context)
            except VariableError:
                continue
            if text is not None:
                output.append(text)
                rendered = rendered or _calls_variable(child)
        if not output or (called and not rendered):
            raise VariableError
        text = output[0] if len(output) == 1 else group_join(output)
        if not text:
            return None
        if plain and type(text) in _PLAIN_TYPES:
            return text
        return markup(text)

    return render


def _text(element: Any, in_macro: bool) -> Render:
    """``Text.render``: what it prints (a variable, a macro, a term or a value), then its
    markup, which for most changes nothing."""
    found = element.__dict__
    attributes = found[ATTRIBUTES]
    kind = next((k for k in _TEXT_KINDS if k in attributes), "")
    if not kind:
        return _generic(element, in_macro)
    default = str(found[ROOT].get("default-locale", "en"))[:2]
    markup = element.markup
    variable = element._variable
    term = element._term
    # Text._variable's usual case read directly: a variable printed as it is in the entry,
    # unless the layout represses it (a names substitute printed it already).
    name = str(attributes.get("variable", ""))
    field = name.replace("-", "_")
    tag = element.tag
    plain_variable = (
        kind == "variable"
        and attributes.get("form") != "short"
        and not name.startswith("page")
        and name not in ("citation-number", "locator")
    )

    # Found on first use, as citeproc-py would find them then: the macro's plan and whether
    # the markup changes nothing (it reads the locale).
    macro_plan: Render | None = None
    plain: bool | None = None

    def render(item: Any, context: Any) -> Any:
        nonlocal macro_plan, plain
        reference = item.reference
        if not isinstance(reference, _Reference):
            return element.render(item, context=context)
        if context is None:
            context = element
        language: Any = dict.get(reference, "language", MISSING)
        language = default if language is MISSING else language[:2]
        if plain_variable:
            repressed = context.get_layout().repressed
            text = None if tag in repressed and name in repressed[tag] else reference[field]
        elif kind == "variable":
            text = variable(item, context)
        elif kind == "macro":
            if macro_plan is None:
                macro = found.get(_MACRO)
                if macro is None:
                    macro = found[_MACRO] = element.get_macro(attributes.get("macro"))
                macro_plan = plan_of(macro, True)
            text = macro_plan(item, context)
        elif kind == "term":
            text = term(item)
        else:
            text = String(element.preformat(attributes.get("value")))
        if not text:
            return None
        if plain is None:
            plain = plain_markup(element)
        if plain and type(text) in _PLAIN_TYPES:
            return text
        return markup(text, language)

    return render


def _render_bibliography(original: Callable[..., Any]) -> Callable[..., Any]:
    # Layout.render_bibliography, with the layout's children compiled once.
    def render_bibliography(self: Any, citation_items: Any) -> Any:
        if self.__dict__.get(ROOT) is None:
            return original(self, citation_items)
        children = plan_of(self, False)
        output_items = []
        for item in citation_items:
            self.repressed = {}
            text = self.format(self.wrap(children(item, None)))
            if text is not None:
                output_items.append(text)
        return output_items

    render_bibliography.__wrapped__ = original  # type: ignore[attr-defined]
    return render_bibliography


TARGETS: tuple[tuple[type, str, Callable[[Callable[..., Any]], Callable[..., Any]]], ...] = (
    (model.Layout, "render_bibliography", _render_bibliography),
)
"""What :func:`~papernotes.bib.citeproc_speed.install` puts into citeproc-py's classes."""
