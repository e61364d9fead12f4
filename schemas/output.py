"""Output schemas: the documented shape of every response body.

Representations are dumped through these once per entry (not per request), so the response keys
can never exceed what is documented here.
"""

from marshmallow import Schema, fields

from .common import ENTRY_TYPES, REVIEW_STATUSES, TREATMENT_KINDS

_str = fields.String
_date = fields.Date


class TagRefSchema(Schema):
    slug = _str(required=True)
    label = _str(required=True)


class EntrySummarySchema(Schema):
    """Every field is present unless a `fields=` sparse fieldset leaves it out (type and slug
    always come)."""

    type = _str(required=True, metadata={"enum": list(ENTRY_TYPES)})
    slug = _str(required=True)
    title = _str(metadata={"description": "Article title or condition/treatment name"})
    summary = _str()
    url = _str(metadata={"description": "Path of the entry's detail endpoint"})
    tags = fields.List(fields.Nested(TagRefSchema))
    published = _date()
    updated = _date()
    reading_time = fields.Integer(metadata={"description": "Minutes"})
    also_known_as = fields.List(_str(), metadata={"description": "Conditions only"})
    kind = _str(metadata={"description": "Treatments only", "enum": list(TREATMENT_KINDS)})


class ReviewerSchema(Schema):
    name = _str(required=True)
    credentials = _str(allow_none=True)


class ReviewOutSchema(Schema):
    status = _str(required=True, metadata={"enum": list(REVIEW_STATUSES)})
    last_reviewed = _date(allow_none=True, required=True)
    next_review_due = _date(allow_none=True, required=True)
    reviewer = fields.Nested(ReviewerSchema, allow_none=True, required=True)


class RichTextSchema(Schema):
    html = _str(metadata={"description": "Sanitised HTML"})
    text = _str(metadata={"description": "Plain text"})
    blocks = fields.List(fields.Dict(), metadata={"description": "Structured tree for native apps"})


class TocItemSchema(Schema):
    key = _str(required=True)
    title = _str(required=True)
    level = fields.Integer(required=True)


class SectionRefSchema(Schema):
    key = _str(required=True)
    title = _str(required=True)
    url = _str(required=True)


class BodySchema(RichTextSchema):
    toc = fields.List(fields.Nested(TocItemSchema), required=True)


class FaqOutSchema(Schema):
    question = _str(required=True)
    answer = fields.Nested(RichTextSchema, required=True)


class QuickFactOutSchema(Schema):
    label = _str(required=True)
    value = _str(required=True)
    source = _str(allow_none=True)
    source_url = _str(allow_none=True)


class SideEffectOutSchema(Schema):
    name = _str(required=True)
    frequency = _str(required=True)
    what_to_do = _str(required=True)


class WhatToExpectOutSchema(Schema):
    session_length = _str(allow_none=True)
    series = _str(allow_none=True)
    maintenance = _str(allow_none=True)


class RelatedSchema(Schema):
    articles = fields.List(fields.Nested(EntrySummarySchema))
    conditions = fields.List(fields.Nested(EntrySummarySchema))
    treatments = fields.List(fields.Nested(EntrySummarySchema))


class EntryDetailSchema(EntrySummarySchema):
    review = fields.Nested(ReviewOutSchema)
    body = fields.Nested(BodySchema)
    sections = fields.List(fields.Nested(SectionRefSchema))
    faq = fields.List(fields.Nested(FaqOutSchema))
    related = fields.Nested(RelatedSchema)
    # conditions
    quick_facts = fields.List(fields.Nested(QuickFactOutSchema))
    # treatments
    how_it_works = fields.Nested(RichTextSchema)
    what_to_expect = fields.Nested(WhatToExpectOutSchema)
    side_effects = fields.List(fields.Nested(SideEffectOutSchema))
    evidence_notes = fields.Nested(RichTextSchema, allow_none=True)
    json_ld = fields.Dict(metadata={"description": "schema.org JSON-LD (MedicalWebPage)"})


class LicenceOutSchema(Schema):
    name = _str(required=True)
    url = _str(allow_none=True)


class DetailMetaSchema(Schema):
    disclaimer = _str(required=True)
    attribution = _str(required=True)
    licence = fields.Nested(LicenceOutSchema, required=True)
    canonical_url = _str(required=True)
    version = _str(required=True, metadata={"description": "Content version (hash)"})


class EntryEnvelopeSchema(Schema):
    data = fields.Nested(EntryDetailSchema, required=True)
    meta = fields.Nested(DetailMetaSchema, required=True)


class PageMetaSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class BulkMetaSchema(Schema):
    missing = fields.List(
        _str(),
        required=True,
        metadata={"description": "Requested slugs with no public entry (unknown, draft, removed)"},
    )


class BulkEnvelopeSchema(Schema):
    items = fields.List(
        fields.Nested(EntryEnvelopeSchema),
        required=True,
        metadata={"description": "Each found entry's detail response, in the requested order"},
    )
    meta = fields.Nested(BulkMetaSchema, required=True)


class EntryListSchema(Schema):
    items = fields.List(fields.Nested(EntrySummarySchema), required=True)
    meta = fields.Nested(PageMetaSchema, required=True)


class SectionOutSchema(Schema):
    key = _str(required=True)
    title = _str(required=True)
    url = _str(required=True)
    entry = fields.Nested(EntrySummarySchema, required=True)
    content = fields.Nested(RichTextSchema, required=True)


class SectionEnvelopeSchema(Schema):
    data = fields.Nested(SectionOutSchema, required=True)
    meta = fields.Nested(DetailMetaSchema, required=True)


class TagOutSchema(Schema):
    slug = _str(required=True)
    label = _str(required=True)
    description = _str(required=True)
    count = fields.Integer(required=True)
    url = _str(required=True)


class TagListSchema(Schema):
    items = fields.List(fields.Nested(TagOutSchema), required=True)
    meta = fields.Nested(PageMetaSchema, required=True)


class TagDetailSchema(TagOutSchema):
    entries = fields.List(fields.Nested(EntrySummarySchema), required=True)


class TagEnvelopeSchema(Schema):
    data = fields.Nested(TagDetailSchema, required=True)


class CallToActionOutSchema(Schema):
    key = _str(required=True)
    label = _str(required=True)
    url = _str(allow_none=True)
    phone = _str(allow_none=True)
    placeholder = fields.Boolean(required=True)
    note = _str(allow_none=True)


class SiteOutSchema(Schema):
    name = _str(required=True)
    base_url = _str(required=True)
    description = _str(required=True)
    calls_to_action = fields.List(fields.Nested(CallToActionOutSchema), required=True)
    disclaimer = _str(required=True)
    licence = fields.Nested(LicenceOutSchema, required=True)
    attribution = _str(required=True)
    version = _str(required=True)


class SiteEnvelopeSchema(Schema):
    data = fields.Nested(SiteOutSchema, required=True)


class FieldErrorSchema(Schema):
    location = _str(required=True, metadata={"description": "query, path or header"})
    field = _str(required=True)
    message = _str(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details: the one error shape of this API."""

    type = _str(required=True, metadata={"description": "Problem type URI"})
    title = _str(required=True)
    status = fields.Integer(required=True)
    detail = _str(required=True)
    instance = _str(metadata={"description": "Request path"})
    errors = fields.List(fields.Nested(FieldErrorSchema))


class HighlightSchema(Schema):
    field = _str(required=True, metadata={"enum": ["title", "summary", "body"]})
    snippet = _str(required=True, metadata={"description": "HTML-escaped text; matches in <mark>"})


class SearchHitSchema(Schema):
    type = _str(required=True, metadata={"enum": list(ENTRY_TYPES)})
    slug = _str(required=True)
    title = _str(required=True)
    summary = _str(required=True)
    url = _str(required=True)
    score = fields.Float(required=True)
    highlights = fields.List(fields.Nested(HighlightSchema), required=True)


class FacetsSchema(Schema):
    type = fields.Dict(keys=_str(), values=fields.Integer(), required=True)
    tag = fields.Dict(keys=_str(), values=fields.Integer(), required=True)


class SpellingSuggestionSchema(Schema):
    query = _str(required=True)
    url = _str(required=True)


class SearchMetaSchema(PageMetaSchema):
    facets = fields.Nested(FacetsSchema, required=True)
    suggestion = fields.Nested(SpellingSuggestionSchema, allow_none=True, required=True)


class SearchResultSchema(Schema):
    items = fields.List(fields.Nested(SearchHitSchema), required=True)
    meta = fields.Nested(SearchMetaSchema, required=True)


class SuggestionSchema(Schema):
    text = _str(required=True, metadata={"description": "The title or also-known-as name"})
    type = _str(required=True, metadata={"enum": list(ENTRY_TYPES)})
    slug = _str(required=True)
    title = _str(required=True)
    url = _str(required=True)


class SuggestionListSchema(Schema):
    items = fields.List(fields.Nested(SuggestionSchema), required=True)


class HealthSchema(Schema):
    status = _str(required=True, metadata={"enum": ["ok"]})


class ReadinessSchema(Schema):
    status = _str(required=True, metadata={"enum": ["ready"]})
    content_version = _str(required=True)
    entries = fields.Integer(required=True, metadata={"description": "Public entries in the store"})
    indexed = fields.Integer(required=True, metadata={"description": "Documents in the index"})


class OEmbedSchema(Schema):
    """oEmbed 1.0 `rich` response, plus licence and attribution for the partner page."""

    version = _str(required=True)
    type = _str(required=True, metadata={"enum": ["rich"]})
    title = _str(required=True)
    provider_name = _str(required=True)
    provider_url = _str(required=True)
    html = _str(required=True)
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    cache_age = fields.Integer(required=True)
    license = _str(required=True)
    license_url = _str(allow_none=True)
    attribution = _str(required=True)


class ChangeSchema(Schema):
    change = _str(required=True, metadata={"enum": ["upsert", "remove"]})
    type = _str(required=True, metadata={"enum": list(ENTRY_TYPES)})
    slug = _str(required=True)
    url = _str(allow_none=True, required=True, metadata={"description": "Detail path (upserts)"})
    updated = _date(metadata={"description": "Upserts: the entry's updated date"})
    moved_to = _str(allow_none=True, metadata={"description": "Removals: the new path if renamed"})


class ChangeMetaSchema(Schema):
    cursor = _str(required=True, metadata={"description": "Pass as `since` next time"})
    since = _str(allow_none=True, required=True)
    reset = fields.Boolean(
        required=True,
        metadata={"description": "True: the items are everything; replace the local copy"},
    )
    total = fields.Integer(metadata={"description": "Items in this sync, all pages together"})
    next = _str(
        allow_none=True,
        metadata={"description": "Path of the next page of this sync; null on the last page"},
    )


class ChangeListSchema(Schema):
    items = fields.List(fields.Nested(ChangeSchema), required=True)
    meta = fields.Nested(ChangeMetaSchema, required=True)
