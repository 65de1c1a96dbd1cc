"""Lazy package exports (PEP 562): a package names its public API without importing it; and
regular expressions compiled on first use.

A no-op ``papernotes build`` must not pay for importing Markdown, Jinja or pybtex, so no
``__init__`` imports a submodule; the first access to an exported name imports the one
submodule that defines it. Each ``__init__`` also imports the same names under
``TYPE_CHECKING``, so mypy sees real types rather than this module's ``Any``.
"""

from __future__ import annotations

import importlib
import sys

TYPE_CHECKING = False  # not typing's: a no-op build does without importing it
if TYPE_CHECKING:
    import re
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, Iterable[str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, given ``{submodule: exported names}``.

    ``submodule`` is relative to ``package`` (``"export"`` in ``papernotes.bib``, or a dotted
    absolute name such as ``"papernotes.build"``). Nothing is imported until a name is read.
    """
    owner: dict[str, str] = {}
    for module, names in exports.items():
        if isinstance(names, str):  # ``("name")`` is a string, not a one-name tuple
            raise TypeError(f"{package}: exports of {module!r} must be a tuple of names")
        absolute = module if module.startswith("papernotes.") else f"{package}.{module}"
        for name in names:
            if name in owner:
                raise ValueError(f"{package}: {name!r} is exported twice")
            owner[name] = absolute

    def __getattr__(name: str) -> Any:
        module = owner.get(name)
        if module is None:
            # AttributeError (not KeyError) lets ``from package import submodule`` fall back
            # to importing the submodule, as it does for a package without __getattr__.
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *owner})

    return __getattr__, __dir__


def lazy_pattern(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """``pattern`` compiled when first asked for, then kept: ``_TAG = lazy_pattern(r"#\\w+")``,
    used as ``_TAG().sub(...)``.

    For a pattern that only some notes need (a dialect's syntax, a rare markup): the 52
    patterns of the modules a quick edit imports took ~6.5 ms of its ~0.2 s to compile, 32 of
    them for syntax the edited note did not have. Python's own cache of compiled patterns is no
    substitute: it is looked up by the pattern's text on every call, and holds only 512.
    """
    import functools
    import re

    @functools.cache
    def compiled() -> re.Pattern[str]:
        return re.compile(pattern, flags)

    return compiled
