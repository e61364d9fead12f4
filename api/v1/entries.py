"""The three entry collections share one shape: list, detail and section endpoints.

`entry_blueprint` builds that blueprint for one type, so articles.py, conditions.py and
treatments.py stay declarations rather than three copies of the same views.
"""

import re

import orjson
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import ValidationError, fields

from schemas.common import COLLECTIONS, SLUG_PATTERN
from schemas.output import TYPED
from schemas.queries import SectionArgs, StrictSchema, _format_field, detail_args

from ..contract import V1_HEADERS, get_ok, moved
from ..delivery.caching import content_response
from .common import Blueprint, detail_response, get_entry, json_response, list_entries, service

BULK_MAX = 100  # slugs per bulk request: ~2,500 characters of URL with MedQuAD's slugs
_SLUG = re.compile(SLUG_PATTERN)
ONE = SLUG_PATTERN.strip("^$")


class SlugList(fields.String):
    """Comma-separated slugs, 1 to BULK_MAX, loaded as a tuple without repeats (first kept)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        slugs = tuple(dict.fromkeys(text.split(",")))
        bad = [s for s in slugs if not _SLUG.match(s)]
        if bad:
            raise ValidationError(f"not slugs: {', '.join(bad[:5])}")
        if len(slugs) > BULK_MAX:
            raise ValidationError(f"at most {BULK_MAX} slugs per request, got {len(slugs)}")
        return slugs


class BulkArgs(StrictSchema):
    slug = SlugList(
        required=True,
        metadata={
            "description": f"Comma-separated slugs, at most {BULK_MAX}",
            "pattern": f"^{ONE}(?:,{ONE}){{0,{BULK_MAX - 1}}}$",
            "example": "knee-pain,low-mood",
        },
    )
    format = _format_field()


def bulk_response(kind: str, slugs: tuple, formats: tuple):
    """Detail responses of several entries in one body: each item is byte for byte the body
    GET /v1/{collection}/{slug}?format=… answers (the serialised copies are reused)."""
    svc = service()
    reps, public = svc.representations, svc.store.public[kind]
    found = [public[s] for s in slugs if s in public]
    missing = [s for s in slugs if s not in public]
    bodies = [reps.envelope_bytes(entry, formats)[0] for entry in found]
    content_response()
    meta = orjson.dumps({"missing": missing})
    return json_response(b'{"items":[' + b",".join(bodies) + b'],"meta":' + meta + b"}")


def entry_blueprint(kind: str, list_args, description: str) -> Blueprint:
    collection = COLLECTIONS[kind]
    schemas = TYPED[kind]
    blp = Blueprint(collection, __name__, url_prefix=f"/v1/{collection}", description=description)

    class Collection(MethodView):
        @blp.arguments(list_args, location="query", as_kwargs=True)
        @get_ok(blp, schemas.list, V1_HEADERS, f"list{collection.capitalize()}")
        @blp.alt_response(400, response="BAD_REQUEST")
        def get(self, **args):
            return list_entries(kind, args)

    class Item(MethodView):
        @blp.arguments(detail_args(kind), location="query", as_kwargs=True)
        @get_ok(blp, schemas.envelope, V1_HEADERS, f"get{kind.capitalize()}")
        @blp.alt_response(400, response="BAD_REQUEST")
        @blp.alt_response(404, response="NOT_FOUND")
        @moved(blp)
        def get(self, slug, format, fields, include, preview):
            entry = get_entry(kind, slug, preview)
            return detail_response(entry, format, fields, include, cached=preview is None)

    class Bulk(MethodView):
        @blp.arguments(BulkArgs, location="query", as_kwargs=True)
        @get_ok(blp, schemas.bulk, V1_HEADERS, f"bulkGet{collection.capitalize()}")
        @blp.alt_response(400, response="BAD_REQUEST")
        def get(self, slug, format):
            return bulk_response(kind, slug, format)

    class SectionItem(MethodView):
        @blp.arguments(SectionArgs, location="query", as_kwargs=True)
        @get_ok(blp, schemas.section_envelope, V1_HEADERS, f"get{kind.capitalize()}Section")
        @blp.alt_response(400, response="BAD_REQUEST")
        @blp.alt_response(404, response="NOT_FOUND")
        @moved(blp)
        def get(self, slug, key, format):
            entry = get_entry(kind, slug)
            content_response()
            section = entry.section(key)
            if section is None:
                keys = ", ".join(s.key for s in entry.body.sections) or "none"
                abort(404, message=f"{kind} '{slug}' has no section '{key}' (sections: {keys}).")
            reps = service().representations
            data = {
                "key": section.key,
                "title": section.title,
                "url": f"{entry.path}/sections/{section.key}",
                "entry": reps.summary(entry),
                "content": {f: getattr(section.content, f) for f in format},
            }
            return json_response({"data": data, "meta": reps.meta(entry)})

    Collection.get.__doc__ = f"List published {collection}\n\nSummaries only; page through them."
    Item.get.__doc__ = f"Get one {kind} by slug\n\nThe whole {kind} with its rendered body."
    article = "an" if kind[0] in "aeiou" else "a"
    SectionItem.get.__doc__ = (
        f"Get one section of {article} {kind}\n\nSections are keyed by stable keys."
    )
    Bulk.get.__doc__ = (
        f"Get several {collection} by slug\n\nUp to {BULK_MAX} details in one response, for "
        "syncing an offline copy (see /v1/changes); unknown slugs are listed in `meta.missing`."
    )
    blp.route("")(Collection)
    blp.route("/_bulk")(Bulk)
    blp.route("/<slug>")(Item)
    blp.route("/<slug>/sections/<key>")(SectionItem)
    return blp
