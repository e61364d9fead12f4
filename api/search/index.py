"""Opening the index for a store: the version's directory (versions.py) if it is usable, else a
new build (build.py) swapped in atomically. A missing or corrupt index is rebuilt from the
store, never a 500.
"""

import gc
import logging
import warnings
from pathlib import Path

from . import versions
from .build import BUILD_STEPS, build
from .format import MANIFEST_FILE, META_FILE, SCHEMA_VERSION, STORE_FILE
from .whoosh_backend import OpenIndex, WhooshBackend, probe

__all__ = [
    "BUILD_STEPS",
    "MANIFEST_FILE",
    "META_FILE",
    "SCHEMA_VERSION",
    "STORE_FILE",
    "build",
    "index_path",
    "open_or_build",
]
log = logging.getLogger(__name__)
index_path = versions.path_of


def _usable(path: Path, store, time_limit: float, repair=None) -> WhooshBackend | None:
    """Open and probe an existing index; None if it is missing, incomplete or corrupt (any of
    its files: the Whoosh segments, the tables a worker loads, the shared tables)."""
    if not (path / META_FILE).is_file():
        return None
    # Whoosh leaves a broken file open when it fails to read it; such files are released here,
    # quietly, rather than warned about at some later garbage collection.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            backend = WhooshBackend(path, store, time_limit, repair)
            # opened here, in this (master) process, as a worker will open it, then closed: a
            # worker opens its own after forking. Tables included: a damaged one found now is
            # rebuilt now, not in every worker that fails to boot.
            index = OpenIndex(path, backend.frequencies, backend.tables)
            try:
                if index.searcher.doc_count() != store.count():
                    raise ValueError("document count differs from the store")
                probe(index.searcher)
            finally:
                index.close()
            return backend
        except Exception as exc:  # noqa: BLE001 - any failure to open means "rebuild"
            reason = f"{type(exc).__name__}: {exc}"  # a string: kept log records pin nothing
        gc.collect()
    log.warning("search index %s unusable (%s); rebuilding", path, reason)
    return None


def _repairer(store, index_dir, time_limit):
    """What a process whose version cannot be opened (deleted, or damaged, after start-up)
    calls: rebuild it once (whoever takes the lock first), in this process alone (procs=1: no
    forking inside a serving worker)."""

    def repair(progress=None):
        path = versions.path_of(index_dir, store.version)
        with versions.locked(index_dir):
            if not _usable(path, store, time_limit):
                versions.create(index_dir, store.version, lambda t: build(store, t, 1, progress))

    return repair


def open_or_build(store, index_dir, time_limit=0.5, procs=1, force=False, progress=None):
    """A backend over the index for `store`, building (or rebuilding) it when needed. The
    calling process takes a lease on the version (versions.lease): no prune removes it while
    this process runs."""
    path = versions.path_of(index_dir, store.version)
    versions.lease(index_dir, path)  # first: a prune that starts after this keeps the version
    repair = _repairer(store, index_dir, time_limit)
    if not force and (backend := _usable(path, store, time_limit, repair)):
        return backend
    with versions.locked(index_dir):
        # another process may have finished building while this one waited for the lock
        if force or not (backend := _usable(path, store, time_limit, repair)):
            versions.create(
                index_dir, store.version, lambda target: build(store, target, procs, progress)
            )
            versions.prune(index_dir, path)
            backend = WhooshBackend(path, store, time_limit, repair)
    return backend
