"""citeproc-py, faster: its XPath look-ups, options and ``calls_variable`` answered once per
element.

citeproc-py walks a compiled style for every entry it formats and asks the same questions of
the same elements each time: ``xpath_search`` (the macro called ``author``, the layout above
this element, the term "et al." in this locale), ``get_option`` (a locale's option) and
``calls_variable`` (whether a group's children could print a variable). lxml evaluates each
XPath anew; on the Cite panel (three styles per note) that was a third of a cold build.

The answers depend only on the element and the tree it is in, and a compiled style's trees
(the style and its locales) are never changed after they are parsed: citeproc-py keeps its
per-formatting state in Python attributes and arguments, never in the XML. So the answers are
kept, per tree, in a memo on the tree's root element. :func:`memoize` gives a compiled style
(and its locales) such a memo; a tree without one (any other user of citeproc-py in this
process) is answered as before. The memo's keys hold the elements themselves: an lxml element
is a proxy that may be made anew each time it is reached, and holding it keeps the same proxy
(and its identity, which the key hashes) alive while the style is. Lists are copied on the
way out, so a caller that changes the list it gets changes nothing kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["install", "memoize"]

_MEMO = "_papernotes_memo"
"""The attribute of a tree's root element that holds the tree's memo."""
_CALLS = "calls_variable"
"""The memo key's second part for ``calls_variable`` (never an XPath expression)."""


def _memo_of(element: Any) -> dict[tuple[Any, str], Any] | None:
    # __dict__ directly: citeproc-py's elements answer any missing attribute with find().
    memo: dict[tuple[Any, str], Any] | None = element.getroottree().getroot().__dict__.get(_MEMO)
    return memo


def _xpath_search(original: Callable[[Any, str], list[Any]]) -> Callable[[Any, str], list[Any]]:
    def xpath_search(self: Any, expression: str) -> list[Any]:
        memo = _memo_of(self)
        if memo is None:
            return original(self, expression)
        key = (self, expression)
        found = memo.get(key)
        if found is None:
            found = memo[key] = tuple(original(self, expression))
        return list(found)

    xpath_search.__wrapped__ = original  # type: ignore[attr-defined]
    return xpath_search


def _calls_variable(original: Callable[[Any], bool]) -> Callable[[Any], bool]:
    def calls_variable(self: Any) -> bool:
        memo = _memo_of(self)
        if memo is None:
            return original(self)
        key = (self, _CALLS)
        found = memo.get(key)
        if found is None:
            found = memo[key] = original(self)
        return bool(found)

    calls_variable.__wrapped__ = original  # type: ignore[attr-defined]
    return calls_variable


def _get_option(original: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    # A locale's option (``punctuation-in-quote``), found in the tree each time; or IndexError
    # when the locale has no options at all, which is kept too.
    def get_option(self: Any, name: str) -> Any:
        memo = _memo_of(self)
        if memo is None:
            return original(self, name)
        key = (self, "option " + name)
        if key not in memo:
            try:
                memo[key] = (original(self, name), None)
            except IndexError as exc:
                memo[key] = (None, exc)
        value, missing = memo[key]
        if missing is not None:
            raise IndexError(*missing.args)
        return value

    get_option.__wrapped__ = original  # type: ignore[attr-defined]
    return get_option


def install() -> None:
    """Put the memoizing look-ups into citeproc-py's classes (once per process; again is a
    no-op). Trees without a memo (see :func:`memoize`) behave exactly as before."""
    from citeproc import model

    targets: tuple[tuple[type, str, Callable[[Any], Any]], ...] = (
        (model.CitationStylesElement, "xpath_search", _xpath_search),
        (model.Parent, "calls_variable", _calls_variable),
        (model.Text, "calls_variable", _calls_variable),
        (model.Locale, "get_option", _get_option),
    )
    for cls, name, wrap in targets:
        current = cls.__dict__[name]
        if not hasattr(current, "__wrapped__"):
            setattr(cls, name, wrap(current))


def memoize(compiled: Any) -> Any:
    """Give a compiled ``CitationStylesStyle`` (and the locales it uses) a memo, and return it.

    Call only on a style no one changes afterwards (papernotes never does)."""
    install()
    roots = [compiled.root, *(loc.getroottree().getroot() for loc in compiled.root.locales)]
    for root in roots:
        root.__dict__.setdefault(_MEMO, {})
    return compiled
