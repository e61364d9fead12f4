"""HTTP caching for every successful GET/HEAD (RFC 9110 §13, RFC 9111): strong ETags,
Last-Modified, Cache-Control, Vary, conditional 304s, and gzip as its own representation.

Done once here, after the view, so lists, details, search and the OpenAPI document all behave
the same. Views that already know their ETag (cached entry bodies) set it and nothing is hashed.
"""

import gzip
import hashlib
from datetime import UTC, datetime, time

from flask import Response, current_app, g, request

from ..content.store import Entry
from ..lru import LRU

MIN_GZIP_BYTES = 1024  # below this, gzip's framing outweighs its saving
_CONDITIONAL_KEEP = ("ETag", "Cache-Control", "Vary", "Expires", "Date")  # RFC 9110 §15.4.5
_compressed = LRU(2048)  # ETag → gzip body: cached entry bodies are compressed once


def strong_etag(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=12).hexdigest()


def set_last_modified(day) -> None:
    """Views call this with the content date their response reflects."""
    g.last_modified = datetime.combine(day, time(), tzinfo=UTC)


def newest(entries) -> object:
    return max((e.updated for e in entries), default=None)


def entry_last_modified(entry: Entry) -> None:
    set_last_modified(entry.updated)


def add_vary(response: Response, header: str) -> None:
    if header.lower() not in {v.lower() for v in response.vary}:
        response.vary.add(header)


def _cache_control(response: Response) -> None:
    config = current_app.config
    if response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"
    elif getattr(g, "private", False):  # previews and keyed responses never sit in shared caches
        response.headers["Cache-Control"] = "private, no-store"
    elif "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = (
            f"public, max-age={config['CACHE_MAX_AGE']}, "
            f"stale-while-revalidate={config['CACHE_STALE_WHILE_REVALIDATE']}"
        )


def _wants_gzip(response: Response) -> bool:
    if "gzip" not in request.headers.get("Accept-Encoding", "").lower():
        return False
    return response.content_length is not None and response.content_length >= MIN_GZIP_BYTES


def _not_modified(response: Response, etag: str) -> bool:
    if request.if_none_match:
        # Weak comparison for If-None-Match (RFC 9110 §13.1.2): W/"x" matches "x"; * matches.
        return request.if_none_match.contains_weak(etag)
    last_modified, since = getattr(g, "last_modified", None), request.if_modified_since
    return bool(last_modified and since and last_modified <= since)


def finalize(response: Response) -> Response:
    """Apply caching headers; turn the response into a 304 or a gzip body where it applies."""
    _cache_control(response)
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if response.direct_passthrough or response.is_streamed:
        return response
    add_vary(response, "Accept-Encoding")
    last_modified = getattr(g, "last_modified", None)
    if last_modified:
        response.last_modified = last_modified
    base, _ = response.get_etag()
    if base is None:
        base = strong_etag(response.get_data())
    use_gzip = _wants_gzip(response)
    etag = f"{base}-gzip" if use_gzip else base  # each coding is its own representation
    response.set_etag(etag)
    if _not_modified(response, etag):
        not_modified = Response(status=304)
        for name in _CONDITIONAL_KEEP:
            if name in response.headers:
                not_modified.headers[name] = response.headers[name]
        for name, value in response.headers.items():
            if name.lower().startswith(
                ("access-control-", "x-", "deprecation", "sunset", "link", "ratelimit")
            ):
                not_modified.headers[name] = value
        return not_modified
    if use_gzip:
        body = _compressed.get_or(etag, lambda: gzip.compress(response.get_data(), 5, mtime=0))
        response.set_data(body)
        response.headers["Content-Encoding"] = "gzip"
    return response
