"""The immutable in-memory content store: frozen dataclasses keyed by slug, built once at start-up.

Nothing here reads files; `loader.load_store` builds a Store and the API only ever reads it.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import ClassVar

from schemas.common import COLLECTIONS

from .rendered import Rendered, RichText, Section


def frozen_map(mapping: Mapping) -> Mapping:
    return MappingProxyType(dict(mapping))


class Shared(dict):
    """One object for each distinct value of what entries repeat (a status, a date, a review,
    a section heading, a table-of-contents item, an empty intro), within one load.

    Equal immutable values are interchangeable; sharing them makes the store smaller and its
    snapshot faster to read, as pickle writes an object it has seen as a reference to it: at
    MedQuAD's size a third of the snapshot's objects were such repeats (benchmarks/README.md,
    restart). Only small values are looked up: hashing a long text costs more than it saves."""

    SMALL = 200  # characters of a rendered piece's HTML and text

    def __call__(self, value):
        return self.setdefault(value, value)

    def rich(self, rich: RichText) -> RichText:
        return self(rich) if len(rich.html) + len(rich.text) <= self.SMALL else rich

    def body(self, body: Rendered) -> Rendered:
        sections = tuple(
            Section(
                self(s.key),
                self(s.title),
                self(s.heading_html),
                self(s.heading_block),
                self.rich(s.content),
            )
            for s in body.sections
        )
        return Rendered(self.rich(body.intro), sections, tuple(map(self, body.toc)))

    def fields(self, fields: dict) -> dict:
        """An entry's constructor arguments with their repeated parts shared."""
        review = fields["review"]
        shared = {name: self(fields[name]) for name in ("status", "published", "updated")}
        if review.reviewer is None:  # a reviewer is a mapping: unhashable, and rarely repeated
            shared["review"] = self(review)
        return fields | shared | {"body": self.body(fields["body"])}


@dataclass(frozen=True)
class Review:
    status: str
    last_reviewed: date | None
    next_review_due: date | None
    reviewer: Mapping | None


@dataclass(frozen=True)
class Faq:
    question: str
    answer: RichText


@dataclass(frozen=True, kw_only=True)
class Entry:
    """What every content type has. `title` is an article's title or a condition/treatment name."""

    type: ClassVar[str] = ""
    slug: str
    title: str
    summary: str
    status: str
    published: date
    updated: date
    tags: tuple[str, ...]
    review: Review
    faq: tuple[Faq, ...]
    body: Rendered
    source: str  # file path relative to the content directory, for error messages
    digest: str  # hash of the source file: part of every ETag of this entry
    reading_time: int  # minutes, derived from the word count
    urgent_help: tuple[str, ...] = ()  # keys of Site.urgent_help that apply, in the page's order

    @property
    def collection(self) -> str:
        return COLLECTIONS[self.type]

    @property
    def path(self) -> str:
        return f"/v1/{self.collection}/{self.slug}"

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.slug)

    def section(self, key: str):
        return next((s for s in self.body.sections if s.key == key), None)


@dataclass(frozen=True, kw_only=True)
class Article(Entry):
    type: ClassVar[str] = "article"
    conditions: tuple[str, ...]
    treatments: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Condition(Entry):
    type: ClassVar[str] = "condition"
    also_known_as: tuple[str, ...]
    quick_facts: tuple[Mapping, ...]
    related_conditions: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Treatment(Entry):
    type: ClassVar[str] = "treatment"
    kind: str
    how_it_works: RichText
    what_to_expect: Mapping
    side_effects: tuple[Mapping, ...]
    conditions: tuple[str, ...]
    evidence_notes: RichText | None


ENTRY_CLASSES = {cls.type: cls for cls in (Article, Condition, Treatment)}


@dataclass(frozen=True)
class Tag:
    slug: str
    label: str
    description: str


@dataclass(frozen=True)
class Site:
    name: str
    base_url: str
    description: str
    calls_to_action: tuple[Mapping, ...]
    disclaimer: str
    licence: Mapping
    attribution: str
    # services a reader can reach now (label, how_to_reach, when_to_use…), keyed for pages to name
    urgent_help: tuple[Mapping, ...] = ()
    practical_questions: tuple[Mapping, ...] = ()  # cost, insurance, referral (placeholders)
    to_confirm: tuple[Mapping, ...] = ()  # settings that are the clinic's choice to confirm

    def urgent_help_for(self, keys) -> list[Mapping]:
        by_key = {item["key"]: item for item in self.urgent_help}
        return [by_key[k] for k in keys if k in by_key]


@dataclass(frozen=True)
class Gone:
    """A page that no longer exists: renamed (`moved_to` is its new (type, slug)) or removed."""

    type: str
    slug: str
    date: date
    moved_to: tuple[str, str] | None
    reason: str | None


@dataclass(frozen=True)
class Store:
    site: Site
    tags: Mapping[str, Tag]
    # type -> slug -> entry, drafts and scheduled entries included (for previews)
    entries: Mapping[str, Mapping[str, Entry]]
    # type -> slug -> entry, only what the public may see
    public: Mapping[str, Mapping[str, Entry]]
    # (type, slug) -> relation name ("articles", "conditions", "treatments") -> public slugs
    related: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]]
    # tag slug -> public (type, slug) pairs carrying it
    tagged: Mapping[str, tuple[tuple[str, str], ...]]
    version: str  # hash of every content file: names the search index and versions ETags
    loaded_on: date = field(default_factory=date.today)
    # (type, slug) -> Gone, from content/redirects.yaml
    gone: Mapping[tuple[str, str], Gone] = field(default_factory=dict)

    def public_entries(self):
        for by_slug in self.public.values():
            yield from by_slug.values()

    def count(self) -> int:
        return sum(len(by_slug) for by_slug in self.public.values())
