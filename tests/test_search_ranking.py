"""search/ranking.py: term selection, minimum-should-match, name coverage, proximity."""

from api.search import ranking
from api.search.ranking import Term, matching, name_coverage, proximity, select


def word(stem, position):
    return Term(frozenset({stem}), None, position)


def test_select_keeps_the_most_selective_terms_in_query_order():
    frequency = {"what": 0, "treatment": 900, "adult": 300, "leukemia": 40, "lymphoblast": 5}
    terms = [word(s, i) for i, s in enumerate(frequency)]
    chosen = select(terms, lambda t: frequency[next(iter(t.stems))], 2)
    assert [next(iter(t.stems)) for t in chosen] == ["leukemia", "lymphoblast"]
    # a term no document has is never searched; a word typed twice is one term
    twice = [word("knee", 0), word("knee", 1), word("pain", 2)]
    chosen = select(twice, lambda t: 3, 10)
    assert [sorted(t.stems) for t in chosen] == [["knee"], ["pain"]]


def test_a_phrase_counts_its_words_and_is_split_when_it_does_not_fit():
    phrase = Term(frozenset({"a1", "b1", "c1"}), ("a1", "b1", "c1"), 0)
    fits = select([phrase, word("d1", 1)], lambda t: 1, 4)
    assert fits == [phrase, word("d1", 1)]
    split = select([phrase], lambda t: 1, 2)
    assert all(t.phrase is None for t in split) and len(split) == 2


def test_minimum_should_match_by_idf_mass():
    # two rare words on different pages, one common word: 60 % of 12.5 is 7.5, which no page
    # reaches (6.5 at most), so too few match and pages with any word come in, scored by share
    rare, common, other = {1, 2}, set(range(1, 40)), set(range(100, 140))
    matched, shares = matching([rare, common, other], [6.0, 0.5, 6.0])
    assert matched == common | other
    assert shares[1] == 6.5 / 12.5 and shares[100] == 6.0 / 12.5 and shares[3] == 0.5 / 12.5
    matched, shares = matching([set(range(20)), set(range(10, 40))], [5.0, 0.3])
    assert matched == set(range(20))  # the common word alone never matches
    assert shares[15] == 1.0 and round(shares[5], 3) == round(5.0 / 5.3, 3)


def test_too_few_matches_let_pages_with_any_word_in():
    # no page has both rare words: pages with either match, the rarest first
    matched, shares = matching([{1}, {2}], [5.0, 5.0])
    assert matched == {1, 2} and shares == {1: 0.5, 2: 0.5}


def test_the_longest_name_in_the_query_wins_and_exact_spelling_breaks_ties():
    names = {"hepat": (1,), "hepat\x1fc": (2,), "c": ()}
    surfaces = {"hepatitis\x1fc": (2,)}
    weight = {"hepat": 3.0, "c": 1.0, "treatment": 1.0}.get
    sequence = ["treatment", "hepat", "c"]
    words = ["treatment", "for", "hepatitis", "c"]
    found = name_coverage(sequence, names, 2, weight, words, surfaces)
    assert found[2] > found[1] > 0
    assert round(found[1], 3) == round(3.0 / 5.0, 3)
    assert round(found[2], 3) == round(4.0 / 5.0 * (1 + ranking.EXACT_NAME_BONUS), 3)


def test_proximity_rewards_neighbouring_query_words():
    texts = {1: " complex regional pain syndrom ", 2: " pain  regional "}
    found = proximity(["regional", "pain"], texts, [1, 2], {"regional": 2.0, "pain": 1.0}.get)
    assert found == {1: 1.0}  # in document 2 the words are in different fields
