"""/v1/feed.json (JSON Feed 1.1) and /v1/feed.atom (Atom 1.0, RFC 4287): published articles,
newest first, with summaries, links, licence and attribution. Drafts and scheduled articles are
not public, so they never appear."""

from datetime import UTC, datetime, time
from xml.etree import ElementTree as ET

from flask import Response
from flask.views import MethodView

from schemas.output import TEXT_BODY, JsonFeedSchema
from schemas.queries import EmptyArgs

from ..contract import V1_HEADERS, get_ok
from ..delivery.caching import content_response
from ..delivery.urls import api_base
from .common import Blueprint, json_response, service

blp = Blueprint("feeds", __name__, url_prefix="/v1", description="Feeds of published articles.")
ATOM = "http://www.w3.org/2005/Atom"
FEED_LIMIT = 50


def _articles():
    articles = list(service().store.public["article"].values())
    articles.sort(key=lambda a: (a.published, a.updated, a.slug), reverse=True)
    return articles[:FEED_LIMIT]


def _stamp(day) -> str:
    return datetime.combine(day, time(), tzinfo=UTC).isoformat().replace("+00:00", "Z")


@blp.route("/feed.json")
class JsonFeed(MethodView):
    @blp.arguments(EmptyArgs, location="query")
    @get_ok(
        blp,
        JsonFeedSchema,
        V1_HEADERS,
        "getJsonFeed",
        content_type="application/feed+json",
        description="JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)",
    )
    def get(self, _args):
        """Published articles as a JSON Feed 1.1"""
        svc = service()
        site, reps = svc.store.site, svc.representations
        content_response()
        items = []
        for article in _articles():
            items.append(
                {
                    "id": reps.canonical_url(article),
                    "url": reps.canonical_url(article),
                    "external_url": api_base() + article.path,
                    "title": article.title,
                    "summary": article.summary,
                    "content_text": article.summary,
                    "date_published": _stamp(article.published),
                    "date_modified": _stamp(article.updated),
                    "tags": [svc.store.tags[t].label for t in article.tags],
                }
            )
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": f"{site.name}: articles",
            "home_page_url": reps.site_url,
            "feed_url": f"{api_base()}/v1/feed.json",
            "description": site.description,
            "language": "en",
            "authors": [{"name": site.name, "url": reps.site_url}],
            "items": items,
            "_licence": {"name": site.licence["name"], "url": site.licence.get("url")},
            "_attribution": site.attribution,
            "_disclaimer": site.disclaimer,
        }
        response = json_response(feed)
        response.mimetype = "application/feed+json"
        return response


@blp.route("/feed.atom")
class AtomFeed(MethodView):
    @blp.arguments(EmptyArgs, location="query")
    @get_ok(
        blp,
        TEXT_BODY,
        V1_HEADERS,
        "getAtomFeed",
        content_type="application/atom+xml",
        description="Atom 1.0 feed (RFC 4287)",
    )
    def get(self, _args):
        """Published articles as an Atom 1.0 feed"""
        svc = service()
        site, reps = svc.store.site, svc.representations
        content_response()
        articles = _articles()
        ET.register_namespace("", ATOM)
        feed = ET.Element(f"{{{ATOM}}}feed")

        def add(parent, tag, text=None, **attributes):
            element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
            if text is not None:
                element.text = text
            return element

        self_url = f"{api_base()}/v1/feed.atom"
        add(feed, "id", self_url)
        add(feed, "title", f"{site.name}: articles")
        add(feed, "subtitle", site.description)
        newest = max((a.updated for a in articles), default=svc.store.loaded_on)
        add(feed, "updated", _stamp(newest))
        add(feed, "link", rel="self", href=self_url)
        add(feed, "link", rel="alternate", href=reps.site_url)
        add(add(feed, "author"), "name", site.name)
        add(feed, "rights", f"{site.licence['name']}. {site.attribution}")
        for article in articles:
            entry = add(feed, "entry")
            add(entry, "id", reps.canonical_url(article))
            add(entry, "title", article.title)
            add(entry, "updated", _stamp(article.updated))
            add(entry, "published", _stamp(article.published))
            add(entry, "link", rel="alternate", href=reps.canonical_url(article))
            add(entry, "summary", article.summary)
            for tag in article.tags:
                add(entry, "category", term=tag, label=svc.store.tags[tag].label)
        body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
        return Response(body, mimetype="application/atom+xml")
