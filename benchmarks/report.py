"""The issue's targets table, filled in from a run's results: pure functions of a results dict.

Results are a flat ``dict[str, float]`` (seconds, bytes, MiB, counts), so a run can be saved as
JSON and printed again; a key that is missing is a measure that was not run (``--only``), and
its row says so instead of passing or failing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

Results = Mapping[str, float]

SIZES = {"notes": 1000, "big": 5000, "huge": 50000}
"""The library sizes of the issue's table; a run states its own in the results."""


@dataclass(frozen=True, slots=True)
class Part:
    """One measured figure of a row and the bound it must meet."""

    text: str
    """The figure as printed, e.g. ``7.60 s = 3.80× Hugo's 2.00 s``."""
    ok: bool | None
    """Whether the figure meets its target; None when it cannot tell (no Hugo to compare)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the targets table."""

    measure: str
    """What is measured, worded as in the issue."""
    target: str
    """The issue's target, verbatim."""
    measured: str
    """The figures, or ``not measured``."""
    verdict: str
    """``pass``, ``fail``, or ``—`` when nothing failed but a figure is missing."""


def _n(value: float) -> str:
    return f"{value:,.0f}"


def seconds(value: float) -> str:
    """A duration the way people read it: ms below one second."""
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def size(value: float) -> str:
    """Bytes in KB (1,000) or MB, as the issue writes sizes."""
    return f"{value / 1e6:.2f} MB" if value >= 1e6 else f"{value / 1e3:.1f} KB"


def _row(
    measure: str, target: str, r: Results, parts: list[tuple[tuple[str, ...], Callable[[], Part]]]
) -> Row:
    """A row from its parts; a part is measured when every key it needs is in ``r``."""
    made = [make() if all(k in r for k in keys) else None for keys, make in parts]
    done = [p for p in made if p is not None]
    if not done:
        return Row(measure, target, "not measured", "—")
    if any(p.ok is False for p in done):
        verdict = "fail"
    else:
        verdict = "—" if None in made or any(p.ok is None for p in done) else "pass"
    text = " / ".join("not measured" if p is None else p.text for p in made)
    return Row(measure, target, text, verdict)


def rows(r: Results) -> list[Row]:
    """The issue's table with this run's figures."""
    n = int(r.get("notes", SIZES["notes"]))
    big = int(r.get("big", SIZES["big"]))
    # --huge 0 skips the huge library: its rows keep the size and say "not measured";
    # the browser rows then ran on the big library, and say so.
    huge = int(r.get("huge") or SIZES["huge"])
    pages = int(r.get("pages_notes") or huge)

    def ratio(key: str, bound: float, what: str) -> Part:
        if "hugo_cold" not in r:
            return Part(f"{seconds(r[key])} (Hugo not run)", None)
        x = r[key] / r["hugo_cold"]
        return Part(f"{seconds(r[key])} = {x:.2f}× {what} {seconds(r['hugo_cold'])}", x <= bound)

    def bound(key: str, limit: float, show: Callable[[float], str]) -> Part:
        return Part(show(r[key]), r[key] <= limit)

    def saves(key: str, limit: float) -> Part:
        """Serve's saves: the median, and the slowest (which the target holds for) if known."""
        slowest = r.get(f"{key}_max")
        if slowest is None:
            return bound(key, limit, seconds)
        return Part(f"{seconds(r[key])} (max {seconds(slowest)})", slowest <= limit)

    def output() -> Part:
        per_note = r["page_bytes"] + r["rest_bytes_per_note"]
        text = (
            f"{size(per_note)} ({size(r['page_bytes'])} page + "
            f"{size(r['rest_bytes_per_note'])} share); {r['files_per_note']:.2f} files per note"
        )
        return Part(text, per_note <= 20_000 and r["files_per_note"] <= 3)

    def mib(key: str, limit: float, note: str = "") -> Callable[[], Part]:
        return lambda: Part(f"{r[key]:,.0f} MiB{note}", r[key] <= limit)

    def scaling() -> Part:
        x = r["cold_huge"] / r["cold_big"]
        return Part(
            f"{seconds(r['cold_huge'])} = {x:.1f}× the {_n(big)}-note {seconds(r['cold_big'])}",
            x <= 11,
        )

    def interactive() -> Part:
        how = " (load + first filter: no pnTable hook)" if r.get("home_fallback") else ""
        return Part(
            f"interactive {seconds(r['home_interactive'])}{how}", r["home_interactive"] <= 1
        )

    hugo_memory = f" (Hugo: {r['hugo_peak_big']:,.0f} MiB)" if "hugo_peak_big" in r else ""
    return [
        _row(
            f"cold build, {_n(n)} notes",
            "≤ 1.5× Hugo (say in your note what stands between that and 1.0×)",
            r,
            [(("cold",), lambda: ratio("cold", 1.5, "Hugo's"))],
        ),
        _row(
            f"edit one note, `papernotes build`, {_n(n)} notes",
            "≤ 0.1× Hugo's cold build",
            r,
            [(("edit",), lambda: ratio("edit", 0.1, "Hugo's cold"))],
        ),
        _row(
            f"edit one note, `serve`, save → browser reload event, {_n(n)} / {_n(huge)} notes",
            "≤ 0.15 s / ≤ 0.5 s",
            r,
            [
                (("serve_small",), lambda: saves("serve_small", 0.15)),
                (("serve_huge",), lambda: saves("serve_huge", 0.5)),
            ],
        ),
        _row("no-op build", "≤ 0.1 s", r, [(("noop",), lambda: bound("noop", 0.1, seconds))]),
        _row(
            f"output per note (median page + its share of the rest), {_n(n)} notes",
            "≤ 20 KB; files ≤ 3 per note",
            r,
            [(("page_bytes", "rest_bytes_per_note", "files_per_note"), output)],
        ),
        _row(
            f"peak memory, {_n(big)} / {_n(huge)} notes",
            "≤ 300 MiB / ≤ 1.5 GiB (Hugo at 5,000: 819 MiB)",
            r,
            [
                (("peak_big",), mib("peak_big", 300, hugo_memory)),
                (("peak_huge",), mib("peak_huge", 1536)),
            ],
        ),
        _row(
            f"{_n(huge)} notes cold build",
            f"completes; ≤ 11× the {_n(big)}-note time",
            r,
            [(("cold_huge", "cold_big"), scaling)],
        ),
        _row(
            f"home page at {_n(pages)} notes, from `file://` in Chromium",
            "interactive ≤ 1 s; filter keystroke ≤ 100 ms",
            r,
            [
                (("home_interactive",), interactive),
                (
                    ("filter_keystroke",),
                    lambda: Part(
                        f"keystroke {seconds(r['filter_keystroke'])}", r["filter_keystroke"] <= 0.1
                    ),
                ),
            ],
        ),
        _row(
            f"search at {_n(pages)} notes, from `file://`",
            "first results ≤ 300 ms; ≤ 2 MB downloaded per query",
            r,
            [
                (
                    ("search_first",),
                    lambda: Part(
                        f"first results {seconds(r['search_first'])}", r["search_first"] <= 0.3
                    ),
                ),
                (
                    ("search_bytes",),
                    lambda: Part(f"{size(r['search_bytes'])} downloaded", r["search_bytes"] <= 2e6),
                ),
            ],
        ),
    ]


def table(r: Results) -> str:
    """The targets table as Markdown: measure | target | measured | pass/fail."""
    lines = ["| measure | target | measured | pass/fail |", "|---|---|---|---|"]
    lines += [f"| {x.measure} | {x.target} | {x.measured} | {x.verdict} |" for x in rows(r)]
    return "\n".join(lines)


def environment(env: Mapping[str, str]) -> str:
    """One line per fact about the machine and the tools, under the table."""
    return "\n".join(f"- {k}: {v}" for k, v in env.items())
