"""How every command reports a library's problems: diagnostics printed one a line as
``path:line:col: severity: message`` on standard error, and :class:`Stop` for a failure told in
one line (``papernotes: error: …``, exit 1).

Reading the configuration lives here too, because it is the first report each command makes:
its problems are printed, and an error in it stops the command before anything else runs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from papernotes.errors import Diagnostic, PapernotesError, Severity

if TYPE_CHECKING:
    from papernotes.config import Config

__all__ = [
    "Stop",
    "load_config_or_stop",
    "load_config_reporting",
    "print_diagnostics",
    "write_bib",
    "write_stdout",
]


class Stop(PapernotesError):
    """A problem to report in one line and exit 1 for (``main`` prints it)."""


def print_diagnostics(diags: Sequence[Diagnostic]) -> None:
    """Print each diagnostic as ``path:line:col: severity: message`` on standard error."""
    for d in diags:
        print(d.format(), file=sys.stderr)


def load_config_or_stop(root: Path) -> Config:
    """The library's configuration, after printing its problems; :class:`Stop` when ``root`` is
    not a folder or the configuration has errors."""
    return load_config_reporting(root)[0]


def load_config_reporting(root: Path) -> tuple[Config, tuple[Diagnostic, ...]]:
    """:func:`load_config_or_stop`, also returning the problems it printed (warnings only)."""
    from papernotes.config import load_config  # PyYAML: not before a command needs it

    if not root.is_dir():
        raise Stop(f"{root}: no such folder (--root expects the library's folder)")
    config, diags = load_config(root)
    print_diagnostics(diags)
    if any(d.severity is Severity.ERROR for d in diags):
        raise Stop("fix the configuration errors above")
    return config, diags


def write_stdout(text: str, *, raw: bool) -> None:
    """``text`` on standard output; ``raw``: its bytes as they are (RIS's CRLF line ends)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if not raw or buffer is None:
        sys.stdout.write(text)
        return
    # RIS lines end in CRLF, which a text stream in Windows' text mode would make CRCRLF.
    sys.stdout.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def write_bib(path: Path, text: str, papers: Path, suffix: str) -> None:
    """``text`` written to ``path`` (``bib -o``): never inside the notes folder, nor over a
    file that is not a ``suffix`` file."""
    resolved = path.resolve()
    if papers.resolve() in resolved.parents:
        raise Stop(f"{path}: is inside the notes folder; write the {suffix} elsewhere")
    if resolved.exists() and resolved.suffix.lower() != suffix:
        raise Stop(f"{path}: exists and is not a {suffix} file; refusing to overwrite it")
    from papernotes.atomic import write_atomic

    write_atomic(resolved, text.encode("utf-8"))
