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

Every limited response carries the IETF draft headers `RateLimit-Policy` and `RateLimit`, and
every one but a 304 also the older draft's `RateLimit-Limit/-Remaining/-Reset` (seconds until
the window resets): the same numbers as `RateLimit`'s r and t and the policy's q, which a 304,
sent to keep a revalidation small (RFC 9110 §15.4.5), does not repeat. A 429 is
a problem+json with `Retry-After`.
"""

import math
import time

import orjson
from flask import Flask, Response
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


KEYS_KEPT = 10_000  # clients whose storage keys a worker keeps (RateLimits._limits_of)


def policy(item) -> str:
    """The RateLimit-Policy value of one limit (IETF draft): quota and window in seconds."""
    return f'"default";q={item.amount};w={item.get_expiry()}'


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
        self.keys: dict[str, tuple] = {}  # see _limits_of
        # parsed once; the most fine-grained item first, as Flask-Limiter reports them
        self.anonymous = sorted(parse_many(config["RATELIMIT_DEFAULT"]))
        self.partners = {
            partner.name: sorted(parse_many(partner.rate_limit or config["RATELIMIT_DEFAULT"]))
            for partner in app.extensions["partners"].values()
            if not partner.revoked
        }

    def _limits_of(self, here, environ) -> tuple:
        """(identifiers, ((limit, storage key, window seconds, RateLimit-Policy value), …)) of
        this caller, finest limit first. Built once per client and kept (at most KEYS_KEPT
        clients per worker, then started afresh): building a key is most of what counting
        costs, and a client asks many times a minute."""
        partner = here.partner
        who = f"key:{partner.name}" if partner is not None else f"ip:{environ.get('REMOTE_ADDR')}"
        found = self.keys.get(who)
        if found is None:
            items = self.partners[partner.name] if partner is not None else self.anonymous
            identifiers = (*self.prefix, who, "api")
            found = (
                identifiers,
                tuple(
                    (item, item.key_for(*identifiers), item.get_expiry(), policy(item))
                    for item in items
                ),
            )
            if len(self.keys) >= KEYS_KEPT:
                self.keys.clear()
            self.keys[who] = found
        return found

    def check(self, here, req) -> Response | None:
        """The rate-limit step of the before hook (delivery/__init__.py; `here` and `req` are
        its `g` and `request` objects): who is calling (access.identify), this request
        counted, then a key that may not be used refused (access.refuse_invalid), so a wrong
        key costs the client's own budget."""
        environ = req.environ
        access.identify(here, environ)
        if self.enabled and req.path not in EXEMPT_PATHS:
            refused = self._count_request(here, environ)
            if refused is not None:
                return refused
        access.refuse_invalid(here)
        return None

    def _count_request(self, here, environ) -> Response | None:
        """Count this request against each of the client's limits, finest first, and answer
        429 at the first one used up (the coarser ones are then not charged for a refused
        request)."""
        identifiers, limits = self._limits_of(here, environ)
        first = True
        for limit in limits:
            if self.fixed_window:
                passed, reset_at, remaining = self._count(limit)
            else:
                passed, reset_at, remaining = self._count_with_strategy(limit[0], identifiers)
            if first or not passed:  # the finest one, or the one used up
                vars(here)["rate_limit"] = (limit, reset_at, remaining)  # g's, see delivery
                first = False
            if not passed:
                here.rate_limited = limit[0]
                return self._breach(limit[0], reset_at)
        return None

    def _count(self, limit) -> tuple[bool, float, int]:
        """The fixed window with the storage's public interface, two calls per limit: `incr`
        (atomic: what the strategy's `hit` does) returns the window's count, which is also
        what `get_window_stats` would read back, and the window's end comes with it from
        storages that offer `incr_with_expiry` (local://), else `get_expiry`."""
        item, key, expiry, _ = limit
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

    def count(self, response: Response, here) -> None:
        """The after hook's step (`here`: its `g`): the rate-limit headers, from the window read
        when the request was counted."""
        subject = vars(here).get("rate_limit")
        if subject is None:
            return
        (item, _, window, policy_value), reset_at, remaining = subject
        reset = str(max(0, math.ceil(reset_at - time.time())) or window)
        left = str(max(0, remaining))
        # appended as built: numbers and constants, nothing a client sent (response.add_checked)
        fields = (
            ("RateLimit-Policy", policy_value),
            ("RateLimit", f'"default";r={left};t={reset}'),
        )
        # a 304: the two fields only (response.OMITTED_FROM_304 names the older three; a memo
        # hit's 304 is not filtered again, ApiResponse.checked)
        if response.status_code == 304:
            add_checked(response.headers, fields)
            return
        add_checked(
            response.headers,
            (
                *fields,
                ("RateLimit-Limit", str(item.amount)),
                ("RateLimit-Remaining", left),
                ("RateLimit-Reset", reset),
            ),
        )

    def _breach(self, item, reset_at: float) -> Response:
        retry = max(1, math.ceil(reset_at - time.time()))
        detail = f"Rate limit of {item} exceeded; retry in {retry} seconds."
        body = problem_body(429, "Too Many Requests", detail)
        response = ApiResponse(orjson.dumps(body), status=429, mimetype=PROBLEM_TYPE)
        response.headers["Retry-After"] = str(retry)
        return response


def init_app(app: Flask) -> RateLimits:
    """The limiter, for the delivery hooks to call (api/delivery/__init__.py): it counts in
    their before hook and adds its headers in their last after hook."""
    limits = RateLimits(app)
    app.extensions["rate_limits"] = limits
    return limits
