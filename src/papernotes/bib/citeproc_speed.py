"""citeproc-py, faster: what it looks up again and again is answered once.

citeproc-py walks a compiled style for every entry it formats and asks the same questions of
the same elements each time: ``xpath_search`` (the macro called ``author``, the layout above
this element, the term "et al." in this locale), ``get_option`` (a locale's option),
``calls_variable`` (whether a group's children could print a variable), ``get_root`` (a new
lxml ElementTree each time) and the child elements it reaches as attributes (``self.layout``,
``locale.terms``: a ``find`` each time). lxml evaluates each anew; on the Cite panel (three
styles per note) that was a third of a cold build.

The answers depend only on the element and the tree it is in, and a compiled style's trees
(the style and its locales) never change shape after they are parsed: citeproc-py keeps its
per-formatting state in Python attributes and arguments (and in attribute values, which no
answer kept here reads). So the answers are kept, per tree, in a memo on the tree's root
element. :func:`memoize` gives a compiled style (and its locales) such a memo, and each of its
elements the root it belongs to; a tree without them (any other user of citeproc-py in this
process) is answered as before. The memo holds every element of the tree: an lxml element is a
proxy that is made anew when none is alive, and keeping them all alive keeps the same proxy
(its identity, which the memo's keys hash, and its ``__dict__``, which holds its root) while
the style is. Lists are copied on the way out, so a caller that changes the list it gets
changes nothing kept.

Each element also keeps its XML attributes as a dict (but cs:date-part, whose attributes
citeproc-py overwrites as it formats). The walk over a style for one entry, and the entry's
own objects, are made faster in :mod:`papernotes.bib.citeproc_walk`; a bibliography's layout
is compiled into closures once per style in :mod:`papernotes.bib.citeproc_plan`, its names
and dates in :mod:`papernotes.bib.citeproc_nameplan` and :mod:`papernotes.bib.citeproc_dateplan`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from citeproc import model
from citeproc.string import String

__all__ = [
    "ALL",
    "ATTRIBUTES",
    "DATE_PART_ATTRIBUTES",
    "MEMO",
    "MISSING",
    "ROOT",
    "TESTED",
    "install",
    "memoize",
    "supported",
]

TESTED = ("0.11.",)
"""The citeproc-py releases whose internals the patches below were compared against (the
tests format a corpus both ways). Another release formats as it always does, only slower:
its classes may have changed under the patches' feet."""


def supported(version: str) -> bool:
    """Whether the patches go into citeproc-py ``version``."""
    return version.startswith(TESTED)


MEMO = "_papernotes_memo"
"""The attribute of a tree's root element that holds the tree's memo."""
ROOT = "_papernotes_root"
"""The attribute of each element of a memoized tree that holds the tree's root element."""
_STYLE = "_papernotes_style"
"""The attribute of each element of a memoized tree that holds the style's root element
(whose ``formatter`` the current bibliography sets)."""
ATTRIBUTES = "_papernotes_attributes"
"""The attribute of each element of a memoized tree (but cs:date-part) that holds its XML
attributes as a dict."""
DATE_PART_ATTRIBUTES = "_papernotes_date_part"
"""The attribute of each cs:date-part of a memoized tree that holds its XML attributes as they
were parsed (citeproc-py's formatting changes the element's own)."""
ALL = "all elements"
"""The memo key (with the root) of the list that keeps every element's proxy alive."""
MISSING = object()
"""What ``dict.get`` answers for a key that is not there."""
_LOOKUP = Callable[..., Any]


def _kept(
    label: str, *, per_tree: bool = False, style_only: bool = False
) -> Callable[[_LOOKUP], _LOOKUP]:
    """A wrapper for a look-up whose answer depends only on the element (or, ``per_tree``,
    only on its tree) and the arguments: asked once, then answered from the tree's memo.

    ``style_only``: asked as before where the tree is a locale file (an element of a locale
    asks that locale alone; the style asks each of its locales in turn). An exception is not
    kept: it is raised again next time."""

    def wrap(original: _LOOKUP) -> _LOOKUP:
        def lookup(self: Any, *args: Any, **kwargs: Any) -> Any:
            root = self.__dict__.get(ROOT)
            if root is None or (style_only and isinstance(root, model.Locale)):
                return original(self, *args, **kwargs)
            memo = root.__dict__[MEMO]
            key = (root if per_tree else self, label, *args)
            if kwargs:
                key += (MISSING, *sorted(kwargs.items()))
            found = memo.get(key, MISSING)
            if found is MISSING:
                found = memo[key] = original(self, *args, **kwargs)
            return found

        lookup.__wrapped__ = original  # type: ignore[attr-defined]
        return lookup

    return wrap


def _xpath_search(original: _LOOKUP) -> _LOOKUP:
    # Kept as a tuple and copied on the way out, so a caller that changes the list it gets
    # changes nothing kept.
    def xpath_search(self: Any, expression: str) -> list[Any]:
        memo = _memo_of(self)
        if memo is None:
            plain: list[Any] = original(self, expression)
            return plain
        key = (self, expression)
        found = memo.get(key)
        if found is None:
            found = memo[key] = tuple(original(self, expression))
        return list(found)

    xpath_search.__wrapped__ = original  # type: ignore[attr-defined]
    return xpath_search


def _find_all(original: _LOOKUP) -> _LOOKUP:
    # cs:name's cs:name-part children, looked for once per name printed.
    def findall(self: Any, path: str, namespaces: Any = None) -> Any:
        memo = _memo_of(self)
        if memo is None or namespaces is not model.SomewhatObjectifiedElement.nsmap:
            return original(self, path, namespaces)
        key = (self, "findall " + path)
        found = memo.get(key)
        if found is None:
            found = memo[key] = tuple(original(self, path, namespaces))
        return list(found)

    findall.__wrapped__ = original  # type: ignore[attr-defined]
    return findall


def _locale_option(original: _LOOKUP) -> _LOOKUP:
    # A locale's option (``punctuation-in-quote``), found in the tree each time; or IndexError
    # when the locale has no options at all, which is kept too: as its arguments alone. The
    # exception's traceback would hold the frames of the first call, and through them every
    # caller's locals, for as long as the style (a build's CSL items and worker pool).
    def get_option(self: Any, name: str) -> Any:
        memo = _memo_of(self)
        if memo is None:
            return original(self, name)
        key = (self, "option " + name)
        if key not in memo:
            try:
                memo[key] = (original(self, name), None)
            except IndexError as exc:
                memo[key] = (None, exc.args)
        value, missing = memo[key]
        if missing is not None:
            raise IndexError(*missing)
        return value

    get_option.__wrapped__ = original  # type: ignore[attr-defined]
    return get_option


def _memo_of(element: Any) -> dict[tuple[Any, ...], Any] | None:
    # __dict__ directly: citeproc-py's elements answer any missing attribute with find().
    root = element.__dict__.get(ROOT)
    if root is None:
        return None
    memo: dict[tuple[Any, ...], Any] = root.__dict__[MEMO]
    return memo


def _name_option(original: _LOOKUP) -> _LOOKUP:
    # cs:name's options, inherited from the bibliography element above it (an XPath search
    # and a caught TypeError each): fixed per element and context, except when sorting,
    # whose options override them (``sort_options``), which is left as it is.
    kept = _kept("name option")(original)

    def get_option(self: Any, name: str, context: Any = None, sort_options: Any = None) -> Any:
        if sort_options is not None:
            return original(self, name, context, sort_options)
        return kept(self, name, context)

    get_option.__wrapped__ = original  # type: ignore[attr-defined]
    return get_option


def _get_root(original: _LOOKUP) -> _LOOKUP:
    # A new ElementTree object for each of the many calls, otherwise.
    def get_root(self: Any) -> Any:
        root = self.__dict__.get(ROOT)
        return original(self) if root is None else root

    get_root.__wrapped__ = original  # type: ignore[attr-defined]
    return get_root


def _get_formatter(original: _LOOKUP) -> _LOOKUP:
    # The style root's formatter, whether the element is in the style or in one of its locales
    # (a locale's root points to the style: ``Locale.style``).
    def get_formatter(self: Any) -> Any:
        style = self.__dict__.get(_STYLE)
        return original(self) if style is None else style.formatter

    get_formatter.__wrapped__ = original  # type: ignore[attr-defined]
    return get_formatter


def _attribute(original: _LOOKUP) -> _LOOKUP:
    # element.get(name, default): lxml encodes the name and decodes the value each time, and
    # citeproc-py asks for a dozen attributes per element it renders.
    def get(self: Any, key: str, default: Any = None) -> Any:
        attributes = self.__dict__.get(ATTRIBUTES)
        if attributes is None:
            return original(self, key, default)
        return attributes.get(key, default)

    get.__wrapped__ = original  # type: ignore[attr-defined]
    return get


def _term_text(form: str, original: _LOOKUP) -> _LOOKUP:
    # A term's singular or plural text, found with find() each time; formatted for the
    # current formatter (HTML or plain) as citeproc-py does, so only the raw text is kept.
    def raw(term: Any) -> str:
        try:
            found = term.find("cs:" + form, term.nsmap).text
        except AttributeError:
            found = term.text
        return str(found or "")

    kept = _kept("term " + form)(raw)

    def text(self: Any) -> Any:
        if self.__dict__.get(ROOT) is None:
            return original(self)
        return String(self.preformat(kept(self)))

    text.__wrapped__ = original  # type: ignore[attr-defined]
    return text


def install() -> None:
    """Put the memoizing look-ups (and :mod:`~papernotes.bib.citeproc_walk`'s walk and
    :mod:`~papernotes.bib.citeproc_plan`'s compiled layout) into
    citeproc-py's classes, once per process (again is a no-op). Trees without a memo (see
    :func:`memoize`) behave exactly as before; a release not in :data:`TESTED` is left as it
    is (a memo on its trees is read by no one)."""
    import citeproc

    if not supported(getattr(citeproc, "__version__", "")):
        return
    from papernotes.bib import (
        citeproc_dateplan,
        citeproc_nameplan,
        citeproc_names,
        citeproc_plan,
        citeproc_walk,
    )

    element = model.CitationStylesElement
    targets: tuple[tuple[type, str, Callable[[_LOOKUP], _LOOKUP]], ...] = (
        (element, "xpath_search", _xpath_search),
        (element, "get_root", _get_root),
        (element, "get_formatter", _get_formatter),
        (element, "get", _attribute),
        # ``element.layout``: the first child by that name, or None. Once citeproc-py sets
        # such an attribute itself (a layout's ``repressed``), Python finds it in __dict__.
        (model.SomewhatObjectifiedElement, "__getattr__", _kept("child")),
        (element, "get_macro", _kept("macro", per_tree=True)),
        (element, "get_layout", _kept("layout")),
        (element, "get_term", _kept("term", per_tree=True, style_only=True)),
        (element, "get_locale_option", _kept("locale option", per_tree=True, style_only=True)),
        (model.Parent, "calls_variable", _kept("calls variable")),
        (model.Text, "calls_variable", _kept("calls variable")),
        (model.Locale, "get_option", _locale_option),
        (model.Name, "get_option", _name_option),
        (model.Name, "findall", _find_all),
        *citeproc_walk.TARGETS,
        *citeproc_names.TARGETS,
        *citeproc_nameplan.TARGETS,
        *citeproc_dateplan.TARGETS,
        *citeproc_plan.TARGETS,
    )
    for cls, name, wrap in targets:
        current = getattr(cls, name)
        if not hasattr(current, "__wrapped__"):
            setattr(cls, name, wrap(current))
    for form in ("single", "multiple"):
        current = model.Term.__dict__[form]
        if not hasattr(current.fget, "__wrapped__"):
            setattr(model.Term, form, property(_term_text(form, current.fget)))


def memoize(compiled: Any) -> Any:
    """Give a compiled ``CitationStylesStyle`` (and the locales it uses) a memo, and return it.

    Call only on a style no one changes the shape of afterwards (papernotes never does)."""
    install()
    style = compiled.root
    roots = [style, *(loc.getroottree().getroot() for loc in style.locales)]
    for root in roots:
        memo = root.__dict__.setdefault(MEMO, {})
        if (root, ALL) in memo:
            continue
        elements = memo[(root, ALL)] = tuple(root.iter())
        for element in elements:
            # Only citeproc-py's classes: a comment or processing instruction has no __dict__.
            if isinstance(element, model.CitationStylesElement):
                element.__dict__[ROOT] = root
                element.__dict__[_STYLE] = style
                if isinstance(element, model.Date_Part):
                    # citeproc-py overwrites a cs:date-part's attributes as it formats: they
                    # are kept as parsed, under another name, for the compiled cs:date.
                    element.__dict__[DATE_PART_ATTRIBUTES] = dict(element.attrib)
                else:
                    element.__dict__[ATTRIBUTES] = dict(element.attrib)
    return compiled
