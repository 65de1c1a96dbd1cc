"""BibTeX field text (LaTeX) to plain Unicode for display: the reverse of
:mod:`papernotes.bib.latex`.

pybtex's ``Text.from_latex(…).render_as("text")`` turns accents and specials into Unicode
(``M{\\"u}ller`` → Müller, ``{\\L}ukasz`` → Łukasz, ``\\&`` → &, ``--`` → –) but leaves
unknown macros in place (``\\emph in vivo``). So the formatting macros users' exports carry
are unwrapped first, and ``\\url``/``\\href`` targets are kept verbatim (their ``_`` and ``~``
are not LaTeX). Math (``$x^2$``) stays as written, for the site's math renderer.
"""

from __future__ import annotations

import re

from pybtex.backends.plaintext import Backend
from pybtex.richtext import Text

from papernotes.bib.braces import group_end, is_one_group
from papernotes.bib.latex import normalize_space

__all__ = ["latex_to_text", "unwrap_group"]

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
    ]
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
        if end < 0 or name not in (_UNWRAP | {"url", "href"}):
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
                    out.append("{" + _macros(text[second + 1 : label_end - 1], held) + "}")
                    pos = label_end
                    continue
            held.append(arg)
            out.append(f"{_HOLD_OPEN}{len(held) - 1}{_HOLD_CLOSE}")
            pos = end
        else:
            out.append("{" + _macros(arg, held) + "}")
            pos = end
    out.append(text[pos:])
    return "".join(out)


def latex_to_text(value: str) -> str:
    """A BibTeX field's LaTeX as plain Unicode text, whitespace collapsed."""
    held: list[str] = []
    prepared = _macros(value, held)
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
