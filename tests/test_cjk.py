"""The CJK rules (papernotes.cjk): one table, one column per question."""

from __future__ import annotations

import pytest

from papernotes.cjk import has_cjk, is_cjk_char, is_cjk_for_emphasis, is_han, is_wide

# char, is_wide (layout), is_cjk_char (script), is_han (pinyin), is_cjk_for_emphasis
TABLE = [
    ("注", True, True, True, True),  # Han
    ("\u4e00", True, True, True, True),  # first unified ideograph
    ("\u3400", True, True, True, True),  # Extension A
    ("\U00020000", True, True, True, True),  # Extension B
    ("\uf900", True, True, True, True),  # compatibility ideograph
    ("か", True, True, False, True),  # Hiragana
    ("カ", True, True, False, True),  # Katakana
    ("ｶ", False, False, False, True),  # half-width Katakana
    ("한", True, True, False, True),  # Hangul syllable
    ("\u1100", True, True, False, True),  # Hangul Jamo (leading consonant)
    ("\u1161", False, True, False, True),  # Hangul vowel jamo, neutral width
    ("ㄅ", True, True, False, True),  # Bopomofo
    ("々", True, True, False, True),  # ideographic iteration mark
    ("Ａ", True, False, False, True),  # full-width Latin
    ("１", True, False, False, True),  # full-width digit
    ("（", True, False, False, True),  # full-width parenthesis
    ("。", True, False, False, True),  # CJK full stop
    ("、", True, False, False, True),  # CJK comma
    ("「", True, False, False, True),  # CJK corner bracket
    ("・", True, False, False, True),  # Katakana middle dot (punctuation)
    ("\u3000", True, False, False, True),  # ideographic space
    ("😀", True, False, False, False),  # emoji (wide, but not CJK)
    ("⌚", True, False, False, False),  # BMP emoji
    ("\U0001f22f", True, False, False, False),  # squared ideograph that is an emoji
    ("\U0001f210", True, False, False, True),  # squared ideograph that is not
    ("“", False, False, False, None),  # ambiguous width: context decides
    ("·", False, False, False, False),  # ambiguous, but below U+1100: never CJK
    ("a", False, False, False, False),  # Latin
    ("é", False, False, False, False),
    ("\u0301", False, False, False, False),  # combining acute accent
    ("\u3099", True, False, False, True),  # combining kana voicing mark
    (" ", False, False, False, False),
]


@pytest.mark.parametrize(("ch", "wide", "script", "han", "emphasis"), TABLE)
def test_each_question(ch: str, wide: bool, script: bool, han: bool, emphasis: bool | None) -> None:
    assert is_wide(ch) is wide
    assert is_cjk_char(ch) is script
    assert is_han(ch) is han
    assert is_cjk_for_emphasis(ch) is emphasis


def test_is_wide_of_nothing() -> None:
    assert is_wide("") is False


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("注意力", True),
        ("田中 英輝", True),
        ("한국어", True),
        ("カタカナ", True),
        ("Zhang 伟", True),
        ("José García", False),
        ("（）", False),  # full-width punctuation is no script
        ("ＡＢＣ", False),
        ("", False),
    ],
)
def test_has_cjk(text: str, want: bool) -> None:
    assert has_cjk(text) is want


def test_is_cjk_char_is_exactly_the_ranges_at_every_edge() -> None:
    # The character class must say what CJK_RANGES (and search.js) say, edge for edge.
    from papernotes.cjk import CJK_RANGES

    for a, b in CJK_RANGES:
        for code in (a - 1, a, b, b + 1):
            want = any(lo <= code <= hi for lo, hi in CJK_RANGES)
            assert is_cjk_char(chr(code)) is want, hex(code)
            assert has_cjk(f"ab{chr(code)}cd") is want, hex(code)
