from __future__ import annotations

import subprocess
import sys

import pytest

from papernotes.cjk import has_cjk as is_cjk
from papernotes.model import Author, External, fold_target


@pytest.mark.parametrize(
    ("author", "display", "short"),
    [
        (Author("Hu", "Edward J."), "Edward J. Hu", "Hu"),
        (Author("杨植麟"), "杨植麟", "杨植麟"),
        (Author("李", "世民"), "李世民", "李"),
        (Author("Beethoven", "Ludwig", "van"), "Ludwig van Beethoven", "van Beethoven"),
        (Author("King", "Martin Luther", suffix="Jr."), "Martin Luther King, Jr.", "King"),
        (Author("OpenAI"), "OpenAI", "OpenAI"),
        # Family-first only when the family name (and the given name, if any) is CJK: a name
        # outside ASCII is not CJK for that, and an ASCII one never is.
        (Author("Müller", "Jürgen"), "Jürgen Müller", "Müller"),
        (Author("王", "Wei"), "Wei 王", "王"),
        (Author("Wang", "伟"), "伟 Wang", "Wang"),
        (Author("Dijk", particle="van"), "van Dijk", "van Dijk"),
    ],
)
def test_author_names(author: Author, display: str, short: str) -> None:
    assert author.display == display
    assert author.short == short


@pytest.mark.parametrize(
    ("target", "folded"),
    [
        ("Hu2021LoRA", "hu2021lora"),
        ("arXiv:2106.09685v2", "arxiv:2106.09685"),
        ("ARXIV: 2106.09685", "arxiv:2106.09685"),
        ("arXiv:cs/0112017v1", "arxiv:cs/0112017"),
        ("doi:10.18653/V1/2022.ACL-long.26", "doi:10.18653/v1/2022.acl-long.26"),
        ("Attention  Is All\tYou Need", "attention is all you need"),
    ],
)
def test_fold_target(target: str, folded: str) -> None:
    assert fold_target(target) == folded


def test_external_links() -> None:
    assert External("arxiv", "2106.09685").url == "https://arxiv.org/abs/2106.09685"
    assert External("doi", "10.1000/x").url == "https://doi.org/10.1000/x"
    assert External("doi", "10.1000/x").label == "doi:10.1000/x"


def test_is_cjk() -> None:
    assert is_cjk("注意力") and is_cjk("田中") and is_cjk("한국어") and is_cjk("カタカナ")
    assert not is_cjk("José García") and not is_cjk("（）")


def test_the_model_loads_no_markdown_parser() -> None:
    # A note holds text and extracted values; reading the model must not need the parser.
    code = (
        "import sys, papernotes.model\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('markdown_it', 'mdit_py_plugins'))\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""
