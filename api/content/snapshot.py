"""A pickled copy of a validated, rendered Store, kept beside the search index of its version.

Rendering 5,000 Markdown documents takes seconds; unpickling their result takes a fraction of
that, so a restart with unchanged content reuses it. The snapshot is only ever written for content
that passed validation and is named by that content's hash, so it cannot serve stale or invalid
content. It is read from INDEX_DIR, which only this application writes.
"""

import copyreg
import dataclasses
import json
import logging
import os
import pickle
from datetime import UTC, date, datetime
from pathlib import Path
from types import MappingProxyType

from ..gcpause import collector_paused
from .relations import resolve
from .store import Store

FORMAT = 4  # bump when a stored dataclass changes shape or module
VERSIONS_FILE = "versions.json"  # stat fingerprint → content version, see stat_fingerprint
SEEN_FILE = "seen.json"  # content version → when this deployment first served it
KEEP_VERSIONS = 20
log = logging.getLogger(__name__)


def _proxy(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


copyreg.pickle(MappingProxyType, lambda proxy: (_proxy, (dict(proxy),)))


def write_snapshot(store: Store, path: Path) -> None:
    temporary = path.with_suffix(f".tmp-{os.getpid()}")
    with open(temporary, "wb") as handle:
        pickle.dump((FORMAT, store), handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


def read_snapshot(path: Path, version: str, today: date | None = None) -> Store | None:
    """The snapshot's Store with visibility recomputed for `today`, or None if unusable."""
    try:
        with open(path, "rb") as handle, collector_paused():  # see gcpause
            fmt, store = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - a damaged snapshot only costs a full load
        log.warning("ignoring unreadable store snapshot %s (%s)", path, type(exc).__name__)
        return None
    if fmt != FORMAT or not isinstance(store, Store) or store.version != version:
        return None
    today = today or date.today()
    if store.loaded_on != today:  # scheduled entries may have become public since
        relations = resolve(store.entries, store.tags, today, errors=[])
        store = dataclasses.replace(
            store,
            public=relations.public,
            related=relations.related,
            tagged=relations.tagged,
            loaded_on=today,
        )
    return store


def _read_map(path: Path) -> dict:
    """A JSON object of strings kept in INDEX_DIR; {} if the file is missing or damaged (it is
    only a record of earlier starts: losing it costs one full load, never a start-up)."""
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(saved, dict) or not all(isinstance(v, str) for v in saved.values()):
        log.warning("ignoring damaged %s", path)
        return {}
    return saved


def known_version(index_dir, fingerprint: str) -> str | None:
    """The content version recorded for this fingerprint by an earlier start, if any."""
    return _read_map(Path(index_dir) / VERSIONS_FILE).get(fingerprint)


def remember_version(index_dir, fingerprint: str, version: str) -> None:
    path = Path(index_dir) / VERSIONS_FILE
    known = _read_map(path)
    if known.get(fingerprint) == version:
        return
    known[fingerprint] = version
    known = dict(list(known.items())[-KEEP_VERSIONS:])
    temporary = path.with_suffix(f".tmp-{os.getpid()}")
    temporary.write_text(json.dumps(known))
    os.replace(temporary, path)


def first_seen(index_dir, version: str) -> datetime:
    """When this deployment first served content `version` (recorded on first sight).

    Last-Modified is this time: editorial dates do not move when a related page, a draft's
    status or an undated edit changes a response, and If-Modified-Since must never answer 304
    to a changed representation."""
    path = Path(index_dir) / SEEN_FILE
    seen = _read_map(path)
    try:
        datetime.fromisoformat(seen.get(version, ""))
    except ValueError:
        seen.pop(version, None)  # a damaged time: recorded again
    if version not in seen:
        seen[version] = datetime.now(UTC).replace(microsecond=0).isoformat()
        seen = dict(list(seen.items())[-KEEP_VERSIONS:])
        temporary = path.with_suffix(f".tmp-{os.getpid()}")
        temporary.write_text(json.dumps(seen))
        os.replace(temporary, path)
    return datetime.fromisoformat(seen[version])
