"""The development server: static files, the live-reload event stream and Host checks
(``http``); the browser side of live reload is ``livereload.js`` beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papernotes._lazy import lazy_exports

if TYPE_CHECKING:
    from papernotes.serve.http import (
        SCRIPT,
        HostCheck,
        LiveState,
        client_script,
        make_server,
        url_of,
    )

__all__ = ["SCRIPT", "HostCheck", "LiveState", "client_script", "make_server", "url_of"]

# Hidden from mypy, which would otherwise type every unknown attribute as Any.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "http": ("HostCheck", "LiveState", "SCRIPT", "client_script", "make_server", "url_of"),
        },
    )
