"""The three entry collections share one shape: list, detail and section endpoints.

`entry_blueprint` builds that blueprint for one type, so articles.py, conditions.py and
treatments.py stay declarations rather than three copies of the same views.
"""

from flask.views import MethodView
from flask_smorest import abort

from schemas.common import COLLECTIONS
from schemas.output import TYPED
from schemas.queries import SectionArgs, detail_args

from ..contract import V1_HEADERS, headers, moved, not_modified
from ..delivery.caching import content_response
from .common import Blueprint, detail_response, get_entry, json_response, list_entries, service


def entry_blueprint(kind: str, list_args, description: str) -> Blueprint:
    collection = COLLECTIONS[kind]
    schemas = TYPED[kind]
    blp = Blueprint(collection, __name__, url_prefix=f"/v1/{collection}", description=description)

    class Collection(MethodView):
        @blp.arguments(list_args, location="query", as_kwargs=True)
        @blp.response(200, schemas.list, headers=headers(V1_HEADERS))
        @not_modified(blp, V1_HEADERS)
        @blp.doc(operationId=f"list{collection.capitalize()}")
        @blp.alt_response(400, response="BAD_REQUEST")
        def get(self, **args):
            return list_entries(kind, args)

    class Item(MethodView):
        @blp.arguments(detail_args(kind), location="query", as_kwargs=True)
        @blp.response(200, schemas.envelope, headers=headers(V1_HEADERS))
        @not_modified(blp, V1_HEADERS)
        @blp.doc(operationId=f"get{kind.capitalize()}")
        @blp.alt_response(400, response="BAD_REQUEST")
        @blp.alt_response(404, response="NOT_FOUND")
        @moved(blp)
        def get(self, slug, format, fields, include, preview):
            entry = get_entry(kind, slug, preview)
            return detail_response(entry, format, fields, include, cached=preview is None)

    class SectionItem(MethodView):
        @blp.arguments(SectionArgs, location="query", as_kwargs=True)
        @blp.response(200, schemas.section_envelope, headers=headers(V1_HEADERS))
        @not_modified(blp, V1_HEADERS)
        @blp.doc(operationId=f"get{kind.capitalize()}Section")
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
    blp.route("")(Collection)
    blp.route("/<slug>")(Item)
    blp.route("/<slug>/sections/<key>")(SectionItem)
    return blp
