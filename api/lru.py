"""Least-recently-used caches (cachetools), safe to share between a worker's threads.

`LRU(n)` holds at most n items; `LRU(n_bytes, getsizeof=...)` at most n_bytes as `getsizeof`
counts them. A value too large for a cache is returned without being kept (cachetools would
raise), and two threads may compute the same missing value: both results are equal, one is kept.
`BytesLRU(n_bytes)` holds at most n_bytes of keys and values as Python objects, as `deep_size`
estimates them, plus ENTRY_OVERHEAD per item for the cache's own bookkeeping.
"""

import sys
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


def trimmed(data: bytes) -> bytes:
    """`data` in a buffer of its own length. orjson (3.12 on) returns bytes whose allocation is
    rounded up and never shrunk: a 7 KB detail body holds 64 KB, a 20 KB one 256 KB (measured
    with tracemalloc; a test holds it). Bodies that a cache keeps are copied first, or a cache
    counting len(body) would hold ten times its bound. The copy costs a memcpy."""
    return bytes(memoryview(data))


# Per item, besides key and value: cachetools keeps each key in three dicts (data, sizes, LRU
# order: a slot each, ~100 bytes with the dicts' spare room) and an OrderedDict link (~100
# bytes); BytesLRU adds a (value, size) tuple and the size's int (~90 bytes).
ENTRY_OVERHEAD = 300
_SCALARS = (str, bytes, int, float, bool, type(None))
_COLLECTIONS = (list, set, frozenset)


def deep_size(obj) -> int:
    """Bytes held by `obj` and what it contains (str, bytes, numbers, and dicts, tuples, lists and
    sets of them). Every contained object is counted, shared ones too (small ints, interned
    strings), so this errs high. A tuple's items are each measured; a dict's, list's or set's are
    taken to be alike: when the first is a scalar, all are summed at C speed (a posting list of
    10,000 numbers: ~1 ms)."""
    size = sys.getsizeof(obj)
    if isinstance(obj, tuple):  # keys: small, and mixed ("phrase", (stems…))
        return size + sum(map(deep_size, obj))
    if isinstance(obj, dict):
        return size + _alike(obj.keys()) + _alike(obj.values())
    if isinstance(obj, _COLLECTIONS):
        return size + _alike(obj)
    return size


def _alike(items) -> int:
    for first in items:
        return sum(map(sys.getsizeof if isinstance(first, _SCALARS) else deep_size, items))
    return 0


class BytesLRU(LRU):
    """An LRU bounded in bytes of keys and values (deep_size) plus ENTRY_OVERHEAD per item."""

    def __init__(self, max_bytes: int, sizeof=deep_size):
        self.max_bytes = max(0, int(max_bytes))
        self._sizeof = sizeof
        # values are kept as (value, size): cachetools sizes values only, so the pair carries
        # the key's size too
        super().__init__(max(1, self.max_bytes), getsizeof=lambda pair: pair[1])

    def get(self, key, default=None):
        pair = super().get(key, MISSING)
        return default if pair is MISSING else pair[0]

    def put(self, key, value) -> None:
        if self.max_bytes:
            size = self._sizeof(key) + self._sizeof(value) + ENTRY_OVERHEAD
            super().put(key, (value, size))
