"""A small least-recently-used cache, one per process (requests only read what it returns)."""

from collections import OrderedDict


class LRU(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or(self, key, compute):
        try:
            self.move_to_end(key)
            return self[key]
        except KeyError:
            value = self[key] = compute()
            if len(self) > self.size:
                self.popitem(last=False)
            return value
