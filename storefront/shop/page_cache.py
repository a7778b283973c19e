"""A tiny per-process cache of whole rendered pages, for the pages fans hit hardest.

Entries live `PAGE_CACHE_SECONDS` (stock figures may lag that long; checkout always
checks the real stock) and are dropped at once in this process when the label edits
the catalog. Nothing is shared between workers, so nothing can go stale for longer.
The visitor's CSRF token is the only per-visitor part of a cached page: it is stored as
a placeholder and filled in on the way out. Pages carrying flash messages are never cached.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

from flask import current_app, session
from flask_wtf.csrf import generate_csrf

CSRF_PLACEHOLDER = "__SILLON_CSRF__"


class PageCache:
    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def page(self, key: Hashable, render: Callable[[], str]) -> str:
        """The page for `key`, from the cache when fresh, with this visitor's CSRF token."""
        token = generate_csrf()
        ttl = current_app.config["PAGE_CACHE_SECONDS"]
        if ttl <= 0 or "_flashes" in session:
            return render()
        entry = self._entries.get(key)
        if entry is not None and time.monotonic() - entry[0] <= ttl:
            return entry[1].replace(CSRF_PLACEHOLDER, token)
        html = render()
        with self._lock:
            self._entries[key] = (time.monotonic(), html.replace(token, CSRF_PLACEHOLDER))
        return html

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


page_cache = PageCache()
