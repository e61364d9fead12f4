"""Least-recently-used caches (cachetools), safe to share between a worker's threads.

`LRU(n)` holds at most n items; `LRU(n_bytes, getsizeof=...)` at most n_bytes as `getsizeof`
counts them. A value too large for a cache is returned without being kept (cachetools would
raise), and two threads may compute the same missing value: both results are equal, one is kept.
"""

import threading

from cachetools import LRUCache

MISSING = object()


class LRU:
    def __init__(self, maxsize: int, getsizeof=None):
        self._cache = LRUCache(maxsize, getsizeof)
        self._lock = threading.Lock()  # cachetools' caches are not thread-safe on their own
        self._largest = maxsize // 8 if getsizeof else maxsize  # one value must not flush the rest
        self._getsizeof = getsizeof

    def get(self, key, default=None):
        with self._lock:
            return self._cache.get(key, default)

    def put(self, key, value) -> None:
        if self._getsizeof is not None and self._getsizeof(value) > self._largest:
            return
        with self._lock:
            self._cache[key] = value

    def get_or(self, key, compute):
        value = self.get(key, MISSING)
        if value is MISSING:
            value = compute()  # outside the lock: a slow computation never blocks readers
            self.put(key, value)
        return value

    def __len__(self) -> int:
        return len(self._cache)

    @property
    def currsize(self) -> int:
        return self._cache.currsize

    @property
    def maxsize(self) -> int:
        return self._cache.maxsize
