"""The term shards a save rewrites, packed side by side (``serve``).

A body save rewrites the term shards of the words whose counts moved, a dozen for a
paragraph, and packs each (``search.shards.pack_rows``: gzip, then base64): about 4 ms a
shard whatever the library's size, a fifth of a save's work at 20,000 notes. zlib lets go
of the interpreter's lock while it compresses, so the shards are packed over threads, one a
core, while the save waits (the same bytes: each shard is packed alone, as before). The
text goes to the job that writes the shard, once; a job run again packs it again.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from papernotes.search.shards import _packed_script as packed_script

__all__ = ["Packer", "Prepacked"]


class Prepacked:
    """A term shard's text (``packed_script(name, shard)``): made ahead by :class:`Packer`
    and given once, else made when asked."""

    __slots__ = ("_name", "_shard", "_text")

    def __init__(self, name: str, shard: dict[str, str]) -> None:
        self._name, self._shard = name, shard
        self._text: str | None = None

    def fill(self) -> None:
        """Make the text now (on a pool's thread)."""
        self._text = packed_script(self._name, self._shard)

    def __call__(self) -> str:
        text, self._text = self._text, None  # given once: not held with the kept shards
        return text if text is not None else packed_script(self._name, self._shard)


class Packer:
    """Threads that pack shards ahead, made when first needed (one less than the cores:
    the caller's thread packs too) and kept with the memo."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self.filled = 0
        """Texts made ahead (what a test counts)."""

    def ahead(self, shards: Sequence[Prepacked]) -> None:
        """Make the texts of ``shards`` now, over the threads and this one."""
        threads = min((os.cpu_count() or 1) - 1, len(shards) - 1, 3)
        if threads < 1:
            return  # one core or one shard: each is packed by its job, as before
        if self._pool is None:
            self._pool = ThreadPoolExecutor(threads, thread_name_prefix="papernotes-pack")
        # Every other shard to the pool, the rest here: the waits end together.
        sent = [self._pool.submit(s.fill) for s in shards[1::2]]
        for shard in shards[0::2]:
            shard.fill()
        for future in sent:
            future.result()
        self.filled += len(shards)
