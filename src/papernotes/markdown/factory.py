"""The notes dialect: one MarkdownIt, with its rules installed in order.

- ``cjk``: CJK-friendly emphasis (``这是**“重点”**内容``);
- ``math``: ``$…$`` / ``$$…$$`` with pandoc's rules;
- ``cite``: ``[@key, p. 3]`` and ``[[key|alias]]``;
- ``obsidian``, ``callout``: ``%%comments%%``, ``==highlights==``, ``> [!note]`` callouts and bare
  URLs (mdit-py-plugins' GFM autolinks);
- ``hugo``: ``{#id}`` heading attributes and figure, ref/relref and callout shortcodes;
- ``toc``: ``[TOC]``, heading shift and ``h-`` anchors (core rules, so parsing gives final tokens);
- ``html_rules``: links, images, footnotes, code blocks and raw HTML as the site writes them;
- ``code``: Pygments highlighting.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline, image, link
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from papernotes.markdown.blockdispatch import install_block_dispatch
from papernotes.markdown.callout import callout_plugin
from papernotes.markdown.cite import cite_plugin
from papernotes.markdown.cjk import install_cjk_emphasis
from papernotes.markdown.dispatch import text_join
from papernotes.markdown.html_rules import install_render_rules, label_task_checkboxes
from papernotes.markdown.hugo import hugo_plugin
from papernotes.markdown.math import math_plugin
from papernotes.markdown.obsidian import obsidian_plugin
from papernotes.markdown.toc import toc_plugin

__all__ = ["CORE_NEEDS", "make_parser"]


def _with_pos(rule: Callable[[StateInline, bool], bool], kind: str) -> Callable[..., bool]:
    """Wrap markdown-it's link/image rule to record where the token starts in the inline text."""

    def wrapped(state: StateInline, silent: bool) -> bool:
        start = state.pos
        first = len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent:
            for tok in state.tokens[first:]:  # pending text may have been flushed first
                if tok.type == kind:
                    tok.meta["pos"] = start
                    break
        return True

    return wrapped


_TASK = ("[ ]", "[x]", "[X]")

CORE_NEEDS: dict[str, tuple[str, ...]] = {
    # A heading ending in {#id .class}: "{", blanks, then "#" or ".".
    "hugo_heading_attrs": ("{#", "{.", "{ ", "{\t"),
    # A list item starting with [ ], [x] or [X] (every citation holds a "[": too many notes).
    "github-tasklists": _TASK,
    "task_checkbox": _TASK,  # the checkboxes the task lists made
    "callout": ("[!",),  # a blockquote whose first line is [!type]
    "embed_blocks": ("!", "^"),  # a paragraph of ![[embeds]], or ending in a ^block-id
}
"""Core rule name → the strings one of which the note must hold for the rule to change
anything. Each walks every token of the note; most notes have none of these."""


def _needing(
    needs: tuple[str, ...], rule: Callable[[StateCore], None]
) -> Callable[[StateCore], None]:
    def run(state: StateCore) -> None:
        src = state.src
        if any(s in src for s in needs):
            rule(state)

    run.__wrapped__ = rule  # type: ignore[attr-defined]
    return run


def _tasklists(state: StateCore) -> None:
    """mdit-py-plugins' task-list rule, its module imported when a note first needs it: that
    module imports ``uuid`` (and ``uuid`` ``platform``), ~11 M instructions that a quick edit
    of a note without a task list need not pay."""
    _tasklists_rule()(state)


@functools.cache
def _tasklists_rule() -> Callable[[StateCore], None]:
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("zero")
    tasklists_plugin(md)  # its one core rule, a closure over the plugin's options only
    (rule,) = (r.fn for r in md.core.ruler.__rules__ if r.name == "github-tasklists")
    return rule


def make_parser(*, allow_html: bool = False) -> MarkdownIt:
    """The notes dialect: CommonMark + tables, strikethrough, footnotes, task lists, math,
    citations, wikilinks, ``[TOC]``, heading anchors and highlighting.

    With ``allow_html=False`` raw HTML is shown as text; with True it passes and the rendered
    body is sanitized. Build one per process and reuse it.
    """
    md = MarkdownIt("commonmark", {"html": allow_html})
    md.enable(["table", "strikethrough"])
    install_cjk_emphasis(md)  # must come before plugins add inline rules
    md.inline.ruler.at("link", _with_pos(link, "link_open"))
    md.inline.ruler.at("image", _with_pos(image, "image"))
    math_plugin(md)
    cite_plugin(md)
    # Inline ``^[…]`` footnotes are off: their tokens are parsed out of place, so citations in
    # them could not be located, and the note format only promises ``[^1]``.
    footnote_plugin(md, inline=False)
    md.core.ruler.after("inline", "github-tasklists", _tasklists)  # as tasklists_plugin(md)
    label_task_checkboxes(md)
    obsidian_plugin(md)
    callout_plugin(md)
    hugo_plugin(md)
    gfm_autolink_plugin(md)
    toc_plugin(md)  # last: its heading rule must see the final token stream
    install_render_rules(md)
    for rule in md.core.ruler.__rules__:
        if rule.name in CORE_NEEDS:
            md.core.ruler.at(rule.name, _needing(CORE_NEEDS[rule.name], rule.fn))
    md.core.ruler.at("text_join", text_join)  # its walk only over blocks it changes
    md.block = install_block_dispatch(md.block)
    return md
