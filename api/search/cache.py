"""A per-worker cache of finished search pages (body and ETag), bounded in bytes.

Popular queries repeat; a page is the same bytes until the content changes, and content never
changes while a process runs. The bound counts keys and values: each entry costs its body, its
ETag, the text of its key (the parsed query with its filters and page) and ENTRY_OVERHEAD for
the Python objects around them. Least recently used entries go first (cachetools' LRUCache).
"""

import threading

from cachetools import LRUCache

ENTRY_OVERHEAD = 512  # bytes counted per entry for the objects holding key and value


class PageCache:
    def __init__(self, megabytes: int):
        self.max_bytes = int(megabytes * 1024 * 1024)
        self._pages = LRUCache(maxsize=max(1, self.max_bytes), getsizeof=lambda item: item[2])
        self._lock = threading.Lock()  # cachetools' caches are not thread-safe (gthread workers)

    @property
    def bytes(self) -> int:
        return int(self._pages.currsize)

    def __len__(self) -> int:
        return len(self._pages)

    def get_or(self, key, compute) -> tuple[bytes, str]:
        """The cached (body, etag) for `key`, else compute() kept for next time."""
        if self.max_bytes <= 0:
            return compute()
        with self._lock:
            found = self._pages.get(key)
        if found is not None:
            return found[0], found[1]
        body, etag = compute()
        size = len(body) + len(etag) + len(repr(key)) + ENTRY_OVERHEAD
        if size <= self.max_bytes // 8:  # one huge page must not push out all the others
            with self._lock:
                self._pages[key] = (body, etag, size)
        return body, etag
