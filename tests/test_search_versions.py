"""search/versions.py: the one owner of INDEX_DIR's layout. Versions are created atomically,
found by name, and pruning removes only directories it created."""

import os
import time

import pytest

from api.content.manifest import record_manifest
from api.search import versions


def _make(index_dir, version, content=b"x"):
    with versions.locked(index_dir):
        return versions.create(index_dir, version, lambda p: (p / "data").write_bytes(content))


def test_create_is_atomic_and_marked(tmp_path):
    path = _make(tmp_path, "v1")
    assert path == versions.path_of(tmp_path, "v1")
    assert (path / "data").read_bytes() == b"x" and versions.is_ours(path)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".build-")] == []


def test_a_failed_build_leaves_nothing_behind(tmp_path):
    def fail(path):
        (path / "half").write_bytes(b"half-written")
        raise RuntimeError("disk full")

    with versions.locked(tmp_path), pytest.raises(RuntimeError):
        versions.create(tmp_path, "v1", fail)
    assert not versions.path_of(tmp_path, "v1").exists()
    assert [p.name for p in tmp_path.iterdir()] == [versions.LOCK_FILE]


def test_a_damaged_version_is_replaced_whole(tmp_path):
    old = _make(tmp_path, "v1", b"old")
    (old / "stray").write_bytes(b"from the damaged copy")
    new = _make(tmp_path, "v1", b"new")
    assert new == old and sorted(p.name for p in new.iterdir()) == [versions.MARKER, "data"]
    assert (new / "data").read_bytes() == b"new"


def test_prune_removes_only_what_it_created(tmp_path):
    # what else lives in INDEX_DIR: the change feed's history, a backup, another tool's files
    record_manifest({"state": "abc", "entries": {}}, tmp_path)
    backup = tmp_path / "backup-2026-11-01"
    backup.mkdir()
    (backup / "meta.json").write_text("{}")  # looks like an index; was not made here
    foreign_dot = tmp_path / ".cache"
    foreign_dot.mkdir()
    (tmp_path / "notes.txt").write_text("operator notes")
    made = []
    for number in range(5):
        made.append(_make(tmp_path, f"v{number}"))
        stamp = time.time() - 100 + number  # older versions have older times
        os.utime(made[-1], (stamp, stamp))
    leftover = versions._marked_directory(tmp_path, ".build-")  # an interrupted build
    current = made[0]  # e.g. a rollback to the oldest content
    with versions.locked(tmp_path):
        removed = versions.prune(tmp_path, current)
    assert set(removed) == {leftover, made[1], made[2]}
    for kept in (current, made[3], made[4], backup, foreign_dot):
        assert kept.is_dir()
    assert (tmp_path / "manifests" / "abc.json").is_file()
    assert (tmp_path / "notes.txt").read_text() == "operator notes"


def test_open_or_build_keeps_the_change_feed_history(pack_copy, tmp_path):
    """Several content changes in a row: old index versions are pruned, manifests/ never."""
    from api.content.loader import load_store
    from api.search.index import open_or_build

    record_manifest({"state": "first", "entries": {}}, tmp_path)
    article = pack_copy / "articles" / "low-mood-and-sleep.md"
    paths = []
    for number in range(4):
        article.write_text(article.read_text() + f"\n\nEdit {number}.\n")
        paths.append(open_or_build(load_store(pack_copy), tmp_path).path)
    assert (tmp_path / "manifests" / "first.json").is_file()
    kept = sorted(p for p in tmp_path.iterdir() if versions.is_ours(p))
    assert paths[-1] in kept and paths[0] not in kept
    assert len(kept) == 1 + versions.KEEP_OLD
