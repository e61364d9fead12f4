"""The app's response class: Werkzeug's, with the headers handed to the server without being
checked a second and third time, and a 304 that carries what RFC 9110 §15.4.5 asks for.

Every pair in a response's Headers passed Werkzeug's checks when it was added (Headers.add/set
refuse a name or value with a newline). Werkzeug's get_wsgi_headers then copies them into a new
Headers, which checks each pair again, and for a 304 filters them by assigning a slice, which
checks each a third time: on a memoised answer with 16 headers that was the largest part of
Werkzeug's cost per request (benchmarks/README.md). Here the copy keeps the checked pairs as
they are; anything this shortcut does not cover (Location and Content-Location, which Werkzeug
rewrites, 1xx and 204, a body Werkzeug would have to encode to measure) goes to Werkzeug's own
method. tests/test_response.py holds the two equal, response by response.

A 304 (RFC 9110 §15.4.5) carries the fields a 200 would have that a cache uses to update its
stored copy (ETag, Cache-Control, Vary, Expires, Content-Location), the per-request ones
(`RateLimit` and `RateLimit-Policy`, not the older draft's trio that repeats their numbers;
request id), the CORS headers (a browser script that revalidates with its
own If-None-Match sees the 304 itself, and may only read it, and its ETag and rate-limit
headers, with Access-Control-Allow-Origin and -Expose-Headers on it) and the version's
Deprecation, Sunset and Link (an app that mostly revalidates must still learn of a sunset). It
leaves out the representation's metadata, which the cached copy already holds: Werkzeug's
entity headers (Content-Type, Content-Length, Last-Modified…) as before, and X-API-Version and
X-Content-Type-Options (nosniff is about a body; a 304 has none).
"""

from itertools import compress
from operator import itemgetter, not_

from flask import Response
from werkzeug.datastructures import Headers

# Werkzeug's entity headers (werkzeug.http.remove_entity_headers, which keeps Expires and
# Content-Location), this API's representation metadata, and the older rate-limit draft's
# fields, whose numbers the 304's `RateLimit` and `RateLimit-Policy` carry (partners/ratelimit.py
# does not add them to a 304; listed here for the OpenAPI document and as a guard).
OMITTED_FROM_304 = frozenset(
    {
        "allow",
        "content-encoding",
        "content-language",
        "content-length",
        "content-md5",
        "content-range",
        "content-type",
        "last-modified",
        "x-api-version",
        "x-content-type-options",
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
    }
)
# Headers Werkzeug's get_wsgi_headers rewrites: a response carrying one goes to it.
_REWRITTEN = frozenset({"location", "content-location"})


def kept_headers(pairs) -> Headers:
    """A Headers holding `pairs` as they are. They passed Werkzeug's checks (Headers.add) when
    they were first added; building a Headers from them again checks each pair again. `_list`
    is where Headers keeps its pairs: a private name, so Werkzeug is pinned exactly
    (requirements.lock) and tests/test_memo.py::test_werkzeug_headers_keep_their_pairs_in_list
    fails if it changes."""
    headers = Headers()
    headers._list = list(pairs)
    return headers


def _names(pairs) -> list[str]:
    # map() rather than a comprehension: the names are lowered in C, without a Python step per
    # header (a 304 carries about 17 before the filter)
    return list(map(str.lower, map(itemgetter(0), pairs)))


def _without_representation(pairs, names) -> tuple:
    """`pairs` less the names a 304 leaves out (OMITTED_FROM_304), filtered in C."""
    return tuple(compress(pairs, map(not_, map(OMITTED_FROM_304.__contains__, names))))


def not_modified_headers(pairs) -> tuple | None:
    """The headers a 304 made from a response with these `pairs` sends, when they need none of
    Werkzeug's checks (no name it rewrites, Content-Length present), else None: what the memo
    prepares once per finished copy (delivery/memo.py, ApiResponse.checked)."""
    names = _names(pairs)
    if "content-length" not in names or not _REWRITTEN.isdisjoint(names):
        return None
    return _without_representation(pairs, names)


def add_checked(headers: Headers, pairs) -> None:
    """Append pairs this app built from its own numbers and constants (no newline can be in
    them) without Werkzeug checking each one (see kept_headers for `_list`)."""
    headers._list.extend(pairs)


class ApiResponse(Response):
    # True on a memo hit answered from its URL's finished copy (delivery/memo.py), whose names
    # were checked once when the copy was kept: none that Werkzeug rewrites, Content-Length
    # present, and on a 304 the representation's headers already left out. What the hooks add
    # to such an answer (rate limits, request id, CORS for an origin list, gzip's headers) is
    # none of those either; a step that could break this (a gzip 304) sets it back to False.
    checked = False

    def get_wsgi_headers(self, environ) -> Headers:
        if self.checked:
            return self.headers  # Werkzeug's caller only lists them (Headers.to_wsgi_list)
        status = self.status_code
        pairs = self.headers._list
        names = _names(pairs)
        if status < 200 or status == 204 or not _REWRITTEN.isdisjoint(names):
            return super().get_wsgi_headers(environ)
        if status == 304:
            return kept_headers(_without_representation(pairs, names))
        if "content-length" in names or not self.automatically_set_content_length:
            return kept_headers(pairs)
        if not self.is_sequence or not all(isinstance(part, bytes) for part in self.response):
            return super().get_wsgi_headers(environ)  # Werkzeug encodes it to measure it
        headers = kept_headers(pairs)
        headers.add("Content-Length", str(sum(map(len, self.response))))
        return headers
