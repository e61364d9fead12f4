"""Settings: defaults on a class, overridden by environment variables, then by create_app(config).

Every setting here is documented in the README's settings table (a test enforces that).
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class Config:
    """Defaults. Environment variables of the same name override them (parsed by type)."""

    CONTENT_DIR = str(ROOT / "content")
    INDEX_DIR = str(ROOT / "instance" / "index")
    SITE_URL = ""  # canonical site base URL; empty = take base_url from content/site.yaml
    SEARCH_TIME_LIMIT = 0.5  # seconds one search may take before it answers 503
    SEARCH_BUILD_PROCS = 2  # processes that build the index, one segment each (search/bulk.py)
    SEARCH_CACHE_MB = 4  # per worker: finished search pages kept, keys and values; 0 = off
    SEARCH_TERMS_CACHE_MB = 8  # per worker: postings, phrase matches, term selectivity; 0 = off
    CACHE_MAX_AGE = 300  # seconds shared caches and browsers may reuse a response
    CACHE_STALE_WHILE_REVALIDATE = 60  # seconds a stale response may be served while refreshing
    RESPONSE_MEMO_MB = 16  # per worker: serialised public bodies (+ gzip) and ETags; 0 = off
    CORS_ORIGINS = ["*"]  # origins allowed to read the API from a browser; "*" means any
    CORS_MAX_AGE = 86400  # seconds a browser may cache a preflight answer
    ACCESS_LOG = True  # one JSON line per request on stderr
    PARTNER_KEYS_FILE = str(ROOT / "instance" / "partners.yaml")  # hashed partner keys
    PARTNER_KEYS = ""  # the same list as JSON, e.g. from a secret store
    RATELIMIT_ENABLED = True
    RATELIMIT_DEFAULT = "1200 per minute"  # anonymous clients, per IP (the NHS API's figure)
    RATELIMIT_STORAGE_URI = "local://"  # per worker (partners/storage.py); redis://host: shared
    RATELIMIT_STRATEGY = "fixed-window"  # or moving-window / sliding-window-counter (not local://)
    RATELIMIT_KEY_PREFIX = ""  # prepended to every counter's key: replicas sharing one Redis apart
    PUBLIC_API_URL = ""  # this API's public base URL for feed and embed links (see README)
    TRUSTED_PROXIES = 0  # proxies in front that set X-Forwarded-*; 0: those headers are ignored
    EMBED_ORIGINS = ["*"]  # origins allowed to frame /v1/embed cards (CSP frame-ancestors)
    PREVIEW_SECRET = ""  # signs preview tokens; empty disables previews
    V1_DEPRECATION = ""  # ISO date-time /v1 is (or will be) deprecated; empty: not deprecated
    V1_SUNSET = ""  # ISO date-time after which /v1 answers 410 Gone
    V1_DEPRECATION_LINK = ""  # page explaining the deprecation and the migration

    # flask-smorest
    API_TITLE = "Clinic Content API"
    API_VERSION = "1.0.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    # Swagger UI from the swagger-ui-bundle package, served by this app (api/discovery.py):
    # the docs work offline and behind proxies that block CDNs.
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "/docs/assets/"
    # validatorUrl: Swagger UI would otherwise send the document to validator.swagger.io
    OPENAPI_SWAGGER_UI_CONFIG = {"validatorUrl": None, "deepLinking": True}


_PARSERS = {bool: _bool, int: int, float: float, list: _list, str: str}


def from_environment(environ=os.environ) -> dict:
    """Return the Config settings that the environment overrides, converted to their types."""
    overrides = {}
    for name in dir(Config):
        if name.isupper() and name in environ:
            default = getattr(Config, name)
            overrides[name] = _PARSERS[type(default)](environ[name])
    return overrides
