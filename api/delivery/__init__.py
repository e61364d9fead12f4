"""Everything HTTP adds around the views: one path for every request, in one explicit order.

before: request id and timer → retired API versions refused → (partners: caller identified,
        rate limit counted, invalid key refused) → memo: a kept representation of this URL
        answers instead of the view (memo.py).
after (in this order): memo fill, version headers, Cache-Control, Vary, ETag (prepare) → gzip
        (flask-compress) → 304 (conditional) → CORS (flask-cors) → nosniff, and the memo's
        finished copy of an anonymous 200's headers (memo.finish) → the request counted against
        its client's limit (seeing the final status) with the rate-limit headers → request id
        and access-log line.
Flask runs after_request hooks in the reverse order of registration, hence the order below.
A memo hit that starts from its URL's finished headers (g.memo_finished) skips the steps whose
headers it already has: version headers, Cache-Control, Vary, Last-Modified, nosniff.
"""

from flask import Flask, g

from . import access_log, caching, cors, memo, versioning
from .response import ApiResponse
from .urls import wrap_wsgi


def init_before(app: Flask) -> None:
    app.response_class = ApiResponse  # Flask's documented place for it (see response.py)
    wrap_wsgi(app)
    access_log.configure(app)
    app.extensions["public_cache_control"] = caching.public_cache_control(app.config)
    app.extensions["version_policies"] = versioning.policies(app.config)
    sunsets = versioning.any_sunset(app.extensions["version_policies"])
    extra_headers = app.extensions.setdefault("response_headers", [])
    any_origin = cors.any_origin(app.config)

    @app.before_request
    def _before():
        access_log.start()
        if sunsets:
            versioning.refuse_after_sunset()

    log = app.extensions["access_log"]

    @app.after_request
    def _finish(response):  # registered first: runs last
        if not g.get("memo_finished"):
            response.headers["X-Content-Type-Options"] = "nosniff"
            if (kept := app.extensions.get("memo")) is not None:
                memo.finish(kept, response, any_origin)
        for add in extra_headers:
            add(response)
        access_log.finish(response, log)
        return response


def init_after(app: Flask) -> None:
    """After partners.init_app: the memo answers only once the caller has been counted."""
    kept = memo.init_app(app)
    cors.init_app(app)

    vary_on_origin = not cors.any_origin(app.config)

    @app.after_request
    def _conditional(response):
        caching.conditional(response)
        if vary_on_origin and not g.get("memo_finished"):
            cors.vary_on_origin(response)
        return response

    caching.init_compress(app, kept)

    if kept is not None:

        @app.before_request
        def _memo():
            return memo.lookup(kept)

    @app.after_request
    def _representation(response):  # registered last: runs first, on the view's response
        finished = g.get("memo_finished")
        if finished is not None:
            g.etag = finished.etag  # flask-compress keys its gzip copy by it (caching.prepare)
            return response
        if kept is not None:
            memo.remember(kept, response)
        versioning.add_version_headers(response)
        caching.prepare(response)
        return response
