"""What :func:`texascii.ascii_char` says of each Latin letter and punctuation mark a library
names most (U+00A0–U+024F, U+2010–U+205F), kept here so that writing the ``bibtex`` flavour of
an entry with a ``García`` or a ``Jastrzębski`` does not import latexcodec (~20 ms a process:
an edit build writes its note's entry on the paper page).

tests/test_bib_texletters.py checks every value against :func:`texascii.ascii_char` (through
latexcodec) and names the code points that differ (a newer latexcodec: regenerate the table).
"""

from __future__ import annotations

__all__ = ["RANGES", "known"]

RANGES = ((0x00A0, 0x024F), (0x2010, 0x205F))
"""The code points the table holds, first to last."""

# ascii_char of each code point of RANGES, in order (None: it stays UTF-8).
# fmt: off
_VALUES: tuple[tuple[str | None, ...], ...] = (
    # U+00A0–U+024F
    (
        None, '!`', None, None, None, None, None, '{\\S}', None, None, None, '{\\guillemotleft}',
        None, None, None, None, None, None, None, None, None, '{\\ensuremath{\\mu}}', '{\\P}',
        None, None, None, None, '{\\guillemotright}', None, None, None, '?`', '{\\`A}', "{\\'A}",
        '{\\^A}', '{\\~A}', '{\\"A}', '{\\AA}', '{\\AE}', '{\\c{C}}', '{\\`E}', "{\\'E}", '{\\^E}',
        '{\\"E}', '{\\`I}', "{\\'I}", '{\\^I}', '{\\"I}', '{\\DH}', '{\\~N}', '{\\`O}', "{\\'O}",
        '{\\^O}', '{\\~O}', '{\\"O}', None, '{\\O}', '{\\`U}', "{\\'U}", '{\\^U}', '{\\"U}',
        "{\\'Y}", '{\\TH}', '{\\ss}', '{\\`a}', "{\\'a}", '{\\^a}', '{\\~a}', '{\\"a}', '{\\aa}',
        '{\\ae}', '{\\c{c}}', '{\\`e}', "{\\'e}", '{\\^e}', '{\\"e}', '{\\`i}', "{\\'i}", '{\\^i}',
        '{\\"i}', '{\\dh}', '{\\~n}', '{\\`o}', "{\\'o}", '{\\^o}', '{\\~o}', '{\\"o}', None,
        '{\\o}', '{\\`u}', "{\\'u}", '{\\^u}', '{\\"u}', "{\\'y}", '{\\th}', '{\\"y}', '{\\=A}',
        '{\\=a}', '{\\u{A}}', '{\\u{a}}', '{\\k{A}}', '{\\k{a}}', "{\\'C}", "{\\'c}", '{\\^C}',
        '{\\^c}', '{\\.C}', '{\\.c}', '{\\v{C}}', '{\\v{c}}', '{\\v{D}}', '{\\v{d}}', '{\\DJ}',
        '{\\dj}', '{\\=E}', '{\\=e}', '{\\u{E}}', '{\\u{e}}', '{\\.E}', '{\\.e}', '{\\k{E}}',
        '{\\k{e}}', '{\\v{E}}', '{\\v{e}}', '{\\^G}', '{\\^g}', '{\\u{G}}', '{\\u{g}}', '{\\.G}',
        '{\\.g}', '{\\c{G}}', '{\\c{g}}', '{\\^H}', '{\\^h}', None, None, '{\\~I}', '{\\~i}',
        '{\\=I}', '{\\=i}', '{\\u{I}}', '{\\u{i}}', '{\\k{I}}', '{\\k{i}}', '{\\.I}', '{\\i}',
        'IJ', 'ij', '{\\^J}', '{\\^j}', '{\\c{K}}', '{\\c{k}}', None, "{\\'L}", "{\\'l}",
        '{\\c{L}}', '{\\c{l}}', '{\\v{L}}', '{\\v{l}}', None, None, '{\\L}', '{\\l}', "{\\'N}",
        "{\\'n}", '{\\c{N}}', '{\\c{n}}', '{\\v{N}}', '{\\v{n}}', "'n", None, None, '{\\=O}',
        '{\\=o}', '{\\u{O}}', '{\\u{o}}', '{\\H{O}}', '{\\H{o}}', '{\\OE}', '{\\oe}', "{\\'R}",
        "{\\'r}", '{\\c{R}}', '{\\c{r}}', '{\\v{R}}', '{\\v{r}}', "{\\'S}", "{\\'s}", '{\\^S}',
        '{\\^s}', '{\\c{S}}', '{\\c{s}}', '{\\v{S}}', '{\\v{s}}', '{\\c{T}}', '{\\c{t}}',
        '{\\v{T}}', '{\\v{t}}', None, None, '{\\~U}', '{\\~u}', '{\\=U}', '{\\=u}', '{\\u{U}}',
        '{\\u{u}}', '{\\r{U}}', '{\\r{u}}', '{\\H{U}}', '{\\H{u}}', '{\\k{U}}', '{\\k{u}}',
        '{\\^W}', '{\\^w}', '{\\^Y}', '{\\^y}', '{\\"Y}', "{\\'Z}", "{\\'z}", '{\\.Z}', '{\\.z}',
        '{\\v{Z}}', '{\\v{z}}', 's', None, None, None, None, None, None, None, None, None, None,
        None, None, None, None, None, None, None, None, None, None, None, None, None, None, None,
        None, None, None, None, None, None, None, None, None, None, None, None, None, None, None,
        None, None, None, None, None, None, None, None, None, None, None, None, None, None, None,
        None, None, None, None, None, None, None, None, None, None, None, None, None, 'D{\\v{Z}}',
        'D{\\v{z}}', 'd{\\v{z}}', 'LJ', 'Lj', 'lj', 'NJ', 'Nj', 'nj', '{\\v{A}}', '{\\v{a}}',
        '{\\v{I}}', '{\\v{i}}', '{\\v{O}}', '{\\v{o}}', '{\\v{U}}', '{\\v{u}}', '{\\={\\"U}}',
        '{\\={\\"u}}', '{\\\'{\\"U}}', '{\\\'{\\"u}}', '{\\v{\\"U}}', '{\\v{\\"u}}', '{\\`{\\"U}}',
        '{\\`{\\"u}}', None, '{\\={\\"A}}', '{\\={\\"a}}', '{\\={\\.A}}', '{\\={\\.a}}', None,
        None, None, None, '{\\v{G}}', '{\\v{g}}', '{\\v{K}}', '{\\v{k}}', '{\\k{O}}', '{\\k{o}}',
        '{\\={\\k{O}}}', '{\\={\\k{o}}}', None, None, '{\\v{j}}', 'DZ', 'Dz', 'dz', "{\\'G}",
        "{\\'g}", None, None, '{\\`N}', '{\\`n}', "{\\'{\\r{A}}}", "{\\'{\\r{a}}}", None, None,
        None, None, None, None, None, None, None, None, None, None, None, None, None, None, None,
        None, None, None, None, None, None, None, None, None, None, None, '{\\textcommabelow{S}}',
        '{\\textcommabelow{s}}', '{\\textcommabelow{T}}', '{\\textcommabelow{t}}', None, None,
        '{\\v{H}}', '{\\v{h}}', None, None, None, None, None, None, '{\\.A}', '{\\.a}', '{\\c{E}}',
        '{\\c{e}}', '{\\={\\"O}}', '{\\={\\"o}}', '{\\={\\~O}}', '{\\={\\~o}}', '{\\.O}', '{\\.o}',
        '{\\={\\.O}}', '{\\={\\.o}}', '{\\=Y}', '{\\=y}', None, None, None, None, None, None, None,
        None, None, None, None, None, None, None, None, None, None, None, None, None, None, None,
        None, None, None, None, None, None,
    ),
    # U+2010–U+205F
    (
        '-', None, None, '--', '---', None, None, None, '`', "'", None, None, '``', "''", ',,',
        None, '{\\dag}', '{\\ddag}', None, None, '.', '..', '...', None, None, None, None, None,
        None, None, None, None, None, None, None, None, None, None, None, None, None, None, None,
        None, '!!', None, None, None, None, None, None, None, None, None, None, '??', '?!', '!?',
        None, None, None, None, None, None, None, None, None, None, None, None, None, None, None,
        None, None, None, None, None, None, None,
    ),
)
# fmt: on


def known(ch: str) -> tuple[bool, str | None]:
    """(whether the table holds ``ch``, and then its ASCII TeX or None)."""
    point = ord(ch)
    for (first, last), values in zip(RANGES, _VALUES, strict=True):
        if first <= point <= last:
            return True, values[point - first]
    return False, None
