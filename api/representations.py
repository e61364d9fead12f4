"""JSON representations of entries, built from the store through the output schemas.

Each entry's summary is dumped once (on first use) and kept: one small dict per public entry,
bounded by the pack, not by traffic (list pages slice and filter them). Details are built per
request and not kept here: building and serialising one costs about 0.3 ms of CPU at MedQuAD's
size, and the response memo (api/delivery/memo.py, RESPONSE_MEMO_MB) already keeps each URL's
finished body. Two caches beside it (dumped detail dicts, serialised default bodies) held the same
bodies a second and third time, as Python objects several times their JSON size.

Each entry has its own version (`meta.version`, `revision`): a hash of everything its
representations are made from (its file, the summaries of its related entries, its tags' labels,
the site's texts, the site URL, and the code that shapes a representation), so an edit elsewhere
in the pack leaves its bodies and ETags unchanged, and an edit that shows in it (a related
page's title) or a deploy that changes the output schemas changes them.
"""

import hashlib
import sys
from functools import cache
from pathlib import Path

import orjson

from schemas.common import COLLECTIONS, RELATIONS
from schemas.output import (
    EntryDetailSchema,
    EntrySummarySchema,
    SiteOutSchema,
    TagOutSchema,
)

from .content.relations import DECLARED
from .content.store import Entry, Store
from .delivery.caching import strong_etag
from .jsonld import json_ld

# The modules whose code decides what a representation contains: when a deploy changes one,
# every entry's version changes with it (the content alone would not say so). The rendered
# Markdown itself is in the store, versioned by the snapshot's FORMAT and the files' hashes.
SHAPING_MODULES = ("api.representations", "api.jsonld", "schemas.output", "schemas.common")


@cache
def code_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in SHAPING_MODULES:
        digest.update(Path(sys.modules[name].__file__).read_bytes())
    return digest.hexdigest()[:16]


_summary_schema = EntrySummarySchema()
_detail_schema = EntryDetailSchema()


FORMATS = ("html", "text", "blocks")
DEFAULT_FORMATS = ("html", "text")


def _rich(rich, formats) -> dict | None:
    return None if rich is None else {f: getattr(rich, f) for f in formats}


def pick(data: dict, fields) -> dict:
    """A sparse fieldset: the chosen fields, and always `type` and `slug` to identify the item."""
    return {k: v for k, v in data.items() if k in fields or k in ("type", "slug")}


class Representations:
    def __init__(self, store: Store, site_url: str = "", revisions: dict | None = None):
        self.store = store
        self.site_url = (site_url or store.site.base_url).rstrip("/")
        self.revisions = revisions or {}  # "type:slug" → revision, from the manifest
        self._summaries: dict = {}  # one per public entry: bounded by the pack
        site = store.site
        # the site's texts an entry's representation shows (meta, JSON-LD publisher); its
        # urgent-help services are added per entry, so a changed help line versions only the
        # pages that show it
        self._site_text = [site.name, site.disclaimer, site.attribution, dict(site.licence)]

    def revision(self, entry: Entry) -> str:
        """This entry's version (see the module doc); kept in the manifest for public entries."""
        known = self.revisions.get(f"{entry.type}:{entry.slug}")
        if known is not None:
            return known
        inputs = [
            entry.digest,
            [self.tag_ref(t) for t in entry.tags],
            self._related_data(entry),
            self._site_text,
            [dict(u) for u in self.store.site.urgent_help_for(entry.urgent_help)],
            self.site_url,
            code_fingerprint(),
        ]
        return hashlib.sha256(orjson.dumps(inputs)).hexdigest()[:16]

    def tag_ref(self, slug: str) -> dict:
        return {"slug": slug, "label": self.store.tags[slug].label}

    def canonical_url(self, entry: Entry) -> str:
        """The page on the clinic's website (decision: /{collection}/{slug} under the site URL)."""
        return f"{self.site_url}/{entry.collection}/{entry.slug}"

    def _summary_data(self, entry: Entry) -> dict:
        data = {
            "type": entry.type,
            "slug": entry.slug,
            "title": entry.title,
            "summary": entry.summary,
            "url": entry.path,
            "tags": [self.tag_ref(t) for t in entry.tags],
            "published": entry.published,
            "updated": entry.updated,
            "reading_time": entry.reading_time,
        }
        if entry.type == "condition":
            data["also_known_as"] = list(entry.also_known_as)
        elif entry.type == "treatment":
            data["kind"] = entry.kind
        return data

    def summary(self, entry: Entry) -> dict:
        cached = self._summaries.get(entry.key)
        if cached is None:
            cached = self._summaries[entry.key] = _summary_schema.dump(self._summary_data(entry))
        return cached

    def _relations(self, entry: Entry) -> dict:
        """Public related slugs; a previewed draft gets the ones it declares itself."""
        related = self.store.related.get(entry.key)
        if related is not None:
            return related
        public = self.store.public
        declared = {
            COLLECTIONS[target]: getattr(entry, attribute)
            for source, attribute, target in DECLARED
            if source == entry.type
        }
        return {
            name: tuple(s for s in declared.get(name, ()) if s in public[name[:-1]])
            for name in RELATIONS[entry.type]
        }

    def _related_data(self, entry: Entry) -> dict:
        public = self.store.public
        return {
            collection: [self._summary_data(public[collection[:-1]][slug]) for slug in slugs]
            for collection, slugs in self._relations(entry).items()
        }

    def detail(self, entry: Entry, formats: tuple = DEFAULT_FORMATS) -> dict:
        """The whole entry; rich-text fields carry only the requested body formats."""
        review = entry.review
        data = self._summary_data(entry)
        data.update(
            review={
                "status": review.status,
                "last_reviewed": review.last_reviewed,
                "next_review_due": review.next_review_due,
                "reviewer": dict(review.reviewer) if review.reviewer else None,
            },
            body={**_rich(entry.body, formats), "toc": [vars(i) for i in entry.body.toc]},
            sections=[
                {"key": s.key, "title": s.title, "url": f"{entry.path}/sections/{s.key}"}
                for s in entry.body.sections
            ],
            faq=[{"question": f.question, "answer": _rich(f.answer, formats)} for f in entry.faq],
            related=self._related_data(entry),
            urgent_help=[dict(u) for u in self.store.site.urgent_help_for(entry.urgent_help)],
        )
        data["json_ld"] = json_ld(
            entry, self.store.site, self.canonical_url(entry), self.site_url, data["related"]
        )
        if entry.type == "condition":
            data["quick_facts"] = [dict(f) for f in entry.quick_facts]
        elif entry.type == "treatment":
            data.update(
                how_it_works=_rich(entry.how_it_works, formats),
                what_to_expect=dict(entry.what_to_expect),
                side_effects=[dict(s) for s in entry.side_effects],
                evidence_notes=_rich(entry.evidence_notes, formats),
            )
        return _detail_schema.dump(data)

    def envelope(self, entry: Entry, formats: tuple, fields=None, include=None) -> dict:
        """The detail response body: the entry (fields picked, relations expanded) and meta."""
        data = self.detail(entry, formats)
        if include:
            data = dict(data)
            related = dict(data["related"])
            public = self.store.public
            for relation in include:
                kind = relation[:-1]
                slugs = self._relations(entry)[relation]
                related[relation] = [self.detail(public[kind][s], formats) for s in slugs]
            data["related"] = related
        if fields:
            data = pick(data, fields)
        return {"data": data, "meta": self.meta(entry)}

    def envelope_bytes(self, entry: Entry, formats: tuple) -> tuple[bytes, str]:
        """(body, ETag) of the default detail response (the memo keeps it per URL)."""
        body = orjson.dumps(self.envelope(entry, formats))
        return body, strong_etag(body)

    def meta(self, entry: Entry) -> dict:
        site = self.store.site
        return {
            "disclaimer": site.disclaimer,
            "attribution": site.attribution,
            "licence": dict(site.licence),
            "canonical_url": self.canonical_url(entry),
            "version": self.revision(entry),
        }

    def tag(self, slug: str) -> dict:
        tag = self.store.tags[slug]
        return TagOutSchema().dump(
            {
                "slug": tag.slug,
                "label": tag.label,
                "description": tag.description,
                "count": len(self.store.tagged[slug]),
                "url": f"/v1/tags/{tag.slug}",
            }
        )

    def site(self) -> dict:
        site = self.store.site
        data = {
            "name": site.name,
            "base_url": self.site_url,
            "description": site.description,
            "calls_to_action": [dict(c) for c in site.calls_to_action],
            "disclaimer": site.disclaimer,
            "licence": dict(site.licence),
            "attribution": site.attribution,
            "urgent_help": [dict(u) for u in site.urgent_help],
            "practical_questions": [dict(q) for q in site.practical_questions],
            "to_confirm": [dict(c) for c in site.to_confirm],
            "version": self.store.version,
        }
        return SiteOutSchema().dump(data)
