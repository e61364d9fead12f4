"""CORS for browsers (WHATWG Fetch): public GETs from configured origins, preflight answered.

With the default `*`, any page may read the API without credentials. With a list, an allowed
Origin is echoed and `Vary: Origin` is sent on every response, allowed or not, so a shared cache
never hands one origin's answer to another. Credentials are never allowed.
"""

from flask import Response, current_app, request

from .caching import add_vary

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
ALLOWED_HEADERS = (
    "Accept, Accept-Encoding, Authorization, Content-Type, If-Modified-Since, If-None-Match, "
    "X-API-Key, X-Request-ID"
)
EXPOSED_HEADERS = (
    "ETag, Last-Modified, Link, Retry-After, RateLimit, RateLimit-Policy, RateLimit-Limit, "
    "RateLimit-Remaining, RateLimit-Reset, Deprecation, Sunset, X-API-Version, X-Request-ID"
)


def _allowed_origin(origin: str) -> str | None:
    origins = current_app.config["CORS_ORIGINS"]
    if "*" in origins:
        return "*"
    return origin if origin in origins else None


def is_preflight() -> bool:
    return (
        request.method == "OPTIONS"
        and "Origin" in request.headers
        and "Access-Control-Request-Method" in request.headers
    )


def preflight() -> Response:
    """Answer a preflight without routing: every public endpoint accepts the same methods."""
    response = Response(status=204)
    response.headers["Allow"] = ALLOWED_METHODS
    allowed = _allowed_origin(request.headers["Origin"])
    if allowed:
        response.headers["Access-Control-Allow-Origin"] = allowed
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = str(current_app.config["CORS_MAX_AGE"])
    if "*" not in current_app.config["CORS_ORIGINS"]:
        add_vary(response, "Origin")
    return response


def add_cors_headers(response: Response) -> None:
    if "*" not in current_app.config["CORS_ORIGINS"]:
        add_vary(response, "Origin")
    origin = request.headers.get("Origin")
    if not origin:
        return
    allowed = _allowed_origin(origin)
    if allowed:
        response.headers["Access-Control-Allow-Origin"] = allowed
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
