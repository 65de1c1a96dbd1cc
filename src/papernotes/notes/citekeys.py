"""The library's citekey scheme: ``<family><year><word>``, e.g. ``hu2021lora`` (pure).

- ``family``: the first author's family name (without particles such as "van"), in lowercase
  ASCII: accents dropped (Müller → muller, Łukasz → lukasz), Chinese characters as pinyin
  (杨植麟 → yang, with the usual surname readings: 曾 → zeng, 单 → shan), Cyrillic by the
  usual romanisation (Петров → petrov), kana and hangul by their Unicode names
  (たなか → tanaka, 김 → gim). A name with nothing left (Arabic, Hebrew, …) is ``anon``.
- ``year``: the year the paper first appeared (for an arXiv paper, the year of version 1,
  which its id gives: 2106.09685 → 2021), so the key does not change when it is published.
- ``word``: the title's first word that is not one of :data:`STOP_WORDS`, letters and digits
  only; a hyphenated word keeps its first part ("Prefix-Tuning" → prefix) unless that is a
  single letter ("P-Tuning" → ptuning). A Chinese title gives the pinyin of its first two
  characters. Empty when the title has no usable word.
- A key already taken, ignoring case (BibTeX keys are case-insensitive), gets ``b``, ``c``, …
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from pypinyin import lazy_pinyin

from papernotes.cjk import is_han
from papernotes.ids import parse_arxiv
from papernotes.model import Author, CiteKey

__all__ = ["STOP_WORDS", "arxiv_year", "ascii_fold", "family_part", "make_key", "title_word"]

STOP_WORDS = frozenset(
    ["a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "is", "are", "via", "towards"]
)  # fmt: skip
"""Title words skipped when choosing a key's word."""

# Readings pypinyin gives for the character in general, not as a surname.
_SURNAMES = {
    "曾": "zeng", "单": "shan", "仇": "qiu", "解": "xie", "查": "zha", "朴": "piao", "区": "ou",
    "乐": "yue", "覃": "qin", "盖": "ge", "缪": "miao", "翟": "zhai", "瞿": "qu", "种": "chong",
    "牟": "mou", "秘": "bi", "员": "yun", "宓": "fu", "尉迟": "yuchi", "万俟": "moqi",
    "长孙": "zhangsun",
}  # fmt: skip
_COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "令狐",
        "夏侯",
        "万俟",
        "司徒",
        "端木",
        "宇文",
        "独孤",
    ]
)
# Letters that Unicode does not decompose into a base letter plus accent.
_LETTERS = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss", "æ": "ae",
     "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "ı": "i",
     # Cyrillic, by the usual scholarly romanisation (the input is lower-cased first).
     "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
     "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
     "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
     "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i",
     "ї": "i", "є": "ie", "ґ": "g"}
)  # fmt: skip
_NAMED_SCRIPTS = ("HIRAGANA LETTER ", "KATAKANA LETTER ", "HANGUL SYLLABLE ")


def _named(ch: str) -> str:
    """A kana or hangul letter's sound from its Unicode name ("HIRAGANA LETTER KA"), or ""."""
    name = unicodedata.name(ch, "")
    if not name.startswith(_NAMED_SCRIPTS):
        return ""
    word = name.rsplit(" ", 1)[-1]
    return word.lower() if word.isalpha() and len(word) <= 3 else ""


def ascii_fold(text: str, *, surname: bool = False) -> str:
    """``text`` as lowercase ASCII letters and digits (see the module docstring)."""
    out: list[str] = []
    han: list[str] = []

    def flush() -> None:
        if han:
            run = "".join(han)
            reading = _SURNAMES.get(run) if surname else None
            out.append(reading or "".join(lazy_pinyin(run)))
            han.clear()

    for ch in text.lower().translate(_LETTERS):
        if is_han(ch):
            han.append(ch)
            continue
        flush()
        if ch.isascii():
            if ch.isalnum():
                out.append(ch.lower())
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if c.isascii() and c.isalnum())
        out.append(base.lower() if base else _named(ch))
    flush()
    return "".join(out)


def _is_hangul(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("HANGUL SYLLABLE")


def _cjk_surname(name: str) -> str:
    # A Chinese or Korean name written whole ("杨植麟", "김철수") is family name first: one
    # character, or two for the Chinese compound surnames.
    return name[:2] if name[:2] in _COMPOUND_SURNAMES else name[:1]


def family_part(author: Author | None) -> str:
    """The key's name part for the first author: lowercase ASCII, ``anon`` when empty."""
    if author is None:
        return "anon"
    family = author.family.strip()
    if family and (is_han(family[0]) or _is_hangul(family[0])) and not author.given:
        family = _cjk_surname(family)
    folded = ascii_fold(family, surname=True)
    return folded or "anon"


def _word_key(word: str) -> str:
    if word and is_han(word[0]):
        return ascii_fold("".join(ch for ch in word if is_han(ch))[:2])
    parts = [p for p in re.split(r"[-‐‑–—/]", word) if ascii_fold(p)]
    if not parts:
        return ""
    first = ascii_fold(parts[0])
    if len(first) == 1 and len(parts) > 1:
        first += ascii_fold(parts[1])
    return first


def title_word(title: str) -> str:
    """The key's word: the title's first content word, lowercase ASCII (maybe empty)."""
    for raw in re.split(r"[\s:;,.!?()\[\]{}\"“”‘’'`]+", title):
        if not raw or raw.lower() in STOP_WORDS:
            continue
        word = _word_key(raw)
        if word and word not in STOP_WORDS:
            return word
    return ""


def arxiv_year(arxiv: str | None) -> int | None:
    """The year version 1 of an arXiv paper appeared, read from its id (2106.09685 → 2021)."""
    found = parse_arxiv(arxiv) if arxiv else None
    return found.year if found else None


def make_key(
    authors: tuple[Author, ...], year: int | None, title: str | None, taken: Collection[str] = ()
) -> CiteKey:
    """A fresh key by the library's scheme; ``taken`` holds keys already used (any case).
    A paper with no year or no title leaves that part out."""
    year_part = "" if year is None else str(year)
    base = f"{family_part(authors[0] if authors else None)}{year_part}{title_word(title or '')}"
    used = {k.casefold() for k in taken}
    if base not in used:
        return CiteKey(base)
    for suffix in "bcdefghijklmnopqrstuvwxyz":
        if base + suffix not in used:
            return CiteKey(base + suffix)
    n = 2
    while f"{base}{n}" in used:
        n += 1
    return CiteKey(f"{base}{n}")
