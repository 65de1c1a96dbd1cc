"""How long a note body takes to read, counted once from its tokens when the body is parsed.

The rates, and why:

- English (and any Latin-script) prose at :data:`WORDS_PER_MINUTE` = 230. Brysbaert's 2019
  meta-analysis of silent reading puts adults at about 238 words a minute for non-fiction;
  notes on papers are denser than that, so a little under.
- CJK characters at :data:`CJK_PER_MINUTE` = 400. Chinese readers are usually quoted at 300–500
  characters a minute; 400 is the middle, and a character is the unit since Chinese text has
  no spaces to count words by.
- Code is scanned, not read word by word: each non-blank line of a code block is
  :data:`SECONDS_PER_CODE_LINE` seconds, whatever its length (a long line of punctuation is
  not ten words). Inline code counts as the words it holds.
- A formula is looked at, not spelt out: :data:`SECONDS_PER_DISPLAY_MATH` for a display
  formula, :data:`SECONDS_PER_INLINE_MATH` for inline math (``$\\Delta W$`` is a word or two
  to a reader, not the eight TeX words of its source).
- A diagram (a ``mermaid`` fence) and an image are :data:`SECONDS_PER_FIGURE`, the figure
  Medium gives an image.
- A citation reads as its label (two words: "Hu et al."), whatever its key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token

from papernotes.cjk import CJK_RUN
from papernotes.markdown._types import reading_minutes

__all__ = [
    "CJK_PER_MINUTE",
    "SECONDS_PER_CODE_LINE",
    "SECONDS_PER_DISPLAY_MATH",
    "SECONDS_PER_FIGURE",
    "SECONDS_PER_INLINE_MATH",
    "WORDS_PER_MINUTE",
    "count_text",
    "minutes",
    "reading_seconds",
]

WORDS_PER_MINUTE = 230
"""Latin-script words a minute (see the module's docstring)."""
CJK_PER_MINUTE = 400
"""CJK characters a minute."""
SECONDS_PER_CODE_LINE = 3.0
"""A non-blank line of a code block: 20 lines a minute."""
SECONDS_PER_DISPLAY_MATH = 10.0
"""A display formula (``$$…$$`` or a ``math`` fence)."""
SECONDS_PER_INLINE_MATH = 1.0
"""Inline math (``$…$``)."""
SECONDS_PER_FIGURE = 12.0
"""An image or a diagram."""
CITATION_WORDS = 2
"""What a citation or a wikilink without alias reads as: its label, "Hu et al."."""

# cjk.CJK_RUN (the one home of "what is CJK"): a C-speed count per text. Runs, not
# characters: a run is replaced by one space (as many spaces split words no differently), and
# its characters counted from the lengths, a third less time per note.
# A word: letters or digits, joined by an apostrophe or a hyphen ("don't", "low-rank").
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def count_text(text: str) -> tuple[int, int]:
    """``(words, cjk_characters)`` of prose: CJK characters one by one, the rest as words."""
    rest, runs = CJK_RUN.subn(" ", text)  # one pass: the text left for words, and the count
    return len(_WORD.findall(rest)), len(text) - len(rest) + runs


def _fence_seconds(token: Token) -> float:
    lang = token.info.split(maxsplit=1)[0].lower() if token.info.strip() else ""
    if lang == "mermaid":
        return SECONDS_PER_FIGURE
    if lang == "math":
        return SECONDS_PER_DISPLAY_MATH
    lines = sum(1 for line in token.content.splitlines() if line.strip())
    return lines * SECONDS_PER_CODE_LINE


def reading_seconds(tokens: Sequence[Token]) -> int:
    """Seconds a body of parsed ``tokens`` takes to read, at the module's rates (rounded)."""
    words = cjk = 0
    seconds = 0.0
    prose: list[str] = []
    for block in tokens:
        kind = block.type
        if kind == "inline":
            for tok in block.children or ():
                sub = tok.type
                if sub in ("text", "code_inline"):
                    prose.append(tok.content)
                elif sub == "math_inline":
                    seconds += SECONDS_PER_INLINE_MATH
                elif sub == "math_display":
                    seconds += SECONDS_PER_DISPLAY_MATH
                elif sub == "image":
                    seconds += SECONDS_PER_FIGURE
                elif sub == "citation" or (sub == "wikilink" and not tok.meta.get("alias")):
                    words += CITATION_WORDS * max(1, len(tok.meta.get("items", ())))
                elif sub == "wikilink":
                    prose.append(str(tok.meta["alias"]))
        elif kind in ("fence", "code_block"):
            seconds += _fence_seconds(block)
        elif kind == "math_block":
            seconds += SECONDS_PER_DISPLAY_MATH
        elif kind == "html_block":
            prose.append(re.sub(r"<[^>]*>", " ", block.content))
    w, c = count_text(" ".join(prose))
    words += w
    cjk += c
    seconds += words * 60 / WORDS_PER_MINUTE + cjk * 60 / CJK_PER_MINUTE
    return round(seconds)


def minutes(seconds: int) -> int:
    """Whole minutes to show ("6 min read"): to the nearest, at least 1 for any text at all,
    0 for an empty body (nothing is shown); what ``ParsedBody.reading_minutes`` says."""
    return reading_minutes(seconds)
