"""Rate limits with the `limits` library: per client IP for anonymous reads (RATELIMIT_DEFAULT),
per key for partners (their own limit). Settings keep Flask-Limiter's names (RATELIMIT_ENABLED,
RATELIMIT_DEFAULT, RATELIMIT_STORAGE_URI, RATELIMIT_STRATEGY), so a deployment configured for
it needs no change; `local://` (partners/storage.py) unless a shared store such as Redis is set.

Why `limits` directly and not Flask-Limiter (which wraps it): these limits are static (one
anonymous limit, one per key, one budget per client across every endpoint), and Flask-Limiter's
per-request resolution of route, blueprint and exemption rules cost more CPU than everything
else on a memoised request (benchmarks/README.md). Here one before hook counts the request
first, with one atomic increment in the storage per limit (the storage's `incr`, which is what
the fixed-window strategy's `hit` does; other strategies use their `hit`): concurrent
requests of one client, in other greenlets or on other replicas sharing Redis, can never
together pass a limit. It answers 429 when a limit is used up. Every answer
counts: 304 revalidations and errors included (404, 405, and a 401 for a wrong key), so no
kind of request is free of the client's budget.

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
from limits.strategies import STRATEGIES, FixedWindowRateLimiter

from ..delivery.response import ApiResponse, add_checked
from ..problems import PROBLEM_TYPE, problem_body
from . import (
    access,
    storage,  # noqa: F401 - registers the local:// storage scheme with limits
)

EXEMPT_PATHS = ("/healthz", "/readyz")


def header_pairs(quota: int, window: int, remaining: int, reset: int) -> list[tuple[str, str]]:
    return [
        ("RateLimit-Policy", f'"default";q={quota};w={window}'),
        ("RateLimit", f'"default";r={remaining};t={reset}'),
        ("RateLimit-Limit", str(quota)),
        ("RateLimit-Remaining", str(remaining)),
        ("RateLimit-Reset", str(reset)),
    ]


def _strategy(name: str, counters):
    """limits' strategy of that name on the storage; a name it lacks, or a strategy the storage
    cannot do (local:// counts fixed windows only), stops start-up with the setting named."""
    if name not in STRATEGIES:
        choices = ", ".join(sorted(STRATEGIES))
        raise ValueError(f"RATELIMIT_STRATEGY must be one of {choices}; got {name!r}")
    try:
        return STRATEGIES[name](counters)
    except NotImplementedError as exc:
        raise ValueError(
            f"RATELIMIT_STRATEGY={name} is not supported by RATELIMIT_STORAGE_URI's storage "
            f"({type(counters).__name__}); use fixed-window, or memory:// or redis://"
        ) from exc


class RateLimits:
    def __init__(self, app: Flask):
        config = app.config
        self.enabled = bool(config["RATELIMIT_ENABLED"])
        self.storage = storage_from_string(config["RATELIMIT_STORAGE_URI"])
        self.strategy = _strategy(config["RATELIMIT_STRATEGY"], self.storage)
        self.fixed_window = isinstance(self.strategy, FixedWindowRateLimiter)
        self.incr_with_expiry = getattr(self.storage, "incr_with_expiry", None)
        prefix = config["RATELIMIT_KEY_PREFIX"]
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
        """before_request, the caller admitted in one hook (one lookup of each context-local,
        see delivery/access_log): who is calling (access.identify), this request counted, then
        a key that may not be used refused (access.refuse_invalid), so a wrong key costs the
        client's own budget."""
        req = request._get_current_object()
        here = g._get_current_object()
        access.identify(here, req.environ)
        if self.enabled and req.path not in EXEMPT_PATHS:
            refused = self._count_request(here, req)
            if refused is not None:
                return refused
        access.refuse_invalid(here)
        return None

    def _count_request(self, here, req) -> Response | None:
        """Count this request against each of the client's limits, finest first, and answer
        429 at the first one used up (the coarser ones are then not charged for a refused
        request)."""
        identifiers, items = self._subject(here, req)
        counted = self._count if self.fixed_window else self._count_with_strategy
        for item in items:
            passed, reset_at, remaining = counted(item, identifiers)
            if item is items[0] or not passed:  # the finest one, or the one used up
                here.rate_limit = (item, reset_at, remaining)
            if not passed:
                here.rate_limited = item
                return self._breach(item, reset_at)
        return None

    def _count(self, item, identifiers) -> tuple[bool, float, int]:
        """The fixed window with the storage's public interface, one key built and two calls
        per limit: `incr` (atomic: what the strategy's `hit` does) returns the window's count,
        which is also what `get_window_stats` would read back, and the window's end comes
        with it from storages that offer `incr_with_expiry` (local://), else `get_expiry`."""
        key = item.key_for(*identifiers)
        expiry = item.get_expiry()
        if self.incr_with_expiry is not None:
            count, reset_at = self.incr_with_expiry(key, expiry)
        else:
            count = self.storage.incr(key, expiry)
            reset_at = self.storage.get_expiry(key)
        return count <= item.amount, reset_at, item.amount - count

    def _count_with_strategy(self, item, identifiers) -> tuple[bool, float, int]:
        """Moving or sliding windows: the strategy's own hit, then its window for the headers."""
        passed = self.strategy.hit(item, *identifiers)
        reset_at, remaining = self.strategy.get_window_stats(item, *identifiers)
        return passed, reset_at, remaining

    def count(self, response: Response) -> None:
        """after_request: the rate-limit headers, from the window read when the request was
        counted."""
        subject = g._get_current_object().get("rate_limit")
        if subject is None:
            return
        item, reset_at, remaining = subject
        window = item.get_expiry()
        reset = max(0, math.ceil(reset_at - time.time())) or window
        # appended as built: numbers and constants, nothing a client sent (response.add_checked)
        add_checked(response.headers, header_pairs(item.amount, window, max(0, remaining), reset))

    def _breach(self, item, reset_at: float) -> Response:
        retry = max(1, math.ceil(reset_at - time.time()))
        detail = f"Rate limit of {item} exceeded; retry in {retry} seconds."
        body = problem_body(429, "Too Many Requests", detail)
        response = ApiResponse(orjson.dumps(body), status=429, mimetype=PROBLEM_TYPE)
        response.headers["Retry-After"] = str(retry)
        return response


def init_app(app: Flask) -> RateLimits:
    limits = RateLimits(app)
    app.extensions["rate_limits"] = limits
    app.before_request(limits.check)
    return limits
