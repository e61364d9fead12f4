"""Content manifests for the change feed: what every public entry looked like at one state.

A state is a hash of every public entry's revision and of the removed pages. The revision is
given by the caller (representations.Representations.revision): it covers whatever shows in
the entry's representation, its related entries' summaries included, so an entry whose page
changed because a related page was renamed, retitled or unpublished is listed as changed. Each
start records the manifest of its state under INDEX_DIR/manifests/, so a client's cursor (an old
state) can be compared with the current one. Manifests are small and kept for the last
KEEP_MANIFESTS states; an older or unknown cursor asks the client to sync from scratch.
"""

import hashlib
import os
from pathlib import Path

import orjson

from .store import Store

KEEP_MANIFESTS = 50
FORMAT = 2  # of a revision: a change here makes every cached manifest stale
SHAPE = ("entries", "gone")  # the parts a recorded manifest must have to be compared with


def build_manifest(store: Store, revision) -> dict:
    entries = {
        f"{e.type}:{e.slug}": [revision(e), e.updated.isoformat()] for e in store.public_entries()
    }

    def target(gone):  # a rename to a page that is not public (yet) must not reveal it
        if gone.moved_to and gone.moved_to[1] in store.public[gone.moved_to[0]]:
            return ":".join(gone.moved_to)
        return None

    gone = {f"{g.type}:{g.slug}": [g.date.isoformat(), target(g)] for g in store.gone.values()}
    canonical = orjson.dumps([entries, gone], option=orjson.OPT_SORT_KEYS)
    state = hashlib.sha256(canonical).hexdigest()[:16]
    return {"state": state, "entries": entries, "gone": gone}


def cached_manifest(store: Store, path: Path, revision, salt: str = "") -> dict:
    """build_manifest(store, revision), kept in `path` (beside this content version's snapshot):
    it depends on the store and `salt` (the settings revisions read, e.g. the site URL) alone,
    and building it is a third of a start-up from the snapshot at scale."""
    tag = f"{store.version}|{FORMAT}|{salt}"
    try:
        saved = orjson.loads(path.read_bytes())
        if saved["version"] == tag:
            return saved["manifest"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    manifest = build_manifest(store, revision)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_bytes(orjson.dumps({"version": tag, "manifest": manifest}))
    os.replace(temporary, path)
    return manifest


def record_manifest(manifest: dict, index_dir) -> None:
    directory = Path(index_dir) / "manifests"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{manifest['state']}.json"
    if not path.exists():
        temporary = path.with_suffix(f".tmp-{os.getpid()}")
        temporary.write_bytes(orjson.dumps(manifest))
        os.replace(temporary, path)
    old = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in old[KEEP_MANIFESTS:]:
        stale.unlink(missing_ok=True)


def read_manifest(index_dir, state: str) -> dict | None:
    """The recorded manifest of `state`; None if unknown or damaged (the client syncs again)."""
    try:
        saved = orjson.loads((Path(index_dir) / "manifests" / f"{state}.json").read_bytes())
    except (OSError, ValueError):
        return None
    valid = isinstance(saved, dict) and all(isinstance(saved.get(k), dict) for k in SHAPE)
    return saved if valid else None
