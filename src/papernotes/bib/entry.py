"""A BibTeX entry and name as export makes them: the parts of pybtex's ``Entry`` and ``Person``
that writing needs, without importing pybtex.

Importing pybtex costs ~40 ms a process (its package reads its own version through
``importlib.metadata``, which brings ``email``, ``zipfile``, ``csv``, ``calendar`` …), and an
edit build writes the edited note's entry on its paper page. Writing only joins name words and
field text, so these hold the same values as pybtex's classes (the same attribute names, the
same splitting into words, the same case-insensitive field names) and pybtex is imported only
to parse a name string by BibTeX's rules (:func:`names.parse_person`'s rare cases, raw
``tex.author`` fields), whose result :func:`from_pybtex` copies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from typing import Any, TypeVar

__all__ = [
    "Entry",
    "FieldDict",
    "Person",
    "from_pybtex",
    "parse_name",
    "split_name_list",
    "split_tex_string",
]

_V = TypeVar("_V")

# pybtex.bibtex.utils' BIBTEX_SPACE_RE and BRACE_RE: a word break is whitespace, "\ " or an
# unescaped "~".
_SPACE = re.compile(r"(?:\\ |\s|(?<!\\)~)+")
_BRACE = re.compile(r"{|}")
_AND = re.compile(" [Aa][Nn][Dd] ")


def _to_closing_brace(text: str) -> tuple[str, str]:
    """``text`` (just after a ``{``) cut after its matching ``}``: (up to it, the rest); all of
    it when it holds no brace, and what was found when it holds no match."""
    parts: list[str] = []
    level = 1
    while level >= 1:
        found = _BRACE.search(text)
        if not found:
            break
        parts.append(text[: found.end()])
        text = text[found.end() :]
        level += 1 if found.group() == "{" else -1
    if not parts:
        return text, ""
    return "".join(parts), text


def split_tex_string(text: str, sep: str | None = None) -> list[str]:
    """``text`` split at ``sep`` (a regular expression; by default BibTeX's word breaks, and
    then empty parts dropped) outside braces, each part stripped: pybtex's function of that
    name, which :class:`Person` and the checks of names use, ported to stay out of pybtex."""
    pattern = _SPACE if sep is None else re.compile(sep)
    result: list[str] = []
    word: list[str] = []
    while True:
        head, brace, text = text.partition("{")
        if head:
            pieces = pattern.split(head)
            for piece in pieces[:-1]:
                result.append("".join([*word, piece]))
                word = []
            word.append(pieces[-1])
        if not brace:
            break
        inside, text = _to_closing_brace(text)
        word += [brace, inside]
    if word:
        result.append("".join(word))
    stripped = [part.strip() for part in result]
    return [part for part in stripped if part] if sep is None else stripped


def split_name_list(text: str) -> list[str]:
    """A BibTeX name list split at ``and`` outside braces (pybtex's ``split_name_list``)."""
    return split_tex_string(text, _AND.pattern)


class FieldDict(MutableMapping[str, _V]):
    """A dict whose keys compare ignoring case and keep their spelling and first place, as
    pybtex's ``OrderedCaseInsensitiveDict``: setting ``"Title"`` replaces ``"title"`` in its
    place, spelled anew."""

    __slots__ = ("_keys", "_values")

    def __init__(self, items: Mapping[str, _V] | Iterable[tuple[str, _V]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        self._values: dict[str, _V] = {}
        self._keys: dict[str, str] = {}
        for key, value in pairs:
            self[key] = value

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys.values())

    def __getitem__(self, key: str) -> _V:
        return self._values[key.lower()]

    def __setitem__(self, key: str, value: _V) -> None:
        lower = key.lower()
        self._values[lower] = value
        self._keys[lower] = key

    def __delitem__(self, key: str) -> None:
        lower = key.lower()
        del self._values[lower]
        del self._keys[lower]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._values

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.items())!r})"


class Person:
    """A BibTeX name as lists of words by part, as pybtex's ``Person`` holds it (each part
    given as text is split into words outside braces)."""

    __slots__ = ("first_names", "last_names", "lineage_names", "middle_names", "prelast_names")

    def __init__(
        self,
        *,
        first: str = "",
        middle: str = "",
        prelast: str = "",
        last: str = "",
        lineage: str = "",
    ) -> None:
        self.first_names = split_tex_string(first)
        self.middle_names = split_tex_string(middle)
        self.prelast_names = split_tex_string(prelast)
        self.last_names = split_tex_string(last)
        self.lineage_names = split_tex_string(lineage)

    def _parts(self) -> tuple[list[str], ...]:
        return (
            self.first_names,
            self.middle_names,
            self.prelast_names,
            self.last_names,
            self.lineage_names,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Person) and self._parts() == other._parts()

    __hash__ = None  # type: ignore[assignment]  # mutable, as pybtex's

    def __str__(self) -> str:
        # pybtex's: "von Last, Jr, First", empty parts left out.
        von_last = " ".join(self.prelast_names + self.last_names)
        jr = " ".join(self.lineage_names)
        first = " ".join(self.first_names + self.middle_names)
        return ", ".join(part for part in (von_last, jr, first) if part)

    def __repr__(self) -> str:
        return f"Person({str(self)!r})"


def from_pybtex(person: Any) -> Person:
    """A pybtex ``Person`` (a name pybtex parsed) as a :class:`Person` of the same words."""
    out = Person()
    out.first_names = list(person.first_names)
    out.middle_names = list(person.middle_names)
    out.prelast_names = list(person.prelast_names)
    out.last_names = list(person.last_names)
    out.lineage_names = list(person.lineage_names)
    return out


def _is_von(word: str) -> bool:
    # pybtex's is_von_name for a word without "\\": lower case by its first letter outside braces.
    if word[0].isupper():
        return False
    if word[0].islower():
        return True
    depth = 0
    for ch in word:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and ch.isalpha():
            return ch.islower()
    return False


def _first(words: list[str], pred: Callable[[str], bool]) -> int:
    # pybtex's find_pos: the index of the first word for which pred holds, else one past the end
    # (1 for no words).
    return next((i for i, word in enumerate(words) if pred(word)), max(len(words), 1))


def parse_name(text: str) -> Person:
    """A name string read by BibTeX's rules (First von Last, von Last, First, von Last, Jr,
    First), as pybtex's ``Person(text)`` reads it, for at most three comma-separated parts.

    pybtex is imported for a name holding ``\\`` (a TeX command, whose case pybtex reads)
    or nested more than 100 braces deep (which it rejects) only.
    """
    text = text.strip()
    parts = split_tex_string(text, ",")
    if "\\" in text or len(parts) > 3 or _too_deep(text):
        from pybtex.database import Person as Parsed

        return from_pybtex(Parsed(text))
    person = Person()
    if len(parts) == 1:
        words = split_tex_string(text)
        cut = _first(words, _is_von)
        first, von_last = words[:cut], words[cut:]
        if not von_last and first:
            von_last.append(first.pop())
    else:
        von_last = split_tex_string(parts[0])
        first = split_tex_string(parts[-1])
        if len(parts) == 3:
            person.lineage_names = split_tex_string(parts[1])
    person.first_names, person.middle_names = first[:1], first[1:]
    if len(von_last) > 1:  # the last word is never "von"
        cut = len(von_last) - 1 - _first(von_last[-2::-1], _is_von)
        person.prelast_names, person.last_names = von_last[:cut], von_last[cut:]
    else:
        person.last_names = von_last
    return person


def _too_deep(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += 1 if ch == "{" else -1 if ch == "}" and depth else 0
        if depth > 100:
            return True
    return False


class Entry:
    """A BibTeX entry: its type (lower case, and as given), fields and persons by role, the
    names compared ignoring case (pybtex's ``Entry``, without its bibliography)."""

    __slots__ = ("fields", "original_type", "persons", "type")

    def __init__(
        self,
        type_: str,
        fields: Mapping[str, str] | None = None,
        persons: Mapping[str, list[Person]] | None = None,
    ) -> None:
        self.type = type_.lower()
        self.original_type = type_
        self.fields: FieldDict[str] = FieldDict(fields or {})
        self.persons: FieldDict[list[Person]] = FieldDict(persons or {})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entry) and (self.type, self.fields, self.persons) == (
            other.type,
            other.fields,
            other.persons,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Entry({self.original_type!r}, fields={self.fields!r}, persons={self.persons!r})"
