"""``papernotes build`` with plain options skips argparse (``cli.quick.plain_build``): the
namespace it makes must be the one argparse would make, or a new option would be missing."""

from __future__ import annotations

import pytest

from papernotes.cli.main import _parser
from papernotes.cli.quick import plain_build

PLAIN = [
    [],
    ["--strict"],
    ["--keep-going"],
    ["-q"],
    ["--quiet", "--strict"],
    ["--root", "lib"],
    ["--root=lib", "--out", "out"],
    ["--out=out", "--keep-going", "-q"],
]


@pytest.mark.parametrize("argv", PLAIN)
def test_plain_options_read_as_argparse_reads_them(argv: list[str]) -> None:
    expected = vars(_parser().parse_args(["build", *argv]))
    expected.pop("func")
    assert plain_build(argv) == expected


@pytest.mark.parametrize("argv", [["--clean"], ["--help"], ["--no-cache"], ["--str"], ["x"]])
def test_other_options_go_to_argparse(argv: list[str]) -> None:
    assert plain_build(argv) is None
