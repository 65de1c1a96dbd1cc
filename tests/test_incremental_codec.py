"""The build cache's typed JSON codec: values round-trip; data of the wrong shape is refused."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import FrozenInstanceError, dataclass, field, fields
from typing import Any

import pytest

from papernotes.errors import Diagnostic, Location, Severity, warning
from papernotes.incremental.codec import Codec, CodecError, _maker
from papernotes.model import CiteKey


def _codec() -> Codec:
    return Codec({})


def _through_json(value: Any, tp: Any) -> Any:
    codec = _codec()
    return codec.decode(json.loads(json.dumps(codec.encode(value, tp))), tp)


@pytest.mark.parametrize(
    ("value", "tp"),
    [
        ("text", str),
        (3, int),
        (True, bool),
        (2.5, float),
        (None, None),
        (None, int | None),
        (7, int | None),
        (CiteKey("vaswani2017"), CiteKey),
        ((1, 2, 3), tuple[int, ...]),
        (("a", 1), tuple[str, int]),
        ({"a": 1, "b": 2}, dict[str, int]),
        ({"k": ("x",)}, Mapping[str, tuple[str, ...]]),
        (dt.date(2024, 2, 29), dt.date),
        (b"\x00\xffzlib", bytes),
        (None, bytes | None),
        (Severity.WARNING, Severity),
        (warning("papers/a.md", 3, "no year", "add one"), Diagnostic),
        (
            (Diagnostic(Severity.ERROR, Location("a.md", 1, 2), "m"),),
            tuple[Diagnostic, ...],
        ),
    ],
)
def test_values_round_trip_through_json(value: Any, tp: Any) -> None:
    assert _through_json(value, tp) == value


def test_an_int_stored_as_float_decodes_as_float() -> None:
    assert _codec().decode(2, float) == 2.0
    assert type(_codec().decode(2, float)) is float


@pytest.mark.parametrize(
    ("data", "tp"),
    [
        (True, int),  # bool is an int to isinstance, not to the cache
        (1, str),
        ("1", int),
        ("x", float),
        (0, None),
        ([1, "2"], tuple[int, ...]),
        ([1, True], tuple[int, ...]),  # the items' types are checked in bulk, bools apart
        ({"a": 1, "b": False}, dict[str, int]),
        ({"a": 1}, tuple[int, ...]),
        ([1], tuple[int, int]),
        ({"a": "1"}, dict[str, int]),
        ({"a": [1]}, dict[str, tuple[str, ...]]),
        ("critical", Severity),
        (3, dt.date),
        ("not base64!", bytes),
        ([1], bytes),
        (["warning", ["a.md", 1, None]], Diagnostic),  # a field missing
        (["fatal", ["a.md", 1, None], "m", None], Diagnostic),
        (["warning", ["a.md", "1", None], "m", None], Diagnostic),  # a field of another type
        (["warning", [None, 1, None], "m", None], Diagnostic),  # null where it may not be
        (["warning", ["a.md", 1, None], "m", 5], Diagnostic),
        ([["a.md"], 1, None], Location),
        (["a.md", 1, None, None], Location),
        ({"path": "a.md"}, Location),
        (["a.md", True, None], Location),
        ([1], Severity),
    ],
)
def test_data_of_the_wrong_shape_is_refused(data: Any, tp: Any) -> None:
    # CodecError, or the ValueError (its base) of an Enum or date given a non-member: the
    # cache reads either as "not cached".
    with pytest.raises(ValueError):
        _codec().decode(data, tp)


@dataclass(frozen=True)
class _Foreign:
    x: int


@pytest.mark.parametrize("tp", [set[int], int | str, dict[int, str], _Foreign, list[int]], ids=repr)
def test_types_the_cache_does_not_store_are_refused_when_declared(tp: Any) -> None:
    with pytest.raises(TypeError, match=r"cannot store|only papernotes"):
        _codec().encode(None, tp)


def test_shape_describes_every_stored_type() -> None:
    shape = _codec().shape(Diagnostic)
    assert "Diagnostic(severity:" in shape
    assert "Location(path:" in shape
    assert "Severity=['error', 'note', 'warning']" in shape


@dataclass(frozen=True, slots=True)
class _Place:
    path: str
    line: int | None = None


def test_a_slotted_dataclass_is_made_without_its_init_and_is_the_same_value() -> None:
    make = _maker(_Place, ["path", "line"])  # only papernotes' own types are decoded
    decoded = make("papers/a.md", 3)
    assert decoded == _Place("papers/a.md", 3) and hash(decoded) == hash(_Place("papers/a.md", 3))
    assert type(decoded) is _Place and make is not _Place
    with pytest.raises(FrozenInstanceError):
        decoded.line = 4  # type: ignore[misc]


def test_a_named_tuple_is_stored_as_a_dataclass_of_its_fields_would_be() -> None:
    codec = _codec()
    where = Location("papers/a.md", 3)
    assert codec.encode(where, Location) == ["papers/a.md", 3, None]
    decoded = codec.decode(["papers/a.md", 3, None], Location)
    assert type(decoded) is Location and decoded == where and hash(decoded) == hash(where)
    assert codec.shape(Location) == "Location(path:<class 'str'>,line:int | None,col:int | None)"
    with pytest.raises(CodecError):
        codec.decode(["papers/a.md", "3", None], Location)
    with pytest.raises(AttributeError):
        decoded.line = 4  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class _Checked:
    n: int

    def __post_init__(self) -> None:
        if self.n < 0:
            raise ValueError("negative")


@dataclass(frozen=True)
class _Unslotted:
    n: int


@dataclass(frozen=True, slots=True)
class _Derived:
    n: int
    double: int = field(init=False, default=0)


@pytest.mark.parametrize("tp", [_Checked, _Unslotted, _Derived])
def test_a_dataclass_whose_init_does_more_is_made_by_its_init(tp: type[Any]) -> None:
    assert _maker(tp, [f.name for f in fields(tp)]) is tp


def test_a_dataclass_encodes_its_fields_in_order_each_plain_one_checked() -> None:
    codec = _codec()
    found = warning("papers/a.md", 3, "no year", "add one")
    assert codec.encode(found, Diagnostic) == [
        "warning",
        ["papers/a.md", 3, None],
        "no year",
        "add one",
    ]
    assert codec.encode(Location("a.md"), Location) == ["a.md", None, None]
    # The encoder is written out per dataclass: a plain field is checked in place, as its own
    # encoder checks it (a bool is not an int, None only where the field may be None).
    for wrong, message in (
        (Location("a.md", "3"), "expected int, got str"),  # type: ignore[arg-type]
        (Location("a.md", True), "expected int, got bool"),
        (Location(None, 3), "expected str, got NoneType"),  # type: ignore[arg-type]
    ):
        with pytest.raises(CodecError, match=message):
            codec.encode(wrong, Location)
    with pytest.raises(CodecError, match="expected str, got int"):
        codec.encode(Diagnostic(Severity.ERROR, Location("a.md"), 3), Diagnostic)  # type: ignore[arg-type]
