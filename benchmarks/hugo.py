"""The same library as a Hugo site: same front matter and bodies, a minimal theme with the same
pages (one per paper, a home list, one per tag and per author). Hugo is the yardstick the
issue's ratios are stated against."""

from __future__ import annotations

import shutil
from pathlib import Path

HUGO_CONFIG = """\
baseURL = "http://example.org/"
title = "Synthetic library"
disableKinds = ["RSS", "sitemap", "robotsTXT"]
[taxonomies]
tag = "tags"
author = "authors"
[markup.goldmark.renderer]
unsafe = false
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}'
        '</title></head><body><nav><a href="{{ relURL "/" }}">Papers</a></nav><main>'
        '{{ block "main" . }}{{ end }}</main></body></html>'
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>'
        '{{ with .Params.authors }}{{ delimit . ", " }}{{ end }}'
        " · {{ .Params.venue }} · {{ .Params.year }}</p><p>{{ range .Params.tags }}"
        '<a href="{{ relURL (printf "tags/%s/" (urlize .)) }}">{{ . }}</a> {{ end }}</p>'
        "{{ .Content }}<h2>Cites</h2><ul>{{ range .Params.cites }}<li>{{ . }}</li>{{ end }}"
        "</ul></article>{{ end }}"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><table>{{ range .RegularPagesRecursive }}<tr>'
        '<td>{{ .Params.year }}</td><td><a href="{{ .RelPermalink }}">{{ .Title }}</a></td><td>'
        '{{ with .Params.authors }}{{ delimit . ", " }}{{ end }}</td><td>{{ .Params.venue }}'
        '</td><td>{{ with .Params.tags }}{{ delimit . " " }}{{ end }}</td><td>'
        "{{ .Params.status }}</td></tr>{{ end }}</table>{{ end }}"
    ),
    "_default/terms.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}'
        '<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>'
        "{{ end }}</ul>{{ end }}"
    ),
}


def hugo_site(lib: Path, dest: Path) -> Path:
    """Write the Hugo site of ``lib``'s notes into ``dest`` (the benchmark's own folder in its
    work folder: made anew, so a second run with the same ``--work`` starts clean); returns
    ``dest``."""
    shutil.rmtree(dest, ignore_errors=True)
    content = dest / "content" / "papers"
    content.mkdir(parents=True)
    for note in sorted((lib / "papers").glob("*.md")):
        shutil.copy(note, content / note.name)
    (dest / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for rel, text in HUGO_LAYOUTS.items():
        path = dest / "layouts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return dest


def hugo_cold(site: Path, hugo: str) -> list[str]:
    """The command of a cold Hugo build of ``site`` (the caller removes its earlier output)."""
    for folder in ("public", "resources"):
        shutil.rmtree(site / folder, ignore_errors=True)
    return [hugo, "--quiet", "--source", str(site)]
