"""The search-backend interface. Whoosh lives behind it in whoosh_backend.py; another engine
would be one more module implementing SearchBackend, with the API layer unchanged."""

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .query import ParsedQuery
from .suggest import Suggestion


class SearchTimeout(Exception):
    """One search exceeded SEARCH_TIME_LIMIT."""


@dataclass(frozen=True)
class SearchRequest:
    query: ParsedQuery
    types: tuple[str, ...]  # empty: every type
    tag: str | None
    page: int
    per_page: int


@dataclass(frozen=True)
class SearchHit:
    type: str
    slug: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    total: int
    facets: Mapping[str, Mapping[str, int]]  # {"type": {...}, "tag": {...}}
    suggestion: str | None  # the corrected query, when a word looked misspelled
    words: frozenset[str]  # surface words matching the query's stems: what highlights mark
    searched: tuple[frozenset[str], ...] = ()  # each searched term's stems (≤ the term cap)


class SearchBackend(ABC):
    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResult: ...

    @abstractmethod
    def suggest(self, prefix: str, limit: int) -> list[Suggestion]: ...

    @abstractmethod
    def document_count(self) -> int: ...

    @abstractmethod
    def check(self) -> None:
        """Raise if the index this process serves is missing or unreadable (/readyz)."""


def index_documents(store) -> Iterator[dict]:
    """The searchable fields of every public entry (drafts never reach an index)."""
    for entry in store.public_entries():
        yield {
            "key": f"{entry.type}:{entry.slug}",
            "type": entry.type,
            "tags": ",".join(entry.tags),
            "title": entry.title,
            "aka": " ; ".join(getattr(entry, "also_known_as", ())),
            "summary": entry.summary,
            "body": entry.body.text,
        }
