"""Inline rules tried only where they can match: by the character at the position.

markdown-it tries every inline rule, in order, at every character the ``text`` rule stops at
(``*``, ``[``, ``$``, ``:``, ``-``, ``w`` and the other terminators): with this dialect's 23
rules that was 1.9 million calls for 1,000 notes, nine in ten of them a rule looking at the
character and saying no. Each rule below starts by checking the character at the position (or
the string starting there), so at any other character it is not called: the rules that are
left, in their order, do exactly what the full list did. A rule not in :data:`RULE_STARTS` (a
plugin added later) is tried everywhere, as before. ``tests/test_markdown_dispatch.py`` parses
a corpus and random text both ways and checks the tokens are the same.

The same goes for the rules that run after tokenizing (``ruler2``): strikethrough, ``==mark==``
and emphasis each pair only delimiters of their own markers, and walk every delimiter list of
the inline text to find them, on each of the twenty thousand inline blocks of 1,000 notes. A
block whose text has none of a rule's characters (:data:`POST_NEEDS`) has no such delimiter,
and the rule is not run on it. Nor are ``balance_pairs``, which walks the block's tokens to pair
those delimiters (:data:`DELIMITER_RULES`), and ``fragments_join``, which walks them again to
merge the text tokens the delimiters leave side by side and to count levels again, on a block
with none of their characters: there no delimiter was made, no two text tokens are neighbours
(text is pushed as one pending run, but by those rules) and each token has the level it was
pushed with. Both only as long as every inline rule of the parser is one listed here: a
plugin's rule may make delimiters or text tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING

from markdown_it.rules_core.text_join import text_join as markdown_it_text_join
from markdown_it.rules_inline import text as text_rule

if TYPE_CHECKING:
    from markdown_it.parser_inline import ParserInline
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

__all__ = [
    "DELIMITER_RULES",
    "POST_NEEDS",
    "RULE_PREFIXES",
    "RULE_STARTS",
    "TEXT_ONLY",
    "RuleTable",
    "post_process",
    "skip_token",
    "text_join",
    "tokenize",
]

RULE_STARTS: dict[str, str] = {
    "newline": "\n",
    "math_inline": "$",
    "escape": "\\",
    "backticks": "`",
    "obsidian_comment": "%",
    "hashtag": "#",
    "strikethrough": "~",
    "mark": "=",
    "emphasis": "_*",
    "embed": "!",
    "wikilink": "[",
    "citation": "[",
    "hugo_shortcode": "[{",
    "link": "[",
    "image": "!",
    "footnote_ref": "[",
    "autolink": "<",
    "html_inline": "<",
    "entity": "&",
    "gfm_autolink_www": "w",
    "gfm_autolink_protocol": ":",
    "gfm_autolink_email": "@",
}
"""Inline rule name → the only characters at which it can match (its first check)."""

RULE_PREFIXES: dict[str, str] = {
    "gfm_autolink_www": "www.",
}
"""Inline rule name → the string it can match only at the start of (its first check after the
character): where the text is not that string, the rule says no (:meth:`RuleTable.plain`)."""

POST_NEEDS: dict[str, str] = {
    "strikethrough": "~",
    "mark": "=",
    "emphasis": "*_",
}
"""``ruler2`` rule name → the characters one of which the inline text must hold for the rule to
change anything (it pairs only delimiters of those markers, made only at those characters)."""

DELIMITER_RULES = ("strikethrough", "mark", "emphasis")
"""The inline rules of :data:`RULE_STARTS` that make delimiters (``state.delimiters``): the only
ones ``balance_pairs`` has anything to pair for, and ``fragments_join`` to join."""

_Rule = Callable[["StateInline", bool], bool]
_PostRule = Callable[["StateInline"], None]


class RuleTable:
    """The enabled inline rules of one parser, by the character at the position; made again
    when the parser's rules or terminators change (``Ruler`` makes a new list then)."""

    def __init__(self, parser: ParserInline):
        self.rules = parser.ruler.getRules("")
        self.terminators = parser.terminator_re
        named = [r for r in parser.ruler.__rules__ if r.enabled]
        # Ruler.getRules("") lists the enabled rules in this order: pair them by position.
        self._starts: list[tuple[_Rule, str | None]] = [
            (fn, _starts(rule.name, fn)) for rule, fn in zip(named, self.rules, strict=True)
        ]
        self._at: dict[str, Sequence[_Rule]] = {}
        self._prefixes = {
            fn: RULE_PREFIXES[rule.name]
            for rule, fn in zip(named, self.rules, strict=True)
            if rule.name in RULE_PREFIXES
        }
        self.guarded = frozenset(
            ch for rule in named if rule.name in RULE_PREFIXES for ch in RULE_STARTS[rule.name]
        )
        """The characters where a rule of :data:`RULE_PREFIXES` may be tried (:meth:`plain`)."""
        before_text = []
        for _, starts in self._starts:
            if starts is _TEXT:
                break
            before_text.append(starts)
        self.text_between = all(
            s is not None and not any(self.terminators.match(c) is None for c in s)
            for s in before_text
        )
        """Whether only markdown-it's text rule is tried at a character that is not a
        terminator (no rule before it may start there): then the text between two terminators
        is text whatever it holds, and one at which no rule can match (:meth:`plain`) is text
        with what follows it."""
        self.post_rules = parser.ruler2.getRules("")
        named_post = [r for r in parser.ruler2.__rules__ if r.enabled]
        needs = dict(POST_NEEDS)
        if all(s is not None for _, s in self._starts):  # no rule of unknown start: a plugin's
            delimiters = "".join(RULE_STARTS[name] for name in DELIMITER_RULES)
            needs["balance_pairs"] = needs["fragments_join"] = delimiters
        self.post: tuple[tuple[_PostRule, frozenset[str] | None], ...] = tuple(
            (fn, None if (n := needs.get(rule.name)) is None else frozenset(n))
            for rule, fn in zip(named_post, self.post_rules, strict=True)
        )
        """Each ``ruler2`` rule, in order, with what its text must hold (None: always run)."""

    def current(self, parser: ParserInline) -> bool:
        """Whether the table still matches ``parser``'s rules."""
        return (
            parser.ruler.getRules("") is self.rules
            and parser.terminator_re is self.terminators
            and parser.ruler2.getRules("") is self.post_rules
        )

    def at(self, ch: str) -> Sequence[_Rule]:
        """The rules that may match at ``ch``, in the parser's order (:data:`TEXT_ONLY`
        itself where that is markdown-it's text rule alone)."""
        found = self._at.get(ch)
        if found is None:
            found = tuple(self._select(ch))
            found = self._at[ch] = TEXT_ONLY if found == TEXT_ONLY else found
        return found

    def plain(self, src: str, pos: int) -> bool:
        """Whether no rule but the text rule can match at ``src[pos]`` (a terminator):
        markdown-it would add the character to the pending text and go on."""
        prefixes = self._prefixes
        for rule in self.at(src[pos]):
            prefix = prefixes.get(rule)
            if prefix is None or src.startswith(prefix, pos):
                return False
        return True

    def _select(self, ch: str) -> list[_Rule]:
        stops = self.terminators.match(ch) is not None
        out: list[_Rule] = []
        for fn, starts in self._starts:
            if starts is _TEXT:
                if stops:
                    continue  # text takes everything up to the next terminator: none here
                out.append(fn)
                break  # and takes this character: no later rule is reached
            if starts is None or ch in starts:
                out.append(fn)
        return out


_TEXT = "text"
"""The ``starts`` of markdown-it's own text rule: every character but the terminators."""

TEXT_ONLY: tuple[_Rule] = (text_rule,)
"""What :meth:`RuleTable.at` gives for a character only markdown-it's text rule is tried at
(most characters): :func:`tokenize` then does what the rule does, without calling it (a
hundred thousand calls for 1,000 notes)."""


def _starts(name: str, fn: _Rule) -> str | None:
    if fn is text_rule:
        return _TEXT
    if name == "text":
        return None  # replaced by a plugin: tried everywhere
    return RULE_STARTS.get(name)


def tokenize(table: RuleTable, state: StateInline) -> None:
    """``ParserInline.tokenize`` trying only ``table.at`` the character at each position."""
    end = state.posMax
    src = state.src
    max_nesting = state.md.options["maxNesting"]
    at, search, guarded = table.at, table.terminators.search, table.guarded
    between = table.text_between
    while state.pos < end:
        pos = state.pos
        ok = False
        if state.level < max_nesting:
            ch = src[pos]
            rules = at(ch)
            if rules is TEXT_ONLY or (
                between and (not rules or (ch in guarded and table.plain(src, pos)))
            ):
                # markdown-it's text rule, as it is: the text up to the next terminator. At a
                # terminator no rule matches at (``-``, ``w`` but in ``www.``), markdown-it
                # adds the character to the pending text, then does the same from the next.
                found = search(src, pos + 1)
                stop = found.start() if found else state.posMax
                state.append_pending(src[pos:stop])
                state.pos = stop
                if stop >= end:
                    break
                continue
            for rule in rules:
                ok = rule(state, False)
                if ok:
                    if state.pos <= pos:
                        raise RuntimeError("inline rule didn't increment state.pos")
                    break
        if ok:
            if state.pos >= end:
                break
            continue
        state.append_pending(src[state.pos])
        state.pos += 1
    if state.pending:
        state.pushPending()


def skip_token(table: RuleTable, state: StateInline) -> None:
    """``ParserInline.skipToken`` (the rules in validation mode, as link labels are scanned)
    trying only ``table.at`` the character at the position."""
    pos = state.pos
    cache = state.cache
    if pos in cache:
        state.pos = cache[pos]
        return
    ok = False
    if state.level < state.md.options["maxNesting"]:
        for rule in table.at(state.src[pos]):
            # Counted as nesting, as markdown-it does, to bound the recursion.
            state.level += 1
            ok = rule(state, True)
            state.level -= 1
            if ok:
                if state.pos <= pos:
                    raise RuntimeError("inline rule didn't increment state.pos")
                break
    else:
        # Too deep: skip to the end of the paragraph, as markdown-it does.
        state.pos = state.posMax
    if not ok:
        state.pos += 1
    cache[pos] = state.pos


def post_process(
    table: RuleTable, state: StateInline, *, emphasis_made: bool | None = None
) -> None:
    """The ``ruler2`` rules, as ``ParserInline.parse`` runs them, but those whose characters
    (:data:`POST_NEEDS`) the inline text does not hold.

    ``emphasis_made``, when the emphasis rule says, is whether it made a delimiter: then a
    ``*`` or ``_`` in the text needs no rule if it did not (its runs were made whole)."""
    src = state.src
    for rule, needs in table.post:
        if needs is not None and emphasis_made is not None:
            if emphasis_made and not needs.isdisjoint(_EMPHASIS_MARKS):
                rule(state)
                continue
            needs = needs - _EMPHASIS_MARKS
        if needs is None or any(ch in src for ch in needs):
            rule(state)


_EMPHASIS_MARKS = frozenset(RULE_STARTS["emphasis"])


_TYPE = attrgetter("type")
_CHILDREN = attrgetter("children")


def text_join(state: StateCore) -> None:
    """markdown-it's ``text_join`` core rule, but on the inline blocks where it changes
    something: one with a ``text_special`` token (an escape, an entity) to turn into text, two
    text tokens side by side to merge, or a token with tokens of its own (an image's alt).

    The rule walked every token of every inline block in Python (twenty thousand blocks at
    1,000 notes, none of which it changed); the types are looked at here in C (a join and two
    searches), and only a block with one of those is handed to markdown-it's rule."""
    todo = []
    for block in state.tokens:
        if block.type != "inline":
            continue
        children = block.children
        if not children:
            block.children = []  # as markdown-it leaves a block without children
            continue
        types = "\n".join(map(_TYPE, children))
        if "text_special" in types or "text\ntext" in types or any(map(_CHILDREN, children)):
            todo.append(block)
    if todo:
        # The rule itself, on those blocks only (it reads nothing but ``state.tokens``).
        markdown_it_text_join(_Blocks(todo))  # type: ignore[arg-type]


class _Blocks:
    """What markdown-it's ``text_join`` reads of its state: the tokens."""

    __slots__ = ("tokens",)

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
