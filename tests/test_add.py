"""`papernotes add`: recorded answers in, notes that build cleanly and export the publishers'
records out; every network failure one line, exit 1, nothing written."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fetch_replay import FIXTURES, Replay, fixture
from pybtex.database import Person, parse_string

from papernotes.bib.export import parse_person
from papernotes.cli import fetch as cli_fetch
from papernotes.fetch.http import CACHE_DIR
from papernotes.notes.citekeys import arxiv_year, make_key, title_word

from conftest import write_note


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Replay:
    r = Replay()
    monkeypatch.setattr(cli_fetch, "http_factory", r.factory())
    return r


@pytest.fixture
def lib(tmp_path: Path, cli) -> Path:
    root = tmp_path / "lib"
    assert cli("init", str(root)).code == 0
    return root


def notes_in(root: Path) -> list[str]:
    return sorted(p.relative_to(root / "papers").as_posix() for p in (root / "papers").rglob("*"))


# The "done when" ---------------------------------------------------------------------


def _unbrace(text: str) -> str:
    return " ".join(text.replace("{", "").replace("}", "").split())


def _people(persons: list[Person]) -> list[tuple[str, str]]:
    return [
        (_unbrace(" ".join(p.first_names + p.middle_names)), _unbrace(" ".join(p.last_names)))
        for p in persons
    ]


def _field(fields, name: str) -> str:
    value = fields.get(name, "")
    return (
        _unbrace(value).replace("–", "--").casefold()
        if name == "doi"
        else _unbrace(value).replace("–", "--")
    )


def assert_matches_record(ours_text: str, key: str, record_file: str, fields: list[str]) -> None:
    ours = parse_string(ours_text, "bibtex").entries[key]
    [record] = parse_string(fixture("records", record_file), "bibtex").entries.values()
    assert ours.type == record.type
    assert _people(ours.persons["author"]) == _people(record.persons["author"])
    for name in fields:
        assert name in record.fields, name
        assert _field(ours.fields, name) == _field(record.fields, name), name


def test_lora_glm_dpo_build_cleanly_and_export_the_publishers_records(
    lib: Path, cli, replay: Replay
) -> None:
    result = cli(
        "add",
        "--root",
        str(lib),
        "2106.09685",
        "https://aclanthology.org/2022.acl-long.26/",
        "https://arxiv.org/abs/2305.18290",
    )
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "papers/hu2021lora.md",
        "papers/du2021glm.md",
        "papers/rafailov2023direct.md",
    ]
    built = cli("build", "--root", str(lib), "--strict")
    assert built.code == 0, built.err
    assert "0 warnings, 0 errors" in built.out and built.err == ""
    exported = cli("bib", "--root", str(lib))
    assert exported.code == 0
    arxiv_fields = ["title", "year", "eprint", "archivePrefix", "primaryClass", "url"]
    assert_matches_record(exported.out, "hu2021lora", "lora.arxiv.bib", arxiv_fields)
    assert_matches_record(exported.out, "rafailov2023direct", "dpo.arxiv.bib", arxiv_fields)
    assert_matches_record(
        exported.out,
        "du2021glm",
        "glm.crossref.bib",
        ["title", "year", "booktitle", "pages", "doi", "publisher"],
    )


def test_the_note_has_full_front_matter_and_a_skeleton(lib: Path, cli, replay: Replay) -> None:
    assert cli("add", "--root", str(lib), "2106.09685", "-q").code == 0
    text = (lib / "papers" / "hu2021lora.md").read_text(encoding="utf-8")
    assert text.startswith("---\nid: hu2021lora\n")
    assert 'title: "LoRA: Low-Rank Adaptation of Large Language Models"' in text
    assert 'arxiv: "2106.09685"' in text  # quoted: unquoted, YAML may read a number
    assert "  - Edward J. Hu\n" in text and "year: 2021\n" in text
    assert "pdf: https://arxiv.org/pdf/2106.09685\n" in text
    assert "status: to-read\n" in text
    assert "abstract: >-\n  An important paradigm" in text
    assert "cites:\n  - vaswani2017attention\n" in text  # the only referenced note in the library
    assert "\n## Method\n" in text and text.endswith("## Notes to self\n")


def test_glm_by_doi_gets_its_arxiv_id_abstract_and_proceedings(
    lib: Path, cli, replay: Replay
) -> None:
    assert cli("add", "--root", str(lib), "10.18653/v1/2022.acl-long.26").code == 0
    text = (lib / "papers" / "du2021glm.md").read_text(encoding="utf-8")
    for line in (
        "type: inproceedings",
        'arxiv: "2103.10360"',
        "doi: 10.18653/v1/2022.acl-long.26",
        "url: https://aclanthology.org/2022.acl-long.26",
        "pdf: https://aclanthology.org/2022.acl-long.26.pdf",
        "  pages: 320--335",
        "  publisher: Association for Computational Linguistics",
        "  address: Dublin, Ireland",
    ):
        assert line in text, line
    assert "abstract: >-\n  There have been various types" in text


def test_a_chinese_library_gets_chinese_headings(tmp_path: Path, cli, replay: Replay) -> None:
    root = tmp_path / "zh"
    (root / "papers").mkdir(parents=True)
    (root / "papernotes.yaml").write_text("language: zh-CN\n", encoding="utf-8")
    assert cli("add", "--root", str(root), "2305.18290").code == 0
    assert "\n## 方法\n" in (root / "papers" / "rafailov2023direct.md").read_text(encoding="utf-8")


def test_several_arxiv_ids_take_one_arxiv_request(lib: Path, cli, replay: Replay) -> None:
    assert cli("add", "--root", str(lib), "--no-cites", "2106.09685", "2305.18290").code == 0
    assert replay.hosts() == ["export.arxiv.org"]


# Published versions ------------------------------------------------------------------------


def test_an_arxiv_paper_with_a_doi_takes_the_published_venue(lib: Path, cli, replay) -> None:
    assert cli("add", "--root", str(lib), "0710.2073").code == 0
    text = (lib / "papers" / "popolitov2007coincidence.md").read_text(encoding="utf-8")
    assert "type: article\nvenue: JETP Letters\n" in text
    assert 'arxiv: "0710.2073"' in text and "doi: 10.1134/s0021364007210011" in text
    assert '  volume: "86"' in text and "  pages: 559--561" in text


def test_a_journal_reference_alone_becomes_the_venue(
    lib: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = re.sub(r"\s*<arxiv:doi .*?</arxiv:doi>", "", fixture("arxiv", "0710.2073.xml"))
    replay = Replay(overrides={"export.arxiv.org": lambda r: httpx.Response(200, text=feed)})
    monkeypatch.setattr(cli_fetch, "http_factory", replay.factory())
    assert cli("add", "--root", str(lib), "--no-cites", "0710.2073").code == 0
    text = (lib / "papers" / "popolitov2007coincidence.md").read_text(encoding="utf-8")
    assert "venue: JETP Lett.86:559-561,2008\n" in text and "year: 2008\n" in text
    assert "api.crossref.org" not in replay.hosts()


# Never overwrite; already there ------------------------------------------------------------


def test_dry_run_prints_and_writes_nothing(lib: Path, cli, replay: Replay) -> None:
    before = notes_in(lib)
    result = cli("add", "--root", str(lib), "--dry-run", "2106.09685")
    assert result.code == 0
    assert result.out.startswith("would write papers/hu2021lora.md:\n---\nid: hu2021lora\n")
    assert notes_in(lib) == before


def test_same_arxiv_id_is_found_without_a_request(lib: Path, cli, replay: Replay) -> None:
    write_note(lib, "mine/lora.md", '---\nid: myLoRA\ntitle: X\nauthors: [A B]\nyear: 2021\n'
               'arxiv: "2106.09685v1"\n---\n')  # fmt: skip
    result = cli("add", "--root", str(lib), "https://arxiv.org/abs/2106.09685v2")
    assert result.code == 0
    assert result.out.strip() == (
        "https://arxiv.org/abs/2106.09685v2: already in the library as myLoRA "
        "(papers/mine/lora.md: same arXiv id 2106.09685)"
    )
    assert replay.requests == []


def test_same_doi_is_found(lib: Path, cli, replay: Replay) -> None:
    write_note(lib, "glm.md", "---\ntitle: G\nauthors: [A B]\nyear: 2022\n"
               "doi: https://doi.org/10.18653/V1/2022.ACL-LONG.26\n---\n")  # fmt: skip
    result = cli("add", "--root", str(lib), "https://aclanthology.org/2022.acl-long.26/")
    assert "already in the library as glm" in result.out and "same DOI" in result.out
    assert replay.requests == []


def test_near_identical_title_is_found_after_fetching(lib: Path, cli, replay: Replay) -> None:
    write_note(lib, "lora-notes.md", "---\ntitle: 'Lora: low-rank adaptation of large language "
               "models.'\nauthors: [A B]\nyear: 2022\n---\n")  # fmt: skip
    result = cli("add", "--root", str(lib), "2106.09685")
    assert result.code == 0
    assert (
        'near-identical title "Lora: low-rank adaptation of large language models."' in result.out
    )
    assert not (lib / "papers" / "hu2021lora.md").exists()


def test_a_taken_key_gets_a_suffix(lib: Path, cli, replay: Replay) -> None:
    write_note(lib, "other.md", "---\nid: HU2021LORA\ntitle: Something else\nauthors: [A B]\n"
               "year: 2021\n---\n")  # fmt: skip
    assert cli("add", "--root", str(lib), "--no-cites", "2106.09685").out == (
        "papers/hu2021lorab.md\n"
    )


def test_never_overwrites_a_file(lib: Path, cli, replay: Replay) -> None:
    target = lib / "papers" / "hu2021lora.md"
    # Broken front matter: not a note (text with no front matter is one now, a quick note).
    mine = "---\nnot: [a note, but mine\n"
    target.write_text(mine, encoding="utf-8")
    result = cli("add", "--root", str(lib), "--no-cites", "2106.09685")
    assert result.code == 1
    assert "already exists; papernotes never overwrites a note" in result.err
    assert target.read_text(encoding="utf-8") == mine
    assert not [p for p in (lib / "papers").iterdir() if p.name.startswith(".")]


# Cache and --offline -----------------------------------------------------------------------


def test_running_twice_sends_no_request_the_second_time(
    lib: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Replay()
    monkeypatch.setattr(cli_fetch, "http_factory", first.factory())
    assert cli("add", "--root", str(lib), "10.18653/v1/2022.acl-long.26").code == 0
    assert first.requests
    (lib / "papers" / "du2021glm.md").unlink()

    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"sent {request.url}")

    second = Replay(overrides={"": refuse})
    monkeypatch.setattr(cli_fetch, "http_factory", second.factory())
    result = cli("add", "--root", str(lib), "10.18653/v1/2022.acl-long.26")
    assert result.code == 0, result.err
    assert second.requests == []
    offline = cli("add", "--root", str(lib), "--offline", "--dry-run", "2022.acl-long.26")
    assert offline.code == 0 and "already in the library" in offline.out


def test_offline_says_what_is_missing(lib: Path, cli, replay: Replay) -> None:
    result = cli("add", "--root", str(lib), "--offline", "2106.09685")
    assert result.code == 1
    assert result.err == (
        "papernotes: error: 2106.09685: arXiv: not in the cache and --offline is set: GET "
        "https://export.arxiv.org/api/query?id_list=2106.09685&max_results=1 "
        "(run once without --offline to fetch it)\n"
    )
    assert replay.requests == [] and not (lib / CACHE_DIR).exists()


# Every failure: one line, exit 1, nothing written -------------------------------------------


def _raise(exc_type: type[Exception], message: str):
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type(message)

    return handler


FAILURES = [
    (
        "no network",
        "2106.09685",
        {"": _raise(httpx.ConnectError, "[Errno -3] Temporary failure in name resolution")},
        "2106.09685: arXiv: cannot connect to export.arxiv.org",
    ),
    ("unknown arXiv id", "2501.99999", {}, "unknown arXiv id 2501.99999: arXiv has no such paper"),
    (
        "arXiv error entry with HTTP 200",
        "2106.09685",
        {"export.arxiv.org": lambda r: httpx.Response(200, text=fixture("arxiv", "error.xml"))},
        "arXiv: incorrect id format for 1234.12345",
    ),
    (
        "rate-limited",
        "2106.09685",
        {"": lambda r: httpx.Response(429, headers={"Retry-After": "1"})},
        "rate-limited by export.arxiv.org (HTTP 429); gave up after 4 tries",
    ),
    (
        "malformed XML",
        "2106.09685",
        {"export.arxiv.org": lambda r: httpx.Response(200, text=fixture("arxiv", "truncated.xml"))},
        "arXiv: malformed answer: not valid XML",
    ),
    (
        "malformed JSON",
        "10.18653/v1/2022.acl-long.26",
        {"api.crossref.org": lambda r: httpx.Response(200, text='{"status":"ok","mess')},
        "Crossref: malformed answer: not valid JSON",
    ),
    (
        "truncated body",
        "10.18653/v1/2022.acl-long.26",
        {
            "api.crossref.org": lambda r: httpx.Response(
                200, headers={"Content-Length": "2048"}, content=b'{"status":"ok"'
            )
        },
        "Crossref: the answer from api.crossref.org was cut off (14 of 2048 bytes)",
    ),
    (
        "timeout",
        "10.18653/v1/2022.acl-long.26",
        {"": _raise(httpx.ReadTimeout, "timed out")},
        "Crossref: api.crossref.org did not answer within 20 s; gave up after 4 tries",
    ),
    (
        "unknown DOI",
        "10.9999/no.such.paper",
        {},
        "unknown DOI 10.9999/no.such.paper: neither Crossref nor doi.org knows it",
    ),
    (
        "Anthology paper without a DOI",
        "https://aclanthology.org/2016.lilt-13.1/",
        {},
        "ACL Anthology paper 2016.lilt-13.1: its DOI 10.18653/v1/2016.lilt-13.1 is not registered",
    ),
    ("not an identifier", "attention-is-all-you-need", {}, "is not an arXiv id"),
]


@pytest.mark.parametrize(
    ("what", "ident", "overrides", "message"), FAILURES, ids=[f[0] for f in FAILURES]
)
def test_each_failure_is_one_line_exit_1_and_nothing_written(
    lib: Path, cli, monkeypatch: pytest.MonkeyPatch, what, ident, overrides, message
) -> None:
    replay = Replay(overrides=overrides)
    monkeypatch.setattr(cli_fetch, "http_factory", replay.factory())
    before = notes_in(lib)
    result = cli("add", "--root", str(lib), ident)
    assert result.code == 1
    assert result.err.count("\n") == 1, result.err
    assert result.err.startswith(f"papernotes: error: {ident}: ")
    assert message in result.err
    assert result.out == ""
    assert notes_in(lib) == before
    cached = list((lib / CACHE_DIR).rglob("*.json")) if (lib / CACHE_DIR).exists() else []
    assert all("acl-long" not in p.read_text() for p in cached if "malformed" in what)


def test_semantic_scholar_down_is_a_warning_and_the_note_is_written(
    lib: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    replay = Replay(overrides={"semanticscholar": lambda r: httpx.Response(503)})
    monkeypatch.setattr(cli_fetch, "http_factory", replay.factory())
    result = cli("add", "--root", str(lib), "2106.09685")
    assert result.code == 0
    assert result.out == "papers/hu2021lora.md\n"
    assert "papernotes: warning: 2106.09685: cites: left empty" in result.err
    assert "cites:" not in (lib / "papers" / "hu2021lora.md").read_text(encoding="utf-8")


def test_one_bad_id_does_not_stop_the_others(lib: Path, cli, replay: Replay) -> None:
    result = cli("add", "--root", str(lib), "--no-cites", "nonsense", "2305.18290")
    assert result.code == 1
    assert result.out == "papers/rafailov2023direct.md\n"
    assert "papernotes: error: nonsense:" in result.err
    assert "1 of 2 done" in result.err


# The citekey scheme ---------------------------------------------------------------------------

KEYS = [
    ("Edward J. Hu", 2021, "LoRA: Low-Rank Adaptation of Large Language Models", "hu2021lora"),
    ("Xiao Liu", 2021, "P-Tuning: Prompt Tuning Can Be Comparable", "liu2021ptuning"),
    ("Xiang Lisa Li", 2021, "Prefix-Tuning: Optimizing Continuous Prompts", "li2021prefix"),
    ("Brian Lester", 2021, "The Power of Scale for Parameter-Efficient", "lester2021power"),
    ("{THUDM}", 2023, "ChatGLM-6B: An Open Bilingual Dialogue Model", "thudm2023chatglm"),
    ("Tom B. Brown", 2020, "Language Models are Few-Shot Learners", "brown2020language"),
    (
        "Houlsby, Neil",
        2019,
        "Parameter-Efficient Transfer Learning for NLP",
        "houlsby2019parameter",
    ),
    ("Jörg Müller", 2020, "Über alles", "muller2020uber"),
    ("Łukasz Kaiser", 2017, "On the Attention", "kaiser2017attention"),
    ("Rens van de Schoot", 2019, "Towards an Open Source", "schoot2019open"),
    ("Zeyuan Allen-Zhu", 2019, "A Convergence Theory", "allenzhu2019convergence"),
    ("杨植麟", 2023, "GLM-130B", "yang2023glm"),
    ("曾国藩", 1865, "家书", "zeng1865jiashu"),
    ("欧阳修", 2000, "大语言模型综述", "ouyang2000dayu"),
    ("田中 英輝", 2020, "Via Tokyo", "tianzhong2020tokyo"),
    ("김철수", 2020, "Korean NLP", "gim2020korean"),
    ("Иван Петров", 2020, "Towards Russian NLP", "petrov2020russian"),
    ("محمد علي", 2020, "An Arabic NLP", "anon2020arabic"),
]


@pytest.mark.parametrize(("author", "year", "title", "key"), KEYS)
def test_citekey_scheme(author: str, year: int, title: str, key: str) -> None:
    assert make_key((parse_person(author),), year, title) == key


def test_citekeys_are_unique_ignoring_case() -> None:
    taken = {"Hu2021LoRA", "hu2021lorab"}
    author = (parse_person("Edward J. Hu"),)
    assert make_key(author, 2021, "LoRA", taken) == "hu2021lorac"
    assert make_key((), 2021, "", ()) == "anon2021"


def test_key_year_is_arxiv_v1_year() -> None:
    assert arxiv_year("2106.09685") == 2021
    assert arxiv_year("cs/0112017") == 2001 and arxiv_year("hep-th/9901001") == 1999
    assert title_word("A Survey on the of") == "survey"


def test_fixtures_are_present() -> None:
    assert (FIXTURES / "arxiv" / "2106.09685.xml").is_file()


def test_progress_bar_only_on_a_terminal_and_not_with_quiet(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from papernotes.cli.fetch import _progress

    with _progress(10, "adding", quiet=False) as step:  # not a terminal under pytest
        step("x")
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    with _progress(10, "adding", quiet=True) as step:
        step("x")
    with _progress(3, "adding", quiet=False) as step:  # a few steps: no bar
        step("x")
    assert capsys.readouterr().err == ""
    with _progress(5, "adding", quiet=False) as step:
        for i in range(5):
            step(str(i))
