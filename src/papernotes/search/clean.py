"""Search text without markup: what a snippet shows and what the index reads.

A note's plain text (``RenderedBody.text``) is made from markdown-it's tokens, so CommonMark's
own syntax is gone from it; what survives is what the parser does not know as syntax (an
inline footnote ``^[…]``, a tag written where raw HTML is off, ``$…$`` in an abstract, which
is front matter and never parsed). A snippet shows it to a reader who never typed it: each
rule below drops the markup and keeps the words, so math stays as its TeX source.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from papernotes._lazy import lazy_pattern

__all__ = ["clean_text"]

_RULES: tuple[tuple[tuple[str, ...], Callable[[], re.Pattern[str]], str], ...] = (
    # Obsidian comments are never shown on the page: nor in a snippet.
    (("%%",), lazy_pattern(r"%%.*?%%", re.DOTALL), " "),
    # A callout's marker ("> [!note]", "[!warning]-"): the title after it is text.
    (("[!",), lazy_pattern(r"(?:^|(?<=\s))>?\s*\[![\w-]+\][+-]?", re.MULTILINE), " "),
    # [[target|alias]] shows the alias, [[target#heading]] the target and heading.
    (("[[",), lazy_pattern(r"!?\[\[([^\]|]*)\|([^\]]*)\]\]"), r"\2"),
    (("[[",), lazy_pattern(r"!?\[\[([^\]]*)\]\]"), r"\1"),
    # Inline footnotes: the note's words stay, the brackets go.
    (("^[",), lazy_pattern(r"\^\[([^\]]*)\]"), r" \1"),
    # HTML tags, and math delimiters around their TeX.
    # A tag's attributes all have values, so "a<b and c>d" in prose is not taken for one.
    (
        ("<",),
        lazy_pattern(
            r"</?[A-Za-z][\w-]*(?:\s+[\w:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))*\s*/?>"
        ),
        " ",
    ),
    (("$$",), lazy_pattern(r"\$\$(.+?)\$\$", re.DOTALL), r"\1"),
    (("$",), lazy_pattern(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$(?!\d)"), r"\1"),
    (("\\",), lazy_pattern(r"\\[()\[\]]"), ""),
    # Emphasis and highlight markers that were never parsed (front matter, escaped contexts).
    (("**", "__", "==", "~~"), lazy_pattern(r"(\*\*|__|==|~~)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
)
"""Each rule: what a match always contains (a text without any of it is left alone: scanning
a note's whole text ten times was most of making its search document), the pattern (compiled
when first asked for) and what replaces it."""


def clean_text(text: str) -> str:
    """``text`` without Markdown, Obsidian or HTML markup, whitespace collapsed.

    >>> clean_text("Uses $x^2$ and [[hu2021lora|LoRA]]^[a note] %%hidden%%")
    'Uses x^2 and LoRA a note'
    """
    given = text
    for needles, pattern, replacement in _RULES:
        # Asked of the text as it is now: an earlier rule may have joined two characters.
        if any(needle in text for needle in needles):
            text = pattern().sub(replacement, text)
    cleaned = " ".join(text.split())
    # Memory: a rendered body's plain text is most often clean already. Its search document
    # then holds that very string, not an equal copy (at 5,000 notes, 20 MiB a build holds).
    return given if cleaned == given else cleaned
