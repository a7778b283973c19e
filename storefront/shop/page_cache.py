"""A tiny per-process cache of rendered fragments, for the pages fans hit hardest.

Entries live `PAGE_CACHE_SECONDS` (stock figures may lag that long; checkout always
checks the real stock) and are dropped at once in this process when the label edits
the catalog. Nothing here is shared between workers, so nothing can go stale for longer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

from flask import current_app
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

CSRF_PLACEHOLDER = "__SILLON_CSRF__"


class PageCache:
    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def fragment(self, key: Hashable, render: Callable[[], str]) -> Markup:
        """The cached fragment for `key` (rendered when missing or old), CSRF token filled in."""
        ttl = current_app.config["PAGE_CACHE_SECONDS"]
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is None or now - entry[0] > ttl:
            entry = (now, render())
            if ttl > 0:
                with self._lock:
                    self._entries[key] = entry
        return Markup(entry[1].replace(CSRF_PLACEHOLDER, generate_csrf()))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


page_cache = PageCache()
