"""search/bulk.py writes the same index Whoosh's own add_document writes, as Whoosh reads it."""

import os
from array import array

import pytest
from whoosh.index import create_in
from whoosh.query import Phrase

from api.search import bulk, index_documents
from api.search.analysis import Postings, analyse
from api.search.build import document_tables
from api.search.format import FIELD_BOOSTS, make_schema
from api.search.query import stem
from api.search.scoring import FieldStats
from api.search.vocabulary import count_words


def read_everything(path) -> dict:
    """Every term's postings (docnum, weight, positions or raw value), lengths, stored fields."""
    from whoosh.index import open_dir

    with open_dir(str(path)).searcher() as searcher:
        reader = searcher.reader()
        out = {"count": searcher.doc_count(), "stored": list(searcher.all_stored_fields())}
        for field, text in reader.all_terms():
            fmt = searcher.schema[field].format
            matcher = reader.postings(field, text)
            postings = []
            while matcher.is_active():
                value = matcher.value_as("positions") if field in FIELD_BOOSTS else None
                postings.append((matcher.id(), matcher.weight(), value))
                matcher.next()
            out[(field, text)] = (reader.doc_frequency(field, text), postings)
            assert fmt is not None
        for field in FIELD_BOOSTS:
            # "or 0": Whoosh answers None or 0 for an empty field depending on the segment
            out[field] = [reader.doc_field_length(d, field, 0) or 0 for d in range(out["count"])]
            out[f"{field} total"] = reader.field_length(field)
        for phrase in (["ketamin", "infus"], ["chronic", "pain"], ["nasal", "sprai"]):
            out[tuple(phrase)] = sorted(searcher.docs_for_query(Phrase("body", phrase)))
    return out


@pytest.fixture(scope="module")
def documents(bundled_app):
    return list(index_documents(bundled_app.extensions["content"].store))


@pytest.fixture(scope="module")
def reference(documents, tmp_path_factory):
    path = tmp_path_factory.mktemp("add-document")
    writer = create_in(str(path), make_schema()).writer()
    for document in documents:
        writer.add_document(**document)
    writer.commit()
    return read_everything(path)


def test_one_segment_equals_add_document(documents, reference, tmp_path):
    words, *_ = bulk.write_index(create_in(str(tmp_path), make_schema()), documents, procs=1)
    assert read_everything(tmp_path) == reference
    assert reference[("ketamin", "infus")]  # the phrases compared are really there
    assert words["ketamine"] > 1


def test_column_lengths_are_the_lengths_whoosh_reads(documents, tmp_path):
    """Block statistics are computed from column_lengths: the lengths Whoosh reads back."""
    from whoosh.index import open_dir

    bulk.write_index(create_in(str(tmp_path), make_schema()), documents, procs=1)
    _, lengths, _ = analyse(make_schema(), documents)
    with open_dir(str(tmp_path)).reader() as reader:
        for field in FIELD_BOOSTS:
            read = [reader.doc_field_length(d, field, 0) or 0 for d in range(len(documents))]
            assert bulk.column_lengths(lengths[field]) == read
    assert bulk.column_lengths(lengths["body"]) != lengths["body"]  # long bodies: quantised


def test_parallel_segments_equal_add_document(documents, reference, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "MIN_PER_PROCESS", 5)  # the bundled pack is small
    ix = create_in(str(tmp_path), make_schema())
    ran_in = []  # what needs only the store runs once, in this process, while writers work
    words, stems, _, _ = bulk.write_index(
        ix, documents, procs=2, meanwhile=lambda: ran_in.append(os.getpid())
    )
    assert ran_in == [os.getpid()]
    assert len(ix.refresh()._segments()) == 2
    assert read_everything(tmp_path) == reference
    texts = []
    for document in documents:
        texts.append(" ".join((document["title"], document["aka"], document["summary"])))
        texts.append(document["body"])
    assert words == count_words(texts)
    # each word's indexed form, for the vocabulary's "forms" (what highlights mark)
    assert stems == {word: form for word in words if (form := stem(word))}
    assert stems["treatments"] == "treatment" and "the" not in stems


def test_frequency_table_equals_whooshs_postings(documents, tmp_path, monkeypatch):
    from whoosh.index import open_dir

    monkeypatch.setattr(bulk, "MIN_PER_PROCESS", 5)
    _, _, table, _ = bulk.write_index(create_in(str(tmp_path), make_schema()), documents, procs=2)
    table.save(tmp_path / "frequencies")
    table = type(table).load(tmp_path / "frequencies")  # what a worker reads
    compared = 0
    with open_dir(str(tmp_path)).searcher() as searcher:
        reader = searcher.reader()
        for field, btext in reader.all_terms():
            if field in FIELD_BOOSTS:
                term = btext.decode()
                expected = dict(reader.postings(field, term).items_as("frequency"))
                assert table.postings(field, term) == expected, (field, term)
                compared += 1
    assert compared == sum(len(terms) for terms in table.ranges.values()) > 500
    assert table.postings("body", "no-such-term") == {}
    assert table.postings("no-such-field", "ketamin") == {}


def test_vocabulary_equals_count_words_also_for_unusual_text(tmp_path):
    texts = {
        "title": "Ｆｕｌｌｗｉｄｔｈ Café syndrome",
        "aka": "bell\x07ringing ; soft\u00adhyphen",
        "summary": "Plain words here",
        "body": "Ünïcode BODY text\x1fwith\x00odd controls and MIXED Case",
    }
    documents = [
        {"key": "condition:a", "type": "condition", "tags": "", **texts},
        {"key": "condition:b", "type": "condition", "tags": "", **(texts | {"title": "Café"})},
    ]
    words, *_ = bulk.write_index(create_in(str(tmp_path), make_schema()), documents, procs=1)
    expected = count_words(
        [" ".join((d["title"], d["aka"], d["summary"])) for d in documents]
        + [d["body"] for d in documents]
    )
    assert words == expected
    assert words["café"] == 2 and words["fullwidth"] == 1 and words["ringing"] == 2


def _write_fields(tmp_path, name: str, feed):
    """Storage and segment of a W3FieldWriter's files after `feed(writer)`."""
    from whoosh.codec.whoosh3 import W3Codec
    from whoosh.filedb.filestore import FileStorage

    storage = FileStorage(str(tmp_path / name)).create()
    codec = W3Codec(compression=0)
    segment = codec.new_segment(storage, name)
    writer = codec.field_writer(storage, segment)
    feed(writer)
    writer.close()
    return codec, storage, segment


def _file_bytes(tmp_path, name: str, segment) -> dict:
    folder = tmp_path / name
    return {ext: (folder / segment.make_filename(ext)).read_bytes() for ext in (".trm", ".pst")}


def _read_fields(codec, storage, segment, schema) -> dict:
    """Everything Whoosh's term reader gives back: term statistics and every block's postings
    and statistics."""
    reader = codec.terms_reader(storage, segment)
    out = {}
    try:
        for field, btext in reader.terms():
            info = reader.term_info(field, btext)
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length())
            stats += (info.max_weight(), info.min_id(), info.max_id())
            matcher = reader.matcher(field, btext, schema[field].format)
            blocks = []
            while matcher.is_active():  # a block at a time: its statistics, then its postings
                block = [matcher.block_min_id(), matcher.block_max_id()]
                block += (matcher.block_max_weight(), matcher.block_min_length())
                block.append(matcher.block_max_length())
                while matcher.is_active() and matcher.id() <= block[1]:
                    block.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                blocks.append(block)
            out[(field, btext)] = (stats, blocks)
    finally:
        reader.close()
    return out


def test_field_writer_writes_whooshs_blocks(tmp_path, monkeypatch):
    """bulk._write_field against Whoosh's own start_term/add/finish_term, byte for byte: terms
    of one posting and of several blocks, equal and varied weights, lengths of 0 (not stored),
    beyond the byte scale, and a field of the fixed-size (empty) ID format."""
    import random

    schema = make_schema()
    rng = random.Random(7)
    lengths = [0 if d % 17 == 0 else rng.choice((1, 3, 40, 900, 200_000)) for d in range(700)]
    body = {
        "aaa": [(3, 1, array("I", [5]).tobytes())],
        "alone": [(5, 3, array("I", [1, 2, 3]).tobytes())],
        "lengthless": [(17, 2, array("I", [4, 6]).tobytes())],
        "common": [(d, 1, array("I", [d]).tobytes()) for d in range(0, 700, 2)],
        "varied": [
            (d, n, array("I", range(n)).tobytes()) for d in range(0, 700, 3) if (n := 1 + d % 4)
        ],
        "zébra": [(d, 2, array("I", [1, 9]).tobytes()) for d in range(1, 400, 7)],
    }
    keys = {f"condition:{d}": [(d, 1.0, b"")] for d in range(0, 300, 13)}
    fields = (("body", body), ("key", keys))

    def whooshs(writer):
        for name, table in fields:
            writer.start_field(name, schema[name])
            for term in sorted(table):
                writer.start_term(term.encode())
                for docnum, weight, value in table[term]:
                    # add_document's weights are floats (frequency × boost); analysis's are ints
                    writer.add(docnum, float(weight), value, lengths[docnum])
                writer.finish_term()
            writer.finish_field()

    def ours(writer):
        bulk.fast_term_table(writer)  # as BulkWriter does: its hash tables, written at close
        for name, table in fields:
            writer.start_field(name, schema[name])
            bulk._write_field(writer, schema[name], Postings.from_table(table), lengths)
            writer.finish_field()

    monkeypatch.setattr(bulk, "PROTOCOL", 2)  # Whoosh's pickle protocol: the same bytes
    whoosh = _write_fields(tmp_path, "whoosh", whooshs)
    expected = _file_bytes(tmp_path, "whoosh", whoosh[2])
    _, _, segment = _write_fields(tmp_path, "protocol-2", ours)
    assert len(expected[".pst"]) > 3000  # several blocks really were written
    assert _file_bytes(tmp_path, "protocol-2", segment) == expected
    # with the protocol used, Whoosh reads the same terms, statistics, blocks and postings
    monkeypatch.undo()
    ours = _read_fields(*_write_fields(tmp_path, "ours", ours), schema)
    assert ours == _read_fields(*whoosh, schema)
    assert len(ours[("body", b"common")][1]) == 3  # 350 postings: blocks of 128, 128, 94


def test_term_hashes_are_whooshs():
    from whoosh.filedb.filetables import md5_hash

    for key in (b"", b"\x00\x03diabetes", "zébra".encode(), bytes(range(256)) * 3):
        assert bulk._md5_hash(key) == md5_hash(key)


def test_term_table_positions_widen_as_whooshs_do():
    from whoosh.util.numlists import GrowableArray

    ours, whooshs = GrowableArray("H"), GrowableArray("H")
    for more in ([1, 2, 70_000], [3, 2**31 + 5], [7]):
        bulk._extend(ours, more)
        whooshs.extend(more)
        assert ours.array == whooshs.array and ours.typecode == whooshs.typecode


def test_ranges_are_split_by_text_size():
    documents = [{"body": "x" * size} for size in [10] * 10 + [100] * 10]
    starts = bulk._split(documents, 2)
    assert starts[0] == 0 and len(starts) == 2
    first = sum(len(d["body"]) for d in documents[: starts[1]])
    assert abs(first - 1100 / 2) <= 100  # not 10 documents each (100 against 1000 characters)


def test_merged_frequencies_keep_fields_only_some_segments_have():
    import numpy as np

    from api.search.analysis import merge_frequencies

    def part(terms, bounds, docs, weights):
        return (terms, bounds, np.array(docs, np.uint32), np.array(weights, np.float32))

    table = merge_frequencies(
        [
            {"title": part(["a", "b"], [0, 1, 3], [0, 1, 2], [1, 2, 3])},
            {"title": part(["b"], [0, 1], [7], [4]), "body": part(["a"], [0, 1], [5], [2])},
        ]
    )
    assert table.postings("title", "a") == {0: 1.0}
    assert table.postings("title", "b") == {1: 2.0, 2: 3.0, 7: 4.0}  # segments in order
    assert table.postings("body", "a") == {5: 2.0}
    assert table.postings("body", "b") == {}


def tables_read_back(path, documents) -> dict:
    """DocTables' fields as the index stores them: stored fields and Whoosh's lengths (what the
    build computed by reading the index back, before it learnt them while writing)."""
    from whoosh.index import open_dir

    keys, by_type, by_tag = {}, {}, {}
    with open_dir(str(path)).searcher() as searcher:
        for docnum, stored in searcher.iter_docs():
            keys[docnum] = stored["key"]
            by_type.setdefault(stored["type"], set()).add(docnum)
            for tag in filter(None, stored["tags"].split(",")):
                by_tag.setdefault(tag, set()).add(docnum)
        stats = FieldStats.from_reader(searcher.reader(), FIELD_BOOSTS)
    return {"keys": keys, "by_type": by_type, "by_tag": by_tag, "stats": vars(stats)}


@pytest.mark.parametrize("procs", [1, 2])
def test_tables_learnt_while_writing_equal_what_whoosh_reads_back(
    documents, tmp_path, monkeypatch, procs
):
    monkeypatch.setattr(bulk, "MIN_PER_PROCESS", 5)
    written = bulk.write_index(create_in(str(tmp_path), make_schema()), documents, procs=procs)
    named = document_tables(documents)
    learnt = {key: named[key] for key in ("keys", "by_type", "by_tag")}
    learnt["stats"] = vars(FieldStats.from_lengths(written.lengths))
    expected = tables_read_back(tmp_path, documents)
    assert learnt == expected
    assert expected["stats"]["documents"] == len(documents) > 10
    assert expected["by_tag"] and expected["stats"]["average"]["body"] > 50
    assert learnt["stats"]["lengths"]["body"] != {}  # every document's length is there


def test_field_stats_of_no_documents():
    stats = FieldStats.from_lengths({field: [] for field in FIELD_BOOSTS})
    assert (stats.documents, stats.average["title"]) == (0, 1.0)
    with pytest.raises(ValueError):
        FieldStats.from_lengths({"title": [1], "body": [1, 2]})


def test_same_tokens_holds_exactly_when_splitting_needs_no_normalising():
    from api.search.query import normalize
    from api.search.vocabulary import same_tokens

    plain = ["Plain ASCII text,\twith\nnewlines\r\x0b\x0c and (punctuation).", "", "x\x1cy"]
    odd = ["bell\x07ringing", "nul\x00", "esc\x1b[", "del\x7f", "Café", "Ｆｕｌｌ", "soft\u00ad"]
    assert all(map(same_tokens, plain)) and not any(map(same_tokens, odd))
    for text in plain:
        assert normalize(text).split() == text.lower().split()
    assert normalize("bell\x07ringing").split() != "bell\x07ringing".lower().split()


def test_id_values_are_indexed_as_whooshs_field_index_does():
    from whoosh.fields import ID, KEYWORD

    from api.search.analysis import _index

    def whooshs(field, value):
        found = [(t.decode(), w, v) for t, _, w, v in field.index(value)]
        return sum(f for _, f, _, _ in field.index(value)) if field.scorable else 0, found

    schema = make_schema()
    fields = (schema["key"], schema["type"], schema["tags"], ID(field_boost=2.0), KEYWORD())
    for field in fields:
        for value in ("condition:crps", "Mixed Case ü", " spaced  out ", "", "a,b,a"):
            assert _index(field, value) == whooshs(field, value), (field, value)


@pytest.mark.parametrize("procs", [1, 2])
def test_a_build_leaves_no_reference_cycles(bundled_app, tmp_path, monkeypatch, procs):
    """Cyclic garbage kept every caller's frame alive (the whole build's data) until the next
    collection, which then took 0.2 s at MedQuAD's size."""
    import gc

    from api.search.build import build

    monkeypatch.setattr(bulk, "MIN_PER_PROCESS", 5)
    store = bundled_app.extensions["content"].store
    gc.collect()
    gc.disable()  # else the first allocation after the build collects them unseen
    try:
        assert build(store, tmp_path, procs=procs) == store.count()
        assert gc.collect() == 0
    finally:
        gc.enable()


@pytest.mark.parametrize("failure", ["raises", "dies", "parent"])
def test_a_writer_that_fails_fails_the_build(documents, tmp_path, monkeypatch, failure):
    import multiprocessing

    monkeypatch.setattr(bulk, "MIN_PER_PROCESS", 5)
    write_segment = bulk._write_segment

    def failing(part):
        if failure == "parent" and part == 0:
            raise ValueError("disk full")  # the forked writer still at work is stopped
        if part == 0:
            return write_segment(part)
        if failure == "dies":
            os._exit(3)
        raise ValueError("disk full")

    monkeypatch.setattr(bulk, "_write_segment", failing)
    expected = (RuntimeError, "exited with 3") if failure == "dies" else (ValueError, "disk full")
    with pytest.raises(expected[0], match=expected[1]):
        bulk.write_index(bulk.create_index(tmp_path), documents, procs=2)
    assert not multiprocessing.active_children()
