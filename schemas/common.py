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
