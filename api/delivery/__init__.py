"""Everything HTTP adds around the views: one path for every request, in one explicit order,
run by one before hook and two after hooks (flask-cors's own hook sits between the two).

before (admit): request id and timer → retired API versions refused → caller identified, rate
        limit counted, invalid key refused (partners/ratelimit.py) → over-long URL refused
        (api/limits.py, after the count: long URLs cost the caller too) → memo: a kept
        representation of this URL answers instead of the view (memo.py).
after, first (represent): memo fill, version headers, Cache-Control, Vary, ETag
        (caching.prepare) → gzip (flask-compress, only for a request accepting a coding it has)
        → 304 (caching.conditional) → Vary: Origin for an origin list.
after, flask-cors: CORS headers.
after, last (finish): nosniff, and the memo's finished copy of an anonymous 200's headers
        (memo.finish) → the rate-limit headers → request id and access-log line.
Flask runs after_request hooks in the reverse order of registration, hence the order below.
A memo hit that starts from its URL's finished headers (g.memo_finished) skips the steps whose
headers it already has: version headers, Cache-Control, Vary, Last-Modified, nosniff; when
it is answered 304, it takes the copy's 304 headers (memo.not_modified).

Why few hooks that call plain functions: on a memoised answer the hooks are most of the app's
own work per request, and each hook, proxy lookup (`request`, `g`) and library call costs more
under a server than in a profile, because gunicorn's parsing and the kernel's socket work evict
the caches between requests (benchmarks/README.md, *Worker CPU per 304*). For the same reason
the steps on a memo hit's path read and set `g`'s attributes through `vars(g)` (its instance
dict: the same attributes), since `g.get` and `g`'s `__setattr__` are Python calls each.
"""

from flask import Flask, g, request

from .. import limits
from . import access_log, caching, cors, memo, versioning
from .response import ApiResponse
from .urls import wrap_wsgi


def init_before(app: Flask) -> None:
    """Settings read once, before the partners' part (partners.init_app) is set up."""
    app.response_class = ApiResponse  # Flask's documented place for it (see response.py)
    wrap_wsgi(app)
    access_log.configure(app)
    app.extensions["public_cache_control"] = caching.public_cache_control(app.config)
    app.extensions["version_policies"] = versioning.policies(app.config)


def init_after(app: Flask) -> None:
    """After partners.init_app: the hooks, which call the rate limiter it made."""
    sunsets = versioning.any_sunset(app.extensions["version_policies"])
    rate_limits = app.extensions["rate_limits"]
    any_origin = cors.any_origin(app.config)
    vary_on_origin = not any_origin
    log = app.extensions["access_log"]
    kept = memo.init_app(app)
    compress = caching.init_compress(app, kept)
    codings = caching.encodings(app.config)

    @app.before_request
    def admit():
        req = request._get_current_object()  # one lookup of each context-local per hook
        here = g._get_current_object()
        environ = req.environ
        access_log.start(here, environ)
        if sunsets:
            versioning.refuse_after_sunset()
        refused = rate_limits.check(here, req)
        if refused is not None:
            return refused
        limits.refuse_long_urls(environ)
        if kept is not None and req.method in ("GET", "HEAD"):
            return memo.lookup(kept, here, req)
        return None

    @app.after_request
    def finish(response):  # registered first: runs last
        here = g._get_current_object()
        req = request._get_current_object()
        if vars(here).get("memo_finished") is None:
            response.headers["X-Content-Type-Options"] = "nosniff"
            if kept is not None:
                memo.finish(kept, response, any_origin, here)
        rate_limits.count(response, here)
        access_log.finish(response, log, here, req)
        return response

    cors.init_app(app)

    @app.after_request
    def represent(response):  # registered last: runs first, on the view's response
        here = g._get_current_object()
        req = request._get_current_object()
        environ = req.environ
        finished = vars(here).get("memo_finished")
        if finished is None:
            if kept is not None:
                memo.remember(kept, response, here, req)
            versioning.add_version_headers(response)
            caching.prepare(response, here, req)  # Vary: Accept-Encoding included
        sent = None  # the quoted ETag, when known without reading the headers back
        if caching.may_encode(environ, codings):  # else flask-compress would send identity
            if finished is not None:
                here.etag = finished.etag  # flask-compress keys its gzip copy by it
            compress.after_request(response)
        elif finished is not None:
            sent = f'"{finished.etag}"'
        caching.conditional(response, req, sent)
        if finished is not None and response.status_code == 304:
            memo.not_modified(response, finished, identity=sent is not None)
        if vary_on_origin and finished is None:
            cors.vary_on_origin(response)
        return response
