"""Each per-worker cache against the memory Python really allocates for it (tracemalloc), filled
past its bound with distinct keys. The margins are what the accounting is documented to hold
(README, "Memory per worker"); the search-terms cache is in tests/test_lru.py."""

import orjson

from api.delivery.memo import Memo, Representation, _key_size
from api.search.cache import PageCache

from .test_lru import allocated_by

HEADERS = (  # what a detail response keeps besides its body (14 headers, as measured)
    ("Content-Type", "application/json"),
    ("Cache-Control", "public, max-age=300, stale-while-revalidate=60"),
    ("Vary", "Authorization, X-API-Key, Accept-Encoding, Origin"),
    ("Last-Modified", "Sun, 29 Nov 2026 12:00:00 GMT"),
    ("Link", '</v1/conditions/knee-pain>; rel="canonical"'),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("Cross-Origin-Resource-Policy", "cross-origin"),
    ("Access-Control-Expose-Headers", "ETag, Link, RateLimit-Limit, RateLimit-Remaining"),
    ("X-Frame-Options", "DENY"),
    ("API-Version", "1"),
    ("Content-Language", "en-GB"),
    ("Strict-Transport-Security", "max-age=63072000"),
)


def body(number: int, size: int) -> bytes:
    return orjson.dumps({"n": number, "text": "x" * size})  # orjson's oversized buffer, as served


def test_search_pages_hold_what_they_count():
    """Counted: body, ETag, repr(key) and 512 bytes an entry; real within -5 % / +25 %."""
    for size in (300, 4000, 20_000):
        pages = PageCache(1)

        def fill(pages=pages, size=size):
            for number in range(3000 if size < 1000 else 400):
                key = (f"knee pain {number}", (), None, 1, 10)
                pages.get_or(key, lambda n=number: (body(n, size), "e" * 24))
            return pages

        real = allocated_by(fill)
        assert pages.bytes <= pages.max_bytes and pages.bytes > pages.max_bytes * 0.8
        assert real * 0.95 <= pages.bytes <= real * 1.25, (size, real, pages.bytes)


def test_the_response_memo_counts_what_it_really_holds():
    """The memo (api/delivery/memo.py) counts its entries as Python objects (every header string
    and tuple, the key, the cache's bookkeeping): within -5 % / +50 % of what Python really
    allocates, for small and large bodies, so RESPONSE_MEMO_MB is what it holds."""
    for size in (500, 4000, 20_000):
        memo = Memo(1024 * 1024)

        def fill(memo=memo, size=size):
            for number in range(600):
                key = (f"/v1/conditions/c{number}", b"format=html", "http://localhost")
                data = bytes(memoryview(body(number, size)))  # as json_response keeps it
                # each entry with its own header strings, as each response builds them
                headers = tuple((n, "".join((v, "\n"))[:-1]) for n, v in HEADERS)
                memo.put(key, Representation(data, "e" * 24, headers, _key_size(key)))
            return memo

        real = allocated_by(fill)
        counted = memo.cache.currsize
        assert counted <= memo.cache.maxsize and counted > memo.cache.maxsize * 0.8
        assert real * 0.95 <= counted <= real * 1.5, (size, real, counted)
