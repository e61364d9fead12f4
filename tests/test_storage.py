"""local:// (partners/storage.py): limits' fixed window on an in-process store, no timer."""

import threading
import time

from limits import parse
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from api.partners import storage


def test_registered_with_limits_through_its_public_interface():
    local = storage_from_string("local://")
    assert isinstance(local, storage.LocalStorage) and isinstance(local, Storage)
    assert local.check() is True


def test_fixed_window_counts_and_expires(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(storage.time, "time", lambda: now[0])
    limiter = FixedWindowRateLimiter(storage.LocalStorage())
    item = parse("2 per minute")
    assert limiter.hit(item, "ip:a") and limiter.hit(item, "ip:a")
    assert not limiter.hit(item, "ip:a") and not limiter.test(item, "ip:a")
    assert limiter.test(item, "ip:b")  # another client, another counter
    now[0] += 61
    assert limiter.test(item, "ip:a") and limiter.hit(item, "ip:a")


def test_expired_counters_are_swept_inline(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(storage.time, "time", lambda: now[0])
    local = storage.LocalStorage()
    for n in range(500):
        local.incr(f"k{n}", 1)
    now[0] += 2
    for _ in range(storage.SWEEP_EVERY):
        local.incr("fresh", 60)
    assert set(local.counters) == {"fresh"}
    assert local.get("fresh") == storage.SWEEP_EVERY
    local.clear("fresh")
    assert local.get("fresh") == 0 and local.reset() == 0


def test_no_thread_is_started():
    before = threading.active_count()
    local = storage.LocalStorage()
    for n in range(2000):
        local.incr(f"k{n % 7}", 60)
    time.sleep(0.05)
    assert threading.active_count() == before


def test_incr_with_expiry_tells_the_count_and_the_windows_end(monkeypatch):
    """What the limiter reads for its headers (api/partners/ratelimit.py), in one call: the
    same count incr returns, and the end get_expiry tells."""
    now = [1000.0]
    monkeypatch.setattr(storage.time, "time", lambda: now[0])
    local = storage.LocalStorage()
    assert local.incr_with_expiry("k", 60) == (1, 1060.0)
    now[0] += 30
    assert local.incr_with_expiry("k", 60) == (2, 1060.0)
    assert local.incr("k", 60) == 3 and local.get_expiry("k") == 1060.0
    now[0] += 31  # the window ended: a new one starts from this request
    assert local.incr_with_expiry("k", 60) == (1, 1121.0)
