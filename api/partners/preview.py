"""Preview tokens: let an editor's frontend fetch one draft (or scheduled) entry.

A token is signed with PREVIEW_SECRET (itsdangerous, HMAC-SHA256), names one entry and carries
its own expiry. Preview responses are `Cache-Control: private, no-store`. A missing secret
disables previews; a wrong, expired or mis-scoped token is a 401.
"""

import time

from flask import current_app, g
from flask_smorest import abort
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "preview-v1"


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT)


def make_token(secret: str, kind: str, slug: str, minutes: int) -> str:
    expires = int(time.time()) + minutes * 60
    return _serializer(secret).dumps({"type": kind, "slug": slug, "exp": expires})


def require_preview(token: str, kind: str, slug: str) -> None:
    """Abort 401 unless `token` is a live preview token for this entry."""
    secret = current_app.config["PREVIEW_SECRET"]
    if not secret:
        abort(401, message="Previews are not enabled on this server.")
    try:
        claims = _serializer(secret).loads(token)
    except BadSignature:
        abort(401, message="The preview token is not valid.")
    if not isinstance(claims, dict) or (claims.get("type"), claims.get("slug")) != (kind, slug):
        abort(401, message="The preview token is for another entry.")
    if not isinstance(claims.get("exp"), int) or claims["exp"] < time.time():
        abort(401, message="The preview token has expired.")
    g.private = g.preview = True
