"""``papernotes init``: a new library that builds with no warnings."""

from __future__ import annotations

from pathlib import Path

from papernotes.atomic import create_new
from papernotes.config import CONFIG_FILE
from papernotes.errors import PapernotesError

__all__ = ["InitRefused", "init_library"]


class InitRefused(PapernotesError):
    """The folder already holds a library (or files init would overwrite)."""


CONFIG = """\
# papernotes configuration: every option is optional.
title: My paper notes
description: Reading notes on papers, with their citation graph.
author: ""
# Where the site will be published; used for feeds and the sitemap only.
base_url: ""
# The pages' language (en, zh-CN, ...).
language: en
# Let raw HTML in notes through (sanitised). Off: HTML shows as text.
allow_html: false
"""

EXAMPLE = """\
---
title: Attention Is All You Need
authors:
  - Ashish Vaswani
  - Noam Shazeer
  - Niki Parmar
  - Jakob Uszkoreit
  - Llion Jones
  - Aidan N. Gomez
  - Łukasz Kaiser
  - Illia Polosukhin
year: 2017
venue: NeurIPS 2017
arxiv: "1706.03762"
pdf: https://arxiv.org/pdf/1706.03762
code: https://github.com/tensorflow/tensor2tensor
tags: [transformer, attention]
status: read
rating: 5
read: 2024-01-15
cites:
  - arXiv:1409.0473
---

[TOC]

## Problem

Recurrent sequence models process tokens one after another, which limits parallelism and makes
long-range dependencies hard to learn.

## Method

The Transformer replaces recurrence with **self-attention**. Each layer computes scaled
dot-product attention over all positions:

$$
\\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right) V
$$

Attention over $n$ tokens costs $O(n^2 d)$ per layer but needs only $O(1)$ sequential steps.
It builds on additive attention for translation [@arXiv:1409.0473].

## Results

| Model | EN-DE BLEU | EN-FR BLEU |
|---|---|---|
| Transformer (base) | 27.3 | 38.1 |
| Transformer (big) | 28.4 | 41.8 |

## Notes to self

- [x] Read the paper
- [ ] Re-derive why the $\\sqrt{d_k}$ scaling keeps softmax gradients healthy
"""

GITIGNORE_LINE = "/site/"
CACHE_LINE = "/.papernotes/"
"""The response cache of ``add``/``link`` (``.papernotes/cache/http/``), never committed."""


def init_library(target: Path) -> list[Path]:
    """Create a library in ``target``; refuses to touch an existing library's files."""
    config = target / CONFIG_FILE
    papers = target / "papers"
    for existing in (config, papers):
        if existing.exists():
            raise InitRefused(f"{existing} already exists; init never overwrites a library")
    target.mkdir(parents=True, exist_ok=True)
    papers.mkdir()
    created = [config, papers / "vaswani2017attention.md"]
    # create_new, not write_text: a file that appeared since the check above is never replaced.
    create_new(config, CONFIG.encode("utf-8"))
    create_new(created[1], EXAMPLE.encode("utf-8"))
    gitignore = target / ".gitignore"
    block = f"# papernotes build output and response cache\n{GITIGNORE_LINE}\n{CACHE_LINE}\n"
    if not gitignore.exists():
        create_new(gitignore, block.encode("utf-8"))
        created.append(gitignore)
    else:
        lines = gitignore.read_text(encoding="utf-8").splitlines()
        missing = [line for line in (GITIGNORE_LINE, CACHE_LINE) if line not in lines]
        if missing:
            with gitignore.open("a", encoding="utf-8") as f:
                f.write("\n# papernotes build output and response cache\n")
                f.write("".join(f"{line}\n" for line in missing))
            created.append(gitignore)
    return created
