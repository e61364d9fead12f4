"""Partner access: API keys, rate limits (see keys.py, access.py, ratelimit.py)."""

from flask import Flask
from marshmallow import ValidationError

from . import ratelimit
from .keys import PartnerKeysError, check_rate_limit, load_partners


def init_app(app: Flask) -> None:
    try:
        check_rate_limit(app.config["RATELIMIT_DEFAULT"])
    except ValidationError as exc:
        raise PartnerKeysError(f"RATELIMIT_DEFAULT: {exc.messages[0]}") from None
    app.extensions["partners"] = load_partners(
        app.config["PARTNER_KEYS_FILE"], app.config["PARTNER_KEYS"]
    )
    # called by the delivery hooks: the caller identified, counted, and a bad key refused only
    # then, so a wrong key counts against the client's own budget (ratelimit.RateLimits.check)
    ratelimit.init_app(app)
