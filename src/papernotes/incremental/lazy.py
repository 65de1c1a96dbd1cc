"""Parts of the build cache decoded only when a build asks for them.

An edit build needs every note's parsed note (to link the library) but, of the search terms
of the notes it did not touch, none: the stored search index is updated from the old and new
terms of the edited note alone (``incremental.searchstate``), and an unchanged entry is not
written again. Decoding them all was a quarter of reading the cache at 1,000 notes. So the
store keeps each part of an entry as its own JSON text, with its fingerprint beside it
(:class:`Parts`), and :func:`~papernotes.incremental.reuse.reuse` compares fingerprints without
decoding (:class:`Reused`): a value is decoded when something reads it, at most once.

The store does not even read a part's text until it is asked for: it gives :class:`Parts`
what reads it from its bucket file (a :data:`Load`), called at most once. A part that turns
out not to decode, or not to be there any more (the store checks each entry's length when it
reads its first line, so only a crafted or rewritten file gets this far), is made again, as if
the cache had not held it, and its entry is written again by the next save (``on_fail``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from operator import itemgetter
from typing import Any, Generic, TypeVar

__all__ = [
    "Kept",
    "Load",
    "Parts",
    "Reused",
    "fingerprint_of",
    "fingerprint_reader",
    "fingerprints",
    "mapped",
    "may_hold",
    "raw_of",
    "seconds",
    "source_of",
    "undecoded",
]

_V = TypeVar("_V")
_K = TypeVar("_K", bound=str)
_T = TypeVar("_T")

Load = Callable[[], bytes]
"""What reads a part's JSON text where the store left it; ValueError or OSError when it is
not there as it was."""


class Parts(Mapping[str, tuple[str, _V]], Generic[_V]):
    """Citekey → (fingerprint, value), each value decoded from its JSON text when first read.

    Iterating gives every key, but a value that does not decode is left out from then on (it
    is as if the cache had never held it)."""

    __slots__ = ("_decode", "_done", "_fps", "_on_fail", "_raw", "decoded")

    def __init__(
        self,
        raw: Mapping[str, tuple[str, bytes | Load]],
        decode: Callable[[Any], _V],
        on_fail: Callable[[str], object] = lambda key: None,
    ) -> None:
        """``raw``: citekey → (fingerprint, the value's JSON, or what reads it); ``decode``
        makes the value from the parsed JSON (a ``ValueError`` when it does not fit);
        ``on_fail`` hears of a key whose value did not, or could not be read."""
        self._fps = {k: fp for k, (fp, _) in raw.items()}
        self._raw = {k: text for k, (_, text) in raw.items()}
        self._done: dict[str, tuple[str, _V]] = {}
        self._decode = decode
        self._on_fail = on_fail
        self.decoded = 0
        """How many values were decoded so far (what the tests count)."""

    def fingerprint(self, key: str) -> str | None:
        """The fingerprint of ``key``'s value, without decoding it; None if there is none."""
        return self._fps.get(key)

    def _text(self, key: str) -> bytes | None:
        """``key``'s JSON text, read if it was not yet (and kept); None when there is none,
        or it cannot be read."""
        text = self._raw.get(key)
        if text is None or type(text) is bytes:
            return text
        try:
            read = self._raw[key] = text()  # type: ignore[operator]
        except (OSError, ValueError):
            return None
        return read

    def raw(self, key: str) -> bytes | None:
        """``key``'s value as the JSON text it was given as, while it is not decoded (the
        store writes it as it is); None once decoded, or if there is none."""
        return self._text(key)

    def undecoded(self, key: str) -> bool:
        """Whether ``key``'s value is still its JSON text (or where to read it): what
        :meth:`raw` would give, without reading it."""
        return key in self._raw

    def source(self, key: str) -> bytes | Load | None:
        """``key``'s JSON text as :meth:`raw` gives it, or what reads it when it was not read
        yet: for another :class:`Parts` to hold, without reading it now."""
        text = self._raw.get(key)
        return text if text is not None and type(text) is not bytes else self.raw(key)

    def may_hold(self, key: str, text: str) -> bool:
        """False when ``key``'s value is still JSON that does not hold ``text`` (as a JSON
        string holds it), so no string in the value does; True otherwise. Decodes nothing."""
        raw = self._text(key)
        return raw is None or json.dumps(text, ensure_ascii=False)[1:-1].encode() in raw

    def __getitem__(self, key: str) -> tuple[str, _V]:
        done = self._done.get(key)
        if done is not None:
            return done
        fp = self._fps[key]
        try:
            text = self._raw[key]
            value = self._decode(json.loads(text if isinstance(text, bytes) else text()))
        except (ValueError, RecursionError, OSError):
            del self._fps[key]
            self._on_fail(key)
            raise KeyError(key) from None
        finally:
            self._raw.pop(key, None)  # memory: the text is not needed again either way
        self.decoded += 1
        done = self._done[key] = (fp, value)
        return done

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(self._fps))

    def __len__(self) -> int:
        return len(self._fps)

    def __contains__(self, key: object) -> bool:
        return key in self._fps

    def items(self) -> Iterator[tuple[str, tuple[str, _V]]]:  # type: ignore[override]
        """Every (key, value) that decodes."""
        for key in tuple(self._fps):
            value = self.get(key)
            if value is not None:
                yield key, value


def fingerprint_of(parts: Mapping[str, tuple[str, Any]], key: str) -> str | None:
    """The fingerprint ``parts`` holds for ``key``, decoding nothing where it can."""
    if isinstance(parts, (Parts, Reused, Kept)):
        return parts.fingerprint(key)
    hit = parts.get(key)
    return None if hit is None else hit[0]


def fingerprints(parts: Mapping[str, tuple[str, Any]]) -> Mapping[str, str]:
    """Key → fingerprint for every key of ``parts``, decoding nothing: a save asks for all
    10,000 at once, and one :func:`fingerprint_of` call per key was 4 % of a 10k save."""
    if isinstance(parts, (Reused, Kept)):  # their fingerprints never change once made
        return parts._fps
    if isinstance(parts, Parts):  # a copy: a value that fails to decode drops its key
        return dict(parts._fps)
    return dict(zip(parts, map(itemgetter(0), parts.values()), strict=True))  # at C speed


def fingerprint_reader(parts: Mapping[str, tuple[str, Any]]) -> Callable[[str | None], str | None]:
    """:func:`fingerprint_of` in ``parts`` (None for no key), decoding nothing: at C speed
    where the fingerprints are a map, for a pass over every key (the store's save)."""
    if isinstance(parts, (Parts, Reused, Kept)) or type(parts) is dict:
        return fingerprints(parts).get  # type: ignore[return-value]  # get(None) is None
    return lambda key: None if key is None else fingerprint_of(parts, key)


def raw_of(parts: Mapping[str, tuple[str, Any]], key: str) -> bytes | None:
    """``key``'s value in ``parts`` as its JSON text, while it is that (:meth:`Parts.raw`)."""
    return parts.raw(key) if isinstance(parts, (Parts, Reused)) else None


def undecoded(parts: Mapping[str, tuple[str, Any]], key: str) -> bool:
    """Whether :func:`raw_of` would give ``key``'s JSON text, without reading it."""
    return parts.undecoded(key) if isinstance(parts, (Parts, Reused)) else False


def source_of(parts: Mapping[str, tuple[str, Any]], key: str) -> bytes | Load | None:
    """``key``'s value in ``parts`` as its JSON text or what reads it (:meth:`Parts.source`)."""
    return parts.source(key) if isinstance(parts, (Parts, Reused)) else None


class Reused(Mapping[_K, tuple[str, _T]], Generic[_K, _T]):
    """What :func:`~papernotes.incremental.reuse.reuse` returns when the last build's values
    are :class:`Parts`: key → (fingerprint, value), with the values made now at hand and the
    kept ones decoded when read (or made then, should one not decode)."""

    __slots__ = ("_fps", "_inputs", "_kept", "_made", "_make")

    def __init__(
        self,
        wanted: Mapping[_K, tuple[str, Any]],
        kept: Parts[_T],
        made: dict[_K, _T],
        make: Callable[[Any], _T],
    ) -> None:
        self._fps: dict[str, str] = {k: fp for k, (fp, _) in wanted.items()}
        self._inputs = {k: wanted[k][1] for k in wanted if k not in made}
        self._kept = kept
        self._made = made
        self._make = make

    def fingerprint(self, key: str) -> str | None:
        return self._fps.get(key)

    def raw(self, key: str) -> bytes | None:
        """As :meth:`Parts.raw`, for a kept value (one made now has no JSON text)."""
        return None if key in self._made else self._kept.raw(key)

    def undecoded(self, key: str) -> bool:
        """As :meth:`Parts.undecoded`, for a kept value."""
        return key not in self._made and self._kept.undecoded(key)

    def source(self, key: str) -> bytes | Load | None:
        """As :meth:`Parts.source`, for a kept value."""
        return None if key in self._made else self._kept.source(key)

    def may_hold(self, key: str, text: str) -> bool:
        """As :meth:`Parts.may_hold`: False only for a kept value that surely lacks ``text``."""
        return key in self._made or self._kept.may_hold(key, text)

    def __getitem__(self, key: _K) -> tuple[str, _T]:
        fp = self._fps[key]
        made = self._made.get(key)
        if made is not None:
            return fp, made
        hit = self._kept.get(key)
        if hit is None:  # it did not decode after all: made now, as a cold build would
            value = self._made[key] = self._make(self._inputs[key])
            return fp, value
        return fp, hit[1]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._fps)  # type: ignore[arg-type]  # the keys of ``wanted``

    def __len__(self) -> int:
        return len(self._fps)

    def __contains__(self, key: object) -> bool:
        return key in self._fps


def seconds(parts: Mapping[_K, tuple[str, _T]]) -> Mapping[_K, _T]:
    """``parts`` without the fingerprints, as a view: reading one value decodes only it."""
    return _Seconds(parts)


class _Seconds(Mapping[_K, _T], Generic[_K, _T]):
    __slots__ = ("_parts",)

    def __init__(self, parts: Mapping[_K, tuple[str, _T]]) -> None:
        self._parts = parts

    def may_hold(self, key: str, text: str) -> bool:
        return may_hold(self._parts, key, text)

    def __getitem__(self, key: _K) -> _T:
        return self._parts[key][1]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)


def may_hold(parts: Mapping[Any, Any], key: str, text: str) -> bool:
    """False when ``key``'s value in ``parts`` (or in a :func:`seconds` view of them) surely
    holds no string containing ``text``,
    found without decoding it; True when it may (then read the value to know)."""
    if isinstance(parts, (Parts, Reused, _Seconds)):
        return parts.may_hold(key, text)
    return True


_FOLD = 64
"""Values a :class:`Kept` carries from the saves before it, at least, before they are merged
into the map it shares with them."""


class Kept(Mapping[str, tuple[str, _T]], Generic[_T]):
    """Key → (fingerprint, value): ``made`` where it has the key, else ``old``'s value, read
    (and so decoded) only when asked for. What a stage returns when it kept most of the last
    build's values, so that the kept ones reach the next cache undecoded."""

    __slots__ = ("_base", "_fps", "_made", "_old", "_remake")
    _base: dict[str, tuple[str, _T]]
    """Values an earlier one made, each valid while its fingerprint is the key's."""

    def __init__(
        self,
        fps: dict[str, str],
        old: Mapping[str, tuple[str, _T]],
        made: dict[str, tuple[str, _T]],
        remake: Callable[[str], tuple[str, _T]],
    ) -> None:
        """``fps``: every key's fingerprint, in order; a key not in ``made`` is in ``old``,
        unless its value there does not decode after all: then ``remake`` makes it."""
        base: dict[str, tuple[str, _T]] = {}
        if isinstance(old, Kept):  # serve keeps each save's: one level, not one per save
            before, base = old._made, old._base
            # What the saves before made is shared, not copied (a cold start made every
            # note's: 20,000 carried on every save), and taken where its fingerprint is
            # still the key's; merged into one map once what they made is an eighth of it.
            if not base:
                base, before = before, {}
            elif len(before) > max(_FOLD, len(base) // 8):
                base = {k: v for k, v in (*base.items(), *before.items()) if fps.get(k) == v[0]}
                before = {}
            carried = {k: v for k, v in before.items() if k not in made and fps.get(k) == v[0]}
            inner: Mapping[str, tuple[str, _T]] = old._old
            made, old = {**carried, **made}, inner
        self._fps = fps
        self._base = base
        self._old: Mapping[str, tuple[str, _T]] = old
        self._made: dict[str, tuple[str, _T]] = made
        self._remake = remake

    def fingerprint(self, key: str) -> str | None:
        return self._fps.get(key)

    def __getitem__(self, key: str) -> tuple[str, _T]:
        made = self._made.get(key)
        if made is not None:
            return made
        fp = self._fps[key]
        held = self._base.get(key)
        if held is not None and held[0] == fp:
            return held
        hit = self._old.get(key)
        if hit is None:  # it did not decode: made now, as a cold build would
            made = self._made[key] = self._remake(key)
            return made
        return fp, hit[1]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fps)

    def __len__(self) -> int:
        return len(self._fps)

    def __contains__(self, key: object) -> bool:
        return key in self._fps


def mapped(values: Mapping[_K, _T], read: Callable[[_T], _V]) -> Mapping[_K, _V]:
    """``values`` with ``read`` applied to each value when it is looked up (a feed wants the
    text of 20 bodies, not of every one)."""
    return _Mapped(values, read)


class _Mapped(Mapping[_K, _V], Generic[_K, _T, _V]):
    __slots__ = ("_read", "_values")

    def __init__(self, values: Mapping[_K, _T], read: Callable[[_T], _V]) -> None:
        self._values = values
        self._read = read

    def __getitem__(self, key: _K) -> _V:
        return self._read(self._values[key])

    def __iter__(self) -> Iterator[_K]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)
