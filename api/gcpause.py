"""Pausing Python's cyclic garbage collector around bulk loading (content, snapshots, index).

Loading content, a snapshot or building the index allocates millions of objects that live on;
with the collector on, every few hundred allocations start a pass, and the older generations'
passes walk everything allocated so far. At MedQuAD's size that was half of a start-up from the
snapshot and a third of an index build. Nothing these steps allocate is cyclic garbage worth
collecting early, so the collector is paused for their duration and then restored as it was.
"""

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
