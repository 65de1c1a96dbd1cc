"""What a graph node says: its author–year label, fitted to the node, distinct from the other
nodes drawn beside it, and its short title for the hover/focus/tap tip.

``static/graph.js`` follows the same rules (``nodeParts``, ``fitLabel``, ``distinctLabels``,
``shortTitle``); the browser tests hold the two to each other. A label keeps its year: the
column heading shows it too, but once a reader has panned the heading may be off screen, and
"Liu et al." three times in one column told three papers apart by nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from papernotes.graph.svg import LABEL_SIZE, fit_text, text_width

__all__ = ["distinct_labels", "fit_label", "node_parts", "short_title", "title_word"]

_YEAR_TAIL = re.compile(r"^(?P<who>.+?),?\s+(?P<tail>\d{4}[a-z]*|n\.d\.[a-z]*)$")
_SHORT_TITLE = 40
"""Characters of a title the tip shows before cutting at a word."""
_JOINERS = frozenset(("et", "and", "&"))
"""Words a cut label must not end on."""
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def node_parts(label: str) -> tuple[str, str]:
    """The label's names and its year (with any letter): "Hu et al., 2022b" → ("Hu et al.",
    "2022b"). A label with no year at its end is all names."""
    m = _YEAR_TAIL.match(label)
    return (m["who"], m["tail"]) if m else (label, "")


def fit_label(who: str, tail: str, max_width: float, size: float = LABEL_SIZE) -> str:
    """``who tail`` in ``max_width``: the names are cut with an ellipsis (at a word if one fits,
    else within one) before the year is, since the year (and its letter) is what tells an
    author's papers apart."""
    whole = f"{who} {tail}" if tail else who
    if text_width(whole, size) <= max_width:
        return whole
    if not tail:
        return fit_text(who, max_width, size)
    # Whole names first ("Dettmers… 2023", not "Dettmers e… 2023"), never ending on a joiner.
    words = who.split(" ")
    for k in range(len(words) - 1, 0, -1):
        if words[k - 1] in _JOINERS:
            continue
        shorter = f"{' '.join(words[:k]).rstrip(',')}… {tail}"
        if text_width(shorter, size) <= max_width:
            return shorter
    cut = who
    while cut and text_width(f"{cut}… {tail}", size) > max_width:
        cut = cut[:-1]
    cut = cut.rstrip()
    return f"{cut}… {tail}" if cut else fit_text(tail, max_width, size)


def short_title(title: str) -> str:
    """The part of a title a tip has room for: before its subtitle ("LoRA: Low-Rank …" →
    "LoRA"), else its first words up to about 40 characters."""
    head, colon, _ = title.partition(": ")
    text = head if colon and len(head) >= 2 else title
    if len(text) <= _SHORT_TITLE:
        return text
    cut = text[: _SHORT_TITLE + 1].rsplit(" ", 1)[0] if " " in text[:_SHORT_TITLE] else text
    return cut[:_SHORT_TITLE].rstrip(" ,;:-") + "…"


def title_word(title: str) -> str:
    """The first word of the short title that is not a small word: what sets two labels apart
    when names and year do not."""
    words: list[str] = _WORD.findall(short_title(title))
    for w in words:
        if w.casefold() not in _SMALL:
            return w
    return words[0] if words else ""


_SMALL = frozenset(
    {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with"}
    | {"from", "by", "at", "is", "are", "towards"}
)
"""Words too common to tell two titles apart (graph.js's SMALL)."""


def distinct_labels(
    labels: Sequence[str], titles: Sequence[str], max_width: float, size: float = LABEL_SIZE
) -> tuple[str, ...]:
    """Each node's visible label, fitted; where two would read the same (names cut to fit, or
    the same names and year), a title word is added, and if they still clash a letter, in
    drawing order."""
    parts = [node_parts(label) for label in labels]
    shown = [fit_label(who, tail, max_width, size) for who, tail in parts]
    count = Counter(shown)
    for i, text in enumerate(shown):
        if count[text] > 1:
            who, tail = parts[i]
            word = title_word(titles[i])
            shown[i] = fit_label(who, f"{tail} {word}".strip(), max_width, size)
    count = Counter(shown)
    seen: Counter[str] = Counter()
    for i, text in enumerate(shown):
        if count[text] > 1:
            letter = chr(ord("a") + seen[text] % 26)
            seen[text] += 1
            who, tail = parts[i]
            extra = f"{title_word(titles[i])} {letter}".strip()
            shown[i] = fit_label(who, f"{tail} {extra}".strip(), max_width, size)
    return tuple(shown)
