"""`local://`: in-process fixed-window counters for the rate limits, without a timer thread.

limits' own `memory://` starts a short-lived threading.Timer (about every 10 ms under load) to
expire keys, and each start waits for the new thread to get the GIL from the request being
served: measured in benchmarks/README.md, it cost more than the rest of the limiter. This is a
storage written to limits' documented extension point (subclass `limits.storage.Storage`,
implement its abstract methods; the `STORAGE_SCHEME` registers it): expired counters are
dropped when read and swept inline once every SWEEP_EVERY increments, so memory stays bounded.
Per process, like `memory://`; fixed-window only (the default strategy): a moving or sliding
window needs `memory://` or a shared store.
"""

import threading
import time

from limits.storage import Storage

SWEEP_EVERY = 1000


class LocalStorage(Storage):
    STORAGE_SCHEME = ["local"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.counters: dict[str, list] = {}  # key → [count, expires at (epoch seconds)]
        self.lock = threading.Lock()
        self.increments = 0

    @property
    def base_exceptions(self):
        return ValueError

    def _live(self, key: str, now: float) -> list | None:
        counter = self.counters.get(key)
        if counter is not None and counter[1] <= now:
            del self.counters[key]
            return None
        return counter

    def _sweep(self, now: float) -> None:
        for key in [k for k, (_, expires) in self.counters.items() if expires <= now]:
            del self.counters[key]

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        return self.incr_with_expiry(key, expiry, amount)[0]

    def incr_with_expiry(self, key: str, expiry: float, amount: int = 1) -> tuple[int, float]:
        """`incr` that also tells when the window ends (epoch seconds), read under the same
        lock: the limiter's headers need both, and asking get_expiry after incr would take the
        lock and look the key up a second time (api/partners/ratelimit.py)."""
        now = time.time()
        with self.lock:
            self.increments += 1
            if self.increments % SWEEP_EVERY == 0:
                self._sweep(now)
            counter = self.counters.get(key)  # _live(), inline: this runs on every request
            if counter is None or counter[1] <= now:  # none yet, or its window has ended
                counter = self.counters[key] = [0, now + expiry]
            counter[0] += amount
            return counter[0], counter[1]

    def get(self, key: str) -> int:
        with self.lock:
            counter = self._live(key, time.time())
            return counter[0] if counter else 0

    def get_expiry(self, key: str) -> float:
        with self.lock:
            counter = self._live(key, time.time())
            return counter[1] if counter else time.time()

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self.lock:
            count = len(self.counters)
            self.counters.clear()
            return count

    def clear(self, key: str) -> None:
        with self.lock:
            self.counters.pop(key, None)
