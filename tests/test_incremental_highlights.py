"""A note parsed again takes the highlighting of its unchanged fences from its last template, so
an edit of its prose does not ask Pygments; changed code is highlighted anew, as is any code
under a parser that lets raw HTML through. The site is a clean build's either way."""

from __future__ import annotations

import json
from pathlib import Path

import pygments.lexers
import pytest

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import cache
from papernotes.incremental.highlights import parse_again
from papernotes.load import Source
from papernotes.markdown.code import HIGHLIGHTED, known_highlights
from papernotes.markdown.factory import make_parser

from conftest import copy_fixture, note_text, site_tree, write_note

CODE = "def f(x):\n    return x < 1 and '&' != \"<b>\"\n"
FENCES = f"```python\n{CODE}```\n\n```Text\nplain\n```\n\n```\nbare\n```\n\n```nosuchlang\nx\n```\n"


def _lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The languages Pygments is asked for a lexer of, from now on."""
    asked: list[str] = []
    real = pygments.lexers.get_lexer_by_name

    def counting(name: str, **options: object):  # type: ignore[no-untyped-def]
        asked.append(name)
        return real(name, **options)

    monkeypatch.setattr(pygments.lexers, "get_lexer_by_name", counting)
    return asked


def test_the_highlights_known_are_what_the_fence_renderer_wrote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    html = make_parser().render(FENCES)
    known = known_highlights(html)
    assert set(known) == {("python", CODE), ("text", "plain\n")}
    assert "<span" in known[("python", CODE)] and known[("text", "plain\n")] == "plain\n"
    asked = _lookups(monkeypatch)
    md = make_parser()
    md.options[HIGHLIGHTED] = known
    assert md.render(FENCES) == html  # the same page, without a lexer but the unknown one's
    assert asked == ["nosuchlang"]


@pytest.mark.parametrize(
    "html",
    [
        '<pre class="highlight" tabindex="0"><code class="language-python"><b>x</b>\n'
        "</code></pre>\n",  # a tag the formatter does not write
        '<pre class="highlight" tabindex="0"><code class="language-python">x\r\n</code></pre>\n',
        '<pre class="highlight" tabindex="0"><code class="language-python">\ufeffx\n</code></pre>\n',
        '<pre class="highlight" tabindex="0"><code class="language-python">x</code></pre>\n',
        '<pre tabindex="0"><code class="language-python">x\n</code></pre>\n',
    ],
    ids=["other tag", "carriage return", "byte order mark", "no newline", "not highlighted"],
)
def test_code_the_lexer_would_read_otherwise_is_not_known(html: str) -> None:
    assert known_highlights(html) == {}


def _build(root: Path, out: Path | None = None, **kw: object) -> None:
    config, _ = load_config(root)
    report = build(root, config, out=out or root / "site", **kw)  # type: ignore[arg-type]
    assert report.errors == 0, [d.format() for d in report.diagnostics]


@pytest.mark.parametrize("edit", ["prose", "code"])
def test_an_edit_highlights_only_code_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    root = copy_fixture("small", tmp_path)
    body = f"Before.\n\n{FENCES}\nAfter.\n"
    note = write_note(root, "coded.md", note_text("Coded", extra="id: coded\n", body=body))
    _build(root)
    asked = _lookups(monkeypatch)
    if edit == "prose":
        note.write_text(note.read_text("utf-8").replace("After.", "After all."), "utf-8")
    else:
        note.write_text(note.read_text("utf-8").replace("x < 1", "x > 1"), "utf-8")
    _build(root)
    assert asked == (["nosuchlang"] if edit == "prose" else ["python", "nosuchlang"])
    _build(root, tmp_path / "clean", use_cache=False)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")


def test_a_parser_that_lets_raw_html_through_is_given_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Raw HTML in the note could have written what reads as highlighted code.
    root = copy_fixture("small", tmp_path)
    text = note_text("Coded", extra="id: coded\n", body=FENCES)
    write_note(root, "coded.md", text)
    _build(root)
    index = root / ".papernotes" / "cache" / "index.json"
    previous = cache.load_cache(root, json.loads(index.read_bytes())["key"])
    assert previous is not None
    source = Source("papers/coded.md", text)
    asked = _lookups(monkeypatch)
    for allow in (False, True):
        md = make_parser(allow_html=allow)
        note, _ = parse_again(md, previous, {})(source)
        assert note is not None and HIGHLIGHTED not in md.options  # given while parsing only
    assert asked == ["nosuchlang", "python", "text", "nosuchlang"]
