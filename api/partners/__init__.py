"""Partner access: API keys, rate limits (see keys.py, access.py, ratelimit.py)."""

from flask import Flask

from . import access, ratelimit
from .keys import load_partners


def init_app(app: Flask) -> None:
    app.extensions["partners"] = load_partners(
        app.config["PARTNER_KEYS_FILE"], app.config["PARTNER_KEYS"]
    )
    # identify the caller before the limiter runs: its key function needs g.partner
    app.before_request(access.identify)
    ratelimit.init_app(app)
    app.extensions.setdefault("response_headers", []).append(ratelimit.add_headers)
