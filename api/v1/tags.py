"""/v1/tags: the tag taxonomy with counts of public entries."""

from flask.views import MethodView
from flask_smorest import abort

from schemas.output import TagEnvelopeSchema, TagListSchema
from schemas.queries import EmptyArgs, TagListArgs

from ..contract import V1_HEADERS, get_ok
from ..delivery.caching import content_response
from .common import Blueprint, json_response, paginated, service

blp = Blueprint("tags", __name__, url_prefix="/v1/tags", description="The tag taxonomy.")


@blp.route("")
class Tags(MethodView):
    @blp.arguments(TagListArgs, location="query", as_kwargs=True)
    @get_ok(blp, TagListSchema, V1_HEADERS, "listTags")
    @blp.alt_response(400, response="BAD_REQUEST")
    def get(self, page, per_page, sort):
        """List tags\n\nEach with the number of public entries carrying it."""
        content_response()
        reps = service().representations
        tags = [reps.tag(slug) for slug in sorted(service().store.tags)]
        field = sort.lstrip("-")
        tags.sort(
            key=lambda t: t[field].casefold() if field == "label" else t[field],
            reverse=sort.startswith("-"),
        )
        return paginated(tags, page, per_page)


@blp.route("/<slug>")
class TagItem(MethodView):
    @blp.arguments(EmptyArgs, location="query")
    @get_ok(blp, TagEnvelopeSchema, V1_HEADERS, "getTag")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, _args, slug):
        """Get one tag\n\nWith summaries of the public entries carrying it."""
        svc = service()
        content_response()
        if slug not in svc.store.tags:
            abort(404, message=f"No tag has the slug '{slug}'.")
        public = svc.store.public
        entries = [
            svc.representations.summary(public[kind][entry_slug])
            for kind, entry_slug in svc.store.tagged[slug]
        ]
        return json_response({"data": {**svc.representations.tag(slug), "entries": entries}})
