"""The command line, the only code that prints or picks an exit code: ``main`` (build, bib,
init and the parser), the network commands (``fetch``: add, link, import, check), link
diagnostics (``check``) and ``serve``.

Nothing is re-exported: the entry point is ``papernotes.cli.main:main``, and a package
attribute ``main`` would turn into the submodule of that name once it is imported.
"""

__all__: list[str] = []
