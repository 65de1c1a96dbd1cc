"""Search tokens: how text is folded and split, identically here (index) and in search.js (query).

The rules are small on purpose, because the browser must apply the very same ones to a query:

1. Fold each code point on its own: NFKC (full-width ``ＬｏＲＡ`` → ``LoRA``, half-width kana →
   full-width), lower-case, and outside CJK drop combining marks and format characters
   (``Müller`` → ``muller``, soft hyphens vanish). Kana keep their voicing marks.
2. Whitespace between two CJK characters is dropped: a Markdown soft line break inside a Chinese
   sentence becomes a space in the plain text, and must not split ``奖励\\n模型``.
3. Tokens: a run of CJK characters gives every character (unigram) and every adjacent pair
   (bigram), as Lucene's CJK analyser does, so any query, spaced or not, is a sequence of terms the
   index has without a dictionary-based segmenter. A run of letters and digits gives a word; words
   joined by hyphens give each part and the joined form (``fine-tuning`` → ``fine``, ``tuning``,
   ``finetuning``), so ``finetuning`` and ``GPT3`` find ``fine-tuning`` and ``GPT-3``.

Folding code point by code point (not the whole string) is what keeps the two implementations in
step: NFKC's composition across neighbours is the one place engines could disagree.
"""

from __future__ import annotations

import operator
import re
import unicodedata

__all__ = ["CJK_RANGES", "is_cjk_char", "new_folds", "normalize", "tokenize"]

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

_CJK_CLASS = "".join(f"{chr(a)}-{chr(b)}" if b > a else chr(a) for a, b in CJK_RANGES)
# Spelled out because Python's \s and JavaScript's \s differ (U+001C–U+001F, U+FEFF).
_WS_CLASS = "\t\n\v\f\r \x85\u1680\u2028\u2029"
_WS = re.compile(f"[{_WS_CLASS}]+")
_CJK_GAP = re.compile(f"(?<=[{_CJK_CLASS}])[{_WS_CLASS}]+(?=[{_CJK_CLASS}])")
# A word character is a letter or digit outside CJK; ``[^\W_]`` is letters and digits.
_WORD = f"[^\\W_{_CJK_CLASS}]"
_TOKEN = re.compile(f"(?P<cjk>[{_CJK_CLASS}]+)|(?P<word>{_WORD}+(?:[-\u2010]{_WORD}+)*)")
_HYPHENS = re.compile("[-\u2010]")


def is_cjk_char(ch: str) -> bool:
    """Whether one character is indexed as CJK."""
    code = ord(ch)
    return any(a <= code <= b for a, b in CJK_RANGES)


def _fold_char(ch: str) -> str:
    out: list[str] = []
    for c in unicodedata.normalize("NFKC", ch).lower():
        if is_cjk_char(c):
            out.append(c)
            continue
        for d in unicodedata.normalize("NFD", c):
            if unicodedata.category(d)[0] != "M" and unicodedata.category(d) != "Cf":
                out.append(d)
    return "".join(out)


class _Folds(dict[int, str]):
    """``str.translate`` table that folds each code point on first sight.

    One table lives for one index build: the same few thousand characters recur in every note.
    """

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


def normalize(text: str, folds: dict[int, str] | None = None) -> str:
    """``text`` folded (rules 1 and 2 above), whitespace runs collapsed to one space."""
    folded = text.translate(_Folds() if folds is None else folds)
    return _WS.sub(" ", _CJK_GAP.sub("", folded)).strip(" ")


def tokenize(text: str, folds: dict[int, str] | None = None) -> list[str]:
    """The index terms of ``text``, with repeats: per CJK run its characters then its bigrams.

    >>> tokenize("用 LoRA 微调")
    ['用', 'lora', '微', '调', '微调']
    """
    out: list[str] = []
    for match in _TOKEN.finditer(normalize(text, folds)):
        run = match.group("cjk")
        if run is not None:
            out.extend(run)
            out.extend(map(operator.add, run, run[1:]))
            continue
        parts = _HYPHENS.split(match.group("word"))
        out.extend(parts)
        if len(parts) > 1:
            out.append("".join(parts))
    return out


def new_folds() -> dict[int, str]:
    """A fresh fold table to share across many calls of :func:`tokenize` in one build."""
    return _Folds()
