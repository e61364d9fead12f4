"""Everything HTTP adds around the views, in one explicit order.

before: request id and timer → preflight answered → retired API versions refused
        (then partners: caller identified, rate limit checked).
after:  version headers → CORS → caching (ETag, 304, gzip) → extra headers (rate limits) →
        security header → request id + log → kept for replay. The after hook is registered last
        so that it runs first: Flask-Limiter's own after hook then sees the final status (a 304
        is not counted).
around: replay.py answers repeats of public content responses before Flask runs at all.
"""

from flask import Flask

from . import access_log, cors, replay, versioning
from .caching import finalize, public_cache_control


def init_before(app: Flask) -> None:
    access_log.configure(app)
    app.extensions["public_cache_control"] = public_cache_control(app.config)
    app.extensions["version_policies"] = versioning.policies(app.config)

    @app.before_request
    def _before():
        access_log.start()
        if cors.is_preflight():
            return cors.preflight()
        versioning.refuse_after_sunset()
        return None


def init_after(app: Flask) -> None:
    extra_headers = app.extensions.setdefault("response_headers", [])
    replay.init_app(app)
    replayer = app.extensions.get("replay")

    @app.after_request
    def _after(response):
        versioning.add_version_headers(response)
        cors.add_cors_headers(response)
        response = finalize(response)
        for add in extra_headers:  # after finalize: they see a 304 as a 304
            add(response)
        response.headers["X-Content-Type-Options"] = "nosniff"
        access_log.finish(response)
        if replayer is not None:
            replayer.remember(response)
        return response
