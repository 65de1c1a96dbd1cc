"""Front matter written by Obsidian (+ Zotero Integration), Dendron, Quartz and Hugo builds as
it is: other tools' spellings are read (and reported once per library), their values are
understood, TOML front matter is read, and a machine-made id never becomes a citekey."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from papernotes import dialects
from papernotes.build import read_library
from papernotes.config import Config, load_config
from papernotes.errors import Diagnostic, Severity
from papernotes.markdown.factory import make_parser
from papernotes.model import CiteKey, Metadata, Status
from papernotes.parse import parse_note, parse_notes

FIXTURES = Path(__file__).parent / "fixtures" / "dialects"


def _families(meta: Metadata) -> list[str]:
    return [a.family for a in meta.authors]


# (tool, note key, the Metadata fields that must be read, as field -> value)
CASES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "zotero",
        "vaswani2017attention",
        {
            "title": "Attention Is All You Need",
            "entry_type": "inproceedings",
            "authors": ["Vaswani", "Shazeer", "Parmar"],
            "year": 2017,
            "venue": "Advances in Neural Information Processing Systems",
            "doi": None,
            "url": "https://arxiv.org/abs/1706.03762",
            "pdf": "/home/u/Zotero/storage/ABCD1234/Vaswani et al.pdf",
            "tags": ("transformers", "attention"),
            "status": Status.TO_READ,
        },
    ),
    (
        "zotero",
        "lovelace1843",
        {
            "entry_type": "article",
            "authors": ["Lovelace", "Menabrea"],
            "year": 1843,
            "venue": "Scientific Memoirs",
            "doi": None,
            "pdf": None,
            "tags": ("history", "computing"),
        },
    ),
    (
        "obsidian",
        "hinton2006",
        {
            "authors": ["Hinton", "Osindero"],
            "venue": "Neural Computation",
            "status": Status.READ,
            "read": None,
            "url": "https://doi.org/10.1162/neco.2006.18.7.1527",
            "code": None,
        },
    ),
    (
        "obsidian",
        "bengio2003",
        {"authors": ["Bengio", "Ducharme"], "status": Status.TO_READ, "venue": "JMLR"},
    ),
    (
        "quartz",
        "mikolov2013",
        {
            "year": 2013,
            "authors": ["Mikolov", "Chen"],
            "tags": ("embeddings", "word2vec"),
            "abstract": "We propose two novel model architectures for computing continuous "
            "vector representations of words.",
        },
    ),
    (
        "hugo",
        "lecun1998",
        {
            "title": "Gradient-based learning applied to document recognition",
            "year": 1998,
            "authors": ["LeCun", "Bottou"],
            "tags": ("cnn", "mnist"),
            "venue": "Proceedings of the IEEE",
            "doi": "10.1109/5.726791",
        },
    ),
    (
        "dendron",
        "paper.attention",
        {
            "title": "Attention Is All You Need",
            "abstract": "The Transformer, all attention.",
            "authors": ["Vaswani"],
            "year": 2017,
        },
    ),
]


def _read(tool: str) -> tuple[dict[str, Metadata], tuple[Diagnostic, ...]]:
    library, diags = read_library(FIXTURES / tool, Config())
    return {str(k): n.meta for k, n in library.notes.items()}, diags


@pytest.mark.parametrize(("tool", "key", "expected"), CASES, ids=lambda c: str(c)[:20])
def test_each_tool_s_note_builds_and_its_values_are_read(
    tool: str, key: str, expected: dict[str, Any]
) -> None:
    metas, diags = _read(tool)
    assert not [d.format() for d in diags if d.severity is Severity.ERROR]
    meta = metas[key]
    for field, value in expected.items():
        got = _families(meta) if field == "authors" else getattr(meta, field)
        assert got == value, (field, got)


@pytest.mark.parametrize("tool", sorted(p.name for p in FIXTURES.iterdir()))
def test_each_alias_is_reported_once_per_library(tool: str) -> None:
    _, diags = _read(tool)
    aliases = [d.message.split(":")[0] for d in diags if ": read as '" in d.message]
    assert aliases, "every fixture uses another tool's spelling"
    assert len(aliases) == len(set(aliases)), aliases


def test_an_alias_used_by_several_notes_is_reported_once_with_a_count(tmp_path: Path) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    for i in range(13):
        (papers / f"p{i}.md").write_text(f"---\ntitle: T{i}\nauthor: A B\nyear: 2020\n---\n")
    _, diags = read_library(tmp_path, Config())
    read = [d.format() for d in diags if "read as" in d.message]
    assert read == [
        "papers/p0.md:3:1: warning: author: read as 'authors' (also in 12 other notes) "
        "(write 'authors' for a canonical note: --strict fails on other spellings)"
    ]
    # --strict means "canonical notes": the alias becomes an error there.
    _, strict = read_library(tmp_path, Config(), strict=True)
    assert any(d.severity is Severity.ERROR and "read as" in d.message for d in strict)


def _parse(text: str, path: str = "papers/x.md") -> tuple[Metadata | None, list[str]]:
    note, diags = parse_note(path, text, make_parser())
    return (note.meta if note else None), [d.format() for d in diags]


@pytest.mark.parametrize(
    ("front", "field", "value"),
    [
        ("bibtex_key: a1\n", "key", "a1"),
        ("citationKey: a1\n", "key", "a1"),
        ("Title: T\n", "title", "T"),
        ("link: https://x.org\n", "url", "https://x.org"),
        ("booktitle: ICML\n", "venue", "ICML"),
        ("conference: ICML\n", "venue", "ICML"),
        ("date: 2021-03-04\n", "year", 2021),
        ("date: '2021-03'\n", "year", 2021),
        ("itemType: preprint\n", "entry_type", "misc"),
        ("type: bookSection\n", "entry_type", "incollection"),
        ("type: thesis\n", "entry_type", "thesis"),
        ("type: phdthesis\n", "entry_type", "phdthesis"),
        ("tags: a, b\n", "tags", ("a", "b")),
        ("tags: '#a #b/c'\n", "tags", ("a", "b/c")),
        ("tags: solo\n", "tags", ("solo",)),
        ("authors: 'Doe, J.; Roe, R.'\n", "authors", ["Doe", "Roe"]),
        ("authors: J Doe and R Roe\n", "authors", ["Doe", "Roe"]),
        # Zotero Integration's default {{authors}}: whole names joined by ", ".
        (
            "authors: Yilun Du, Shuang Li, Joshua B. Tenenbaum\n",
            "authors",
            ["Du", "Li", "Tenenbaum"],
        ),
        ("authors: Kalpesh Krishna, and Mohit Iyyer\n", "authors", ["Krishna", "Iyyer"]),
        # A comma between family and given names stays one name.
        ("authors: Du, Yilun\n", "authors", ["Du"]),
        ("authors: Du, Yilun and Li, Shuang\n", "authors", ["Du", "Li"]),
        ("authors: van der Berg, Jan\n", "authors", ["Berg"]),
        ("authors: King, Jr., Martin Luther\n", "authors", ["King"]),
        ("url: ''\ndoi: ' '\narxiv:\n", "url", None),
        ("pdf: file:///F:/z/x.pdf\n", "pdf", None),
        ("pdf: x.pdf\n", "pdf", "x.pdf"),
        ("read: true\nstatus: reading\n", "status", Status.READING),
        ("read: 2024-01-02\n", "read", dt.date(2024, 1, 2)),
        ("status: 'true'\n", "status", Status.READ),
    ],
)
def test_values_other_tools_write_are_read(front: str, field: str, value: Any) -> None:
    # The usual title, authors and year, unless the case gives that key itself.
    base = {"title": "title: T\n", "authors": "authors: [A B]\n", "date": "year: 2020\n"}
    given = "".join(v for k, v in base.items() if not front.lower().startswith(k))
    meta, diags = _parse(f"---\n{given}{front}---\n")
    assert meta is not None, diags
    assert not [d for d in diags if ": error:" in d], diags
    got = _families(meta) if field == "authors" else getattr(meta, field)
    assert got == value


def test_a_windows_pdf_path_is_warned_about_and_not_kept() -> None:
    meta, diags = _parse(
        "---\ntitle: T\nauthors: [A B]\nyear: 2020\npdf: 'file://F:\\p\\x.pdf'\n---\n"
    )
    assert meta is not None and meta.pdf is None
    assert diags == [
        'papers/x.md:5:1: warning: pdf: "F:\\p\\x.pdf" is outside the library and is not '
        "published (copy the PDF next to the note and write its name)"
    ]


def test_an_alias_next_to_the_key_itself_is_ignored_with_a_warning() -> None:
    meta, diags = _parse("---\ntitle: T\nauthors: [A B]\nauthor: C D\nyear: 2020\n---\n")
    assert meta is not None and _families(meta) == ["B"]
    assert diags == [
        "papers/x.md:4:1: warning: author: ignored: it means 'authors', given already "
        "('authors' on line 3 is read; remove one)"
    ]


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ('title = "T"\nyear = \n', "papers/x.md:3:"),
        ('title = "T"\ntitle = "U"\n', "papers/x.md:3:"),
        ('title = "T"\nrating = 9\n', "papers/x.md:3:1: error: rating: expected a whole number"),
        ('title = "T"\nauthors = [[], "B"]\n', "papers/x.md:3:1: error: authors: expected a name"),
    ],
)
def test_toml_front_matter_errors_name_file_and_line(front: str, message: str) -> None:
    _, diags = _parse(f"+++\n{front}+++\nbody\n")
    assert any(d.startswith(message) and ": error:" in d for d in diags), diags


def test_toml_front_matter_that_is_not_closed_is_an_error() -> None:
    assert _parse('+++\ntitle = "T"\n')[1] == [
        "papers/x.md:1: error: front matter is not closed (add a '+++' line after it)"
    ]


@pytest.mark.parametrize(
    ("front", "key", "warned"),
    [
        # Dendron: a 23-character nanoid with its epoch-ms stamps.
        ("id: x8f3kq0z1c2v3b4n5m6l7k8\ncreated: 1690000000000\n", "paper.note", True),
        ("id: x8f3kq0z1c2v3b4n5m6l7k8\nupdated: 1700000000000\n", "paper.note", True),
        ("id: 6f1c8a2e-1b2c-4d3e-8f9a-0b1c2d3e4f5a\n", "paper.note", True),
        # Dendron before 2022: a 21-character nanoid; and a UUID a character short (both seen
        # on Dendron's own site).
        ("id: 2gHesjl7XP5Q9QNJWRv7E\ncreated: 1640418773306\n", "paper.note", True),
        ("id: PuDUEyUAPmvpBvaFWHDOS\ncreated: 1640418773306\n", "paper.note", True),
        ("id: 075e9806-0367-40a2-8154-2e84d5a1110\n", "paper.note", True),
        # An author-year-title citekey stays one, stamps or not.
        (
            "id: vaswani2017attentionisall\ncreated: 1690000000000\n",
            "vaswani2017attentionisall",
            False,
        ),
        (
            "id: Vaswani_2017_Attention_Is_All\nupdated: 1690000000000\n",
            "Vaswani_2017_Attention_Is_All",
            False,
        ),
        # Without the stamps, an id of letters and digits is a citekey someone chose.
        ("id: vaswani2017attentionall\n", "vaswani2017attentionall", False),
        ("id: x8f3kq0z1c2v3b4n5m6l7k8\n", "x8f3kq0z1c2v3b4n5m6l7k8", False),
        ("id: vaswani2017\ncreated: 1690000000000\n", "vaswani2017", False),
    ],
)
def test_a_machine_made_id_falls_back_to_the_file_name(front: str, key: str, warned: bool) -> None:
    note, diags = parse_note(
        "papers/paper.note.md",
        f"---\ntitle: T\nauthors: [A B]\nyear: 2020\n{front}---\n",
        make_parser(),
    )
    assert note is not None and note.key == key
    made = [d for d in diags if "the file name is the citekey" in d.message]
    assert bool(made) is warned, [d.format() for d in diags]


def test_fold_aliases_keeps_other_diagnostics_in_order() -> None:
    notes, diags = parse_notes(
        [
            ("papers/a.md", "---\ntitle: T\nauthor: A B\nyear: 2020\nzz: 1\n---\n"),
            ("papers/b.md", "---\ntitle: T\nauthor: A B\njournal: J\nyear: 2020\n---\n"),
        ],
        make_parser(),
    )
    assert len(notes) == 2
    assert [d.format().split(" (")[0] for d in diags] == [
        "papers/a.md:3:1: warning: author: read as 'authors'",
        "papers/a.md:5:1: warning: zz: unknown key, ignored",
        "papers/b.md:4:1: warning: journal: read as 'venue'",
    ]
    assert "(also in 1 other note)" in diags[0].message
    assert dialects.fold_aliases([]) == []


def test_a_keys_mapping_in_the_config_reads_the_library_s_own_spellings(tmp_path: Path) -> None:
    (tmp_path / "papernotes.yaml").write_text("keys:\n  myVenue: venue\n  Authors: authors\n")
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "a.md").write_text(
        "---\ntitle: T\nAuthors: [A B]\nyear: 2020\nmyVenue: NeurIPS 2020\n---\n"
    )
    config, config_diags = load_config(tmp_path)
    assert config_diags == () and config.keys == (("myVenue", "venue"), ("Authors", "authors"))
    library, diags = read_library(tmp_path, config, strict=True)
    # The library declared these spellings: no alias warning, even under --strict.
    assert diags == ()
    meta = library.notes[CiteKey("a")].meta
    assert meta.venue == "NeurIPS 2020" and _families(meta) == ["B"]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("keys: venue\n", "papernotes.yaml:1: error: keys: expected a mapping of spelling: key"),
        (
            "keys:\n  x: venu\n",
            "papernotes.yaml:1: error: keys: x: 'venu' is not a front-matter key",
        ),
    ],
)
def test_a_wrong_keys_mapping_is_an_error_naming_the_option(
    tmp_path: Path, yaml_text: str, message: str
) -> None:
    (tmp_path / "papernotes.yaml").write_text(yaml_text)
    _, diags = load_config(tmp_path)
    assert len(diags) == 1 and diags[0].format().startswith(message), diags


def test_an_alias_ignored_beside_the_key_is_also_reported_once(tmp_path: Path) -> None:
    """A venue given twice (``journal`` beside ``venue``): one warning for the library. (A
    page's ``date`` beside ``year`` is no clash: tests/test_vault_values.py.)"""
    papers = tmp_path / "papers"
    papers.mkdir()
    for i in range(3):
        text = f"---\ntitle: T{i}\nauthors: [A B]\nyear: 2020\nvenue: V\njournal: J{i}\n---\n"
        (papers / f"p{i}.md").write_text(text)
    _, diags = read_library(tmp_path, Config())
    assert [d.format().split(" (")[0] for d in diags] == [
        "papers/p0.md:6:1: warning: journal: ignored: it means 'venue', given already"
    ]
    assert diags[0].message.endswith("(also in 2 other notes)")


def test_machine_made_ids_are_reported_once_per_tool() -> None:
    """A Dendron vault has one such id per note: one warning says it for all of them."""
    dendron = "---\ntitle: T\nauthors: [A B]\nyear: 2020\nid: {}\ncreated: 1690000000000\n---\n"
    notes, diags = parse_notes(
        [
            (f"papers/n{i}.md", dendron.format(nid))
            for i, nid in enumerate(
                ["x8f3kq0z1c2v3b4n5m6l7k8", "PuDUEyUAPmvpBvaFWHDOS", "q1w2e3r4t5y6u7i8o9p0a1s"]
            )
        ]
        + [("papers/u.md", dendron.format("6f1c8a2e-1b2c-4d3e-8f9a-0b1c2d3e4f5a"))],
        make_parser(),
    )
    assert [n.key for n in notes] == ["n0", "n1", "n2", "u"]
    assert [d.format().split(" (write")[0] for d in diags] == [
        'papers/n0.md:5:1: warning: id: "x8f3kq0z1c2v3b4n5m6l7k8" was made by Dendron; the file '
        "name is the citekey (also in 2 other notes)",
        'papers/u.md:5:1: warning: id: "6f1c8a2e-1b2c-4d3e-8f9a-0b1c2d3e4f5a" was made by a UUID '
        "generator; the file name is the citekey",
    ]
