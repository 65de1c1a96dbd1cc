"""What `papernotes add` accepts as a paper: a table of inputs and what they name."""

from __future__ import annotations

import pytest

from papernotes.fetch.ids import anthology_doi, parse_ref

CASES = [
    # arXiv ids, new and old style, with versions and prefixes
    ("2106.09685", "arxiv", "2106.09685", ""),
    ("2106.09685v2", "arxiv", "2106.09685", "v2"),
    ("arXiv:2305.18290", "arxiv", "2305.18290", ""),
    ("ARXIV:2305.18290v3", "arxiv", "2305.18290", "v3"),
    ("0710.2073", "arxiv", "0710.2073", ""),
    ("cs/0112017", "arxiv", "cs/0112017", ""),
    ("hep-th/9901001v1", "arxiv", "hep-th/9901001", "v1"),
    ("math.GT/0309136", "arxiv", "math.GT/0309136", ""),
    # arXiv URLs
    ("https://arxiv.org/abs/2106.09685", "arxiv", "2106.09685", ""),
    ("http://arxiv.org/abs/2106.09685v2", "arxiv", "2106.09685", "v2"),
    ("https://arxiv.org/pdf/2106.09685", "arxiv", "2106.09685", ""),
    ("https://arxiv.org/pdf/2106.09685v1.pdf", "arxiv", "2106.09685", "v1"),
    ("https://export.arxiv.org/abs/cs/0112017", "arxiv", "cs/0112017", ""),
    ("arxiv.org/abs/2305.18290", "arxiv", "2305.18290", ""),
    ("<https://arxiv.org/abs/2305.18290>", "arxiv", "2305.18290", ""),
    # arXiv's DataCite DOIs go to arXiv
    ("10.48550/arXiv.2106.09685", "arxiv", "2106.09685", ""),
    ("https://doi.org/10.48550/ARXIV.2106.09685", "arxiv", "2106.09685", ""),
    # DOIs
    ("10.18653/v1/2022.acl-long.26", "doi", "10.18653/v1/2022.acl-long.26", ""),
    ("doi:10.1038/nature14539", "doi", "10.1038/nature14539", ""),
    ("https://doi.org/10.1145/3442188.3445922", "doi", "10.1145/3442188.3445922", ""),
    ("https://dx.doi.org/10.1002/(SICI)1097-4571", "doi", "10.1002/(SICI)1097-4571", ""),
    ("http://doi.org/10.1000/a%2Fb", "doi", "10.1000/a/b", ""),
    # ACL Anthology URLs and ids become the Anthology's DOIs
    ("https://aclanthology.org/2022.acl-long.26/", "doi", "10.18653/v1/2022.acl-long.26", ""),
    ("https://aclanthology.org/2022.acl-long.26.pdf", "doi", "10.18653/v1/2022.acl-long.26", ""),
    ("https://aclanthology.org/N19-1423/", "doi", "10.18653/v1/N19-1423", ""),
    ("https://aclanthology.org/p19-1001", "doi", "10.18653/v1/P19-1001", ""),
    ("https://www.aclweb.org/anthology/P/P16/P16-1160.pdf", "doi", "10.18653/v1/P16-1160", ""),
    ("https://aclanthology.org/D14-1162", "doi", "10.3115/v1/D14-1162", ""),
    ("2023.findings-eacl.139", "doi", "10.18653/v1/2023.findings-eacl.139", ""),
    ("W18-2509", "doi", "10.18653/v1/W18-2509", ""),
]


@pytest.mark.parametrize(("text", "kind", "ident", "version"), CASES)
def test_parse_ref(text: str, kind: str, ident: str, version: str) -> None:
    ref = parse_ref(text)
    assert (ref.kind, ref.ident, ref.version) == (kind, ident, version)


def test_anthology_refs_remember_their_id() -> None:
    ref = parse_ref("https://aclanthology.org/2022.acl-long.26/")
    assert ref.anthology == "2022.acl-long.26"
    assert ref.label == "doi:10.18653/v1/2022.acl-long.26"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("hello", "is not an arXiv id"),
        ("2106.0968", "is not an arXiv id"),
        ("2113.09685", "is not an arXiv id"),  # month 13
        ("10.1000", "is not a DOI"),
        ("https://example.org/paper", "not an arXiv, doi.org or ACL Anthology address"),
        ("https://arxiv.org/list/cs.CL/new", "expected an arXiv abs or PDF address"),
        ("https://aclanthology.org/P02-1040/", "before 2013"),
    ],
)
def test_bad_identifiers_say_why_in_one_line(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_ref(text)
    assert reason in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("ident", "doi"),
    [
        ("P19-1001", "10.18653/v1/P19-1001"),
        ("N19-1423", "10.18653/v1/N19-1423"),
        ("D15-1166", "10.18653/v1/D15-1166"),
        ("P13-1041", "10.3115/v1/P13-1041"),
        ("2022.acl-long.26", "10.18653/v1/2022.acl-long.26"),
        ("2020.ACL-main.703", "10.18653/v1/2020.acl-main.703"),
    ],
)
def test_anthology_doi_forms(ident: str, doi: str) -> None:
    assert anthology_doi(ident) == doi
