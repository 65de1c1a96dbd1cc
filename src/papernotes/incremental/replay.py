"""The no-op ``papernotes build`` that the command line answers before it reads the
configuration (PyYAML, our model, ``argparse``: together most of a no-op build's time).

The last build run from the command line leaves a note beside its stamp (:func:`save_replay`):
the arguments, the configuration's problems, the output manifest's size and time. When the
arguments are the same, the stamp is the one that note saw, and no stamped input, watched folder
(``fastpath.stamp_for``) or the manifest moved, the last report is this one (:func:`replay`).
Folders are watched by modification time, so a note added or removed shows without walking the
notes folder; an unchanged configuration file (a stamped input) is an unchanged configuration,
so it need not be parsed. Any doubt answers None, and the full build (and its check) runs.

Only ``json`` and ``os`` are imported here, not even ``dataclasses`` (with ``inspect``, more
than all the stat calls of a 1,000-note library), nor ``typing``: :class:`Replay` is a
``collections.namedtuple``.
"""

from __future__ import annotations

import json
import os
from collections import namedtuple

from papernotes import __version__

TYPE_CHECKING = False  # not typing's (~2 ms to import): mypy reads this name as typing's
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path
    from typing import Any, NamedTuple

    from papernotes.errors import Diagnostic

__all__ = [
    "REPLAY_FILE",
    "Replay",
    "diagnostics_to_json",
    "last_build",
    "moved_inputs",
    "refresh_note",
    "replay",
    "reported",
    "save_replay",
    "saved_report",
]

REPLAY_FILE = "noop.json"
"""The command line's note beside ``stamp.json`` in ``.papernotes/cache/``."""
_REPLAY_FORMAT = 1


def diagnostics_to_json(diags: Sequence[Diagnostic]) -> list[list[Any]]:
    """Diagnostics as the stamp keeps them: ``[severity, path, line, col, message, hint]``."""
    return [
        [d.severity.value, d.where.path, d.where.line, d.where.col, d.message, d.hint]
        for d in diags
    ]


def _from_json(rows: object) -> tuple[Diagnostic, ...] | None:
    """The diagnostics saved in the stamp, or None when they are not what we write (the
    stamp is untrusted: a library may come with one)."""
    if not isinstance(rows, list):
        return None
    if not rows:
        return ()
    from papernotes.errors import Diagnostic, Location, Severity

    out = []
    for row in rows:
        if not isinstance(row, list) or len(row) != 6:
            return None
        sev, path, line, col, message, hint = row
        # A note (a draft left out) is said on every build, the up-to-date ones too.
        if sev not in ("note", "warning", "error") or not isinstance(path, str):
            return None
        if not all(n is None or type(n) is int for n in (line, col)):
            return None
        if not isinstance(message, str):
            return None
        if hint is not None and not isinstance(hint, str):
            return None
        out.append(Diagnostic(Severity(sev), Location(path, line, col), message, hint))
    return tuple(out)


def _count(value: object) -> int | None:
    return value if type(value) is int and value >= 0 else None


def saved_report(saved: dict[str, Any]) -> tuple[int, int, tuple[Diagnostic, ...]] | None:
    """Notes, pages and diagnostics of the build that saved the stamp ``saved``, or None when
    it is not to be replayed."""
    # A build that left notes out (--keep-going) is replayed by no one: a plain build must
    # fail on those notes, and a keep-going one must publish them once they are fixed.
    if saved.get("partial"):
        return None
    diags = _from_json(saved.get("diagnostics", []))
    notes, pages = _count(saved.get("notes", 0)), _count(saved.get("pages", 0))
    if diags is None or notes is None or pages is None:
        return None
    return notes, pages, diags


if TYPE_CHECKING:

    class Replay(NamedTuple):
        """The answer to ``papernotes build`` when nothing changed since the last one."""

        notes: int
        """Notes built."""
        pages: int
        """Files in the output folder."""
        config_diagnostics: tuple[Diagnostic, ...]
        """The configuration's problems, printed first."""
        diagnostics: tuple[Diagnostic, ...]
        """The last build's problems (its summary counts these)."""

else:
    # What typing.NamedTuple makes of the class above, without importing typing.
    Replay = namedtuple("Replay", "notes pages config_diagnostics diagnostics")
    Replay.__doc__ = "The answer to ``papernotes build`` when nothing changed since the last one."


def _signature(path: str) -> list[int] | None:
    """Size, modification time and inode of ``path``: a file rewritten in place or replaced."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in a path from an untrusted note
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _cache_folder(root: str) -> str | None:
    """``root``'s cache folder, unless a symlink leads it out of the library."""
    folder = os.path.join(root, ".papernotes", "cache")
    real = os.path.realpath(folder)
    return folder if real == os.path.join(os.path.realpath(root), ".papernotes", "cache") else None


def _read_json(path: str) -> Any:
    try:
        with open(path, "rb") as f:
            return json.loads(f.read())
    except (OSError, ValueError, RecursionError):
        return None


def moved_inputs(stamp: dict[str, Any], most: int) -> list[tuple[str, list[int]]] | None:
    """The stamped inputs whose size or time moved, each with them now, up to ``most`` + 1 of
    them (the search stops there); None when a watched folder moved (a file added or
    removed), an input is gone, or ``stamp`` is not a stamp."""
    inputs, watch = stamp.get("inputs"), stamp.get("watch")
    if not isinstance(inputs, dict) or not isinstance(watch, dict):
        return None
    for path, then in watch.items():
        try:
            now: int | None = os.stat(path).st_mtime_ns
        except (OSError, ValueError):
            now = None
        if now != then:
            return None
    moved: list[tuple[str, list[int]]] = []
    for path, then in inputs.items():
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return None
        if then != [st.st_size, st.st_mtime_ns]:
            moved.append((path, [st.st_size, st.st_mtime_ns]))
            if len(moved) > most:
                break
    return moved


def _unchanged(stamp: dict[str, Any]) -> bool:
    """Whether every stamped input and watched folder is as the stamp saw it."""
    return moved_inputs(stamp, 0) == []


def last_build(root: str, out: str | None) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The note the last build left and its stamp (both as read: untrusted), when
    ``papernotes build --root root [--out out]`` is the call that build was, its stamp is the
    one the note saw and the output folder is as it left it; else None. What changed since is
    the caller's to check (:func:`replay`: nothing; ``incremental.quick``: one note's body)."""
    folder = _cache_folder(root)
    note = _read_json(os.path.join(folder, REPLAY_FILE)) if folder else None
    if not isinstance(note, dict) or note.get("format") != _REPLAY_FORMAT or folder is None:
        return None
    manifest = note.get("manifest")
    try:
        here = os.stat(root)
    except OSError:
        return None
    # The same folder (not a copy that came with its cache), named the same way from the same
    # place: the stamp's paths are as the build named them.
    same_call = (
        note.get("version") == __version__
        and note.get("cwd") == os.getcwd()
        and note.get("args") == [root, out]
        and note.get("root") == [here.st_ino, here.st_dev]
    )
    stamp_path = os.path.join(folder, "stamp.json")
    if not same_call or _signature(stamp_path) != note.get("stamp"):
        return None
    # The output folder as that build left it (its manifest unchanged).
    if not isinstance(manifest, list) or len(manifest) != 2 or not isinstance(manifest[0], str):
        return None
    if _signature(manifest[0]) != manifest[1]:
        return None
    stamp = _read_json(stamp_path)
    return (note, stamp) if isinstance(stamp, dict) else None


def reported(note: dict[str, Any], stamp: dict[str, Any], *, strict: bool) -> Replay | None:
    """The last build's report (``stamp``'s, with the configuration's problems ``note``
    holds), unless it has an error, or a warning under ``strict``: those are the full build's
    to report."""
    last = saved_report(stamp)
    config_diags = _from_json(note.get("config"))
    if last is None or config_diags is None:
        return None
    notes, pages, last_diags = last
    diags = (*config_diags, *last_diags)
    # --strict makes errors of warnings, and errors are the full build's to report.
    # (A note is never promoted: it does not stop a strict replay.)
    if any(d.severity.value == "error" for d in diags) or (
        strict and any(d.severity.value == "warning" for d in diags)
    ):
        return None
    return Replay(notes, pages, config_diags, last_diags)


def replay(root: str, out: str | None, *, strict: bool) -> Replay | None:
    """The last build's report, when ``papernotes build --root root [--out out]`` would find
    nothing to do and have nothing new to say (else None: run the build)."""
    last = last_build(root, out)
    if last is None or not _unchanged(last[1]):
        return None
    return reported(*last, strict=strict)


def refresh_note(root: str, note: dict[str, Any]) -> None:
    """Write ``note`` (:func:`last_build`'s) again with the stamp's and the output manifest's
    signatures as they are now: a quick edit (``incremental.quick``) rewrote both."""
    from pathlib import Path

    from papernotes.atomic import write_atomic

    folder = _cache_folder(root)
    if folder is None:
        raise OSError(f"{root}: its cache folder leads outside the library")
    manifest = note["manifest"][0]
    fresh = {
        **note,
        "stamp": _signature(os.path.join(folder, "stamp.json")),
        "manifest": [manifest, _signature(manifest)],
    }
    write_atomic(Path(folder, REPLAY_FILE), json.dumps(fresh).encode("utf-8"))


def save_replay(
    root: Path,
    args: tuple[str, str | None],
    out: Path,
    config_diags: Sequence[Diagnostic],
    quick: dict[str, object] | None = None,
) -> None:
    """Leave the note :func:`replay` reads, after a build run with ``args`` (``--root`` and
    ``--out`` as given) that left ``out`` and its stamp; or remove a note that would be stale.
    ``quick``: what ``incremental.quick`` reads of the configuration (no YAML there)."""
    from papernotes.atomic import write_atomic
    from papernotes.incremental.cache import state_path
    from papernotes.write import MARKER

    path = state_path(root, "cache", REPLAY_FILE)
    stamp = _signature(str(state_path(root, "cache", "stamp.json")))
    manifest = str(out.resolve() / MARKER)
    here = os.stat(root)
    if stamp is None:
        path.unlink(missing_ok=True)
        return
    note = {
        "format": _REPLAY_FORMAT,
        "version": __version__,
        "cwd": os.getcwd(),
        "args": list(args),
        "root": [here.st_ino, here.st_dev],
        "stamp": stamp,
        "manifest": [manifest, _signature(manifest)],
        "config": diagnostics_to_json(config_diags),
        **({"quick": quick} if quick is not None else {}),
    }
    write_atomic(path, json.dumps(note).encode("utf-8"))
