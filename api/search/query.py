"""The public query language: plain words and "quoted phrases", nothing else.

Queries never reach Whoosh's own parser, so field syntax (`status:draft`), wildcards, ranges and
operators (`NOT NOT x`) are just words here: they cannot enumerate the index or crash it.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from whoosh.analysis import STOP_WORDS, StemmingAnalyzer
from whoosh.lang.porter import stem as porter_stem

ANALYZER = StemmingAnalyzer()  # the same analysis the index uses for every text field
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufffd]"
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_QUOTED = re.compile(r'"([^"]*)"')


class QueryError(ValueError):
    """The query cannot be searched; the message is safe to show to the client."""


@dataclass(frozen=True)
class Word:
    text: str  # normalised surface form, e.g. "treatments"
    stem: str | None  # indexed form, e.g. "treatment"; None for a stop word


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[Word, ...]  # words outside quotes
    phrases: tuple[tuple[Word, ...], ...]  # each quoted phrase, in order
    normalized: str  # canonical text: the cache key and the base of "did you mean"

    @property
    def stems(self) -> frozenset[str]:
        found = {w.stem for w in self.words if w.stem}
        found |= {w.stem for phrase in self.phrases for w in phrase if w.stem}
        return frozenset(found)


def normalize(text: str) -> str:
    """NFKC (so NFC and NFD input match), invisible and control characters removed, casefolded."""
    text = unicodedata.normalize("NFKC", text)
    return _INVISIBLE.sub(" ", text).casefold()


class TokenTable(dict):
    """token → compute(token), filled on first sight, so a corpus's loop over its tokens stays
    a C loop of lookups. Bounded: past `cap` entries new tokens are computed every time rather
    than kept, so a hostile corpus cannot grow it forever."""

    def __init__(self, compute, cap: int = 500_000):
        super().__init__()
        self.compute, self.cap = compute, cap

    def __missing__(self, token: str):
        value = self.compute(token)
        if len(self) < self.cap:
            self[token] = value
        return value


_ANALYZER_TOKEN = re.compile(r"\w+(?:\.?\w+)*")  # StemmingAnalyzer's tokenizer pattern
_STOP_WORDS = STOP_WORDS


# a word's stem: tokens repeat words ("pain", "pain,", "(pain)"), with 2.8 tokens per word in
# MedQuAD, and the (pure Python) stemmer was most of the cost of a new token
_STEMS = TokenTable(porter_stem)


def _token_forms(token: str) -> tuple[str, ...]:
    forms = []
    for word in _ANALYZER_TOKEN.findall(token):
        if (len(word) < 2 and not word.isdigit()) or word in _STOP_WORDS:
            continue
        forms.append(_STEMS[word])
    return tuple(forms)


FORMS = TokenTable(_token_forms)  # a whitespace-separated token → its indexed forms


def index_terms(text: str) -> list[str]:
    """What ANALYZER yields for `text`, except that single digits are kept ("type 1 diabetes",
    "dystonia 8"): a test holds the two equal otherwise.

    Indexing runs this over every word of every document, where Whoosh's generator chain of
    tokenizer and filters costs several times more for the same output. Here the text is split
    on whitespace (a token match never contains whitespace, so the words are the same), each
    token's forms are looked up in a table, and the loops over tokens run in C.
    """
    return terms_of_tokens(text.lower().split())


def terms_of_tokens(tokens: list[str]) -> list[str]:
    """index_terms of a text whose lower-cased, whitespace-split tokens are `tokens`."""
    return list(chain.from_iterable(map(FORMS.__getitem__, tokens)))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str | None:
    terms = index_terms(word)
    return terms[0] if terms else None


def _words(text: str) -> tuple[Word, ...]:
    return tuple(Word(w, stem(w)) for w in _WORD.findall(text))


_RUN = re.compile(r"[A-Za-z0-9]+")  # a "word" for the term cap: the documented pattern's rule


def parse_query(raw: str, max_length: int, max_terms: int) -> ParsedQuery:
    """Parse the public query language. A query with no searchable word left (only stop words
    or symbols) parses to an empty query, which matches nothing."""
    if len(raw) > max_length:
        raise QueryError(f"q is longer than {max_length} characters")
    if (count := len(_RUN.findall(raw))) > max_terms:
        raise QueryError(f"q has {count} words; at most {max_terms} are searched")
    text = normalize(raw)
    if text.count('"') % 2:  # an unbalanced quote is treated as an ordinary character
        index = text.rfind('"')
        text = text[:index] + " " + text[index + 1 :]
    phrases = []
    for match in _QUOTED.finditer(text):
        words = _words(match.group(1))
        if len([w for w in words if w.stem]) > 1:
            phrases.append(words)
    loose = _words(_QUOTED.sub(" ", text))
    # a one-word "phrase" is just a word
    for match in _QUOTED.finditer(text):
        words = _words(match.group(1))
        if len([w for w in words if w.stem]) <= 1:
            loose += words
    # The documented cap counts ASCII words; normalisation can make more (fullwidth letters,
    # other scripts): beyond the cap, further words are not searched.
    loose = loose[: max(0, max_terms - sum(len(p) for p in phrases))]
    phrases = phrases[:max_terms]
    parts = [w.text for w in loose] + ['"' + " ".join(w.text for w in p) + '"' for p in phrases]
    return ParsedQuery(tuple(loose), tuple(phrases), " ".join(parts))
