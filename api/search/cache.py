"""A per-worker cache of finished search pages (body and ETag), bounded in bytes.

Popular queries repeat; a page is the same bytes until the content changes, and content never
changes while a process runs. The bound counts keys and values: each entry costs its body, its
ETag, the text of its key (the parsed query with its filters and page) and ENTRY_OVERHEAD for
the Python objects around them. The project's one LRU (api/lru.py: cachetools behind a lock)
keeps them, least recently used first; a page over an eighth of the bound is served, not kept.
"""

from ..lru import LRU, trimmed

ENTRY_OVERHEAD = 512  # bytes counted per entry for the objects holding key and value


class PageCache:
    def __init__(self, megabytes: int):
        self.max_bytes = int(megabytes * 1024 * 1024)
        # values are (body, etag, size): the size, key included, is what the bound counts
        self._pages = LRU(max(1, self.max_bytes), getsizeof=lambda item: item[2])

    @property
    def bytes(self) -> int:
        return int(self._pages.currsize)

    def __len__(self) -> int:
        return len(self._pages)

    def get_or(self, key, compute) -> tuple[bytes, str]:
        """The cached (body, etag) for `key`, else compute() kept for next time."""
        if self.max_bytes <= 0:
            return compute()

        def entry():
            body, etag = compute()
            body = trimmed(body)  # what len() counts is then what it holds (lru.trimmed)
            return body, etag, len(body) + len(etag) + len(repr(key)) + ENTRY_OVERHEAD

        body, etag, _ = self._pages.get_or(key, entry)
        return body, etag
