"""lru.py: the byte-bounded LRU and its size estimate, checked against the memory Python
really allocates (tracemalloc) for the shapes the caches hold."""

import gc
import random
import sys
import tracemalloc

import orjson

from api.lru import ENTRY_OVERHEAD, BytesLRU, deep_size, trimmed
from api.v1.common import json_response

# The accounted size is within 5 % below and 25 % above what Python really allocates: the dicts
# inside cachetools keep spare room after evictions (below); ENTRY_OVERHEAD is rounded up and
# shared objects (small ints, interned strings) are counted for each holder (above).
LOW, HIGH = 0.95, 1.25


def allocated_by(fill) -> int:
    """Bytes still allocated after fill() (which returns what keeps them alive)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = fill()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert kept is not None
    return after - before


def postings(pick: random.Random, n: int) -> dict:
    """{docnum: frequency}, as FrequencyTable.postings makes them."""
    return {pick.randrange(20_000): float(pick.randint(1, 30)) for _ in range(n)}


def test_deep_size_counts_what_containers_hold():
    word = "x" * 100
    assert deep_size(word) == sys.getsizeof(word)
    assert deep_size((word, word)) == sys.getsizeof((word, word)) + 2 * sys.getsizeof(word)
    table = {1000: 1.5, 2000: 2.5}
    assert deep_size(table) == sys.getsizeof(table) + 2 * sys.getsizeof(1000) + 2 * 24
    nested = ("phrase", ("pain", "knee"))
    assert deep_size(nested) > deep_size(("pain", "knee")) + sys.getsizeof("phrase")
    assert deep_size(frozenset()) == sys.getsizeof(frozenset())


def test_bound_holds_in_bytes_with_distinct_keys():
    cache = BytesLRU(1024 * 1024)
    pick = random.Random(1)
    for number in range(3000):  # ~10 MB offered
        key = ("body", f"term{number}")
        assert cache.get_or(key, lambda: postings(pick, 100))  # noqa: B023
    assert 0 < cache.currsize <= cache.max_bytes
    assert 100 < len(cache) < 3000  # it kept some and dropped the rest
    assert cache.get(("body", "term0")) is None  # the oldest went first
    assert cache.get(("body", "term2999")) is not None  # the newest stayed


def test_accounting_matches_real_memory_for_each_shape():
    pick = random.Random(2)
    shapes = {
        # postings of one term in one field, a few to thousands of documents
        "postings": lambda n: (("body", f"t{n}"), postings(pick, pick.choice((3, 40, 800)))),
        # documents matching a phrase
        "phrase": lambda n: (("phrase", (f"a{n}", f"b{n}")), set(postings(pick, 200))),
        # a stem's selectivity: many small items, where the per-item overhead dominates
        "selectivity": lambda n: (f"stem{n}", 10_000 + n),
    }
    for name, make in shapes.items():
        cache = BytesLRU(1024 * 1024)

        def fill(cache=cache, make=make, name=name):
            for number in range(600 if name != "selectivity" else 20_000):  # past the bound
                cache.put(*make(number))
            return cache

        real = allocated_by(fill)
        accounted = cache.currsize
        assert accounted <= cache.max_bytes
        assert len(cache) > 10 and accounted > cache.max_bytes * 0.9  # it was filled
        assert real * LOW <= accounted <= real * HIGH, (name, real, accounted)


def test_a_value_over_an_eighth_is_returned_not_kept():
    cache = BytesLRU(64 * 1024)
    big = "x" * 10_000
    assert cache.get_or("k", lambda: big) == big and len(cache) == 0


def test_zero_keeps_nothing():
    cache = BytesLRU(0)
    calls = []
    for _ in range(2):
        cache.get_or("k", lambda: calls.append(1) or "v")
    assert calls == [1, 1] and len(cache) == 0 and cache.currsize == 0


def test_overhead_is_counted_per_item():
    cache = BytesLRU(1024 * 1024)
    cache.put("k", 1)
    assert cache.currsize == deep_size("k") + deep_size(1) + ENTRY_OVERHEAD


def test_kept_bodies_are_right_sized():
    """orjson's bytes keep a rounded-up buffer (~64 KB for a 7 KB body): a cache counting len()
    would hold ten times its bound. Bodies that caches keep are trimmed first: the page cache's
    and every JSON response's (the response memo keeps those)."""
    data = {"title": "x" * 6900}
    length = len(orjson.dumps(data))
    raw = allocated_by(lambda: [orjson.dumps(data) for _ in range(50)]) / 50
    assert raw > 4 * length  # why trimmed() exists: fails if a new orjson stops doing it
    assert (
        allocated_by(lambda: [trimmed(orjson.dumps(data)) for _ in range(50)]) / 50 < 1.1 * length
    )
    kept = allocated_by(lambda: [json_response(data).get_data() for _ in range(50)]) / 50
    assert kept < 1.1 * length
