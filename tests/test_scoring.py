"""search/scoring.py: the top of a ranking, ties broken by key."""

import heapq
import random

from api.search.scoring import best


def test_best_equals_sorting_every_candidate_by_score_then_key():
    rng = random.Random(5)
    for size in (0, 1, 5, 10, 11, 200):
        keys = {doc: f"condition:{rng.randrange(1000):04d}-{doc}" for doc in range(size)}
        # few distinct scores: many ties, also across the cut
        scores = {doc: float(rng.choice((1.5, 2.0, 2.0, 3.25))) for doc in range(size)}
        for count in (0, 1, 3, 10, 30, 250):
            expected = heapq.nsmallest(count, scores.items(), key=lambda i: (-i[1], keys[i[0]]))
            assert best(scores, count, keys) == expected, (size, count)
