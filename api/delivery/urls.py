"""The base of absolute URLs to this API (feeds, oEmbed): never taken from what a client sends.

PUBLIC_API_URL when set. Otherwise the request's scheme, host and prefix, but only when
TRUSTED_PROXIES says a proxy in front sets them (Werkzeug's ProxyFix then reads X-Forwarded-*
from that many proxies and nothing else). With neither, a fixed local address: a forged Host or
SCRIPT_NAME can never reach a body that others are served (see wrap_wsgi).
"""

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

LOCAL_BASE = "http://localhost:8000"  # `make run`'s address; set PUBLIC_API_URL in production


def fixed_base(config) -> str | None:
    """The base when the settings alone decide it (PUBLIC_API_URL, or no trusted proxy): the
    same for every request, so it is worked out once. None when a proxy's headers decide it."""
    if config["PUBLIC_API_URL"]:
        return config["PUBLIC_API_URL"].rstrip("/")
    return None if config["TRUSTED_PROXIES"] > 0 else LOCAL_BASE


def api_base() -> str:
    config = current_app.config
    if config["PUBLIC_API_URL"]:
        return config["PUBLIC_API_URL"].rstrip("/")
    if config["TRUSTED_PROXIES"] > 0:
        return request.url_root.rstrip("/")  # scheme, host and prefix, from the proxy
    return LOCAL_BASE


class _NoScriptName:
    """Without a trusted proxy, SCRIPT_NAME is ignored: gunicorn fills it from a request header
    (from its forwarded-allow list), and it would prefix every URL Flask builds."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        environ["SCRIPT_NAME"] = ""
        return self.wsgi_app(environ, start_response)


def wrap_wsgi(app: Flask) -> None:
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies < 0:
        raise ValueError("TRUSTED_PROXIES must be 0 or more")
    if proxies:  # inside the reset: it may set SCRIPT_NAME from the proxy's X-Forwarded-Prefix
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )
    app.wsgi_app = _NoScriptName(app.wsgi_app)
