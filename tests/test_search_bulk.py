"""search/bulk.py writes the same index Whoosh's own add_document writes, as Whoosh reads it."""

import pytest
from whoosh.index import create_in
from whoosh.query import Phrase

from api.search import bulk, index_documents
from api.search.vocabulary import count_words
from api.search.whoosh_backend import FIELD_BOOSTS, make_schema


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
    words, _ = bulk.write_index(create_in(str(tmp_path), make_schema()), documents, procs=1)
    assert read_everything(tmp_path) == reference
    assert reference[("ketamin", "infus")]  # the phrases compared are really there
    assert words["ketamine"] > 1


def test_parallel_segments_equal_add_document(documents, reference, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "MIN_PER_PROCESS", 5)  # the bundled pack is small
    ix = create_in(str(tmp_path), make_schema())
    words, _ = bulk.write_index(ix, documents, procs=2)
    assert len(ix.refresh()._segments()) == 2
    assert read_everything(tmp_path) == reference
    texts = []
    for document in documents:
        texts.append(" ".join((document["title"], document["aka"], document["summary"])))
        texts.append(document["body"])
    assert words == count_words(texts)


def test_frequency_table_equals_whooshs_postings(documents, tmp_path, monkeypatch):
    from whoosh.index import open_dir

    monkeypatch.setattr(bulk, "MIN_PER_PROCESS", 5)
    _, table = bulk.write_index(create_in(str(tmp_path), make_schema()), documents, procs=2)
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
    words, _ = bulk.write_index(create_in(str(tmp_path), make_schema()), documents, procs=1)
    expected = count_words(
        [" ".join((d["title"], d["aka"], d["summary"])) for d in documents]
        + [d["body"] for d in documents]
    )
    assert words == expected
    assert words["café"] == 2 and words["fullwidth"] == 1 and words["ringing"] == 2
