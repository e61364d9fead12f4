"""The index on disk: reused when content is unchanged, rebuilt when changed or corrupt, built
once under concurrency, never written by searches."""

import json
import multiprocessing
import os
import subprocess
import sys

import pytest

from api.content.loader import load_store
from api.search import SearchRequest
from api.search.index import META_FILE, index_path, open_or_build
from api.search.query import parse_query

from .conftest import PACK, ROOT


def knee(backend):
    result = backend.search(SearchRequest(parse_query("knee", 200, 12), (), None, 1, 10))
    return sorted(hit.slug for hit in result.hits)


def built_by(path):
    return json.loads((path / META_FILE).read_text())["built_by"]


@pytest.fixture
def store():
    return load_store(PACK)


def test_reused_when_content_is_unchanged(store, tmp_path):
    first = open_or_build(store, tmp_path)
    second = open_or_build(store, tmp_path)
    assert first.path == second.path == index_path(tmp_path, store.version)
    assert built_by(first.path) == built_by(second.path)
    assert second.document_count() == store.count() == 6


def test_rebuilt_under_a_new_name_when_content_changes(pack_copy, tmp_path):
    old = open_or_build(load_store(pack_copy), tmp_path)
    article = pack_copy / "articles" / "low-mood-and-sleep.md"
    article.write_text(article.read_text().replace("Sleep and mood are linked.", "Knee sleep."))
    new = open_or_build(load_store(pack_copy), tmp_path)
    assert new.path != old.path and old.path.exists()  # old kept for readers still using it
    assert "low-mood-and-sleep" in knee(new) and "low-mood-and-sleep" not in knee(old)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".build")]
    assert leftovers == []


@pytest.mark.parametrize("damage", ["empty", "truncated_toc", "truncated_segment", "no_meta"])
def test_missing_or_corrupt_index_is_rebuilt(store, tmp_path, damage):
    path = open_or_build(store, tmp_path).path
    before = built_by(path)
    if damage == "empty":
        for file in path.iterdir():
            file.unlink()
    elif damage == "no_meta":
        (path / META_FILE).unlink()
    else:
        pattern = "*.toc" if damage == "truncated_toc" else "*.seg"
        for file in path.glob(pattern):
            file.write_bytes(file.read_bytes()[:20])
    backend = open_or_build(store, tmp_path)
    assert knee(backend) == ["knee-injection", "knee-pain", "knee-pain-basics"]
    if damage != "no_meta":
        assert built_by(backend.path) != before


def _open_in_child(index_dir, queue):
    backend = open_or_build(load_store(PACK), index_dir)
    queue.put((built_by(backend.path), knee(backend)))


def test_concurrent_processes_build_once(tmp_path):
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [context.Process(target=_open_in_child, args=(tmp_path, queue)) for _ in range(3)]
    for child in children:
        child.start()
    results = [queue.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=60)
    assert len({builder for builder, _ in results}) == 1
    assert all(hits == ["knee-injection", "knee-pain", "knee-pain-basics"] for _, hits in results)


def test_searches_never_write_to_the_index(store, tmp_path):
    backend = open_or_build(store, tmp_path)

    def snapshot():
        return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in backend.path.iterdir()}

    before = snapshot()
    for word in ("knee", "walking", "kne", "mood sleep", '"knee pain"'):
        backend.search(SearchRequest(parse_query(word, 200, 12), (), None, 1, 10))
    assert snapshot() == before


def test_searcher_is_reopened_after_fork(store, tmp_path):
    backend = open_or_build(store, tmp_path)
    parent = backend._open()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: must not reuse the parent's searcher (shared file offsets)
        os.write(write, b"1" if backend._open() is not parent else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert backend._open() is parent


def test_a_forked_worker_shares_the_tables_the_master_loaded(store, tmp_path):
    """The per-document tables are read once, before forking: a worker's own view of the index
    (opened after the fork) uses the master's copy, and searches with it."""
    backend = open_or_build(store, tmp_path)
    tables = backend.tables
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            index = backend._open()
            shared = index.keys is tables.keys and index.stats is tables.stats
            ok = shared and knee(backend) == ["knee-injection", "knee-pain", "knee-pain-basics"]
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert backend._open().short is tables.short


def test_cli_reindex_rebuilds_with_progress(tmp_path):
    env = {**os.environ, "CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "search", "reindex"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Indexing" in result.stdout
    assert "Indexed 6 documents" in result.stdout
