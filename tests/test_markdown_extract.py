"""What a body says besides its text: citations and links with line and column, headings, and
the guarantee that notes hold plain values, never markdown-it objects."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import enum
import re
from collections.abc import Mapping
from pathlib import Path

import pytest
from markdown_it.token import Token

import papernotes.markdown
from papernotes.incremental import cache
from papernotes.markdown._types import BodyCitation, Heading, LocalLink, ParsedBody, WebLink
from papernotes.markdown.extract import parse_body
from papernotes.markdown.factory import make_parser
from papernotes.model import Note
from papernotes.parse import parse_note

MD = make_parser()


def _facts(body: ParsedBody) -> list[tuple[str, str, int, int]]:
    """Citations, local links and web links as (kind, what, line, col), in one list."""
    out = [(c.syntax, ",".join(c.keys), c.line, c.col) for c in body.citations]
    out += [("image" if k.is_image else "local", k.url, k.line, k.col) for k in body.local_links]
    out += [("web-image" if w.is_image else "web", w.url, w.line, w.col) for w in body.web_links]
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中文[@a]", [("pandoc", "a", 1, 3)]),
        ("这是**重点**内容 [@hu2021lora]", [("pandoc", "hu2021lora", 1, 12)]),
        (
            "First line of the paragraph\nsecond line [@b] here",
            [("pandoc", "b", 2, 13)],
        ),
        (
            "第一行文字\n第二行，见[@a]与[[b]]",
            [("pandoc", "a", 2, 6), ("wikilink", "b", 2, 11)],
        ),
        ("> 引用第一行\n> 第二行 [@a]", [("pandoc", "a", 2, 7)]),
        (
            "| 方法 | 结果 |\n|---|---|\n| 低秩 [@hu] | ![f](f.png) |",
            [("pandoc", "hu", 3, 6), ("image", "f.png", 3, 14)],
        ),
        ("见图![图 1](<figures/图 1.png>)", [("image", "figures/图 1.png", 1, 3)]),
        (
            "text\n  and [m](other.md#x) [@a]",
            [("pandoc", "a", 2, 23), ("local", "other.md#x", 2, 7)],
        ),
        (
            "- 列表 [see @a, p. 3; @b]\n  续行 [[c|C]] ![x](图/a.svg)",
            [
                ("pandoc", "a,b", 1, 6),
                ("wikilink", "c", 2, 6),
                ("image", "图/a.svg", 2, 14),
            ],
        ),
        (
            "见 [站点](https://a.org/x) 和\n[pdf](https://b.org/p.pdf)",
            [("web", "https://a.org/x", 1, 8), ("web", "https://b.org/p.pdf", 2, 7)],
        ),
        (
            "[text\nmore](https://a.org) [@k]",
            [("pandoc", "k", 2, 22), ("web", "https://a.org", 2, 7)],
        ),
        ("![图](https://a.org/i.png)", [("web-image", "https://a.org/i.png", 1, 6)]),
    ],
    ids=[
        "cjk-before",
        "cjk-emphasis-before",
        "second-line",
        "cjk-second-line",
        "blockquote-second-line",
        "cjk-table",
        "cjk-image",
        "indented-second-line",
        "list-continuation",
        "web-links",
        "web-link-text-spans-lines",
        "web-image",
    ],
)
def test_citations_and_links_carry_line_and_column(
    text: str, expected: list[tuple[str, str, int, int]]
) -> None:
    assert _facts(parse_body(MD, text)) == expected
    lines = re.split(r"\r\n|\n", text)
    for kind, what, line, col in expected:
        at = lines[line - 1][col - 1 :]
        if kind.startswith("web"):
            assert at.startswith(what)  # a web link points at its URL
        else:
            assert at[0] == ("!" if kind == "image" else "[")


def test_the_body_keeps_its_text_and_headings() -> None:
    text = "# 方法 Method\n\n[TOC]\n\n## 细节 $x$\n\n# 方法 Method\n"
    body = parse_body(MD, text)
    assert body.text == text
    assert body.has_toc
    assert body.headings == (
        Heading(2, "h-方法-method", "方法 Method", 1),
        Heading(3, "h-细节-x", "细节 x", 5),
        Heading(2, "h-方法-method-1", "方法 Method", 7),
    )


def test_parsing_gives_final_tokens() -> None:
    # The heading shift and anchors are core rules: nothing edits tokens after md.parse.
    tokens = MD.parse("### Deep\n\n#### Deeper\n", {})
    opens = [(t.tag, t.attrGet("id")) for t in tokens if t.type == "heading_open"]
    assert opens == [("h2", "h-deep"), ("h3", "h-deeper")]


# --- plain values all the way down ---------------------------------------------------------

_PARSER_MODULES = ("markdown_it", "mdit_py_plugins")


def _foreign(value: object, path: str = "note") -> list[str]:
    """Paths of every object inside ``value`` that belongs to the Markdown parser."""
    if type(value).__module__.split(".")[0] in _PARSER_MODULES:
        return [f"{path}: {type(value).__name__}"]
    if value is None or isinstance(value, str | bytes | int | float | bool | enum.Enum | dt.date):
        return []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            hit
            for f in dataclasses.fields(value)
            for hit in _foreign(getattr(value, f.name), f"{path}.{f.name}")
        ]
    if isinstance(value, Mapping):
        return [
            hit
            for k, v in value.items()
            for hit in (*_foreign(k, f"{path}[key]"), *_foreign(v, f"{path}[{k!r}]"))
        ]
    if isinstance(value, tuple | list | frozenset | set):
        return [hit for i, v in enumerate(value) for hit in _foreign(v, f"{path}[{i}]")]
    return [f"{path}: unexpected {type(value).__name__}"]


NOTE = """\
---
title: "LoRA: Low-Rank Adaptation"
authors: [Edward J. Hu, 杨植麟]
year: 2021
tags: [peft]
cites: [vaswani2017attention]
bibtex:
  note: x
---
# 方法

[TOC]

这是**重点** [@vaswani2017attention, p. 3] [[houlsby2019|Adapters]] $W = W_0 + BA$

![图](figures/lora.svg) [web](https://arxiv.org/abs/2106.09685) [o](other.md)

| a | b |
|---|---|
| [@x] | 1 |

```python
print(1)
```

- [x] task[^1]

[^1]: A footnote [@y].
"""


def _note() -> Note:
    note, diags = parse_note("papers/lora.md", NOTE, MD)
    assert note is not None, [d.format() for d in diags]
    return note


def test_a_note_holds_no_parser_objects() -> None:
    note = _note()
    assert _foreign(note) == []
    # The note says everything the parse found: guard against a walk that sees nothing.
    assert len(note.body.citations) == 4
    assert [x.url for x in note.body.local_links] == ["figures/lora.svg", "other.md"]
    assert [x.url for x in note.body.web_links] == ["https://arxiv.org/abs/2106.09685"]


def test_the_walk_finds_a_token() -> None:
    note = _note()
    smuggled = dataclasses.replace(
        note, meta=dataclasses.replace(note.meta, tags=(Token("text", "", 0),))
    )  # type: ignore[arg-type]
    assert _foreign(smuggled) == ["note.meta.tags[0]: Token"]


def test_a_note_round_trips_through_the_build_cache(tmp_path: Path) -> None:
    note = _note()
    built = cache.BuildCache(
        "key", notes={note.source: ("sha", note, ())}, bodies={}, pages={}, terms={}
    )
    cache.save_cache(tmp_path, built, {})
    loaded = cache.load_cache(tmp_path, "key")
    assert loaded is not None
    assert loaded.notes[note.source][1] == note


# --- the package's own shape -----------------------------------------------------------------

_PACKAGE = Path(papernotes.markdown.__file__).parent


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, under TYPE_CHECKING too."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_the_markdown_modules_import_each_other_without_a_cycle() -> None:
    graph = {
        p.stem: {
            m.removeprefix("papernotes.markdown.")
            for m in _imports(p)
            if m.startswith("papernotes.markdown.") and m.count(".") == 2
        }
        for p in _PACKAGE.glob("*.py")
    }
    graph = {k: {m for m in v if m in graph} for k, v in graph.items()}
    done: set[str] = set()

    def visit(module: str, stack: tuple[str, ...]) -> None:
        assert module not in stack, " → ".join((*stack, module))
        if module in done:
            return
        for dep in sorted(graph[module]):
            visit(dep, (*stack, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())
    assert {"cite", "toc", "_types"} <= done
    assert graph["_types"] == set()


def test_the_value_types_import_no_parser() -> None:
    imported = _imports(_PACKAGE / "_types.py")
    assert not {m for m in imported if m.split(".")[0] in _PARSER_MODULES}


def test_value_types_are_frozen_and_slotted() -> None:
    for cls in (BodyCitation, ParsedBody):
        params = cls.__dataclass_params__  # type: ignore[attr-defined]
        assert params.frozen, cls
        assert "__slots__" in cls.__dict__, cls


def test_the_named_tuple_values_read_as_dataclasses_would() -> None:
    # Frozen, no per-instance dict, and the repr and hash a frozen dataclass of the same
    # fields has (fingerprints read the repr; sets of them keep their order).
    heading = Heading(2, "h-a", "A", 3)
    assert repr(heading) == "Heading(level=2, anchor='h-a', text='A', line=3)"
    assert hash(heading) == hash((2, "h-a", "A", 3))
    link = LocalLink("fig.svg", 4, True)
    assert repr(link) == "LocalLink(url='fig.svg', line=4, is_image=True, col=0)"
    for value in (heading, link, WebLink("https://a.org", 1, False)):
        with pytest.raises(AttributeError):
            value.line = 9  # type: ignore[misc]
        assert not hasattr(value, "__dict__")
