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


def copy_inherited_objects() -> int:
    """Give this (forked) process its own copy of every page holding an inherited container.

    Reading a Python object writes its reference count, so a worker's first touch of each page
    it shares with the master costs a copy-on-write fault; a first search touches hundreds
    (postings tables, field lengths, entries, the vocabulary), which measured a quarter of its
    time. Listing every object here takes those faults at once, before the worker serves (80 ms
    at MedQuAD's size), in exchange for the private memory the pages would have taken anyway as
    the worker served. Returns how many objects were touched.
    """
    with collector_paused():
        gc.unfreeze()  # the inherited objects were frozen before the fork (gunicorn.conf.py)
        count = len(gc.get_objects())  # the list holds a reference to each: a write per object
        # Frozen again, with what this worker allocated so far (its view of the index, opened
        # for its lifetime): the collector never walks them, so never writes to those pages.
        gc.freeze()
    return count
