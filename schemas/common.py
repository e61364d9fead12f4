"""Field types shared by the input (front matter) and output schemas."""

from marshmallow import fields, validate

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MESSAGE = (
    "must be lower-case letters, digits and single hyphens ([a-z0-9-]), e.g. 'chronic-pain'"
)

ENTRY_TYPES = ("article", "condition", "treatment")
# URL path segment of each entry type (the collection name).
COLLECTIONS = {"article": "articles", "condition": "conditions", "treatment": "treatments"}
STATUSES = ("draft", "published")
REVIEW_STATUSES = ("not-reviewed", "in-review", "reviewed")
TREATMENT_KINDS = ("medication", "procedure", "therapy", "lifestyle")
SIDE_EFFECT_FREQUENCIES = ("common", "uncommon", "rare", "very-rare", "varies", "unknown")


def slug_field(**kwargs) -> fields.String:
    return fields.String(validate=validate.Regexp(SLUG_PATTERN, error=SLUG_MESSAGE), **kwargs)


def slug_list(**kwargs) -> fields.List:
    return fields.List(slug_field(), load_default=list, **kwargs)


# Names a client may pick with `fields=` and expand with `include=`, per entry type.
_SUMMARY = ("type", "slug", "title", "summary", "url", "tags", "published", "updated")
SUMMARY_FIELDS = {
    "article": _SUMMARY + ("reading_time",),
    "condition": _SUMMARY + ("reading_time", "also_known_as"),
    "treatment": _SUMMARY + ("reading_time", "kind"),
}
_DETAIL = ("review", "body", "sections", "faq", "related", "json_ld", "urgent_help")
DETAIL_FIELDS = {
    "article": SUMMARY_FIELDS["article"] + _DETAIL,
    "condition": SUMMARY_FIELDS["condition"] + _DETAIL + ("quick_facts",),
    "treatment": SUMMARY_FIELDS["treatment"]
    + _DETAIL
    + ("how_it_works", "what_to_expect", "side_effects", "evidence_notes"),
}
# Relation names each type exposes (declared on one side, resolved both ways).
RELATIONS = {
    "article": ("conditions", "treatments"),
    "condition": ("articles", "treatments", "conditions"),
    "treatment": ("articles", "conditions"),
}
