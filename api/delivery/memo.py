"""Memoised representations: the serialised body, its ETag and the view's headers per URL.

Content never changes while a process runs, so a public 200 made from content is the same bytes
for everyone who asks for the same path and query string. The first request runs the view; its
result is kept here, and later requests for the URL take it in the last step of the before
hook, after the request id, sunset, key check and rate limit steps (delivery/__init__.py):
every request still goes through Flask and every hook, only the view (argument parsing,
lookup, serialising) is skipped. The
compressed copies flask-compress makes live in the same cache, keyed by the identity ETag.

The key holds only what a body depends on: the path, the raw query string (the view rejected
invalid ones, and those are never kept) and the base of absolute API URLs (a setting, or the
trusted proxy's host). Nothing else a client sends (Host, SCRIPT_NAME, Origin, keys) is in it.
One LRU per worker, bounded in bytes (keys, headers and bodies counted): RESPONSE_MEMO_MB.

Finished headers: the after hooks add the same headers to every anonymous 200 of a URL (ETag,
version, Cache-Control, Vary, Last-Modified, nosniff and, with CORS `*`, flask-cors's headers). The
first anonymous answer of a kept URL (its 200, or a 304 made from it) is copied when the hooks are
done with it (finish(), called by the last hook before the per-request headers: rate limits,
request id), and later anonymous hits start from that copy; the hooks then see g.memo_finished and
skip only the work whose result is already there (and flask-cors, as documented for its decorator,
leaves a response with Access-Control-Allow-Origin alone). Everything that depends on the request
still runs on every hit: key check, rate limit and its headers, gzip, the 304 decision, CORS for an
origin list (never copied: it varies per Origin), request id, access log. A keyed request
(`private`) never uses or fills the copy.
"""

import sys
from dataclasses import dataclass, replace

from flask import Flask

from ..lru import ENTRY_OVERHEAD, LRU, deep_size
from .caching import strong_etag
from .response import ApiResponse, kept_headers, not_modified_headers
from .urls import api_base, fixed_base

_NOT_KEPT = frozenset({"content-length"})  # recomputed for each answer
_GZIP_KEY = 100  # a compressed copy's "gzip;<etag>" key, as Python holds it


@dataclass(frozen=True, slots=True)
class Representation:
    body: bytes
    etag: str  # unquoted, identity coding
    headers: tuple  # the view's own headers (Content-Type, Link, Content-Security-Policy…)
    key_bytes: int = 0  # of its key: cachetools sizes values only, so the value carries it
    finished: tuple | None = None  # an anonymous 200's headers after the hooks (see finish())
    # the finished headers a 304 sends (OMITTED_FROM_304 left out), when the finished names
    # need none of Werkzeug's checks (ApiResponse.checked); else None
    not_modified: tuple | None = None


def _size(value) -> int:
    """Bytes an item holds as Python objects (api/lru.deep_size: every header string and tuple
    counted, not only their characters), plus the cache's own per-item bookkeeping."""
    if isinstance(value, bytes):  # a compressed body
        return sys.getsizeof(value) + _GZIP_KEY + ENTRY_OVERHEAD
    parts = (value.body, value.etag, value.headers, value.finished, value.not_modified)
    return sys.getsizeof(value) + sum(map(deep_size, parts)) + value.key_bytes + ENTRY_OVERHEAD


def _key_size(key) -> int:
    return deep_size(key)


class Memo:
    def __init__(self, max_bytes: int, base: str | None = None):
        self.cache = LRU(max_bytes, getsizeof=_size)
        self.base = base  # the API's base when it is a setting (urls.fixed_base), else None

    def get(self, key):
        if isinstance(key, str) and key.endswith(";"):
            return None
        return self.cache.get(key)

    def put(self, key, value) -> None:
        self.cache.put(key, value)

    # flask-compress's cache backend (COMPRESS_CACHE_BACKEND) also calls get, with a string
    # "<coding>;<identity ETag>" key: one without a tag is never kept or answered.
    def set(self, key, value) -> None:
        if not key.endswith(";"):
            self.cache.put(key, value)


def key(memo: Memo, req) -> tuple:
    """`req`: the hook's request object (one context lookup per hook, delivery/__init__.py)."""
    return (req.path, req.query_string, memo.base or api_base())


# flask-cors answers a request carrying this header with one more header (Private Network
# Access): such a request never takes or fills the finished copy.
_PRIVATE_NETWORK = "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"


def _shared(here, environ) -> bool:
    """An anonymous request: its 200 carries the headers every anonymous request gets."""
    return not vars(here).get("private") and _PRIVATE_NETWORK not in environ


def lookup(memo: Memo, here, req) -> ApiResponse | None:
    """Last of the before hook's steps, for a GET or HEAD: the kept 200 for this URL, or None.
    `here` and `req` are the hook's `g` and `request` objects."""
    url = key(memo, req)
    kept = memo.cache.get(url)  # a tuple key: never one of flask-compress's (Memo.get)
    if kept is None:
        return None
    state = vars(here)  # see delivery/__init__.py
    state["content_response"] = state["memo_hit"] = True
    shared = _shared(here, req.environ)
    if shared and kept.finished is not None:
        state["memo_finished"] = kept
        # the body set as Werkzeug's documented `response` list: its Content-Length is in the
        # finished headers already (set_data would measure it and set the header again)
        response = ApiResponse(headers=kept_headers(kept.finished))
        response.response = [kept.body]
        response.checked = kept.not_modified is not None
        return response
    if shared:
        here.memo_fill = url, kept
    response = ApiResponse(kept.body, headers=list(kept.headers))
    response.headers["ETag"] = f'"{kept.etag}"'
    return response


def remember(memo: Memo, response: ApiResponse, here, req) -> None:
    """after_request, first of all (the view's own headers, before any hook adds its own): keep
    a 200 made from content. A keyed request's body is the public one (only its headers are
    private), so it is kept too; a preview's never is."""
    if (
        here.get("memo_hit")
        or response.status_code != 200
        or req.method not in ("GET", "HEAD")
        or not here.get("content_response")
        or here.get("preview")  # a draft's body must never answer a public request
        or response.direct_passthrough
        or response.is_streamed
    ):
        return
    quoted = response.headers.get("ETag")
    if quoted is None:
        quoted = f'"{strong_etag(response.get_data())}"'
        response.headers["ETag"] = quoted
    etag = quoted.strip('"')
    headers = tuple(
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in _NOT_KEPT and name != "ETag"
    )
    url = key(memo, req)
    kept = Representation(response.get_data(), etag, headers, _key_size(url))
    memo.put(url, kept)
    if _shared(here, req.environ):
        here.memo_fill = url, kept


# Set per request by later hooks (rate limits, request id) or per answer (coding). An identity
# 200's Content-Length is its kept body's: it stays (gzip sets its own; a 304 drops it).
_PER_REQUEST = frozenset({"content-encoding", "x-request-id", "retry-after"})


def finish(memo: Memo, response: ApiResponse, any_origin: bool, here) -> None:
    """Called after every request-independent after hook has run (delivery/__init__.py): keep
    this anonymous, identity-coded 200's headers as its URL's finished copy. A 304 made from
    that 200 (caching.conditional changes only its status; the server drops its body and
    representation headers later, response.py) carries the same headers here, so it fills the
    copy too: a worker whose clients only revalidate a URL (an app refreshing its cache after
    a deploy) would otherwise never take the finished path for it. With an origin list the
    CORS headers depend on the request's Origin and are left out of the copy."""
    fill = here.get("memo_fill")
    if (
        fill is None
        or response.status_code not in (200, 304)
        or "Content-Encoding" in response.headers
        or ("Access-Control-Allow-Origin" in response.headers and not any_origin)
    ):
        return
    url, kept = fill
    headers = tuple(
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in _PER_REQUEST and not name.startswith("RateLimit")
    )
    # checked once here, not by ApiResponse.get_wsgi_headers on every hit
    prepared = not_modified_headers(headers)
    memo.put(url, replace(kept, finished=headers, not_modified=prepared))


def not_modified(response: ApiResponse, finished: Representation, identity: bool) -> None:
    """A memo hit from the finished copy that conditional() answered 304: its headers become
    the copy's 304 headers, checked when kept (ApiResponse.checked). `identity`: no coding
    was applied; a gzip 304's headers (its own ETag, Content-Encoding) go through Werkzeug's
    checks instead."""
    if identity and finished.not_modified is not None:
        response.headers = kept_headers(finished.not_modified)
    else:
        response.checked = False


def init_app(app: Flask) -> Memo | None:
    megabytes = app.config["RESPONSE_MEMO_MB"]
    base = fixed_base(app.config)
    memo = Memo(int(megabytes * 1024 * 1024), base) if megabytes > 0 else None
    app.extensions["memo"] = memo
    return memo
