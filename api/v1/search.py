"""/v1/search and /v1/search/suggest: ranked, highlighted, faceted, typo-tolerant search."""

from urllib.parse import urlencode

import orjson
from flask.views import MethodView
from flask_smorest import abort

from schemas.output import SearchResultSchema, SuggestionListSchema
from schemas.queries import (
    MAX_QUERY_LENGTH,
    MAX_QUERY_TERMS,
    SEARCH_DEFAULT_PER_PAGE,
    SEARCH_MAX_PAGE,
    SearchArgs,
    SuggestArgs,
)

from ..contract import V1_HEADERS, get_ok
from ..delivery.caching import content_response, strong_etag
from ..search import SearchRequest, SearchTimeout
from ..search.highlight import highlight_entry
from ..search.query import QueryError, parse_query
from .common import Blueprint, json_response, page_count, service

blp = Blueprint("search", __name__, url_prefix="/v1/search", description="Full-text search.")


def _parse(q: str):
    try:
        return parse_query(q, MAX_QUERY_LENGTH, MAX_QUERY_TERMS)
    except QueryError as exc:
        abort(
            400, message=str(exc), errors=[{"location": "query", "field": "q", "message": str(exc)}]
        )


@blp.route("")
class Search(MethodView):
    @blp.arguments(SearchArgs, location="query", as_kwargs=True)
    @get_ok(blp, SearchResultSchema, V1_HEADERS, "search")
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self, q, type, tag, page, per_page):
        """Search articles, conditions and treatments

        Plain words and "quoted phrases"; misspelled and half-typed words still match.
        Facets count the whole result set: the type facet ignores the `type` filter and the
        tag facet ignores `tag`, so a client can offer the alternatives.
        """
        svc = service()
        content_response()
        request = SearchRequest(_parse(q), tuple(sorted(set(type))), tag, page, per_page)
        # Popular queries repeat: the finished page (body and ETag) is kept per worker.
        body, etag = svc.search_pages.get_or(request, lambda: _search_page(svc, request))
        return json_response(body, etag=etag)


def _search_page(svc, request: SearchRequest) -> tuple[bytes, str]:
    try:
        result = svc.search.search(request)
    except SearchTimeout:
        abort(503, message="The search took too long; try fewer or more specific words.")
    items = []
    for hit in result.hits:
        entry = svc.store.public[hit.type][hit.slug]
        items.append(
            {  # the store's own fields: a hit needs none of a summary's serialisation
                "type": hit.type,
                "slug": hit.slug,
                "title": entry.title,
                "summary": entry.summary,
                "url": entry.path,
                "score": hit.score,
                "highlights": highlight_entry(entry, result.words),
            }
        )
    suggestion = None
    if result.suggestion:
        # the same search with the corrected words: filters and page size kept
        params = [("q", result.suggestion), *(("type", t) for t in request.types)]
        if request.tag:
            params.append(("tag", request.tag))
        if request.per_page != SEARCH_DEFAULT_PER_PAGE:
            params.append(("per_page", request.per_page))
        url = "/v1/search?" + urlencode(params)
        suggestion = {"query": result.suggestion, "url": url}
    meta = {
        "total": result.total,
        "page": request.page,
        "per_page": request.per_page,
        "pages": page_count(result.total, request.per_page, SEARCH_MAX_PAGE),
        "facets": result.facets,
        "suggestion": suggestion,
    }
    body = orjson.dumps({"items": items, "meta": meta})
    return body, strong_etag(body)


@blp.route("/suggest")
class Suggest(MethodView):
    @blp.arguments(SuggestArgs, location="query", as_kwargs=True)
    @get_ok(blp, SuggestionListSchema, V1_HEADERS, "suggest")
    @blp.alt_response(400, response="BAD_REQUEST")
    def get(self, q, limit):
        """Autocomplete titles and also-known-as names

        Names starting with the typed text first, then names with a later word starting with
        it; shorter names first. At most `limit` (≤ 10), one per entry.
        """
        svc = service()
        content_response()
        items = []
        for suggestion in svc.search.suggest(q, limit):
            summary = svc.representations.summary(
                svc.store.public[suggestion.type][suggestion.slug]
            )
            items.append(
                {
                    "text": suggestion.text,
                    "type": suggestion.type,
                    "slug": suggestion.slug,
                    "title": summary["title"],
                    "url": summary["url"],
                }
            )
        return json_response({"items": items})
