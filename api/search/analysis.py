"""A range of documents analysed at once, for bulk.py: every field's postings grouped by term,
and the spelling vocabulary's document frequencies.

Each text is split on whitespace and its tokens numbered by one dict lookup each (a C loop);
each distinct token is then analysed once (query.FORMS, the analysis index_terms does, and the
vocabulary's words), and everything per occurrence after that (expanding tokens into terms,
grouping positions by term and document, counting words once per text) is numpy over whole
arrays, where a Python loop per posting cost most of the build. The output is what Whoosh's
add_document would index: a test compares the index bulk.py writes from it with one written by
add_document.
"""

from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain

import numpy as np
from whoosh.analysis import IDTokenizer
from whoosh.formats import Existence

from .format import FastPositions
from .frequencies import FrequencyTable
from .query import FORMS, normalize
from .vocabulary import WORD, same_tokens


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


def analyse(schema, documents: list[dict]) -> tuple[dict, dict, Counter]:
    """({field: Postings}, {field: [length per document]}, vocabulary counts as
    vocabulary.count_words gives them: title, aka and summary are one text, the body another)."""
    tokens = _Numbers()  # a whitespace-separated token → its number
    number = tokens.__getitem__
    positional = [n for n in sorted(schema.names()) if isinstance(schema[n].format, FastPositions)]
    flat = {name: (array("I"), array("I")) for name in positional}  # token numbers, per document
    counted = {name: array("B") for name in positional}  # whether they count for the vocabulary
    tables = defaultdict(lambda: defaultdict(list))
    lengths = defaultdict(lambda: [0] * len(documents))  # a field a document lacks: length 0
    odd_tokens, odd_texts = array("I"), array("I")  # vocabulary texts that needed normalising
    indexed = {}  # (field, value) → _index(field, value), for the values that repeat
    for docnum, document in enumerate(documents):
        same = {}
        for name in positional:  # FastPositions.word_values, in bulk
            value = document.get(name) or ""
            found = list(map(number, value.lower().split()))
            numbers, counts = flat[name]
            numbers.fromlist(found)  # from a list: a generator is extended item by item
            counts.append(len(found))
            same[name] = same_tokens(value)
        for name, value in document.items():
            if name not in flat:  # the few ID and keyword values: Whoosh's own analysis
                found = indexed.get((name, value))
                if found is None:
                    found = _index(schema[name], value)
                    if not schema[name].unique:  # a type's or tags' value repeats
                        indexed[name, value] = found
                for term, weight, vbytes in found[1]:
                    tables[name][term].append((docnum, weight, vbytes))
                lengths[name][docnum] = found[0]
        # the vocabulary's tokens are these same ones in (almost all) text; see same_tokens
        head_same = all(same[name] for name in HEAD)
        for name in positional:
            counted[name].append(same[name] if name == "body" else head_same)
        for text, odd in ((docnum * 2, not head_same), (docnum * 2 + 1, not same["body"])):
            if odd:
                parts = HEAD if text % 2 == 0 else ("body",)
                value = " ".join(document.get(n) or "" for n in parts)
                found = list(map(number, normalize(value).split()))
                odd_tokens.fromlist(found)
                odd_texts.fromlist([text] * len(found))
    # each distinct token analysed once: its terms (query.FORMS) and its vocabulary words
    token_list, terms, words = list(tokens), _Numbers(), _Numbers()
    term_lists = _csr([tuple(map(terms.__getitem__, FORMS[t])) for t in token_list])
    word_lists = _csr([tuple(map(words.__getitem__, WORD.findall(t))) for t in token_list])
    rank, ordered = _ranks(list(terms))
    postings = {name: Postings.from_table(table) for name, table in tables.items()}
    vocabulary = [(np.frombuffer(odd_tokens, np.uint32), np.frombuffer(odd_texts, np.uint32))]
    for name, (numbers, counts) in flat.items():
        numbers = np.frombuffer(numbers, np.uint32)
        documents_of = np.repeat(
            np.arange(len(counts), dtype=np.uint32), np.frombuffer(counts, np.uint32)
        )
        found, owner = _expand(term_lists, numbers)
        sizes = np.bincount(documents_of[owner], minlength=len(counts))
        lengths[name] = sizes.tolist()
        postings[name] = _group(rank[found], documents_of[owner], sizes, ordered)
        keep = np.frombuffer(counted[name], np.uint8).astype(bool)[documents_of]
        texts = documents_of * 2 + (name == "body")
        vocabulary.append((numbers[keep], texts[keep]))
    return postings, dict(lengths), _document_frequencies(word_lists, vocabulary, list(words))


def _index(field, value) -> tuple[int, list[tuple[str, float, bytes]]]:
    """(length, [(term, weight, value)]) of `value` in an ID or keyword field, by the field's own
    analysis (Whoosh's field.index; for a whole-value ID field, what it gives without its
    token objects: a tenth of a writer's analysis at MedQuAD's 5,486 keys)."""
    if type(field.analyzer) is IDTokenizer and type(field.format) is Existence:
        return int(bool(field.scorable)), [(value, field.format.field_boost, b"")]
    length, found = 0, []
    for btext, frequency, weight, vbytes in field.index(value):
        found.append((btext.decode("utf-8"), weight, vbytes))
        length += frequency if field.scorable else 0
    return length, found


HEAD = ("title", "aka", "summary")  # one vocabulary text; the body is the other


def _csr(lists: list[tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sizes, offsets, values) of a list of lists, for _expand."""
    sizes = np.fromiter(map(len, lists), np.int64, len(lists))
    values = np.fromiter(chain.from_iterable(lists), np.uint32, int(sizes.sum()))
    return sizes, np.cumsum(sizes) - sizes, values


def gather(starts: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indexes of the slices [starts[i], starts[i] + sizes[i]) one after another, and for each
    index the number i of its slice."""
    owner = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    within = np.arange(len(owner), dtype=np.int64) - (np.cumsum(sizes) - sizes)[owner]
    return starts[owner] + within, owner


def _expand(lists: tuple, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each key replaced by its list, in order: (values, the index of the key of each)."""
    sizes, offsets, values = lists
    index, owner = gather(offsets[keys], sizes[keys])
    return values[index], owner


def _ranks(terms: list[str]) -> tuple[np.ndarray, list[str]]:
    """Each term number's rank in term order, and the terms in that order."""
    order = sorted(range(len(terms)), key=terms.__getitem__)
    rank = np.empty(len(terms), np.uint32)
    rank[np.array(order, np.int64)] = np.arange(len(terms), dtype=np.uint32)
    return rank, [terms[i] for i in order]


def _group(ranks: np.ndarray, documents: np.ndarray, sizes: np.ndarray, terms: list[str]):
    """Postings from every term occurrence's rank and document, in text order (`sizes` terms
    per document)."""
    if not len(ranks):
        return Postings([], [0], [], [], [])
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


def _document_frequencies(word_lists: tuple, texts: list, words: list[str]) -> Counter:
    """In how many texts each word occurs, from (token numbers, their text numbers) pairs."""
    if not words:
        return Counter()
    tokens = np.concatenate([t for t, _ in texts]).astype(np.int64)
    numbers = np.concatenate([n for _, n in texts]).astype(np.uint64)
    found, owner = _expand(word_lists, tokens)
    pairs = np.sort((numbers[owner] << np.uint64(32)) | found)
    # a word counts once per text (np.unique hashes: several times slower than this)
    pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
    found = np.bincount((pairs & np.uint64(0xFFFFFFFF)).astype(np.int64), minlength=len(words))
    return Counter({word: n for word, n in zip(words, found.tolist(), strict=True) if n})


def merge_frequencies(parts: list[dict]) -> FrequencyTable:
    """One table from each segment's {field: (terms, bounds, docnums, frequencies)}, the
    segments in document order: a segment's postings in term order, term i's at [bounds[i],
    bounds[i + 1]) of its numpy arrays. A term's postings end up in segment order, so in
    document order."""
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
