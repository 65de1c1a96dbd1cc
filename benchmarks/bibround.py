"""Round-trip real ``.bib`` files through papernotes and report what survives.

For each file: a fresh library, ``papernotes import FILE``, ``papernotes bib`` (each flavour
the installed papernotes offers), then

- keys: how many of the source's keys (pybtex's parse) come back exactly;
- fields: each source field compared with the exported one after decoding TeX on both sides
  (papernotes' own decoder, so this checks meaning, not spelling): same / changed / missing;
- LaTeX: pdflatex + bibtex under several styles on the source and on the export, counting
  errors and warnings (the export should have none the source did not have);
- time and peak memory of import and export.

Usage (from a checkout with papernotes installed; fetched files stay outside the repository):

    python benchmarks/bibround.py FILE.bib [FILE.bib ...] [--styles plain,unsrt,alpha,abbrv]

Nothing here is a test: it needs TeX and real files, and prints figures for a closing note.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from pybtex.database import BibliographyData, parse_file
from pybtex.scanner import PybtexSyntaxError

from papernotes.bib.unlatex import latex_to_text

# biblatex and BibTeX spell some fields differently; the export may use either.
_SAME = {
    "journaltitle": "journal",
    "location": "address",
    "institution": "institution",
    "eprinttype": "archiveprefix",
    "primaryclass": "eprintclass",
}
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_MONTHS = {
    m: str(i)
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def _timed(cmd: list[str], cwd: Path) -> tuple[float, int, subprocess.CompletedProcess[str]]:
    """Run ``cmd`` under /usr/bin/time: (seconds, peak RSS in MB, the process)."""
    start = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "MAXRSS %M", *cmd], cwd=cwd, capture_output=True, text=True
    )
    took = time.perf_counter() - start
    rss = re.findall(r"MAXRSS (\d+)", proc.stderr)
    return took, int(rss[-1]) // 1024 if rss else -1, proc


def _norm(name: str, value: str) -> str:
    # Both sides through one decoder; the ASCII flavour writes ’ “ ” as ' `` '' (as BBT does).
    text = latex_to_text(value).translate(_QUOTES).replace("\u00a0", " ")
    text = re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()
    if name == "month":
        text = _MONTHS.get(text.lower()[:3], text.lstrip("0"))
    if name in ("doi", "url"):
        text = text.lower().removeprefix("https://doi.org/")
    return text.casefold()


def _fields(bib: BibliographyData) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for key, entry in bib.entries.items():
        fields = {
            _SAME.get(k.lower(), k.lower()): _norm(k.lower(), str(v))
            for k, v in entry.fields.items()
        }
        if "date" in fields and "year" not in fields:
            fields["year"] = fields["date"][:4]
        for role, people in entry.persons.items():
            fields[role.lower()] = _norm(role, " and ".join(str(p) for p in people))
        fields["@type"] = entry.type.lower()
        out[key] = fields
    return out


def _typeset(bib: Path, style: str, work: Path) -> tuple[int, int, int]:
    """(bibtex errors, bibtex warnings, LaTeX errors) of LaTeX + bibtex + LaTeX with ``style``
    on ``bib``: pdflatex, or lualatex with a CJK font when the file holds CJK."""
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(bib, work / "lib.bib")
    cjk = re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", bib.read_text(encoding="utf-8"))
    engine = "lualatex" if cjk else "pdflatex"
    fonts = (
        "\\usepackage{fontspec}\\setmainfont{Noto Serif CJK SC}"
        if cjk
        else "\\usepackage[T1]{fontenc}\\usepackage[utf8]{inputenc}"
    )
    (work / "doc.tex").write_text(
        "\\documentclass{article}"
        + fonts
        + "\\usepackage{url}\\begin{document}\\nocite{*}\\bibliographystyle{"
        + style
        + "}"
        "\\bibliography{lib}\\end{document}\n",
        encoding="utf-8",
    )
    run = {"cwd": work, "capture_output": True, "text": True, "errors": "replace"}
    subprocess.run([engine, "-interaction=nonstopmode", "doc"], **run)  # type: ignore[call-overload]
    subprocess.run(["bibtex", "doc"], **run)  # type: ignore[call-overload]
    for _ in range(2):
        tex = subprocess.run([engine, "-interaction=nonstopmode", "doc"], **run)  # type: ignore[call-overload]
    blg = (work / "doc.blg").read_text(encoding="utf-8", errors="replace")
    errors = sum(int(n) for n in re.findall(r"There (?:was|were) (\d+) error", blg))
    warnings = len(re.findall(r"^Warning--", blg, re.M))
    (work / "latex-errors.txt").write_text("\n".join(re.findall(r"^! .*\n.*", tex.stdout, re.M)))
    return errors, warnings, len(re.findall(r"^! ", tex.stdout, re.M))


def _one(src: Path, styles: list[str], flavours: list[str], papernotes: str, show: int) -> None:
    print(f"\n== {src.name} ({src.stat().st_size:,} bytes)")
    try:
        source = parse_file(str(src), bib_format="bibtex")
    except PybtexSyntaxError as exc:
        print(f"  pybtex cannot read the source: {exc}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        lib = Path(tmp) / "lib"
        subprocess.run([papernotes, "init", str(lib)], check=True, capture_output=True)
        for note in (lib / "papers").glob("*.md"):
            note.unlink()
        took, rss, proc = _timed([papernotes, "import", "-q", str(src.resolve())], lib)
        warned = Counter(
            re.sub(r'"[^"]*"', "…", w.split(": warning: ", 1)[1].split(": ", 1)[-1])[:70]
            for w in proc.stderr.splitlines()
            if ": warning: " in w
        )
        notes = len(list((lib / "papers").glob("*.md")))
        print(
            f"  import: exit {proc.returncode}, {notes:,} notes from {len(source.entries):,} entries, {took:.1f} s, {rss} MB"
        )
        for what, n in warned.most_common(8):
            print(f"    {n:5} × {what}")
        for flavour in flavours:
            out = Path(tmp) / f"out-{flavour}.bib"
            took, rss, proc = _timed([papernotes, "bib", "--format", flavour, "-o", str(out)], lib)
            if proc.returncode:
                print(f"  bib {flavour}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
                continue
            print(f"  bib --format {flavour}: {took:.1f} s, {rss} MB, {out.stat().st_size:,} bytes")
            back = parse_file(str(out), bib_format="bibtex")
            want, got = _fields(source), _fields(back)
            kept = sum(1 for k in want if k in got)
            print(f"    keys kept exactly: {kept:,}/{len(want):,}")
            missing_keys = [k for k in want if k not in got][:8]
            if missing_keys:
                print(f"    e.g. lost: {missing_keys}")
            same = changed = lost = 0
            lost_names: Counter[str] = Counter()
            changed_names: Counter[str] = Counter()
            for key, fields in want.items():
                other = got.get(key, {})
                for name, value in fields.items():
                    if name not in other:
                        lost += 1
                        lost_names[name] += 1
                    elif other[name] == value:
                        same += 1
                    else:
                        changed += 1
                        changed_names[name] += 1
                        if show and changed_names[name] <= show:
                            at = next(
                                (
                                    i
                                    for i, (a, b) in enumerate(
                                        zip(value, other[name], strict=False)
                                    )
                                    if a != b
                                ),
                                0,
                            )
                            at = max(0, at - 40)
                            print(
                                f"      {key}.{name}: …{value[at : at + 120]!r}\n        -> …{other[name][at : at + 120]!r}"
                            )
            added: Counter[str] = Counter(
                name
                for key, fields in got.items()
                if key in want
                for name in fields
                if name not in want[key]
            )
            print(
                f"    fields: {same:,} same, {changed:,} changed, {lost:,} not in export,"
                f" {sum(added.values()):,} added"
            )
            if added:
                print(f"      added: {dict(added.most_common(10))}")
            if lost_names:
                print(f"      not exported: {dict(lost_names.most_common(10))}")
            if changed_names:
                print(f"      changed: {dict(changed_names.most_common(10))}")
            if flavour != "bibtex":
                continue
            keep = Path("/tmp/bibround") / src.stem
            for style in styles:
                base = _typeset(src, style, keep / f"src-{style}")
                mine = _typeset(out, style, keep / f"out-{style}")
                print(
                    f"    {style:6} bibtex errors/warnings, LaTeX errors: source {base[0]}/{base[1]}, {base[2]};"
                    f" export {mine[0]}/{mine[1]}, {mine[2]}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--styles", default="plain,unsrt,alpha,abbrv")
    parser.add_argument("--flavours", default="bibtex")
    parser.add_argument(
        "--show", type=int, default=0, help="print N examples of each changed field"
    )
    beside = Path(sys.executable).with_name("papernotes")
    parser.add_argument("--papernotes", default=str(beside) if beside.exists() else "papernotes")
    args = parser.parse_args()
    styles = [s for s in args.styles.split(",") if s]
    for src in args.files:
        _one(src, styles, args.flavours.split(","), args.papernotes, args.show)


if __name__ == "__main__":
    main()
