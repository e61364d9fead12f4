"""Rate limits with the `limits` library: per client IP for anonymous reads (RATELIMIT_DEFAULT),
per key for partners (their own limit). Settings keep Flask-Limiter's names (RATELIMIT_ENABLED,
RATELIMIT_DEFAULT, RATELIMIT_STORAGE_URI, RATELIMIT_STRATEGY), so a deployment configured for
it needs no change; `local://` (partners/storage.py) unless a shared store such as Redis is set.

Why `limits` directly and not Flask-Limiter (which wraps it): these limits are static (one
anonymous limit, one per key, one budget per client across every endpoint), and Flask-Limiter's
per-request resolution of route, blueprint and exemption rules cost more CPU than everything
else on a memoised request (benchmarks/README.md). Here one before hook reads the client's
windows (a 429 when one is used up) and one after hook counts the request, so a 304
revalidation is not counted and every other answer is (errors included: 404, 405, and a 401
for a wrong key).

Every limited response carries the IETF draft headers `RateLimit-Policy` and `RateLimit` and the
widely used `RateLimit-Limit/-Remaining/-Reset` (seconds until the window resets); a 429 is a
problem+json with `Retry-After`.
"""

import math
import time

import orjson
from flask import Flask, Response, g, request
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import STRATEGIES

from ..problems import PROBLEM_TYPE, problem_body
from . import storage  # noqa: F401 - registers the local:// storage scheme with limits

EXEMPT_PATHS = ("/healthz", "/readyz")


def header_pairs(quota: int, window: int, remaining: int, reset: int) -> list[tuple[str, str]]:
    return [
        ("RateLimit-Policy", f'"default";q={quota};w={window}'),
        ("RateLimit", f'"default";r={remaining};t={reset}'),
        ("RateLimit-Limit", str(quota)),
        ("RateLimit-Remaining", str(remaining)),
        ("RateLimit-Reset", str(reset)),
    ]


class RateLimits:
    def __init__(self, app: Flask):
        config = app.config
        self.enabled = bool(config["RATELIMIT_ENABLED"])
        self.storage = storage_from_string(config["RATELIMIT_STORAGE_URI"])
        self.strategy = STRATEGIES[config.get("RATELIMIT_STRATEGY", "fixed-window")](self.storage)
        prefix = config.get("RATELIMIT_KEY_PREFIX", "")
        self.prefix = (prefix,) if prefix else ()
        # parsed once; the most fine-grained item first, as Flask-Limiter reports them
        self.anonymous = sorted(parse_many(config["RATELIMIT_DEFAULT"]))
        self.partners = {
            partner.name: sorted(parse_many(partner.rate_limit or config["RATELIMIT_DEFAULT"]))
            for partner in app.extensions["partners"].values()
            if not partner.revoked
        }

    def _subject(self, here, req):
        partner = here.get("partner")
        if partner is not None:
            return (*self.prefix, f"key:{partner.name}", "api"), self.partners[partner.name]
        return (*self.prefix, f"ip:{req.remote_addr}", "api"), self.anonymous

    def check(self) -> Response | None:
        """before_request: a 429 when any of the client's limits is used up."""
        req = request._get_current_object()  # one context lookup (see delivery/access_log)
        if not self.enabled or req.path in EXEMPT_PATHS:
            return None
        here = g._get_current_object()
        identifiers, items = self._subject(here, req)
        # One read of each limit's window here and one hit after the answer: the window's
        # numbers read now serve both the 429 decision (no unit left: what the strategy's
        # test() decides for a cost of 1) and, less this request, the headers; no second read
        # after the hit. Requests of the same client answered in between (other threads or
        # greenlets) are not in this answer's RateLimit-Remaining; they are in the count.
        stats = [self.strategy.get_window_stats(item, *identifiers) for item in items]
        here.rate_limit = (identifiers, items, stats)
        for item, (reset_at, remaining) in zip(items, stats, strict=True):
            if remaining < 1:
                here.rate_limited = item
                return self._breach(item, reset_at)
        return None

    def count(self, response: Response) -> None:
        """after_request: count the answer (not a 304, not the 429 itself), then write the
        headers with the numbers after it."""
        here = g._get_current_object()
        subject = here.get("rate_limit")
        if subject is None:
            return
        identifiers, items, stats = subject
        counted = response.status_code not in (304, 429)
        if counted:
            for item in items:
                self.strategy.hit(item, *identifiers)
        limited = here.get("rate_limited")
        at = items.index(limited) if limited is not None else 0
        item, (reset_at, remaining) = items[at], stats[at]
        window = item.get_expiry()
        reset = max(0, math.ceil(reset_at - time.time()))
        if reset == 0:  # no window when it was read, or it has ended since: a new one begins
            reset, remaining = window, item.amount
        remaining = max(0, remaining - counted)
        # added, not set: nothing earlier writes them, and set() scans every header first
        response.headers.extend(header_pairs(item.amount, window, remaining, reset))

    def _breach(self, item, reset_at: float) -> Response:
        retry = max(1, math.ceil(reset_at - time.time()))
        detail = f"Rate limit of {item} exceeded; retry in {retry} seconds."
        body = problem_body(429, "Too Many Requests", detail)
        response = Response(orjson.dumps(body), status=429, mimetype=PROBLEM_TYPE)
        response.headers["Retry-After"] = str(retry)
        return response


def init_app(app: Flask) -> RateLimits:
    limits = RateLimits(app)
    app.extensions["rate_limits"] = limits
    app.before_request(limits.check)
    return limits
