"""Query-string schemas. Unknown parameters are errors (400), never silently ignored."""

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .common import (
    DETAIL_FIELDS,
    ENTRY_TYPES,
    RELATIONS,
    SUMMARY_FIELDS,
    TREATMENT_KINDS,
    slug_field,
)

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000  # deep pages are never needed by a site this size; caps the work of one request
FORMATS = ("html", "text", "blocks")


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class CommaList(fields.String):
    """A comma-separated choice of names, e.g. `fields=slug,title`; loads as a tuple in the
    order of `choices`. An unknown name is an error listing the valid ones."""

    def __init__(self, choices, **kwargs):
        self.choices = tuple(choices)
        names = "|".join(self.choices)
        # documented as a pattern, so clients and contract tests know the exact grammar
        metadata = {**kwargs.pop("metadata", {}), "pattern": f"^(?:{names})(?:,(?:{names}))*$"}
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        # how defaults appear in the OpenAPI document: "html,text", not a Python tuple
        return ",".join(value) if isinstance(value, tuple | list) else value

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        parts = set(text.split(","))
        unknown = sorted(parts - set(self.choices))
        if not text or unknown:
            bad = f"unknown: {', '.join(unknown)}; " if unknown else ""
            raise ValidationError(f"{bad}valid values are {', '.join(self.choices)}")
        return tuple(c for c in self.choices if c in parts)


def _format_field():
    return CommaList(
        FORMATS,
        load_default=("html", "text"),
        metadata={
            "description": "Body formats to include: any of html, text, blocks (comma-separated)",
            "example": "html,text",
        },
    )


def _fields_field(choices):
    return CommaList(
        choices,
        load_default=None,
        metadata={"description": "Sparse fieldset: only these fields (plus type and slug)"},
    )


def detail_args(kind: str) -> type:
    """Query schema of one entry type's detail and section endpoints."""
    return type(
        f"{kind.title()}DetailArgs",
        (StrictSchema,),
        {
            "format": _format_field(),
            "fields": _fields_field(DETAIL_FIELDS[kind]),
            "preview": fields.String(
                load_default=None,
                metadata={"description": "Preview token: shows a draft or scheduled entry"},
            ),
            "include": CommaList(
                RELATIONS[kind],
                load_default=None,
                metadata={
                    "description": "Related entries to embed whole (one level) instead of as "
                    "summaries, e.g. include=conditions,treatments"
                },
            ),
        },
    )


class SectionArgs(StrictSchema):
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
    # last: the name shadows marshmallow's `fields` module inside the class body
    fields = _fields_field(SUMMARY_FIELDS["article"])


class ConditionListArgs(PageArgs):
    tag = slug_field()
    treatment = slug_field()
    sort = _sort(("title", "published", "updated"), "title")
    # last: the name shadows marshmallow's `fields` module inside the class body
    fields = _fields_field(SUMMARY_FIELDS["condition"])


class TreatmentListArgs(PageArgs):
    tag = slug_field()
    kind = fields.String(validate=validate.OneOf(TREATMENT_KINDS))
    condition = slug_field()
    sort = _sort(("title", "kind", "published", "updated"), "title")
    # last: the name shadows marshmallow's `fields` module inside the class body
    fields = _fields_field(SUMMARY_FIELDS["treatment"])


class TagListArgs(PageArgs):
    sort = _sort(("label", "count"), "label")


class EmptyArgs(StrictSchema):
    """Endpoints without parameters still reject unknown ones."""


MAX_QUERY_LENGTH = 200  # matching cost grows with query length; 200 fits any real question
# Any length up to MAX_QUERY_LENGTH is searched; of its terms (after normalisation, phrase words
# included) only the MAX_QUERY_TERMS most selective ones, which bounds the cost of a long question.
MAX_QUERY_TERMS = 10
SEARCH_DEFAULT_PER_PAGE = 10
SEARCH_MAX_PER_PAGE = 50
SEARCH_MAX_PAGE = 100  # ranking cost grows with page × per_page; 5,000 hits is far past useful


class SearchArgs(StrictSchema):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_QUERY_LENGTH),
        metadata={
            "description": 'Plain words and "quoted phrases"; nothing else is syntax. Any '
            f"length up to {MAX_QUERY_LENGTH} characters; of its terms the {MAX_QUERY_TERMS} "
            "most selective (found in the fewest pages) are searched."
        },
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
