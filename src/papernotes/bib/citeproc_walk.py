"""citeproc-py's walk over a style for one entry, and the entry's own objects, made cheaper
(the look-ups the walk makes are kept in :mod:`papernotes.bib.citeproc_speed`).

For each entry citeproc-py renders every ``cs:choose`` by asking each branch to render and
catching the exception of each that fails; a ``cs:text`` finds out its kind and the entry's
language (an exception again when it has none) anew; every element lists its children through
lxml; every formatted piece takes five steps to learn that it has no font attributes; and each
of its half a million reads of the entry's reference goes through two properties, three dict
look-ups and a caught KeyError. Here each of those is answered once per element, or read
directly; what is printed stays the same, byte for byte (``tests/test_bib_citeproc_speed.py``
holds it against citeproc-py as it is). Each replacement falls back to citeproc-py's own
method for a tree without a memo (:func:`~papernotes.bib.citeproc_speed.memoize`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from citeproc import Citation, CitationItem, CitationStylesBibliography, model
from citeproc.source import Reference, VariableError
from citeproc.source.json import CiteProcJSON
from citeproc.string import MixedString, String, join

from papernotes.bib.citeproc_speed import ATTRIBUTES, MISSING, ROOT

__all__ = ["TARGETS", "bibliography", "plain_markup", "source"]

_Spec = tuple[tuple[str, ...], tuple[str, ...], str | None]
"""A ``cs:if``'s types, variables and ``match`` (:func:`_if_spec`)."""


_FONT = frozenset(
    ("font-style", "font-variant", "font-weight", "text-decoration", "vertical-align")
)
"""The attributes ``Formatted.format`` reads: with none of them it changes nothing."""


def _format(original: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    # Most elements have no font attributes, and then the five steps (each asking for the
    # formatter) give back what they were given. Read each time: citeproc-py copies a style's
    # date-part attributes into the locale's date-parts as it formats.
    def format(self: Any, string: Any) -> Any:
        if self.__dict__.get(ROOT) is None or not _FONT.isdisjoint(self.keys()):
            return original(self, string)
        return str(string) if isinstance(string, int | float) else string

    format.__wrapped__ = original  # type: ignore[attr-defined]
    return format


def _wrap(original: Callable[..., Any]) -> Callable[..., Any]:
    # Affixed.wrap with neither prefix nor suffix gives back what it was given (after turning
    # it into str twice to look at the seams, which for a MixedString joins all its parts).
    # Other types (an int, a subclass) are left to it: '' + 5 raises.
    def wrap(self: Any, string: Any) -> Any:
        attributes = self.__dict__.get(ATTRIBUTES)
        if (
            attributes is None
            or type(string) not in _PLAIN_TYPES
            or attributes.get("prefix")
            or attributes.get("suffix")
        ):
            return original(self, string)
        return string

    wrap.__wrapped__ = original  # type: ignore[attr-defined]
    return wrap


_PLAIN_TYPES = (str, String, MixedString)
"""What ``'' + x + ''`` gives back unchanged (``String`` and ``MixedString`` by their own
``__radd__``/``__add__``, which discard an empty string)."""


_MARKUP = frozenset(("strip-periods", "text-case", "quotes", "prefix", "suffix")) | _FONT
"""The attributes ``Text.markup`` acts on: with none of them it changes nothing."""


def _text_markup(original: Callable[..., Any]) -> Callable[..., Any]:
    # cs:text's markup (strip periods, case, font, quotes, affixes) on a cs:text with none of
    # those attributes: the text as it came, an int or float as str (``format``). Only when
    # the locale's punctuation-in-quote option is text: citeproc-py reads it (and calls
    # .lower() on it) whether it quotes or not.
    def markup(self: Any, text: Any, language: Any) -> Any:
        found = self.__dict__
        if not text or found.get(ROOT) is None:
            return original(self, text, language)
        if not plain_markup(self):
            return original(self, text, language)
        out = str(text) if isinstance(text, int | float) else text
        return out if type(out) in _PLAIN_TYPES else original(self, text, language)

    markup.__wrapped__ = original  # type: ignore[attr-defined]
    return markup


def plain_markup(element: Any) -> bool:
    """Whether a ``cs:text``'s markup (of a memoized tree) gives back a plain text as it came,
    kept in the element: none of the attributes it acts on, and the locale's
    punctuation-in-quote option is text (citeproc-py reads it, quoting or not)."""
    found = element.__dict__
    plain: bool | None = found.get(_PLAIN)
    if plain is None:
        option = element.get_locale_option("punctuation-in-quote")
        plain = found[_PLAIN] = isinstance(option, str) and _MARKUP.isdisjoint(found[ATTRIBUTES])
    return plain


_CHILDREN = "_papernotes_children"
_BRANCHES = "_papernotes_branches"
_TEXT = "_papernotes_text"
_PLAIN = "_papernotes_plain_markup"
_CALLS = "_papernotes_calls_variable"
_MACRO = "_papernotes_macro"
"""What an element of a memoized tree keeps in its own ``__dict__`` (kept alive with the
tree, as its root is: :func:`~papernotes.bib.citeproc_speed.memoize`): its children, a
``cs:choose``'s branches with their tests, a ``cs:text``'s kind, the style's default
language, whether its markup changes nothing and the macro it calls, and whether an element
calls a variable. One dict look-up each, where a key into the tree's memo is a tuple built
per call."""

_OTHER_TESTS = frozenset(("is-numeric", "is-uncertain-date", "locator", "position"))
"""``cs:if`` tests left to citeproc-py as it is (rare in bibliographies)."""


def _passes(spec: tuple[tuple[str, ...], tuple[str, ...], str | None], item: Any) -> bool:
    """Whether a ``cs:if``'s type and variable tests (:func:`_if_spec`) pass, as citeproc-py
    decides: every test's result in a list, then all of them, any or none."""
    types, variables, match = spec
    reference = item.reference
    # Only reading the type can raise (as in citeproc-py); every other test is a membership
    # test, so stopping at the first test that decides gives the same answer.
    kind = reference.type if types else None
    if match == "any" or match == "none":
        hit = kind in types or any(
            ("locator" in item) if v == "locator" else (v in reference) for v in variables
        )
        return hit if match == "any" else not hit
    return all(t == kind for t in types) and all(
        ("locator" in item) if v == "locator" else (v in reference) for v in variables
    )


def _choose_render(original: Callable[..., Any]) -> Callable[..., Any]:
    # cs:choose: the first branch whose tests pass renders. citeproc-py asks each branch to
    # render and catches the exception of each that fails; here a branch's type and variable
    # tests are read once per element and checked first (a branch with other tests, and
    # cs:else, is asked as before).
    def render(
        self: Any, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any
    ) -> Any:
        found = self.__dict__
        branches = found.get(_BRANCHES)
        if branches is None:
            if found.get(ROOT) is None:
                return original(self, item, context, delimiter, **kwargs)
            branches = found[_BRANCHES] = tuple(
                (child, _if_spec(child) if isinstance(child, model.If) else ())
                for child in self.getchildren()
            )
        for child, spec in branches:
            try:
                if not spec:
                    return child.render(item, context=context, delimiter=delimiter, **kwargs)
                if _passes(spec, item):
                    return child.render_children(
                        item, context=context, delimiter=delimiter, **kwargs
                    )
            except model.ConditionFailed:
                continue
        return None

    render.__wrapped__ = original  # type: ignore[attr-defined]
    return render


def _children(element: Any) -> tuple[tuple[Any, bool], ...] | None:
    """An element's children, each with whether it is a ``cs:choose`` (which is given the
    delimiter of the element above it); None for an element of a tree without a memo."""
    found = element.__dict__
    children: tuple[tuple[Any, bool], ...] | None = found.get(_CHILDREN)
    if children is None and found.get(ROOT) is not None:
        children = found[_CHILDREN] = tuple(
            (child, isinstance(child, model.Choose)) for child in element.iterchildren()
        )
    return children


def _render_children(original: Callable[..., Any]) -> Callable[..., Any]:
    # As citeproc-py's Parent.render_children, over the children listed once per element.
    def render_children(self: Any, item: Any, delimiter: str = "", **kwargs: Any) -> Any:
        children = _children(self)
        if children is None:
            return original(self, item, delimiter, **kwargs)
        output = []
        for child, choose in children:
            try:
                if choose:
                    text = child.render(item, delimiter=delimiter, **kwargs)
                else:
                    text = child.render(item, **kwargs)
                if text is not None:
                    output.append(text)
            except VariableError:
                pass
        return join(output, delimiter) if output else None

    render_children.__wrapped__ = original  # type: ignore[attr-defined]
    return render_children


def _calls_variable(element: Any) -> bool:
    """``element.calls_variable()``, kept in the element (an answer, never an exception)."""
    found = element.__dict__
    calls: bool | None = found.get(_CALLS)
    if calls is None:
        calls = found[_CALLS] = bool(element.calls_variable())
    return calls


def _group_process(original: Callable[..., Any]) -> Callable[..., Any]:
    # As citeproc-py's Group.process (a group is left out, by VariableError, when it calls
    # variables and prints none), over the children listed once per element.
    def process(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        children = _children(self)
        if children is None:
            return original(self, item, context, **kwargs)
        output = []
        variable_called = False
        variable_rendered = False
        delimiter = self.get("delimiter", "")
        for child, choose in children:
            # Asked only until one child calls a variable, as citeproc-py asks.
            variable_called = variable_called or _calls_variable(child)
            try:
                if choose:
                    text = child.render(item, context=context, delimiter=delimiter, **kwargs)
                else:
                    text = child.render(item, context=context, **kwargs)
                if text is not None:
                    output.append(text)
                    variable_rendered = variable_rendered or _calls_variable(child)
            except VariableError:
                pass
        if output and (not variable_called or variable_rendered):
            return self.join(output)
        raise VariableError

    process.__wrapped__ = original  # type: ignore[attr-defined]
    return process


_TEXT_KINDS = ("variable", "macro", "term", "value")
"""What a ``cs:text`` prints, in the order citeproc-py looks for them."""


def _text_process(original: Callable[..., Any]) -> Callable[..., Any]:
    # cs:text: what it prints (variable, macro, term or value) is read once per element, and
    # the entry's language without raising and catching VariableError when it has none
    # (for every cs:text of nearly every entry).
    def process(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        found = self.__dict__
        reference = item.reference
        spec = found.get(_TEXT)
        if spec is None:
            root = found.get(ROOT)
            if root is None:
                return original(self, item, context, **kwargs)
            attributes = self.keys()
            kind = next((k for k in _TEXT_KINDS if k in attributes), "")
            spec = found[_TEXT] = (kind, str(root.get("default-locale", "en"))[:2])
        kind, default = spec
        if not kind or not isinstance(reference, _Reference):
            return original(self, item, context, **kwargs)
        if context is None:
            context = self
        language: Any = dict.get(reference, "language", MISSING)
        language = default if language is MISSING else language[:2]
        if kind == "variable":
            text = self._variable(item, context)
        elif kind == "macro":
            macro = found.get(_MACRO)
            if macro is None:
                macro = found[_MACRO] = self.get_macro(self.get("macro"))
            text = macro.render(item, context)
        elif kind == "term":
            text = self._term(item)
        else:
            text = String(self.preformat(self.get("value")))
        return text, language

    process.__wrapped__ = original  # type: ignore[attr-defined]
    return process


def _if_spec(element: Any) -> tuple[tuple[str, ...], tuple[str, ...], str | None] | tuple[()]:
    """An ``cs:if``'s tests as ``render`` reads them, or () when it has a test it leaves to
    citeproc-py."""
    if not _OTHER_TESTS.isdisjoint(element.keys()):
        return ()
    types = tuple(t.lower() for t in (element.get("type") or "").split())
    variables = tuple(v.replace("-", "_") for v in (element.get("variable") or "").split())
    return types, variables, element.get("match")


class _Reference(Reference):  # type: ignore[misc]
    """A reference whose fields are read as fast as a dict's (a missing one still raises
    VariableError, which citeproc-py catches to leave a group out)."""

    def __getitem__(self, key: str) -> Any:
        value = dict.get(self, key, MISSING)
        if value is MISSING:
            raise VariableError
        return value

    __getattr__ = __getitem__


class _Item(CitationItem):  # type: ignore[misc]
    """A citation item whose ``reference``, ``bibliography`` and ``key`` are plain attributes,
    set by :func:`bibliography` (citeproc-py's are properties and dict look-ups, read half a
    million times in a build of a thousand notes)."""

    # Plain class attributes hide the properties, so the instance's own values are found.
    reference: Any = None
    bibliography: Any = None


def source(items: Iterable[Mapping[str, Any]]) -> Any:
    """The CSL-JSON ``items`` parsed for citeproc-py (a ``CiteProcJSON``), with references
    that are quick to read. Formatting only reads them: one source serves every style."""
    parsed = CiteProcJSON(list(items))
    for reference in parsed.values():
        # object's: a CustomDict's __setattr__ would make "__class__" one of its fields.
        object.__setattr__(reference, "__class__", _Reference)
        # Its fields as attributes too (``reference.type``), found without __getattr__; a
        # missing one still reaches __getattr__ and raises. Never one named like a dict method.
        reference.__dict__.update((k, v) for k, v in reference.items() if not hasattr(dict, k))
    return parsed


def bibliography(compiled: Any, parsed: Any, formatter: Any) -> Any:
    """A ``CitationStylesBibliography`` of every reference in ``parsed`` (:func:`source`) in a
    compiled style, each registered (in order): what ``bibliography()`` and ``sort()`` are
    asked of next."""
    bib = CitationStylesBibliography(compiled, parsed, formatter)
    cites = [_Item(key) for key in parsed]
    bib.register(Citation(cites))
    for item in cites:
        # Through __dict__: a CitationItem's attributes are otherwise its dict's items.
        item.__dict__.update(bibliography=bib, reference=parsed[item.key], key=item.key)
    return bib


TARGETS: tuple[tuple[type, str, Callable[[Callable[..., Any]], Callable[..., Any]]], ...] = (
    (model.Formatted, "format", _format),
    (model.Affixed, "wrap", _wrap),
    (model.Text, "markup", _text_markup),
    (model.Choose, "render", _choose_render),
    (model.Text, "process", _text_process),
    (model.Parent, "render_children", _render_children),
    (model.Group, "process", _group_process),
)
"""What :func:`~papernotes.bib.citeproc_speed.install` puts into citeproc-py's classes:
(class, method, wrapper of the method)."""
