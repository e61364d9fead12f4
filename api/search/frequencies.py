"""Term frequencies per document, written with the Whoosh index from the same analysis and
saved beside it: what BM25F scoring (scoring.py) reads.

Whoosh keeps a posting list in pickled blocks together with every posting's positions, so
reading one back for scoring unpickles all of it; each worker did that the first time it saw a
word (tens of milliseconds for a common word at MedQuAD's size). This table holds only the
(document, frequency) pairs of the scored fields, as two flat arrays for the whole index (8 bytes
a posting), loaded once in the master before forking: every worker shares the same pages and
turns a term's slice into a dict in C. Whoosh still answers phrase queries and holds the stored
fields and lengths; a test checks this table against Whoosh's own postings.
"""

import pickle
from pathlib import Path

FREQUENCIES_FILE = "frequencies.pickle"


class FrequencyTable:
    def __init__(self, ranges: dict, docs: bytes, weights: bytes):
        self.ranges = ranges  # {field: {term: (start, count)}}
        self.raw = (docs, weights)
        self._docs = memoryview(docs).cast("I")
        self._weights = memoryview(weights).cast("f")

    def postings(self, field: str, term: str) -> dict:
        """{docnum: frequency} of `term` in `field` (empty if absent)."""
        start, count = self.ranges.get(field, {}).get(term, (0, 0))
        end = start + count
        return dict(zip(self._docs[start:end], self._weights[start:end], strict=True))

    def count(self, field: str, term: str) -> int:
        """How many documents have `term` in `field` (no postings read)."""
        return self.ranges.get(field, {}).get(term, (0, 0))[1]

    def save(self, path: Path) -> None:
        with open(path, "wb") as handle:
            pickle.dump((self.ranges, *self.raw), handle, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: Path) -> "FrequencyTable":
        with open(path, "rb") as handle:
            return cls(*pickle.load(handle))


def merge(parts: list[dict]) -> FrequencyTable:
    """One table from each segment's {field: (terms, bounds, docnums, frequencies)}, the
    segments in document order: a segment's postings in term order, term i's at [bounds[i],
    bounds[i + 1]) of its numpy arrays. A term's postings end up in segment order, so in
    document order. Build time only: numpy is imported here, never by a serving process."""
    import numpy as np

    from .analysis import gather

    docs, weights, ranges, offset = [], [], {}, 0
    for field in sorted(set().union(*parts)):
        present = [part[field] for part in parts if field in part]
        terms = sorted(set().union(*(part_terms for part_terms, *_ in present)))
        number = {term: i for i, term in enumerate(terms)}
        keys, starts, sizes, base = [], [], [], 0
        for segment, (part_terms, bounds, part_docs, _) in enumerate(present):
            bounds = np.asarray(bounds, np.int64)
            found = np.fromiter(map(number.__getitem__, part_terms), np.int64, len(part_terms))
            keys.append(found * len(present) + segment)  # by term, then segment
            starts.append(bounds[:-1] + base)
            sizes.append(np.diff(bounds))
            base += len(part_docs)
        order = np.argsort(np.concatenate(keys), kind="stable")
        keys, starts, sizes = (np.concatenate(x)[order] for x in (keys, starts, sizes))
        index, _ = gather(starts, sizes)  # the slices, in that order
        docs.append(np.concatenate([part[2] for part in present])[index])
        weights.append(np.concatenate([part[3] for part in present])[index])
        counts = np.bincount(keys // len(present), weights=sizes, minlength=len(terms))
        counts = counts.astype(np.int64)
        firsts = np.cumsum(counts) - counts + offset
        pairs = zip(firsts.tolist(), counts.tolist(), strict=True)
        ranges[field] = dict(zip(terms, pairs, strict=True))
        offset += len(docs[-1])
    if not docs:
        return FrequencyTable({}, b"", b"")
    docs = np.concatenate(docs).astype(np.uint32).tobytes()
    return FrequencyTable(ranges, docs, np.concatenate(weights).astype(np.float32).tobytes())
