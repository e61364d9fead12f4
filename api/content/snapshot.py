"""A pickled copy of a validated, rendered Store, kept beside the search index of its version.

Rendering 5,000 Markdown documents takes seconds; unpickling their result takes a fraction of
that, so a restart with unchanged content reuses it. The snapshot is only ever written for content
that passed validation and is named by that content's hash, so it cannot serve stale or invalid
content. It is read from INDEX_DIR, which only this application writes.
"""

import copyreg
import dataclasses
import logging
import os
import pickle
from datetime import date
from pathlib import Path
from types import MappingProxyType

from .relations import resolve
from .store import Store

FORMAT = 1  # bump when a stored dataclass changes shape
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
        with open(path, "rb") as handle:
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
