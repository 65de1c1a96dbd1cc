"""citeproc-py's names: initials of a hyphenated given name as CSL means them, and each
distinct list of names printed once per element.

Initials. citeproc-py takes a lowercase word in a given name for a particle ("de", "van") and
leaves it whole, which is right for a word after a space but not after a hyphen: the romanised
Korean and Chinese given names "Min-jun" and "Jae-won" came out as "M.-. jun ." in APA and
IEEE and "M jun" in GB/T 7714. A part after a hyphen is a name of its own (a particle never
follows a hyphen), so its first letter is taken as a capital before citeproc-py initialises the
name: "M.-J.", "J.-W.", "M J", as "Ming-Wei" always gave. Nothing else changes: a name whose
parts after hyphens already start with a capital is passed on as it is.

Printed once. ``cs:name`` renders a list of names from the names' parts alone (given, family,
particles, suffix), the element's options (fixed per element and the context it is asked in)
and the formatter (HTML or plain): an author of many notes was initialised, ordered, joined
and marked up again for each note and each style. The text is kept, per tree, in its memo
(:mod:`~papernotes.bib.citeproc_speed`), keyed by exactly those; when sorting (options of the
sort override the element's) it is printed as before.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from citeproc import model
from citeproc.string import MixedString

from papernotes.bib.citeproc_speed import MEMO, ROOT

__all__ = ["NAMES_KEPT", "TARGETS"]

NAMES_KEPT = 20_000
"""How many printed name lists a compiled style keeps; past that it starts again, so a large
library's memory stays bounded."""

_PRINTED = "names printed"
"""The memo key (with the root) of a tree's printed name lists."""
_KEYWORDS = frozenset(("context", "sort_options"))
"""What ``Names.process`` passes ``Name.render`` by keyword."""

_AFTER_HYPHEN = re.compile(r"(?<=-)[^\W\d_]")
"""The first letter of each part of a given name after a hyphen."""


def _initialize(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def initialize(self: Any, given: str, mark: str, context: Any) -> Any:
        return original(self, _AFTER_HYPHEN.sub(lambda m: m.group(0).upper(), given), mark, context)

    return initialize


def _render(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def render(self: Any, item: Any, variable: str, *args: Any, **kwargs: Any) -> Any:
        root = self.__dict__.get(ROOT)
        if (
            root is None
            or args
            or kwargs.get("sort_options") is not None
            or not _KEYWORDS.issuperset(kwargs)
        ):
            return original(self, item, variable, *args, **kwargs)
        names = item.reference.get(variable, [])
        context = kwargs.get("context")
        key = (self, context, variable, self.get_formatter(), *(n.parts() for n in names))
        memo = root.__dict__[MEMO]
        printed = memo.get((root, _PRINTED))
        if printed is None or len(printed) >= NAMES_KEPT:
            printed = memo[(root, _PRINTED)] = {}
        text = printed.get(key, printed)
        if text is printed:
            text = printed[key] = original(self, item, variable, *args, **kwargs)
        # A list's copy: a caller that changed what it got would change nothing kept.
        return type(text)(text) if isinstance(text, MixedString) else text

    return render


TARGETS: tuple[tuple[type, str, Callable[[Callable[..., Any]], Callable[..., Any]]], ...] = (
    (model.Name, "initialize", _initialize),
    (model.Name, "render", _render),
)
"""What :func:`~papernotes.bib.citeproc_speed.install` puts into citeproc-py's classes:
(class, method, wrapper of the method)."""
