"""Typography and reading details on a paper page, in Chromium over HTTP and from file://
(issue 14): Latin text in a Latin font beside Chinese in a Chinese one, code and BibTeX that
wrap or scroll visibly and stand out in both themes, a Copy button on code blocks, "#" anchors
beside headings (hover, keyboard focus, touch) and the reading time; every axe rule, light and
dark."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import Browser, Page, expect
from test_browser import _axe_violations

from papernotes.markdown.extract import parse_body
from papernotes.markdown.factory import make_parser

from browser import Problems
from conftest import note_text, write_note

LONG = "x" * 40 + "_" + "abcdefghij" * 26  # one 300-character token: no space to break at
CODE = f'def lora(x, W, A, B):\n    s = "{LONG}"\n    return x @ W + x @ A @ B  # low rank\n'
ENGLISH = "The authors’ update doesn’t touch W itself; that’s the point."
CHINESE = "训练时冻结预训练权重，只学习两个低秩矩阵的乘积。"
BODY = f"""## Why it matters

{ENGLISH}

{CHINESE}

### A minimal `LoRA` layer

```python
{CODE}```

#### 推理零延迟 (merging)

Merge $W + BA$ once after training, then serve as usual.

$$
h = W_0 x + B A x
$$
"""
URL = "https://example.org/" + "a-very-long-path-segment-" * 11 + "end"  # ~300 characters
KEY = "hu2022lora"
PAGE = f"papers/{KEY}.html"
CJK_FAMILIES = ("PingFang", "Hiragino", "YaHei", "CJK", "Han Sans", "WenQuanYi", "Songti")

Theme = Literal["light", "dark"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from papernotes.cli.main import main

    root = tmp_path_factory.mktemp("typography")
    # The bundled library's language: the page is zh-CN, the case where a CJK font first in the
    # stack drew English punctuation full-width.
    (root / "papernotes.yaml").write_text("title: Typography\nlanguage: zh-CN\n", encoding="utf-8")
    extra = f"id: {KEY}\nurl: {URL}\n"
    write_note(root, f"{KEY}.md", note_text("LoRA", extra=extra, body=BODY))
    out = root / "site"
    assert main(["build", "--root", str(root), "--out", str(out)]) == 0
    return out


def _used_fonts(page: Page, selector: str) -> list[str]:
    """The platform fonts Chromium drew the element's text with (DevTools' "Rendered fonts")."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    assert page.locator(selector).count() == 1
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return [f["familyName"] for f in fonts if f["glyphCount"] > 0]


def _is_cjk_family(name: str) -> bool:
    return any(part in name for part in CJK_FAMILIES)


def test_latin_text_takes_a_latin_font_and_chinese_a_chinese_one(page: Page, base: str) -> None:
    page.goto(base + PAGE)
    assert page.locator("html").get_attribute("lang") == "zh-CN"  # the site's language
    stack = page.evaluate("getComputedStyle(document.querySelector('.note-body p')).fontFamily")
    families = [f.strip().strip('"') for f in stack.split(",")]
    assert not _is_cjk_family(families[0])
    first_cjk = next(i for i, f in enumerate(families) if _is_cjk_family(f))
    assert all(not _is_cjk_family(f) for f in families[:first_cjk])
    assert families[-1] == "sans-serif" and first_cjk > 3
    # The ’ of "authors’" is drawn narrow: full-width (the old bug) is 1 em.
    widths = page.evaluate(
        """() => {
          const p = [...document.querySelectorAll('.note-body p')].find(e => e.textContent.includes('’'));
          const text = p.firstChild;
          const size = parseFloat(getComputedStyle(p).fontSize);
          const out = [];
          for (let i = 0; i < text.data.length; i++) {
            if (text.data[i] !== '’') continue;
            const r = document.createRange();
            r.setStart(text, i); r.setEnd(text, i + 1);
            out.push(r.getBoundingClientRect().width / size);
          }
          return out;
        }"""
    )
    assert len(widths) == 3 and all(0 < w < 0.6 for w in widths), widths
    english = _used_fonts(page, ".note-body > p:nth-of-type(1)")
    chinese = _used_fonts(page, ".note-body > p:nth-of-type(2)")
    assert english and not any(_is_cjk_family(f) for f in english), english
    assert any(_is_cjk_family(f) for f in chinese), chinese


def test_a_long_code_line_scrolls_and_the_keyboard_reaches_it(page: Page, base: str) -> None:
    page.goto(base + PAGE)
    pre = page.locator(".note-body pre.highlight")
    box = pre.evaluate(
        """pre => ({sw: pre.scrollWidth, cw: pre.clientWidth, oh: pre.offsetHeight,
                  ch: pre.clientHeight, bl: parseFloat(getComputedStyle(pre).borderTopWidth),
                  ov: getComputedStyle(pre).overflowX, sb: getComputedStyle(pre).scrollbarWidth})"""
    )
    assert box["sw"] > box["cw"] and box["ov"] == "auto"  # scrolls: no line is cut
    # The scrollbar is not hidden (headless Chromium draws none at all, so this is the style).
    assert box["sb"] != "none"
    assert pre.get_attribute("tabindex") == "0"
    expect(pre).to_have_accessible_name("Code block 1 (python)")
    pre.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(pre).to_be_focused()
    page.wait_for_function("document.querySelector('.note-body pre').scrollLeft > 0")


def test_a_long_bibtex_line_wraps(page: Page, base: str) -> None:
    page.goto(base + PAGE)
    entry = page.locator(".bibtex pre")
    assert URL in (entry.text_content() or "")
    sizes = entry.evaluate(
        "pre => [pre.scrollWidth, pre.clientWidth, getComputedStyle(pre).whiteSpace]"
    )
    assert sizes[0] <= sizes[1] and sizes[2] == "pre-wrap", sizes
    # The whole URL is drawn inside the block: its last characters are in view of it.
    inside = entry.evaluate(
        """pre => {
          const code = pre.querySelector('code'), text = code.firstChild, at = text.data.indexOf('end}');
          const r = document.createRange(); r.setStart(text, at); r.setEnd(text, at + 3);
          const a = r.getBoundingClientRect(), b = pre.getBoundingClientRect();
          return a.right <= b.right && a.left >= b.left;
        }"""
    )
    assert inside


_CONTRASTS = """pre => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const page = getComputedStyle(document.body).backgroundColor;
  const style = getComputedStyle(pre), bg = style.backgroundColor;
  const texts = [pre, ...pre.querySelectorAll('*')].filter(e => [...e.childNodes].some(
    n => n.nodeType === 3 && n.data.trim())).map(e => ratio(getComputedStyle(e).color, bg));
  return {block: ratio(bg, page), border: ratio(style.borderTopColor, page),
          borderWidth: parseFloat(style.borderTopWidth), texts};
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("selector", [".note-body pre.highlight", ".bibtex pre"])
def test_code_blocks_stand_out_and_read_in_both_themes(
    page: Page, http_base: str, theme: Theme, selector: str
) -> None:
    page.emulate_media(color_scheme=theme)
    page.goto(http_base + PAGE)
    found = page.locator(selector).evaluate(_CONTRASTS)
    # Set off from the page: by its background, or else by a border drawn in --line, the
    # colour of every rule on the site (1.45:1 on white, 1.89:1 on the dark page).
    assert found["block"] >= 1.1 or (found["borderWidth"] >= 1 and found["border"] >= 1.4), found
    texts = found["texts"]
    assert len(texts) >= (8 if "highlight" in selector else 1)  # Pygments' token spans
    assert min(texts) >= 4.5, found


def test_copy_a_code_block_by_keyboard(browser: Browser, http_base: str) -> None:
    problems = Problems()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=http_base[:-1])
    page = problems.watch(context.new_page())
    page.goto(http_base + PAGE)
    page.locator(".note-body pre.highlight").focus()
    page.keyboard.press("Tab")  # the block's button comes right after it
    button = page.get_by_role("button", name="Copy code block 1 (python)")
    expect(button).to_be_focused()
    expect(button).to_have_text("Copy")
    page.keyboard.press("Enter")
    status = page.locator(".code-block [data-copy-status]")
    expect(status).to_have_text("Copied.")
    assert status.get_attribute("aria-live") == "polite"
    # The code as written: no trailing line end, no "Copy", no status text.
    assert page.evaluate("navigator.clipboard.readText()") == CODE.removesuffix("\n")
    context.close()
    assert problems.items == []


def test_copy_from_a_file_url_says_what_happened(page: Page, site: Path) -> None:
    page.goto(site.as_uri() + "/" + PAGE)
    button = page.get_by_role("button", name="Copy code block 1 (python)")
    button.click()
    expect(page.locator(".code-block [data-copy-status]")).to_have_text(
        re.compile(r"^(Copied\.|Select the text and copy it\.)$")
    )


def test_without_javascript_no_copy_button_and_no_anchor(browser: Browser, site: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.as_uri() + "/" + PAGE)
    expect(page.locator(".note-body pre.highlight")).to_be_visible()
    assert page.locator(".note-body button, .note-body a.anchor").count() == 0
    context.close()


HEADINGS = [
    ("h-why-it-matters", "Why it matters"),
    ("h-a-minimal-lora-layer", "A minimal LoRA layer"),
    ("h-推理零延迟-merging", "推理零延迟 (merging)"),
]


def test_each_heading_has_an_anchor_named_once(page: Page, base: str) -> None:
    page.goto(base + PAGE)
    anchors = page.locator(".note-body a.anchor")
    expect(anchors).to_have_count(len(HEADINGS))
    for i, (anchor, text) in enumerate(HEADINGS):
        link = anchors.nth(i)
        assert link.get_attribute("href") == "#" + anchor
        expect(link).to_have_accessible_name("Link to section: " + text)
        expect(link).to_have_text("#")
        # The heading's own name is its text alone: the link is beside it, not in it.
        expect(page.locator(f"[id='{anchor}']")).to_have_accessible_name(text)
    snapshot = page.locator(".note-body").aria_snapshot()
    assert snapshot.count("Why it matters") == 2, snapshot  # the heading, then its link


def _opacity(page: Page, index: int) -> str:
    return str(
        page.locator(".note-body a.anchor").nth(index).evaluate("a => getComputedStyle(a).opacity")
    )


def test_an_anchor_shows_on_hover_and_on_keyboard_focus(page: Page, base: str) -> None:
    page.goto(base + PAGE)
    assert _opacity(page, 0) == "0"
    page.locator("#h-why-it-matters").hover()
    assert _opacity(page, 0) == "1"
    page.mouse.move(0, 0)
    assert _opacity(page, 0) == "0"
    # Keyboard: from the heading (made focusable for the test), Tab lands on its anchor.
    page.locator("#h-why-it-matters").evaluate("h => { h.tabIndex = -1; h.focus(); }")
    page.keyboard.press("Tab")
    link = page.locator(".note-body a.anchor").first
    expect(link).to_be_focused()
    assert _opacity(page, 0) == "1"
    box = link.bounding_box()
    assert box is not None and box["width"] > 4 and box["x"] >= 0  # drawn, on screen
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("#h-why-it-matters$"))


def test_anchors_are_always_shown_on_touch_screens(browser: Browser, base: str) -> None:
    problems = Problems()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = problems.watch(context.new_page())
    page.goto(base + PAGE)
    assert page.evaluate("matchMedia('(hover: none)').matches")
    for i in range(len(HEADINGS)):
        assert _opacity(page, i) == "1"
        box = page.locator(".note-body a.anchor").nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["width"] > 4  # inside the screen
    page.locator(".note-body a.anchor").nth(1).tap()
    page.wait_for_url(re.compile("#h-a-minimal-lora-layer$"))
    context.close()
    assert problems.items == []


def test_the_reading_time_is_the_bodys(page: Page, base: str) -> None:
    md = make_parser()
    minutes = parse_body(md, BODY).reading_minutes
    assert minutes == 1  # a short note: a minute, never "0 min"
    page.goto(base + PAGE)
    expect(page.locator(".paper-header .reading-time")).to_have_text(f"{minutes} min read")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_page_passes_every_axe_rule_with_its_new_pieces(
    page: Page, http_base: str, theme: Theme
) -> None:
    page.emulate_media(color_scheme=theme)
    page.goto(http_base + PAGE)
    expect(page.locator(".code-block button")).to_be_visible()
    assert _axe_violations(page) == []
    # An anchor in view (focused) and a status said: still nothing.
    page.locator(".note-body a.anchor").first.focus()
    page.locator(".code-block button").click()
    expect(page.locator(".code-block [data-copy-status]")).not_to_be_empty()
    assert _axe_violations(page) == []
