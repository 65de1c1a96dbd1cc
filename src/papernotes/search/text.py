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

import functools
import operator
import re
import unicodedata
from collections.abc import Callable

from papernotes._lazy import lazy_pattern
from papernotes.cjk import CJK_RANGES, CJK_RUN, is_cjk_char

__all__ = ["new_folds", "normalize", "tokenize"]

_CJK_CLASS = "".join(f"{chr(a)}-{chr(b)}" if b > a else chr(a) for a, b in CJK_RANGES)
# Spelled out because Python's \s and JavaScript's \s differ (U+001C–U+001F, U+FEFF).
_WS_CLASS = "\t\n\v\f\r \x85\u1680\u2028\u2029"
_WS = lazy_pattern(f"[{_WS_CLASS}]+")


@functools.cache
def _cjk_gap() -> re.Pattern[str]:
    # Compiled on first use: a class of the CJK ranges takes ~3 ms to compile (a Python loop
    # over its 40,000 code points), and a build never calls :func:`normalize` (only tests do,
    # against search.js).
    return re.compile(f"(?<=[{_CJK_CLASS}])[{_WS_CLASS}]+(?=[{_CJK_CLASS}])")


# A text without CJK (``cjk.CJK_RUN``, compiled once for every module) has only words: letters
# and digits (``[^\W_]``), joined by hyphens.
_WORDS = lazy_pattern("[^\\W_]+(?:[-\u2010][^\\W_]+)*")
# In a text with CJK, each CJK run is first replaced by this mark, which folding drops (a
# format character), so none was there: a word is then one of letters and digits, and runs
# with only whitespace between them are one run (rule 2). No other pattern holds a class of
# the CJK ranges: each takes ~2.5 ms to compile (re loops in Python over its 41,000 code
# points), and this is the one a quick edit of a note with CJK would pay for.
_MARK = "\u200b"
_TOKENS = re.compile(f"({_MARK}(?:[{_WS_CLASS}]++{_MARK})*+)|([^\\W_]+(?:[-\u2010][^\\W_]+)*)")
_HYPHENS = re.compile("[-\u2010]")


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
    return _WS().sub(" ", _cjk_gap().sub("", _folded(text, folds))).strip(" ")


# What folding a character gives is its lower case for ASCII (NFKC, NFD and the marks dropped
# leave it as it is) and for the CJK unified ideographs (no compatibility form, no case): only
# the other characters are looked up in the fold table, a run at a time. In Chinese notes that
# is one character in twenty, and the look-ups were most of the folding's time.
_LOOKED_UP = re.compile("[^\x00-\x7f\u4e00-\u9fff]+")


def _folded(text: str, folds: dict[int, str] | None) -> str:
    """``text`` with each code point folded (rule 1)."""
    if text.isascii():  # most text: str.lower skips a table look-up per character
        return text.lower()
    table = _Folds() if folds is None else folds
    # Lower-cased last, as a whole: each character's fold is its own lower case (with no Σ
    # left, whose lower case depends on its neighbours), so the runs looked up pass through
    # as they are. tests/test_search.py checks both claims on every code point.
    return _LOOKED_UP.sub(lambda run: run[0].translate(table), text).lower()


def tokenize(text: str, folds: dict[int, str] | None = None) -> list[str]:
    """The index terms of ``text``, with repeats: per CJK run its characters then its bigrams.

    >>> tokenize("用 LoRA 微调")
    ['用', 'lora', '微', '调', '微调']
    """
    out: list[str] = []
    folded = _folded(text, folds)
    runs = CJK_RUN.findall(folded)
    if runs:  # findall's (marks, word) pairs: a third of the time of match objects and groups
        tokens = _TOKENS.findall(CJK_RUN.sub(_MARK, folded))
    else:
        tokens = [("", word) for word in _WORDS().findall(folded)]
    next_run = iter(runs).__next__
    for marks, word in tokens:
        if marks:
            run = next_run() if len(marks) == 1 else _joined(marks, next_run)
            out.extend(run)
            out.extend(map(operator.add, run, run[1:]))
        elif "-" in word or "\u2010" in word:
            parts = _HYPHENS.split(word)
            out.extend(parts)
            out.append("".join(parts))
        else:
            out.append(word)
    return out


def _joined(marks: str, next_run: Callable[[], str]) -> str:
    """The CJK runs of ``marks`` (with whitespace between them), as one run."""
    return "".join(next_run() for _ in range(marks.count(_MARK)))


def new_folds() -> dict[int, str]:
    """A fresh fold table to share across many calls of :func:`tokenize` in one build."""
    return _Folds()
