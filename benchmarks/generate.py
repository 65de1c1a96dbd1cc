"""Generate a synthetic library of N notes (up to 50,000 and beyond) for benchmarks.

Each note is 3–4 KB of mixed Chinese and English: headings, a list, a table, inline and display
math, a code block, 0–8 front-matter cites of earlier notes and several inline [@key] citations.
The same ``n`` and ``seed`` always give the same bytes.

Authors and tags are shaped like a real library's, because the pages per author and per tag are
a large part of a site's weight: each note has one or two authors from a pool of about 3n names
(so most authors appear once, as in an imported bibliography) and zero to three from a small pool
of 180 frequent names; tags follow a Zipf-like law over 30 + n/100 tags.

    python benchmarks/generate.py 1000 /tmp/lib1000
"""

from __future__ import annotations

import argparse
import itertools
import random
from pathlib import Path

FAMILIES = [
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Smith",
    "García",
    "Müller",
    "Kim",
    "Tanaka",
    "Hu",
    "Shen",
    "Radford",
    "Brown",
    "Vaswani",
    "Devlin",
    "Ouyang",
    "Rafailov",
]
GIVEN = ["Wei", "Jie", "Ming", "Anna", "José", "Jan", "Min-jun", "Yuki", "Edward J.", "Alec"]
# The long tail's names: family x given x middle initials, built from an index (no list of
# 150,000 names is ever held).
_MORE_FAMILIES = """
    Zhao Huang Zhou Wu Xu Sun Ma Zhu Guo He Lin Luo Gao Zheng Liang Xie Song Tang Han Feng
    Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Cai Jiang Yu Du Ye Cheng Wei Su Lü Ding Ren
    Johnson Williams Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Lee
    Park Choi Sato Suzuki Ito Nakamura Schmidt Schneider Fischer Weber Rossi Dubois Silva
"""
_MORE_GIVEN = """
    Hao Lei Yang Xin Yue Jun Tao Fei Lin Qing Bo Rui Kai Yan Ning Peng Chao Hui
    John Mary David Sarah Michael Laura Daniel Emma Paul Sofia Lukas Marie Pierre Chiara
    Ji-woo Seo-yeon Haruto Sakura Ravi Priya Omar Fatima Ivan Olga
"""
TAIL_FAMILIES = [*FAMILIES, *_MORE_FAMILIES.split()]
TAIL_GIVEN = [*GIVEN, *_MORE_GIVEN.split()]
INITIALS = "ABCDEFGHJKLMNPRSTVWXYZ"
ZH = [
    "注意力机制",
    "预训练",
    "微调",
    "奖励模型",
    "强化学习",
    "低秩分解",
    "提示学习",
    "对齐",
    "指令跟随",
    "上下文学习",
    "参数高效",
    "知识蒸馏",
    "检索增强",
    "思维链",
]
EN = [
    "attention",
    "pre-training",
    "fine-tuning",
    "reward model",
    "policy gradient",
    "low-rank update",
    "prompt",
    "alignment",
    "scaling law",
    "in-context learning",
]
FREQUENT = [f"{g} {f}" for f in FAMILIES for g in GIVEN]
"""The small pool of prolific authors (180 names)."""


def tail_author(index: int) -> str:
    """The ``index``-th name of the long tail: distinct indices give distinct names."""
    index, family = divmod(index, len(TAIL_FAMILIES))
    index, given = divmod(index, len(TAIL_GIVEN))
    initials = []
    while index:  # 0: no initial; then one, then two, as the pool grows
        index, i = divmod(index - 1, len(INITIALS))
        initials.append(f"{INITIALS[i]}.")
    return " ".join([TAIL_GIVEN[given], *initials, TAIL_FAMILIES[family]])


def tag_count(n: int) -> int:
    """How many distinct tags a library of ``n`` notes draws from: 30 at 1,000 notes or fewer."""
    return 30 + max(0, n - 1000) // 100


def tag_weights(n: int) -> list[float]:
    """Cumulative Zipf weights of the tags: the first is common, the last rare."""
    return list(itertools.accumulate(1 / (k + 1) for k in range(tag_count(n))))


def paragraph(rng: random.Random, keys: list[str]) -> str:
    parts = []
    for _ in range(rng.randint(4, 7)):
        zh, en = rng.choice(ZH), rng.choice(EN)
        parts.append(f"{zh}（{en}）在这里的作用是把 **{en}** 与{rng.choice(ZH)}联系起来")
    if keys:
        parts.append(
            f"参见 [@{rng.choice(keys)}] 以及 [@{rng.choice(keys)}, p. {rng.randint(1, 9)}]"
        )
    return "，".join(parts) + "。The model uses $W_0 + BA$ with rank $r \\ll d$.\n"


def authors_of(rng: random.Random, n: int) -> list[str]:
    """One or two long-tail authors and zero to three frequent ones, in a shuffled order."""
    tail = [tail_author(rng.randrange(3 * max(n, 10))) for _ in range(rng.randint(1, 2))]
    frequent = [rng.choice(FREQUENT) for _ in range(rng.choice((0, 0, 1, 1, 2, 3)))]
    names = list(dict.fromkeys([*tail, *frequent]))  # the same name twice is one author
    rng.shuffle(names)
    return names


def note(i: int, rng: random.Random, keys: list[str], tags: list[str], weights: list[float]) -> str:
    key = keys[i]
    # Indices, not keys[:i]: slicing the earlier keys for every note is quadratic at 50,000.
    cites = [keys[j] for j in rng.sample(range(i), min(i, rng.randint(0, 8)))]
    chosen = list(dict.fromkeys(rng.choices(tags, cum_weights=weights, k=rng.randint(2, 4))))
    front = [
        "---",
        f"id: {key}",
        f'title: "Synthetic Paper {i}: {rng.choice(EN).title()} for {rng.choice(EN).title()}"',
        "authors:",
        *[f"  - {a}" for a in authors_of(rng, len(keys))],
        f"year: {2015 + i % 10}",
        f"venue: {rng.choice(['NeurIPS', 'ICML', 'ICLR', 'ACL', 'EMNLP'])} {2015 + i % 10}",
        f'arxiv: "{15 + i % 10:02d}{1 + i % 12:02d}.{10000 + i:05d}"',  # YYMM: a real month
        f"tags: [{', '.join(chosen)}]",
        f"status: {rng.choice(['read', 'reading', 'to-read'])}",
        f"rating: {rng.randint(1, 5)}",
        f"read: 2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
    ]
    if cites:
        front += ["cites:", *[f"  - {c}" for c in cites]]
    front.append("---")
    cite_pool = cites or keys[max(0, i - 3) : i]
    body = [
        "## 动机 Motivation",
        paragraph(rng, cite_pool),
        paragraph(rng, cite_pool),
        "## 方法 Method",
        paragraph(rng, cite_pool),
        "$$\n\\mathcal{L} = -\\log \\sigma\\left(\\beta \\log \\frac{\\pi(y_w|x)}{\\pi_{ref}(y_w|x)}\\right)\n$$",
        "- 第一步：收集数据\n- 第二步：训练 reward model\n- 第三步：PPO 优化",
        "| 模型 | 参数量 | 得分 |\n|---|---|---|\n| base | 110M | 80.1 |\n| large | 340M | 84.6 |",
        "```python\ndef lora(x, W0, A, B):\n    return W0 @ x + B @ (A @ x)\n```",
        "## 结果 Results",
        paragraph(rng, cite_pool),
        paragraph(rng, cite_pool),
    ]
    return "\n".join(front) + "\n\n" + "\n\n".join(body) + "\n"


def note_keys(n: int, rng: random.Random) -> list[str]:
    """The citekeys, which are also the file names: family name, year, and the note's number."""
    return [
        f"{rng.choice(FAMILIES).lower().replace('í', 'i').replace('ü', 'u')}{2015 + i % 10}p{i}"
        for i in range(n)
    ]


def generate(n: int, out: Path, seed: int = 1) -> list[Path]:
    """Write ``n`` notes into ``out/papers`` and a ``papernotes.yaml``; returns the notes' paths.

    Notes of an earlier, larger run in the same folder are left alone: use a fresh folder."""
    rng = random.Random(seed)
    keys = note_keys(n, rng)
    tags = [f"topic-{k:02d}" for k in range(tag_count(n))]
    weights = tag_weights(n)
    papers = out / "papers"
    papers.mkdir(parents=True, exist_ok=True)
    (out / "papernotes.yaml").write_text("title: Synthetic library\nlanguage: zh-CN\n", "utf-8")
    paths = []
    for i in range(n):
        path = papers / f"{keys[i]}.md"
        path.write_text(note(i, rng, keys, tags, weights), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.n, args.out, args.seed)


if __name__ == "__main__":
    main()
