"""```mermaid fences: drawn by the vendored mermaid, offline and from file://, loaded only by
pages (and sites) that have a diagram; a syntax error shows the source, and labels run no
script (securityLevel 'strict')."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import Browser, Page, expect

from papernotes.markdown._types import RenderContext
from papernotes.markdown.body import render_body
from papernotes.markdown.code import has_diagram, is_diagram_asset, is_diagram_fence
from papernotes.markdown.extract import parse_body
from papernotes.markdown.factory import make_parser

from browser import serve
from conftest import REPO, note_text, write_note

VENDORED = REPO / "templates" / "static" / "mermaid"
CTX = RenderContext(cite=lambda key: None, local=lambda url: None)

FLOW = "graph TD\n  A[Start] --> B{Works?}\n  B -->|yes| C[Ship]\n"
BROKEN = "graph TD\n  A -->\n  ((( nope\n"
# Would call alert() if a label's HTML reached the page unsanitized.
HOSTILE = (
    'graph LR\n  A["<img src=x onerror=alert(1)>"] --> B["<script>alert(2)</script>"]\n'
    '  B --> C["<svg onload=alert(3)>"]\n'
    "  click A call alert(4)\n"
    '  click C "javascript:alert(5)"\n'
)


def _fence(source: str, info: str = "mermaid") -> str:
    return f"```{info}\n{source}```\n"


def _html(text: str, *, allow_html: bool = False) -> str:
    md = make_parser(allow_html=allow_html)
    return render_body(md, parse_body(md, text), CTX).html


@pytest.mark.parametrize("allow_html", [False, True])
@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (_fence(FLOW), f'<pre class="mermaid">{FLOW.replace(">", "&gt;")}</pre>\n'),
        (_fence("A --> B\n", "Mermaid {.wide}"), '<pre class="mermaid">A --&gt; B\n</pre>\n'),
        (
            _fence('A["<img src=x onerror=alert(1)>"] & B\n'),
            '<pre class="mermaid">A["&lt;img src=x onerror=alert(1)&gt;"] &amp; B\n</pre>\n',
        ),
        (_fence("</pre><script>alert(1)</script>\n"), None),
    ],
)
def test_a_mermaid_fence_is_a_pre_with_its_source_escaped(
    markdown: str, expected: str | None, allow_html: bool
) -> None:
    html = _html(markdown, allow_html=allow_html)
    if expected is not None:  # a quote needs no escape in text (the sanitizer drops it)
        assert html.replace("&quot;", '"') == expected
    assert html.startswith('<pre class="mermaid">') and html.count("<") == 2, html
    assert has_diagram(html)


@pytest.mark.parametrize(
    "markdown",
    [
        "No diagram here.\n",
        _fence("graph TD\n A --> B\n", "text"),  # the word as code, not a diagram
        '`<pre class="mermaid">` in inline code\n',
        _fence('<pre class="mermaid">\n', "html"),
        "    graph TD\n    A --> B\n",  # an indented code block has no language
    ],
)
def test_other_code_is_not_a_diagram(markdown: str) -> None:
    html = _html(markdown)
    assert not has_diagram(html), html
    assert not any(is_diagram_fence(t) for t in make_parser().parse(markdown))


def test_a_diagram_is_kept_out_of_the_plain_text_but_code_is_not() -> None:
    md = make_parser()
    text = "Intro.\n\n" + _fence(FLOW) + "\n" + _fence("x = 1\n", "python") + "\nEnd.\n"
    assert render_body(md, parse_body(md, text), CTX).text == "Intro. x = 1 End."


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("static/mermaid/mermaid.min.js", True),
        ("static/mermaid/LICENSE", True),
        ("static/mermaid-init.js", True),
        ("static/mermaid-init.js.map", False),
        ("static/mermaidish.js", False),
        ("static/math.js", False),
        ("static/katex/katex.min.js", False),
    ],
)
def test_which_static_files_belong_to_diagrams(path: str, expected: bool) -> None:
    assert is_diagram_asset(path) is expected


def test_the_vendored_file_is_the_one_its_readme_names() -> None:
    readme = (VENDORED / "README.md").read_text(encoding="utf-8")
    named = re.search(r"sha256 ([0-9a-f]{64})\b", readme)
    version = re.search(r"mermaid@(\d+\.\d+\.\d+)", readme)
    assert named and version, readme
    script = (VENDORED / "mermaid.min.js").read_bytes()
    assert hashlib.sha256(script).hexdigest() == named.group(1)
    assert f'version:"{version.group(1)}"'.encode() in script
    # The classic-script build (an IIFE that sets a global), not an ES module: modules do not
    # load from file://.
    assert script.startswith(b'"use strict";var __esbuild_esm_mermaid_nm;')
    assert b'globalThis["mermaid"]' in script[-200:]
    assert "MIT License" in (VENDORED / "LICENSE").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two sites: one whose notes have diagrams (and one without), one with none at all."""
    from papernotes.cli.main import main

    notes = {
        "flow.md": note_text(
            "Flow", extra="id: flow\n", body="Why it flows.\n\n" + _fence(FLOW) + _fence(FLOW)
        ),
        "broken.md": note_text("Broken", extra="id: broken\n", body=_fence(BROKEN)),
        "hostile.md": note_text("Hostile", extra="id: hostile\n", body=_fence(HOSTILE)),
        "plain.md": note_text("Plain", extra="id: plain\n", body="No diagram.\n"),
    }
    sites = {}
    for name, wanted in [("diagrams", list(notes)), ("none", ["plain.md"])]:
        root = tmp_path_factory.mktemp(name)
        for rel in wanted:
            write_note(root, rel, notes[rel])
        out = root / "site"
        assert main(["build", "--root", str(root), "--out", str(out)]) == 0
        sites[name] = out
    return sites


def _scripts(page: Path) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', page.read_text(encoding="utf-8"))


def test_only_pages_with_a_diagram_load_mermaid(built: dict[str, Path]) -> None:
    site = built["diagrams"]
    for key in ("flow", "broken", "hostile"):
        scripts = _scripts(site / "papers" / f"{key}.html")
        assert scripts[-2:] == ["../static/mermaid/mermaid.min.js", "../static/mermaid-init.js"]
    for page in (site / "papers" / "plain.html", site / "index.html", site / "search.html"):
        assert "mermaid" not in page.read_text(encoding="utf-8"), page
    flow = (site / "papers" / "flow.html").read_text(encoding="utf-8")
    assert 'content="Why it flows."' in flow  # the description is prose, not the diagram


def test_only_a_site_with_a_diagram_carries_mermaid(built: dict[str, Path]) -> None:
    with_diagrams, without = built["diagrams"], built["none"]
    vendored = {p.name for p in VENDORED.iterdir()}
    assert {p.name for p in (with_diagrams / "static" / "mermaid").iterdir()} == vendored
    assert (with_diagrams / "static" / "mermaid-init.js").is_file()
    assert not (without / "static" / "mermaid").exists()
    assert not (without / "static" / "mermaid-init.js").exists()
    assert (without / "static" / "katex" / "katex.min.js").is_file()


@pytest.fixture(scope="module")
def http_base(built: dict[str, Path]) -> Iterator[str]:
    yield from serve(built["diagrams"])


@pytest.fixture(params=["http", "file"])
def base(request: pytest.FixtureRequest, built: dict[str, Path]) -> str:
    if request.param == "file":
        return built["diagrams"].as_uri() + "/"
    return str(request.getfixturevalue("http_base"))


FILL = "getComputedStyle(document.querySelector('.mermaid svg .node rect')).fill"
LIGHT_FILL, DARK_FILL = "rgb(236, 236, 255)", "rgb(31, 32, 32)"  # mermaid's default, dark


@pytest.mark.parametrize(("scheme", "fill"), [("light", LIGHT_FILL), ("dark", DARK_FILL)])
def test_diagrams_are_drawn_in_the_system_theme(
    page: Page, base: str, scheme: Literal["light", "dark"], fill: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(base + "papers/flow.html")
    diagrams = page.locator(".note-body pre.mermaid")
    expect(diagrams.locator("> svg")).to_have_count(2)
    expect(diagrams.first.locator("svg")).to_contain_text("Ship")
    assert page.locator(".mermaid-error, .mermaid-message").count() == 0
    # Two diagrams on one page get distinct ids (mermaid scopes each one's CSS by its id).
    ids = {diagrams.nth(i).locator("> svg").get_attribute("id") for i in range(2)}
    assert len(ids) == 2
    assert page.evaluate(FILL) == fill
    assert "graph TD" not in page.locator(".note-body").inner_text()


def test_the_theme_toggle_redraws_in_the_other_theme(page: Page, base: str) -> None:
    page.emulate_media(color_scheme="light")
    page.goto(base + "papers/flow.html")
    expect(page.locator(".note-body pre.mermaid > svg")).to_have_count(2)
    assert page.evaluate(FILL) == LIGHT_FILL
    page.click("[data-theme-toggle]")
    page.wait_for_function(
        f"document.querySelector('.mermaid svg .node rect') && {FILL} === {DARK_FILL!r}"
    )
    expect(page.locator(".note-body pre.mermaid > svg")).to_have_count(2)


def test_a_syntax_error_shows_the_source_and_the_error(page: Page, base: str) -> None:
    page.goto(base + "papers/broken.html")
    broken = page.locator(".note-body pre.mermaid")
    expect(broken).to_have_class(re.compile(r"\bmermaid-error\b"))
    assert broken.inner_text().strip() == BROKEN.strip()
    assert broken.locator("svg").count() == 0
    said = page.locator(".note-body pre.mermaid + p.mermaid-message").inner_text()
    assert re.fullmatch(r"Diagram not drawn: Parse error on line 3: Expecting .+", said), said
    assert (broken.get_attribute("title") or "").startswith("Diagram not drawn: Parse error")


def test_labels_and_clicks_run_no_script(browser: Browser, base: str) -> None:
    # Not the ``page`` fixture: the label's <img src=x> (HTML that DOMPurify lets through,
    # without its onerror) fails to load, which is the point.
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: dialogs.append(f"page error: {exc}"))
    # Counts failed images in the capture phase, before any onerror handler on the image.
    page.add_init_script(
        "window.imageErrors = 0; addEventListener('error', e => {"
        " if (e.target.tagName === 'IMG') window.imageErrors++; }, true);"
    )
    page.goto(base + "papers/hostile.html")
    svg = page.locator(".note-body pre.mermaid > svg")
    expect(svg).to_have_count(1)
    # The image's error event has been dispatched, and with it any onerror it kept.
    page.wait_for_function("window.imageErrors > 0")
    handlers = page.evaluate(
        "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
        ".filter(a => /^on/i.test(a.name) || /javascript:/i.test(a.value))"
        ".map(a => e.tagName + ' ' + a.name + '=' + a.value))"
    )
    assert handlers == []
    assert svg.locator("script").count() == 0
    for node in svg.locator("g.node").all():
        node.click()
    assert page.evaluate("1 + 1") == 2  # a round trip: an alert from a click would be in
    assert dialogs == []
    context.close()


def test_a_rebuild_adds_and_removes_mermaid_with_the_last_diagram(tmp_path: Path) -> None:
    from papernotes.cli.main import main

    out = tmp_path / "site"
    note = write_note(tmp_path, "a.md", note_text("A", extra="id: a\n"))

    def carried() -> bool:
        assert main(["build", "--root", str(tmp_path), "--out", str(out)]) == 0
        copies = (out / "static" / "mermaid" / "mermaid.min.js", out / "static" / "mermaid-init.js")
        assert {p.exists() for p in copies} != {True, False}
        return copies[0].exists()

    assert not carried()
    note.write_text(note_text("A", extra="id: a\n", body=_fence(FLOW)), encoding="utf-8")
    assert carried()
    assert "mermaid.min.js" in (out / "papers" / "a.html").read_text(encoding="utf-8")
    note.write_text(note_text("A", extra="id: a\n"), encoding="utf-8")
    assert not carried()
