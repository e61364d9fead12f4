"""Rate limits with Flask-Limiter: per client IP for anonymous reads (RATELIMIT_DEFAULT), per
key for partners (their own limit). Settings keep Flask-Limiter's names (RATELIMIT_ENABLED,
RATELIMIT_DEFAULT, RATELIMIT_STORAGE_URI; in-memory storage unless a shared store is set).

Every limited response carries the IETF draft headers `RateLimit-Policy` and `RateLimit` and the
widely used `RateLimit-Limit/-Remaining/-Reset` (seconds until the window resets); a 429 is a
problem+json with `Retry-After`. 304 revalidations are not counted: they cost almost nothing.
"""

import time

import orjson
from flask import Flask, Response, current_app, g, request
from flask_limiter import Limit, Limiter

from ..problems import PROBLEM_TYPE, problem_body
from . import storage  # noqa: F401 - registers the local:// storage scheme with limits

EXEMPT_PATHS = ("/healthz", "/readyz")


def client_key() -> str:
    partner = getattr(g, "partner", None)
    return f"key:{partner.name}" if partner else f"ip:{request.remote_addr}"


def _numbers(limiter: Limiter):
    current = limiter.current_limit
    if current is None:
        return None
    item = current.limit
    reset = max(0, int(current.reset_at - time.time()))
    return item.amount, item.get_expiry(), max(0, current.remaining), reset


def _on_breach(request_limit) -> Response:
    limiter = current_app.extensions["limiter_instance"]
    numbers = _numbers(limiter)
    retry = numbers[3] if numbers else 60
    detail = f"Rate limit of {request_limit.limit} exceeded; retry in {retry} seconds."
    body = problem_body(429, "Too Many Requests", detail)
    response = Response(orjson.dumps(body), status=429, mimetype=PROBLEM_TYPE)
    response.headers["Retry-After"] = str(max(1, retry))
    return response


def add_headers(response: Response) -> None:
    limiter = current_app.extensions.get("limiter_instance")
    numbers = _numbers(limiter) if limiter else None
    if not numbers:
        return
    quota, window, remaining, reset = numbers
    if response.status_code not in (304, 429):  # this request is counted after the response
        remaining = max(0, remaining - 1)
        reset = reset or window
    response.headers["RateLimit-Policy"] = f'"default";q={quota};w={window}'
    response.headers["RateLimit"] = f'"default";r={remaining};t={reset}'
    response.headers["RateLimit-Limit"] = str(quota)
    response.headers["RateLimit-Remaining"] = str(remaining)
    response.headers["RateLimit-Reset"] = str(reset)


def _not_counted(response) -> bool:
    return response.status_code != 304


def _limits(app: Flask) -> list[Limit]:
    """One static limit for anonymous clients and one per partner key, each exempting every
    other caller: static limit strings are parsed once, where a callable limit would be parsed
    on every request. Shared: one budget per client across every endpoint, not one per route."""

    def anonymous_exempt() -> bool:
        return request.path in EXEMPT_PATHS or getattr(g, "partner", None) is not None

    limits = [
        Limit(
            app.config["RATELIMIT_DEFAULT"],
            scope="api",
            shared=True,
            exempt_when=anonymous_exempt,
            deduct_when=_not_counted,
        )
    ]
    for partner in app.extensions["partners"].values():
        if partner.revoked:
            continue

        def partner_exempt(partner=partner) -> bool:
            return request.path in EXEMPT_PATHS or getattr(g, "partner", None) is not partner

        limits.append(
            Limit(
                partner.rate_limit or app.config["RATELIMIT_DEFAULT"],
                scope="api",
                shared=True,
                exempt_when=partner_exempt,
                deduct_when=_not_counted,
            )
        )
    return limits


def init_app(app: Flask) -> Limiter:
    limiter = Limiter(
        client_key,
        app=app,
        default_limits=_limits(app),
        headers_enabled=False,  # written by add_headers, in the IETF draft's form
        on_breach=_on_breach,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
    )
    app.extensions["limiter_instance"] = limiter
    return limiter
