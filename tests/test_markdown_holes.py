"""A body rendered from its template (holes filled) is the body rendered from a fresh parse,
byte for byte, for every kind of hole; and filling a template never parses."""

from __future__ import annotations

import dataclasses
import json
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental.codec import Codec
from papernotes.markdown._types import CiteTarget, EmbedTarget, ParsedBody, RenderContext
from papernotes.markdown.body import FILLERS, render_body
from papernotes.markdown.extract import parse_body
from papernotes.markdown.factory import make_parser
from papernotes.markdown.holes import HOLES, MARK, deferred, fill_marks, mark_index
from papernotes.markdown.urlkind import is_local_url, is_root_url

from conftest import note_text, write_note

MD = make_parser()
MD_HTML = make_parser(allow_html=True)

TARGETS = {
    "a": CiteTarget("Hu  et al., 2021", 'LoRA <"low rank">', "../a/index.html", by_path=True),
    "cjk": CiteTarget("张三", "注意力", "../cjk/index.html"),
    "note.path": CiteTarget("Path, 2020", "By path", "../np/index.html", by_path=True),
    "title": CiteTarget("Path, 2020", "By path", "../np/index.html"),
    "ext": CiteTarget("arXiv:1", "arXiv:1", "https://arxiv.org/abs/1"),
}


def _embed(target: str, fragment: str, block: bool) -> EmbedTarget | None:
    if target == "fig.png":
        return EmbedTarget("image", "../files/fig.png", "fig.png")
    if target == "doc.pdf":
        return EmbedTarget("file", "../files/doc.pdf", "doc.pdf")
    if target == "note":
        html = "<p>inner &amp; <em>text</em></p>\n" if block else ""
        return EmbedTarget("note", f"../note/index.html#{fragment}", "Note", html)
    if target == "self":
        return EmbedTarget("note", "../self/index.html", "Self", notice="already shown above")
    return None


FULL = RenderContext(
    cite=TARGETS.get,
    local=lambda url: None if url.startswith("nope") else f"../files/{url}",
    tag=lambda name: None if name == "untagged" else f"../tags/{name.casefold()}/index.html",
    embed=_embed,
    missing=lambda url: url.startswith("gone"),
    id_prefix="e1-",
)
BARE = RenderContext(cite=lambda key: None, local=lambda url: None)

BODIES = {
    "plain": "Just *text* and `code`.\n",
    "citations": "As [see @a, p. 3; @missing] and [@{odd;key}] and [-@cjk] say.\n",
    "wikilinks": "[[a]], [[a|alias]], [[missing]], [[a#Some Heading]], [[cjk]]\n",
    "dendron": "[[label|note.path]] and [[title|note.path]] and [[#x|note.path#h]]\n",
    "self links": "# Method\n\n[[#Method]] [[#Nowhere]] [[#^block]] [[#method|alias]]\n",
    "vault files": "[[fig.png]] and [[doc.pdf|the doc]]\n",
    "cjk breaks": "见[[cjk]]\n中文 and [[a]]\n中文 and [@cjk]\n中文\n",
    "links": "[rel](fig/a.png) [root](/att/b.pdf) [web](https://x.org) [frag](#h) [no](nope.md)\n",
    "images": "![alt *x*](fig.png) ![gone](gone.png) ![web](https://x.org/i.png) ![r](/a.png)\n",
    "embeds": "![[fig.png|300]] ![[doc.pdf]] ![[note#Method]]\n\n![[note]]\n\n![[self]]\n\n![[x]]\n",
    "hashtags": "A #tag and #untagged and #Other/Sub here.\n",
    "footnotes": "Claim[^1] and again[^1], other[^n].\n\n[^1]: First [@a].\n[^n]: Second.\n",
    "toc": "[TOC]\n\n# Intro [@a]\n\n## With [[cjk]] and [[a|al]]\n\n### `code` $x$\n\n# End\n",
    "tasks": "- [ ] read [@a] and [[cjk]]\n- [x] done\n- [ ] plain [[a|alias]]\n",
    "code": "```python\nx = 1\n```\n\n```\nno lang\n```\n\n```mermaid\ngraph TD\n```\n",
    "math": "Inline $a<b$ and\n\n$$\nx^2\n$$\n",
    "callout": "> [!note] Title [@a]\n> body [[cjk]]\n",
    "table": "| a | b |\n|---|---|\n| [@a] | [[cjk]] |\n",
    "nul entity": "&#0; is U+FFFD, as a NUL is, and no mark [@a]\n",
    "spaces label": "Text [[a]]   and [@a]\n\n",
}
HTML_BODIES = {
    "raw html": '<img src="fig.png" width="3"> <a href="https://x.org">w</a>\n\n<p>[@a]</p>\n',
    "raw block": '<div>\n<img src="nope.png">\n</div>\n\n<span title="t">[[a]]</span>\n',
}


def _both(md: MarkdownIt, text: str, ctx: RenderContext) -> tuple[object, object]:
    body = parse_body(md, text)
    direct = render_body(md, dataclasses.replace(body, template=None), ctx)
    return render_body(md, body, ctx), direct


@pytest.mark.parametrize("ctx", [FULL, BARE], ids=["full", "bare"])
@pytest.mark.parametrize("name", sorted(BODIES))
def test_filled_template_is_the_direct_render(name: str, ctx: RenderContext) -> None:
    filled, direct = _both(MD, BODIES[name], ctx)
    assert filled == direct


@pytest.mark.parametrize("name", sorted(HTML_BODIES))
def test_filled_template_is_the_direct_render_with_raw_html(name: str) -> None:
    filled, direct = _both(MD_HTML, HTML_BODIES[name], FULL)
    assert filled == direct


def test_every_kind_of_hole_is_exercised_and_known() -> None:
    seen: set[str] = set()
    for md, bodies in ((MD, BODIES), (MD_HTML, HTML_BODIES)):
        for text in bodies.values():
            template = parse_body(md, text).template
            assert template is not None
            seen |= {hole[0] for hole in json.loads(zlib.decompress(template))[3]}
    assert seen == set(FILLERS)


def test_filling_does_not_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    body = parse_body(MD, BODIES["toc"] + BODIES["citations"])
    md = make_parser()

    def refuse(*args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(md, "parse", refuse)
    assert "Hu  et al., 2021" in render_body(md, body, FULL).html


def test_a_body_with_nul_has_no_template_and_renders_all_the_same() -> None:
    body = parse_body(MD, "a\x00b [@a]\n")
    assert body.template is None
    assert "\ufffd" in render_body(MD, body, FULL).html


def test_template_survives_the_cache_codec() -> None:
    codec = Codec({})
    body = parse_body(MD, BODIES["toc"] + BODIES["tasks"] + BODIES["embeds"])
    again = codec.decode(codec.encode(body, ParsedBody), ParsedBody)
    assert again == body
    assert render_body(MD, again, FULL) == render_body(MD, body, FULL)


def test_marks_and_deferral() -> None:
    holes: list[list[object]] = []
    make: Callable[..., str] = lambda env, x: f"<{x}>"  # noqa: E731
    mark = deferred({HOLES: holes}, "name", make, 7)
    assert (mark, holes) == (f"{MARK}0{MARK}", [["name", 7]])
    assert deferred({}, "name", make, 7) == "<7>"  # no template being made: at once
    text = f"a{mark}b{MARK}1{MARK}"
    assert fill_marks(text, ["X", "Y"]) == "aXbY"
    assert fill_marks("plain", []) == "plain"
    assert (mark_index(text), mark_index("plain"), mark_index(f"x{MARK}12{MARK}")) == (1, None, 12)


@pytest.mark.parametrize(
    ("url", "local", "root"),
    [
        ("fig.png", True, False),
        ("../a b.md#x", True, False),
        ("/att/x.png", False, True),
        ("//host/x", False, False),
        ("#frag", False, False),
        ("?q", False, False),
        ("https://x.org", False, False),
        ("mailto:a@b", False, False),
        ("", False, False),
    ],
)
def test_url_kinds(url: str, local: bool, root: bool) -> None:
    assert (is_local_url(url), is_root_url(url)) == (local, root)


def test_a_note_citing_an_edited_one_is_rendered_again_without_a_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_note(tmp_path, "a.md", note_text("Citing", body="As [@b] and [[b]] show.\n"))
    write_note(tmp_path, "b.md", note_text("Old title", year=2019, body="Cited.\n"))
    config, _ = load_config(tmp_path)
    out = tmp_path / "site"
    build(tmp_path, config, out=out, workers=1)
    parsed: list[str] = []
    real = MarkdownIt.parse

    def counting(self: MarkdownIt, src: str, env: EnvType | None = None) -> list[Token]:
        parsed.append(src)
        return real(self, src, env)

    monkeypatch.setattr(MarkdownIt, "parse", counting)
    write_note(tmp_path, "b.md", note_text("New title", year=2021, body="Cited.\n"))
    build(tmp_path, config, out=out, workers=1)
    assert parsed == ["Cited.\n"]  # b, edited; a is filled again from its cached template
    # A citation carries its label (not the title): the body shows b's new year.
    html = (out / "papers" / "a.html").read_text(encoding="utf-8")
    body = html.partition('<div class="note-body">')[2].partition("</div>")[0]
    assert "2021</a>" in body and "2019" not in body
