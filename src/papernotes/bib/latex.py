"""Plain Unicode to BibTeX field text: LaTeX escaping, case protection, brace checks.

Front matter holds plain Unicode; this is the only place it becomes LaTeX. Non-ASCII stays
UTF-8 (CJK has no LaTeX-accent form, and biber, bibtex8 and pybtex all read UTF-8).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "escape_latex",
    "latex_field",
    "latex_text",
    "latex_title",
    "needs_case_protection",
    "normalize_space",
]

# Macros are wrapped in braces so that BibTeX's change.case$ sees a "special character" and
# leaves the control word alone (a bare \textbackslash at brace depth 0 would be upper-cased by
# a style that upper-cases), and so that a following space is not eaten. Braces cannot be
# escaped as \{ \}: BibTeX counts every brace, backslash or not, so a lone \{ unbalances the
# field; \textbraceleft keeps the count even.
_ESCAPES = str.maketrans(
    {
        "\\": r"{\textbackslash}",
        "{": r"{\textbraceleft}",
        "}": r"{\textbraceright}",
        "~": r"{\textasciitilde}",
        "^": r"{\textasciicircum}",
        "&": r"\&",
        "%": r"\%",
        "#": r"\#",
        "_": r"\_",
        "$": r"\$",
    }
)


def escape_latex(text: str) -> str:
    """``text`` with every LaTeX/BibTeX special character escaped; nothing else changes."""
    return text.translate(_ESCAPES)


_DROPPED = frozenset({"Cc", "Cs"})


def normalize_space(text: str) -> str:
    """Whitespace runs as one space, ends stripped, control characters and lone surrogates dropped.

    BibTeX collapses whitespace anyway, a blank line inside a field is a paragraph break in
    the .bbl, a NUL or BEL in a .bib breaks some tools, and a lone surrogate cannot be written
    as UTF-8, so none of them is worth keeping.
    """
    joined = " ".join(text.split())
    if joined.isprintable():  # the common case: no control character or surrogate in it
        return joined
    kept = "".join(ch for ch in joined if unicodedata.category(ch) not in _DROPPED)
    return " ".join(kept.split())


def latex_text(text: str) -> str:
    """A plain-Unicode text field (journal, booktitle, name part) as BibTeX field text."""
    return escape_latex(normalize_space(text))


# A URL runs to the next space; trailing sentence punctuation is not part of it.
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_URL_TAIL = ".,;:!?'\""
# In a pre-tokenized argument (biblatex keeps every field in a macro) \url cannot hold these:
# "%" comments out the rest of the line, "#" is a parameter, "\{}" are not characters; and
# "\%" would print the backslash with the url package alone. Such a URL is written as escaped
# text instead: no link, but the same characters, in every document.
_URL_UNSAFE = frozenset("%#\\{}")


def _split_url(match: str) -> tuple[str, str]:
    url = match.rstrip(_URL_TAIL)
    if url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    return url, match[len(url) :]


def latex_field(text: str) -> str:
    """A plain-Unicode text field (note, howpublished, addendum...) as BibTeX field text.

    Escaped as :func:`latex_text`, and each ``http(s)://`` URL written as ``\\url{...}``
    (the document loads the url package or hyperref), unless the URL holds a character that
    ``\\url`` cannot take inside a field (``% # \\ { }``): then it is escaped like the rest.
    """
    out: list[str] = []
    text = normalize_space(text)
    last = 0
    for match in _URL.finditer(text):
        url, tail = _split_url(match.group())
        out.append(escape_latex(text[last : match.start()]))
        # Non-ASCII is also escaped text: pdflatex's \url takes a UTF-8 byte for a character.
        if len(url) <= len("https://") or not url.isascii() or not _URL_UNSAFE.isdisjoint(url):
            out.append(escape_latex(url))
        else:
            out.append(f"\\url{{{url}}}")
        out.append(escape_latex(tail))
        last = match.end()
    out.append(escape_latex(text[last:]))
    return "".join(out)


_SEGMENT = re.compile(r"[^\W_]+")


def needs_case_protection(word: str) -> bool:
    """Whether a sentence-casing style would wrongly lower-case some of ``word``.

    Looks at each run of letters/digits: a capital after its first character (``GPT``,
    ``LoRA``, ``DetectGPT``, ``6B``), a capital with a digit (``T5``, ``V100``), or a lone
    capital inside a compound (``P-Tuning``, ``X-ray``, ``Q&A``). A plain Title-Case word
    (``Attention``, ``Pre-Training``) is left to the style, which is what users expect.
    """
    segments = _SEGMENT.findall(word)
    for seg in segments:
        if any(ch.isupper() for ch in seg[1:]):
            return True
        if seg[0].isupper() and any(ch.isdigit() for ch in seg):
            return True
        if len(segments) > 1 and len(seg) == 1 and seg.isupper():
            return True
    return False


def _title_word(word: str) -> str:
    # Braces go around the word from its first to its last letter/digit, so the group never
    # starts with a backslash (BibTeX would take "{\..." for a special character and change
    # case inside it) and punctuation such as "LoRA:" stays outside.
    starts = [i for i, ch in enumerate(word) if ch.isalnum()]
    if not starts or not needs_case_protection(word):
        return escape_latex(word)
    first, last = starts[0], starts[-1] + 1
    core = escape_latex(word[first:last])
    return f"{escape_latex(word[:first])}{{{core}}}{escape_latex(word[last:])}"


def latex_title(text: str) -> str:
    """A plain-Unicode title as BibTeX field text, escaped, with acronyms brace-protected."""
    return " ".join(_title_word(w) for w in normalize_space(text).split(" ") if w)
