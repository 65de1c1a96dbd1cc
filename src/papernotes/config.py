"""The library's configuration: where it is read from, what each option means, its defaults.

A library is configured by ``papernotes.yaml`` in its root, or, when that file is absent, by a
``[tool.papernotes]`` table in ``pyproject.toml`` (how this repository configures its own bundled
library). Neither is required: every option has a default.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import yaml

from papernotes.errors import Diagnostic, error, warning
from papernotes.foreign import yaml_error

if TYPE_CHECKING:
    from papernotes.exclude import Exclude

__all__ = ["CONFIG_FILE", "Config", "load_config"]

CONFIG_FILE = "papernotes.yaml"


class Config(NamedTuple):
    """Options of one library."""

    title: str = "Paper notes"
    """The site's name, shown in every page header and the browser tab."""
    description: str = ""
    """One sentence about the library, for the home page and feeds."""
    author: str = ""
    """Who keeps the notes (shown in the footer and feeds)."""
    base_url: str = ""
    """Where the site is published (``https://me.example/notes/``); used only for absolute
    links in feeds and the sitemap, never for links between pages, which stay relative."""
    language: str = "en"
    """The ``lang`` of the pages (``zh-CN``, ``en``); affects fonts and screen readers."""
    papers_dir: str = "papers"
    """The folder of notes, relative to the library root."""
    output: str = "site"
    """The default output folder, relative to the library root."""
    allow_html: bool = False
    """Let raw HTML in notes through (sanitised); off by default, so it shows as text."""
    email: str = ""
    """A contact address sent to metadata APIs (Crossref's "polite pool"), when set."""
    keys: tuple[tuple[str, str], ...] = ()
    """The library's own front-matter spellings, ``(spelling, key)`` pairs from a ``keys:``
    mapping (``keys: {myVenue: venue}``): read as the key, silently, even under --strict."""
    exclude: tuple[str, ...] | None = None
    """gitignore-style patterns, relative to the notes folder, of files that are neither notes
    nor published (``[templates/, private/**, "**/*.excalidraw.md"]``). None (no ``exclude``
    key) means the defaults of :data:`papernotes.exclude.DEFAULT_EXCLUDE`; ``[]`` excludes
    nothing."""

    @property
    def excludes(self) -> Exclude:
        """The patterns in force, and whether they are the defaults."""
        from papernotes.exclude import Exclude  # a no-op build never asks (tests pin that)

        if self.exclude is None:
            return Exclude()
        return Exclude(self.exclude, default=False)


_TYPES: dict[str, type] = {name: type(value) for name, value in Config._field_defaults.items()}


def load_config(root: Path) -> tuple[Config, tuple[Diagnostic, ...]]:
    """Read the library's configuration, returning the defaults when there is none."""
    yaml_path = root / CONFIG_FILE
    if yaml_path.is_file():
        return _from_yaml(yaml_path)
    toml_path = root / "pyproject.toml"
    if toml_path.is_file():
        return _from_pyproject(toml_path)
    return Config(), ()


def _from_yaml(path: Path) -> tuple[Config, tuple[Diagnostic, ...]]:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except UnicodeDecodeError:
        return Config(), (error(name, None, "not UTF-8 text", "save the file as UTF-8"),)
    except yaml.MarkedYAMLError as exc:
        return Config(), (yaml_error(exc, name, "invalid YAML"),)
    if node is None:
        return Config(), ()
    if not isinstance(node, yaml.MappingNode):
        return Config(), (error(name, 1, "expected a mapping of option: value"),)
    items: list[tuple[str, Any, int]] = []
    for key_node, value_node in node.value:
        value = yaml.safe_load(yaml.serialize(value_node))
        items.append((str(key_node.value), value, key_node.start_mark.line + 1))
    return _validate(name, items)


def _from_pyproject(path: Path) -> tuple[Config, tuple[Diagnostic, ...]]:
    import tomllib  # here: most libraries are configured in YAML (~2 ms a build)

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return Config(), (error(path.name, None, f"cannot read: {exc}"),)
    table = data.get("tool", {}).get("papernotes", {})
    if not isinstance(table, dict):
        return Config(), (error(path.name, None, "[tool.papernotes] must be a table"),)
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip() == "[tool.papernotes]"), None)

    def line_of(key: str) -> int | None:
        if start is None:
            return None
        for i in range(start + 1, len(lines)):
            if lines[i].startswith("["):
                break
            if lines[i].split("=")[0].strip() == key:
                return i + 1
        return start + 1

    items = [(str(k), v, line_of(str(k))) for k, v in table.items()]
    return _validate(path.name, items)


def _validate(
    name: str, items: Sequence[tuple[str, Any, int | None]]
) -> tuple[Config, tuple[Diagnostic, ...]]:
    values: dict[str, Any] = {}
    diags: list[Diagnostic] = []
    for key, value, line in items:
        expected = _TYPES.get(key)
        if expected is None:
            from difflib import get_close_matches  # only for a mistake (~2 ms to import)

            close = get_close_matches(key, _TYPES, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(_TYPES)}"
            diags.append(warning(name, line, f"{key}: unknown option", hint))
        elif value is None:
            continue
        elif key == "exclude":
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                values[key] = tuple(v.strip() for v in value if v.strip())
            else:
                hint = "write a list of patterns, e.g. exclude: [templates/, private/**]"
                diags.append(error(name, line, f"exclude: expected a list, got {value!r}", hint))
        elif key == "keys":
            mapped, problem = _keys(value)
            if problem:
                from papernotes.schema import KEYS  # only a library with keys: needs it

                hint = f"known keys: {', '.join(k.name for k in KEYS)}"
                diags.append(error(name, line, f"keys: {problem}", hint))
            values[key] = mapped
        elif type(value) is not expected:
            what = "true or false" if expected is bool else "text"
            diags.append(error(name, line, f"{key}: expected {what}, got {value!r}"))
        else:
            values[key] = value.strip() if isinstance(value, str) else value
    for key in ("papers_dir", "output"):
        if key in values and (not values[key] or Path(values[key]).is_absolute()):
            diags.append(error(name, None, f"{key}: expected a folder inside the library"))
            del values[key]
    return Config(**values), tuple(diags)


def _keys(value: Any) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """The ``keys:`` mapping as (spelling, key) pairs, and what is wrong with it, if anything
    (the pairs that are right are kept)."""
    from papernotes.schema import by_name  # only a library with keys: needs it

    if not isinstance(value, dict):
        return (), f"expected a mapping of spelling: key, got {value!r}"
    pairs: list[tuple[str, str]] = []
    for spelling, key in value.items():
        if not isinstance(key, str) or by_name(key) is None:
            return tuple(pairs), f"{spelling}: {key!r} is not a front-matter key"
        pairs.append((str(spelling), key))
    return tuple(pairs), None
