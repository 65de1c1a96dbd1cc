"""Generate a synthetic library of N notes for benchmarks.

Each note is 3–4 KB of mixed Chinese and English: headings, a list, a table, inline and display
math, a code block, 0–8 front-matter cites and several inline [@key] citations; 30 tags.

    python benchmarks/generate.py 1000 /tmp/lib1000
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

TAGS = [f"topic-{i:02d}" for i in range(30)]
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


def note(i: int, rng: random.Random, keys: list[str]) -> str:
    key = keys[i]
    earlier = keys[:i]
    cites = rng.sample(earlier, min(len(earlier), rng.randint(0, 8)))
    authors = [f"{rng.choice(GIVEN)} {rng.choice(FAMILIES)}" for _ in range(rng.randint(1, 6))]
    front = [
        "---",
        f"id: {key}",
        f'title: "Synthetic Paper {i}: {rng.choice(EN).title()} for {rng.choice(EN).title()}"',
        "authors:",
        *[f"  - {a}" for a in authors],
        f"year: {2015 + i % 10}",
        f"venue: {rng.choice(['NeurIPS', 'ICML', 'ICLR', 'ACL', 'EMNLP'])} {2015 + i % 10}",
        f'arxiv: "{15 + i % 10:02d}{1 + i % 12:02d}.{10000 + i:05d}"',  # YYMM: a real month
        f"tags: [{', '.join(rng.sample(TAGS, 3))}]",
        f"status: {rng.choice(['read', 'reading', 'to-read'])}",
        f"rating: {rng.randint(1, 5)}",
        f"read: 2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
    ]
    if cites:
        front += ["cites:", *[f"  - {c}" for c in cites]]
    front.append("---")
    cite_pool = cites or earlier[-3:]
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


def generate(n: int, out: Path, seed: int = 1) -> None:
    """Write ``n`` notes into ``out/papers`` (replacing earlier generated notes)."""
    rng = random.Random(seed)
    keys = [
        f"{rng.choice(FAMILIES).lower().replace('í', 'i').replace('ü', 'u')}{2015 + i % 10}p{i}"
        for i in range(n)
    ]
    papers = out / "papers"
    papers.mkdir(parents=True, exist_ok=True)
    (out / "papernotes.yaml").write_text("title: Synthetic library\nlanguage: zh-CN\n", "utf-8")
    for i in range(n):
        (papers / f"{keys[i]}.md").write_text(note(i, rng, keys), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    generate(args.n, args.out)


if __name__ == "__main__":
    main()
