"""The plain text a body gives the reader's side of links: the sentence around each citation
(backlinks) and the first paragraph of the note and of each section (previews)."""

from __future__ import annotations

import pytest

from papernotes.markdown._types import Lead, Passage
from papernotes.markdown.context import CONTEXT_CHARS, LEAD_CHARS, fill, passage
from papernotes.markdown.extract import parse_body
from papernotes.markdown.factory import make_parser

MD = make_parser()
H = "\x00"


def _contexts(text: str) -> list[tuple[str, ...]]:
    body = parse_body(MD, text)
    return [
        (",".join(c.keys), *(astuple(c.context) if c.context else ("-",))) for c in body.citations
    ]


def astuple(p: Passage) -> tuple[str, str, str]:
    return (p.before, p.cited, p.after)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The sentence holding the citation, not its neighbours; the citation as a hole.
        (
            "First one. LoRA [@hu2021lora] freezes $W_0$. Last one.",
            [("hu2021lora", "LoRA ", f"({H}hu2021lora{H})", " freezes W_0.")],
        ),
        # Markdown syntax goes, link and emphasis text stays.
        (
            "See **bold** and [a link](https://x.org) for [[b|Bee]] now.",
            [("b", "See bold and a link for ", "Bee", " now.")],
        ),
        # A wikilink without alias is a hole (its label comes from the library).
        (
            "- item [[vaswani2017attention]]",
            [("vaswani2017attention", "item ", f"{H}vaswani2017attention{H}", "")],
        ),
        # Prefixes, locators and several keys, as the body shows them.
        (
            "As [see @a, p. 3; @b] said.",
            [("a,b", "As ", f"(see {H}a{H}, p. 3; {H}b{H})", " said.")],
        ),
        # Chinese sentences end at 。
        (
            "前一句。后来 [[hu2021lora|LoRA]] 出现了。再一句。",
            [("hu2021lora", "后来 ", "LoRA", " 出现了。")],
        ),
        # Two citations in one sentence: each gets its own emphasis, the same sentence.
        (
            "Both [[a]] and [[b]] count.",
            [
                ("a", "Both ", f"{H}a{H}", f" and {H}b{H} count."),
                ("b", f"Both {H}a{H} and ", f"{H}b{H}", " count."),
            ],
        ),
        # A link within the note cites nothing and has no context.
        ("Up to [[#Method]].", [("", "-")]),
    ],
)
def test_citation_context(text: str, expected: list[tuple[str, ...]]) -> None:
    assert _contexts(text) == expected


def test_a_paper_cited_again_keeps_only_its_first_passage() -> None:
    # A backlink quotes the first passage only: the later ones were most of a parsed note's
    # memory. A citation with one key not quoted yet keeps its passage.
    text = "One [@a]. Two [@a, p. 3]. Three [[a|A]]. Four [@a; @b]. Five [@b; @a]. Six [[a]]."
    got = [(",".join(c.keys), c.context is not None) for c in parse_body(MD, text).citations]
    assert got == [
        ("a", True),
        ("a", False),
        ("a", False),
        ("a,b", True),
        ("b,a", False),
        ("a", False),
    ]


def test_a_passage_is_made_only_for_a_citation_that_keeps_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from papernotes.markdown import extract

    made: list[int] = []

    def counted(text: str, start: int, end: int) -> Passage:
        made.append(start)
        return passage(text, start, end)

    monkeypatch.setattr(extract, "passage", counted)
    text = "One [@a]. Two [@a, p. 3].\n\nThree [[a|A]]. Four [@a; @b]. Five [@b; @a]. Six [[a]]."
    kept = [c.context for c in parse_body(MD, text).citations if c.context is not None]
    assert len(kept) == len(made) == 2


def test_long_sentence_is_trimmed_around_the_citation() -> None:
    words = " ".join(f"word{i}" for i in range(80))
    got = parse_body(MD, f"{words} [[key|K]] {words}.").citations[0].context
    assert got is not None
    assert got.cited == "K"
    assert got.before.startswith("…") and got.after.endswith("…")
    assert len(got.before + got.cited + got.after) <= CONTEXT_CHARS + 2
    assert got.before.endswith("word79 ") and got.after.startswith(" word0")


def test_trimming_never_cuts_a_hole_in_half() -> None:
    text = "x" * 150 + f" {H}averyveryverylongkeyname2021{H} y [[c|C]] " + "z " * 200
    start = text.index("[[")
    got = passage(text.replace("[[c|C]]", "C"), start, start + 1, limit=40)
    for part in (got.before, got.after):
        assert part.count(H) % 2 == 0, part


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Intro $x$ with [@a].\n\n## Method\n\nFirst.\n\nSecond.\n\n## Empty\n\n## Results\n\n- one\n- two\n",
            (
                Lead("", f"Intro x with ({H}a{H})."),
                Lead("h-method", "First."),
                Lead("h-results", "one"),
            ),
        ),
        ("## Only a heading\n", ()),
        # The body's first paragraph is the first anywhere; its section needs no copy of it.
        ("## A\n\nFirst.\n\n## B\n\nSecond.\n", (Lead("", "First."), Lead("h-b", "Second."))),
        ("![[fig.png]]\n\nReal text.", (Lead("", "Real text."),)),
    ],
)
def test_leads(text: str, expected: tuple[Lead, ...]) -> None:
    assert parse_body(MD, text).leads == expected


def test_lead_is_trimmed_at_a_word() -> None:
    (lead,) = parse_body(MD, "word " * 200).leads
    assert lead.text.endswith("word…") and len(lead.text) <= LEAD_CHARS + 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no holes", "no holes"),
        (f"({H}a{H}; {H}b{H})", "(A!; B!)"),
        (f"{H}a{H}", "A!"),
    ],
)
def test_fill(text: str, expected: str) -> None:
    assert fill(text, lambda key: key.upper() + "!") == expected
