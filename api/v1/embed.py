"""/v1/embed/{type}/{slug}: a self-contained HTML card for partners' iframes.

Everything in it is already sanitised HTML or escaped text; styles are inline and scoped under
one class; the Content-Security-Policy allows no scripts, no network requests and framing only
by EMBED_ORIGINS (default: any site, since partners embed by design).
"""

from html import escape

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import abort

from schemas.common import ENTRY_TYPES, slug_field
from schemas.output import TEXT_BODY
from schemas.queries import StrictSchema

from ..contract import EMBED_HEADERS, get_ok, moved
from ..delivery.caching import content_response
from .common import Blueprint, get_entry, service

blp = Blueprint("embed", __name__, url_prefix="/v1/embed", description="Embeddable HTML cards.")

STYLE = """
.cca{font:15px/1.5 system-ui,sans-serif;color:#1d2733;border:1px solid #d5dbe3;border-radius:8px;
padding:16px;margin:0;max-width:100%;box-sizing:border-box;background:#fff}
.cca h1{font-size:1.2em;margin:0 0 .5em}.cca h2{font-size:1.05em}
.cca .cca-meta,.cca .cca-legal{font-size:.8em;color:#5a6675}
.cca .cca-legal{border-top:1px solid #e4e8ee;margin-top:1em;padding-top:.6em}
.cca a{color:#1558b0}
.cca .cca-urgent{border:2px solid #b3261e;border-radius:6px;padding:8px 12px;margin:0 0 1em;
background:#fff5f4}.cca .cca-urgent h2{margin:0 0 .3em;color:#8c1d18}
.cca .cca-urgent ul{margin:0;padding-left:1.2em}
"""


def _urgent_help(services) -> str:
    """The page's urgent-help services, placed right under the title so no reader scrolls
    (or crops the iframe) past them."""
    if not services:
        return ""
    items = "".join(
        f"<li><strong>{escape(s['label'])}</strong>: {escape(s['how_to_reach'])}. "
        f"{escape(s['when_to_use'])}</li>"
        for s in services
    )
    return (
        '<aside class="cca-urgent" aria-labelledby="cca-urgent-title">'
        f'<h2 id="cca-urgent-title">Need help now?</h2><ul>{items}</ul></aside>'
    )


class EmbedArgs(StrictSchema):
    section = slug_field(load_default=None, metadata={"description": "Show one section's text"})


def _card(entry, section_key) -> str:
    svc = service()
    site, reps = svc.store.site, svc.representations
    url = escape(reps.canonical_url(entry))
    if section_key:
        section = entry.section(section_key)
        if section is None:
            abort(404, message=f"{entry.type} '{entry.slug}' has no section '{section_key}'.")
        content = f"<h2>{escape(section.title)}</h2>{section.content.html}"
    else:
        content = f"<p>{escape(entry.summary)}</p>"
    review = entry.review
    reviewed = (
        f"Last clinically reviewed {review.last_reviewed.isoformat()}"
        if review.last_reviewed
        else "Not yet clinically reviewed"
    )
    licence = escape(site.licence["name"])
    if site.licence.get("url"):
        licence = (
            f'<a href="{escape(site.licence["url"])}" target="_blank" rel="noopener">{licence}</a>'
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<title>{escape(entry.title)}</title><style>{STYLE}</style></head><body style="margin:0">'
        f'<article class="cca"><h1>{escape(entry.title)}</h1>'
        f"{_urgent_help(site.urgent_help_for(entry.urgent_help))}{content}"
        f'<p class="cca-meta">{reviewed}. Updated {entry.updated.isoformat()}. '
        f'<a href="{url}" target="_blank" rel="noopener">Read the full page</a></p>'
        f'<p class="cca-legal">{escape(site.disclaimer)}<br>{escape(site.attribution)} '
        f"Licence: {licence}.</p></article></body></html>"
    )


@blp.route("/<any(article, condition, treatment):type>/<slug>")
class EmbedCard(MethodView):
    @blp.arguments(EmbedArgs, location="query", as_kwargs=True)
    @get_ok(
        blp,
        TEXT_BODY,
        EMBED_HEADERS,
        "getEmbedCard",
        content_type="text/html",
        description="HTML card",
    )
    @blp.alt_response(404, response="NOT_FOUND")
    @moved(blp)
    def get(self, type, slug, section):
        """An embeddable card: title, summary or one section, review date, disclaimer,
        attribution and a link back to the canonical page"""
        entry = get_entry(type, slug)
        content_response()
        response = Response(_card(entry, section), mimetype="text/html")
        ancestors = " ".join(current_app.config["EMBED_ORIGINS"]) or "'none'"
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
            f"frame-ancestors {ancestors}"
        )
        return response


assert set(ENTRY_TYPES) == {"article", "condition", "treatment"}  # the route's `any(...)`
