"""BibTeX field text (LaTeX) to plain Unicode for display: the reverse of
:mod:`papernotes.bib.latex`.

pybtex's ``Text.from_latex(…).render_as("text")`` turns accents and specials into Unicode
(``M{\\"u}ller`` → Müller, ``{\\L}ukasz`` → Łukasz, ``\\&`` → &, ``--`` → –) but leaves
unknown macros in place (``\\emph in vivo``). So the formatting macros users' exports carry
are unwrapped first, and ``\\url``/``\\href`` targets are kept verbatim (their ``_`` and ``~``
are not LaTeX). Math (``$x^2$``, ``$\\alpha$``) stays as written, for the site's math renderer;
``\\$`` is a dollar sign. biblatex's ``\\mkbibquote`` becomes “…”, ``\\mkbibemph`` and friends
their text, ``\\hyphen`` a hyphen; ``\\-`` (a hyphenation point) disappears. A dotless ``\\i``
under an accent (``\\'{\\i}``, which pybtex leaves alone) is the plain letter accented: í.
``~`` becomes a plain space, not U+00A0: front matter is text people edit and search, where an
invisible no-break space only splits words wrongly, and the export chooses TeX spacing itself.

pybtex (through its bundled latexcodec) does the accent and symbol tables; the code here only
rewrites what it leaves as macros. pylatexenc's ``latex2text`` would cover a few more macros but
is a new dependency, and pybtex is already required.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from types import MappingProxyType

from pybtex.backends.plaintext import Backend
from pybtex.richtext import Text

from papernotes.bib.braces import group_end, is_one_group
from papernotes.bib.latex import normalize_space

__all__ = [
    "classic_tex",
    "decode_tex",
    "latex_to_text",
    "repair_c1",
    "unwrap_group",
    "verbatim_text",
]

_UNWRAP = frozenset(
    [
        "emph",
        "textit",
        "textbf",
        "textsc",
        "texttt",
        "textrm",
        "textsf",
        "textsl",
        "textup",
        "textnormal",
        "mbox",
        "text",
        "textmd",
        "uline",
        "underline",
        "textsuperscript",
        "textsubscript",
        "mkbibemph",
        "mkbibitalic",
        "mkbibbold",
        "mkbibacro",
        "mkbibsuperscript",
        "mkbibsubscript",
    ]
)
# Macros whose argument is shown inside quotation marks.
_QUOTE = frozenset(["mkbibquote", "enquote", "textquote"])
# Inline or display math, with unescaped dollars: held as written.
_MATH = re.compile(r"(?<!\\)\$\$.+?(?<!\\)\$\$|(?<!\\)\$.+?(?<!\\)\$", re.DOTALL)
# Macros pybtex keeps as written, as their plain text (a control word eats the spaces after it).
_WORDS = re.compile(
    r"\\(hyphen|nbhyphen|hyphenate|slash|textquotedbl|relax)(?![A-Za-z])\s*(?:\{\})?"
)
# \relax does nothing; the bibtex flavour writes a CJK name as {\relax 杨植麟} (see texascii).
_WORD_TEXT = MappingProxyType(
    {"hyphen": "-", "nbhyphen": "-", "hyphenate": "", "slash": "/", "textquotedbl": '"'}
    | {"relax": ""}
)
# A dotless i or j under an accent, \'{\i}, \'\i, \v{\i}: pybtex leaves these undecoded.
_ACCENT = r"\\(['`^\"~=.]|[uvHckrdb](?![A-Za-z]))\s*"
_DOTLESS_BRACED = re.compile(_ACCENT + r"\{\s*\\([ij])(?![A-Za-z])\s*(?:\{\})?\s*\}")
_DOTLESS_BARE = re.compile(_ACCENT + r"\\([ij])(?![A-Za-z])(?:\s*\{\})?")
# An accent on one letter, as the letter and a combining mark (NFC-composed): latexcodec
# misses some that real names need, such as pinyin's \v{i} (ǐ) or \d{a} (ạ).
_COMBINING = MappingProxyType(
    {
        "'": "\u0301",
        "`": "\u0300",
        "^": "\u0302",
        '"': "\u0308",
        "~": "\u0303",
        "=": "\u0304",
        ".": "\u0307",
        "u": "\u0306",
        "v": "\u030c",
        "H": "\u030b",
        "c": "\u0327",
        "k": "\u0328",
        "r": "\u030a",
        "d": "\u0323",
        "b": "\u0331",
    }
)
# A braced argument may be any letter: a letter already accented, as in \~{\^e} (ễ), whose
# inner accent an earlier pass decoded.
_ACCENTED = re.compile(
    r"\\(?:([`'^\"~=.])\s*(?:\{\s*([^\W\d_])\s*\}|([A-Za-z]))"
    r"|([uvHckrdb])(?:\s*\{\s*([^\W\d_])\s*\}|\s+([A-Za-z])(?![A-Za-z])))"
)
_MACRO = re.compile(r"\\([A-Za-z]+)\s*\{")
_HOLD_OPEN, _HOLD_CLOSE = "\ue000", "\ue001"


def _macros(text: str, held: list[str]) -> str:
    out: list[str] = []
    pos = 0
    for m in _MACRO.finditer(text):
        if m.start() < pos:
            continue
        name = m.group(1)
        open_at = m.end() - 1
        end = group_end(text, open_at)
        if end < 0 or name not in (_UNWRAP | _QUOTE | {"url", "href"}):
            continue
        out.append(text[pos : m.start()])
        arg = text[open_at + 1 : end - 1]
        if name == "url":
            held.append(arg)
            out.append(f"{_HOLD_OPEN}{len(held) - 1}{_HOLD_CLOSE}")
            pos = end
        elif name == "href":
            second = end
            while second < len(text) and text[second].isspace():
                second += 1
            if second < len(text) and text[second] == "{":
                label_end = group_end(text, second)
                if label_end > 0:
                    # The label, then the target: plain text has no link to hide it in.
                    label = _macros(text[second + 1 : label_end - 1], held)
                    held.append(arg)
                    target = f"{_HOLD_OPEN}{len(held) - 1}{_HOLD_CLOSE}"
                    same = label.strip() == arg.strip()
                    out.append(target if same else "{" + label + "} (" + target + ")")
                    pos = label_end
                    continue
            held.append(arg)
            out.append(f"{_HOLD_OPEN}{len(held) - 1}{_HOLD_CLOSE}")
            pos = end
        elif name in _QUOTE:
            out.append("{\u201c" + _macros(arg, held) + "\u201d}")
            pos = end
        else:
            out.append("{" + _macros(arg, held) + "}")
            pos = end
    out.append(text[pos:])
    return "".join(out)


def _accented(m: re.Match[str]) -> str:
    accent = m.group(1) or m.group(4)
    letter = m.group(2) or m.group(3) or m.group(5) or m.group(6)
    return unicodedata.normalize("NFC", letter + _COMBINING[accent])


_ENSUREMATH = re.compile(r"\\ensuremath\s*\{\s*(\\[A-Za-z]+)\s*\}")


def _ensuremath(m: re.Match[str]) -> str:
    # One symbol in \ensuremath (how the bibtex flavour writes a Greek letter) is that symbol;
    # anything latexcodec cannot name stays as written.
    import latexcodec  # noqa: F401  (registers the "latex" codec)

    symbol = f"${m.group(1)}$".encode().decode("latex")
    return symbol if len(symbol) == 1 and not symbol.isascii() else m.group()


# What pybtex and latexcodec change in a field is TeX: commands, groups, math, comments, and
# the ligatures of plain characters (-- --- `` '' ,, !` ?` ~). A value with none of them is
# its own text; tests/test_bib_unlatex.py checks this against the full decoding.
_PLAIN = re.compile(r"(?:[^\\{}$%~`'\-,]|'(?!')|-(?!-)|,(?!,))*")


@functools.lru_cache(maxsize=8192)
def latex_to_text(value: str) -> str:
    """A BibTeX field's LaTeX as plain Unicode text, whitespace collapsed.

    Remembered for the last few thousand values: ``papernotes import`` decodes each field
    several times (to choose how it is kept, then to check the export gives it back), and a
    lab's bibliography repeats its journals and authors; latexcodec takes ~0.3 ms a value."""
    if _PLAIN.fullmatch(value):  # most values of a real .bib (73% of a lab's 14,800)
        return normalize_space(value)
    return decode_tex(value)


def decode_tex(value: str) -> str:
    """:func:`latex_to_text` the long way, always through pybtex and latexcodec."""
    held: list[str] = []

    def hold(kept: str) -> str:
        held.append(kept)
        return f"{_HOLD_OPEN}{len(held) - 1}{_HOLD_CLOSE}"

    prepared = _ENSUREMATH.sub(_ensuremath, value)
    prepared = _MATH.sub(lambda m: hold(m.group()), prepared)
    prepared = prepared.replace("\\$", hold("$"))
    prepared = _DOTLESS_BRACED.sub(r"\\\1{\2}", prepared)
    prepared = _DOTLESS_BARE.sub(r"\\\1{\2}", prepared)
    while (decoded := _ACCENTED.sub(_accented, prepared)) != prepared:  # innermost first
        prepared = decoded
    prepared = _WORDS.sub(lambda m: _WORD_TEXT[m.group(1)], prepared)
    prepared = re.sub(r"\\-", "", prepared)
    prepared = _macros(prepared, held)
    try:
        # render(Backend()) rather than render_as("text"): the latter looks the backend up
        # through the package entry points on every call, ~15 ms each.
        rendered = Text.from_latex(prepared).render(Backend())
    except Exception:  # pybtex raises assorted errors on odd input; fall back to no braces
        rendered = prepared.replace("{", "").replace("}", "")
    for i, kept in enumerate(held):
        rendered = rendered.replace(f"{_HOLD_OPEN}{i}{_HOLD_CLOSE}", kept)
    return normalize_space(rendered)


def unwrap_group(value: str) -> str | None:
    """The inside of ``value`` when it is one brace group ``{…}``, else None."""
    value = value.strip()
    if is_one_group(value):
        return value[1:-1]
    return None


_ESCAPED = re.compile(r"\\([_%#&$~])(?:\{\})?")


def verbatim_text(value: str) -> str:
    """A DOI or URL field as the plain string it means: ``10.1000/a\\_b`` → ``10.1000/a_b``.

    Such fields are verbatim in biblatex, but many exporters escape them as text anyway; a
    ``\\url{…}`` wrapper and grouping braces are dropped too.
    """
    text = value.strip()
    inner = re.fullmatch(r"\\url\s*\{(.*)\}", text, re.DOTALL)
    if inner is not None and is_one_group(text[text.index("{") :]):
        text = inner.group(1)
    text = text.replace("{\\textasciitilde}", "~").replace("\\textasciitilde{}", "~")
    text = _ESCAPED.sub(r"\1", text)
    return "".join(text.replace("{", "").replace("}", "").split())


_C1 = re.compile("[\u0080-\u009f]")


def _cp1252(m: re.Match[str]) -> str:
    try:
        return bytes([ord(m.group())]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d: unassigned there too
        return ""


def repair_c1(text: str) -> tuple[str, list[int]]:
    """``text`` with each C1 control character (U+0080–U+009F) read as the Windows-1252
    character of that byte (U+0097 → "—", U+0093/U+0094 → "“ ”"), and the lines (1-based) where
    one was. Such characters are never meant in a .bib file: they are Windows-1252 punctuation
    decoded as Latin-1 on the way to UTF-8, and LaTeX stops at them."""
    if not _C1.search(text):
        return text, []
    lines = sorted({text.count("\n", 0, m.start()) + 1 for m in _C1.finditer(text)})
    return _C1.sub(_cp1252, text), lines


_CLASSIC = {
    "mkbibquote": ("``", "''"),
    "enquote": ("``", "''"),
    "mkbibemph": ("\\emph{", "}"),
    "mkbibitalic": ("\\textit{", "}"),
    "mkbibbold": ("\\textbf{", "}"),
}
"""biblatex's markup macros and the classic LaTeX that prints the same."""
_CLASSIC_WORDS = re.compile(r"\\(hyphen|nbhyphen)(?![A-Za-z])\s*(?:\{\})?")


def classic_tex(value: str) -> str:
    """Raw TeX with biblatex-only macros written as classic LaTeX, which any document defines:
    ``\\mkbibquote{X}`` → ````X''``, ``\\mkbibemph{X}`` → ``\\emph{X}``, ``\\hyphen`` → ``-``.
    A field kept as TeX (math, case-protecting braces) still loses the macros that only
    biblatex knows, so the classic BibTeX styles typeset it too."""
    value = _CLASSIC_WORDS.sub("-", value)
    out: list[str] = []
    pos = 0
    for m in _MACRO.finditer(value):
        if m.start() < pos or m.group(1) not in _CLASSIC:
            continue
        end = group_end(value, m.end() - 1)
        if end < 0:
            continue
        before, after = _CLASSIC[m.group(1)]
        out.append(value[pos : m.start()] + before + classic_tex(value[m.end() : end - 1]) + after)
        pos = end
    out.append(value[pos:])
    return "".join(out)
