"""/v1/site: clinic name, calls to action, disclaimer, licence and attribution."""

from flask.views import MethodView

from schemas.output import SiteEnvelopeSchema
from schemas.queries import EmptyArgs

from ..contract import V1_HEADERS, get_ok
from ..delivery.caching import content_response
from .common import Blueprint, json_response, service

blp = Blueprint("site", __name__, url_prefix="/v1/site", description="Site-wide settings.")


@blp.route("")
class Site(MethodView):
    @blp.arguments(EmptyArgs, location="query")
    @get_ok(blp, SiteEnvelopeSchema, V1_HEADERS, "getSite")
    def get(self, _args):
        """Get the site settings\n\nDisclaimer and attribution must accompany every page."""
        content_response()
        return json_response({"data": service().representations.site()})
