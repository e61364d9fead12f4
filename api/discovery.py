"""Discovery outside /v1: /sitemap.xml for search engines and /oembed (oEmbed 1.0) for sites
that embed the clinic's pages."""

from html import escape
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import fields, validate
from swagger_ui_bundle import swagger_ui_path

from schemas.common import COLLECTIONS
from schemas.output import TEXT_BODY, OEmbedSchema
from schemas.queries import EmptyArgs, StrictSchema

from .contract import CONTENT_HEADERS, get_ok
from .delivery.caching import content_response
from .delivery.urls import api_base
from .v1.common import Blueprint, json_response, service

# The blueprint's static folder serves the interactive docs' assets (Swagger UI, from the
# swagger-ui-bundle package pinned in pyproject.toml) at /docs/assets/, through the same Flask
# hooks as every request: /docs never loads anything from another host.
blp = Blueprint(
    "discovery",
    __name__,
    description="Sitemap and oEmbed.",
    static_folder=str(swagger_ui_path),
    static_url_path="/docs/assets",
)
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
EMBED_WIDTH, EMBED_HEIGHT = 560, 420


class OEmbedArgs(StrictSchema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "xml"]))
    maxwidth = fields.Integer(load_default=None, validate=validate.Range(min=1, max=10000))
    maxheight = fields.Integer(load_default=None, validate=validate.Range(min=1, max=10000))


@blp.route("/sitemap.xml")
class Sitemap(MethodView):
    @blp.arguments(EmptyArgs, location="query")
    @get_ok(
        blp,
        TEXT_BODY,
        CONTENT_HEADERS,
        "getSitemap",
        content_type="application/xml",
        description="Sitemap 0.9 (https://www.sitemaps.org/protocol.html)",
    )
    def get(self, _args):
        """Every public page with its last modification date"""
        svc = service()
        content_response()
        ET.register_namespace("", SITEMAP)
        urlset = ET.Element(f"{{{SITEMAP}}}urlset")
        for entry in sorted(svc.store.public_entries(), key=lambda e: (e.type, e.slug)):
            url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
            ET.SubElement(url, f"{{{SITEMAP}}}loc").text = svc.representations.canonical_url(entry)
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = entry.updated.isoformat()
        body = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
        return Response(body, mimetype="application/xml")


def _origin(parts) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or default


def _entry_for(url: str):
    """The public entry whose canonical page is `url`, or None. Scheme and host compare
    case-insensitively, a default port is the same as none, and the site's base path counts."""
    reps = service().representations
    try:
        base, parts = urlsplit(reps.site_url), urlsplit(url)
        if _origin(parts) != _origin(base):
            return None
    except ValueError:  # e.g. "http://[" or a port that is not a number
        return None
    prefix = base.path.rstrip("/")
    if not parts.path.startswith(prefix + "/"):
        return None
    path = parts.path[len(prefix) :].strip("/").split("/")
    kinds = {collection: kind for kind, collection in COLLECTIONS.items()}
    if len(path) != 2 or path[0] not in kinds:
        return None
    return service().store.public[kinds[path[0]]].get(path[1])


@blp.route("/oembed")
class OEmbed(MethodView):
    @blp.arguments(OEmbedArgs, location="query", as_kwargs=True)
    @get_ok(blp, OEmbedSchema, CONTENT_HEADERS, "getOembed")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(501, response="NOT_IMPLEMENTED")
    def get(self, url, format, maxwidth, maxheight):
        """oEmbed 1.0 provider for article, condition and treatment pages

        `url` is the page's canonical address on the clinic's site. Only `format=json` is
        offered; `xml` answers 501 as the oEmbed spec asks.
        """
        if format == "xml":
            abort(501, message="Only format=json is supported.")
        entry = _entry_for(url)
        if entry is None:
            abort(404, message="No public page has this URL.")
        svc = service()
        site = svc.store.site
        width = min(EMBED_WIDTH, maxwidth or EMBED_WIDTH)
        height = min(EMBED_HEIGHT, maxheight or EMBED_HEIGHT)
        src = escape(f"{api_base()}/v1/embed/{entry.type}/{entry.slug}")
        title = escape(entry.title)
        html = (
            f'<iframe src="{src}" width="{width}" height="{height}" title="{title}" '
            'loading="lazy" style="border:0" sandbox="allow-popups '
            'allow-popups-to-escape-sandbox"></iframe>'
        )
        content_response()
        return json_response(
            {
                "version": "1.0",
                "type": "rich",
                "title": entry.title,
                "provider_name": site.name,
                "provider_url": svc.representations.site_url,
                "html": html,
                "width": width,
                "height": height,
                "cache_age": current_app.config["CACHE_MAX_AGE"],
                "license": site.licence["name"],
                "license_url": site.licence.get("url"),
                "attribution": site.attribution,
            }
        )
