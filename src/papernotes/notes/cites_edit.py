"""Adding keys to a note's ``cites:`` without touching any other byte of the file (pure).

Re-dumping the YAML would lose comments, quoting, key order and line endings, so the text is
edited in place instead: the front matter is composed into YAML nodes, whose marks give the
character offsets of the ``cites`` value, and new items are inserted there in the style
already used:

- a block list gets new ``  - key`` lines after its last item, with that item's indentation;
- a flow list ``[a, b]`` gets ``, key`` before its ``]``;
- an empty ``cites:`` gets block items on the lines after it; ``cites: a`` becomes
  ``cites: [a, key]``;
- no ``cites:`` at all gets one, as the last key of the front matter.

The result is parsed again and must hold the old list plus the new keys and every other key
unchanged; otherwise :class:`EditError` is raised and nothing should be written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from papernotes.errors import PapernotesError
from papernotes.frontmatter import split_note

__all__ = ["EditError", "add_cites", "yaml_key"]

_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
# Numbers to YAML 1.2 readers (1e5, 2021), even where PyYAML's YAML 1.1 reads a string.
_NUMBERISH = re.compile(r"[-+]?[0-9._]+(?:e[-+]?[0-9]+)?", re.IGNORECASE)
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class EditError(PapernotesError):
    """The front matter could not be edited safely."""


def yaml_key(key: str) -> str:
    """``key`` as a YAML scalar: plain when YAML reads it back as the same string."""
    if _PLAIN.fullmatch(key) and not _NUMBERISH.fullmatch(key):
        try:
            if yaml.safe_load(key) == key:
                return key
        except yaml.YAMLError:
            pass
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _front(text: str) -> tuple[int, int]:
    """Start and end offsets of the YAML between the ``---`` fences."""
    first = text.find("\n")
    if first < 0 or text[:first].rstrip() != "---":
        raise EditError("no front matter")
    pos = first + 1
    while pos < len(text):
        end = text.find("\n", pos)
        line = text[pos : end if end >= 0 else len(text)]
        if line.rstrip() in ("---", "..."):
            return first + 1, pos
        if end < 0:
            break
        pos = end + 1
    raise EditError("front matter is not closed")


def _line_end(text: str, index: int) -> int:
    """The offset just past the newline ending the line that holds ``index``."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _insert(front: str, keys: Sequence[str], nl: str) -> str:
    try:
        root = yaml.compose(front, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise EditError(f"front matter is not valid YAML: {exc}") from None
    if root is None:
        return front + f"cites:{nl}" + "".join(f"  - {yaml_key(k)}{nl}" for k in keys)
    if not isinstance(root, yaml.MappingNode):
        raise EditError("front matter is not a mapping")
    value = next((v for k, v in root.value if k.value == "cites"), None)
    if value is None:
        items = "".join(f"  - {yaml_key(k)}{nl}" for k in keys)
        return front + ("" if front.endswith("\n") or not front else nl) + f"cites:{nl}{items}"
    start, end = value.start_mark.index, value.end_mark.index
    if isinstance(value, yaml.SequenceNode) and value.flow_style:
        close = front.rindex("]", start, end)
        sep = ", " if value.value else ""
        return front[:close] + sep + ", ".join(yaml_key(k) for k in keys) + front[close:]
    if isinstance(value, yaml.SequenceNode):
        last = value.value[-1]
        line_start = front.rfind("\n", 0, last.start_mark.index) + 1
        prefix = front[line_start : last.start_mark.index]
        if prefix.strip() != "-":
            raise EditError("cites: unusual list layout")
        at = _line_end(front, last.end_mark.index)
        lead = "" if front[:at].endswith("\n") else nl
        items = "".join(f"{prefix}{yaml_key(k)}{nl}" for k in keys)
        return front[:at] + lead + items + front[at:]
    if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null"):
        if start == end:
            at = _line_end(front, start)
            lead = "" if front[:at].endswith("\n") else nl
            return front[:at] + lead + "".join(f"  - {yaml_key(k)}{nl}" for k in keys) + front[at:]
        return front[:start] + "[" + ", ".join(yaml_key(k) for k in keys) + "]" + front[end:]
    if isinstance(value, yaml.ScalarNode) and value.style in (None, "", "'", '"'):
        joined = ", ".join([front[start:end], *(yaml_key(k) for k in keys)])
        return front[:start] + f"[{joined}]" + front[end:]
    raise EditError("cites: is neither a list nor a single key")


def _values(text: str) -> dict[str, Any]:
    raw, diags = split_note("note", text.replace("\r\n", "\n").replace("\r", "\n"))
    if raw is None or diags:
        raise EditError("the edited front matter does not read back")
    return {f.name: f.value for f in raw.fields}


def add_cites(text: str, keys: Sequence[str]) -> str:
    """``text`` with ``keys`` appended to its front matter's ``cites:``; all else unchanged.

    ``text`` is the whole note, with its own line endings (a leading BOM must be removed by
    the caller). Raises EditError when the edit cannot be made or checked.
    """
    if not keys:
        return text
    nl = "\r\n" if "\r\n" in text else "\n"
    start, end = _front(text)
    edited = text[:start] + _insert(text[start:end], keys, nl) + text[end:]
    before, after = _values(text), _values(edited)
    old = before.pop("cites", None)
    new = after.pop("cites", None)
    old_list = [] if old is None else old if isinstance(old, list) else [old]
    if before != after or new != [*old_list, *keys]:
        raise EditError("the edit would change more than cites:")
    return edited
