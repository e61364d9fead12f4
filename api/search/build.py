"""Building one index version: the Whoosh segments (bulk.py, from analysis.py's bulk analysis),
the term-frequency table, the per-document tables, the spelling vocabulary, the autocomplete
table and the store snapshot, all into one directory. The serving side (whoosh_backend.py) only
reads what this writes; the two share the format through format.py alone.
"""

import json
import os
import pickle
import time
from collections import defaultdict
from pathlib import Path

from ..content.snapshot import write_snapshot
from ..gcpause import collector_paused
from . import index_documents, vocabulary
from .format import (
    FREQUENCIES_FILE,
    META_FILE,
    NAME_SEPARATOR,
    SCHEMA_VERSION,
    STORE_FILE,
    SUGGEST_FILE,
    TABLES_FILE,
    VOCABULARY_FILE,
    DocTables,
)
from .query import name_terms, names_of
from .scoring import FieldStats
from .suggest import PrefixTable

BUILD_STEPS = 4  # progress(n) after each: prefixes and snapshot, postings, tables, vocabulary


def build(store, target: Path, procs: int = 1, progress=None) -> int:
    """Write a complete index for `store` into the empty directory `target`."""
    with collector_paused():  # see gcpause; the forked writers inherit the pause
        return _build(store, Path(target), procs, progress)


def _build(store, target: Path, procs: int, progress) -> int:
    from .bulk import create_index, write_index  # Whoosh's writer and numpy: only to build

    ix = create_index(target)
    documents = list(index_documents(store))
    step = progress or (lambda done: None)

    named = {}

    def meanwhile():  # what needs only the store: done while the forked writers work
        save_prefixes(store, target)
        write_snapshot(store, target / STORE_FILE)
        named.update(document_tables(documents))
        step(1)

    written = write_index(ix, documents, procs=procs, meanwhile=meanwhile)
    written.frequencies.save(target / FREQUENCIES_FILE)
    step(2)
    save_tables(target, DocTables(FieldStats.from_lengths(written.lengths), **named))
    step(3)
    vocabulary.save(target / VOCABULARY_FILE, written.words, written.stems)
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


def save_prefixes(store, path: Path) -> None:
    """The autocomplete table, built from the same store and saved with the index."""
    table = PrefixTable(
        (name, e.type, e.slug, name == e.title)
        for e in store.public_entries()
        for name in (e.title, *getattr(e, "also_known_as", ()))
    )
    with open(path / SUGGEST_FILE, "wb") as handle:
        pickle.dump(table, handle, protocol=pickle.HIGHEST_PROTOCOL)


def document_tables(documents: list[dict]) -> dict:
    """DocTables' fields but `stats`, from the documents alone (their numbers in the index
    follow this order; each segment writes its range in order): nothing is read back from the
    index, so it is computed while the writers work (tests compare it with what Whoosh stores)."""
    keys, by_type, by_tag = {}, defaultdict(set), defaultdict(set)
    for docnum, document in enumerate(documents):
        keys[docnum] = document["key"]
        by_type[document["type"]].add(docnum)
        for tag in filter(None, document["tags"].split(",")):
            by_tag[tag].add(docnum)
    names, surfaces, short, longest = defaultdict(set), defaultdict(set), [], 0
    for docnum, document in enumerate(documents):  # document numbers follow this order
        texts = []
        for part in (document["title"], *filter(None, document["aka"].split(" ; "))):
            terms, words = names_of(part)  # each name analysed once
            texts.append(" ".join(terms))
            if terms:
                names[NAME_SEPARATOR.join(terms)].add(docnum)
                surfaces[NAME_SEPARATOR.join(words)].add(docnum)
                longest = max(longest, len(terms), len(words))
        texts.append(" ".join(name_terms(document["summary"])))
        short.append(" " + "  ".join(texts) + " ")
    # strings and tuples: several times faster for a worker to load than tuples and sets
    names = {key: tuple(sorted(docs)) for key, docs in names.items()}
    surfaces = {key: tuple(sorted(docs)) for key, docs in surfaces.items()}
    return {
        "keys": keys,
        "by_type": dict(by_type),
        "by_tag": dict(by_tag),
        "names": names,
        "surfaces": surfaces,
        "longest": longest,
        "short": short,
    }


def save_tables(path: Path, tables: DocTables) -> None:
    with open(path / TABLES_FILE, "wb") as handle:
        pickle.dump(tables, handle, protocol=pickle.HIGHEST_PROTOCOL)
