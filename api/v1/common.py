"""What every v1 resource module shares: strict argument parsing, lookups, pagination, JSON."""

import math
from urllib.parse import urlencode

import flask_smorest
import orjson
from flask import abort as flask_abort
from flask import current_app, redirect, request, url_for
from flask_smorest import abort
from marshmallow import RAISE, Schema
from webargs.flaskparser import FlaskParser

from schemas.common import COLLECTIONS
from schemas.queries import MAX_PAGE

from ..content.store import Entry
from ..delivery.caching import content_response, strong_etag
from ..delivery.response import ApiResponse
from ..lru import trimmed
from ..partners.preview import require_preview
from ..representations import pick


class StrictQueryParser(FlaskParser):
    """Unknown query parameters are errors, and bad parameters answer 400 (not webargs' 422).

    Also cheaper than webargs' default on the hot path: one schema instance per schema class
    (webargs builds a new one, deep-copying its fields, on every request), and the result for
    an empty query string, which is the same every time, is computed once.
    """

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": RAISE,
        "querystring": RAISE,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas: dict = {}
        self._empty: dict = {}

    def _get_schema(self, argmap, req):
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas[argmap] = argmap()
            return schema
        return super()._get_schema(argmap, req)

    def parse(self, argmap, req=None, *, location=None, **kwargs):
        if location != "query" or request.args:
            return super().parse(argmap, req, location=location, **kwargs)
        if argmap not in self._empty:  # keyed by the schema class itself, which it keeps alive
            self._empty[argmap] = super().parse(argmap, req, location=location, **kwargs)
        return dict(self._empty[argmap])


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictQueryParser()


def service():
    """The per-app content service (store, representations, search) built by create_app."""
    return current_app.extensions["content"]


def get_entry(kind: str, slug: str, preview: str | None = None) -> Entry:
    """The public entry; with a valid preview token, a draft or scheduled one too.

    Otherwise: a renamed page redirects (301) to its new address, a removed one is 410 Gone, and
    anything else is 404. Drafts answer exactly like unknown slugs (no existence leak).
    """
    store = service().store
    if preview is not None:
        require_preview(preview, kind, slug)
        entry = store.entries[kind].get(slug)
    else:
        entry = store.public[kind].get(slug)
    if entry is not None:
        return entry
    gone = store.gone.get((kind, slug))
    if gone and gone.moved_to and gone.moved_to[1] in store.public[gone.moved_to[0]]:
        new_kind, new_slug = gone.moved_to
        # the same endpoint (detail, section, embed card...) for the new entry
        arguments = {**request.view_args, "slug": new_slug}
        if "type" in arguments:
            arguments["type"] = new_kind
        target = url_for(request.endpoint, **arguments)
        if new_kind != kind and "type" not in request.view_args:
            target = target.replace(f"/{COLLECTIONS[kind]}/", f"/{COLLECTIONS[new_kind]}/", 1)
        query = request.query_string.decode()
        flask_abort(redirect(f"{target}?{query}" if query else target, 301))
    if gone and not gone.moved_to:
        reason = f" {gone.reason}" if gone.reason else ""
        abort(410, message=f"This {kind} was removed on {gone.date.isoformat()}.{reason}")
    abort(404, message=f"No {kind} has the slug '{slug}'.")


def json_response(body, status: int = 200, headers=None, etag: str | None = None) -> ApiResponse:
    """A JSON response; `body` may already be serialised. A known ETag saves hashing it."""
    # right-sized: the response memo keeps this body and counts len() of it (lru.trimmed)
    data = trimmed(body if isinstance(body, bytes) else orjson.dumps(body))
    response = ApiResponse(data, status=status, mimetype="application/json", headers=headers)
    if etag:
        response.set_etag(etag)
    return response


def _page_url(page: int, per_page: int) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "per_page")]
    args += [("page", page), ("per_page", per_page)]
    return f"{request.path}?{urlencode(args)}"


def paginated(items: list, page: int, per_page: int, render=lambda item: item) -> ApiResponse:
    """The list envelope plus RFC 8288 Link headers (first/prev/next/last)."""
    body, link = page_envelope(items, page, per_page, render)
    return json_response(body, headers={"Link": link})


def page_count(total: int, per_page: int, max_page: int) -> int:
    """Pages of `total` items: at least 1, and never past what the `page` parameter accepts."""
    return min(max_page, max(1, math.ceil(total / per_page)))


def page_envelope(items: list, page: int, per_page: int, render) -> tuple[dict, str]:
    total = len(items)
    pages = page_count(total, per_page, MAX_PAGE)
    start = (page - 1) * per_page
    body = {
        "items": [render(item) for item in items[start : start + per_page]],
        "meta": {"total": total, "page": page, "per_page": per_page, "pages": pages},
    }
    links = {"first": 1, "last": pages}
    if page > 1:
        links["prev"] = min(page - 1, pages)
    if page < pages:
        links["next"] = page + 1
    link = ", ".join(f'<{_page_url(n, per_page)}>; rel="{rel}"' for rel, n in links.items())
    return body, link


_RELATION_FILTERS = {"condition": "conditions", "treatment": "treatments", "article": "articles"}


def list_entries(kind: str, args: dict) -> ApiResponse:
    """One page of a collection (kept by the memo, see delivery/memo.py)."""
    body, etag, link = _list_page(service(), kind, args)
    content_response()
    return json_response(body, headers={"Link": link}, etag=etag)


def _list_page(svc, kind: str, args: dict) -> tuple[bytes, str, str]:
    """Filter, sort and paginate one collection's public entries."""
    entries = list(svc.store.public[kind].values())
    for name, value in args.items():
        if value is None or name in ("page", "per_page", "sort", "fields"):
            continue
        if name == "tag":
            entries = [e for e in entries if value in e.tags]
        elif name == "kind":
            entries = [e for e in entries if e.kind == value]
        elif name in _RELATION_FILTERS:
            relation = _RELATION_FILTERS[name]
            entries = [e for e in entries if value in svc.store.related[e.key][relation]]
    sort = args["sort"]
    field = sort.lstrip("-")
    # Ties break on slug so pages are stable between requests.
    entries.sort(key=lambda e: e.slug)
    entries.sort(key=lambda e: _sort_key(e, field), reverse=sort.startswith("-"))
    render = svc.representations.summary
    if fields := args.get("fields"):
        summary = render

        def render(entry):
            return pick(summary(entry), fields)

    data, link = page_envelope(entries, args["page"], args["per_page"], render)
    body = orjson.dumps(data)
    return body, strong_etag(body), link


def _sort_key(entry: Entry, field: str):
    value = getattr(entry, field)
    return value.casefold() if isinstance(value, str) else value


def detail_response(entry: Entry, formats, fields=None, include=None, cached=True) -> ApiResponse:
    reps = service().representations
    content_response()
    if fields or include or not cached:
        return json_response(reps.envelope(entry, formats, fields, include))
    body, etag = reps.envelope_bytes(entry, formats)  # the common case: serialised once
    return json_response(body, etag=etag)
