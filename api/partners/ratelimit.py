"""Rate limits with Flask-Limiter: per client IP for anonymous reads (RATELIMIT_DEFAULT), per
key for partners (their own limit). Settings keep Flask-Limiter's names (RATELIMIT_ENABLED,
RATELIMIT_DEFAULT, RATELIMIT_STORAGE_URI; in-memory storage unless a shared store is set).

Every limited response carries the IETF draft headers `RateLimit-Policy` and `RateLimit` and the
widely used `RateLimit-Limit/-Remaining/-Reset` (seconds until the window resets); a 429 is a
problem+json with `Retry-After`. 304 revalidations are not counted: they cost almost nothing.
Every other response counts, errors included (404, 405, and a 401 for a wrong key).
"""

import time

import orjson
from flask import Flask, Response, current_app, g, request
from flask_limiter import Limit, Limiter

from ..problems import PROBLEM_TYPE, problem_body

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


def header_pairs(quota: int, window: int, remaining: int, reset: int) -> list[tuple[str, str]]:
    return [
        ("RateLimit-Policy", f'"default";q={quota};w={window}'),
        ("RateLimit", f'"default";r={remaining};t={reset}'),
        ("RateLimit-Limit", str(quota)),
        ("RateLimit-Remaining", str(remaining)),
        ("RateLimit-Reset", str(reset)),
    ]


def add_headers(response: Response) -> None:
    limiter = current_app.extensions.get("limiter_instance")
    numbers = _numbers(limiter) if limiter else None
    if not numbers:
        return
    quota, window, remaining, reset = numbers
    # Runs after Flask-Limiter's after hook has counted this request (delivery/__init__.py):
    # the numbers read now include it.
    reset = reset or window
    for name, value in header_pairs(quota, window, remaining, reset):
        response.headers[name] = value


def _not_counted(response) -> bool:
    return response.status_code != 304


def _limits(app: Flask) -> list[Limit]:
    """One static limit for anonymous clients and one per partner key, each exempting every
    other caller: static limit strings are parsed once, where a callable limit would be parsed
    on every request. Shared: one budget per client across every endpoint, not one per route."""

    def anonymous_exempt() -> bool:
        return request.path in EXEMPT_PATHS or getattr(g, "partner", None) is not None

    anonymous = Limit(
        app.config["RATELIMIT_DEFAULT"],
        scope="api",
        shared=True,
        exempt_when=anonymous_exempt,
        deduct_when=_not_counted,
    )
    limits = [anonymous]
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
    limits = _limits(app)
    limiter = Limiter(
        client_key,
        app=app,
        default_limits=limits,
        headers_enabled=False,  # written by add_headers, in the IETF draft's form
        on_breach=_on_breach,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        # Flask-Limiter skips requests that matched no route; an unknown path or a wrong method
        # (404, 405) costs the client budget like any other request.
        request_identifier=lambda: request.endpoint or "unrouted",
    )
    app.extensions["limiter_instance"] = limiter
    return limiter
