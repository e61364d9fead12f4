"""Input schemas: they validate each content file's YAML front matter (and site/tags files).

Unknown fields are errors (marshmallow's default RAISE), so a typo such as `titel:` is reported
rather than silently ignored. Dates arrive as strings because the loader's YAML resolver leaves
timestamps unparsed: marshmallow then reports a bad date with the field's name.
"""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .common import (
    REVIEW_STATUSES,
    SIDE_EFFECT_FREQUENCIES,
    STATUSES,
    TREATMENT_KINDS,
    slug_field,
    slug_list,
)

_text = validate.Length(min=1)
# what a phone dials: digits, optionally a leading + and single hyphens (988, 1-833-852-6262)
_dial = validate.Regexp(r"^\+?\d+(?:-\d+)*$", error="digits and hyphens, e.g. 1-800-662-4357")


def _required_text(validate_with=_text) -> fields.String:
    return fields.String(required=True, validate=validate_with)


class ReviewerSchema(Schema):
    name = _required_text()
    credentials = fields.String(load_default=None, allow_none=True)


class ReviewSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(REVIEW_STATUSES))
    last_reviewed = fields.Date(load_default=None, allow_none=True)
    next_review_due = fields.Date(load_default=None, allow_none=True)
    reviewer = fields.Nested(ReviewerSchema, load_default=None, allow_none=True)

    @validates_schema
    def _consistent(self, data, **kwargs):
        if data.get("status") == "reviewed" and not data.get("last_reviewed"):
            raise ValidationError("a reviewed entry needs its review date", "last_reviewed")
        last, due = data.get("last_reviewed"), data.get("next_review_due")
        if last and due and due < last:
            raise ValidationError("must not be before last_reviewed", "next_review_due")


class FaqSchema(Schema):
    question = _required_text()
    answer = _required_text()


class EntrySchema(Schema):
    """Fields every entry type shares."""

    slug = slug_field(load_default=None)  # defaults to the file name's stem
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    published = fields.Date(required=True)
    updated = fields.Date(load_default=None, allow_none=True)
    summary = _required_text(validate.Length(min=1, max=300))
    tags = slug_list()
    review = fields.Nested(ReviewSchema, required=True)
    faq = fields.List(fields.Nested(FaqSchema), load_default=list)
    # keys of site.yaml's urgent_help services that apply to this page (checked by the loader)
    urgent_help = slug_list()

    @validates_schema
    def _dates_in_order(self, data, **kwargs):
        published, updated = data.get("published"), data.get("updated")
        if published and updated and updated < published:
            raise ValidationError("must not be before published", "updated")


class ArticleSchema(EntrySchema):
    title = _required_text()
    conditions = slug_list()
    treatments = slug_list()


class QuickFactSchema(Schema):
    label = _required_text()
    value = _required_text()
    # a fact patients read names where it comes from (organization and document); the URL only
    # where someone has checked it
    source = _required_text()
    source_url = fields.Url(load_default=None, allow_none=True)


class ConditionSchema(EntrySchema):
    name = _required_text()
    also_known_as = fields.List(fields.String(validate=_text), load_default=list)
    quick_facts = fields.List(fields.Nested(QuickFactSchema), load_default=list)
    related_conditions = slug_list()


class WhatToExpectSchema(Schema):
    session_length = fields.String(load_default=None, allow_none=True)
    series = fields.String(load_default=None, allow_none=True)
    maintenance = fields.String(load_default=None, allow_none=True)


class SideEffectSchema(Schema):
    name = _required_text()
    frequency = fields.String(required=True, validate=validate.OneOf(SIDE_EFFECT_FREQUENCIES))
    what_to_do = _required_text()


class TreatmentSchema(EntrySchema):
    name = _required_text()
    kind = fields.String(required=True, validate=validate.OneOf(TREATMENT_KINDS))
    how_it_works = _required_text()
    what_to_expect = fields.Nested(WhatToExpectSchema, load_default=dict)
    side_effects = fields.List(fields.Nested(SideEffectSchema), load_default=list)
    conditions = slug_list()
    evidence_notes = fields.String(load_default=None, allow_none=True)


FRONT_MATTER_SCHEMAS = {
    "article": ArticleSchema,
    "condition": ConditionSchema,
    "treatment": TreatmentSchema,
}


class TagSchema(Schema):
    slug = slug_field(required=True)
    label = _required_text()
    description = fields.String(load_default="")


class CallToActionSchema(Schema):
    key = slug_field(required=True)
    label = _required_text()
    url = fields.Url(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True)
    placeholder = fields.Boolean(load_default=False)
    note = fields.String(load_default=None, allow_none=True)


class LicenceSchema(Schema):
    name = _required_text()
    url = fields.Url(load_default=None, allow_none=True)


_CONFIRMABLE = ("name", "base_url", "licence")


class ToConfirmSchema(Schema):
    """A site setting filled in for now that the clinic must confirm (name, base_url, licence)."""

    field = fields.String(required=True, validate=validate.OneOf(_CONFIRMABLE))
    note = _required_text()


class UrgentHelpSchema(Schema):
    """One service a reader can reach now (site.yaml `urgent_help`); pages name it by `key`."""

    key = slug_field(required=True)
    label = _required_text()
    how_to_reach = _required_text()  # in words, e.g. "Call or text 988"
    when_to_use = _required_text()
    call = fields.String(load_default=None, allow_none=True, validate=_dial)
    text = fields.String(load_default=None, allow_none=True, validate=_dial)
    url = fields.Url(load_default=None, allow_none=True)  # only where verified


class PracticalQuestionSchema(Schema):
    """Cost, insurance, referral: questions only the clinic can answer (placeholders until then)."""

    key = slug_field(required=True)
    question = _required_text()
    answer = fields.String(load_default=None, allow_none=True)
    placeholder = fields.Boolean(load_default=False)
    note = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def _answered_or_placeholder(self, data, **kwargs):
        if not data.get("answer") and not data.get("placeholder"):
            raise ValidationError("give the clinic's answer or mark it a placeholder", "answer")


class SiteSchema(Schema):
    name = _required_text()
    base_url = fields.Url(required=True)
    description = fields.String(load_default="")
    calls_to_action = fields.List(fields.Nested(CallToActionSchema), load_default=list)
    disclaimer = _required_text()
    licence = fields.Nested(LicenceSchema, required=True)
    attribution = _required_text()
    to_confirm = fields.List(fields.Nested(ToConfirmSchema), load_default=list)
    urgent_help = fields.List(fields.Nested(UrgentHelpSchema), load_default=list)
    practical_questions = fields.List(fields.Nested(PracticalQuestionSchema), load_default=list)

    @validates_schema(skip_on_field_errors=False)  # reported with any other error in the file
    def _unique_keys(self, data, **kwargs):
        for name in ("urgent_help", "practical_questions"):
            keys = [item.get("key") for item in data.get(name) or () if isinstance(item, dict)]
            repeated = sorted({k for k in keys if k and keys.count(k) > 1})
            if repeated:
                raise ValidationError(f"repeated key(s): {', '.join(repeated)}", name)


ENTRY_PATH = r"^(articles|conditions|treatments)/[a-z0-9]+(?:-[a-z0-9]+)*$"
_path = validate.Regexp(ENTRY_PATH, error="must be <articles|conditions|treatments>/<slug>")


class RedirectSchema(Schema):
    """One line of content/redirects.yaml: a renamed page (`from` → `to`) or a removed one."""

    from_ = fields.String(data_key="from", load_default=None, validate=_path)
    to = fields.String(load_default=None, validate=_path)
    removed = fields.String(load_default=None, validate=_path)
    date = fields.Date(required=True)
    reason = fields.String(load_default=None)

    @validates_schema
    def _one_kind(self, data, **kwargs):
        renamed = data.get("from_") is not None or data.get("to") is not None
        if renamed and data.get("removed"):
            raise ValidationError("give either from/to (a rename) or removed, not both")
        if renamed and not (data.get("from_") and data.get("to")):
            raise ValidationError("a rename needs both from and to")
        if not renamed and not data.get("removed"):
            raise ValidationError("give from/to (a rename) or removed")
