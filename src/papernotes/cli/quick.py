"""``papernotes build`` with nothing to do, answered before the command line imports anything
else (``argparse``, PyYAML, the model): most of a no-op build's time was those imports. When
one note's body changed where the rest of the site does not look, its page and search files
are patched (``incremental.quick``), still without those imports."""

from __future__ import annotations

import sys

__all__ = ["plain_build", "quick_build"]


def _options(argv: list[str]) -> tuple[str, str | None, bool, bool, bool] | None:
    """``(root, out, strict, keep_going, quiet)`` when the options are plain ones; None for
    anything else (``--clean``, ``--help``, a prefix or a mistake): argparse reads or explains
    those."""
    root, out, strict, keep_going, quiet = ".", None, False, False, False
    rest = iter(argv)
    for arg in rest:
        name, eq, value = arg.partition("=")
        if name in ("--root", "--out"):
            value = value if eq else next(rest, "")
            if not value or value.startswith("-"):
                return None  # argparse has a message for that
            root, out = (value, out) if name == "--root" else (root, value)
        elif arg in ("--strict", "--keep-going", "-q", "--quiet"):
            strict, quiet = strict or arg == "--strict", quiet or arg in ("-q", "--quiet")
            keep_going = keep_going or arg == "--keep-going"
        else:
            return None  # --clean, --help, a prefix argparse would expand: the full path
    return root, out, strict, keep_going, quiet


def plain_build(argv: list[str]) -> dict[str, object] | None:
    """``papernotes build``'s options as argparse's namespace would hold them, when they are
    plain ones (see :func:`_options`); else None."""
    options = _options(argv)
    if options is None:
        return None
    root, out, strict, keep_going, quiet = options
    return {
        "command": "build",
        "debug": False,
        "root": root,
        "out": out,
        "strict": strict,
        "keep_going": keep_going,
        "quiet": quiet,
        "no_cache": False,
        "clean": False,
    }


def quick_build(argv: list[str]) -> int | None:
    """``papernotes build`` answered from the last one's note (``incremental.replay``) before
    anything else is imported, when its options are plain ones and nothing changed; else None."""
    options = _options(argv)
    if options is None:
        return None
    root, out, strict, _, quiet = options
    from papernotes.incremental.replay import replay

    done = replay(root, out, strict=strict)
    if done is None:
        return _quick_edit(root, out, strict=strict, quiet=quiet)
    for d in (*done.config_diagnostics, *done.diagnostics):
        print(d.format(), file=sys.stderr)
    if not quiet:  # the same line as _cmd_build's
        warnings = sum(d.severity.value == "warning" for d in done.diagnostics)
        print(
            f"up to date: {done.notes} notes, {done.pages} files, "
            f"{warnings} warnings, nothing to do"
        )
    return 0


def _quick_edit(root: str, out: str | None, *, strict: bool, quiet: bool) -> int | None:
    """One note's body edited where the rest of the site does not look: the build's answer
    from ``incremental.quick`` (its page and search files patched), or None."""
    from papernotes.incremental.quick import quick_edit

    done = quick_edit(root, out, strict=strict)
    if done is None:
        return None
    last = done.report
    for d in (*last.config_diagnostics, *last.diagnostics):
        print(d.format(), file=sys.stderr)
    if not quiet:  # the same line as _cmd_build's
        warnings = sum(d.severity.value == "warning" for d in last.diagnostics)
        site = out if out is not None else done.site
        print(
            f"built: {last.notes} notes, {last.pages} pages (1 rendered, {done.written} "
            f"written, 0 removed), {warnings} warnings, 0 errors in {done.seconds:.2f} s "
            f"→ {site} (quick: one note's body)"
        )
    return 0
