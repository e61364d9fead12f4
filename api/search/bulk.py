"""Writing Whoosh segments in one pass, a term's posting list at a time, in parallel.

Whoosh's own writer handles every posting several times in Python: into a sorting pool, out
again, one `add_posting` call each with a field-length lookup. At MedQuAD's 1.2 M postings that
alone took 20 s of the build. Here the postings are grouped per term while the documents are
analysed, and each term's list is handed to Whoosh's postings writer a block (128 postings) at a
time; Whoosh's own code still writes every block, the term table, the per-document columns, the
compound segment file and the TOC, so the result is an ordinary Whoosh index, read by Whoosh's
own reader (tests compare what it reads with an index written by `add_document`).

With `procs` > 1, forked processes each write one segment over a contiguous range of the
documents (as Whoosh's multiprocessing writer does, without its pool merge), and the parent
commits the TOC listing them in order, so document numbers follow the documents' order.
Blocks are stored uncompressed (a W3Codec option): zlib cost a third of the writing, and only
phrase queries read the blocks back (scoring reads frequencies.py's table, collected here from
the same lists).
"""

import multiprocessing
from array import array
from collections import Counter, defaultdict
from itertools import chain, groupby
from operator import sub

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter, W3Segment
from whoosh.writing import SegmentWriter

from .frequencies import FrequencyTable, merge
from .query import normalize, terms_of_tokens
from .vocabulary import count_token_sets, same_tokens
from .whoosh_backend import FIELD_BOOSTS, FastPositions

BLOCK = 128  # postings per block, as Whoosh's W3Codec writes them
MIN_PER_PROCESS = 500  # below this many documents a process costs more than it saves


def _analyse(schema, documents: list[dict]) -> tuple[dict, dict, list]:
    """({field: {term: [(docnum, weight, value bytes)]}}, {field: [length per doc]}, token
    sets): what Whoosh's add_document would put in its pool, grouped by term, and for the
    spelling vocabulary each document's tokens (title, aka and summary as one text; the body)."""
    postings = defaultdict(lambda: defaultdict(list))
    lengths = defaultdict(list)
    token_sets = []
    for docnum, document in enumerate(documents):
        head, head_same = set(), True
        for name, value in document.items():
            field = schema[name]
            table, length = postings[name], 0
            if isinstance(field.format, FastPositions):  # its word_values, without a loop per word
                tokens = value.lower().split()
                terms = terms_of_tokens(tokens)
                # positions grouped by term in C: a stable sort keeps each term's in order
                order = sorted(range(len(terms)), key=terms.__getitem__)
                for term, group in groupby(order, key=terms.__getitem__):
                    where = array("I", group)  # FastPositions.encode's format
                    table[term].append((docnum, len(where), where.tobytes()))
                length = len(terms)
                # the vocabulary's tokens are these same ones in (almost all) text
                if name == "body":
                    same = same_tokens(value)
                    token_sets.append(set(tokens) if same else set(normalize(value).split()))
                else:
                    head.update(tokens)
                    head_same = head_same and same_tokens(value)
            else:  # the few ID and keyword values go through Whoosh's own analysis
                for btext, frequency, weight, vbytes in field.index(value):
                    table[btext.decode("utf-8")].append((docnum, weight, vbytes))
                    length += frequency if field.scorable else 0
            lengths[name].append(length)
        if not head_same:
            text = " ".join((document["title"], document["aka"], document["summary"]))
            head = set(normalize(text).split())
        token_sets.append(head)
    return postings, lengths, token_sets


class _PostingsWriter(W3PostingsWriter):
    """Whoosh's block writer with its two loops per posting (delta-encoding the ids, checking
    the weights) done in C: the same values, so the same bytes."""

    def _mini_ids(self):
        ids = self._ids
        return tuple(ids) if self._byteids else tuple(map(sub, ids, chain((0,), ids)))

    def _mini_weights(self):
        weights, count = self._weights, len(self._weights)
        if weights.count(1.0) == count:
            return None
        if weights.count(weights[0]) == count:
            return weights[0]
        return tuple(weights)


class _Codec(W3Codec):
    """Writes with _PostingsWriter; the segment records a plain W3Codec, so the index opens
    (and reads) with Whoosh alone."""

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def new_segment(self, storage, indexname):
        plain = W3Codec(self._blocklimit, self._compression, self._inlinelimit)
        return W3Segment(plain, indexname)


class BulkWriter(SegmentWriter):
    """A SegmentWriter that takes its documents at once (`write_all`) and writes them grouped."""

    def __init__(self, ix, first_docnum: int = 0, **kwargs):
        super().__init__(ix, codec=_Codec(compression=0), **kwargs)
        self.first_docnum = first_docnum  # this segment's place in the index, for frequencies
        self.frequencies = {}  # {field: {term: (docnums, frequencies)}}, see frequencies.py
        self.words = Counter()  # the spelling vocabulary's counts (vocabulary.count_words)

    def write_all(self, documents: list[dict]) -> None:
        schema = self.schema
        postings, lengths, token_sets = _analyse(schema, documents)
        self.words = count_token_sets(token_sets)  # the spelling vocabulary's counts
        perdoc = self.perdocwriter
        names = sorted(schema.names())
        for docnum, document in enumerate(documents):
            perdoc.start_doc(docnum)
            for name in names:
                if name in document:
                    field = schema[name]
                    stored = document[name] if field.stored else None
                    perdoc.add_field(name, field, stored, lengths[name][docnum])
            perdoc.finish_doc()
        self.docnum = len(documents)
        self._added = bool(documents)
        self._postings = postings

    def _flush_segment(self):
        """Replaces the pool → add_postings path: the grouped postings, term by term."""
        self.perdocwriter.close()
        reader = self.per_document_reader()
        writer = self.fieldwriter
        try:
            for name in sorted(self._postings):
                field = self.schema[name]
                # block statistics use the lengths as the column stores them (one byte each)
                lengths = [reader.doc_field_length(d, name, 0) for d in range(self.docnum)]
                writer.start_field(name, field)
                table = self._postings[name]
                scored = self.frequencies.setdefault(name, {}) if name in FIELD_BOOSTS else None
                for term in sorted(table):  # code point order is UTF-8 byte order
                    found = self._write_term(writer, term.encode("utf-8"), table[term], lengths)
                    if scored is not None:
                        docnums = array("I", map(self.first_docnum.__add__, found[0]))
                        scored[term] = (docnums.tobytes(), found[1].tobytes())
                writer.finish_field()
        finally:
            reader.close()
        writer.close()

    @staticmethod
    def _write_term(writer, btext: bytes, found: list, lengths: list) -> tuple[array, array]:
        """What W3PostingsWriter.add_posting does per posting, done per block: the same buffer
        contents and statistics, then Whoosh's own _write_block and finish_term. Returns the
        term's docnums and weights."""
        writer.start_term(btext)
        block = writer._postwriter
        all_docnums, all_weights = array("I"), array("f")
        for start in range(0, len(found), BLOCK):
            docnums, weights, values = zip(*found[start : start + BLOCK], strict=True)
            block._ids = array("I", docnums)
            block._weights = array("f", weights)
            all_docnums.extend(block._ids)
            all_weights.extend(block._weights)
            block._values = list(filter(None, values))  # Whoosh keeps non-empty values only
            block._maxweight = max(0.0, max(weights))
            here = list(filter(None, map(lengths.__getitem__, docnums)))  # as are lengths
            block._minlength = min(here) if here else None
            block._maxlength = max(here, default=0)
            if start + BLOCK < len(found):  # a full block; the last is written by finish_term
                block._write_block()
        writer.finish_term()
        return all_docnums, all_weights

    def commit_segments(self, segments: list) -> None:
        """Commit a TOC listing `segments` (written by other writers), in that order."""
        self._check_state()
        self._close_segment()
        self._commit_toc(segments)
        self._finish()


_job: tuple = ()  # (index, document ranges, size), set before forking: inherited, not pickled


def _write_segment(part: int):
    ix, ranges, size = _job
    # a fresh directory under index.py's build lock: no Whoosh lock needed
    writer = BulkWriter(ix, first_docnum=part * size, _lk=False)
    writer.write_all(ranges[part])
    # not _finish(): it deletes the temporary directory the other writers share
    segment = writer._finalize_segment()
    return segment, writer.words, writer.frequencies


def write_index(ix, documents: list[dict], procs: int = 1) -> tuple[Counter, FrequencyTable]:
    """Write `documents` into the empty index `ix`; their vocabulary (vocabulary.count_words)
    and term frequencies (frequencies.py)."""
    global _job
    procs = max(1, min(procs, len(documents) // MIN_PER_PROCESS))
    if procs == 1 or "fork" not in multiprocessing.get_all_start_methods():
        writer = BulkWriter(ix)
        writer.write_all(documents)
        writer.commit()
        return writer.words, merge([writer.frequencies])
    size = -(-len(documents) // procs)
    ranges = [documents[i : i + size] for i in range(0, len(documents), size)]
    _job = (ix, ranges, size)
    try:
        with multiprocessing.get_context("fork").Pool(len(ranges)) as pool:
            parts = pool.map(_write_segment, range(len(ranges)))
    finally:
        _job = ()
    BulkWriter(ix).commit_segments([segment for segment, _, _ in parts])
    words = sum((words for _, words, _ in parts), Counter())
    return words, merge([frequencies for _, _, frequencies in parts])


# The block buffer's attribute names are Whoosh 2.7's: refuse to start if they ever change.
_BUFFER = {"_ids", "_weights", "_values", "_maxweight", "_minlength", "_maxlength"}
_probe = W3PostingsWriter(None, BLOCK)
_probe._new_block()
if _BUFFER - set(vars(_probe)):
    raise RuntimeError(f"unsupported Whoosh version: no {_BUFFER - set(vars(_probe))}")
