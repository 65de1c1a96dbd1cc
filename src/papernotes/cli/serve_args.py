"""The ``serve`` subcommand's arguments, apart from the command itself: every command line
registers them, and a build must not import the server, the watcher and their modules to do so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

__all__ = ["register"]


def register(sub: Any, root_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the ``serve`` subcommand."""
    p = sub.add_parser(
        "serve",
        help="build, serve on 127.0.0.1 and rebuild on change",
        description="Build the site, serve it on 127.0.0.1, watch the notes, templates and "
        "configuration, rebuild what changed and reload the open browser tab. Problems show in "
        "the terminal and over the page; the last good site stays served. Ctrl-C stops it "
        "(exit code 0).",
    )
    root_arg(p)
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: site/ in the library)")
    p.add_argument("--open", action="store_true", help="open the site in a browser")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from papernotes.cli.serve import run

    return run(args, exit_at_once=getattr(args, "own_process", False))
