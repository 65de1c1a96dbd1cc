"""bib.texletters is texascii.ascii_char's answer, kept: every code point of its ranges says
what ascii_char (through latexcodec) says, and the bibtex flavour of a note with the usual
accented names is written without importing latexcodec."""

from __future__ import annotations

import subprocess
import sys

from papernotes.bib.texascii import ascii_char
from papernotes.bib.texletters import RANGES, known


def test_the_table_is_ascii_char_s_answer() -> None:
    points = [p for first, last in RANGES for p in range(first, last + 1)]
    differ = [f"U+{p:04X}" for p in points if known(chr(p)) != (True, ascii_char(chr(p)))]
    assert differ == [], f"regenerate bib/texletters.py: {differ}"
    assert known("a") == known("\u0250") == known("\u4e00") == (False, None)


def test_common_letters_are_written_without_latexcodec() -> None:
    probe = (
        "import sys\n"
        "from papernotes.bib.texascii import ascii_name, ascii_tex\n"
        "print(ascii_name('Jastrz\u0119bski, Stanis\u0142aw'), ascii_tex('Garc\u00eda \u2013 \u00c7'))\n"
        "print('latexcodec' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [
        "Jastrz{\\k{e}}bski, Stanis{\\l}aw Garc{\\'i}a -- {\\c{C}}",
        "False",
    ]
    # A letter beyond the table still comes from latexcodec (Vietnamese: its decomposition).
    assert ascii_char("\u1ea1") == "{\\d{a}}"
