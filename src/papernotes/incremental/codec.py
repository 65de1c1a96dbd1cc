"""A typed JSON codec for frozen dataclasses: what the build cache is stored as.

The type to decode is always given by our own annotations, never by the data, so a hostile
file can only choose values of the declared types (a ``str`` where a ``str`` is expected):
it cannot name a class, call a function or make any object papernotes did not declare.
Anything that does not fit raises ``CodecError``.

Supported: ``str``, ``int``, ``float``, ``bool``, ``None``, ``bytes`` (as base64: a note's
packed body template), ``NewType``s of those, ``X | None``,
``tuple[X, ...]``, ``tuple[X, Y]``, ``dict``/``Mapping`` with ``str`` keys, ``Enum``s,
``datetime.date``, and dataclasses and NamedTuples defined in papernotes (stored as a list of
their fields in order).

A dataclass the codec is told to read lazily (``lazy=``) also decodes from ``bytes``, or from
a function that reads them, neither of which JSON ever holds: the store puts there the JSON
text of a value it keeps on a line of its own (or what reads that line), and the codec's
``lazy`` maker wraps it with the decoder to use when it is read (``incremental.lazybody``);
such a value still undecoded encodes as those bytes again.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import enum
import operator
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

from papernotes.errors import PapernotesError

__all__ = ["Codec", "CodecError"]

_Fn = Callable[[Any], Any]


class CodecError(PapernotesError, ValueError):
    """The data does not have the declared shape."""


def _exact(kind: type) -> tuple[_Fn, _Fn]:
    def check(value: Any) -> Any:
        # bool is an int to isinstance; a cached int must not be True.
        if type(value) is not kind:
            raise CodecError(f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    return check, check


def _float() -> tuple[_Fn, _Fn]:
    def dec(value: Any) -> Any:
        if type(value) not in (int, float):
            raise CodecError(f"expected float, got {type(value).__name__}")
        return float(value)

    return float, dec


def _none() -> tuple[_Fn, _Fn]:
    def check(value: Any) -> Any:
        if value is not None:
            raise CodecError("expected null")
        return None

    return check, check


def _bytes() -> tuple[_Fn, _Fn]:
    def dec(value: Any) -> bytes:
        if type(value) is not str:
            raise CodecError(f"expected base64 bytes, got {type(value).__name__}")
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CodecError(f"expected base64 bytes: {exc}") from None

    return (lambda v: base64.b64encode(v).decode("ascii")), dec


class Codec:
    """Encoders and decoders for a fixed set of types, made once and reused."""

    def __init__(
        self,
        names: Mapping[str, Any],
        lazy: Mapping[type, tuple[Callable[[Any, _Fn], Any], _Fn]] | None = None,
    ) -> None:
        """``names`` resolves annotations that modules import only for type checking;
        ``lazy`` gives, per dataclass read lazily, what makes a value of it from its JSON
        text and the decoder, and what gives an undecoded value's text (else None)."""
        self._names = dict(names)
        self._lazy = dict(lazy or {})
        self._made: dict[Any, tuple[_Fn, _Fn]] = {}
        self._shape: list[str] = []

    def encode(self, value: Any, tp: Any) -> Any:
        """``value`` of type ``tp`` as JSON-ready lists, dicts, strings and numbers."""
        return self._pair(tp)[0](value)

    def decode(self, data: Any, tp: Any) -> Any:
        """A value of type ``tp`` from what ``encode`` made; CodecError if it does not fit."""
        return self._pair(tp)[1](data)

    def shape(self, tp: Any) -> str:
        """A description of every type ``tp`` stores, to tell data of an older layout."""
        self._pair(tp)
        return ";".join(self._shape)

    def _pair(self, tp: Any) -> tuple[_Fn, _Fn]:
        made = self._made.get(tp)
        if made is None:
            made = self._make(tp)
            self._made[tp] = made
        return made

    def _make(self, tp: Any) -> tuple[_Fn, _Fn]:
        if tp in (str, int, bool):
            return _exact(tp)
        if tp is float:
            return _float()
        if tp is bytes:
            return _bytes()
        if tp is None or tp is type(None):
            return _none()
        if isinstance(tp, typing.NewType):
            return self._pair(tp.__supertype__)
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin in (types.UnionType, typing.Union):
            return self._optional(tp, args)
        if origin is tuple:
            return self._tuple(tp, args)
        if origin in (dict, Mapping, typing.Mapping):
            return self._dict(tp, args)
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return self._enum(tp)
        # By name: a value type with a date imported datetime, which a quick edit does not.
        if isinstance(tp, type) and (tp.__module__, tp.__qualname__) == ("datetime", "date"):
            return self._date()
        if isinstance(tp, type) and (dataclasses.is_dataclass(tp) or _is_named_tuple(tp)):
            if tp in self._lazy:
                return self._deferred(tp)
            return self._dataclass(tp)
        raise TypeError(f"the cache cannot store {tp!r}")

    def _optional(self, tp: Any, args: tuple[Any, ...]) -> tuple[_Fn, _Fn]:
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1 or len(args) != 2:
            raise TypeError(f"the cache cannot store {tp!r}: only X | None unions")
        enc, dec = self._pair(inner[0])
        return (
            lambda v: None if v is None else enc(v),
            lambda d: None if d is None else dec(d),
        )

    def _tuple(self, tp: Any, args: tuple[Any, ...]) -> tuple[_Fn, _Fn]:
        if len(args) == 2 and args[1] is Ellipsis:
            enc, dec = self._pair(args[0])
            plain = _plain(args[0])
            if plain is not None and not plain[1]:  # tags, authors: checked in one pass
                kind, only = plain[0], frozenset((plain[0],))

                def dec_plain(data: Any) -> tuple[Any, ...]:
                    # The types of the items, in C: a generator took a tenth of an edit build's
                    # decoding (the field places of every note, a hundred ints each).
                    if type(data) is not list or not only.issuperset(map(type, data)):
                        raise CodecError(f"expected a list of {kind.__name__}")
                    return tuple(data)

                return (lambda v: list(v)), dec_plain

            def dec_all(data: Any) -> tuple[Any, ...]:
                if type(data) is not list:
                    raise CodecError("expected a list")
                return tuple([dec(x) for x in data])  # a list is quicker than a generator

            return (lambda v: [enc(x) for x in v]), dec_all
        pairs = [self._pair(a) for a in args]
        decs = [p[1] for p in pairs]
        size = len(pairs)

        def dec_fixed(data: Any) -> tuple[Any, ...]:
            if type(data) is not list or len(data) != size:
                raise CodecError(f"expected a list of {size}")
            return tuple([d(x) for d, x in zip(decs, data, strict=True)])

        return (lambda v: [p[0](x) for p, x in zip(pairs, v, strict=True)]), dec_fixed

    def _dict(self, tp: Any, args: tuple[Any, ...]) -> tuple[_Fn, _Fn]:
        if len(args) != 2 or (args[0] is not str and not isinstance(args[0], typing.NewType)):
            raise TypeError(f"the cache cannot store {tp!r}: keys must be strings")
        check_key = self._pair(args[0])[1]
        enc, dec = self._pair(args[1])
        if args[1] in (str, int):  # the search terms: thousands per note, checked in bulk
            kind, only = args[1], frozenset((args[1],))

            def dec_flat(data: Any) -> dict[str, Any]:
                if type(data) is not dict or not only.issuperset(map(type, data.values())):
                    raise CodecError(f"expected an object of {kind.__name__}")
                return data

            return (lambda v: dict(v)), dec_flat

        def dec_all(data: Any) -> dict[str, Any]:
            if type(data) is not dict:
                raise CodecError("expected an object")
            return {check_key(k): dec(v) for k, v in data.items()}

        return (lambda v: {k: enc(x) for k, x in v.items()}), dec_all

    def _deferred(self, tp: type[Any]) -> tuple[_Fn, _Fn]:
        enc, dec = self._dataclass(tp)
        make, raw_of = self._lazy[tp]
        self._shape.append(f"lazy {tp.__qualname__}")

        def enc_lazy(value: Any) -> Any:
            raw = raw_of(value)
            return enc(value) if raw is None else raw

        def dec_lazy(data: Any) -> Any:
            return make(data, dec) if type(data) is bytes or callable(data) else dec(data)

        return enc_lazy, dec_lazy

    def _enum(self, tp: type[enum.Enum]) -> tuple[_Fn, _Fn]:
        self._shape.append(f"{tp.__qualname__}={sorted(str(m.value) for m in tp)}")

        members = {m.value: m for m in tp}

        def dec(data: Any) -> Any:
            if type(data) not in (str, int) or data not in members:
                raise CodecError(f"expected a {tp.__name__}")
            return members[data]

        return (lambda v: v.value), dec

    def _date(self) -> tuple[_Fn, _Fn]:
        import datetime as dt

        def dec(data: Any) -> dt.date:
            if type(data) is not str:
                raise CodecError("expected a date")
            return dt.date.fromisoformat(data)

        return (lambda v: v.isoformat()), dec

    def _dataclass(self, tp: type[Any]) -> tuple[_Fn, _Fn]:
        if not tp.__module__.startswith("papernotes."):
            raise TypeError(f"the cache stores only papernotes' own values, not {tp!r}")
        module = __import__(tp.__module__, fromlist=["_"])
        hints = typing.get_type_hints(tp, globalns=vars(module), localns=self._names)
        names = _field_names(tp)
        self._shape.append(f"{tp.__qualname__}({','.join(f'{n}:{hints[n]}' for n in names)})")
        # Placeholders first, so a dataclass that contains itself does not recurse forever.
        self._made[tp] = (_unfinished, _unfinished)
        pairs = [self._pair(hints[n]) for n in names]
        size = len(pairs)
        # Fields of a plain type are checked in place and the others decoded: a cache holds
        # hundreds of thousands of fields, and a call per string is most of the decoding time.
        plain = [(i, p) for i, n in enumerate(names) if (p := _plain(hints[n])) is not None]
        other = [(i, pairs[i][1]) for i, n in enumerate(names) if _plain(hints[n]) is None]

        encs = [(i, pairs[i][0]) for i, n in enumerate(names) if _plain(hints[n]) is None]
        return _encoder(names, plain, encs), _decoder(tp, size, plain, other, _maker(tp, names))


def _wrong(kind: type, value: Any) -> CodecError:
    return CodecError(f"expected {kind.__name__}, got {type(value).__name__}")


def _encoder(
    names: list[str], plain: list[tuple[int, tuple[type, bool]]], other: list[tuple[int, _Fn]]
) -> _Fn:
    """The encoder of a dataclass with fields ``names``, written out as :func:`_decoder` is:
    the fields read in one C call, each plain one checked in place (as its own encoder would
    check it), each other one encoded by a call. With a call per field, plain ones included,
    encoding the 1,000 notes a cold build saves took 0.09–0.11 s of CPU; so, 0.05 s."""
    size = len(names)
    if not size:
        return lambda value: []
    scope: dict[str, Any] = {"get": operator.attrgetter(*names), "wrong": _wrong}
    args = ", ".join(f"a{i}" for i in range(size))
    lines = ["def enc(value):", f"    {args}, = get(value)" if size > 1 else "    a0 = get(value)"]
    for i, (kind, nullable) in plain:
        scope[f"k{i}"] = kind
        also = f" and a{i} is not None" if nullable else ""
        lines.append(f"    if type(a{i}) is not k{i}{also}:\n        raise wrong(k{i}, a{i})")
    for i, e in other:
        scope[f"e{i}"] = e
    outs = {i: f"e{i}(a{i})" for i, _ in other}
    lines.append(f"    return [{', '.join(outs.get(i, f'a{i}') for i in range(size))}]")
    # Made of indices only, never of names or data (as :func:`_decoder`).
    exec("\n".join(lines) + "\n", scope)
    enc: _Fn = scope["enc"]
    return enc


def _decoder(
    tp: type[Any],
    size: int,
    plain: list[tuple[int, tuple[type, bool]]],
    other: list[tuple[int, _Fn]],
    make: Callable[..., Any],
) -> _Fn:
    """The decoder of dataclass ``tp``, written out for its fields: each plain field checked
    in place by a line of its own, each other one decoded by a call, then ``make``. A loop
    over the fields, as data, took half the time of decoding a note."""
    scope: dict[str, Any] = {"make": make, "wrong": _wrong, "CodecError": CodecError}
    shape = f"expected {tp.__name__} as a list of {size}"
    lines = [
        "def dec(data):",
        f"    if type(data) is not list or len(data) != {size}:",
        f"        raise CodecError({shape!r})",
    ]
    args = ", ".join(f"a{i}" for i in range(size))
    if size:
        lines.append(f"    {args}, = data")
    for i, (kind, nullable) in plain:
        scope[f"k{i}"] = kind
        also = f" and a{i} is not None" if nullable else ""
        lines.append(f"    if type(a{i}) is not k{i}{also}:\n        raise wrong(k{i}, a{i})")
    for i, d in other:
        scope[f"d{i}"] = d
        lines.append(f"    a{i} = d{i}(a{i})")
    lines.append(f"    return make({args})")
    # Made of indices and our own messages only, never of data (as ``dataclasses`` does).
    exec("\n".join(lines) + "\n", scope)
    dec: _Fn = scope["dec"]
    return dec


def _maker(tp: type[Any], names: list[str]) -> Callable[..., Any]:
    """What makes a ``tp`` from its fields' values, in order: ``tp`` itself, or for a slotted
    dataclass whose ``__init__`` only stores them (no ``__post_init__``, no field left out of
    it), a function that stores them in the slots directly. Half the time of the frozen
    ``__init__``, which goes through ``object.__setattr__`` per field: an edit build decodes
    100,000 values at 1,000 notes (every citation has a ``Location``)."""
    args = ", ".join(f"a{i}" for i in range(len(names)))
    if _is_named_tuple(tp):  # its fields in one tuple: no call of its ``__new__`` in Python
        if not names:
            return tp
        scope: dict[str, Any] = {"new": tuple.__new__, "tp": tp}
        exec(f"def make({args}):\n    return new(tp, ({args},))\n", scope)
        made: Callable[..., Any] = scope["make"]
        return made
    slots = [tp.__dict__.get(n) for n in names]
    if (
        hasattr(tp, "__post_init__")
        or any(not f.init for f in dataclasses.fields(tp))
        or not all(isinstance(s, types.MemberDescriptorType) for s in slots)
    ):
        return tp
    body = "".join(f"    s{i}(o, a{i})\n" for i in range(len(names)))
    scope = {"new": object.__new__, "tp": tp}
    scope.update({f"s{i}": s.__set__ for i, s in enumerate(slots)})  # type: ignore[union-attr]
    # The source is made of indices only (no name, no data): like ``dataclasses``' own __init__.
    exec(f"def make({args}):\n    o = new(tp)\n{body}    return o\n", scope)
    made = scope["make"]
    return made


def _is_named_tuple(tp: type) -> bool:
    return issubclass(tp, tuple) and isinstance(getattr(tp, "_fields", None), tuple)


def _field_names(tp: type[Any]) -> list[str]:
    """The fields of dataclass or NamedTuple ``tp``, in order (a NamedTuple's are stored as a
    dataclass's: a list of them, so turning one into the other keeps the cache's data)."""
    if _is_named_tuple(tp):
        return list(tp._fields)
    return [f.name for f in dataclasses.fields(tp)]


def _plain(tp: Any) -> tuple[type, bool] | None:
    """``(str, False)`` for ``str`` (and ``int``, ``bool``, their NewTypes), ``(str, True)``
    for ``str | None``: a type whose JSON value is the value itself, checked without a call."""
    while isinstance(tp, typing.NewType):
        tp = tp.__supertype__
    if tp in (str, int, bool):
        return tp, False
    if typing.get_origin(tp) in (types.UnionType, typing.Union):
        args = typing.get_args(tp)
        inner = [a for a in args if a is not type(None)]
        if len(args) == 2 and len(inner) == 1:
            found = _plain(inner[0])
            if found is not None and not found[1]:
                return found[0], True
    return None


def _unfinished(value: Any) -> Any:
    raise TypeError("recursive dataclasses are not supported")
