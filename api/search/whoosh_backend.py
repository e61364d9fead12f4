"""Whoosh implementation of SearchBackend.

The index (stemmed title, aka, summary and body fields with positions) is a Whoosh index, written
by build.py. Per process, the open index keeps a reader, per-document tables and an LRU of
posting lists taken from the term-frequency table (frequencies.py, shared by the workers); a
query is answered with set operations on them, under ranking.py's rule (term selection,
minimum-should-match, names, proximity) and BM25F (scoring.py), phrases through Whoosh's own
phrase matcher. This module reads an index and never writes one.

The index is opened read-only, once per process and thread (Whoosh readers are not thread-safe,
and an index opened before gunicorn forks must not share file offsets), and kept.
"""

import heapq
import logging
import os
import pickle
import threading
import time
import weakref
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.query import Or, Phrase

from ..lru import BytesLRU
from . import SearchBackend, SearchHit, SearchRequest, SearchResult, SearchTimeout, vocabulary
from .format import (
    FIELD_BOOSTS,
    FREQUENCIES_FILE,
    META_FILE,
    SUGGEST_FILE,
    TABLES_FILE,
    VOCABULARY_FILE,
    DocTables,
)
from .frequencies import FrequencyTable
from .query import (
    ParsedQuery,
    Word,
    name_terms,
    spelled,
    stem,
)
from .ranking import (
    PROXIMITY_WEIGHT,
    RARE,
    RERANK,
    SCORED,
    UNINDEXED_WEIGHT,
    Term,
    combine,
    idf,
    matching,
    name_coverage,
    proximity,
    select,
)
from .scoring import best, score_documents
from .suggest import PrefixTable
from .vocabulary import Vocabulary

log = logging.getLogger(__name__)


class OpenIndex:
    """One process's (and thread's) view of the index: reader, tables, caches."""

    def __init__(
        self, path: Path, frequencies: FrequencyTable, tables: DocTables, cache_bytes: int = 8 << 20
    ):
        # Read with plain file reads, not mmap: measured at MedQuAD's size, a mapped index made
        # each worker's resident memory 275 MB (every page it touched counts), plain reads 170 MB,
        # for a first-search cost a few milliseconds higher (benchmarks/README.md).
        storage = FileStorage(str(path), supports_mmap=False, readonly=True)
        self.searcher = storage.open_index().searcher()
        # without mmap the segment files stay open: closed when this view is dropped
        self.close = weakref.finalize(self, self.searcher.close)  # once, whichever comes first
        self.reader = self.searcher.reader()
        self.stats, self.keys = tables.stats, tables.keys
        self.by_type, self.by_tag = tables.by_type, tables.by_tag
        self.names, self.surfaces = tables.names, tables.surfaces
        self.longest, self.short = tables.longest, tables.short
        self.frequencies = frequencies
        # One LRU for what searches look up per term, bounded in bytes (SEARCH_TERMS_CACHE_MB):
        # postings {docnum: frequency} keyed (field, term), phrase matches keyed ("phrase",
        # stems), a stem's selectivity keyed by the stem.
        self.terms = self._postings = self._phrases = self.frequencies_of = BytesLRU(cache_bytes)

    def postings(self, field: str, term: str) -> dict:
        """{docnum: term frequency} for one term of one field (cached)."""

        key = (field, term)
        return self._postings.get_or(key, lambda: self.frequencies.postings(field, term))

    def docs_with(self, stems) -> set:
        found = set()
        for term in stems:
            for field in FIELD_BOOSTS:
                found.update(self.postings(field, term))
        return found

    def docs_with_phrase(self, stems: tuple) -> set:
        query = Or([Phrase(field, list(stems)) for field in FIELD_BOOSTS])
        key = ("phrase", stems)  # apart from the (field, term) keys of postings in the one LRU
        return self._phrases.get_or(key, lambda: set(self.searcher.docs_for_query(query)))


def _word_group(word: Word, vocabulary: Vocabulary) -> tuple[set[str], str | None]:
    """Stems a word may match: itself, a spelling correction, completions of a half word."""
    stems, text = {word.stem}, spelled(word.text)
    correction = vocabulary.correct(text)
    completions = vocabulary.complete(text) if not vocabulary.frequency(text) else ()
    for alternative in (correction, *completions):
        if alternative and (alternative_stem := stem(alternative)):
            stems.add(alternative_stem)
    # A half-typed word ("fibrom") is not a misspelling unless its correction also completes it.
    if correction and completions and correction not in completions:
        correction = None
    return stems, correction


def _counts(groups: dict, matched: set) -> dict:
    return {name: n for name, docs in sorted(groups.items()) if (n := len(matched & docs))}


def probe(searcher) -> None:
    """Read a little of everything (stored fields, a term's postings and positions): damage
    shows up here. Raises whatever the damage raises."""
    if searcher.doc_count():
        searcher.stored_fields(0)
        reader = searcher.reader()
        for term in reader.lexicon("body"):
            postings = reader.postings("body", term)
            while postings.is_active():
                postings.value()  # the positions, as phrase searches read them
                postings.next()
            break


class WhooshBackend(SearchBackend):
    def __init__(self, path: Path, store, time_limit: float = 0.5, repair=None):
        self.path = Path(path)
        self.time_limit = time_limit
        # repair(progress): rebuilds this version's directory when it cannot be opened (given by
        # index.py: this module never writes an index)
        self.repair = repair
        self._load()
        self._local = threading.local()
        self.terms_cache_bytes = 8 << 20  # create_app sets it from SEARCH_TERMS_CACHE_MB

    def _load(self) -> None:
        # loaded here, in the master before gunicorn forks: the workers share their pages (the
        # per-document tables too: each worker loaded its own copy when it opened the index)
        self.vocabulary = vocabulary.load(self.path / VOCABULARY_FILE)
        with open(self.path / SUGGEST_FILE, "rb") as handle:
            self.prefixes: PrefixTable = pickle.load(handle)
        self.frequencies = FrequencyTable.load(self.path / FREQUENCIES_FILE)
        with open(self.path / TABLES_FILE, "rb") as handle:
            self.tables: DocTables = pickle.load(handle)

    def _open(self, progress=None) -> OpenIndex:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # after a fork, never reuse the parent's
            try:
                local.index = OpenIndex(
                    self.path, self.frequencies, self.tables, self.terms_cache_bytes
                )
            except Exception as exc:  # noqa: BLE001 - deleted, pruned or damaged: rebuild it
                if self.repair is None:
                    raise
                log.warning("search index %s cannot be opened (%s); rebuilding", self.path, exc)
                self.repair(progress)
                self._load()  # this process's own copy of what the master loaded
                local.index = OpenIndex(
                    self.path, self.frequencies, self.tables, self.terms_cache_bytes
                )
            local.pid = os.getpid()
        return local.index

    def warm(self, progress=None) -> None:
        """Open the index in this process now (gunicorn calls it right after forking a worker),
        rebuilding its directory first if it is gone or damaged; `progress` is called between
        the build's steps (gunicorn's heartbeat)."""
        self._open(progress)

    def check(self) -> None:
        """Raise if the index this process serves is no longer sound: its directory gone (the
        next worker would have to rebuild it) or its files unreadable."""
        if not (self.path / META_FILE).is_file():
            raise FileNotFoundError(f"{self.path.name} is missing")
        probe(self._open().searcher)

    def document_count(self) -> int:
        return self._open().searcher.doc_count()

    def _frequency(self, stems) -> int:
        """A term's selectivity: the most documents any one field has for any of its stems
        (read from the frequency table's ranges; no postings are built)."""
        return max(map(self._stem_frequency, stems), default=0)

    def _stem_frequency(self, stem: str) -> int:
        count = self.frequencies.count
        cache = self._open().frequencies_of
        return cache.get_or(stem, lambda: max(count(f, stem) for f in FIELD_BOOSTS))

    def _terms(self, parsed: ParsedQuery, deadline: float):
        """(every term of the query, its words as ranking.name_coverage compares them with
        names, the "did you mean" text or None)."""
        terms, corrected, sequence, looked_up = [], {}, [], 0
        for position, word in enumerate(parsed.topic_words):
            if time.monotonic() > deadline:  # spelling correction is the costly step
                raise SearchTimeout
            if (
                self.vocabulary.frequency(spelled(word.text)) > RARE
                or looked_up >= parsed.max_terms
            ):
                # a common word needs no correction; beyond the term cap's number of unknown
                # words none is looked up, which bounds the cost of a long, garbled query
                alternatives, correction = {word.stem}, None
            else:
                looked_up += 1
                alternatives, correction = _word_group(word, self.vocabulary)
            terms.append(Term(frozenset(alternatives), None, position))
            if correction:
                corrected[word.text] = correction
        groups = dict(zip(parsed.topic_words, terms, strict=True))
        for word in parsed.words:
            group = groups.get(word)
            if group and self._frequency((word.stem,)) <= RARE:
                # an unknown or rare word is compared by its commonest spelling alternative
                # (a correction or a completion); "" matches no name
                likely = max(group.stems, key=lambda s: (self._frequency((s,)), s))
                sequence.append(likely if self._frequency((likely,)) else "")
            else:
                sequence += name_terms(word.text)
        for position, phrase in enumerate(parsed.phrases, len(terms)):
            stems = tuple(w.stem for w in phrase if w.stem)
            terms.append(Term(frozenset(stems), stems, position))
            sequence += ["", *name_terms(" ".join(w.text for w in phrase))]
        suggestion = None
        if corrected:
            suggestion = " ".join(corrected.get(p, p) for p in parsed.normalized.split(" "))
        return terms, sequence, suggestion

    def search(self, request: SearchRequest) -> SearchResult:
        deadline = time.monotonic() + self.time_limit
        index = self._open()
        query = request.query
        terms, sequence, suggestion = self._terms(query, deadline)
        terms = select(terms, self._term_frequency, query.max_terms)
        selections = []
        for term in terms:
            if time.monotonic() > deadline:
                raise SearchTimeout
            phrase = term.phrase
            found = index.docs_with_phrase(phrase) if phrase else index.docs_with(term.stems)
            selections.append(found)
        documents = index.stats.documents
        matched, shares = matching(selections, [idf(documents, len(s)) for s in selections])
        # names: bounded by the term cap too (the longest names are far shorter)
        sequence = sequence[: 4 * query.max_terms]
        words = [w.text for w in query.words][: 4 * query.max_terms]
        names = name_coverage(
            sequence, index.names, index.longest, self._weight, words, index.surfaces
        )
        # a page whose name the query contains matches, whatever else the query holds
        weights = [idf(documents, len(s)) for s in selections]
        for doc in names.keys() - matched:
            matched.add(doc)
            mass = sum(w for s, w in zip(selections, weights, strict=True) if doc in s)
            shares[doc] = mass / sum(weights) if terms else 1.0
        if time.monotonic() > deadline:
            raise SearchTimeout
        in_types = (
            set().union(*(index.by_type[t] for t in request.types)) if request.types else None
        )
        in_tag = index.by_tag.get(request.tag, set()) if request.tag else None
        # Facets are disjunctive: each ignores its own filter, so clients can show alternatives.
        for_type_facet = matched & in_tag if in_tag is not None else matched
        for_tag_facet = matched & in_types if in_types is not None else matched
        final = for_type_facet & in_types if in_types is not None else for_type_facet
        facets = {
            "type": {
                t: n
                for t, docs in sorted(index.by_type.items())
                if (n := len(for_type_facet & docs))
            },
            "tag": {
                t: n for t, docs in sorted(index.by_tag.items()) if (n := len(for_tag_facet & docs))
            },
        }
        stems = frozenset().union(*(t.stems for t in terms)) if terms else frozenset()
        start = (request.page - 1) * request.per_page
        hits = ()
        if start < len(final):
            # A page's score is at most its share × (1 + its name bonus + the proximity bonus),
            # BM25F contributing at most 1: pages with the highest shares and those with a name
            # bonus are scored, at most SCORED + the named, which bounds the cost of a query
            # matching thousands of pages.
            scored = final
            if len(final) > SCORED:  # the best shares, and every page whose name matched
                scored = set(heapq.nlargest(SCORED, final, key=shares.__getitem__))
                scored |= names.keys() & final
            scores = score_documents(scored, stems, index.postings, index.stats, FIELD_BOOSTS)
            if time.monotonic() > deadline:
                raise SearchTimeout
            combined = combine(scores, shares, names)
            leaders = [doc for doc, _ in best(combined, RERANK, index.keys)]
            near = proximity(sequence, index.short, leaders, self._weight)
            for doc, share in near.items():
                combined[doc] += PROXIMITY_WEIGHT * share * shares[doc]
            top = best(combined, start + request.per_page, index.keys)
            hits = tuple(
                SearchHit(*index.keys[doc].split(":", 1), score=round(score, 4))
                for doc, score in top[start:]
            )
        typed = list(query.topic_words)
        typed += [w for phrase in query.phrases for w in phrase if w.stem]
        marked = frozenset(w for s in stems for w in self.vocabulary.forms(s))
        marked |= {w.text for w in typed if w.stem in stems}
        searched = tuple(t.stems for t in terms)
        return SearchResult(hits, len(final), facets, suggestion, marked, searched)

    def _term_frequency(self, term: Term) -> int:
        """A phrase is as selective as its rarest word, at least."""
        if term.phrase:
            return min(self._frequency((s,)) for s in term.stems)
        return self._frequency(term.stems)

    def _weight(self, term: str) -> float:
        """A name term's weight: its IDF; UNINDEXED_WEIGHT for what the index leaves out
        (single letters: "hepatitis c"), nothing for the "" that stands for an unknown word."""
        if not term:
            return 0.0
        frequency = self._frequency((term,))
        return idf(self._open().stats.documents, frequency) if frequency else UNINDEXED_WEIGHT

    def suggest(self, prefix: str, limit: int = 10):
        return self.prefixes.suggest(prefix, limit)
