"""Opening the index for a store: the version's directory (versions.py) if it is usable, else a
new build (build.py) swapped in atomically. A missing or corrupt index is rebuilt from the
store, never a 500.
"""

import gc
import logging
import warnings
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from . import versions
from .build import BUILD_STEPS, build
from .format import MANIFEST_FILE, META_FILE, SCHEMA_VERSION, STORE_FILE
from .whoosh_backend import WhooshBackend

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


def _probe(searcher) -> None:
    """Read a little of everything (stored fields, a term's postings): damage shows up here."""
    if searcher.doc_count():
        searcher.stored_fields(0)
        reader = searcher.reader()
        for term in reader.lexicon("body"):
            list(reader.postings("body", term).all_ids())
            break


def _usable(path: Path, store, time_limit: float) -> WhooshBackend | None:
    """Open and probe an existing index; None if it is missing, incomplete or corrupt."""
    if not (path / META_FILE).is_file():
        return None
    # Whoosh leaves a broken file open when it fails to read it; such files are released here,
    # quietly, rather than warned about at some later garbage collection.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            # a cheap probe in this (master) process; workers open their own after forking.
            # Plain reads, as the workers read: mapping the files took ten times as long here.
            storage = FileStorage(str(path), readonly=True, supports_mmap=False)
            with storage.open_index().searcher() as searcher:
                if searcher.doc_count() != store.count():
                    raise ValueError("document count differs from the store")
                _probe(searcher)
            return WhooshBackend(path, store, time_limit)
        except Exception as exc:  # noqa: BLE001 - any failure to open means "rebuild"
            reason = f"{type(exc).__name__}: {exc}"  # a string: kept log records pin nothing
        gc.collect()
    log.warning("search index %s unusable (%s); rebuilding", path, reason)
    return None


def open_or_build(store, index_dir, time_limit=0.5, procs=1, force=False, progress=None):
    """A backend over the index for `store`, building (or rebuilding) it when needed."""
    path = versions.path_of(index_dir, store.version)
    if not force and (backend := _usable(path, store, time_limit)):
        return backend
    with versions.locked(index_dir):
        # another process may have finished building while this one waited for the lock
        if force or not (backend := _usable(path, store, time_limit)):
            versions.create(
                index_dir, store.version, lambda target: build(store, target, procs, progress)
            )
            versions.prune(index_dir, path)
            backend = WhooshBackend(path, store, time_limit)
    return backend
