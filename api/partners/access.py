"""Who is calling: a partner key (X-API-Key or Authorization: Bearer) or an anonymous client.

A request that presents a key must present a valid, unrevoked one, even on public endpoints:
a wrong key is a 401, never silently treated as anonymous (that would hide integration bugs and
give the partner the wrong rate limit). Keyed responses are private to the partner's caches.
"""

from flask import current_app
from flask_smorest import abort

from .keys import hash_key

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="clinic-content-api"'}


def presented_key(environ: dict) -> str | None:
    """The key of X-API-Key or `Authorization: Bearer`, read from the WSGI environ (what
    request.headers reads too, without building a headers view per request)."""
    key = environ.get("HTTP_X_API_KEY")
    if key is None and "HTTP_AUTHORIZATION" in environ:
        scheme, _, token = environ["HTTP_AUTHORIZATION"].partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            key = token.strip()
    return key


def identify(here, environ: dict) -> None:
    """First in the limiter's before hook (partners/ratelimit.py), with its `g` and environ:
    set g.partner for a usable key (else None) and g.refused for one that may not be used.
    The limiter then counts a refused key against the client address, like any anonymous
    request: trying keys costs budget."""
    vars(here).update(partner=None, refused=None)  # g's own __setattr__ is a Python call
    key = presented_key(environ)
    if key is None:
        return
    partner = current_app.extensions["partners"].get(hash_key(key))
    origin = environ.get("HTTP_ORIGIN")
    if partner is None or partner.revoked:
        here.refused = 401
    elif origin and partner.origins and origin not in partner.origins:
        here.refused = 403
    else:
        here.partner = partner
        here.private = True  # keyed responses must not be served to others from a shared cache


def refuse_invalid(here) -> None:
    """Last in the limiter's before hook, after the request was counted: 401/403 for a key
    that may not be used."""
    refused = here.refused
    if refused == 401:
        abort(401, message="The API key is not valid or has been revoked.", headers=CHALLENGE)
    if refused == 403:
        abort(403, message="This API key may not be used from this origin.")
