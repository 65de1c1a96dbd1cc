"""``add`` without the CLI: identifiers in, outcomes out, answers replayed from fixtures."""

from __future__ import annotations

import httpx
from fetch_replay import Replay

from papernotes.model import CiteKey
from papernotes.notes.add import Added, AddOptions, Failed, Present, add_papers
from papernotes.notes.file import check_note
from papernotes.notes.match import NoteIndex

OFFLINE_S2 = AddOptions(semantic_scholar=False)


def test_each_identifier_gets_one_outcome_in_order() -> None:
    replay = Replay()
    texts = ["2106.09685", "arXiv:2106.09685v1", "not an identifier"]
    seen: list[str] = []
    out = add_papers(
        texts,
        index=NoteIndex([]),
        papers_dir="papers",
        http=replay.http(),
        options=OFFLINE_S2,
        progress=seen.append,
    )
    assert seen == texts
    added, again, bad = out
    assert isinstance(added, Added)
    assert added.key.startswith("hu2021")
    assert added.path == f"papers/{added.key}.md"
    assert check_note(added.path, added.text) == ()
    assert "LoRA" in added.text
    assert isinstance(again, Present)  # the index learnt the first one
    assert again.match.key == added.key
    assert isinstance(bad, Failed)
    assert replay.hosts().count("export.arxiv.org") == 1  # all arXiv ids in one request
    assert "api.semanticscholar.org" not in replay.hosts()


def test_a_paper_the_library_has_is_present_without_a_fetch() -> None:
    replay = Replay()
    index = NoteIndex([(CiteKey("lora"), "papers/lora.md", "2106.09685", None, "LoRA")])
    [out] = add_papers(
        ["https://arxiv.org/abs/2106.09685"],
        index=index,
        papers_dir="papers",
        http=replay.http(),
        options=OFFLINE_S2,
    )
    assert isinstance(out, Present)
    assert (out.match.key, out.match.source) == ("lora", "papers/lora.md")
    assert replay.requests == []


def test_a_doi_is_drafted_from_its_record() -> None:
    [out] = add_papers(
        ["10.18653/v1/2022.acl-long.26"],
        index=NoteIndex([]),
        papers_dir="notes",
        http=Replay().http(),
        options=OFFLINE_S2,
    )
    assert isinstance(out, Added)
    assert out.path.startswith("notes/")
    assert "doi: 10.18653/v1/2022.acl-long.26" in out.text


def test_a_server_error_is_a_failure_not_an_exception() -> None:
    replay = Replay(overrides={"export.arxiv.org": lambda r: httpx.Response(503)})
    [out] = add_papers(
        ["2106.09685"],
        index=NoteIndex([]),
        papers_dir="papers",
        http=replay.http(),
        options=OFFLINE_S2,
    )
    assert isinstance(out, Failed)
    assert out.source == "2106.09685" and out.message
