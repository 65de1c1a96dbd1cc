"""Entries and a user style for comparing papernotes' faster citeproc-py with citeproc-py as
it is (``test_bib_citeproc_speed``): every CSL type ``bib.csl.to_csl`` produces, names of every
kind (particles, suffixes, organisations, CJK, "and others", 25 authors), literal and missing
dates, missing titles, page ranges, and the ``bibtex:`` fields that become CSL variables."""

from __future__ import annotations

from typing import Any

from papernotes.bib.csl import CSL_TYPES, to_csl
from papernotes.model import OTHERS, Author, CiteKey, Metadata

_PEOPLE: tuple[tuple[Author, ...], ...] = (
    (Author("Hu", "Edward J."), Author("Shen", "Yelong"), Author("Wallis", "Phillip")),
    (Author("Beethoven", "Ludwig", particle="van"), Author("King", "Martin Luther", suffix="Jr.")),
    (Author("OpenAI"),),
    (Author("杨植麟"), Author("周", "志华")),
    (Author("Vaswani", "Ashish"), OTHERS),
    tuple(Author(f"Author{i}", "A.-B.") for i in range(25)),
    (Author("山田", "太郎"), Author("김", "민수")),
    (),
)
_FIELDS: tuple[dict[str, str], ...] = (
    {"volume": "12", "number": "3", "pages": "101--142", "month": "jul"},
    {"address": "Cham", "publisher": "Springer", "edition": "2", "isbn": "978-3-16-148410-0"},
    {"school": "MIT", "institution": "Bell Labs", "series": "LNCS", "note": "In press"},
    {"issn": "1533-7928", "language": "en", "pages": "e1002", "editor": "Doe, Jane and Roe, R."},
    {},
)


def entries() -> list[dict[str, Any]]:
    """CSL-JSON items, as the Cite panel gets them (``to_csl``), one or more per entry type."""
    out = []
    kinds = sorted(CSL_TYPES)
    for i, kind in enumerate(kinds):
        year = (2019 + i, None, None)[i % 3]
        meta = Metadata(
            key=CiteKey(f"{kind}{i}"),
            title=(None, f"On <b>{kind}</b> & “quoted” things?", "机器学习：方法")[i % 3]
            if i % 5
            else "Why? A study",
            authors=_PEOPLE[i % len(_PEOPLE)],
            year=year,
            editors=_PEOPLE[(i + 3) % len(_PEOPLE)] if i % 4 == 0 else (),
            entry_type=kind,
            venue=("Proceedings of the Thing", None, "Nature", "  ")[i % 4],
            arxiv="2106.09685" if i % 3 == 1 else None,
            doi=f"10.1000/{kind}.{i}" if i % 2 else None,
            url=f"https://example.org/{kind}?a=1&b=2" if i % 3 == 2 else None,
            bibtex={"year": "400 BC"} if year is None and i % 2 else _FIELDS[i % len(_FIELDS)],
        )
        out.append(to_csl(meta))
    out.append(to_csl(Metadata(key=CiteKey("bare"))))
    out.append(to_csl(Metadata(key=CiteKey("preprint"), title="A preprint", arxiv="2401.00001")))
    return out


USER_STYLE = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"
       default-locale="en-US" demote-non-dropping-particle="sort-only" page-range-format="chicago">
  <info><title>Everything</title><id>everything</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <locale xml:lang="en"><terms><term name="et-al">and colleagues</term></terms></locale>
  <macro name="who">
    <names variable="author" delimiter="; ">
      <name and="symbol" initialize-with=". " name-as-sort-order="first" et-al-min="4"
            et-al-use-first="2" delimiter-precedes-last="always">
        <name-part name="family" text-case="uppercase" font-variant="small-caps"/>
      </name>
      <et-al font-style="italic"/>
      <label form="short" prefix=" (" suffix=")" strip-periods="true"/>
      <substitute><names variable="editor"/><text value="Anon." font-weight="bold"/></substitute>
    </names>
  </macro>
  <macro name="when">
    <choose>
      <if variable="issued">
        <date variable="issued" form="text" date-parts="year-month">
          <date-part name="month" form="short" strip-periods="true"/>
        </date>
      </if>
      <else><text term="no date" form="short" text-case="capitalize-first"/></else>
    </choose>
  </macro>
  <macro name="where">
    <group delimiter=", " prefix=" " suffix=".">
      <text variable="container-title" font-style="italic" text-case="title"/>
      <choose>
        <if is-numeric="volume"><number variable="volume" form="roman" vertical-align="sup"/></if>
        <else-if variable="volume"><text variable="volume" quotes="true"/></else-if>
      </choose>
      <group delimiter=" ">
        <label variable="page" form="short"/>
        <text variable="page"/>
      </group>
      <number variable="edition" form="ordinal" suffix=" ed"/>
    </group>
  </macro>
  <citation><layout><text macro="who"/></layout></citation>
  <bibliography et-al-min="6" et-al-use-first="3">
    <sort><key macro="who"/><key variable="issued" sort="descending"/></sort>
    <layout suffix=".">
      <group delimiter=" ">
        <text macro="who"/>
        <text macro="when" prefix="(" suffix=")"/>
      </group>
      <choose>
        <if type="book report thesis" match="any">
          <text variable="title" font-style="italic" text-case="sentence" prefix=". "/>
        </if>
        <else-if type="article article-journal" variable="DOI" match="all">
          <text variable="title" quotes="true" prefix=". " text-decoration="underline"/>
        </else-if>
        <else-if position="first"><text variable="title" prefix=". [" suffix="]"/></else-if>
        <else-if variable="title" match="none"><text value="Untitled" prefix=". "/></else-if>
        <else><text variable="title" prefix=". " text-case="lowercase"/></else>
      </choose>
      <text macro="where"/>
      <group prefix=" " delimiter=": ">
        <text term="available at" text-case="capitalize-all"/>
        <text variable="URL"/>
      </group>
      <text variable="DOI" prefix=" https://doi.org/"/>
      <text variable="publisher" prefix=" " font-weight="light"/>
    </layout>
  </bibliography>
</style>
"""
"""A library style (``styles/everything.csl``) with what the packaged ones use least: name
parts, et-al and label elements, substitutes, localized dates with a date-part override,
``is-numeric`` and ``position`` tests, ``match`` of all three kinds, text cases, quotes and
every font attribute."""
