"""search/cache.py: finished search pages, bounded in bytes (keys and values)."""

import orjson

from api.search.cache import ENTRY_OVERHEAD, PageCache


def test_bounded_in_bytes_counting_keys_and_values():
    cache = PageCache(1)  # 1 MiB
    body = b"x" * 10_000
    for number in range(500):  # 5 MB of bodies offered
        key = ("query", number, "k" * 100)
        assert cache.get_or(key, lambda: (body, "etag")) == (body, "etag")
    assert 0 < cache.bytes <= cache.max_bytes == 1024 * 1024
    per_entry = len(body) + len("etag") + len(repr(("query", 1, "k" * 100))) + ENTRY_OVERHEAD
    assert len(cache) == cache.max_bytes // per_entry  # the oldest went first
    calls = []
    cache.get_or(("query", 499, "k" * 100), lambda: calls.append(1) or (b"", ""))
    assert calls == []  # the most recent is still there
    cache.get_or(("query", 0, "k" * 100), lambda: calls.append(1) or (b"", ""))
    assert calls == [1]  # the oldest is not


def test_a_page_too_large_is_served_not_kept():
    cache = PageCache(1)
    huge = b"x" * (cache.max_bytes // 4)
    assert cache.get_or("q", lambda: (huge, "e")) == (huge, "e") and len(cache) == 0


def test_zero_turns_it_off():
    cache = PageCache(0)
    calls = []
    for _ in range(2):
        cache.get_or("q", lambda: calls.append(1) or (b"body", "etag"))
    assert calls == [1, 1] and len(cache) == 0


def test_the_app_uses_the_setting(app, client):
    pages = app.extensions["content"].search_pages
    assert pages.max_bytes == app.config["SEARCH_CACHE_MB"] * 1024 * 1024
    before = len(pages)
    assert client.get("/v1/search?q=knee+pain+walking+cache").status_code == 200
    assert len(pages) == before + 1 and pages.bytes > 0


def test_the_terms_cache_uses_its_setting(app, client):
    """Postings, phrase matches and selectivities: one LRU per worker, SEARCH_TERMS_CACHE_MB."""
    terms = app.extensions["content"].search._open().terms
    assert terms.max_bytes == app.config["SEARCH_TERMS_CACHE_MB"] * 1024 * 1024
    before = terms.currsize
    assert client.get('/v1/search?q="knee+pain"+walking+terms').status_code == 200
    assert terms.currsize > before and terms.currsize <= terms.max_bytes


def test_kept_pages_are_right_sized():
    cache = PageCache(1)
    body = orjson.dumps({"items": ["x" * 5000]})  # a buffer of ~64 KB (see test_lru)
    kept, _ = cache.get_or("q", lambda: (body, "e"))
    assert kept == body and kept is not body  # the trimmed copy is what is kept and served
