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
# a word: letters and digits, with inner apostrophes ("crohn's") and dots ("15q13.3"), which
# the index's tokenizer also keeps inside one token
_WORD = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*")
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
    max_terms: int = 10  # the most selective terms searched (the backend picks them)

    @property
    def topic_words(self) -> tuple[Word, ...]:
        """The words outside quotes that may carry a topic: question words and the scaffolding
        of a question ("what", "how", "information", "done") left out, unless nothing else is
        left (a query of only such words is searched as typed)."""
        topic = tuple(w for w in self.words if w.stem and w.stem not in QUESTION_STEMS)
        return topic or tuple(w for w in self.words if w.stem)

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


# Query words only (indexing uses index_terms). Bounded by count, so by bytes through the query
# caps: a word is at most 200 characters, an entry at most ~2 KB, 4,096 of them ≤ 8 MB
# (≈ 1.3 MB for real words); a miss costs microseconds.
@lru_cache(maxsize=4096)
def stem(word: str) -> str | None:
    terms = index_terms(word)
    return terms[0] if terms else None


# Words that ask rather than name a topic: interrogatives, auxiliaries, pronouns and the
# scaffolding of a request ("do you have information about", "what research is being done").
# A closed class of English function words, matched by stem, not a list of phrasings: the
# topic words around them are what ranks (README, "Search").
QUESTION_WORDS = frozenset(
    """what which who whom whose where when why how whats does do did done doing is are was were
    been being am has have had having can could should would shall might must i me my mine
    myself we us our you your he him his she her they them their it its there here about
    information info tell know anything something someone please need want get getting
    learn mean means much many more most ever also just really""".split()
)
QUESTION_STEMS = frozenset(t for w in QUESTION_WORDS for t in index_terms(w))


def topic_terms(text: str) -> tuple[str, ...]:
    """index_terms of a text without question words."""
    return tuple(t for t in index_terms(text) if t not in QUESTION_STEMS)


def name_terms(text: str) -> tuple[str, ...]:
    """A title, also-known-as name or query word as the ranking compares names with queries:
    index_terms's forms, but single letters kept ("hepatitis c", "brachydactyly type b", which
    the index drops) and question words left out."""
    words = _WORD.findall(normalize(text))
    return tuple(chain.from_iterable(map(_NAME_FORMS.__getitem__, words)))


def names_of(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(name_terms(text), surface(text)), normalising and splitting the text once."""
    words = _WORD.findall(normalize(text))
    return tuple(chain.from_iterable(map(_NAME_FORMS.__getitem__, words))), tuple(words)


def _name_forms(whole: str) -> tuple[str, ...]:
    terms = []
    whole = _POSSESSIVE.sub("", whole)  # "crohn's": the index drops the lone "s" too
    for word in _ANALYZER_TOKEN.findall(whole):
        if word in _STOP_WORDS or word in QUESTION_WORDS:
            continue
        term = word if len(word) == 1 else _STEMS[word]
        if term not in QUESTION_STEMS:
            terms.append(term)
    return tuple(terms)


_NAME_FORMS = TokenTable(_name_forms)  # a word → its name terms (the build meets each once)
_POSSESSIVE = re.compile("['’]s$")


def spelled(word: str) -> str:
    """The part of a word the spelling vocabulary knows: "binswanger's" → "binswanger"."""
    return _POSSESSIVE.sub("", word)


def surface(text: str) -> tuple[str, ...]:
    """A text's words as typed (normalised, every word kept): exact-name matching."""
    return tuple(_WORD.findall(normalize(text)))


def _words(text: str) -> tuple[Word, ...]:
    return tuple(Word(w, stem(w)) for w in _WORD.findall(text))


def parse_query(raw: str, max_length: int, max_terms: int) -> ParsedQuery:
    """Parse the public query language. A query with no searchable word left (only stop words
    or symbols) parses to an empty query, which matches nothing. Any length up to `max_length`
    is accepted; the backend searches at most `max_terms` terms of it, the most selective."""
    if len(raw) > max_length:
        raise QueryError(f"q is longer than {max_length} characters")
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
    parts = [w.text for w in loose] + ['"' + " ".join(w.text for w in p) + '"' for p in phrases]
    return ParsedQuery(tuple(loose), tuple(phrases), " ".join(parts), max_terms)
