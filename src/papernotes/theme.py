"""The theme: Jinja templates and static files, the library's own overriding the default ones.

A library's theme is untrusted input, like its notes: templates run in Jinja's immutable
sandbox (no attributes starting with ``_``, no Python internals, no mutating the values they
are given) and are read only from the theme folders; a file there that is a symlink leading
out of the library is neither read nor published.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from papernotes.blake import blake2b
from papernotes.errors import Diagnostic, warning
from papernotes.load import escapes

__all__ = ["UNSAFE_HINT", "Theme", "default_theme_dir", "load_theme", "theme_dirs"]

STATIC = "static"

UNSAFE_HINT = (
    "themes may only use the variables, filters and tests papernotes gives them — no "
    "attributes starting with '_', no changing lists or dicts, no files outside templates/"
)
"""What a template that tried something the sandbox refuses is told."""


class Theme(NamedTuple):
    """Templates ready to render and the static files to copy."""

    env: Any
    """Sandboxed, autoescaping, StrictUndefined environment; the library's templates shadow
    the default."""
    static: Mapping[str, Path]
    """Site path ("static/style.css") → the file to copy, after overrides."""
    dirs: tuple[Path, ...]
    """Template folders, first match wins."""
    fingerprint: str
    """Digest of every template and static file's path and bytes: a build made with other
    templates is not reused."""
    problems: tuple[Diagnostic, ...] = ()
    """Theme files refused because they lead out of the library, as warnings."""


def default_theme_dir() -> Path:
    """The default theme: inside the installed package, or the repository's ``templates/``.

    A wheel carries the theme as ``papernotes/templates``; an editable install or a source
    checkout reads the top-level ``templates/`` folder directly.
    """
    # The package's folder, as importlib.resources.files("papernotes") finds it for a package
    # on disk, without importing importlib.resources (with zipfile and tempfile: ~3 ms a build).
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def theme_dirs(root: Path) -> tuple[Path, ...]:
    """The library's own ``templates/`` (when it has one) before the default theme."""
    default = default_theme_dir()
    own = (root / "templates").resolve()
    return (own, default) if own.is_dir() and own != default.resolve() else (default,)


def _theme_files(
    root: Path, dirs: tuple[Path, ...]
) -> tuple[list[dict[str, Path]], list[Diagnostic]]:
    """Each folder's files by relative path; the library's own lose any that lead outside it."""
    default = default_theme_dir()
    library = root.resolve()
    found: list[dict[str, Path]] = []
    problems: list[Diagnostic] = []
    for folder in dirs:
        files: dict[str, Path] = {}
        trusted = folder == default  # the installed theme may live anywhere
        if not trusted and escapes(folder, (library,)) is not None:
            problems.append(_refused("templates", folder, "the default theme is used instead"))
            found.append(files)
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(folder).as_posix()
            target = None if trusted else escapes(path, (library,))
            if target is not None:
                problems.append(_refused(f"templates/{rel}", target, "it is not used"))
                continue
            files[rel] = path
        found.append(files)
    return found, problems


def _refused(display: str, target: Path, outcome: str) -> Diagnostic:
    return warning(
        display,
        None,
        f"links outside the library (→ {target}) — {outcome}",
        "copy the file into the library",
    )


def _fingerprint(found: list[dict[str, Path]]) -> str:
    h = blake2b(digest_size=16)
    for i, files in enumerate(found):
        for rel, path in files.items():
            h.update(f"{i}:{rel}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _template_source(
    templates: Mapping[str, Path],
) -> Callable[[str], tuple[str, str, Callable[[], bool]] | None]:
    """Jinja's loader function: a name is looked up among the theme's files and nowhere else."""
    from jinja2 import TemplateSyntaxError
    from jinja2.loaders import split_template_path

    def load(name: str) -> tuple[str, str, Callable[[], bool]] | None:
        path = templates.get("/".join(split_template_path(name)))  # refuses ".."
        if path is None:
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problem = "not UTF-8 text; re-save it as UTF-8"
            raise TemplateSyntaxError(problem, 1, name, str(path)) from None
        mtime = os.path.getmtime(path)
        return text, str(path), lambda: os.path.getmtime(path) == mtime

    return load


def load_theme(root: Path) -> Theme:
    """The default theme overlaid, file by file, with ``root/templates`` when it exists."""
    import jinja2  # here, so that checking whether anything changed never imports it

    from papernotes.sandbox import ThemeSandbox, bytecode_cache

    dirs = theme_dirs(root)
    found, problems = _theme_files(root, dirs)
    templates: dict[str, Path] = {}
    for files in reversed(found):
        templates.update(files)
    env = ThemeSandbox(
        loader=jinja2.FunctionLoader(_template_source(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache(default_theme_dir()),
        # A theme is loaded for a build (serve loads it again when a template changes): with
        # Jinja's auto_reload each page asked the file's time of every template it uses again.
        auto_reload=False,
    )
    prefix = f"{STATIC}/"
    static = {
        rel: path
        for rel, path in templates.items()
        if rel.startswith(prefix) and not any(p.startswith(".") for p in rel.split("/"))
    }
    return Theme(env, dict(sorted(static.items())), dirs, _fingerprint(found), tuple(problems))
