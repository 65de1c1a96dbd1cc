"""Reading the APIs' answers: arXiv Atom, Crossref works JSON, CSL-JSON, Semantic Scholar."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from fetch_replay import Replay, fixture, json_response

from papernotes.fetch.arxiv import fetch_arxiv, parse_feed, query_url
from papernotes.fetch.crossref import UnknownDOI, fetch_work, parse_crossref, parse_csl
from papernotes.fetch.http import Answer, FetchError
from papernotes.fetch.s2 import fetch_paper, fetch_references, paper_id


def answer(text: str, status: int = 200) -> Answer:
    return Answer("https://example.org/", status, text)


# arXiv ------------------------------------------------------------------------------------


def test_arxiv_entry_fields() -> None:
    [lora] = parse_feed(answer(fixture("arxiv", "2106.09685.xml"))).values()
    assert lora.ident == "2106.09685" and lora.version == "v2"
    assert lora.title == "LoRA: Low-Rank Adaptation of Large Language Models"
    assert lora.authors[0] == "Edward J. Hu" and lora.authors[-1] == "Weizhu Chen"
    assert len(lora.authors) == 8
    assert lora.published == dt.date(2021, 6, 17) and lora.updated == dt.date(2021, 10, 16)
    assert lora.primary_category == "cs.CL"
    assert lora.summary.startswith("An important paradigm of natural language processing")
    assert "\n" not in lora.summary and "  " not in lora.summary
    assert lora.comment.startswith("Draft V2") and lora.doi == "" and lora.journal_ref == ""
    assert lora.pdf_url == "https://arxiv.org/pdf/2106.09685"


def test_arxiv_title_is_unwrapped() -> None:
    [dpo] = parse_feed(answer(fixture("arxiv", "2305.18290.xml"))).values()
    assert dpo.title == (
        "Direct Preference Optimization: Your Language Model is Secretly a Reward Model"
    )


def test_arxiv_published_version_fields() -> None:
    [rec] = parse_feed(answer(fixture("arxiv", "0710.2073.xml"))).values()
    assert rec.doi == "10.1134/S0021364007210011"
    assert rec.journal_ref == "JETP Lett.86:559-561,2008"
    assert rec.primary_category == "hep-th"


def test_arxiv_error_entry_sent_with_http_200_is_a_failure() -> None:
    with pytest.raises(FetchError) as err:
        parse_feed(answer(fixture("arxiv", "error.xml")))
    assert str(err.value) == "arXiv: incorrect id format for 1234.12345"


def test_arxiv_empty_result_is_no_record() -> None:
    assert parse_feed(answer(fixture("arxiv", "empty.xml"))) == {}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (fixture("arxiv", "truncated.xml"), 200, "arXiv: malformed answer: not valid XML"),
        ("<html><body>Oops</body></html>", 200, "expected an Atom feed"),
        ("Rate exceeded.", 200, "arXiv: rate limit exceeded"),
        ("", 400, "arXiv: the API answered HTTP 400"),
    ],
)
def test_arxiv_unusable_answers(body: str, status: int, message: str) -> None:
    with pytest.raises(FetchError) as err:
        parse_feed(answer(body, status))
    assert message in str(err.value)


def test_arxiv_ids_are_looked_up_in_one_request() -> None:
    replay = Replay()
    found = fetch_arxiv(replay.http(), ["2106.09685", "2305.18290", "2501.99999"])
    assert sorted(found) == ["2106.09685", "2305.18290"]
    assert len(replay.requests) == 1
    assert replay.requests[0].url == httpx.URL(
        query_url(["2106.09685", "2305.18290", "2501.99999"])
    )
    assert "max_results=3" in str(replay.requests[0].url)


# Crossref and CSL-JSON ----------------------------------------------------------------------


def test_crossref_glm_record() -> None:
    work = parse_crossref(answer(fixture("crossref", "10.18653_v1_2022.acl-long.26.json")))
    assert work is not None
    assert work.entry_type == "inproceedings" and work.source == "Crossref"
    assert (
        work.title == "GLM: General Language Model Pretraining with Autoregressive Blank Infilling"
    )
    assert [a.family for a in work.authors] == ["Du", "Qian", "Liu", "Ding", "Qiu", "Yang", "Tang"]
    assert work.authors[0].given == "Zhengxiao"
    assert work.year == 2022 and work.pages == "320-335"
    assert work.container.startswith("Proceedings of the 60th Annual Meeting")
    assert work.publisher == "Association for Computational Linguistics"
    assert work.event_location == "Dublin, Ireland"
    assert work.url == "https://aclanthology.org/2022.acl-long.26"


def test_crossref_journal_record() -> None:
    work = parse_crossref(answer(fixture("crossref", "10.1134_S0021364007210011.json")))
    assert work is not None
    assert (work.entry_type, work.container, work.volume, work.issue) == (
        "article",
        "JETP Letters",
        "86",
        "9",
    )
    assert "σ-model" in work.title


def test_crossref_404_is_unknown_and_bad_json_is_malformed() -> None:
    assert parse_crossref(answer("Resource not found.", 404)) is None
    with pytest.raises(FetchError) as err:
        parse_crossref(answer('{"status":"ok","message-type":"work","message":{"tit'))
    assert str(err.value).startswith("Crossref: malformed answer: not valid JSON")
    with pytest.raises(FetchError, match="no work record"):
        parse_crossref(answer('{"status":"ok","message-type":"work-list","message":{}}'))


def test_csl_json_record() -> None:
    work = parse_csl(answer(fixture("csl", "10.5438_0000-0c2g.json")))
    assert work is not None
    assert (work.title, work.year, work.publisher, work.entry_type) == (
        "Cool DOI's",
        2016,
        "DataCite",
        "techreport",
    )
    assert work.authors[0].family == "Fenner" and work.source == "doi.org"


def test_csl_markup_and_list_forms() -> None:
    text = (
        '[{"type":"article-journal","title":["The <i>E. coli</i> &amp; me"],'
        '"author":[{"literal":"The ATLAS Collaboration"}],'
        '"container-title":"Nature","issued":{"date-parts":[["2015","5"]]},'
        '"abstract":"<jats:p>Deep learning.</jats:p>"}]'
    )
    work = parse_csl(answer(text))
    assert work is not None
    assert work.title == "The E. coli & me" and work.year == 2015
    assert work.authors[0].literal == "The ATLAS Collaboration"
    assert work.abstract == "Deep learning."


def test_a_doi_crossref_does_not_know_falls_back_to_content_negotiation() -> None:
    replay = Replay()
    work = fetch_work(replay.http(), "10.5438/0000-0C2G")
    assert work.source == "doi.org"
    assert replay.hosts() == ["api.crossref.org", "doi.org"]
    csl = replay.requests[1]
    assert csl.headers["Accept"] == "application/vnd.citationstyles.csl+json"


def test_unknown_doi() -> None:
    with pytest.raises(UnknownDOI) as err:
        fetch_work(Replay().http(), "10.9999/nothing")
    assert str(err.value) == "unknown DOI 10.9999/nothing: neither Crossref nor doi.org knows it"


# Semantic Scholar ---------------------------------------------------------------------------


def test_paper_id_prefers_arxiv() -> None:
    assert paper_id("2106.09685", "10.1/x") == "arXiv:2106.09685"
    assert paper_id(None, "10.1/x") == "DOI:10.1/x"
    assert paper_id(None, None) is None


def test_s2_references() -> None:
    replay = Replay()
    refs = fetch_references(replay.http(), "arXiv:2106.09685")
    assert refs is not None and len(refs) == 7
    assert refs[0].arxiv == "1902.00751" and refs[0].title.startswith("Parameter-Efficient")
    assert refs[1].doi == "10.18653/v1/2021.acl-long.353"
    assert refs[5].arxiv == "" and refs[5].title.startswith("Adam")  # paperId null
    url = str(replay.requests[0].url)
    assert "/paper/arXiv:2106.09685/references?" in url and "externalIds" in url


def test_s2_pages_follow_next() -> None:
    page = {"citedPaper": {"paperId": "a", "externalIds": {"ArXiv": "1"}, "title": "One"}}
    replay = Replay(
        overrides={
            "offset=0": lambda r: json_response(200, {"offset": 0, "next": 1000, "data": [page]}),
            "offset=1000": lambda r: json_response(200, {"offset": 1000, "data": [page]}),
        }
    )
    refs = fetch_references(replay.http(), "arXiv:2106.09685")
    assert refs is not None and len(refs) == 2 and len(replay.requests) == 2


def test_s2_unknown_paper_and_api_key_header() -> None:
    replay = Replay()
    assert fetch_references(replay.http(), "arXiv:0710.2073", api_key="k") is None
    assert replay.requests[0].headers["x-api-key"] == "k"
    found = fetch_paper(replay.http(), "DOI:10.18653/v1/2022.acl-long.26")
    assert found is not None and found.arxiv == "2103.10360"


def test_s2_refused_key_and_malformed_answers() -> None:
    replay = Replay(
        overrides={"references": lambda r: json_response(403, {"message": "Forbidden"})}
    )
    with pytest.raises(FetchError, match="check S2_API_KEY"):
        fetch_references(replay.http(), "arXiv:2106.09685")
    broken = Replay(overrides={"references": lambda r: httpx.Response(200, text='{"data": [')})
    with pytest.raises(FetchError, match="malformed answer: not valid JSON"):
        fetch_references(broken.http(), "arXiv:2106.09685")
