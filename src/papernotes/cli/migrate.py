"""The ``migrate`` command: plan, backup and writes around :mod:`papernotes.notes.migrate`.

Three modes, and the default changes nothing:

- no flag: print every change (``path:line: author → authors``) and write nothing;
- ``--write``: rewrite the notes in place, after saving each original (byte for byte) under
  ``.papernotes/migrate-backup/<UTC time>/<its path>``; if any backup cannot be written, no
  note is touched;
- ``--into NEW_DIR``: write a new library (a configuration, and the notes folder with every
  note, migrated or not, and every other file: images, PDFs) into a folder that does not exist
  or is empty; the source is not touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from papernotes.cli.report import Stop, load_config_or_stop, print_diagnostics

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from papernotes.config import Config
    from papernotes.notes.migrate import Migration

__all__ = ["BACKUP_DIR", "register"]

BACKUP_DIR = ".papernotes/migrate-backup"
"""Where ``--write`` saves the originals, under the library (or vault) folder."""


@dataclass(frozen=True, slots=True)
class _Source:
    """The folder being migrated."""

    base: Path
    """The library (or vault) folder: paths are shown, and backed up, relative to it."""
    notes: Path
    """The folder holding the notes and their files."""
    files: tuple[Path, ...]
    """Every file under ``notes`` a build would read, sorted."""


def _source(args: argparse.Namespace, config: Config) -> _Source:
    from papernotes.load import escapes, input_files

    if args.vault is not None:
        base = Path(args.vault)
        if not base.is_dir():
            raise Stop(f"{base}: no such folder")
        notes_dir = "."
    else:
        base, notes_dir = Path(args.root), config.papers_dir
        if not (base / notes_dir).is_dir():
            raise Stop(
                f"{base / notes_dir}: no notes folder (give the vault's folder: migrate DIR)"
            )
    inside = (base.resolve(),)
    # A symlink out of the folder is never read, as in a build; nor is an excluded file (a
    # template's placeholders are not front matter to rewrite).
    found = input_files(base, notes_dir, config.excludes.patterns)
    files = [p for p in found if escapes(p, inside) is None]
    return _Source(base, base / notes_dir, tuple(sorted(files)))


def _rel(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


def _migrate_all(
    src: _Source, config: Config, args: argparse.Namespace, step: Callable[[str], None]
) -> tuple[list[Migration], dict[str, bytes]]:
    from papernotes.load import decode
    from papernotes.markdown.factory import make_parser
    from papernotes.notes.migrate import Migration, migrate_note
    from papernotes.notes.migrate_ids import path_ids

    md = make_parser(allow_html=config.allow_html)
    keys = dict(config.keys)
    out: list[Migration] = []
    originals: dict[str, bytes] = {}
    texts: dict[str, str] = {}
    for path in src.files:
        if path.suffix.lower() != ".md":
            continue
        rel = _rel(path, src.base)
        step(rel)
        raw = path.read_bytes()
        text, problem = decode(raw, rel)
        if text is None:
            out.append(Migration(rel, None, (), (problem,) if problem else ()))
            continue
        originals[rel], texts[rel] = raw, text
        out.append(Migration(rel, None, (), ()))  # a place kept, in order: migrated below
    notes_dir = _rel(src.notes, src.base)
    ids = path_ids(texts, "" if notes_dir == "." else notes_dir, md, keys)
    for i, m in enumerate(out):
        if m.path in texts:
            raw, text = originals[m.path], texts[m.path]
            out[i] = migrate_note(
                m.path,
                raw,
                text,
                md,
                keys=keys,
                keep_unknown=args.keep_unknown,
                path_id=ids.get(m.path),
            )
    if args.fetch:
        out = _fetch(out, originals, texts, md, keys, args, ids)
    return out, originals


def _fetch(
    found: list[Migration],
    originals: dict[str, bytes],
    texts: dict[str, str],
    md: MarkdownIt,
    keys: dict[str, str],
    args: argparse.Namespace,
    ids: dict[str, str],
) -> list[Migration]:
    from papernotes.cli import fetch as cli_fetch
    from papernotes.notes.migrate import migrate_note
    from papernotes.notes.migrate_fetch import fetch_fills

    wanted = [m.ref for m in found if m.ref and m.needs]
    if not wanted:
        return found
    http = cli_fetch.http_factory(Path(args.root), args, lambda _url: None)
    with cli_fetch._progress(len(wanted), "fetching", args.quiet) as step:
        fills, failed = fetch_fills(http, [r for r in wanted if r], step)
    for label, why in failed.items():
        print(f"papernotes: warning: {label}: not filled in: {why}", file=sys.stderr)
    out: list[Migration] = []
    for m in found:
        fill = fills.get(m.ref or "") if m.needs else None
        if fill is None:
            out.append(m)
            continue
        raw, text = originals[m.path], texts[m.path]
        out.append(
            migrate_note(
                m.path,
                raw,
                text,
                md,
                keys=keys,
                fill=fill,
                keep_unknown=args.keep_unknown,
                path_id=ids.get(m.path),
            )
        )
    return out


def _report(migrations: Sequence[Migration], quiet: bool) -> None:
    for m in migrations:
        if m.data is None and not m.refused:
            continue  # already canonical: its own warnings are for `check`
        for change in m.changes if m.data is not None else ():
            print(change.format())
        print_diagnostics(m.diagnostics)
    if quiet:
        return
    changed = [m for m in migrations if m.data is not None]
    refused = sum(m.refused for m in migrations)
    changes = sum(len(m.changes) for m in changed)
    same = len(migrations) - len(changed) - refused
    line = (
        f"{len(migrations)} notes: {len(changed)} to migrate ({changes} changes), {same} unchanged"
    )
    if refused:
        line += f", {refused} left as they are (errors above)"
    print(line, file=sys.stderr)


def _backup_dir(base: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder, n = base / BACKUP_DIR / stamp, 1
    while folder.exists():  # two runs in one second
        n += 1
        folder = base / BACKUP_DIR / f"{stamp}-{n}"
    return folder


def _write_in_place(src: _Source, changed: Sequence[Migration], originals: dict[str, bytes]) -> int:
    from papernotes.atomic import create_new, write_atomic

    backup = _backup_dir(src.base)
    for m in changed:
        dest = backup / m.path
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            create_new(dest, originals[m.path])
        except OSError as exc:
            raise Stop(
                f"cannot write the backup {dest}: {exc.strerror or exc}; no note was changed"
            ) from None
    skipped = 0
    for m in changed:
        path = src.base / m.path
        assert m.data is not None
        if path.read_bytes() != originals[m.path]:
            print(f"papernotes: warning: {m.path}: changed while migrating; left as it is")
            skipped += 1
            continue
        write_atomic(path, m.data, mode=stat.S_IMODE(path.stat().st_mode))
    print(f"migrated {len(changed) - skipped} notes; the originals are in {backup}")
    return 1 if skipped else 0


def _write_into(
    src: _Source, config: Config, args: argparse.Namespace, migrations: Sequence[Migration]
) -> None:
    from papernotes.atomic import create_new
    from papernotes.config import CONFIG_FILE
    from papernotes.notes.scaffold import CONFIG

    new = Path(args.into)
    if new.exists() and (not new.is_dir() or any(new.iterdir())):
        raise Stop(f"{new} is not empty; --into writes a new library into a new or empty folder")
    if new.resolve().is_relative_to(src.notes.resolve()):
        raise Stop(f"{new} is inside the notes folder {src.notes}; choose a folder outside it")
    library = args.vault is None and (src.base / CONFIG_FILE).is_file()
    papers = new / (config.papers_dir if library else "papers")
    new.mkdir(parents=True, exist_ok=True)
    config_text = (src.base / CONFIG_FILE).read_bytes() if library else CONFIG.encode("utf-8")
    create_new(new / CONFIG_FILE, config_text)
    data = {m.path: m.data for m in migrations if m.data is not None}
    notes = others = 0
    for path in src.files:
        dest = papers / _rel(path, src.notes)
        dest.parent.mkdir(parents=True, exist_ok=True)
        migrated = data.get(_rel(path, src.base))
        create_new(dest, migrated if migrated is not None else path.read_bytes())
        if path.suffix.lower() == ".md":
            notes += 1
        else:
            others += 1
    print(f"wrote {new}: {notes} notes ({len(data)} migrated) and {others} other files")


def _cmd_migrate(args: argparse.Namespace) -> int:
    from papernotes.cli.fetch import _progress

    config = load_config_or_stop(Path(args.root))
    src = _source(args, config)
    total = sum(p.suffix.lower() == ".md" for p in src.files)
    with _progress(total, "migrating", args.quiet) as step:
        migrations, originals = _migrate_all(src, config, args, step)
    _report(migrations, args.quiet)
    changed = [m for m in migrations if m.data is not None]
    code = 1 if any(m.refused for m in migrations) else 0
    if args.into:
        _write_into(src, config, args, migrations)
    elif args.write and changed:
        code = max(code, _write_in_place(src, changed, originals))
    elif not args.write and changed and not args.quiet:
        print(
            "nothing written: --write rewrites these notes in place (originals saved in "
            f"{BACKUP_DIR}/), --into DIR writes a new library",
            file=sys.stderr,
        )
    return code


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    root_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Add the ``migrate`` subcommand to the CLI."""
    p = sub.add_parser(
        "migrate",
        help="rewrite Obsidian, Dendron, Zotero, Quartz or Hugo notes into canonical front matter",
        description="Rewrite each note's front matter as papernotes writes it (other tools' "
        "key names, Zotero item types, ';' author lists, TOML, Dendron ids, read: checkboxes, "
        "empty values), keeping every body byte for byte and every key papernotes does not "
        "read as a comment. Prints each change; writes nothing without --write or --into.",
    )
    root_arg(p)
    p.add_argument(
        "vault",
        nargs="?",
        metavar="DIR",
        help="a folder of notes (an Obsidian vault…) to migrate; default: the library's notes",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--write",
        action="store_true",
        help=f"rewrite the notes in place, each original saved in {BACKUP_DIR}/<time>/",
    )
    mode.add_argument(
        "--into",
        metavar="NEW_DIR",
        help="write a new library there (a new or empty folder): every note and file, migrated",
    )
    p.add_argument(
        "--fetch",
        action="store_true",
        help="fill a missing title, authors or year from the note's arXiv id, DOI or link",
    )
    p.add_argument(
        "--keep-unknown",
        action="store_true",
        help="keep keys papernotes does not read as keys, not comments (--strict warns of them)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=_cmd_migrate)
