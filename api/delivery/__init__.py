"""Everything HTTP adds around the views, in one explicit order.

before: request id and timer → preflight answered → retired API versions refused.
after:  version headers → CORS → caching (ETag, 304, gzip) → security header → request id + log.
"""

from flask import Flask

from . import access_log, cors, versioning
from .caching import finalize


def init_app(app: Flask) -> None:
    access_log.configure(app.config["ACCESS_LOG"])

    @app.before_request
    def _before():
        access_log.start()
        if cors.is_preflight():
            return cors.preflight()
        versioning.refuse_after_sunset()
        return None

    @app.after_request
    def _after(response):
        versioning.add_version_headers(response)
        cors.add_cors_headers(response)
        response = finalize(response)
        response.headers["X-Content-Type-Options"] = "nosniff"
        access_log.finish(response)
        return response
