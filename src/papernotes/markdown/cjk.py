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
    """StateInline whose delimiter scan follows the CJK-friendly amendment, and which knows
    whether :func:`emphasis_tokenize` made a delimiter (``delimited``)."""

    def __init__(self, src: str, md: MarkdownIt, env: EnvType, outTokens: list[Token]) -> None:
        super().__init__(src, md, env, outTokens)
        self.delimited = False
        """Whether :func:`emphasis_tokenize` left a delimiter for the post rules to pair."""
        self.tail: Token | None = None
        """The empty text token after the last plain strong (:func:`_plain_strong`)."""

    def pushPending(self) -> Token:
        """The pending text as a text token; right after a plain strong, its empty tail
        takes the text, as ``fragments_join`` would merge the two."""
        tail = self.tail
        if tail is not None and self.tokens and self.tokens[-1] is tail:
            tail.content = self.pending
            self.pending = ""
            self.tail = None
            return tail
        # StateInline.pushPending, its token made by :func:`_text`.
        token = _text(self.pending, self.pendingLevel)
        self.tokens.append(token)
        self.pending = ""
        return token

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
    after_text = bool(state.pending)
    if after_text:
        state.pushPending()
    tokens = state.tokens
    tokens_meta = state.tokens_meta
    level = state.level
    length = scanned.length
    can_open, can_close = scanned.can_open, scanned.can_close
    if (
        length == 2
        and can_open
        and not can_close
        and _plain_strong(state, start, marker, after_text)
    ):
        return True
    if isinstance(state, CjkStateInline):
        state.delimited = True
    delimiters = state.delimiters
    code = ord(marker)
    for _ in range(length):
        token = _text(marker, level)
        tokens.append(token)
        tokens_meta.append(None)
        delimiters.append(Delimiter(code, length, len(tokens) - 1, -1, can_open, can_close))
    state.pendingLevel = level
    state.pos += length
    return True


def _plain_strong(state: StateInline, start: int, marker: str, after_text: bool) -> bool:
    """``**text**`` at ``start`` (a run of two that only opens) as the tokens markdown-it ends
    with, when the text between is plain (no rule but the text rule matches in it) and the
    run of two after it only closes: True when made, False (nothing done) otherwise.

    Nothing between the runs makes a delimiter, so the closing run's nearest opener is the
    opening run, neither can both open and close (the rule of 3 does not apply), and they
    pair whole: ``<strong>``. Delimiters so paired are never paired again, so leaving them out
    changes nothing for the others. markdown-it would make four single-marker text tokens
    and delimiters, then turn the inner two into ``strong_open``/``strong_close`` and empty
    the outer two, which ``fragments_join`` merges into their text neighbours: the tokens
    are made here at once as it leaves them (``after_text``: the run follows a text token just
    made of the pending text), so that an inline text whose only emphasis is such runs needs
    no post rule but those of other markers (``CjkParserInline.post_process``).
    At 1,000 notes, nine in ten emphasis runs were such halves of ``**term**``."""
    src, end = state.src, state.posMax
    parser = state.md.inline
    if not isinstance(parser, CjkParserInline) or not isinstance(state, CjkStateInline):
        return False
    table = parser._table  # made by the tokenize this rule runs in
    if table is None or not table.text_between:
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
    tokens = state.tokens
    # The tokens as ``fragments_join`` leaves them, so that it need not run: the empty text
    # before the run only where no text token is there to take it in, the inner text one
    # level in, and the empty tail taking the text that follows (``pushPending``).
    if not after_text and not (tokens and tokens[-1] is state.tail):
        tokens.append(_text("", level))
        state.tokens_meta.append(None)
    tail = _text("", level)
    tokens += (
        _tag("strong_open", 1, markup, level),
        _text(src[start + 2 : pos], level + 1),
        _tag("strong_close", -1, markup, level),
        tail,
    )
    # markdown-it's tokens_meta has no entry for a token of pending text (the inner one).
    state.tokens_meta.extend((None, None, None))
    state.tail = tail
    state.pendingLevel = level
    state.pos = pos + 2
    return True


_new = object.__new__


def _token(kind: str, tag: str, nesting: Literal[-1, 0, 1], content: str, level: int) -> Token:
    """``Token(kind, tag, nesting, content=content, level=level)``, twice as fast: the
    dataclass's ``__init__`` and ``__post_init__`` cost 0.75 µs a token, and the rules of this
    module make two hundred tokens a note (each plain strong four or five, each text run one).
    Every field is set, as the dataclass sets it (``tests/test_markdown_cjk.py`` compares)."""
    token: Token = _new(Token)
    token.type = kind
    token.tag = tag
    token.nesting = nesting
    token.attrs = {}
    token.map = None
    token.level = level
    token.children = None
    token.content = content
    token.markup = ""
    token.info = ""
    token.meta = {}
    token.block = False
    token.hidden = False
    return token


def _text(content: str, level: int) -> Token:
    return _token("text", "", 0, content, level)


def _tag(kind: str, nesting: Literal[1, -1], markup: str, level: int) -> Token:
    token = _token(kind, "strong", nesting, "", level)
    token.markup = markup
    return token


class CjkParserInline(ParserInline):
    """ParserInline that tokenizes with :class:`CjkStateInline`, trying at each position only
    the rules that can match the character there (:mod:`papernotes.markdown.dispatch`)."""

    _table: RuleTable | None = None
    _own_emphasis = False
    """Whether the emphasis rule is :func:`emphasis_tokenize` (it says if it made delimiters)."""

    def _rules(self) -> RuleTable:
        table = self._table
        if table is None or not table.current(self):
            table = self._table = RuleTable(self)
            self._own_emphasis = emphasis_tokenize in table.rules
        return table

    def tokenize(self, state: StateInline) -> None:
        tokenize(self._rules(), state)

    def skipToken(self, state: StateInline) -> None:
        skip_token(self._rules(), state)

    def post_process(self, state: StateInline) -> None:
        """The ``ruler2`` rules, but those the text has no marker for, nor (with this
        module's emphasis rule) emphasis delimiters made."""
        self._post_process(self._rules(), state)

    def _post_process(self, table: RuleTable, state: StateInline) -> None:
        made = None
        if self._own_emphasis and isinstance(state, CjkStateInline):
            made = state.delimited
        post_process(table, state, emphasis_made=made)

    def parse(self, src: str, md: MarkdownIt, env: EnvType, tokens: list[Token]) -> list[Token]:
        state = CjkStateInline(src, md, env, tokens)
        table = self._rules()  # once a parse: the rules do not change while it runs
        tokenize(table, state)
        self._post_process(table, state)
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
