"""Check cross-references and resolve relations both ways over the public entries.

Relations are declared once, on one side (an article names its conditions); this module adds the
reverse side (the condition lists the articles), so editors never keep two lists in sync.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from schemas.common import COLLECTIONS, RELATIONS

from .files import ContentError
from .store import frozen_map

# (declaring type, attribute, target type)
DECLARED = (
    ("article", "conditions", "condition"),
    ("article", "treatments", "treatment"),
    ("treatment", "conditions", "condition"),
    ("condition", "related_conditions", "condition"),
)


@dataclass(frozen=True)
class Resolved:
    public: object
    related: object
    tagged: object


def is_public(entry, today: date) -> bool:
    """Drafts and entries scheduled for a later date are invisible to the public."""
    return entry.status == "published" and entry.published <= today


def _check_references(entries, tags, lines, errors):
    for by_slug in entries.values():
        for entry in by_slug.values():
            for index, tag in enumerate(entry.tags):
                if tag not in tags:
                    line = lines.get((entry.source, "tags", index))
                    errors.append(ContentError(entry.source, line, "tags", f"unknown tag '{tag}'"))
    for source_type, attribute, target_type in DECLARED:
        for entry in entries[source_type].values():
            for index, slug in enumerate(getattr(entry, attribute)):
                line = lines.get((entry.source, attribute, index))
                if slug not in entries[target_type]:
                    message = f"no {target_type} has the slug '{slug}'"
                elif source_type == target_type and slug == entry.slug:
                    message = f"{target_type} '{slug}' cannot relate to itself"
                else:
                    continue
                errors.append(ContentError(entry.source, line, attribute, message))


def resolve(entries, tags, today: date, errors: list, lines=None) -> Resolved:
    _check_references(entries, tags, lines or {}, errors)
    public = {
        kind: {slug: e for slug, e in by_slug.items() if is_public(e, today)}
        for kind, by_slug in entries.items()
    }
    related: dict = defaultdict(lambda: defaultdict(list))
    for source_type, attribute, target_type in DECLARED:
        for entry in public[source_type].values():
            for slug in getattr(entry, attribute):
                if slug not in public[target_type]:
                    continue  # a draft target stays hidden
                related[entry.key][COLLECTIONS[target_type]].append(slug)
                related[(target_type, slug)][COLLECTIONS[source_type]].append(entry.slug)
    frozen_related = {}
    for kind, by_slug in public.items():
        for entry in by_slug.values():
            found = related.get(entry.key, {})
            # every relation name of the type, possibly empty: a stable output shape
            frozen_related[entry.key] = frozen_map(
                {name: tuple(dict.fromkeys(found.get(name, ()))) for name in RELATIONS[kind]}
            )
    tagged: dict = defaultdict(list)
    for by_slug in public.values():
        for entry in by_slug.values():
            for tag in entry.tags:
                tagged[tag].append(entry.key)
    return Resolved(
        public=frozen_map({k: frozen_map(v) for k, v in public.items()}),
        related=frozen_map(frozen_related),
        tagged=frozen_map({tag: tuple(tagged.get(tag, ())) for tag in tags}),
    )
