"""The ranking rule for queries as people type them (README, "Search"): which terms are searched,
which documents match, and how BM25F is combined with coordination, name matches and proximity.

Pure arithmetic over sets and dicts handed in by the backend: no index, no Whoosh.

1. Terms: a query's topic words (query.ParsedQuery.topic_words), each with its spelling
   alternatives, and its quoted phrases. Only the `max_terms` most selective (fewest documents)
   are searched; a term no document has is dropped.
2. Matching: a document matches when the terms it has hold at least MIN_SHOULD_MATCH of the
   query's IDF mass (every term when there are at most two). Rare words therefore decide, and
   a question word or an aspect word ("treatment", "symptoms") can never exclude a page.
3. Score: the coordination (the share of the IDF mass the document has) times the sum of
   - BM25F, relative to the best candidate's,
   - NAME_WEIGHT × the share of the mass covered by the longest title or also-known-as name
     found whole, in order, among the query's words (× 1 + EXACT_NAME_BONUS when found word
     for word as written); a page whose name is found matches whatever else the query holds,
   - PROXIMITY_WEIGHT × the share covered by neighbouring query words that are neighbours in
     the page's title, names or summary too (looked at for the RERANK best candidates).
"""

import math
from dataclasses import dataclass

from .format import NAME_SEPARATOR

MIN_SHOULD_MATCH = 0.6
FEW = 10  # fewer matches than this (a page of results): documents with any term match too
ANY_LIMIT = 1000  # … at most this many of them
NAME_WEIGHT = 2.0
EXACT_NAME_BONUS = 0.1  # a name matched word for word as written, on top of its stems
PROXIMITY_WEIGHT = 0.25
RARE = 2  # a word in this few documents is compared with names by its spelling alternative
UNINDEXED_WEIGHT = 1.0  # a name term the index leaves out (a single letter): a modest IDF
SCORED = 200  # candidates (by coordination and name) scored with BM25F
RERANK = 30  # candidates (by BM25F × coordination) looked at for name and proximity bonuses


@dataclass(frozen=True)
class Term:
    """One searched part of a query: a word (its stem and spelling alternatives) or a phrase."""

    stems: frozenset[str]  # what it scores by
    phrase: tuple[str, ...] | None  # a quoted phrase's stems, else None
    position: int  # order in the query (words first, then phrases)


def idf(documents: int, frequency: int) -> float:
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


def select(terms: list[Term], frequency, max_terms: int) -> list[Term]:
    """The `max_terms` most selective terms (a phrase costs one per word), in query order.
    `frequency(term)` is its (approximate) document frequency; terms with none are dropped.
    Phrases come first, as the user asked for them; a phrase longer than what is left of the
    cap is searched as its words instead."""
    phrases = [t for t in terms if t.phrase]
    chosen, budget = [], max_terms
    for term in phrases:
        if len(term.phrase) <= budget and frequency(term):
            chosen.append(term)
            budget -= len(term.phrase)
    words = [t for t in terms if not t.phrase]
    for term in phrases:
        if term not in chosen:  # its words, each one term
            words += [Term(frozenset({s}), None, term.position) for s in term.phrase]
    found = [(f, t) for t in words if (f := frequency(t))]
    found.sort(key=lambda ft: (ft[0], ft[1].position))
    seen = set()  # a word typed twice is one term
    for _, term in found:
        if budget and term.stems not in seen:
            chosen.append(term)
            seen.add(term.stems)
            budget -= 1
    return sorted(chosen, key=lambda t: t.position)


def matching(selections: list[set], weights: list[float]) -> tuple[set, dict]:
    """(documents matching the minimum-should-match rule, each one's share of the IDF mass).

    Only documents with one of the rarer terms can reach the threshold: the commonest terms
    whose mass together stays below it are not enumerated, only looked up."""
    total = sum(weights)
    if not total:
        return set(), {}
    need = MIN_SHOULD_MATCH * total
    if len(selections) == 1 and len(selections[0]) >= FEW:  # one term: every page having it
        return set(selections[0]), dict.fromkeys(selections[0], 1.0)
    order = sorted(range(len(weights)), key=lambda i: -weights[i])
    candidates, rest = set(), total
    for i in order:
        if rest < need - 1e-9:
            break
        candidates |= selections[i]
        rest -= weights[i]
    mass = _mass(candidates, selections, weights)
    shares = {doc: m / total for doc, m in mass.items() if m >= need - 1e-9}
    if len(shares) >= FEW:
        return set(shares), shares
    # Too few pages have enough of the words (a small site, or words its pages do not use
    # together): pages with any of them match too, the rarer words' first, as long as their
    # number stays within ANY_LIMIT (what bounds the cost of scoring them).
    extra = set()
    for i in order:
        if len(extra | selections[i]) > ANY_LIMIT:
            break
        extra |= selections[i]
    for doc, m in _mass(extra - shares.keys(), selections, weights).items():
        shares[doc] = m / total
    return set(shares), shares


def _mass(candidates: set, selections: list[set], weights: list[float]) -> dict:
    """{doc: the summed weights of the selections holding it} for each candidate."""
    mass = dict.fromkeys(candidates, 0.0)
    for found, weight in zip(selections, weights, strict=True):
        for doc in found & candidates:  # the intersection is computed in C
            mass[doc] += weight
    return mass


def name_coverage(
    sequence: list[str], names: dict, longest: int, weight_of, words: list[str], surfaces: dict
) -> dict:
    """{doc: share of the query's mass covered by the longest of its names (title or
    also-known-as, as name_terms) found whole and in order in `sequence`}, times
    1 + EXACT_NAME_BONUS when that name is also found word for word in `words` as typed."""
    weight = {t: weight_of(t) for t in set(sequence)}  # computed once: slices are many
    total = sum(weight.values())
    found: dict = {}
    if not total:
        return found
    for start in range(len(sequence)):
        for end in range(start + 1, min(len(sequence), start + longest) + 1):
            docs = names.get(NAME_SEPARATOR.join(sequence[start:end]))
            if docs:
                share = sum(weight[t] for t in set(sequence[start:end])) / total
                for doc in docs:
                    if share > found.get(doc, 0.0):
                        found[doc] = share
    exact = set()
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + longest) + 1):
            exact.update(surfaces.get(NAME_SEPARATOR.join(words[start:end]), ()))
    for doc in exact & found.keys():
        found[doc] *= 1 + EXACT_NAME_BONUS
    return found


def proximity(sequence: list[str], texts, docs, weight_of) -> dict:
    """{doc: share of the query's mass in neighbouring query words that are neighbours (in
    either order) in the document's short fields}; `texts[doc]` is those fields' name_terms
    as one string, each term between spaces and fields apart by two."""
    weight = {t: weight_of(t) for t in set(sequence)}
    total = sum(weight.values())
    pairs = {(a, b) for a, b in zip(sequence, sequence[1:], strict=False) if a and b and a != b}
    found = {}
    if not total or not pairs:
        return found
    patterns = [(f" {a} {b} ", f" {b} {a} ", a, b) for a, b in pairs]
    for doc in docs:
        text = texts[doc]
        hit = set()
        for forward, backward, a, b in patterns:
            if forward in text or backward in text:  # substring tests run in C
                hit.update((a, b))
        if hit:
            found[doc] = sum(weight[t] for t in hit) / total
    return found


def combine(bm25: dict, shares: dict, names: dict) -> dict:
    """Each candidate's score before the proximity bonus: its coordination share times
    (BM25F relative to the best candidate's + NAME_WEIGHT × its name coverage)."""
    top = max(bm25.values(), default=0.0) or 1.0
    return {
        doc: shares[doc] * (score / top + NAME_WEIGHT * names.get(doc, 0.0))
        for doc, score in bm25.items()
    }
