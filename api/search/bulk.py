"""Writing Whoosh segments in one pass, a term's posting list at a time, in parallel.

Whoosh's own writer handles every posting several times in Python: into a sorting pool, out
again, one `add_posting` call each with a field-length lookup. At MedQuAD's 1.2 M postings that
alone took 20 s of the build. Here the documents are analysed in bulk (analysis.py groups the
postings by term), and each field's terms are written in Whoosh 2.7's own format, block for
block: the same block contents, statistics and term-table rows W3FieldWriter writes (a test
compares the bytes), pickled with a current protocol. Whoosh's code still writes the
per-document columns, the stored fields, the compound segment file and the TOC, and Whoosh's
reader reads the result (tests compare what it reads with an index written by `add_document`).

With `procs` > 1, forked processes each write one segment over a contiguous range of the
documents (as Whoosh's multiprocessing writer does, without its pool merge), and the parent
commits the TOC listing them in order, so document numbers follow the documents' order.
Blocks are stored uncompressed (a W3Codec option): zlib cost a third of the writing, and only
phrase queries read the blocks back (scoring reads frequencies.py's table, made here from the
same postings).
"""

import multiprocessing
import os
import struct
from array import array
from collections import Counter
from hashlib import md5
from itertools import chain
from operator import sub
from pickle import dumps
from typing import NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC as MAGIC
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.filedb import filetables
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.system import pack_int, pack_ushort
from whoosh.util import random_name
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from .analysis import Postings, analyse, merge_frequencies
from .format import FIELD_BOOSTS, make_schema
from .query import index_terms

BLOCK = 128  # postings per block, as Whoosh's W3Codec writes them
MIN_PER_PROCESS = 500  # below this many documents a process costs more than it saves
# What build.py's `meanwhile` (snapshot, prefixes, per-document tables) costs, as a share of
# the text's writing: the writing process that also runs it gets that much less text. Measured
# at MedQuAD: about 1.0 s of CPU against 6.5 s of writing.
MEANWHILE = 0.15


class _LengthBytes(dict):
    """length → length_to_byte(length), remembered: a few hundred distinct lengths, looked up
    four times per term (a bisect in Python each time was a tenth of the writing)."""

    def __missing__(self, length):
        value = self[length] = length_to_byte(length)
        return value


_BYTE = _LengthBytes()


class _Float32(dict):
    """weight → the float a block's array("f") holds for it: a handful of distinct weights."""

    def __missing__(self, weight):
        value = self[weight] = array("f", (weight,))[0]
        return value


_F32 = _Float32()
_TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo's fixed part, then (offset, length)
_EXTENT = struct.Struct("!qi")
_ROW = struct.Struct("!ii")  # a hash file row's key and value lengths (filetables._lengths)
_POINTER = struct.Struct("!Iq")  # a hash table's slot: hash, position (filetables._pointer)
_EMPTY_SLOT = _POINTER.pack(0, 0)
# Whoosh pickles blocks with protocol 2, which writes each bytes value (a posting's positions) as
# a call to codecs.encode: 8 times slower to write and to read back than protocol 5, and larger.
# Its reader unpickles whatever protocol it finds.
PROTOCOL = 5


def _write_field(writer, fieldobj, postings: Postings, lengths: list) -> None:
    """Write one field's postings as Whoosh's W3FieldWriter and W3PostingsWriter would,
    posting by posting: the same blocks and the same rows in the term table (a test compares
    the bytes, with Whoosh's pickle protocol), with one write per field instead of several per
    posting."""
    fixed = fieldobj.format.fixed_value_size()
    postfile, tindex = writer._postfile, writer._tindex
    prefix = pack_ushort(writer._fieldid)
    offset, position = postfile.tell(), tindex.dbfile.tell()
    posts, rows = [], []
    hashfn, buckets, starts = tindex.hashfn, tindex.buckets, []
    all_docnums, all_weights, all_values = postings.docnums, postings.weights, postings.values
    bounds, key = postings.bounds, b""
    hashfn = _md5_hash if hashfn is filetables.md5_hash else hashfn
    joined = fixed is not None and fixed >= 0  # a fixed-size format joins its values
    for number, term in enumerate(postings.terms):
        begin, end = bounds[number], bounds[number + 1]
        start = offset
        posts.append(MAGIC)
        offset += len(MAGIC)
        if end - begin == 1:
            # Most terms (57 % at MedQuAD) have one posting: the general path below for one
            # block of one posting, without its arrays, filters and counts (the same bytes).
            docnum, length = all_docnums[begin], lengths[all_docnums[begin]]
            total = _F32[all_weights[begin]]
            maxweight = total if total > 0 else 0
            value = all_values[begin]
            if joined:
                mini_values = None if fixed == 0 else value or b""
            else:
                mini_values = (value,) if value else ()
            data = dumps(((docnum,), None if total == 1.0 else total, mini_values), PROTOCOL)
            minlength, maxlength = length or None, length
            info = (1, docnum, maxweight, 0, _BYTE[minlength], _BYTE[length])
            info = dumps(info, PROTOCOL)
            size = len(info) + len(data)
            posts += (pack_int(-size), info, data)
            offset += 4 + size
        else:
            total, minlength, maxlength, maxweight, offset = _write_blocks(
                posts, offset, begin, end, postings, lengths, fixed
            )
        # W3TermInfo.to_bytes, then W3FieldWriter.finish_term's row in the term table
        minbyte = 0 if minlength is None else _BYTE[minlength]
        first_id, last_id = all_docnums[begin], all_docnums[end - 1]
        value = _TERMINFO.pack(
            0, total, end - begin, minbyte, _BYTE[maxlength], maxweight, first_id, last_id
        ) + _EXTENT.pack(start, offset - start)
        key = prefix + term.encode("utf-8")
        rows += (_ROW.pack(len(key), len(value)), key, value)
        starts.append(position)
        hash_value = hashfn(key)
        buckets[hash_value & 255].append((hash_value, position))
        position += 8 + len(key) + len(value)
    postfile.write(b"".join(posts))
    tindex.dbfile.write(b"".join(rows))
    _extend(tindex.index, starts)
    if key:
        tindex.lastkey = key


def _extend(positions, more: list[int]) -> None:
    """positions.extend(more) for Whoosh's GrowableArray, in one call while they fit its type
    (its own extend appends one at a time, widening the type when one does not fit)."""
    if isinstance(positions.array, array):
        try:
            positions.array.extend(array(positions.array.typecode, more))
            return
        except OverflowError:
            pass
    positions.extend(more)


def fast_term_table(writer) -> None:
    """Have the field writer's term table (a filetables.OrderedHashWriter) write its hash
    tables with _write_hashes below."""
    if type(writer._tindex) is filetables.OrderedHashWriter:
        writer._tindex.__class__ = _TermTable


def _write_hashes(table) -> None:
    """HashWriter._write_hashes: the same 256 open-addressing tables of (hash, position),
    written one table at a time instead of one write per slot (a tenth of a writer's time)."""
    dbfile, pack = table.dbfile, _POINTER.pack
    for entries in table.buckets:
        position = dbfile.tell()
        size = 2 * len(entries)
        table.directory.append((position, size))
        slots = [None] * size
        for entry in entries:
            slot = (entry[0] >> 8) % size
            while slots[slot] is not None:  # taken: the next free slot
                slot = (slot + 1) % size
            slots[slot] = entry
        dbfile.write(b"".join([pack(*entry) if entry else _EMPTY_SLOT for entry in slots]))


class _TermTable(filetables.OrderedHashWriter):
    """OrderedHashWriter, its hash tables written by _write_hashes (a class, not an instance
    attribute: a bound method kept on the table would be a reference cycle)."""

    _write_hashes = _write_hashes


def _write_blocks(posts: list, offset: int, begin: int, end: int, postings, lengths, fixed):
    """Append the blocks of postings [begin, end) of one term to `posts` as W3PostingsWriter
    writes them; return W3TermInfo's (total, minlength, maxlength, maxweight) and the offset
    after them."""
    all_docnums, all_weights, all_values = postings.docnums, postings.weights, postings.values
    total, minlength, maxlength, maxweight = 0, None, 0, 0  # TermInfo's starting values
    for first in range(begin, end, BLOCK):
        last = min(first + BLOCK, end)
        docnums, weights = all_docnums[first:last], all_weights[first:last]
        ids, floats = array("I", docnums), array("f", weights)
        # W3PostingsWriter's block statistics and its _mini_ids/_weights/_values
        top = max(floats)  # a weight as add_document passes it: a float (frequency × boost)
        block_max = top if top > 0 else 0  # W3PostingsWriter starts from 0 and keeps greater
        here = list(filter(None, map(lengths.__getitem__, docnums)))
        block_min = min(here) if here else None
        block_maxlength = max(here, default=0)
        n = len(ids)
        if floats.count(1.0) == n:
            mini_weights = None
        elif floats.count(floats[0]) == n:
            mini_weights = floats[0]
        else:
            mini_weights = tuple(floats)
        values = list(filter(None, all_values[first:last]))
        if fixed is None or fixed < 0:
            mini_values = tuple(values)
        else:
            mini_values = None if fixed == 0 else b"".join(values)
        mini_ids = tuple(map(sub, ids, chain((0,), ids)))
        data = dumps((mini_ids, mini_weights, mini_values), PROTOCOL)
        info = (n, ids[-1], block_max, 0, _BYTE[block_min])
        info = dumps((*info, _BYTE[block_maxlength]), PROTOCOL)
        size = len(info) + len(data)
        posts += (pack_int(-size if last == end else size), info, data)
        offset += 4 + size
        # W3TermInfo.add_block
        total += sum(floats)
        if minlength is None:
            minlength = block_min
        elif block_min is not None:
            minlength = min(minlength, block_min)
        maxlength = max(maxlength, block_maxlength)
        maxweight = max(maxweight, block_max)
    return total, minlength, maxlength, maxweight, offset


def _md5_hash(key: bytes) -> int:
    """filetables.md5_hash (the term table's hash function): the digest's last four bytes, as
    the hex digest's int masked to 32 bits gives them, without the hex round trip."""
    return int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")


def column_lengths(lengths: list[int]) -> list[int]:
    """The lengths as the per-document column stores them (one byte, length_to_byte) and
    reads them back: what Whoosh's block statistics are computed from."""
    stored = {n: byte_to_length(length_to_byte(n)) if n else 0 for n in set(lengths)}
    return list(map(stored.__getitem__, lengths))


class _Storage(FileStorage):
    """FileStorage whose temporary directories may exist already (every writer asks for the
    same one twice). Whoosh's own create() catches the "exists" error and keeps it in a local,
    a reference cycle through the traceback that held every caller's frame, and so the whole
    build's data, alive until a garbage collection: 0.2 s of collecting after each build."""

    def temp_storage(self, name=None):
        path = os.path.join(self.folder, name or f"{random_name()}.tmp")
        os.makedirs(path, exist_ok=True)
        return FileStorage(path)


def create_index(path) -> FileIndex:
    """A new, empty index in the directory `path` (whoosh.index.create_in, with _Storage)."""
    return _Storage(str(path)).create_index(make_schema())


class BulkWriter(SegmentWriter):
    """A SegmentWriter that takes its documents at once (`write_all`) and writes them grouped."""

    def __init__(self, ix, first_docnum: int = 0, **kwargs):
        super().__init__(ix, codec=W3Codec(compression=0), **kwargs)
        self.first_docnum = first_docnum  # this segment's place in the index, for frequencies
        self.frequencies = {}  # {field: (terms, bounds, docnums, frequencies)}: frequencies.merge
        self.words = Counter()  # the spelling vocabulary's counts (vocabulary.count_words)
        self.lengths = {}  # {scored field: [each document's length, as Whoosh reads it back]}

    def write_all(self, documents: list[dict]) -> None:
        schema = self.schema
        postings, lengths, self.words = analyse(schema, documents)
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
        self._postings, self._lengths = postings, lengths

    def _flush_segment(self):
        """Replaces the pool → add_postings path: the grouped postings, a field at a time."""
        self.perdocwriter.close()
        writer = self.fieldwriter
        fast_term_table(writer)
        for name in sorted(self._postings):
            field, postings = self.schema[name], self._postings[name]
            lengths = column_lengths(self._lengths[name])
            if name in FIELD_BOOSTS:  # for scoring's FieldStats, without reading them back
                self.lengths[name] = lengths
            if not postings.terms:  # as Whoosh: a field nothing has is never started
                continue
            writer.start_field(name, field)
            _write_field(writer, field, postings, lengths)
            writer.finish_field()
            if name in FIELD_BOOSTS:  # numbered as in the whole index
                docnums = np.array(postings.docnums, np.uint32) + self.first_docnum
                weights = np.array(postings.weights, np.float32)
                self.frequencies[name] = (postings.terms, postings.bounds, docnums, weights)
        writer.close()

    def commit_segments(self, segments: list) -> None:
        """Commit a TOC listing `segments` (written by other writers), in that order."""
        self._check_state()
        self._close_segment()
        self._commit_toc(segments)
        self._finish()


_job: tuple = ()  # (index, document ranges, their first numbers), set before forking: inherited


def _write_segment(part: int):
    ix, ranges, starts = _job
    # a fresh directory under index.py's build lock: no Whoosh lock needed
    writer = BulkWriter(ix, first_docnum=starts[part], _lk=False)
    writer.write_all(ranges[part])
    # not _finish(): it deletes the temporary directory the other writers share
    segment = writer._finalize_segment()
    return segment, writer.words, stems_of(writer.words), writer.frequencies, writer.lengths


def _write_and_send(part: int, send) -> None:
    """A forked writer: _write_segment(part), or the exception it raised, sent to the parent."""
    try:
        result = True, _write_segment(part)
    except BaseException as exc:  # noqa: BLE001 - raised again in the parent
        result = False, exc
    send.send(result)
    send.close()


def _received(child, receive):
    """What a forked writer sent: its part, or its exception raised here."""
    try:
        done, result = receive.recv()
    except EOFError:  # it died before sending (killed, out of memory)
        child.join()
        raise RuntimeError(f"an index writer process exited with {child.exitcode}") from None
    if not done:
        raise result
    return result


def stems_of(words) -> dict[str, str]:
    """Each word's indexed form (vocabulary.save's table), found where the token table is warm."""
    return {word: terms[0] for word in words if (terms := index_terms(word))}


def _split(documents: list[dict], procs: int, first: float | None = None) -> list[int]:
    """Where `procs` contiguous ranges start: the first with the share `first` of the text
    (1 / procs if None), the others with equal shares of the rest. Analysis costs by the
    character, and MedQuAD's later documents are larger (equal counts left one writer 40% more
    work)."""
    first = 1 / procs if first is None else first
    sizes = [sum(map(len, filter(None, d.values()))) for d in documents]
    total, starts, done = sum(sizes), [0], 0
    for number, size in enumerate(sizes):
        share = first + (1 - first) * (len(starts) - 1) / (procs - 1) if procs > 1 else 1
        if done >= total * share and len(starts) < procs:
            starts.append(number)
        done += size
    return starts


class Written(NamedTuple):
    """What write_index learnt while writing, for the files beside the index."""

    words: Counter  # the vocabulary (vocabulary.count_words)
    stems: dict  # each word's stem (stems_of)
    frequencies: object  # frequencies.FrequencyTable
    lengths: dict  # {scored field: [each document's length as Whoosh reads it]}


def _joined(parts: list[dict]) -> dict:
    """Each field's per-document lengths of the segments, in document order."""
    joined = chain.from_iterable
    return {name: list(joined(part.get(name, ()) for part in parts)) for name in FIELD_BOOSTS}


def write_index(ix, documents: list[dict], procs: int = 1, meanwhile=None) -> Written:
    """Write `documents` into the empty index `ix`; return what the files beside it need
    (Written). `meanwhile()` runs in this process while forked writers work."""
    global _job
    procs = max(1, min(procs, len(documents) // MIN_PER_PROCESS))
    meanwhile = meanwhile or (lambda: None)
    if procs == 1 or "fork" not in multiprocessing.get_all_start_methods():
        writer = BulkWriter(ix)
        writer.write_all(documents)
        writer.commit()
        meanwhile()
        frequencies = merge_frequencies([writer.frequencies])
        return Written(writer.words, stems_of(writer.words), frequencies, _joined([writer.lengths]))
    # One range per process, this one included: more, smaller ranges (taken by whichever
    # process is free) measured slower, as every segment writes the terms it shares with the
    # others again. This process writes the first range, smaller by what `meanwhile` costs,
    # then runs `meanwhile` (no third process shares the two cores, and the names it analyses
    # find their stems already in this process's token tables).
    starts = _split(documents, procs, first=(1 - MEANWHILE * (procs - 1)) / procs)
    ranges = [documents[a:b] for a, b in zip(starts, [*starts[1:], len(documents)], strict=True)]
    _job = (ix, ranges, starts)
    # Plain processes and pipes, not a Pool: closing a Pool waits on its handler thread's
    # 0.1 s polling sleep, after the writers are done.
    context, children = multiprocessing.get_context("fork"), []
    try:
        for part in range(1, len(ranges)):
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_write_and_send, args=(part, send), daemon=True)
            child.start()
            send.close()
            children.append((child, receive))
        parts = [_write_segment(0)]
        meanwhile()
        parts += [_received(child, receive) for child, receive in children]
    finally:
        _job = ()
        for child, receive in children:
            receive.close()
            if child.is_alive():  # this process failed first: the writer's work is moot
                child.kill()
            child.join()
    BulkWriter(ix).commit_segments([segment for segment, *_ in parts])
    words, stems = Counter(), {}
    for _, part_words, part_stems, _, _ in parts:
        words.update(part_words)
        stems.update(part_stems)
    frequencies = merge_frequencies([part[3] for part in parts])
    return Written(words, stems, frequencies, _joined([part[4] for part in parts]))


# The formats written by hand above are Whoosh 2.7's: refuse to start if they ever change.
if (
    W3TermInfo._struct.format != _TERMINFO.format
    or filetables._lengths.format != _ROW.format
    or filetables._pointer.format != _POINTER.format
):
    raise RuntimeError("unsupported Whoosh version: its term table format changed")
