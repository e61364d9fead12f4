"""HTTP caching for every successful GET/HEAD (RFC 9110 §13, RFC 9111): strong ETags,
Last-Modified, Cache-Control, Vary, conditional 304s, and gzip as its own representation.

Done once here, after the view, so lists, details, search and the OpenAPI document all behave
the same. Views that already know their ETag (cached entry bodies) set it and nothing is hashed.
This runs on every request, so it works on header strings directly rather than through
Werkzeug's parsed header objects, and formats dates once.
"""

import gzip
import hashlib
from datetime import datetime
from functools import lru_cache

from flask import Response, current_app, g, request
from werkzeug.http import http_date, parse_accept_header, parse_etags

from ..lru import LRU

MIN_GZIP_BYTES = 1024  # below this, gzip's framing outweighs its saving
_CONDITIONAL_KEEP = ("etag", "cache-control", "vary", "expires", "date")  # RFC 9110 §15.4.5
_KEEP_PREFIXES = ("access-control-", "x-", "deprecation", "sunset", "link", "ratelimit")
_compressed = LRU(2048)  # ETag → gzip body: cached entry bodies are compressed once


def strong_etag(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=12).hexdigest()


@lru_cache(maxsize=64)
def _http_date(moment: datetime) -> str:
    return http_date(moment)


def content_response() -> None:
    """Views call this when their response is made from content: it then gets Last-Modified,
    the time this content version was first served, which moves whenever any content changes
    (see content.snapshot.first_seen). Editorial `updated` dates would not: a related page, a
    publication status or an undated edit changes a response without them."""
    g.content_response = True


def add_vary(response: Response, header: str) -> None:
    current = response.headers.get("Vary")
    if not current:
        response.headers["Vary"] = header
    elif header.lower() not in current.lower():
        response.headers["Vary"] = f"{current}, {header}"


def public_cache_control(config) -> str:
    return (
        f"public, max-age={config['CACHE_MAX_AGE']}, "
        f"stale-while-revalidate={config['CACHE_STALE_WHILE_REVALIDATE']}"
    )


def _cache_control(response: Response) -> None:
    if response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"
    elif getattr(g, "private", False):  # previews and keyed responses never sit in shared caches
        response.headers["Cache-Control"] = "private, no-store"
    elif "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = current_app.extensions["public_cache_control"]


@lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding value takes gzip ("gzip;q=0" means "not gzip")."""
    if "gzip" not in accept_encoding.lower():
        return False
    return parse_accept_header(accept_encoding).quality("gzip") > 0


@lru_cache(maxsize=1024)
def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison for If-None-Match (RFC 9110 §13.1.2): W/"x" matches "x"; * matches."""
    return parse_etags(if_none_match).contains_weak(etag)


def _not_modified(etag: str, last_modified) -> bool:
    headers = request.headers
    if "If-None-Match" in headers:
        return etag_matches(headers["If-None-Match"], etag)
    if last_modified and "If-Modified-Since" in headers:
        since = request.if_modified_since
        return bool(since and last_modified <= since)
    return False


def kept_on_304(name: str) -> bool:
    """The headers a 304 repeats: the ones a cache updates its stored response with."""
    name = name.lower()
    return name in _CONDITIONAL_KEEP or name.startswith(_KEEP_PREFIXES)


def _not_modified_response(response: Response) -> Response:
    not_modified = Response(status=304)
    for name, value in response.headers.items():
        if kept_on_304(name):
            not_modified.headers[name] = value
    return not_modified


def finalize(response: Response) -> Response:
    """Apply caching headers; turn the response into a 304 or a gzip body where it applies."""
    _cache_control(response)
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if response.direct_passthrough or response.is_streamed:
        return response
    add_vary(response, "Accept-Encoding")
    last_modified = None
    if getattr(g, "content_response", False):
        last_modified = current_app.extensions["content_seen_at"]
        response.headers["Last-Modified"] = _http_date(last_modified)
    quoted = response.headers.get("ETag")
    base = quoted.strip('"') if quoted else strong_etag(response.get_data())
    use_gzip = (response.content_length or 0) >= MIN_GZIP_BYTES and accepts_gzip(
        request.headers.get("Accept-Encoding", "")
    )
    etag = f"{base}-gzip" if use_gzip else base  # each coding is its own representation
    response.headers["ETag"] = f'"{etag}"'
    if use_gzip:
        body = _compressed.get_or(etag, lambda: gzip.compress(response.get_data(), 5, mtime=0))
        response.set_data(body)
        response.headers["Content-Encoding"] = "gzip"
    g.representation = response  # the full 200, also when a 304 is sent: see replay.remember
    if _not_modified(etag, last_modified):
        return _not_modified_response(response)
    return response
