"""The build cache's typed JSON codec: values round-trip; data of the wrong shape is refused."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from papernotes.errors import Diagnostic, Location, Severity, warning
from papernotes.incremental.codec import Codec
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
