"""The one home of "is this text Chinese, Japanese or Korean?", as four distinct questions.

Callers ask different things, and each has one function here; pick by what the answer is for:

- :func:`is_wide` — layout. East Asian Width W or F: the glyph takes a full em (graph label
  widths), and a line break between two such characters is no space (CSS Text 3 segment breaks).
  Includes emoji and full-width punctuation; says nothing about script.
- :func:`is_cjk_char` / :func:`has_cjk` — script. Han, kana, Hangul and Bopomofo letters as listed
  in :data:`CJK_RANGES` (which search.js repeats): what the search index cuts into unigrams and
  bigrams, and what makes a person's name family-name-first. No punctuation, no full-width Latin.
- :func:`is_han` — Han ideographs only (unified and compatibility, every extension): the
  characters that have a pinyin reading, for citekeys.
- :func:`is_cjk_for_emphasis` — Markdown emphasis flanking by CommonMark's CJK-friendly
  amendment: wide, full-width or half-width but not emoji, or Hangul; ``None`` when the width is
  ambiguous and context decides.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "CJK_RANGES",
    "CJK_RUN",
    "has_cjk",
    "is_cjk_char",
    "is_cjk_for_emphasis",
    "is_han",
    "is_wide",
]

CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3041, 0x3096),  # Hiragana (the combining voicing marks U+3099/309A fold away)
    (0x309D, 0x309F),  # Hiragana iteration marks, digraph
    (0x30A1, 0x30FA),  # Katakana (without the middle dot ・, which is punctuation)
    (0x30FC, 0x30FF),  # Katakana prolonged sound mark, iteration marks
    (0x3105, 0x318F),  # Bopomofo, Hangul compatibility Jamo
    (0x31A0, 0x31BF),  # Bopomofo extended
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),  # Hangul Jamo extended A
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x323AF),  # CJK extensions B–H
)
"""Code point ranges indexed as CJK (unigrams + bigrams); search.js holds the same list."""

CJK_RUN = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in CJK_RANGES) + "]+")
"""A run of CJK characters: the ranges as one character class, a lookup in C instead of 16
comparisons in Python (the search index and the Markdown rules ask this of every character
of every note). Compiled once, here, for every module that asks: ``re`` compiles such a
class by a Python loop over its 41,000 code points (~5 ms each time)."""


def is_wide(ch: str) -> bool:
    """East Asian wide or full-width (False for the empty string): layout questions only."""
    return bool(ch) and unicodedata.east_asian_width(ch) in ("W", "F")


def is_cjk_char(ch: str) -> bool:
    """Whether one character is CJK script by :data:`CJK_RANGES` (as the search index says)."""
    if len(ch) != 1:
        raise TypeError(f"expected a character, but string of length {len(ch)} found")
    return CJK_RUN.match(ch) is not None


def has_cjk(text: str) -> bool:
    """Whether ``text`` contains Chinese, Japanese or Korean script (names: family first)."""
    return CJK_RUN.search(text) is not None


def is_han(ch: str) -> bool:
    """A Han ideograph (CJK unified or compatibility, any extension): it has a pinyin reading."""
    return unicodedata.name(ch, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY"))


# Wide characters that are not CJK (UTS #51 Emoji_Presentation) in the BMP. Python's
# unicodedata has no emoji property, so they are listed; the list is the Unicode 15 set.
_BMP_WIDE_EMOJI = frozenset(
    [
        *range(0x231A, 0x231C),
        *range(0x23E9, 0x23ED),
        0x23F0,
        0x23F3,
        *range(0x25FD, 0x25FF),
        *range(0x2614, 0x2616),
        *range(0x2648, 0x2654),
        0x267F,
        0x2693,
        0x26A1,
        *range(0x26AA, 0x26AC),
        *range(0x26BD, 0x26BF),
        *range(0x26C4, 0x26C6),
        0x26CE,
        0x26D4,
        0x26EA,
        *range(0x26F2, 0x26F4),
        0x26F5,
        0x26FA,
        0x26FD,
        0x2705,
        *range(0x270A, 0x270C),
        0x2728,
        0x274C,
        0x274E,
        *range(0x2753, 0x2756),
        0x2757,
        *range(0x2795, 0x2798),
        0x27B0,
        0x27BF,
        *range(0x2B1B, 0x2B1D),
        0x2B50,
        0x2B55,
    ]
)
# In the Enclosed Ideographic Supplement only these are emoji; the rest are squared ideographs.
_ENCLOSED_IDEOGRAPHIC_EMOJI = frozenset(
    [
        0x1F201,
        0x1F21A,
        0x1F22F,
        *range(0x1F232, 0x1F237),
        *range(0x1F238, 0x1F23B),
        0x1F250,
        0x1F251,
    ]
)


def is_cjk_for_emphasis(ch: str) -> bool | None:
    """Whether ``ch`` counts as CJK beside ``*``/``_`` (CommonMark's CJK-friendly amendment);
    None for East-Asian-ambiguous width.

    Use it only for emphasis flanking: it includes CJK punctuation and full-width forms and
    leaves out emoji, as the amendment says.

    A CJK character is wide, full-width or half-width and not an emoji, or Hangul. Ambiguous
    characters (curly quotes, ``·``) are not CJK on their own; the caller decides when a
    following variation selector makes them so.
    """
    cp = ord(ch)
    if cp < 0x1100:  # nothing below the Hangul Jamo block is CJK
        return False
    width = unicodedata.east_asian_width(ch)
    if width in ("F", "H"):
        return True
    if width == "W":
        if cp < 0x2E80:
            return cp not in _BMP_WIDE_EMOJI
        if 0x1F000 <= cp <= 0x1FAFF:
            # Wide characters in the symbol planes are emoji, except the squared ideographs.
            return 0x1F200 <= cp <= 0x1F2FF and cp not in _ENCLOSED_IDEOGRAPHIC_EMOJI
        return True
    if width == "A":
        return None
    # Conjoining Hangul vowels/finals have neutral width but are Hangul script.
    return 0x1160 <= cp <= 0x11FF or 0xD7B0 <= cp <= 0xD7FF
