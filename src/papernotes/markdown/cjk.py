"""CJK-friendly emphasis: the flanking rules of CommonMark amended for Chinese, Japanese, Korean.

CommonMark decides whether ``**`` may open or close from the characters on either side. A run
with full-width punctuation inside and a CJK letter outside (``这是**“重点”**内容``,
``**注意力（Attention）**是``) is neither, so the asterisks stay literal. The amendment
(https://github.com/tats-u/markdown-cjk-friendly/blob/main/specification.md, CommonMark
issue #650) lets a CJK character or a CJK punctuation mark count like whitespace-or-punctuation
beside a delimiter run. Text with no CJK next to a run parses exactly as CommonMark says.

markdown-it-py builds its ``StateInline`` inside ``ParserInline.parse``; we install a parser
subclass that builds a state subclass, on one MarkdownIt instance only, so other users of
markdown-it in the same process keep the standard behaviour.
"""

from __future__ import annotations

from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_inline.state_inline import Delimiter, Scanned, StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType

from papernotes.cjk import is_cjk_for_emphasis
from papernotes.markdown.dispatch import RuleTable, post_process, skip_token, tokenize

__all__ = ["install_cjk_emphasis"]

_QUOTES = frozenset("\u2018\u2019\u201c\u201d")


def _is_general_vs(ch: str) -> bool:
    """A variation selector other than the emoji one (U+FE00–U+FE0E)."""
    return "\ufe00" <= ch <= "\ufe0e"


def _is_punct(ch: str) -> bool:
    return isMdAsciiPunct(ord(ch)) or isPunctChar(ch)


class CjkStateInline(StateInline):
    """StateInline whose delimiter scan follows the CJK-friendly amendment."""

    def scanDelims(self, start: int, canSplitWord: bool) -> Scanned:
        src = self.src
        maximum = self.posMax
        marker = src[start]
        pos = start
        while pos < maximum and src[pos] == marker:
            pos += 1
        count = pos - start

        # The line's start and end count as whitespace.
        last = src[start - 1] if start > 0 else " "
        nxt = src[pos] if pos < maximum else " "
        last_ws = isWhiteSpace(ord(last))
        next_ws = isWhiteSpace(ord(nxt))
        if last_ws or next_ws:
            # Beside whitespace the amendment and CommonMark agree and the rest is moot (a
            # variation selector is not whitespace, nor is what it is looked through to).
            return Scanned(not next_ws, not last_ws, count)

        # A variation selector belongs to the character before it: look through it.
        last_main = last
        last_cjk: bool | None
        if _is_general_vs(last) and start > 1 and not isWhiteSpace(ord(src[start - 2])):
            last_main = src[start - 2]
            base = is_cjk_for_emphasis(last_main)
            # A curly quote + U+FE01 is the full-width form ("CJK ambiguous punctuation").
            last_cjk = base if base is not None else (last == "\ufe01" and last_main in _QUOTES)
        else:
            base = is_cjk_for_emphasis(last)
            # An ideographic variation selector only follows ideographs.
            last_cjk = base if base is not None else "\U000e0100" <= last <= "\U000e01ef"

        last_punct = _is_punct(last_main)
        next_punct = _is_punct(nxt)
        next_cjk = is_cjk_for_emphasis(nxt) is True
        # Spec 6.2: only *non-CJK* punctuation blocks flanking, and a CJK neighbour on the
        # other side counts like punctuation does.
        left_flanking = not (next_punct and not next_cjk) or last_punct or last_cjk
        right_flanking = not (last_punct and not last_cjk) or next_punct or next_cjk

        can_open = left_flanking and (canSplitWord or not right_flanking or last_punct)
        can_close = right_flanking and (canSplitWord or not left_flanking or next_punct)
        return Scanned(can_open, can_close, count)


def emphasis_tokenize(state: StateInline, silent: bool) -> bool:
    """markdown-it's emphasis rule (each ``*`` or ``_`` of a run a text token and a delimiter),
    with the tokens made in one go: ``state.push`` per marker was a tenth of parsing a note.
    The tokens, delimiters, level and pending text come out as ``push`` leaves them
    (``tests/test_markdown_cjk.py`` compares the two). A plain ``**strong**`` is made whole
    (:func:`_plain_strong`)."""
    if silent:
        return False
    start = state.pos
    marker = state.src[start]
    if marker != "*" and marker != "_":
        return False
    scanned = state.scanDelims(start, marker == "*")
    if state.pending:
        state.pushPending()
    tokens = state.tokens
    tokens_meta = state.tokens_meta
    level = state.level
    length = scanned.length
    can_open, can_close = scanned.can_open, scanned.can_close
    if length == 2 and can_open and not can_close and _plain_strong(state, start, marker):
        return True
    delimiters = state.delimiters
    code = ord(marker)
    for _ in range(length):
        token = Token("text", "", 0)
        token.level = level
        token.content = marker
        tokens.append(token)
        tokens_meta.append(None)
        delimiters.append(Delimiter(code, length, len(tokens) - 1, -1, can_open, can_close))
    state.pendingLevel = level
    state.pos += length
    return True


def _plain_strong(state: StateInline, start: int, marker: str) -> bool:
    """``**text**`` at ``start`` (a run of two that only opens) as the tokens markdown-it ends
    with, when the text between is plain (no rule but the text rule matches in it) and the
    run of two after it only closes: True when made, False (nothing done) otherwise.

    Nothing between the runs makes a delimiter, so the closing run's nearest opener is the
    opening run, neither can both open and close (the rule of 3 does not apply), and they
    pair whole: ``<strong>``. Delimiters so paired are never paired again, so leaving them out
    changes nothing for the others. markdown-it would make four single-marker text tokens
    and delimiters, then turn the inner two into ``strong_open``/``strong_close`` and empty
    the outer two, which ``fragments_join`` merges into their text neighbours (it runs on
    every inline text with a ``*`` or ``_``): the same five tokens are made here at once.
    At 1,000 notes, nine in ten emphasis runs were such halves of ``**term**``."""
    src, end = state.src, state.posMax
    parser = state.md.inline
    if not isinstance(parser, CjkParserInline):
        return False
    table = parser._rules()
    if not table.text_between:
        return False
    search = table.terminators.search
    pos = start + 2
    while True:  # the next terminator must be the closing run's; the ones before, text
        found = search(src, pos, end)
        if found is None:
            return False
        pos = found.start()
        if src[pos] == marker:
            break
        if not table.plain(src, pos):
            return False
        pos += 1
    if pos + 2 > end or src[pos + 1] != marker or (pos + 2 < end and src[pos + 2] == marker):
        return False
    closing = state.scanDelims(pos, marker == "*")
    if not closing.can_close or closing.can_open:
        return False
    level = state.level
    markup = marker + marker
    made = (
        _text("", level),
        _tag("strong_open", 1, markup, level),
        _text(src[start + 2 : pos], level),
        _tag("strong_close", -1, markup, level),
        _text("", level),
    )
    state.tokens.extend(made)
    # markdown-it's tokens_meta has no entry for a token of pending text (the inner one).
    state.tokens_meta.extend((None, None, None, None))
    state.pendingLevel = level
    state.pos = pos + 2
    return True


def _text(content: str, level: int) -> Token:
    token = Token("text", "", 0)
    token.content = content
    token.level = level
    return token


def _tag(kind: str, nesting: Literal[1, -1], markup: str, level: int) -> Token:
    token = Token(kind, "strong", nesting)
    token.markup = markup
    token.level = level
    return token


class CjkParserInline(ParserInline):
    """ParserInline that tokenizes with :class:`CjkStateInline`, trying at each position only
    the rules that can match the character there (:mod:`papernotes.markdown.dispatch`)."""

    _table: RuleTable | None = None

    def _rules(self) -> RuleTable:
        table = self._table
        if table is None or not table.current(self):
            table = self._table = RuleTable(self)
        return table

    def tokenize(self, state: StateInline) -> None:
        tokenize(self._rules(), state)

    def skipToken(self, state: StateInline) -> None:
        skip_token(self._rules(), state)

    def post_process(self, state: StateInline) -> None:
        """The ``ruler2`` rules, but those the text has no marker for."""
        post_process(self._rules(), state)

    def parse(self, src: str, md: MarkdownIt, env: EnvType, tokens: list[Token]) -> list[Token]:
        state = CjkStateInline(src, md, env, tokens)
        self.tokenize(state)
        self.post_process(state)
        return state.tokens


def install_cjk_emphasis(md: MarkdownIt) -> None:
    """Swap ``md``'s inline parser for the CJK-friendly one, keeping which rules are enabled.

    Call right after constructing ``md``, before any plugin adds inline rules: the new parser
    starts from markdown-it's default rule list.
    """
    old = md.inline
    if old.ruler.get_all_rules() != ParserInline().ruler.get_all_rules():
        raise ValueError("install_cjk_emphasis must run before plugins add inline rules")
    new = CjkParserInline()
    new.ruler.at("emphasis", emphasis_tokenize)
    new.ruler.enableOnly(old.ruler.get_active_rules())
    new.ruler2.enableOnly(old.ruler2.get_active_rules())
    md.inline = new
