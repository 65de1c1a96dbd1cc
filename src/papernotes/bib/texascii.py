"""The ``bibtex`` flavour's ASCII: non-ASCII letters in BibTeX field text as braced TeX commands.

Classic BibTeX is 8-bit: it counts, abbreviates and sorts bytes, so a UTF-8 ``Ł`` is two
"letters", ``abbrv`` cuts it in half ("Invalid UTF-8 byte sequence") and ``Çakmak`` sorts after
Z. Written as a *special character*, a brace group at depth 0 that starts with a backslash
(``{\\L}ukasz``, ``{\\c{C}}akmak``, ``Mart{\\'i}n``), it is one letter to ``text.prefix$`` and
``format.name$``, ``purify$`` sorts it as its base letter (C, L, i), and ``change.case$``
changes the letter, never the command. That is how Better BibTeX writes its ASCII export.

The command for each character comes from latexcodec (pybtex's own dependency, which also
decodes it again in :mod:`papernotes.bib.unlatex`); letters it has no entry for (Vietnamese
``ạ``, ``ỹ``) are built from their Unicode decomposition with the standard TeX accents.
Characters with no TeX command stay UTF-8: CJK (no Latin font has it, and a CJK document loads
its own), Cyrillic, symbols, emoji. A Greek letter, which has no text-mode command, is written
as math: ``{\\ensuremath{\\theta}}``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from types import MappingProxyType
from urllib.parse import quote

from papernotes.bib.braces import is_one_group
from papernotes.cjk import has_cjk

__all__ = ["ascii_char", "ascii_name", "ascii_tex", "ascii_url"]

# The standard LaTeX text accents, by the combining mark Unicode decomposes a letter into.
_ACCENTS = MappingProxyType(
    {
        "\u0300": "`",
        "\u0301": "'",
        "\u0302": "^",
        "\u0303": "~",
        "\u0304": "=",
        "\u0306": "u",
        "\u0307": ".",
        "\u0308": '"',
        "\u030a": "r",
        "\u030b": "H",
        "\u030c": "v",
        "\u0323": "d",
        "\u0327": "c",
        "\u0328": "k",
        "\u0331": "b",
    }
)
# latexcodec's spelling of one character: a command, then its argument (if any).
_COMMAND = re.compile(r"\\([A-Za-z]+|[^A-Za-z])\s*(.*)", re.DOTALL)
_BARE_ARG = re.compile(r"[A-Za-z]|\\[ij]")
_DOTLESS = re.compile(r"\\([ij])(?![A-Za-z])\s*")
_ACCENT_COMMANDS = frozenset(_ACCENTS.values()) | {"textcommabelow"}
_ARG_ACCENTS = re.compile(r"\\(?:[uvHckrdb](?![A-Za-z])|[`'^\"~=.])\s*|[{}\s]")


_GREEK = re.compile(r"\$(\\[A-Za-z]+)\$")


def _accent(mark: str, letter: str) -> str:
    # A symbol accent takes one letter or a dotless i bare (\'U, \'\i); anything longer, and
    # every argument of a letter accent, braced (\c{C}, \~{\^e}): "\~\^e" would put the
    # tilde on the circumflex command.
    if mark.isalpha() or not _BARE_ARG.fullmatch(letter):
        return f"\\{mark}{{{letter}}}"
    return f"\\{mark}{letter}"


def _from_latexcodec(ch: str) -> str | None:
    import latexcodec  # noqa: F401  (registers the "latex" codec)

    try:
        tex = ch.encode("latex").decode("ascii")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    if "$" in tex:  # math: a symbol, not a letter
        # A Greek letter has no text-mode command, and pdflatex stops at a UTF-8 one ("not set
        # up for use with LaTeX"): written as math, braced so change.case$ leaves it alone,
        # in \ensuremath, which papernotes' import reads back as the letter.
        greek = _GREEK.fullmatch(tex)
        if greek and unicodedata.name(ch, "").startswith("GREEK"):
            return f"{{\\ensuremath{{{greek.group(1)}}}}}"
        return None
    if not tex.startswith("\\"):
        # TeX ligatures ('' `` -- ---) are the character already; anything else is braced,
        # so that change.case$ leaves it alone and a space in it never splits a name.
        return f"{{{tex}}}" if re.search(r"[\\\s]", tex) else tex
    command = _COMMAND.fullmatch(tex)
    if command is None:  # pragma: no cover - latexcodec's table has no other shape
        return f"{{{tex}}}"
    name, arg = command.groups()
    if not arg:
        return f"{{\\{name}}}"
    # Only accents on a letter (nested ones too, \={\"u}), which papernotes' import reads back;
    # \'{\AE} (Ǽ) or \textogonekcentered{…} (Ǭ) stay UTF-8.
    if name not in _ACCENT_COMMANDS or not _BARE_ARG.fullmatch(_ARG_ACCENTS.sub("", arg)):
        return None
    # \'i, not latexcodec's \'\i: biber reads \'\i as a dotless ı and a combining accent,
    # which pdflatex cannot typeset, while T1 has a glyph for \'i and biber reads it as í.
    arg = _DOTLESS.sub(r"\1", arg)
    return f"{{{_accent(name, arg)}}}"


def _from_decomposition(ch: str) -> str | None:
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if not (base.isascii() and base.isalpha()) or not marks:
        return None
    if any(m not in _ACCENTS for m in marks):
        return None
    tex = base
    for mark in marks:
        tex = _accent(_ACCENTS[mark], tex)
    return f"{{{tex}}}"


def ascii_char(ch: str) -> str | None:
    """The ASCII TeX for one non-ASCII letter or punctuation mark, each letter braced as a
    BibTeX special character (``Ł`` → ``{\\L}``, ``Ç`` → ``{\\c{C}}``, ``í`` → ``{\\'i}``,
    ``’`` → ``'``, ``ﬁ`` → ``fi``), or None: for CJK, letters TeX has no command for
    (Cyrillic, Greek), and symbols and digits (``×``, ``€``, ``½``), which LaTeX reads as UTF-8
    and BibTeX never cuts, and which as math (``$\\times$``) would not read back as text.
    """
    if has_cjk(ch) or not unicodedata.category(ch).startswith(("L", "P")):
        return None
    if unicodedata.decomposition(ch).startswith("<compat>"):
        # A ligature or variant letter (Ǆ, ĳ, ﬁ, …) as the letters it stands for.
        parts = [c if c.isascii() else ascii_char(c) for c in unicodedata.normalize("NFKC", ch)]
        return None if None in parts else "".join(p for p in parts if p is not None)
    return _from_latexcodec(ch) or _from_decomposition(ch)


class _Table(dict[str, "str | None"]):
    """Character → :func:`ascii_char`, each made on first sight (latexcodec takes ~0.1 ms a
    character, and a library repeats the same few letters thousands of times). Made all at
    once, for the thousand characters of the Latin, Greek and punctuation blocks, it was a
    tenth of an edit build whose one re-rendered page named a ``García``."""

    def __missing__(self, ch: str) -> str | None:
        from papernotes.bib.texletters import known  # the usual letters without latexcodec

        held, tex = known(ch)
        tex = self[ch] = tex if held else ascii_char(ch)
        return tex


@cache
def _table() -> _Table:
    # One for the process: ascii_char's answer is a constant of the character.
    return _Table()


def ascii_tex(text: str) -> str:
    """BibTeX field text with every non-ASCII character that has a TeX command written as one.

    ``text`` is field text already (escaped, braced): only non-ASCII characters change, each
    into a brace-balanced group, so the result stays valid field text. NFC first, so that
    ``e`` + combining acute is ``{\\'e}`` like ``é``.
    """
    if text.isascii():
        return text
    table = _table()
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out.append(ch)
            continue
        tex = table[ch]
        out.append(ch if tex is None else tex)
    return "".join(out)


def ascii_name(name: str) -> str:
    """One BibTeX name (``Kaiser, Łukasz``, ``{杨植麟}``) as :func:`ascii_tex` writes it, a
    name that is one braced CJK group as ``{\\relax 杨植麟}``.

    alpha.bst labels an entry by the first letter of each author's last name: of ``{杨植麟}``
    that is its first byte, a third of a UTF-8 character (pdflatex: "Invalid UTF-8 byte
    sequence"). After ``\\relax`` (which typesets as nothing) the group is a special character,
    one letter to BibTeX, so the label takes the whole name and never splits it.
    """
    name = ascii_tex(name)
    if is_one_group(name) and has_cjk(name):
        return f"{{\\relax {name[1:-1]}}}"
    return name


def ascii_url(url: str) -> str:
    """A verbatim field (url, doi, eprint) in ASCII: non-ASCII characters percent-encoded as
    UTF-8, as a browser sends an IRI (TeX commands would be part of the link)."""
    if url.isascii():
        return url
    return "".join(ch if ch.isascii() else quote(ch, safe="") for ch in url)
