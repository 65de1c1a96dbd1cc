"""Other libraries' exceptions as papernotes' own diagnostics and messages: one adapter each.

PyYAML, Jinja, pybtex and httpx each report problems their own way (marks, tracebacks,
``line N`` in the text, exception classes). Turning them into a :class:`Diagnostic` with a
``path:line:col`` (or, for the network, one line naming the address and what to do) happens
here and nowhere else, so every command says the same thing about the same problem.

Nothing is imported from those libraries at module level: ``config`` uses this module on every
build, and a no-op build must not load Jinja, pybtex or httpx. An adapter only runs after its
library raised, so the library is loaded by then.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from papernotes.errors import Diagnostic, Location, PapernotesError, Severity, error

if TYPE_CHECKING:
    import yaml

__all__ = [
    "bibtex_error",
    "fold_repeats",
    "link_failure",
    "lookup_failure",
    "template_error",
    "template_file",
    "yaml_error",
]

_LINE = re.compile(r"line (\d+)")
_PYBTEX_PREFIX = re.compile(r"^syntax error in line \d+: ")


# --- PyYAML ----------------------------------------------------------------------------------


def yaml_error(
    exc: yaml.MarkedYAMLError,
    path: str,
    what: str,
    *,
    first_line: int = 1,
    unknown_line: int | None = None,
) -> Diagnostic:
    """``path:line:col: error: <what>: <problem>`` for YAML that does not parse.

    ``first_line`` is the file line the YAML text starts on (2 for front matter, after its
    ``---``); ``unknown_line`` is reported when PyYAML gives no position at all.
    """
    mark = exc.problem_mark or exc.context_mark
    message = f"{what}: {exc.problem}"
    if mark is None:
        return error(path, unknown_line, message)
    return error(path, mark.line + first_line, message, col=mark.column + 1)


# --- Jinja -----------------------------------------------------------------------------------


def template_file(filename: str, dirs: Sequence[Path]) -> str:
    """A template file as the user knows it: ``templates/<name>`` when it is in a theme folder."""
    path = Path(filename)
    for folder in dirs:
        if path.is_relative_to(folder):
            return f"templates/{path.relative_to(folder).as_posix()}"
    return filename


def _template_frame(exc: BaseException, dirs: Sequence[Path], template: str) -> Location:
    """The innermost template frame of a rendering error: which file, which line."""
    where = Location(f"templates/{template}")
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if any(Path(name).is_relative_to(d) for d in dirs):
            where = Location(template_file(name, dirs), tb.tb_lineno)
        tb = tb.tb_next
    return where


def template_error(exc: BaseException, dirs: Sequence[Path], template: str) -> Diagnostic:
    """What went wrong rendering ``template``, at the theme file and line it went wrong in.

    ``exc`` is a Jinja ``TemplateError`` (a syntax error names its file and line; a runtime
    error is located by the innermost template frame of its traceback), a sandbox
    ``SecurityError``, or the ``OverflowError`` of a range too large to render.
    """
    import jinja2
    from jinja2.exceptions import SecurityError

    from papernotes.theme import UNSAFE_HINT

    if isinstance(exc, jinja2.TemplateSyntaxError):
        path = template_file(exc.filename, dirs) if exc.filename else template
        return error(path, exc.lineno, f"template: {exc.message}", _SYNTAX_HINT)
    where = _template_frame(exc, dirs, template)
    hint: str | None = None
    if isinstance(exc, SecurityError | OverflowError):
        # The sandbox refuses huge ranges and attribute access the theme may not have.
        message = f"the theme tried an unsafe operation: {str(exc).rstrip('.')}; {UNSAFE_HINT}"
    else:
        message = f"template: {exc}"
        if isinstance(exc, jinja2.TemplateNotFound):
            hint = _NOT_FOUND_HINT.format(name=exc.name)
        elif isinstance(exc, jinja2.UndefinedError):
            hint = _UNDEFINED_HINT
        else:
            hint = _RUNTIME_HINT.format(file=where.path)
    return Diagnostic(Severity.ERROR, where, message, hint)


def over_budget(exc: BaseException, dirs: Sequence[Path], template: str) -> PapernotesError:
    """The error that ends a build whose page of ``template`` went over its budget
    (``pagebudget.OverBudget``), at the theme file and line it was running."""
    from papernotes.pagebudget import PageOverBudget, over_reason

    where = _template_frame(exc, dirs, template)
    hint = (
        f"look in {where.path} for a loop that never ends or makes too much, and fix it, or "
        "delete the file to use the default theme's"
    )
    return PageOverBudget(f"{over_reason(exc)}; the build stops here", where=where, hint=hint)


_SYNTAX_HINT = "fix the template's syntax, or delete the file to use the default theme's"
_NOT_FOUND_HINT = (
    "no theme file is named '{name}': add templates/{name} to the library, or name one of "
    "the default theme's templates"
)
_UNDEFINED_HINT = (
    "use a variable the page is given, as the default theme's template of the same name "
    "does, or test it first: {% if name is defined %}"
)
_RUNTIME_HINT = "fix {file}, or delete it to use the default theme's"


def theme_raised(exc: BaseException, dirs: Sequence[Path]) -> bool:
    """Whether ``exc`` (not a Jinja error: ``{{ 1 / 0 }}``, ``{{ 1 + 'a' }}``) came from code
    of the library's own templates, the first of ``dirs`` when there are two: the theme's
    mistake, told at its line. From the default theme's alone, it is papernotes' bug."""
    if len(dirs) < 2:
        return False
    own = dirs[0]
    tb = exc.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).is_relative_to(own):
            return True
        tb = tb.tb_next
    return False


def fold_repeats(diags: Sequence[Diagnostic]) -> tuple[Diagnostic, ...]:
    """``diags`` with each problem said once: a template's mistake fails every page it makes
    (2,500 tag pages, 50,000 paper pages), and the same line that many times hides the
    others. A problem met on several pages says on how many."""
    from collections import Counter

    counts = Counter(diags)
    out: list[Diagnostic] = []
    for d in diags:
        n = counts.pop(d, 0)
        if n:
            out.append(d._replace(message=f"{d.message} (on {n:,} pages)") if n > 1 else d)
    return tuple(out)


# --- pybtex ----------------------------------------------------------------------------------


def bibtex_error(exc: Exception, path: str, what: str, *, line: int, col: int = 1) -> Diagnostic:
    """A pybtex error in a block of ``path`` that starts at ``line``:``col``, as
    ``path:line:col: error: <what>: <message>``.

    pybtex parses one block at a time here, so its line numbers count from the block's first
    line; a syntax error also knows the offset it stopped at, which gives the column.
    """
    text = " ".join(str(exc).split())
    message = f"{what}: {_PYBTEX_PREFIX.sub('', text)}"
    rel = getattr(exc, "lineno", None)
    if not isinstance(rel, int):
        m = _LINE.search(text)
        rel = int(m.group(1)) if m else None
    if rel is None:
        return error(path, line, message)
    return error(path, line + rel - 1, message, col=_bibtex_col(exc, rel, col))


def _bibtex_col(exc: Exception, rel: int, first_col: int) -> int | None:
    # pybtex's syntax errors keep the offset they stopped at as the last item of
    # error_context_info (the .bib parser puts the entry's start before it).
    info = getattr(exc, "error_context_info", None)
    source = getattr(getattr(exc, "parser", None), "text", None)
    if not (isinstance(info, tuple) and info and isinstance(source, str)):
        return None
    pos = info[-1]
    if not isinstance(pos, int):
        return None
    col = pos - source.rfind("\n", 0, pos)
    # Only the block's first line is shifted by where the block starts in its line.
    return col + first_col - 1 if rel == 1 else col


# --- httpx and the address policy ------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def lookup_failure(exc: Exception, *, service: str, url: str) -> str:
    """The one line a failed metadata lookup reports (``FetchError``'s message).

    ``exc`` is an ``httpx.HTTPError`` other than a timeout or a cut-off answer (those are
    retried), or the address policy's ``Refused``.
    """
    import httpx

    from papernotes.fetch.netguard import Refused

    host = httpx.URL(url).host
    reason = _reason(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return (
            f"{service}: cannot connect to {host} ({reason}); "
            "check the network, or use --offline to answer from the cache"
        )
    if isinstance(exc, Refused):
        return (
            f"{service}: refused to contact {exc.describe()}: metadata lookups only "
            "go to public addresses"
        )
    if isinstance(exc, httpx.TooManyRedirects):
        return f"{service}: too many redirects for {url}"
    return f"{service}: {host}: {reason}"


def link_failure(exc: Exception, hint: str, *, via: str | None = None) -> tuple[str, bool]:
    """What ``check --external`` says about a link that could not be asked, and whether it was
    refused by the address policy (then ``hint`` says how to allow it). ``via`` is the URL a
    redirect led to, when the refused address is a redirect's."""
    import httpx

    from papernotes.fetch.netguard import Refused

    if isinstance(exc, Refused):
        how = f"redirects to {exc.describe()} ({via})" if via else exc.describe()
        return f"refused: {how}; {hint}", True
    if isinstance(exc, httpx.TimeoutException):
        return "timed out", False
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({_reason(exc) or 'refused'})", False
    if isinstance(exc, httpx.InvalidURL):
        return f"not a valid URL ({_reason(exc)})", False
    if isinstance(exc, OSError):  # the name did not resolve
        return f"cannot connect ({_reason(exc) or 'no address'})", False
    return _reason(exc) or type(exc).__name__, False
