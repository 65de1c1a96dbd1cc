"""papernotes: a folder of Markdown paper notes becomes a cross-linked static site and a BibTeX
library.

The public names are imported on first use, so ``papernotes build`` with nothing to do never
pays for importing the Markdown, template and BibTeX machinery.
"""

from __future__ import annotations

from papernotes._lazy import lazy_exports

# ``typing`` is not imported for this: a no-op build does without it (mypy and ruff read
# any ``TYPE_CHECKING`` as the typing constant).
TYPE_CHECKING = False

__version__ = "0.1.0"

if TYPE_CHECKING:
    from papernotes.build import BuildReport, build, read_library
    from papernotes.config import Config, load_config
    from papernotes.errors import Diagnostic, Location, Severity
    from papernotes.model import (
        Author,
        Citation,
        CiteKey,
        External,
        Library,
        Metadata,
        Note,
        Status,
    )

__all__ = [
    "Author",
    "BuildReport",
    "Citation",
    "CiteKey",
    "Config",
    "Diagnostic",
    "External",
    "Library",
    "Location",
    "Metadata",
    "Note",
    "Severity",
    "Status",
    "__version__",
    "build",
    "load_config",
    "read_library",
]

# Hidden from mypy, which would otherwise type every unknown attribute as Any.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            # ``build`` shares its module's name, and the import system binds a submodule on
            # its parent: ``from papernotes import build`` yields the module, and the attribute
            # is the function only until that module is imported. Kept as it was; use
            # ``papernotes.build.build``. No other export shares a submodule's name.
            "build": ("BuildReport", "build", "read_library"),
            "config": ("Config", "load_config"),
            "errors": ("Diagnostic", "Location", "Severity"),
            "model": (
                "Author",
                "Citation",
                "CiteKey",
                "External",
                "Library",
                "Metadata",
                "Note",
                "Status",
            ),
        },
    )
