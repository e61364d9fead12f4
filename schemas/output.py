"""Output schemas: the documented shape of every response body.

Representations are dumped through these once per entry (not per request), so the response keys
can never exceed what is documented here. `required` means "always present" (unless `fields=`
picks a sparse fieldset, which has its own `…Fields` schemas); `allow_none` means "present, may
be null". api/contract.py turns what marshmallow cannot say (unions, discriminators, nullable
references) into the OpenAPI document.
"""

from marshmallow import Schema, fields

from .common import (
    ENTRY_TYPES,
    REVIEW_STATUSES,
    SIDE_EFFECT_FREQUENCIES,
    TREATMENT_KINDS,
)

_str = fields.String
_date = fields.Date


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


class Described(fields.Raw):
    """A value serialised elsewhere (already-dumped summaries, block trees, JSON-LD unions) and
    documented by raw OpenAPI: `one_of` refs (with a discriminator on `type` when `discriminate`),
    `any_of` refs, or a plain `schema`. The contract tests hold these to the live responses."""

    def __init__(self, *, one_of=(), any_of=(), schema=None, discriminate=False, **kwargs):
        doc = dict(schema or {})
        if one_of:
            doc["oneOf"] = [ref(name) for name in one_of]
        if any_of:
            doc["anyOf"] = [ref(name) for name in any_of]
        if discriminate:  # "discriminator" is not passed through by apispec: contract.py renames
            doc["x-discriminator"] = {
                "propertyName": "type",
                "mapping": {name.split("Summary")[0].lower(): ref(name)["$ref"] for name in one_of},
            }
        metadata = {**doc, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)


class TagRefSchema(Schema):
    slug = _str(required=True)
    label = _str(required=True)


class _SummaryFields(Schema):
    """What every entry's summary carries (list items, related entries, tag members)."""

    type = _str(required=True)  # first in every body; each subclass narrows it to its type
    slug = _str(required=True)
    title = _str(
        required=True, metadata={"description": "Article title or condition/treatment name"}
    )
    summary = _str(required=True)
    url = _str(required=True, metadata={"description": "Path of the entry's detail endpoint"})
    tags = fields.List(fields.Nested(TagRefSchema), required=True)
    published = _date(required=True)
    updated = _date(required=True)
    reading_time = fields.Integer(required=True, metadata={"description": "Minutes"})


def _type(kind: str) -> fields.String:
    return _str(required=True, metadata={"enum": [kind], "description": "Entry type"})


class ArticleSummarySchema(_SummaryFields):
    type = _type("article")


class ConditionSummarySchema(_SummaryFields):
    type = _type("condition")
    also_known_as = fields.List(_str(), required=True)


class TreatmentSummarySchema(_SummaryFields):
    type = _type("treatment")
    kind = _str(required=True, metadata={"enum": list(TREATMENT_KINDS)})


SUMMARY_SCHEMAS = {
    "article": ArticleSummarySchema,
    "condition": ConditionSummarySchema,
    "treatment": TreatmentSummarySchema,
}
# Any entry's summary: the document's oneOf of the three, told apart by `type`.
ANY_SUMMARY = ("ArticleSummary", "ConditionSummary", "TreatmentSummary")


class ReviewerSchema(Schema):
    name = _str(required=True)
    credentials = _str(allow_none=True, required=True)


class ReviewOutSchema(Schema):
    status = _str(required=True, metadata={"enum": list(REVIEW_STATUSES)})
    last_reviewed = _date(allow_none=True, required=True)
    next_review_due = _date(allow_none=True, required=True)
    reviewer = fields.Nested(ReviewerSchema, allow_none=True, required=True)


BLOCK_TYPES = (
    # block nodes
    "paragraph",
    "heading",
    "list",
    "list_item",
    "quote",
    "code",
    "rule",
    "table",
    "table_head",
    "table_body",
    "table_row",
    "table_cell",
    # inline nodes
    "text",
    "emphasis",
    "strong",
    "strikethrough",
    "link",
    "break",
)


class BlockSchema(Schema):
    """One node of the `blocks` tree (api/content/blocks.py): containers have `children`; the
    other properties appear on the node types named in their descriptions."""

    type = _str(required=True, metadata={"enum": list(BLOCK_TYPES)})
    children = fields.List(
        fields.Nested(lambda: BlockSchema()),
        metadata={"description": "Every node type except text, code, rule and break"},
    )
    level = fields.Integer(metadata={"description": "heading: 1-6", "minimum": 1, "maximum": 6})
    id = _str(allow_none=True, metadata={"description": "heading: anchor id"})
    ordered = fields.Boolean(metadata={"description": "list"})
    start = fields.Integer(metadata={"description": "list, when ordered: first number"})
    header = fields.Boolean(metadata={"description": "table_cell: a header cell"})
    text = _str(metadata={"description": "text and code: the characters"})
    language = _str(allow_none=True, metadata={"description": "code blocks: info string"})
    href = _str(metadata={"description": "link: http(s), mailto, tel or site-relative"})


class RichTextSchema(Schema):
    """The formats `format=` asks for (default html and text): each key only when asked."""

    html = _str(metadata={"description": "Sanitised HTML"})
    text = _str(metadata={"description": "Plain text"})
    blocks = fields.List(
        Described(schema=ref("Block")),
        metadata={"description": "Structured tree for native apps"},
    )


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
    source = _str(allow_none=True, required=True)
    source_url = _str(allow_none=True, required=True)


class SideEffectOutSchema(Schema):
    name = _str(required=True)
    frequency = _str(required=True, metadata={"enum": list(SIDE_EFFECT_FREQUENCIES)})
    what_to_do = _str(required=True)


class WhatToExpectOutSchema(Schema):
    """Each key only when the treatment's file gives it."""

    session_length = _str(allow_none=True)
    series = _str(allow_none=True)
    maintenance = _str(allow_none=True)


class JsonLdOrganizationSchema(Schema):
    type_ = _str(
        required=True,
        attribute="@type",
        data_key="@type",
        metadata={"enum": ["MedicalOrganization"]},
    )
    name = _str(required=True)
    url = _str(required=True)


class UrgentHelpOutSchema(Schema):
    """A service to reach now (site.yaml `urgent_help`)."""

    key = _str(required=True)
    label = _str(required=True)
    how_to_reach = _str(
        required=True, metadata={"description": "In words, e.g. 'Call or text 988'"}
    )
    when_to_use = _str(required=True)
    call = _str(allow_none=True, metadata={"description": "Number to dial (for a tel: link)"})
    text = _str(allow_none=True, metadata={"description": "Number to text (for an sms: link)"})
    url = _str(allow_none=True)


class JsonLdPersonSchema(Schema):
    type_ = _str(required=True, attribute="@type", data_key="@type", metadata={"enum": ["Person"]})
    name = _str(required=True)


class JsonLdTopicSchema(Schema):
    type_ = _str(
        required=True,
        attribute="@type",
        data_key="@type",
        metadata={"enum": ["MedicalCondition", "MedicalTherapy"]},
    )
    name = _str(required=True)
    alternate_name = fields.List(_str(), attribute="alternateName", data_key="alternateName")


class JsonLdSchema(Schema):
    """schema.org JSON-LD (api/jsonld.py): a MedicalWebPage (an Article too for articles)."""

    context = _str(
        required=True,
        attribute="@context",
        data_key="@context",
        metadata={"enum": ["https://schema.org"]},
    )
    type_ = Described(
        required=True,
        attribute="@type",
        data_key="@type",
        schema={
            "oneOf": [
                {"type": "string", "enum": ["MedicalWebPage"]},
                {
                    "type": "array",
                    "items": {"type": "string", "enum": ["MedicalWebPage", "Article"]},
                },
            ]
        },
    )
    name = _str(required=True)
    headline = _str(required=True)
    description = _str(required=True)
    url = _str(required=True)
    in_language = _str(required=True, attribute="inLanguage", data_key="inLanguage")
    date_published = _str(required=True, attribute="datePublished", data_key="datePublished")
    date_modified = _str(required=True, attribute="dateModified", data_key="dateModified")
    publisher = fields.Nested(JsonLdOrganizationSchema, required=True)
    license = _str(required=True, metadata={"description": "Licence URL, else its name"})
    keywords = fields.List(_str(), required=True)
    last_reviewed = _str(
        attribute="lastReviewed",
        data_key="lastReviewed",
        metadata={"description": "Only when a review is recorded"},
    )
    reviewed_by = fields.Nested(
        JsonLdPersonSchema,
        attribute="reviewedBy",
        data_key="reviewedBy",
        metadata={"description": "Only when a reviewer is recorded"},
    )
    about = Described(
        required=True,
        schema={
            "description": "Conditions and treatments: the topic; articles: their related ones",
            "oneOf": [
                ref("JsonLdTopic"),
                {"type": "array", "items": ref("JsonLdTopic")},
            ],
        },
    )


def _related(kind: str, **kwargs) -> fields.List:
    """Related entries of one type: summaries, or whole details when `include=` names them."""
    name = kind.capitalize()
    return fields.List(
        fields.Nested(SUMMARY_SCHEMAS[kind]),
        metadata={"x-items": {"oneOf": [ref(f"{name}Detail"), ref(f"{name}Summary")]}},
        **kwargs,
    )


class ArticleRelatedSchema(Schema):
    conditions = _related("condition", required=True)
    treatments = _related("treatment", required=True)


class ConditionRelatedSchema(Schema):
    articles = _related("article", required=True)
    treatments = _related("treatment", required=True)
    conditions = _related("condition", required=True)


class TreatmentRelatedSchema(Schema):
    articles = _related("article", required=True)
    conditions = _related("condition", required=True)


class _DetailFields(Schema):
    """What every entry's detail adds to its summary."""

    review = fields.Nested(ReviewOutSchema, required=True)
    body = fields.Nested(BodySchema, required=True)
    sections = fields.List(fields.Nested(SectionRefSchema), required=True)
    faq = fields.List(fields.Nested(FaqOutSchema), required=True)
    json_ld = fields.Nested(JsonLdSchema, required=True)
    urgent_help = fields.List(
        fields.Nested(UrgentHelpOutSchema),
        required=True,
        metadata={
            "description": "Where to get help now, for pages about mental health, ketamine or "
            "opioids; show it prominently. Empty when none applies."
        },
    )


class ArticleDetailSchema(_DetailFields, ArticleSummarySchema):  # summary fields first
    related = fields.Nested(ArticleRelatedSchema, required=True)


class ConditionDetailSchema(_DetailFields, ConditionSummarySchema):  # summary fields first
    related = fields.Nested(ConditionRelatedSchema, required=True)
    quick_facts = fields.List(fields.Nested(QuickFactOutSchema), required=True)


class TreatmentDetailSchema(_DetailFields, TreatmentSummarySchema):  # summary fields first
    related = fields.Nested(TreatmentRelatedSchema, required=True)
    how_it_works = fields.Nested(RichTextSchema, required=True)
    what_to_expect = fields.Nested(WhatToExpectOutSchema, required=True)
    side_effects = fields.List(fields.Nested(SideEffectOutSchema), required=True)
    evidence_notes = fields.Nested(RichTextSchema, allow_none=True, required=True)


DETAIL_SCHEMAS = {
    "article": ArticleDetailSchema,
    "condition": ConditionDetailSchema,
    "treatment": TreatmentDetailSchema,
}


class _ByType:
    """Dumps an entry's data through the schema of its type."""

    def __init__(self, schemas: dict):
        self._schemas = {kind: schema() for kind, schema in schemas.items()}

    def dump(self, data: dict) -> dict:
        return self._schemas[data["type"]].dump(data)


def EntrySummarySchema() -> _ByType:  # noqa: N802 - used like the schema class it stands for
    return _ByType(SUMMARY_SCHEMAS)


def EntryDetailSchema() -> _ByType:  # noqa: N802
    return _ByType(DETAIL_SCHEMAS)


def _sparse(schema: type[Schema], name: str) -> type[Schema]:
    """The same fields, none required but `type` and `slug`: what `fields=` answers."""
    declared = schema().declared_fields  # unbound copies, made by marshmallow for each instance
    for field_name, field in declared.items():
        field.required = field_name in ("type", "slug")
    return Schema.from_dict(declared, name=name)


class LicenceOutSchema(Schema):
    name = _str(required=True)
    url = _str(allow_none=True, required=True)


class DetailMetaSchema(Schema):
    disclaimer = _str(required=True)
    attribution = _str(required=True)
    licence = fields.Nested(LicenceOutSchema, required=True)
    canonical_url = _str(required=True)
    version = _str(required=True, metadata={"description": "Content version (hash)"})


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


class _Typed:
    """The response schemas of one entry type's endpoints."""

    def __init__(self, kind: str):
        name = kind.capitalize()
        summary, detail = SUMMARY_SCHEMAS[kind], DETAIL_SCHEMAS[kind]
        # sparse fieldsets (`fields=`); registered as components by api/contract.py
        self.summary_fields = _sparse(summary, f"{name}SummaryFields")
        self.detail_fields = _sparse(detail, f"{name}DetailFields")
        fields_note = {"description": f"{name}Detail, or {name}DetailFields with `fields=`"}
        self.envelope = Schema.from_dict(
            {
                "data": Described(
                    required=True,
                    any_of=(f"{name}Detail", f"{name}DetailFields"),
                    metadata=fields_note,
                ),
                "meta": fields.Nested(DetailMetaSchema, required=True),
            },
            name=f"{name}Envelope",
        )
        self.list = Schema.from_dict(
            {
                "items": fields.List(
                    Described(any_of=(f"{name}Summary", f"{name}SummaryFields")), required=True
                ),
                "meta": fields.Nested(PageMetaSchema, required=True),
            },
            name=f"{name}List",
        )
        self.section = Schema.from_dict(
            {
                "key": _str(required=True),
                "title": _str(required=True),
                "url": _str(required=True),
                "entry": fields.Nested(summary, required=True),
                "content": fields.Nested(RichTextSchema, required=True),
            },
            name=f"{name}Section",
        )
        self.section_envelope = Schema.from_dict(
            {
                "data": fields.Nested(self.section, required=True),
                "meta": fields.Nested(DetailMetaSchema, required=True),
            },
            name=f"{name}SectionEnvelope",
        )
        self.bulk = Schema.from_dict(
            {
                "items": fields.List(
                    fields.Nested(self.envelope),
                    required=True,
                    metadata={
                        "description": "Each found entry's detail response, in the requested order"
                    },
                ),
                "meta": fields.Nested(BulkMetaSchema, required=True),
            },
            name=f"{name}Bulk",
        )
        self.detail = detail


TYPED = {kind: _Typed(kind) for kind in ENTRY_TYPES}


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
    entries = fields.List(Described(one_of=ANY_SUMMARY, discriminate=True), required=True)


class TagEnvelopeSchema(Schema):
    data = fields.Nested(TagDetailSchema, required=True)


class CallToActionOutSchema(Schema):
    key = _str(required=True)
    label = _str(required=True)
    url = _str(allow_none=True, required=True)
    phone = _str(allow_none=True, required=True)
    placeholder = fields.Boolean(required=True)
    note = _str(allow_none=True, required=True)


class PracticalQuestionOutSchema(Schema):
    """Cost, insurance, referral: `answer` is null while `placeholder` is true."""

    key = _str(required=True)
    question = _str(required=True)
    answer = _str(allow_none=True)
    placeholder = fields.Boolean(required=True)
    note = _str(allow_none=True)


class ToConfirmOutSchema(Schema):
    """A site setting that is the clinic's choice, filled in for now and still to confirm."""

    field = _str(required=True)
    note = _str(required=True)


class SiteOutSchema(Schema):
    name = _str(required=True)
    base_url = _str(required=True)
    description = _str(required=True)
    calls_to_action = fields.List(fields.Nested(CallToActionOutSchema), required=True)
    disclaimer = _str(required=True)
    licence = fields.Nested(LicenceOutSchema, required=True)
    attribution = _str(required=True)
    urgent_help = fields.List(fields.Nested(UrgentHelpOutSchema), required=True)
    practical_questions = fields.List(fields.Nested(PracticalQuestionOutSchema), required=True)
    to_confirm = fields.List(fields.Nested(ToConfirmOutSchema), required=True)
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


class TypeFacetSchema(Schema):
    """Matches per entry type; a type with none is left out."""

    article = fields.Integer(metadata={"minimum": 1})
    condition = fields.Integer(metadata={"minimum": 1})
    treatment = fields.Integer(metadata={"minimum": 1})


class FacetsSchema(Schema):
    type = fields.Nested(TypeFacetSchema, required=True)
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
    license_url = _str(allow_none=True, required=True)
    attribution = _str(required=True)


class JsonFeedAuthorSchema(Schema):
    name = _str(required=True)
    url = _str(required=True)


class JsonFeedItemSchema(Schema):
    id = _str(required=True, metadata={"description": "The article's canonical page URL"})
    url = _str(required=True)
    external_url = _str(required=True, metadata={"description": "The article's API URL"})
    title = _str(required=True)
    summary = _str(required=True)
    content_text = _str(required=True)
    date_published = _str(required=True, metadata={"format": "date-time"})
    date_modified = _str(required=True, metadata={"format": "date-time"})
    tags = fields.List(_str(), required=True, metadata={"description": "Tag labels"})


class JsonFeedSchema(Schema):
    """JSON Feed 1.1, with the licence, attribution and disclaimer as `_` extensions (the
    spec's way to add keys)."""

    version = _str(required=True, metadata={"enum": ["https://jsonfeed.org/version/1.1"]})
    title = _str(required=True)
    home_page_url = _str(required=True)
    feed_url = _str(required=True)
    description = _str(required=True)
    language = _str(required=True)
    authors = fields.List(fields.Nested(JsonFeedAuthorSchema), required=True)
    items = fields.List(fields.Nested(JsonFeedItemSchema), required=True)
    licence = fields.Nested(LicenceOutSchema, required=True, data_key="_licence")
    attribution = _str(required=True, data_key="_attribution")
    disclaimer = _str(required=True, data_key="_disclaimer")


# The body of a non-JSON response (XML, HTML): documented by its media type.
TEXT_BODY = {"type": "string"}


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
