"""Where each front-matter key of a note, and each item of its value, was written: held as
numbers, made into :class:`~papernotes.errors.Location` values only when asked for (``check``,
a problem in the note). Every note's are held to the end of a build, and in the cache."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from papernotes.errors import Location

__all__ = ["FieldLocation", "FieldLocations"]

_NO_VALUE = -2
"""In :attr:`FieldLocation.spots`, the value's line when the value's place is not known."""


@dataclass(frozen=True, slots=True)
class FieldLocation:
    """Where one front-matter key, and each item of its list value, is written.

    Held as numbers, one object per key: a :class:`Location` for each place was 31 objects
    and 3.6 KB a note (at 5,000 notes, 18 MiB of the build's memory, held to the end for
    the cache, and the cache decoded them all again at each build). The places are made
    when asked for, which only ``check`` and problems in a note do."""

    path: str
    """The note file, as in its :class:`Location` values."""
    spots: tuple[int, ...]
    """The key's line and column, the value's (``_NO_VALUE`` when not known), then each
    item's; -1 for a line or column that is not known."""

    @classmethod
    def of(
        cls, key: Location, items: tuple[Location, ...] = (), value: Location | None = None
    ) -> FieldLocation:
        """The places of a key, its items and its value, all in ``key``'s file."""
        at = [key.line, key.col]
        at += [_NO_VALUE, _NO_VALUE] if value is None else [value.line, value.col]
        for item in items:
            at += [item.line, item.col]
        return cls(key.path, tuple(-1 if n is None else n for n in at))

    def _place(self, i: int) -> Location:
        # The cache is untrusted: numbers that are not a place read as "not known".
        line, col = self.spots[i : i + 2] if len(self.spots) >= i + 2 else (-1, -1)
        return Location(self.path, None if line < 0 else line, None if col < 0 else col)

    @property
    def key(self) -> Location:
        """The key's file, line and column."""
        return self._place(0)

    @property
    def items(self) -> tuple[Location, ...]:
        """For a list value, where each item starts; empty for any other value."""
        return tuple(self._place(i) for i in range(4, len(self.spots), 2))

    def item(self, i: int) -> Location:
        """Where the ``i``-th item of a list value is; the key's place past the last item."""
        at = 4 + 2 * i
        return self._place(at if i >= 0 and at < len(self.spots) else 0)

    @property
    def value(self) -> Location | None:
        """Where the value is written (its opening quote, if quoted): a URL's column for
        ``check``."""
        return self._place(2) if self.spots[2:3] not in ((), (_NO_VALUE,)) else None


@dataclass(frozen=True, slots=True, eq=False)  # equal as mappings are (``Mapping.__eq__``)
class FieldLocations(Mapping[str, FieldLocation]):
    """Where each front-matter key of a note was written: ``key → FieldLocation``, in file
    order, held as two tuples (a dict and a :class:`FieldLocation` per key were 2 KB a note,
    this is about 0.5); each :class:`FieldLocation` is made when it is looked up."""

    path: str
    """The note file."""
    names: tuple[str, ...]
    """The keys as written, in file order."""
    spots: tuple[int, ...]
    """Each key's :attr:`FieldLocation.spots`, one after the other, each preceded by its
    length."""

    @classmethod
    def of(cls, path: str, places: Mapping[str, FieldLocation]) -> FieldLocations:
        """``places`` (each in the note file ``path``) held small."""
        spots: list[int] = []
        for where in places.values():
            spots.append(len(where.spots))
            spots.extend(where.spots)
        return cls(path, tuple(places), tuple(spots))

    def __getitem__(self, name: str) -> FieldLocation:
        try:
            i = self.names.index(name)
        except ValueError:
            raise KeyError(name) from None
        at, spots = 0, self.spots
        for _ in range(i):  # a length out of range (a crafted cache) ends the walk: no places
            at += (spots[at] if 0 <= at < len(spots) else len(spots)) + 1
        size = spots[at] if 0 <= at < len(spots) else 0
        return FieldLocation(self.path, spots[at + 1 : at + 1 + max(size, 0)])

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)
