"""The on-disk index's life cycle: named by content hash, built once, swapped in atomically.

INDEX_DIR/<content version>-<schema version>/ holds one complete index. A build writes into a
temporary sibling directory and renames it into place, under a file lock, so concurrent
processes (gunicorn workers without preload, a CLI reindex) build it once and readers only ever
see a finished index. A missing or corrupt index is rebuilt from the store, never a 500.
"""

import fcntl
import gc
import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import create_in

from ..content.snapshot import write_snapshot
from ..gcpause import collector_paused
from . import index_documents, vocabulary
from .frequencies import FREQUENCIES_FILE
from .whoosh_backend import (
    VOCABULARY_FILE,
    WhooshBackend,
    make_schema,
    save_prefixes,
    save_tables,
)

SCHEMA_VERSION = "s8"  # bump when the schema or analysis changes: forces a rebuild
META_FILE = "meta.json"
MANIFEST_FILE = "manifest.json"  # the change feed's manifest of this version (content.manifest)
STORE_FILE = "store.pickle"  # the rendered store of this content version (see content.snapshot)
BUILD_STEPS = 4  # progress(n) after each: prefixes and snapshot, postings, tables, vocabulary
KEEP_OLD = 2  # older index directories kept for processes still reading them
log = logging.getLogger(__name__)


def index_path(index_dir: Path, version: str) -> Path:
    return Path(index_dir) / f"{version}-{SCHEMA_VERSION}"


@contextmanager
def _locked(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(store, target: Path, procs: int = 1, progress=None) -> int:
    """Write a complete index for `store` into the empty directory `target`."""
    with collector_paused():  # see gcpause; the forked writers inherit the pause
        return _build(store, target, procs, progress)


def _build(store, target: Path, procs: int, progress) -> int:
    from .bulk import write_index  # Whoosh's writing machinery: only loaded to build

    ix = create_in(str(target), make_schema())
    documents = list(index_documents(store))
    step = progress or (lambda done: None)

    def meanwhile():  # what needs only the store: done while the forked writers work
        save_prefixes(store, target)
        write_snapshot(store, target / STORE_FILE)
        step(1)

    words, stems, frequencies = write_index(ix, documents, procs=procs, meanwhile=meanwhile)
    frequencies.save(target / FREQUENCIES_FILE)
    step(2)
    save_tables(target, documents)
    step(3)
    vocabulary.save(target / VOCABULARY_FILE, words, stems)
    count = len(documents)
    meta = {
        "documents": count,
        "content_version": store.version,
        "schema": SCHEMA_VERSION,
        "built_by": f"{os.getpid()}@{time.time():.6f}",  # tells builds apart in tests and logs
    }
    (target / META_FILE).write_text(json.dumps(meta))  # written last: marks a complete build
    step(BUILD_STEPS)
    return count


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


def _swap_in(store, index_dir: Path, path: Path, procs: int, progress) -> None:
    temporary = Path(tempfile.mkdtemp(prefix=".build-", dir=index_dir))
    try:
        build(store, temporary, procs=procs, progress=progress)
        if path.exists():  # a corrupt copy: move it aside first, then rename ours in
            trash = Path(tempfile.mkdtemp(prefix=".trash-", dir=index_dir))
            path.rename(trash / "old")
            shutil.rmtree(trash, ignore_errors=True)
        temporary.rename(path)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _prune(index_dir: Path, current: Path) -> None:
    old = [p for p in index_dir.iterdir() if p.is_dir() and p != current]
    old.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in [p for p in old if p.name.startswith(".")] + old[KEEP_OLD:]:
        shutil.rmtree(stale, ignore_errors=True)


def open_or_build(store, index_dir, time_limit=0.5, procs=1, force=False, progress=None):
    """A backend over the index for `store`, building (or rebuilding) it when needed."""
    index_dir = Path(index_dir)
    path = index_path(index_dir, store.version)
    if not force and (backend := _usable(path, store, time_limit)):
        return backend
    with _locked(index_dir):
        # another process may have finished building while this one waited for the lock
        if force or not (backend := _usable(path, store, time_limit)):
            _swap_in(store, index_dir, path, procs, progress)
            _prune(index_dir, path)
            backend = WhooshBackend(path, store, time_limit)
    return backend
