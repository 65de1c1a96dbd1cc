"""The site index files an author under their folded family name: case and accents ignored, the
same whether the name is plain ASCII (the quick way) or not."""

from __future__ import annotations

import unicodedata

import pytest

from papernotes.siteindex import _fold


def _folded_the_long_way(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("ł", "l")


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("van Dijk", "van dijk"),
        ("O'Neil-SMITH", "o'neil-smith"),
        ("", ""),
        ("Łukasz", "lukasz"),
        ("José García", "jose garcia"),
        ("Straße", "strasse"),
        ("ＬｏＲＡ", "lora"),
        ("杨植麟", "杨植麟"),
    ],
)
def test_a_name_folds_as_a_reader_alphabetises(name: str, want: str) -> None:
    assert _fold(name) == want == _folded_the_long_way(name)


def test_every_ascii_character_folds_as_the_long_way_folds_it() -> None:
    every = "".join(map(chr, range(128)))
    assert _fold(every) == _folded_the_long_way(every)
