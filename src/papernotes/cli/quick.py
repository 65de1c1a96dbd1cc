"""``papernotes build`` with nothing to do, answered before the command line imports anything
else (``argparse``, PyYAML, the model): most of a no-op build's time was those imports."""

from __future__ import annotations

import sys

__all__ = ["quick_build"]


def quick_build(argv: list[str]) -> int | None:
    """``papernotes build`` answered from the last one's note (``incremental.replay``) before
    anything else is imported, when its options are plain ones and nothing changed; else None."""
    root, out, strict, quiet = ".", None, False, False
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
        else:
            return None  # --clean, --help, a prefix argparse would expand: the full path
    from papernotes.incremental.replay import replay

    done = replay(root, out, strict=strict)
    if done is None:
        return None
    for d in (*done.config_diagnostics, *done.diagnostics):
        print(d.format(), file=sys.stderr)
    if not quiet:  # the same line as _cmd_build's
        warnings = sum(d.severity.value == "warning" for d in done.diagnostics)
        print(
            f"up to date: {done.notes} notes, {done.pages} files, "
            f"{warnings} warnings, nothing to do"
        )
    return 0
