"""HTTP caching for every successful GET/HEAD (RFC 9110 §13, RFC 9111): strong ETags,
Last-Modified, Cache-Control, Vary and conditional 304s; gzip by flask-compress, which makes a
compressed body its own representation (`"<tag>:gzip"`).

Done in after hooks, so lists, details, search and the OpenAPI document all behave the same.
Views (and the memo) that already know their ETag set it, and nothing is hashed.
"""

import hashlib
from datetime import datetime
from functools import lru_cache

from flask import Flask, Response, current_app, g
from flask_compress import Compress
from werkzeug.http import http_date, is_resource_modified, parse_etags, unquote_etag

MIN_GZIP_BYTES = 1024  # below this, gzip's framing outweighs its saving
# A response can differ with the key a request presents (a 401, or a private answer), so shared
# caches must keep keyed and anonymous requests apart even for public 200s.
KEY_HEADERS = ("Authorization", "X-API-Key")
# flask-compress is called only for a request that names an encoding (init_compress), so
# prepare() sends `Vary: Accept-Encoding` on every answer, as flask-compress would have.
VARY = (*KEY_HEADERS, "Accept-Encoding")
_VARY = ", ".join(VARY)


def strong_etag(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=12).hexdigest()


@lru_cache(maxsize=64)
def _http_date(moment: datetime) -> str:
    return http_date(moment)


def content_response() -> None:
    """Views call this when their response is made from content: it then gets Last-Modified,
    the time this content version was first served, which moves whenever any content changes
    (see content.snapshot.first_seen). Editorial `updated` dates would not: a related page, a
    publication status or an undated edit changes a response without them. It also makes the
    response one the memo keeps (delivery/memo.py)."""
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


def _cache_control(response: Response, here) -> None:
    if response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"
    elif here.get("private"):  # previews and keyed responses never sit in shared caches
        response.headers["Cache-Control"] = "private, no-store"
    elif "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = current_app.extensions["public_cache_control"]


def _cacheable(response: Response, method: str) -> bool:
    return (
        method in ("GET", "HEAD")
        and response.status_code == 200
        and not response.direct_passthrough
        and not response.is_streamed
    )


def prepare(response: Response, here, req) -> None:
    """Before compression: Cache-Control, Vary on the key headers and Accept-Encoding, and for
    a 200 its identity ETag (kept in g.etag: flask-compress keys its compressed copies by it)
    and Last-Modified. `here` and `req` are the hook's `g` and `request` objects."""
    _cache_control(response, here)
    if "Vary" in response.headers:
        for header in VARY:
            add_vary(response, header)
    else:
        response.headers["Vary"] = _VARY
    if not _cacheable(response, req.method):
        return
    quoted = response.headers.get("ETag")
    if quoted is None:
        quoted = f'"{strong_etag(response.get_data())}"'
        response.headers["ETag"] = quoted
    here.etag = quoted.strip('"')
    if here.get("content_response"):
        response.headers["Last-Modified"] = _http_date(current_app.extensions["content_seen_at"])


def conditional(response: Response, req, sent: str | None = None) -> None:
    """After compression, so the tag compared is the one sent: a 304 when If-None-Match (weak
    comparison) or, without it, If-Modified-Since says the client's copy is current. Werkzeug
    drops the body and the content headers of a 304 and keeps the rest (RFC 9110 §15.4.5).
    `req` is the hook's request object; `sent`, the quoted ETag of a response the caller knows
    to be cacheable (a memo hit's finished copy, not compressed), spares reading it back."""
    if sent is None and not _cacheable(response, req.method):
        return
    environ = req.environ
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:  # then If-Modified-Since is ignored (RFC 9110 §13.1.3)
        if sent is None:
            sent = response.headers.get("ETag")
        if sent is not None and if_none_match == sent:  # an app revalidating what it was sent
            response.status_code = 304
            return
        etag, _ = unquote_etag(sent)
        if etag is not None and parse_etags(if_none_match).contains_weak(etag):
            response.status_code = 304
    elif "HTTP_IF_MODIFIED_SINCE" in environ:
        last_modified = response.headers.get("Last-Modified")
        if not is_resource_modified(environ, last_modified=last_modified):
            response.status_code = 304


def _compress_key(_request) -> str:
    # Cacheable 200s have their identity tag by now (prepare); anything else gets "" and the
    # memo neither keeps nor answers that key (Memo.set/get).
    return g.get("etag", "")


def encodings(config) -> tuple[str, ...]:
    """The codings flask-compress may choose (COMPRESS_ALGORITHM, a list or "a, b"), lowercase."""
    chosen = config["COMPRESS_ALGORITHM"]
    names = chosen.split(",") if isinstance(chosen, str) else chosen
    return tuple(name.strip().lower() for name in names)


def may_encode(environ: dict, codings: tuple[str, ...]) -> bool:
    """Whether flask-compress could choose a coding for this request: its Accept-Encoding names
    one of `codings` or `*`. Otherwise flask-compress would send identity and only add
    `Vary: Accept-Encoding`, which prepare() has added, so it is not called (init_compress).
    A coding named with q=0 still calls it: flask-compress then decides."""
    accept = environ.get("HTTP_ACCEPT_ENCODING")
    if not accept:
        return False
    accept = accept.lower()
    return "*" in accept or any(coding in accept for coding in codings)


def init_compress(app: Flask, memo) -> Compress:
    """flask-compress: gzip for JSON, XML and HTML at or above MIN_GZIP_BYTES; its compressed
    copies go into the memo's byte-bounded cache when there is one. Not registered as a hook
    of its own (its documented COMPRESS_REGISTER switch): the delivery hook calls its public
    after_request only when may_encode() says it could compress."""
    app.config["COMPRESS_REGISTER"] = False
    app.config.setdefault("COMPRESS_ALGORITHM", ["gzip"])
    app.config.setdefault("COMPRESS_LEVEL", 5)
    app.config.setdefault("COMPRESS_MIN_SIZE", MIN_GZIP_BYTES)
    app.config.setdefault("COMPRESS_EVALUATE_CONDITIONAL_REQUEST", False)  # see conditional()
    app.config.setdefault("COMPRESS_STREAMS", False)
    mimetypes = ["application/json", "application/problem+json", "application/feed+json"]
    mimetypes += ["application/atom+xml", "application/xml", "text/html"]
    app.config.setdefault("COMPRESS_MIMETYPES", mimetypes)
    if memo is not None:
        app.config.setdefault("COMPRESS_CACHE_KEY", _compress_key)
        app.config.setdefault("COMPRESS_CACHE_BACKEND", lambda: memo)
    return Compress(app)
