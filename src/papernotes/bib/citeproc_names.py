"""citeproc-py's initials of a hyphenated given name, as CSL means them.

citeproc-py takes a lowercase word in a given name for a particle ("de", "van") and leaves it
whole, which is right for a word after a space but not after a hyphen: the romanised Korean
and Chinese given names "Min-jun" and "Jae-won" came out as "M.-. jun ." in APA and IEEE and
"M jun" in GB/T 7714. A part after a hyphen is a name of its own (a particle never follows a
hyphen), so its first letter is taken as a capital before citeproc-py initialises the name:
"M.-J.", "J.-W.", "M J", as "Ming-Wei" always gave. Nothing else changes: a name whose parts
after hyphens already start with a capital is passed on as it is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from citeproc import model

__all__ = ["TARGETS"]

_AFTER_HYPHEN = re.compile(r"(?<=-)[^\W\d_]")
"""The first letter of each part of a given name after a hyphen."""


def _initialize(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def initialize(self: Any, given: str, mark: str, context: Any) -> Any:
        return original(self, _AFTER_HYPHEN.sub(lambda m: m.group(0).upper(), given), mark, context)

    return initialize


TARGETS: tuple[tuple[type, str, Callable[[Callable[..., Any]], Callable[..., Any]]], ...] = (
    (model.Name, "initialize", _initialize),
)
"""What :func:`~papernotes.bib.citeproc_speed.install` puts into citeproc-py's classes:
(class, method, wrapper of the method)."""
