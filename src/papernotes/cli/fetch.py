"""The ``add``, ``link``, ``import`` and ``check`` commands: parsing, printing, exit codes.

Like :mod:`papernotes.cli.main`, this is an edge: it prints, writes the files the commands
produce, and shows a progress bar (rich, on standard error, only on a terminal and never with
``-q``) for anything with more than a few steps. Every failure is one line
``papernotes: error: …`` and exit code 1.

The network is opened through :data:`http_factory`, which tests replace to replay recorded
responses.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from papernotes.build import read_library
from papernotes.cli.report import Stop, load_config_or_stop, print_diagnostics
from papernotes.config import Config, load_config
from papernotes.errors import Severity
from papernotes.fetch.http import CACHE_DIR, FetchError, Http, ResponseCache, make_client
from papernotes.fetch.linkcheck import LinkResult, run_checks
from papernotes.model import Library
from papernotes.notes.file import NoteExists, write_new
from papernotes.notes.match import NoteIndex

if TYPE_CHECKING:
    pass

__all__ = [
    "EMAIL_ENV",
    "S2_KEY_ENV",
    "default_http",
    "http_factory",
    "link_checker",
    "register",
]

EMAIL_ENV = "PAPERNOTES_EMAIL"
"""Contact email sent in the User-Agent (Crossref's polite pool)."""
S2_KEY_ENV = "S2_API_KEY"
"""Semantic Scholar API key."""
_BAR_AFTER = 3


def _email(root: Path) -> str | None:
    """The library's contact email (config ``email``), else ``$PAPERNOTES_EMAIL``."""
    config, _ = load_config(root)
    return config.email or os.environ.get(EMAIL_ENV) or None


def default_http(root: Path, args: argparse.Namespace, on_request: Callable[[str], None]) -> Http:
    """The real network: one client, the library's response cache."""
    client = make_client(_email(root))
    return Http(
        client,
        cache=ResponseCache(root / CACHE_DIR),
        offline=getattr(args, "offline", False),
        refresh=getattr(args, "refresh", False),
        on_request=on_request,
    )


http_factory: Callable[[Path, argparse.Namespace, Callable[[str], None]], Http] = default_http
"""How commands open the network; tests put a replaying one here."""

link_checker: Callable[..., Mapping[str, LinkResult]] = run_checks
"""How ``check --external`` asks the web; tests put a replaying one here."""


def _error(message: str) -> None:
    print(f"papernotes: error: {message}", file=sys.stderr)


def _warn(message: str) -> None:
    print(f"papernotes: warning: {message}", file=sys.stderr)


def _library(root: Path, config: Config) -> Library:
    # Notes with errors are left out of the library; their problems belong to `check`.
    library, _ = read_library(root, config)
    return library


def _names_in(folder: Path) -> set[str]:
    """The names in ``folder`` (none if it does not exist), which a new note must not take."""
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


@contextmanager
def _progress(total: int, label: str, quiet: bool) -> Iterator[Callable[[str], None]]:
    """A callback that advances a progress bar (or does nothing when no bar is wanted)."""
    if quiet or total <= _BAR_AFTER or not sys.stderr.isatty():
        yield lambda _what: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, transient=True, redirect_stdout=False) as bar:
        task = bar.add_task(label, total=total)
        started = False

        def step(what: str) -> None:
            nonlocal started
            if started:
                bar.advance(task)
            started = True
            bar.update(task, description=f"{label} {what}")

        yield step
        bar.update(task, completed=total)


def _summary(http: Http) -> str:
    return f"{http.sent} request{'s' if http.sent != 1 else ''} sent"


def _cmd_add(args: argparse.Namespace) -> int:
    from papernotes.notes.add import Added, AddOptions, Failed, Present, add_papers

    root = Path(args.root)
    config = load_config_or_stop(root)
    index = NoteIndex.of_library(_library(root, config))
    options = AddOptions(
        semantic_scholar=not args.no_cites,
        s2_key=os.environ.get(S2_KEY_ENV) or None,
        language=config.language,
    )
    with _progress(len(args.ids), "adding", args.quiet) as step:
        http = http_factory(root, args, lambda _url: None)
        outcomes = add_papers(
            args.ids,
            index=index,
            papers_dir=config.papers_dir,
            http=http,
            options=options,
            progress=step,
        )
    failed = 0
    for outcome in outcomes:
        if isinstance(outcome, Failed):
            failed += 1
            _error(f"{outcome.source}: {outcome.message}")
        elif isinstance(outcome, Present):
            m = outcome.match
            print(f"{outcome.source}: already in the library as {m.key} ({m.source}: {m.reason})")
        elif isinstance(outcome, Added):
            for warning in outcome.warnings:
                _warn(f"{outcome.source}: {warning}")
            if args.dry_run:
                print(f"would write {outcome.path}:\n{outcome.text}")
                continue
            try:
                write_new(root / outcome.path, outcome.text)
            except NoteExists as exc:
                failed += 1
                _error(str(exc))
                continue
            print(outcome.path)
    if not args.quiet and len(outcomes) > 1:
        print(
            f"{len(outcomes) - failed} of {len(outcomes)} done, {_summary(http)}", file=sys.stderr
        )
    return 1 if failed else 0


def _cmd_link(args: argparse.Namespace) -> int:
    from papernotes.notes.linkcites import apply_edit, plan_links

    root = Path(args.root)
    config = load_config_or_stop(root)
    library = _library(root, config)
    total = len(args.keys) if args.keys else len(library.notes)
    with _progress(total, "linking", args.quiet) as step:
        http = http_factory(root, args, lambda _url: None)
        try:
            plan = plan_links(
                root,
                library,
                http,
                keys=args.keys,
                api_key=os.environ.get(S2_KEY_ENV) or None,
                progress=step,
            )
        except FetchError as exc:
            raise Stop(f"{exc} (no note was changed)") from None
        except KeyError as exc:
            raise Stop(str(exc.args[0])) from None
    for line in plan.skipped:
        _warn(line)
    for edit in plan.edits:
        print(f"{edit.source}: cites: + {', '.join(edit.added)}")
        if not args.dry_run:
            apply_edit(root, edit)
    added = sum(len(e.added) for e in plan.edits)
    verb = "would add" if args.dry_run else "added"
    if not args.quiet:
        print(
            f"{verb} {added} citation{'s' if added != 1 else ''} to {len(plan.edits)} notes "
            f"({plan.checked} looked up, {_summary(http)})",
            file=sys.stderr,
        )
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from papernotes.notes.importbib import summary
    from papernotes.notes.importrecords import importer_for

    root = Path(args.root)
    config = load_config_or_stop(root)
    bib_path = Path(args.file)
    try:
        raw = bib_path.read_bytes()
    except OSError as exc:
        raise Stop(f"{bib_path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older exports (JabRef, BibDesk) may be Latin-1; every byte decodes, so nothing is lost.
        text = raw.decode("latin-1")
        _warn(f"{bib_path}: not UTF-8; read as Latin-1")
    index = NoteIndex.of_library(_library(root, config))
    read = importer_for(bib_path.suffix, text)
    report = read(
        str(bib_path),
        text,
        index=index,
        papers_dir=config.papers_dir,
        files=_names_in(root / config.papers_dir),
        merge=args.merge,
    )
    print_diagnostics(report.diagnostics)
    failed = sum(d.severity is Severity.ERROR for d in report.diagnostics)
    with _progress(len(report.notes), "writing", args.quiet) as step:
        for note in report.notes:
            step(note.key)
            if args.dry_run:
                print(f"would write {note.path}:\n{note.text}")
                continue
            try:
                write_new(root / note.path, note.text)
            except NoteExists as exc:
                failed += 1
                _error(f"{bib_path}:{note.line}: {exc}")
    if not args.quiet:
        print(summary(report), file=sys.stderr)
    return 1 if failed else 0


def _cmd_check(args: argparse.Namespace) -> int:
    from papernotes.cli.check import collect_links, link_diagnostics

    root = Path(args.root)
    config = load_config_or_stop(root)
    library, diags = read_library(root, config, strict=args.strict)
    print_diagnostics(diags)
    errors = sum(d.severity is Severity.ERROR for d in diags)
    warnings = sum(d.severity is Severity.WARNING for d in diags)
    line = f"{len(library.notes)} notes: {errors} errors, {warnings} warnings"
    if args.external:
        links = collect_links(library)
        urls = list(dict.fromkeys(link.url for link in links))
        with _progress(len(urls), "checking", args.quiet) as step:
            results = link_checker(
                urls,
                email=config.email or os.environ.get(EMAIL_ENV) or None,
                timeout=args.timeout,
                concurrency=args.jobs,
                per_host=args.per_host,
                progress=step,
                allow_private=args.allow_private,
            )
        link_diags, moved = link_diagnostics(links, results)
        print_diagnostics(link_diags)
        for notice in moved:
            print(notice, file=sys.stderr)
        broken = sum(d.severity is Severity.ERROR for d in link_diags)
        errors += broken
        line += f"; {len(urls)} links: {broken} broken, {len(moved)} moved"
    print(line)
    return 1 if errors else 0


def _net_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--offline", action="store_true", help="answer from the response cache only")
    p.add_argument("--refresh", action="store_true", help="ignore cached responses and ask again")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    root_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Add the ``add``, ``link``, ``import`` and ``check`` subcommands to the CLI."""
    p = sub.add_parser(
        "add",
        help="add notes from arXiv ids, DOIs or ACL Anthology URLs",
        description="Create papers/<citekey>.md for each paper, with its metadata filled in "
        "from arXiv, Crossref / doi.org and Semantic Scholar. Never overwrites a note; a paper "
        f"already in the library is reported. Set {EMAIL_ENV} to be identified to Crossref, "
        f"and {S2_KEY_ENV} to use a Semantic Scholar API key.",
    )
    root_arg(p)
    p.add_argument(
        "ids",
        nargs="+",
        metavar="ID",
        help="arXiv id, DOI, or an arXiv, doi.org or ACL Anthology URL",
    )
    p.add_argument("--dry-run", action="store_true", help="print the notes instead of writing")
    p.add_argument(
        "--no-cites",
        action="store_true",
        help="do not ask Semantic Scholar (no cites:, and no arXiv id for a DOI)",
    )
    _net_args(p)
    p.set_defaults(func=_guard(_cmd_add))

    p = sub.add_parser(
        "link",
        help="add missing cites: to notes, from Semantic Scholar",
        description="For each note with an arXiv id or DOI, add to its cites: the library's "
        "notes that Semantic Scholar lists among the paper's references. Only adds; every "
        "other byte of the file stays as it was. Each change is shown.",
    )
    root_arg(p)
    p.add_argument("keys", nargs="*", metavar="KEY", help="only these notes (default: all)")
    p.add_argument("--dry-run", action="store_true", help="show the changes without writing")
    _net_args(p)
    p.set_defaults(func=_guard(_cmd_link))

    p = sub.add_parser(
        "import",
        help="import a BibTeX, CSL-JSON or RIS file as notes",
        description="Make one note per entry of FILE (.bib from Zotero, Better BibTeX, Google "
        "Scholar, JabRef; .json CSL-JSON from Zotero, pandoc or papernotes; .ris from EndNote, "
        "Mendeley, Zotero or papernotes) that is not yet in the library, keeping its key and "
        "every field. Duplicates and malformed entries are reported with their line.",
    )
    root_arg(p)
    p.add_argument("file", metavar="FILE", help="the .bib, .json (CSL-JSON) or .ris file")
    p.add_argument(
        "--merge",
        action="store_true",
        help="leave out an entry with the DOI or arXiv id of a note already there (default: "
        "import both, with a warning)",
    )
    p.add_argument("--dry-run", action="store_true", help="print the notes instead of writing")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=_guard(_cmd_import))

    p = sub.add_parser(
        "check",
        help="validate the library without building; --external checks links",
        description="Report every problem the build would report, without building. With "
        "--external, also check every outbound URL in notes and front matter.",
    )
    root_arg(p)
    p.add_argument("--external", action="store_true", help="check outbound links too")
    p.add_argument("--strict", action="store_true", help="treat every warning as an error")
    p.add_argument(
        "--allow-private",
        action="store_true",
        help="also check links to (or redirecting to) loopback, private, link-local and "
        "cloud metadata addresses, which are refused by default",
    )
    p.add_argument(
        "--timeout", type=float, default=15.0, metavar="S", help="per link, redirects included (15)"
    )
    p.add_argument("--jobs", type=int, default=10, metavar="N", help="links at once (10)")
    p.add_argument("--per-host", type=int, default=2, metavar="N", help="per host (2)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_guard(_cmd_check))


def _guard(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    # Stop and every other PapernotesError are reported by main(); only httpx's own errors,
    # which main() does not import httpx to recognise, are turned into one here.
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except httpx.HTTPError as exc:  # pragma: no cover - Http turns these into FetchError
            raise Stop(f"network: {exc}") from None

    return run
