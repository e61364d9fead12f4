"""BM25F ranking over cached postings: the candidate set is computed with set operations and
only its documents are scored, instead of Whoosh's matcher tree walking every posting per query.

The postings come from the term-frequency table written with the Whoosh index
(frequencies.py); this module only does the arithmetic. Each field
scores BM25 with its own length normalisation, weighted by its boost, summed over the query's
terms (the BM25F family as Whoosh's own BM25F weighting computes it).
"""

import math

K1 = 1.2
B = 0.75


class FieldStats:
    """Per field: every document's length and the average, computed once per index build."""

    def __init__(self, documents: int, lengths: dict, average: dict):
        self.documents = documents
        self.lengths = lengths
        self.average = average

    @classmethod
    def from_lengths(cls, lengths: dict) -> "FieldStats":
        """From {field: [each document's length, by document number]}, as the build learns them
        while writing (bulk.Written.lengths): what from_reader reads back from the index."""
        counts = {len(values) for values in lengths.values()}
        if len(counts) > 1:
            raise ValueError("fields with different document counts")
        by_doc, average = {}, {}
        for field, values in lengths.items():
            by_doc[field] = dict(enumerate(values))
            average[field] = max(1.0, sum(values) / len(values)) if values else 1.0
        return cls(counts.pop() if counts else 0, by_doc, average)

    @classmethod
    def from_reader(cls, reader, fields) -> "FieldStats":
        """Read back from a Whoosh index (what tests compare from_lengths with)."""
        docnums = list(reader.all_doc_ids())
        lengths, average = {}, {}
        for field in fields:
            field_lengths = {d: reader.doc_field_length(d, field, 0) or 0 for d in docnums}
            lengths[field] = field_lengths
            total = sum(field_lengths.values())
            average[field] = max(1.0, total / len(field_lengths)) if field_lengths else 1.0
        return cls(reader.doc_count(), lengths, average)

    def idf(self, document_frequency: int) -> float:
        n = self.documents
        return math.log(1 + (n - document_frequency + 0.5) / (document_frequency + 0.5))


def score_documents(candidates, terms, postings, stats: FieldStats, boosts: dict) -> dict:
    """BM25F score of each candidate for `terms` (stems); `postings(field, term)` → {doc: tf}."""
    scores = dict.fromkeys(candidates, 0.0)
    for term in terms:
        for field, boost in boosts.items():
            found = postings(field, term)
            if not found:
                continue
            weight = boost * stats.idf(len(found)) * (K1 + 1)
            lengths, average = stats.lengths[field], stats.average[field]
            norm = K1 * (1 - B)
            slope = K1 * B / average
            small, large = (found, scores) if len(found) < len(scores) else (scores, found)
            for doc in small:
                if doc in large:
                    tf = found[doc]
                    scores[doc] += weight * tf / (tf + norm + slope * lengths[doc])
    return scores


def best(scores: dict, count: int, keys) -> list:
    """The `count` best (doc, score) pairs, best first, ties in key order (so pages never
    overlap or skip): what sorting every pair by (-score, key) gives, with the key looked up
    only for documents scoring at least the count-th best score, not for every candidate."""
    if count <= 0:
        return []
    items = list(scores.items())
    if len(items) > count:
        threshold = sorted(scores.values(), reverse=True)[count - 1]
        items = [item for item in items if item[1] >= threshold]
    items.sort(key=lambda item: (-item[1], keys[item[0]]))
    return items[:count]
