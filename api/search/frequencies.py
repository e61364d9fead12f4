"""Term frequencies per document, written with the Whoosh index from the same analysis and
saved beside it: what BM25F scoring (scoring.py) reads.

Whoosh keeps a posting list in pickled blocks together with every posting's positions, so
reading one back for scoring unpickles all of it; each worker did that the first time it saw a
word (tens of milliseconds for a common word at MedQuAD's size). This table holds only the
(document, frequency) pairs of the scored fields, as two flat arrays for the whole index (8 bytes
a posting), loaded once in the master before forking: every worker shares the same pages and
turns a term's slice into a dict in C. Whoosh still answers phrase queries and holds the stored
fields and lengths; a test checks this table against Whoosh's own postings. The build makes it
with analysis.merge_frequencies; this module only holds, saves and reads it.
"""

import pickle
from pathlib import Path


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
