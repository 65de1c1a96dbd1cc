"""Author names: front-matter strings to :class:`Author`, and Authors to BibTeX name strings.

Western names are split by BibTeX's rules (First von Last, von Last, First, von Last, Jr,
First) as pybtex implements them (:func:`entry.parse_name`, a port). CJK names are family-name
first and are never handed to those rules, which would read "田中 英輝" as given name 田中.
"""

from __future__ import annotations

import re

from papernotes.bib.braces import brace_error, depths, is_one_group
from papernotes.bib.entry import Person, parse_name, split_tex_string
from papernotes.bib.latex import latex_text, normalize_space
from papernotes.cjk import has_cjk
from papernotes.model import Author

__all__ = [
    "format_person",
    "is_others",
    "parse_person",
    "person_parts",
    "split_authors",
    "to_person",
]

_OTHERS_WORDS = frozenset({"others", "et al.", "et al"})
# "Tao Gao", "Ashish Vaswani", "John Ronald Tolkien": capitalised ASCII words, none of them
# "And". BibTeX's rules give such a name its last word as the family name and the words before
# as given names (no particle: no word starts lower-case; no suffix: no comma), so it is split
# here without pybtex's tokenizer, which was most of parsing a note's front matter.
_PLAIN_NAME = re.compile(r"[A-Z][a-z]*(?: [A-Z][a-z]*)+")


def _words(value: str) -> list[str]:
    """Whitespace-separated words, where a brace group never splits."""
    words: list[str] = []
    current: list[str] = []
    for _, ch, depth in depths(value):
        if ch.isspace() and depth == 0:
            if current:
                words.append("".join(current))
                current = []
            continue
        current.append(ch)
    if current:
        words.append("".join(current))
    return words


def split_authors(value: str) -> list[str]:
    """Split a BibTeX-style "A and B and C" into names (``and`` in any case, not inside braces).

    Raises ValueError for unbalanced braces or an ``and`` with no name on one side.
    """
    problem = brace_error(value)
    if problem:
        raise ValueError(f"unbalanced braces in author list {value!r}: {problem}")
    groups: list[list[str]] = [[]]
    for word in _words(value):
        if word.lower() == "and":
            groups.append([])
        else:
            groups[-1].append(word)
    if groups == [[]]:
        return []
    if any(not g for g in groups):
        raise ValueError(f"author list {value!r} has an 'and' with no name beside it")
    return [" ".join(g) for g in groups]


def is_others(name: str) -> bool:
    """Whether ``name``, as the last of a list, means "and others" (:data:`model.OTHERS`):
    ``others`` (BibTeX's keyword) or ``et al.``, in any case. A braced ``{others}`` is a name."""
    return normalize_space(name).lower() in _OTHERS_WORDS


def _unbrace(text: str) -> str:
    # Braces in front matter only group ("{OpenAI}", "{van} Beethoven"); they are not text.
    return normalize_space(text.replace("{", "").replace("}", ""))


def parse_person(name: str) -> Author:
    """Turn one front-matter author string into an :class:`Author`.

    Accepts "First Last", "Last, First", "Last, Jr., First", "von Last, First", a braced
    literal such as "{Allen Institute for AI}" (one family name, never split), a CJK name
    "杨植麟" (family only) and a CJK name with a space "田中 英輝" or "{田中 英輝}" (family
    first: family 田中, given 英輝).
    Raises ValueError, with the reason, for an empty name, unbalanced braces, more than two
    commas, LaTeX escapes, several names joined by "and", or no family name.
    """
    text = normalize_space(name)
    if _PLAIN_NAME.fullmatch(text) and " And " not in f" {text} ":
        given, _, family = text.rpartition(" ")
        return Author(family=family, given=given)
    if not text:
        raise ValueError("empty author name")
    problem = brace_error(text)
    if problem:
        raise ValueError(f"unbalanced braces in author name {name!r}: {problem}")
    if "\\" in text:
        raise ValueError(
            f"author name {name!r} contains a backslash; names are plain Unicode "
            "(write 'Müller', not LaTeX such as 'M{\\\"u}ller')"
        )
    if len(split_authors(text)) > 1:
        raise ValueError(
            f"author name {name!r} looks like several names joined by 'and'; "
            "list each author separately, or brace an organisation name: '{A and B}'"
        )
    if is_one_group(text):
        literal = _unbrace(text)
        if not literal:
            raise ValueError(f"author name {name!r} is empty inside its braces")
        if has_cjk(literal) and "," not in literal:
            # "{宋 海越}" is how CJK names are protected in BibTeX; still family first.
            family, _, given = literal.partition(" ")
            return Author(family=family, given=given)
        return Author(family=literal)
    commas = len(split_tex_string(text, ","))
    if commas > 3:
        raise ValueError(
            f"author name {name!r} has {commas - 1} commas; use 'First Last', 'Last, First' "
            "or 'Last, Jr., First', and brace a name that contains a comma"
        )
    if has_cjk(text) and commas == 1:
        family, _, given = text.partition(" ")
        return Author(family=_unbrace(family), given=_unbrace(given))
    person = parse_name(text)
    author = Author(
        family=_unbrace(" ".join(person.last_names)),
        given=_unbrace(" ".join(person.first_names + person.middle_names)),
        particle=_unbrace(" ".join(person.prelast_names)),
        suffix=_unbrace(" ".join(person.lineage_names)),
    )
    if not author.family:
        raise ValueError(f"author name {name!r} has no family name")
    return author


def _brace(text: str) -> str:
    return f"{{{text}}}"


def _needs_group(text: str) -> bool:
    # A lone "and" would split the author list.
    return any(w.lower() == "and" for w in text.split())


def to_person(author: Author) -> Person:
    """The :class:`entry.Person` for ``author``, its parts LaTeX-escaped and braced where needed.

    Braces make a part one token that no BibTeX implementation re-splits: a family-only name
    ("{OpenAI}"), a CJK name, family first ("{杨植麟}", "{田中 英輝}", so no style reorders or
    abbreviates it; :func:`parse_person` reads it back as family 田中, given 英輝), a multi-word
    family ("{dos Santos}", so "dos" is not taken for a particle), a part holding a lone "and",
    and a whole name with a comma in any part ("{Acme, Inc.}"). :data:`model.OTHERS` is a bare
    ``others``, which BibTeX and biber read as "et al.".
    """
    family, given = normalize_space(author.family), normalize_space(author.given)
    particle, suffix = normalize_space(author.particle), normalize_space(author.suffix)
    if author.others:
        return Person(last="others")  # bare: BibTeX's keyword for "et al.", never a person
    if not family:
        family, given = given, ""
    if not family:
        raise ValueError(f"author {author!r} has no name")
    if has_cjk(family) and not (particle or suffix) and (not given or has_cjk(given)):
        # One braced token, family first: as "{田中}, {英輝}" BibTeX styles print "英輝 田中"
        # and abbrv.bst abbreviates 英輝 to its first byte, which is invalid UTF-8.
        return Person(last=_brace(latex_text(f"{family} {given}")))
    if any("," in part for part in (family, given, particle, suffix)):
        # biber counts every comma in a name, braced or not, and drops the whole entry at more
        # than two; a name part with a comma (surely not a person's) is kept as one literal.
        literal = Author(family, given, particle, suffix).display
        return Person(last=_brace(latex_text(literal)))
    family_only = not (given or particle or suffix)
    last = latex_text(family)
    if family_only or " " in family or _needs_group(family):
        last = _brace(last)
    first = latex_text(given)
    if _needs_group(given):
        first = _brace(first)
    von = _brace(latex_text(particle)) if _needs_group(particle) else latex_text(particle)
    jr = _brace(latex_text(suffix)) if _needs_group(suffix) else latex_text(suffix)
    return Person(first=first, prelast=von, last=last, lineage=jr)


def format_person(person: Person) -> str:
    """``person`` as a BibTeX name: "von Last, First" or "von Last, Jr, First".

    pybtex's own ``str(Person)`` writes a name with a suffix but no first name as "Doe, Jr",
    which reads back as first name "Jr"; the three-part form keeps the suffix a suffix.
    """
    von_last = " ".join(person.prelast_names + person.last_names)
    jr = " ".join(person.lineage_names)
    first = " ".join(person.first_names + person.middle_names)
    if jr:
        return f"{von_last}, {jr}, {first}".rstrip()
    if first:
        return f"{von_last}, {first}"
    return von_last


def person_parts(person: Person) -> tuple[str, str, str, str]:
    """(given, particle, family, suffix) of a name as BibTeX reads it, LaTeX decoded and braces
    dropped, so that two spellings of one name (``M{\\"u}ller``, ``Müller``) compare equal."""
    # Imported here: it loads pybtex's rich text and plain-text backend, which reading a note
    # (parse_person) does not need.
    from papernotes.bib.unlatex import latex_to_text

    def part(names: list[str]) -> str:
        return latex_to_text(" ".join(names)).replace("{", "").replace("}", "")

    return (
        part(person.first_names + person.middle_names),
        part(person.prelast_names),
        part(person.last_names),
        part(person.lineage_names),
    )
