"""The note schema is declared once; validation, drafts, the export and the README agree with it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from pathlib import Path

import pytest

from papernotes import frontmatter, schema
from papernotes.bib.export import format_entry
from papernotes.markdown.factory import make_parser
from papernotes.model import Author, Citation, CiteKey, Metadata, Status
from papernotes.notes.file import NoteDraft, render_note
from papernotes.parse import KNOWN_KEYS, parse_note
from papernotes.readers import READERS

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_key_table_is_the_generated_one() -> None:
    text = README.read_text(encoding="utf-8")
    if os.environ.get("PAPERNOTES_UPDATE_README"):
        text = _rewrite_marked_table(text)
        README.write_text(text, encoding="utf-8", newline="\n")
    assert schema.README_START in text and schema.README_END in text
    hint = "run: PAPERNOTES_UPDATE_README=1 python -m pytest tests/test_schema.py"
    assert schema.update_readme(text) == text, hint
    for key in schema.KEYS:
        assert f"| `{key.name}` | {'yes' if key.required else 'no'} | {key.doc} |" in text


def _rewrite_marked_table(text: str) -> str:
    # The start marker's wording may have changed too: find it by its prefix.
    start = text.index("<!-- keys:")
    return schema.update_readme(
        text[:start] + schema.README_START + text[text.index("\n", start) :]
    )


def test_update_readme_rewrites_a_stale_table() -> None:
    stale = f"intro\n{schema.README_START}\n| old |\n{schema.README_END}\nend\n"
    text = schema.update_readme(stale)
    assert "| old |" not in text and schema.key_table() in text
    assert text.startswith("intro\n") and text.endswith(f"{schema.README_END}\nend\n")


def test_metadata_has_one_field_per_key_in_schema_order() -> None:
    # Metadata stays a hand-written dataclass so mypy sees each field's type; this holds it.
    assert [f.name for f in dataclasses.fields(Metadata)] == [k.attr for k in schema.KEYS]
    fields = dataclasses.fields(Metadata)
    no_default = [
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    required = [f for f in no_default if f != "key"]  # always set: the id or the file name
    assert required == [k.attr for k in schema.KEYS if k.required]


def test_drafts_fill_exactly_the_drafted_keys() -> None:
    draft_fields = [f.name for f in dataclasses.fields(NoteDraft) if f.name != "body"]
    assert draft_fields == [k.attr for k in schema.KEYS if k.drafted]


def test_every_kind_and_every_key_has_a_reader() -> None:
    assert set(READERS) == set(schema.Kind)
    assert all(key.kind in READERS for key in schema.KEYS)
    assert tuple(k.name for k in schema.KEYS) == KNOWN_KEYS


def test_only_numbers_and_dates_are_read_as_yaml() -> None:
    typed = {k.name for k in schema.KEYS} - frontmatter.TEXT_KEYS
    assert typed == {"year", "rating", "read", "added"}


def test_aliases_name_real_keys_and_are_not_keys_themselves() -> None:
    names = {k.name for k in schema.KEYS}
    assert schema.ALIASES and set(schema.ALIASES.values()) <= names
    assert not set(schema.ALIASES) & names
    assert all(a == a.lower() for a in schema.ALIASES)


def _full_draft() -> NoteDraft:
    return NoteDraft(
        key=CiteKey("hu2021lora"),
        title="LoRA",
        authors=("Edward J. Hu", "Shen, Yelong"),
        editors=("Ada Lovelace",),
        year=2022,
        entry_type="inproceedings",
        venue="ICLR 2022",
        arxiv="2106.09685",
        doi="10.48550/arXiv.2106.09685",
        url="https://openreview.net/forum?id=nZeVKeeFYf9",
        pdf="https://arxiv.org/pdf/2106.09685",
        status="to-read",
        cites=("houlsby2019parameter", "arXiv:2005.14165"),
        abstract="Low-rank adapters. " * 10,
        bibtex=(("pages", "1--13"),),
        body="## Summary\n",
    )


def test_a_full_draft_is_written_in_schema_order_and_reads_back_clean() -> None:
    draft = _full_draft()
    text = render_note(draft)
    front = text.split("---\n")[1]
    written = [line.split(":")[0] for line in front.splitlines() if re.match(r"[a-z]+:", line)]
    assert written == [k.name for k in schema.KEYS if k.drafted]
    note, diags = parse_note("papers/hu2021lora.md", text, make_parser())
    assert diags == () and note is not None
    meta = note.meta
    assert meta.key == draft.key and meta.entry_type == draft.entry_type
    assert [a.display for a in meta.authors] == ["Edward J. Hu", "Yelong Shen"]
    assert meta.arxiv == draft.arxiv and meta.status is Status.TO_READ
    assert [c.target for c in meta.cites] == list(draft.cites)
    assert dict(meta.bibtex) == dict(draft.bibtex)
    assert list(note.locations) == written


def test_an_optional_key_left_empty_is_not_written() -> None:
    draft = dataclasses.replace(_full_draft(), venue=None, cites=(), bibtex=())
    front = render_note(draft).split("---\n")[1]
    assert "venue:" not in front and "cites:" not in front and "bibtex:" not in front


MARKED = Metadata(
    key=CiteKey("k2020"),
    title="Marked Title",
    authors=(Author("Lovelace", "Ada"),),
    editors=(Author("Editormark", "Eve"),),
    year=2020,
    entry_type="article",
    venue="Journal of Marks",
    arxiv="2001.00001",
    doi="10.1000/marked",
    url="https://url.example/",
    pdf="https://pdf.example/",
    code="https://code.example/",
    tags=("tagmark",),
    status=Status.READ,
    rating=4,
    read=dt.date(1999, 12, 31),
    cites=(Citation("citemark", 5, in_body=False),),
    abstract="abstractmark",
    bibtex={"note": "rawmark"},
)
"""Every key set, to a value that can be found in the export."""


@pytest.mark.parametrize("key", schema.KEYS, ids=lambda k: k.name)
def test_the_bibtex_column_says_what_the_export_does(key: schema.Key) -> None:
    bib = format_entry(MARKED)
    named = re.findall(r"`([A-Za-z]+)`", key.bibtex)
    if named:
        assert any(re.search(rf"^\s*{n}\s*=", bib, re.MULTILINE) for n in named), bib
    value = getattr(MARKED, key.attr)
    # Status and rating ("read", "4") are too short to look for; the rest must show or not.
    marks = {"tags": "tagmark", "read": "1999", "cites": "citemark", "bibtex": "rawmark"}
    shown = marks.get(key.name, value if isinstance(value, str) else None)
    if shown is not None:
        # Only what the table marks as exported reaches the .bib file.
        assert (shown in bib) is bool(key.bibtex), (key.name, bib)
