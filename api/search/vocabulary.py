"""Unstemmed vocabulary with document frequencies: "did you mean" and half-typed words.

Built once with the index (from the same documents) and saved beside it. Kept apart from the
stemmed Whoosh fields because corrections must be real words, not stems ("physiotherapi"), and
because indexing the whole body a second time through Whoosh would double the build time.
"""

import re
from bisect import bisect_left
from collections import Counter
from functools import lru_cache

import orjson
from whoosh.automata.fsa import find_all_matches
from whoosh.automata.lev import levenshtein_automaton
from whoosh.spelling import ListCorrector

from .query import normalize

WORD = re.compile(r"[^\W\d_]{3,}")  # letters only, 3+: numbers and short words are not typos
LONGEST = 40  # letters: longer "words" are never corrected (the cost grows with the length)
TWO_TYPOS_UP_TO = 15  # letters: longer words are corrected by one typo only


def count_words(texts) -> Counter:
    """Document frequency of every word across `texts` (one string per document): the
    definition analysis.py computes in bulk while indexing (tests hold the two equal)."""
    counts: Counter = Counter()
    for text in texts:
        counts.update(set(WORD.findall(normalize(text))))
    return counts


# removed by normalize, kept by split
_NOT_SPLIT = bytes([*range(0x00, 0x09), *range(0x0E, 0x1C), 0x7F])


def same_tokens(text: str) -> bool:
    """Whether normalize(text).split() equals text.lower().split(), so the indexer's tokens
    can be counted: ASCII text (NFKC and casefold change nothing there) without the control
    characters normalize removes but str.split keeps. (Deleting them from the bytes and
    comparing lengths: a fourth of the CPU of a regular expression search over the text.)"""
    if not text.isascii():
        return False
    raw = text.encode("ascii")
    return len(raw.translate(None, _NOT_SPLIT)) == len(raw)


def save(path, frequencies: Counter, stems: dict[str, str]) -> None:
    """Write the vocabulary (count_words of every document): frequencies, and the words behind
    each indexed stem (`stems`: each word's first index term, if it has one)."""
    forms: dict[str, list[str]] = {}
    for word in sorted(frequencies):
        if stem := stems.get(word):
            forms.setdefault(stem, []).append(word)
    # in word order: the load sorts the words again, and sorting sorted words is one pass
    data = {"frequencies": dict(sorted(frequencies.items())), "forms": forms}
    path.write_bytes(orjson.dumps(data))


def load(path) -> "Vocabulary":
    data = orjson.loads(path.read_bytes())
    return Vocabulary(data["frequencies"], data["forms"])


class Vocabulary:
    def __init__(self, frequencies: dict[str, int], forms: dict[str, list[str]]):
        self.frequencies = frequencies
        self.words = sorted(frequencies)
        self.letters = frozenset("".join(self.words))  # what an edit may insert or substitute
        self._forms = forms

    def forms(self, stem: str) -> tuple[str, ...]:
        """The words of the corpus that index as `stem` (what a highlight should mark)."""
        return tuple(self._forms.get(stem, ()))

    def frequency(self, word: str) -> int:
        return self.frequencies.get(word, 0)

    def _within(self, word: str, distance: int) -> set[str]:
        found = self._one_edit(word) if distance == 1 else self._automaton(word, distance)
        if distance == 1:  # swapped neighbours ("pian") count as one typo, as people type them
            for i in range(len(word) - 1):
                swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
                if swapped in self.frequencies:
                    found.add(swapped)
        found.discard(word)
        return found

    def _automaton(self, word: str, distance: int) -> set[str]:
        """Words within `distance` edits that keep the first letter, by walking Whoosh's
        Levenshtein automaton along the sorted word list."""
        dfa = levenshtein_automaton(word, distance, prefix=1).to_dfa()
        return set(find_all_matches(dfa, ListCorrector.Skipper(self.words)))

    def _one_edit(self, word: str) -> set[str]:
        """_automaton(word, 1), found by trying every insertion, deletion and substitution
        after the first letter: several hundred lookups, where the automaton (pure Python) took
        milliseconds per word (a test holds the two equal)."""
        head, tail, letters = word[:1], word[1:], self.letters
        edits = {head + tail[:i] + tail[i + 1 :] for i in range(len(tail))}
        for i in range(len(tail) + 1):
            before, after = head + tail[:i], tail[i:]
            edits.update([before + c + after for c in letters])
            if after:
                edits.update([before + c + after[1:] for c in letters])
        return edits & self.frequencies.keys()

    @lru_cache(maxsize=4096)  # noqa: B019 - one Vocabulary per index, kept for the process
    def correct(self, word: str) -> str | None:
        """The most frequent close word if `word` looks misspelled: unknown, or rare (≤ 2
        documents) while the close word is at least ten times as common."""
        own = self.frequency(word)
        if len(word) < 4 or len(word) > LONGEST or own > 2 or not WORD.fullmatch(word):
            return None  # too short to tell, longer than words are, known, or not a word
        # a word the corpus knows is only "corrected" by one typo; an unknown one by up to two
        # (up to TWO_TYPOS_UP_TO letters: the automaton's cost grows with the word)
        two = 6 <= len(word) <= TWO_TYPOS_UP_TO and not own
        for distance in (1, 2) if two else (1,):
            candidates = self._within(word, distance)
            if own:
                candidates = {c for c in candidates if self.frequency(c) >= own * 10}
            if candidates:
                return min(candidates, key=lambda c: (-self.frequency(c), c))
        return None

    @lru_cache(maxsize=4096)  # noqa: B019
    def complete(self, prefix: str, limit: int = 5) -> tuple[str, ...]:
        """The most frequent words starting with `prefix` (for half-typed words)."""
        if len(prefix) < 3:
            return ()
        start = bisect_left(self.words, prefix)
        found = []
        for word in self.words[start : start + 2000]:
            if not word.startswith(prefix):
                break
            if word != prefix:
                found.append(word)
        found.sort(key=lambda w: (-self.frequency(w), w))
        return tuple(found[:limit])
