"""`local://`: Flask-Limiter's in-memory counters without the expiry timer thread.

limits' MemoryStorage starts a short-lived threading.Timer roughly every 10 ms under load to
expire keys, and each one competes for the GIL with the request being served. Expired keys are
already dropped when read, so here the sweep happens inline, once every SWEEP_EVERY increments,
which keeps memory bounded at a fraction of the cost. Per process, like `memory://`.
"""

import time

from limits.storage import MemoryStorage

SWEEP_EVERY = 1000


class LocalStorage(MemoryStorage):
    STORAGE_SCHEME = ["local"]  # registered with limits by the class's metaclass

    def __init__(self, uri: str | None = None, **options):
        super().__init__(uri, **options)
        self.timer.cancel()
        self._increments = 0

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - replaces the timer start
        self._increments += 1
        if self._increments % SWEEP_EVERY == 0:
            now = time.time()
            for key, expiry in list(self.expirations.items()):
                if expiry <= now:
                    self.clear(key)
