"""``cli.serve_args``: every command line knows ``serve``'s arguments, but only ``serve``
imports the server, the watcher and the browser opener."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from papernotes.cli import serve
from papernotes.cli.main import _parser
from papernotes.cli.serve_args import register

_PROBE = """
import json, sys
from papernotes.cli.main import _parser
args = _parser(full=False).parse_args(["serve", "--port", "9001", "--open"])
print(json.dumps({"port": args.port, "open": args.open,
                  "imported": sorted(m for m in ("papernotes.cli.serve", "webbrowser")
                                     if m in sys.modules)}))
"""


def test_parsing_serve_arguments_imports_no_server() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == {"port": 9001, "open": True, "imported": []}


def test_the_serve_command_runs_cli_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []

    def run(args: argparse.Namespace, *, exit_at_once: bool) -> int:
        seen.append((args.port, exit_at_once))
        return 7

    monkeypatch.setattr(serve, "run", run)
    args = _parser().parse_args(["serve", "--port", "8123"])
    assert args.func(args) == 7
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(), lambda p: p.add_argument("--root"))
    alone = parser.parse_args(["serve", "--root", "lib", "--quiet"])
    assert alone.func(alone) == 7
    # Not run by ``main`` as the process's own command: the process is not to end at once.
    assert seen == [(8123, False), (8000, False)]
