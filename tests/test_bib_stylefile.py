"""A library's own CSL styles (``styles/*.csl``): a good one appears on every paper page and in
``papernotes bib --style``; a broken or hostile one (XXE, billion laughs, a DTD from the
network, bad XML, not CSL, too large, a symlink) is a warning naming the file and its line, the
build goes on without it, and nothing is read, fetched or expanded."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from papernotes.bib import stylefile
from papernotes.bib.styles import StyleError, StyleSet, check_style, load_styles
from papernotes.build import build
from papernotes.config import load_config

from conftest import copy_fixture

CSL = "http://purl.org/net/xbiblio/csl"
TINY = f"""<?xml version="1.0" encoding="utf-8"?>
<style xmlns="{CSL}" class="in-text" version="1.0" default-locale="en-US">
  <info><title>Tiny test style</title><id>tiny</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography>
    <layout suffix=".">
      <group delimiter=" — ">
        <names variable="author"><name form="short" and="text"/></names>
        <text variable="title" font-style="italic"/>
        <date variable="issued"><date-part name="year"/></date>
      </group>
    </layout>
  </bibliography>
</style>
"""
_BODY = TINY.split("\n", 1)[1]  # without the XML declaration
XXE = f"""<?xml version="1.0"?>
<!DOCTYPE style [<!ENTITY x SYSTEM "file:///etc/passwd">]>
{_BODY.replace('<text variable="title"/>', '<text value="&x;"/>')}"""
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE style [\n <!ENTITY a "lol">\n'
    + "".join(f' <!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9))
    + "]>\n"
    + _BODY.replace('<text variable="title"/>', '<text value="&j;"/>')
)
NETWORK_DTD = f'<?xml version="1.0"?>\n<!DOCTYPE style SYSTEM "http://127.0.0.1:9/x.dtd">\n{_BODY}'

BAD: list[tuple[str, bytes, int | None, str]] = [
    # (case, file content, line in the warning, words in the message)
    ("xxe", XXE.encode(), 2, "DOCTYPE"),
    ("billion-laughs", LAUGHS.encode(), 2, "DOCTYPE"),
    ("network-dtd", NETWORK_DTD.encode(), 2, "DOCTYPE"),
    ("bad-xml", TINY.replace("</bibliography>", "").encode(), 14, "not well-formed XML"),
    ("undefined-entity", TINY.replace("Tiny", "&nope;").encode(), 3, "not well-formed XML"),
    ("not-csl", b'<?xml version="1.0"?>\n<html><body/></html>\n', 2, "not a CSL style"),
    (
        "no-bibliography",
        TINY.split("<bibliography>")[0].encode() + b"</style>\n",
        2,
        "no bibliography",
    ),
    (
        "unknown-macro",
        TINY.replace(
            '<text variable="title" font-style="italic"/>', '<text macro="nope"/>'
        ).encode(),
        None,
        "citeproc-py cannot use it",
    ),
    ("too-large", TINY.encode() + b" " * stylefile.MAX_STYLE_BYTES, None, "larger than"),
]


def _library(tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = copy_fixture("small", tmp_path)
    (root / "styles").mkdir()
    for name, data in files.items():
        (root / "styles" / name).write_bytes(data)
    return root


def test_a_user_style_is_checked_and_formats() -> None:
    style = check_style(TINY.encode(), name="tiny", origin="styles/tiny.csl")
    assert style.label == "Tiny test style"
    item = {
        "id": "k",
        "type": "article-journal",
        "title": "A <b>paper</b>",
        "author": [{"family": "Lovelace", "given": "Ada"}, {"family": "Babbage", "given": "C."}],
        "issued": {"date-parts": [[1843]]},
    }
    (ref,) = StyleSet([style]).format(item)
    assert ref.text == "Lovelace and Babbage — A <b>paper</b> — 1843."
    assert ref.html == "Lovelace and Babbage — <i>A &lt;b&gt;paper&lt;/b&gt;</i> — 1843."


@pytest.mark.parametrize(("case", "data", "line", "words"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_style_is_refused_with_a_reason(
    case: str, data: bytes, line: int | None, words: str
) -> None:
    with pytest.raises(StyleError) as caught:
        check_style(data, name=case, origin=f"styles/{case}.csl")
    assert words in str(caught.value)
    assert caught.value.line == line
    assert caught.value.hint


@pytest.mark.parametrize(("case", "data", "line", "words"), BAD, ids=[b[0] for b in BAD])
def test_the_build_warns_and_goes_on_without_a_bad_style(
    tmp_path: Path, case: str, data: bytes, line: int | None, words: str
) -> None:
    root = _library(tmp_path, {f"{case}.csl": data, "tiny.csl": TINY.encode()})
    config, _ = load_config(root)
    report = build(root, config, out=tmp_path / "site", workers=1)
    assert report.written is not None
    (warning,) = [d for d in report.diagnostics if d.where.path == f"styles/{case}.csl"]
    assert warning.severity.value == "warning" and words in warning.message
    assert warning.where.line == line
    page = (tmp_path / "site/papers/hu2021lora.html").read_text("utf-8")
    assert "root:x:0:0" not in page and "lollollol" not in page
    labels = [
        s.get_text() for s in BeautifulSoup(page, "html.parser").select(".cite-style summary")
    ]
    assert labels == ["APA 7", "IEEE", "GB/T 7714-2015", "Tiny test style"]


def test_a_symlinked_style_and_a_name_taken_by_a_builtin_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.csl"
    outside.write_text(TINY, "utf-8")
    root = _library(tmp_path, {"apa.csl": TINY.encode()})
    (root / "styles" / "linked.csl").symlink_to(outside)
    styles, diags = load_styles(root)
    assert [s.name for s in styles] == ["apa", "ieee", "gb7714"]
    assert {d.where.path: d.message for d in diags} == {
        "styles/apa.csl": "CSL style not used: a built-in style is called 'apa'",
        "styles/linked.csl": "CSL style not used: leads outside the library",
    }


def test_a_user_style_file_changes_rebuild_the_pages(tmp_path: Path) -> None:
    root = _library(tmp_path, {"tiny.csl": TINY.encode()})
    config, _ = load_config(root)
    out = tmp_path / "site"
    assert build(root, config, out=out, workers=1).written is not None
    (root / "styles" / "tiny.csl").write_text(TINY.replace(" — ", " / "), "utf-8")
    report = build(root, config, out=out, workers=1)
    assert not report.up_to_date and report.written is not None
    page = (out / "papers/hu2021lora.html").read_text("utf-8")
    assert (
        "Hu, Shen, and Wallis / LoRA"
        in BeautifulSoup(page, "html.parser").select_one("#cite-4").get_text()
    )


def test_bib_style_prints_references_in_a_builtin_packaged_or_user_style(
    tmp_path: Path, cli
) -> None:
    root = _library(tmp_path, {"tiny.csl": TINY.encode()})
    ieee = cli("bib", "--root", str(root), "--style", "ieee", "--key", "hu2021lora")
    assert ieee.code == 0, ieee.err
    assert ieee.out == (
        "E. J. Hu, Y. Shen, and P. Wallis, “LoRA: Low-Rank Adaptation of Large Language "
        "Models,” in ICLR 2022, 2022.\n"
    )
    gb = cli("bib", "--root", str(root), "--style", "gb7714", "--tag", "peft")
    assert gb.code == 0 and len(gb.out.splitlines()) == 2 and "[C]//ICLR 2022" in gb.out
    chicago = cli("bib", "--root", str(root), "--style", "chicago-author-date", "--tag", "peft")
    assert chicago.code == 0 and "“LoRA: Low-Rank Adaptation" in chicago.out
    tiny = cli("bib", "--root", str(root), "--style", "tiny", "--key", "hu2021lora")
    assert tiny.out == (
        "Hu, Shen, and Wallis — LoRA: Low-Rank Adaptation of Large Language Models — 2022.\n"
    )
    written = cli("bib", "--root", str(root), "--style", "apa", "-o", str(tmp_path / "refs.txt"))
    assert written.code == 0 and (tmp_path / "refs.txt").read_text("utf-8").count("\n") == 3


@pytest.mark.parametrize(
    ("name", "words"),
    [
        (
            "nope",
            "unknown style 'nope': use apa, ieee, gb7714, a style of this library (bad, linked, tiny)",
        ),
        ("../../etc/passwd", "unknown style"),
        ("bad", "styles/bad.csl:2: cannot use this CSL style: style has a DOCTYPE"),
        ("linked", "styles/linked.csl: cannot use this CSL style: leads outside the library"),
    ],
)
def test_bib_style_names_what_is_wrong(tmp_path: Path, cli, name: str, words: str) -> None:
    root = _library(tmp_path, {"tiny.csl": TINY.encode(), "bad.csl": XXE.encode()})
    (tmp_path / "outside.csl").write_text(TINY, "utf-8")
    (root / "styles" / "linked.csl").symlink_to(tmp_path / "outside.csl")
    result = cli("bib", "--root", str(root), "--style", name)
    assert result.code == 1 and result.out == ""
    assert words in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    "text",
    [XXE, LAUGHS, XXE.replace('<text value="&x;"/>', "<text/>").replace("Tiny test style", "&x;")],
    ids=["xxe-attribute", "billion-laughs", "xxe-text"],
)
def test_a_doctype_in_another_encoding_is_refused_by_the_parser(text: str) -> None:
    # UTF-16 hides the bytes "<!DOCTYPE" from the first check: the parser itself expands
    # nothing, and the declaration is refused once parsed.
    data = text.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    with pytest.raises(StyleError) as caught:
        check_style(data.encode("utf-16"), name="evil", origin="styles/evil.csl")
    assert "root:" not in str(caught.value) and "lollol" not in str(caught.value)


def test_a_builtin_style_is_prepared_only_when_formatted_and_as_a_checked_one_is() -> None:
    # A build reads the built-in styles every time; lxml prepares one only when a reference is
    # formatted with it, and then exactly as the checked style (citeproc-py's input) would be.
    from papernotes.bib.styles import BUILTIN_STYLES, packaged_style

    for name, _ in BUILTIN_STYLES:
        lazy, checked = packaged_style(name, check=False), packaged_style(name)
        assert not lazy.prepared and checked.prepared
        assert (lazy.label, lazy.origin) == (checked.label, checked.origin)
        assert lazy.xml == checked.xml == checked.data != lazy.data
        assert lazy.fingerprint != checked.fingerprint  # stamps of different inputs, both stable
        assert lazy.fingerprint == packaged_style(name, check=False).fingerprint
