"""A range of documents analysed at once, for bulk.py: every field's postings grouped by term,
and the spelling vocabulary's document frequencies.

The per-token work is C loops of table lookups (each distinct token is analysed once, by
query.index_terms's own table); everything per occurrence after that (grouping positions by term
and document, counting words once per text) is numpy over whole arrays, where a Python loop per
posting cost most of the build. The output is what Whoosh's add_document would index: a test
compares the index bulk.py writes from it with one written by add_document.
"""

from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain

import numpy as np

from .query import FORMS, normalize
from .vocabulary import WORD, same_tokens
from .whoosh_backend import FastPositions


@dataclass
class Postings:
    """One field's postings in term order: term i's are [bounds[i], bounds[i + 1])."""

    terms: list[str]
    bounds: list[int]
    docnums: list[int]
    weights: list  # a posting's weight: its frequency here
    values: list[bytes]  # its encoded value (positions), as the field's format writes it

    @classmethod
    def from_table(cls, table: dict) -> "Postings":
        """From {term: [(docnum, weight, value)]}, each list in document order."""
        terms = sorted(table)  # code point order is UTF-8 byte order, Whoosh's term order
        bounds, found = [0], []
        for term in terms:
            found += table[term]
            bounds.append(len(found))
        if not found:
            return cls(terms, bounds, [], [], [])
        docnums, weights, values = map(list, zip(*found, strict=True))
        return cls(terms, bounds, docnums, weights, values)


class _Numbers(dict):
    """A key → its number, in order of first sight."""

    def __missing__(self, key):
        number = self[key] = len(self)
        return number


class _Tokens(dict):
    """A whitespace-separated token → the numbers of what `split` finds in it."""

    def __init__(self, split, numbers: _Numbers):
        super().__init__()
        self.split, self.numbers = split, numbers

    def __missing__(self, token: str) -> tuple[int, ...]:
        found = self[token] = tuple(map(self.numbers.__getitem__, self.split(token)))
        return found


def analyse(schema, documents: list[dict]) -> tuple[dict, dict, Counter]:
    """({field: Postings}, {field: [length per document]}, vocabulary counts as
    vocabulary.count_words gives them: title, aka and summary are one text, the body another)."""
    terms, words = _Numbers(), _Numbers()
    token_terms = _Tokens(FORMS.__getitem__, terms).__getitem__
    token_words = _Tokens(WORD.findall, words).__getitem__
    flat = defaultdict(lambda: (array("I"), array("I")))  # field → (term numbers, lengths)
    tables = defaultdict(lambda: defaultdict(list))  # the few ID and keyword fields
    lengths = defaultdict(list)
    text_words, text_counts = array("I"), array("I")  # each text's distinct words' numbers
    for docnum, document in enumerate(documents):
        head, head_same, texts = set(), True, []
        for name, value in document.items():
            field = schema[name]
            if isinstance(field.format, FastPositions):  # its word_values, in bulk
                tokens = value.lower().split()
                found = list(chain.from_iterable(map(token_terms, tokens)))
                numbers, counts = flat[name]
                numbers.fromlist(found)  # from a list: a generator is extended item by item
                counts.append(len(found))
                lengths[name].append(len(found))
                # the vocabulary's tokens are these same ones in (almost all) text
                if name == "body":
                    same = same_tokens(value)
                    texts.append(set(tokens) if same else set(normalize(value).split()))
                else:
                    head.update(tokens)
                    head_same = head_same and same_tokens(value)
            else:  # Whoosh's own analysis
                length = 0
                for btext, frequency, weight, vbytes in field.index(value):
                    tables[name][btext.decode("utf-8")].append((docnum, weight, vbytes))
                    length += frequency if field.scorable else 0
                lengths[name].append(length)
        if not head_same:
            head = set(
                normalize(" ".join(document[n] for n in ("title", "aka", "summary"))).split()
            )
        for tokens in (head, *texts):
            found = list(chain.from_iterable(map(token_words, tokens)))
            text_words.fromlist(found)
            text_counts.append(len(found))
    postings = {name: Postings.from_table(table) for name, table in tables.items()}
    if flat:
        rank, ordered = _ranks(list(terms))
        for name, (numbers, counts) in flat.items():
            postings[name] = _group(rank[np.frombuffer(numbers, np.uint32)], counts, ordered)
    return postings, dict(lengths), _document_frequencies(list(words), text_words, text_counts)


def _ranks(terms: list[str]) -> tuple[np.ndarray, list[str]]:
    """Each term number's rank in term order, and the terms in that order."""
    order = sorted(range(len(terms)), key=terms.__getitem__)
    rank = np.empty(len(terms), np.uint32)
    rank[np.array(order, np.int64)] = np.arange(len(terms), dtype=np.uint32)
    return rank, [terms[i] for i in order]


def _group(ranks: np.ndarray, counts: array, terms: list[str]) -> Postings:
    """Postings from every document's term ranks in text order (`counts` per document)."""
    if not len(ranks):
        return Postings([], [0], [], [], [])
    sizes = np.frombuffer(counts, np.uint32).astype(np.int64)
    documents = np.repeat(np.arange(len(sizes), dtype=np.uint32), sizes)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    positions = (np.arange(len(ranks), dtype=np.int64) - starts).astype(np.uint32)
    # a stable sort by term keeps each term's occurrences in document, then text, order
    order = np.argsort(ranks, kind="stable")
    ranks, documents, positions = ranks[order], documents[order], positions[order]
    # a posting starts wherever the term or the document changes
    edges = np.flatnonzero((ranks[1:] != ranks[:-1]) | (documents[1:] != documents[:-1])) + 1
    first = np.concatenate(([0], edges))
    last = np.concatenate((edges, [len(ranks)]))
    posting_ranks = ranks[first]
    term_starts = np.concatenate(([0], np.flatnonzero(np.diff(posting_ranks)) + 1))
    raw = positions.tobytes()  # FastPositions.encode's format: native uint32s
    values = [raw[a:b] for a, b in zip((first * 4).tolist(), (last * 4).tolist(), strict=True)]
    return Postings(
        terms=[terms[r] for r in posting_ranks[term_starts].tolist()],
        bounds=[*term_starts.tolist(), len(first)],
        docnums=documents[first].tolist(),
        weights=(last - first).tolist(),
        values=values,
    )


def _document_frequencies(words: list[str], numbers: array, counts: array) -> Counter:
    """In how many texts each word occurs, from each text's words' numbers."""
    if not words:
        return Counter()
    sizes = np.frombuffer(counts, np.uint32)
    texts = np.repeat(np.arange(len(sizes), dtype=np.uint64), sizes)
    pairs = np.sort((texts << np.uint64(32)) | np.frombuffer(numbers, np.uint32))
    # a word counts once per text (np.unique hashes: several times slower than this)
    pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
    found = np.bincount((pairs & np.uint64(0xFFFFFFFF)).astype(np.int64), minlength=len(words))
    return Counter({word: n for word, n in zip(words, found.tolist(), strict=True) if n})
