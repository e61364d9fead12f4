"""search/vocabulary.py: the spelling vocabulary's corrections and completions."""

import random
from collections import Counter

import orjson
import pytest

from api.search.vocabulary import Vocabulary, load, save


@pytest.fixture(scope="module")
def vocabulary(bundled_app) -> Vocabulary:
    return bundled_app.extensions["content"].search.vocabulary


def _misspellings(word: str, rng: random.Random) -> list[str]:
    """The word with one letter dropped, doubled, swapped or replaced, and two at once."""
    i = rng.randrange(len(word))
    j = rng.randrange(len(word) - 1)
    found = [word[:i] + word[i + 1 :], word[:i] + word[i] + word[i:]]
    found.append(word[:j] + word[j + 1] + word[j] + word[j + 2 :])
    found.append(word[:i] + rng.choice("aeioubz9é-") + word[i + 1 :])
    found.append(found[0][:j] + "x" + found[0][j + 1 :])
    return found


def test_one_edit_equals_the_levenshtein_automaton(vocabulary):
    """The edit-based search finds exactly the words Whoosh's automaton accepts at distance 1
    with the first letter kept: on known words, on typos of them, and on odd input."""
    rng = random.Random(3)
    words = rng.sample([w for w in vocabulary.words if len(w) >= 4], 150)
    words += [typo for w in words[:60] for typo in _misspellings(w, rng)]
    words += ["ketamin", "infusoin", "pian", "zzzz", "ﬁbromyalgia", "kétamine", "a1b2", "xx"]
    compared = 0
    for word in words:
        expected = vocabulary._automaton(word, 1)
        assert vocabulary._one_edit(word) == expected, word
        compared += bool(expected - {word})
    assert compared > 100  # most of them really have neighbours


def test_typical_typos_are_corrected(vocabulary):
    assert vocabulary.correct("ketamin") == "ketamine"
    assert vocabulary.correct("infusoin") == "infusion"  # swapped letters: one typo
    assert vocabulary.correct("ketamine") is None  # a known word stays
    assert vocabulary.correct("qqqqqq") is None


def test_saved_in_word_order_and_loaded_equal(tmp_path):
    """The file lists words sorted (so loading sorts a sorted list: one pass); what loads back
    is the same vocabulary, in whatever order the counts came."""
    counts = Counter({"zebra": 2, "apple": 5, "mango": 1, "mangos": 3})
    path = tmp_path / "vocabulary.json"
    save(path, counts, {"mango": "mango", "mangos": "mango", "apple": "appl"})
    assert list(orjson.loads(path.read_bytes())["frequencies"]) == sorted(counts)
    loaded = load(path)
    assert loaded.words == ["apple", "mango", "mangos", "zebra"]
    assert loaded.frequencies == dict(counts)
    assert loaded.forms("mango") == ("mango", "mangos") and loaded.forms("appl") == ("apple",)
