"""A save through a serve session patches the search documents it shows and the search state
it stores at the notes whose documents moved: the same count of entries made in a library
four times as large, no pass of ``kept_docs`` or ``sizes_of`` over every note, and a state
equal to the one a session made from nothing stores."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_serve_flat import _library, _save_counts

from papernotes import plan
from papernotes.incremental import statememo
from papernotes.incremental.session import Session


def _passes(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Notes gone through by the full passes (``kept_docs``, ``sizes_of``), by name."""
    seen: dict[str, int] = {}
    for module, name in ((plan, "kept_docs"), (statememo, "kept_docs"), (statememo, "sizes_of")):
        whole = getattr(module, name)

        def counted(docs: object, *args: object, _whole=whole, _name=name) -> object:
            seen[_name] = seen.get(_name, 0) + len(docs)  # type: ignore[arg-type]
            return _whole(docs, *args)

        monkeypatch.setattr(module, name, counted)
    return seen


@pytest.mark.parametrize("n", [30])
def test_a_body_save_patches_the_documents_shown_and_the_state_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    passes = _passes(monkeypatch)
    counts = []
    for name, size in (("small", n), ("large", 4 * n)):
        made = _save_counts(_library(tmp_path / name / "lib", size))
        counts.append((made.get("shown-doc"), made.get("state-doc")))
    assert counts[0] == counts[1] == (1, 1), counts
    # The first build of each session went through every note; the saves, none.
    assert passes == {"kept_docs": n + 4 * n, "sizes_of": n + 4 * n}, passes


def test_the_state_a_save_stores_is_the_one_made_from_nothing(tmp_path: Path) -> None:
    lib = _library(tmp_path / "lib", 24)
    _save_counts(lib)  # two saves through a session, then a clean build beside it
    served = Session(lib, lib / "site")  # no objects left frozen for the tests after
    served.build(hold=True)
    for rel in ("n7.md", "n9.md"):
        path = lib / "papers" / rel
        path.write_text(path.read_text("utf-8") + "\nOn kernels, again.\n", "utf-8")
        served.invalidate([str(path.resolve())])
        assert served.build().errors == 0
        assert served.made.get("state-doc") == 1
    shutil.copytree(lib / "papers", tmp_path / "again" / "papers")
    shutil.copy(lib / "papernotes.yaml", tmp_path / "again" / "papernotes.yaml")
    fresh = Session(tmp_path / "again", tmp_path / "again" / "site")
    fresh.build(hold=True)
    kept, made = served._warm.cache, fresh._warm.cache
    assert kept is not None and made is not None and made.search is not None
    assert kept.search == made.search
    assert len(made.search.sizes) == len(made.search.keys) == 24
