"""The wheel carries the default theme and serve's live-reload client, and a library outside the
repository builds with it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
    )
    [path] = out.glob("papernotes-*.whl")
    return path


def test_wheel_ships_the_theme(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = sorted(
        p.relative_to(REPO / "templates").as_posix()
        for p in (REPO / "templates").rglob("*")
        if p.is_file()
    )
    assert theme
    missing = [t for t in theme if f"papernotes/templates/{t}" not in names]
    assert missing == []
    assert "papernotes/py.typed" in names
    # serve's live-reload client is package data beside the code, not a theme file.
    assert "papernotes/serve/livereload.js" in names
    assert not any("livereload" in n for n in names if n.startswith("papernotes/templates/"))
    assert not any(n.startswith(("papers/", "tests/")) for n in names)


def test_installed_wheel_builds_a_library_outside_the_repo(wheel: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(unpacked)
    lib = tmp_path / "elsewhere"
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    code = (
        "import sys, papernotes, papernotes.theme as t;"
        "print(papernotes.__file__); print(t.default_theme_dir());"
        "from papernotes.serve.http import client_script;"
        "assert b'EventSource' in client_script();"
        "from papernotes.cli.main import main;"
        f"assert main(['init', {str(lib)!r}]) == 0;"
        f"sys.exit(main(['build', '--root', {str(lib)!r}, '--strict']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    module_file, theme_dir = result.stdout.splitlines()[:2]
    assert Path(module_file).is_relative_to(unpacked)
    assert Path(theme_dir).is_relative_to(unpacked)
    assert (lib / "site" / "static" / "katex" / "katex.min.js").is_file()


def test_library_templates_override_the_default_file_by_file(tmp_path: Path, cli) -> None:
    assert cli("init", str(tmp_path)).code == 0
    (tmp_path / "templates" / "static").mkdir(parents=True)
    (tmp_path / "templates" / "tags.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>My own tag page</h1>{% endblock %}',
        encoding="utf-8",
    )
    (tmp_path / "templates" / "static" / "style.css").write_text(
        "body{color:red}", encoding="utf-8"
    )
    assert cli("build", "--root", str(tmp_path)).code == 0
    site = tmp_path / "site"
    assert "My own tag page" in (site / "tags" / "index.html").read_text(encoding="utf-8")
    assert (site / "static" / "style.css").read_text(encoding="utf-8") == "body{color:red}"
    assert "<h1>Authors</h1>" in (site / "authors" / "index.html").read_text(encoding="utf-8")


def test_template_error_names_the_template_and_line(tmp_path: Path, cli) -> None:
    assert cli("init", str(tmp_path)).code == 0
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "tags.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{{ no_such_variable.x }}\n{% endblock %}\n',
        encoding="utf-8",
    )
    result = cli("build", "--root", str(tmp_path))
    assert result.code == 1
    assert "tags.html:3: error: template:" in result.err
    assert "no_such_variable" in result.err
    assert "Traceback" not in result.err
