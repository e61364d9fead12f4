"""Partner access: API keys, rate limits (see keys.py, access.py, ratelimit.py)."""

from flask import Flask
from marshmallow import ValidationError

from . import access, ratelimit
from .keys import PartnerKeysError, check_rate_limit, load_partners


def init_app(app: Flask) -> None:
    try:
        check_rate_limit(app.config["RATELIMIT_DEFAULT"])
    except ValidationError as exc:
        raise PartnerKeysError(f"RATELIMIT_DEFAULT: {exc.messages[0]}") from None
    app.extensions["partners"] = load_partners(
        app.config["PARTNER_KEYS_FILE"], app.config["PARTNER_KEYS"]
    )
    # identify the caller before the limiter runs (its key function needs g.partner), and
    # refuse a bad key only after it: a wrong key counts against the client's own budget
    app.before_request(access.identify)
    ratelimit.init_app(app)
    app.before_request(access.refuse_invalid)
    app.extensions.setdefault("response_headers", []).append(app.extensions["rate_limits"].count)
