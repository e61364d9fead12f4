"""CORS for browsers (WHATWG Fetch) with flask-cors: public GETs from configured origins,
preflights answered, credentials never allowed.

With the default `*`, `Access-Control-Allow-Origin: *` is on every response, with or without an
Origin in the request, so the response does not depend on Origin and a shared cache can give
the same copy to everyone. With a list, an allowed Origin is echoed and `Vary: Origin` is sent
on every response, allowed or not (flask-cors adds it only when echoing to one of several
origins), so a shared cache never hands one origin's answer to another.
"""

from flask import Flask, Response
from flask_cors import CORS

from .caching import add_vary

ALLOWED_METHODS = ["GET", "HEAD", "OPTIONS"]
ALLOWED_HEADERS = [
    "Accept",
    "Accept-Encoding",
    "Authorization",
    "Content-Type",
    "If-Modified-Since",
    "If-None-Match",
    "X-API-Key",
    "X-Request-ID",
]
EXPOSED_HEADERS = [
    "ETag",
    "Last-Modified",
    "Link",
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Deprecation",
    "Sunset",
    "X-API-Version",
    "X-Request-ID",
]


def any_origin(config) -> bool:
    return "*" in config["CORS_ORIGINS"]


def init_app(app: Flask) -> None:
    wildcard = any_origin(app.config)
    CORS(
        app,
        origins="*" if wildcard else list(app.config["CORS_ORIGINS"]),
        methods=ALLOWED_METHODS,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        max_age=app.config["CORS_MAX_AGE"],
        supports_credentials=False,
        send_wildcard=wildcard,
        always_send=wildcard,  # with a list: only for a request that names an allowed Origin
        # Vary comes from vary_on_origin alone: flask-cors would add a second `Vary: Origin`
        # header, and a shared cache reading only one of them (nginx) mixes up its variants
        vary_header=False,
    )


def vary_on_origin(response: Response) -> None:
    """With an origin list (only then: the caller checks any_origin once, at start-up)."""
    add_vary(response, "Origin")
