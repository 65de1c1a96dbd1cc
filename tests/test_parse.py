from __future__ import annotations

import datetime as dt

import pytest

from papernotes.markdown.factory import make_parser
from papernotes.model import Author, Status
from papernotes.parse import parse_note

MD = make_parser()


def parse(front: str, body: str = "Body.\n", path: str = "papers/x.md"):
    return parse_note(path, f"---\n{front}---\n{body}", MD)


def test_full_front_matter() -> None:
    note, diags = parse(
        "id: hu2021lora\ntitle: LoRA\nauthors: [Edward J. Hu, 'Shen, Yelong']\nyear: 2022\n"
        "type: InProceedings\nvenue: ICLR 2022\narxiv: 'arXiv:2106.09685v2'\n"
        "doi: https://doi.org/10.48550/arXiv.2106.09685\ntags: [peft, PEFT, '#lora']\n"
        "status: read\nrating: 5\nread: 2024-03-01\ncites: [a, 'arXiv:1902.00751', 'doi:10.1/x']\n"
        "bibtex:\n  Pages: 1--13\n"
    )
    assert diags == ()
    assert note is not None
    meta = note.meta
    assert meta.key == "hu2021lora"
    assert meta.authors[0] == Author(family="Hu", given="Edward J.")
    assert meta.authors[1] == Author(family="Shen", given="Yelong")
    assert meta.entry_type == "inproceedings"
    assert meta.arxiv == "2106.09685v2"
    assert meta.doi == "10.48550/arXiv.2106.09685"
    assert meta.tags == ("peft", "lora")
    assert meta.status is Status.READ
    assert meta.read == dt.date(2024, 3, 1)
    assert [c.target for c in meta.cites] == ["a", "arXiv:1902.00751", "doi:10.1/x"]
    assert [c.line for c in meta.cites] == [14, 14, 14]
    assert dict(meta.bibtex) == {"pages": "1--13"}


def test_key_defaults_to_file_stem_and_bibtex_style_authors() -> None:
    note, diags = parse(
        "title: T\nauthors: Du, Zhengxiao and Jie Tang and 杨植麟\nyear: 2022\n",
        path="papers/sub/du2021glm.md",
    )
    assert diags == ()
    assert note is not None and note.key == "du2021glm"
    assert [a.display for a in note.meta.authors] == ["Zhengxiao Du", "Jie Tang", "杨植麟"]


def test_citation_lines_map_body_lines_to_file_lines() -> None:
    note, _ = parse(
        "title: T\nauthors: [A B]\nyear: 2020\ncites:\n  - one\n  - two\n",
        body="\nFirst line.\n\nSee [@three] and\n[[four]].\n",
    )
    assert note is not None
    assert [(c.target, c.line, c.in_body) for c in note.citations] == [
        ("one", 6, False),
        ("two", 7, False),
        ("three", 12, True),
        ("four", 13, True),
    ]


@pytest.mark.parametrize(
    ("front", "message"),
    [
        (
            "title: T\nauthors: [A B]\nyear: 2020\ntype: artcle\n",
            "papers/x.md:5:1: warning: type: \"artcle\" is not a standard BibTeX entry type (did you mean 'article'?)",
        ),
        (
            "title: T\nauthor: [A B]\nyear: 2020\n",
            "papers/x.md:3:1: warning: author: read as 'authors'",
        ),
        (
            "title: T\nauthors: [A B]\nyear: 2020\ndoi: 11.1/x\n",
            'papers/x.md:5:1: error: doi: expected a DOI such as "10.18653/v1/2022.acl-long.26", got "11.1/x"',
        ),
        (
            "title: [a, b]\nauthors: [A B]\nyear: 2020\n",
            "papers/x.md:2:1: error: title: expected text, got a list",
        ),
        (
            "title: T\nauthors: [A B]\nyear: 2020\ncites:\n  - ok\n  - 'bad key!'\n",
            'papers/x.md:7:5: error: cites: expected a citekey, got "bad key!"',
        ),
        (
            "title: T\nauthors: [A B]\nyear: 2020\nbibtex:\n  tex.note: '{unbalanced'\n",
            "papers/x.md:6:3: error: bibtex: tex.note:",
        ),
        (
            "title: T\nauthors: [A B]\nyear: true\n",
            'papers/x.md:4:1: warning: year: expected a whole number, got "True"',
        ),
    ],
)
def test_problems_name_file_line_and_key(front: str, message: str) -> None:
    _, diags = parse(front)
    assert any(d.format().startswith(message) for d in diags), [d.format() for d in diags]


BASE = "title: T\nauthors: [A B]\nyear: 2021\n"


@pytest.mark.parametrize(
    ("value", "date", "message"),
    [
        ("2024-13-01", None, "read: 2024-13-01 is not a real date (month 13); write YYYY-MM-DD"),
        ("2024-00-10", None, "read: 2024-00-10 is not a real date (month 0)"),
        ("2023-02-30", None, "read: 2023-02-30 is not a real date (February 2023 has 28 days)"),
        ("2024-02-29", dt.date(2024, 2, 29), None),
        ("1900-02-29", None, "read: 1900-02-29 is not a real date (February 1900 has 28 days)"),
        ("2000-02-29", dt.date(2000, 2, 29), None),
        ("2024-04-31", None, "read: 2024-04-31 is not a real date (April 2024 has 30 days)"),
        ("2024-05-00", None, "read: 2024-05-00 is not a real date (day 0)"),
        ("0000-01-01", None, "read: 0000-01-01 is not a real date (year 0)"),
        ("2024-01-01 25:00:00", None, "read: 2024-01-01 25:00:00 is not a real date (hour 25)"),
        ("2024-01-01T10:00:00Z", dt.date(2024, 1, 1), None),
        ('"2024-13-01"', None, "read: 2024-13-01 is not a real date (month 13)"),
        ('"2024-03-01"', dt.date(2024, 3, 1), None),
    ],
)
def test_impossible_dates_are_reported_at_their_line(
    value: str, date: dt.date | None, message: str | None
) -> None:
    note, diags = parse(f"{BASE}tags: [x]\nread: {value}\n")
    if message is None:
        assert diags == () and note is not None and note.meta.read == date
    else:
        assert note is None
        col = 1 if value.startswith('"') else 7  # a YAML date at its value, quoted text at its key
        assert diags[0].format().startswith(f"papers/x.md:6:{col}: error: {message}")


@pytest.mark.parametrize(
    ("front", "message"),
    [
        # Keys papernotes does not know are still read as YAML, so a bad date there is named.
        (
            f"{BASE}date: 2024-00-10\n",
            "papers/x.md:5:7: error: date: 2024-00-10 is not a real date",
        ),
        ("title: T\nyear: 2024-02-30\nauthors: [A]\n", "papers/x.md:3:7: error: year: 2024-02-30"),
        (
            f"{BASE}seen:\n  - 2024-01-01\n  - 2024-01-32\n",
            "papers/x.md:7:5: error: seen: 2024-01-32",
        ),
        (
            f"{BASE}rating: !!int five\n",
            "papers/x.md:5:9: error: rating: cannot read value: invalid",
        ),
        (f"{BASE}x: !!python/name:os.system\n", "papers/x.md:5:4: error: x: cannot read value:"),
        # libyaml refuses a lone surrogate; PyYAML's own parser reads it and we refuse it.
        # (libyaml reports it where it stops reading, PyYAML at the value: columns differ)
        (f'{BASE}venue: "a\\ud800b"\n', "papers/x.md:5:"),
    ],
)
def test_values_that_cannot_be_read_are_errors_not_crashes(front: str, message: str) -> None:
    note, diags = parse(front)
    errors = [d.format() for d in diags if d.severity.value == "error"]
    assert note is None
    assert errors[0].startswith(message), errors


def test_a_lone_surrogate_is_refused_by_the_pure_python_parser_too() -> None:
    from papernotes import frontmatter

    node = frontmatter.yaml.compose('venue: "a\\ud800b"\n', Loader=frontmatter.yaml.SafeLoader)
    with pytest.raises(frontmatter._BadValue, match="not a character"):
        frontmatter._as_text(node.value[0][1])


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("0123", "0123"),
        ("0x1F", "0x1F"),
        ("1_000", "1_000"),
        ("1e3", "1e3"),
        ("1.50", "1.50"),
        ("2021", "2021"),
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("Off", "Off"),
        ("2024-01-01", "2024-01-01"),
        ("2024-13-01", "2024-13-01"),
        ("'0123'", "0123"),
        ("null", "x"),
        ("~", "x"),
        ("", "x"),
    ],
)
def test_ids_are_read_as_written(written: str, key: str) -> None:
    """YAML 1.1 would make 0123 the number 83 and 'no' False; an id is the text written.

    An empty id (``null``, ``~`` or nothing) means "not given": the file name is used.
    """
    note, diags = parse(f"{BASE}id: {written}\n")
    assert diags == ()
    assert note is not None and note.key == key


def test_identifiers_and_text_keep_what_was_written() -> None:
    note, diags = parse(
        "title: 1984\nauthors: [No Body, 'yes']\nyear: 2021\narxiv: 2101.00190\n"
        "doi: 10.1000/0123\nvenue: 0x10\ntags: [2021, yes, 1e3]\ncites: [0123, off]\n"
        "status: Read\nrating: 4\nbibtex:\n  number: 007\n  volume: 1_0\n"
    )
    assert diags == ()
    assert note is not None
    meta = note.meta
    assert meta.title == "1984"
    assert meta.arxiv == "2101.00190"  # unquoted; YAML 1.1 would read 2101.0019
    assert meta.doi == "10.1000/0123"
    assert meta.venue == "0x10"
    assert meta.tags == ("2021", "yes", "1e3")
    assert [c.target for c in meta.cites] == ["0123", "off"]
    assert meta.year == 2021 and meta.rating == 4
    assert dict(meta.bibtex) == {"number": "007", "volume": "1_0"}


def test_the_id_line_is_kept_for_later_messages() -> None:
    note, _ = parse(f"{BASE}tags: [a]\nid: k\n")
    assert note is not None and note.key_line == 6
    note, _ = parse(BASE)
    assert note is not None and note.key_line == 1


@pytest.mark.parametrize(
    ("written", "line"),
    [
        (
            'id: "o\'neil2019"',
            "papers/x.md:5:1: error: id: \"o'neil2019\": expected a key without '",
        ),
        ("id: a b", 'papers/x.md:5:1: error: id: "a b": expected a key without white space'),
        ("id: a~b", 'papers/x.md:5:1: error: id: "a~b": expected a key without "~"'),
    ],
)
def test_ids_biber_cannot_read_are_refused(written: str, line: str) -> None:
    note, diags = parse(f"{BASE}{written}\n")
    assert note is None
    assert diags[0].format().startswith(line)
    assert "e.g. id: " in (diags[0].hint or "")


@pytest.mark.parametrize("key", [".", "..", "...", ".x", "../x", "smith/article", "Müller:2020"])
def test_ids_with_dots_and_slashes_are_keys_like_any_other(key: str) -> None:
    """BibTeX and biber read them; the page and file names made from them are safe."""
    note, diags = parse(f"{BASE}id: '{key}'\n")
    assert diags == () and note is not None and note.key == key


def test_a_file_name_that_is_no_key_gives_an_id_with_a_warning() -> None:
    # Was an error; a vault's file names hold spaces (issue 12): see test_vault_lenient.py.
    note, diags = parse(BASE, path="papers/a b.md")
    assert note is not None and note.key == "ab"
    assert (
        diags[0].format().startswith('papers/a b.md:1: warning: the file name "a b" is not a valid')
    )


def test_ids_with_inner_and_trailing_dots_are_fine() -> None:
    note, diags = parse(f"{BASE}id: a.b.\n")
    assert diags == () and note is not None and note.key == "a.b."


def test_aliases_cannot_multiply_the_work() -> None:
    """A thousand references to a thousand-item list are not expanded into a million names."""
    items = ", ".join(["x"] * 1000)
    refs = ", ".join(["*a"] * 1000)
    note, diags = parse(f"title: T\nyear: 2021\nzz: &a [{items}]\nauthors: [{refs}]\n")
    assert note is None
    assert sum(d.message == "authors: expected a name, got a list" for d in diags) == 1000
