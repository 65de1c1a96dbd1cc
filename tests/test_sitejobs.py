"""A job names every file it makes."""

from __future__ import annotations

from papernotes.render import Output
from papernotes.sitejobs import Job


def test_a_job_makes_its_path_unless_it_names_its_outputs() -> None:
    def run() -> Output:
        return Output(())

    assert Job("index.html", "fp", run).paths == ("index.html",)
    both = Job("robots.txt", "fp", run, ("robots.txt", "sitemap.xml"))
    assert both.paths == ("robots.txt", "sitemap.xml")
