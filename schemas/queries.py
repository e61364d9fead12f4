"""Query-string schemas. Unknown parameters are errors (400), never silently ignored."""

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .common import ENTRY_TYPES, TREATMENT_KINDS, slug_field

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000  # deep pages are never needed by a site this size; caps the work of one request
FORMATS = ("html", "text", "blocks")


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class FormatList(fields.String):
    """Comma-separated body formats, e.g. `format=html,blocks`; returned as a sorted tuple."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        parts = tuple(p.strip() for p in text.split(",") if p.strip())
        unknown = [p for p in parts if p not in FORMATS]
        if not parts or unknown:
            raise ValidationError(f"must be a comma-separated list of {', '.join(FORMATS)}")
        return tuple(f for f in FORMATS if f in parts)


def _format_field():
    return FormatList(
        load_default=("html", "text"),
        metadata={
            "description": "Body formats to include: any of html, text, blocks (comma-separated)",
            "example": "html,text",
        },
    )


class DetailArgs(StrictSchema):
    format = _format_field()


class PageArgs(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE)
    )


def _sort(choices, default):
    options = [f"{prefix}{name}" for name in choices for prefix in ("", "-")]
    return fields.String(
        load_default=default,
        validate=validate.OneOf(options),
        metadata={"description": "Sort field; prefix with '-' for descending"},
    )


class ArticleListArgs(PageArgs):
    tag = slug_field()
    condition = slug_field()
    treatment = slug_field()
    sort = _sort(("title", "published", "updated"), "-published")


class ConditionListArgs(PageArgs):
    tag = slug_field()
    treatment = slug_field()
    sort = _sort(("title", "published", "updated"), "title")


class TreatmentListArgs(PageArgs):
    tag = slug_field()
    kind = fields.String(validate=validate.OneOf(TREATMENT_KINDS))
    condition = slug_field()
    sort = _sort(("title", "kind", "published", "updated"), "title")


class TagListArgs(PageArgs):
    sort = _sort(("label", "count"), "label")


class EmptyArgs(StrictSchema):
    """Endpoints without parameters still reject unknown ones."""


MAX_QUERY_LENGTH = (
    200  # Whoosh parse and match time grow with query length; 200 fits any real query
)
SEARCH_DEFAULT_PER_PAGE = 10
SEARCH_MAX_PER_PAGE = 50
SEARCH_MAX_PAGE = 100  # ranking cost grows with page × per_page; 5,000 hits is far past useful


class SearchArgs(StrictSchema):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_QUERY_LENGTH),
        metadata={"description": 'Plain words and "quoted phrases"; nothing else is syntax.'},
    )
    type = fields.List(
        fields.String(validate=validate.OneOf(ENTRY_TYPES)),
        load_default=list,
        metadata={"description": "Restrict to these types (repeat the parameter for several)"},
    )
    tag = slug_field(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=SEARCH_MAX_PAGE))
    per_page = fields.Integer(
        load_default=SEARCH_DEFAULT_PER_PAGE,
        validate=validate.Range(min=1, max=SEARCH_MAX_PER_PAGE),
    )


class SuggestArgs(StrictSchema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=100))
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=10))
