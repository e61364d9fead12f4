"""Whoosh implementation of SearchBackend: BM25F over stemmed title/aka/summary/body fields.

The index is opened read-only, once per process and thread (Whoosh searchers are not
thread-safe, and an index opened before gunicorn forks must not share file offsets), and kept.
"""

import json
import os
import threading
import time
from functools import lru_cache
from pathlib import Path

from whoosh.collectors import WrappingCollector
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.query import And, Or, Phrase, Term
from whoosh.scoring import BM25F

from . import SearchBackend, SearchHit, SearchRequest, SearchResult, SearchTimeout
from .query import ANALYZER, ParsedQuery, Word, stem
from .suggest import PrefixTable
from .vocabulary import Vocabulary

FIELD_BOOSTS = {"title": 4.0, "aka": 3.0, "summary": 2.0, "body": 1.0}
VOCABULARY_FILE = "vocabulary.json"


def make_schema() -> Schema:
    return Schema(
        key=ID(stored=True, unique=True),
        type=ID(stored=True),
        tags=KEYWORD(stored=True, commas=True, scorable=False),
        **{field: TEXT(analyzer=ANALYZER) for field in FIELD_BOOSTS},
    )


class BoundedCollector(WrappingCollector):
    """Collects only `allowed` documents (None: all) and stops at `deadline`.

    One wrapper instead of Whoosh's FilterCollector + TimeLimitCollector: the latter starts a
    timer thread per search and interrupts with SIGALRM, neither welcome in a gunicorn worker.
    """

    def __init__(self, child, deadline: float, allowed: set | None):
        super().__init__(child)
        self.deadline = deadline
        self.allowed = allowed

    def collect_matches(self):
        child, allowed = self.child, self.allowed
        for count, docnum in enumerate(child.matches()):
            if count % 64 == 0 and time.monotonic() > self.deadline:
                raise SearchTimeout
            if allowed is None or child.offset + docnum in allowed:
                child.collect(docnum)


def _word_group(word: Word, vocabulary: Vocabulary) -> tuple[set[str], str | None]:
    """Stems a word may match: itself, a spelling correction, completions of a half word."""
    stems = {word.stem}
    correction = vocabulary.correct(word.text)
    completions = vocabulary.complete(word.text) if not vocabulary.frequency(word.text) else ()
    for alternative in (correction, *completions):
        if alternative and (alternative_stem := stem(alternative)):
            stems.add(alternative_stem)
    # A half-typed word ("fibrom") is not a misspelling unless its correction also completes it.
    if correction and completions and correction not in completions:
        correction = None
    return stems, correction


def _field_terms(stems) -> Or:
    return Or([Term(f, s, boost=b) for s in sorted(stems) for f, b in FIELD_BOOSTS.items()])


class WhooshBackend(SearchBackend):
    def __init__(self, path: Path, store, time_limit: float = 0.5, cache_size: int = 1024):
        self.path = Path(path)
        self.time_limit = time_limit
        frequencies = json.loads((self.path / VOCABULARY_FILE).read_text())
        self.vocabulary = Vocabulary(frequencies)
        self.prefixes = PrefixTable(
            (name, e.type, e.slug, name == e.title)
            for e in store.public_entries()
            for name in (e.title, *getattr(e, "also_known_as", ()))
        )
        self._local = threading.local()
        self._tables = None  # docnum -> (type, tags), same in every process for one index
        self._search_cached = lru_cache(maxsize=cache_size)(self._search)

    # -- opening -----------------------------------------------------------------------------
    def _searcher(self):
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # after a fork, never reuse the parent's
            storage = FileStorage(str(self.path), readonly=True)
            local.searcher = storage.open_index().searcher(weighting=BM25F())
            local.pid = os.getpid()
        return local.searcher

    def _docnum_tables(self, searcher):
        if self._tables is None:
            by_type, by_tag, keys = {}, {}, {}
            for docnum, stored in searcher.iter_docs():
                keys[docnum] = stored["key"]
                by_type.setdefault(stored["type"], set()).add(docnum)
                for tag in filter(None, stored["tags"].split(",")):
                    by_tag.setdefault(tag, set()).add(docnum)
            self._tables = (by_type, by_tag, keys)
        return self._tables

    def document_count(self) -> int:
        return self._searcher().doc_count()

    # -- querying ----------------------------------------------------------------------------
    def _compile(self, parsed: ParsedQuery, conjunctive: bool):
        groups, stems, corrected = [], set(), []
        for word in parsed.words:
            if not word.stem:
                continue
            alternatives, correction = _word_group(word, self.vocabulary)
            stems |= alternatives
            groups.append(_field_terms(alternatives))
            if correction:
                corrected.append((word.text, correction))
        for phrase in parsed.phrases:
            words = [w.stem for w in phrase if w.stem]
            stems |= set(words)
            groups.append(Or([Phrase(f, words, boost=b) for f, b in FIELD_BOOSTS.items()]))
        query = And(groups) if conjunctive else Or(groups)
        suggestion = None
        if corrected:
            fixes = dict(corrected)
            suggestion = " ".join(fixes.get(p, p) for p in parsed.normalized.split(" "))
        return query, frozenset(stems), suggestion

    def search(self, request: SearchRequest) -> SearchResult:
        return self._search_cached(request)

    def _search(self, request: SearchRequest) -> SearchResult:
        deadline = time.monotonic() + self.time_limit
        searcher = self._searcher()
        by_type, by_tag, keys = self._docnum_tables(searcher)
        query, stems, suggestion = self._compile(request.query, conjunctive=True)
        matched = set(searcher.docs_for_query(query))
        if not matched:  # nothing has every word: rank documents having any of them
            query, stems, suggestion = self._compile(request.query, conjunctive=False)
            matched = set(searcher.docs_for_query(query))
        in_types = (
            set().union(*(by_type.get(t, set()) for t in request.types)) if request.types else None
        )
        in_tag = by_tag.get(request.tag, set()) if request.tag else None
        # Facets are disjunctive: each ignores its own filter, so clients can show alternatives.
        for_type_facet = matched & in_tag if in_tag is not None else matched
        for_tag_facet = matched & in_types if in_types is not None else matched
        final = for_type_facet & in_types if in_types is not None else for_type_facet
        facets = {
            "type": {t: n for t in sorted(by_type) if (n := len(for_type_facet & by_type[t]))},
            "tag": {t: n for t in sorted(by_tag) if (n := len(for_tag_facet & by_tag[t]))},
        }
        hits = ()
        start = (request.page - 1) * request.per_page
        if final and start < len(final):
            collector = searcher.collector(limit=start + request.per_page)
            allowed = final if final != matched else None
            searcher.search_with_collector(query, BoundedCollector(collector, deadline, allowed))
            results = collector.results()
            hits = tuple(
                SearchHit(*keys[docnum].split(":", 1), score=round(score, 4))
                for score, docnum in results.top_n[start:]
            )
        return SearchResult(hits, len(final), facets, suggestion, stems)

    def suggest(self, prefix: str, limit: int = 10):
        return self.prefixes.suggest(prefix, limit)
