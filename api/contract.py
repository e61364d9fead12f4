"""The parts of the OpenAPI document that marshmallow cannot say.

Called once by create_app after every blueprint is registered. It adds the components that only
unions point at (entry details, sparse fieldsets, the blocks tree), rewrites apispec's output
where generators misread it, and adds security schemes, response headers, servers and examples
taken from the content this app serves. Everything here goes through apispec's public
`components` and `options`; the contract tests (tests/test_contract*.py) hold the result to the
live responses.
"""

from schemas.output import (
    DETAIL_SCHEMAS,
    SUMMARY_SCHEMAS,
    TYPED,
    BlockSchema,
    JsonLdTopicSchema,
)

from .delivery.response import OMITTED_FROM_304
from .limits import MAX_URL_LENGTH
from .representations import DEFAULT_FORMATS

_INT = {"schema": {"type": "integer", "minimum": 0}}
_TEXT = {"schema": {"type": "string"}}

# Every response header the API sends, documented once and referenced by name from operations
# (api/v1/common.py says which operation sends which).
HEADERS = {
    "X-Request-ID": {
        **_TEXT,
        "required": True,
        "description": "The request's id: the client's X-Request-ID when it is 1-128 characters "
        "of [A-Za-z0-9._:-], else a new one. Quote it when reporting a problem.",
    },
    "Cache-Control": {
        **_TEXT,
        "description": "`public, max-age=…, stale-while-revalidate=…` on content; `no-store` on "
        "errors and probes; `private, no-store` on keyed and preview responses.",
    },
    "Vary": {
        **_TEXT,
        "description": "`Authorization, X-API-Key, Accept-Encoding`, plus `Origin` when CORS "
        "origins are a list",
    },
    "Access-Control-Allow-Origin": {
        **_TEXT,
        "description": "CORS: `*` on every response when CORS_ORIGINS is `*`; with a list, the "
        "request's Origin when it is allowed",
    },
    "Access-Control-Expose-Headers": {
        **_TEXT,
        "description": "CORS: the response headers scripts may read (ETag, Link, RateLimit-*, …)",
    },
    "ETag": {
        **_TEXT,
        "description": "Strong validator of this exact body; send it back as If-None-Match "
        "to get 304 Not Modified.",
    },
    "Last-Modified": {
        **_TEXT,
        "description": "When this deployment first served the current content version (HTTP date)",
    },
    "Link": {
        **_TEXT,
        "description": 'RFC 8288. Lists: `rel="first|prev|next|last"` pages. Every /v1 response '
        'once /v1 is deprecated: `rel="deprecation"`.',
    },
    "X-API-Version": {
        "schema": {"type": "string", "enum": ["1"]},
        "description": "The API version that answered (every /v1 response but a 304)",
    },
    "Deprecation": {
        **_TEXT,
        "description": "RFC 9745 `@<unix time>`: only once /v1 is deprecated",
    },
    "Sunset": {
        **_TEXT,
        "description": "RFC 8594 HTTP date after which /v1 answers 410: only once it is set",
    },
    "RateLimit-Policy": {**_TEXT, "description": 'IETF draft, e.g. `"default";q=1200;w=60`'},
    "RateLimit": {**_TEXT, "description": 'IETF draft, e.g. `"default";r=1199;t=60`'},
    "RateLimit-Limit": {**_INT, "description": "Requests allowed in the window"},
    "RateLimit-Remaining": {**_INT, "description": "Requests left in the window"},
    "RateLimit-Reset": {**_INT, "description": "Seconds until the window resets"},
    "X-Content-Type-Options": {"schema": {"type": "string", "enum": ["nosniff"]}},
    "Allow": {**_TEXT, "description": "405: the methods this resource answers"},
    "WWW-Authenticate": {**_TEXT, "description": "401: `Bearer realm=…`"},
    "Location": {**_TEXT, "description": "The entry's new address"},
    "Retry-After": {**_INT, "description": "Seconds to wait before trying again"},
    "Content-Security-Policy": {
        **_TEXT,
        "description": "No scripts or network requests; framing only by EMBED_ORIGINS",
    },
}
RATE_LIMIT = (
    "RateLimit-Policy",
    "RateLimit",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
)
CORS_HEADERS = ("Access-Control-Allow-Origin", "Access-Control-Expose-Headers")
ERROR_HEADERS = (
    *CORS_HEADERS,
    "Vary",
    "X-Request-ID",
    "X-Content-Type-Options",
    "Cache-Control",
    "X-API-Version",
    *RATE_LIMIT,
)
# What each family of successful responses sends (the contract tests check every header sent
# is documented on its operation).
PROBE_HEADERS = (
    *CORS_HEADERS,
    "X-Request-ID",
    "X-Content-Type-Options",
    "Cache-Control",
    "Vary",
    "ETag",
)
CONTENT_HEADERS = (*PROBE_HEADERS, "Last-Modified", *RATE_LIMIT)
V1_HEADERS = (*CONTENT_HEADERS, "X-API-Version", "Deprecation", "Sunset", "Link")
EMBED_HEADERS = (*V1_HEADERS, "Content-Security-Policy")


def moved(blp):
    """The 301 a renamed entry answers (its new address in Location)."""
    return blp.alt_response(
        301,
        description="Renamed: the new address is in Location",
        headers=headers(("Location", *V1_HEADERS)),
    )


def get_ok(blp, schema, names, operation_id: str, **response):
    """A GET's documented answers, the same for every one: the 200 (its body's schema and the
    headers `names`), the 304 a conditional request gets with the same headers, and the
    operationId a generated client names the call by. `response`: flask-smorest's own
    arguments of the 200 (content_type, description)."""

    def decorate(view):
        view = blp.doc(operationId=operation_id)(view)
        view = not_modified(blp, names)(view)
        return blp.response(200, schema, headers=headers(names), **response)(view)

    return decorate


def not_modified(blp, names):
    """The 304 a conditional request gets (If-None-Match, else If-Modified-Since): no body,
    the 200's headers without its representation metadata (delivery/response.py)."""
    kept = [name for name in names if name.lower() not in OMITTED_FROM_304]
    return blp.alt_response(
        304,
        description="Not Modified: the ETag sent in If-None-Match still matches; no body",
        headers=headers(kept),
    )


def headers(names) -> dict:
    """flask-smorest's `headers=` for a response: references to the components below."""
    return {name: name for name in names}


_ERROR_EXTRA = {
    "TOO_MANY_REQUESTS": ("Retry-After",),
    "UNAUTHORIZED": ("WWW-Authenticate",),
    "DEFAULT_ERROR": ("Allow",),  # 405
}

SECURITY_SCHEMES = {
    "ApiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "A partner key: its own rate limit. Optional on every operation.",
    },
    "Bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "The same partner key as `Authorization: Bearer <key>`.",
    },
}


def _extra_schemas() -> dict:
    """Components no Nested field points at: unions reference them by name."""
    schemas = {"Block": BlockSchema, "JsonLdTopic": JsonLdTopicSchema}
    for kind, typed in TYPED.items():
        name = kind.capitalize()
        schemas[f"{name}Summary"] = SUMMARY_SCHEMAS[kind]
        schemas[f"{name}Detail"] = DETAIL_SCHEMAS[kind]
        schemas[f"{name}SummaryFields"] = typed.summary_fields
        schemas[f"{name}DetailFields"] = typed.detail_fields
    return schemas


_PERMISSIVE_NULL = {"type": "object", "nullable": True}
NULL = {"type": "object", "nullable": True, "enum": [None], "description": "null"}


def _precise(node):
    """apispec's output, reworded where generators misread it (walks every schema)."""
    if isinstance(node, list):
        for item in node:
            _precise(item)
        return
    if not isinstance(node, dict):
        return
    any_of = node.get("anyOf")
    if any_of and _PERMISSIVE_NULL in any_of:
        # apispec's nullable reference, `anyOf: [{type: object, nullable: true}, {$ref}]`, lets
        # any object match the first branch: generated clients parse the data into an empty
        # object. Only null may match the second branch here (OpenAPI 3.0.3's nullable applies
        # within one schema object, so `allOf: [$ref]` beside `nullable` would not allow null).
        node["anyOf"] = [s for s in any_of if s != _PERMISSIVE_NULL] + [NULL]
    for source, target in (("x-discriminator", "discriminator"), ("x-items", "items")):
        if source in node:
            node[target] = node.pop(source)
    for value in node.values():
        _precise(value)


def _examples(spec, service) -> None:
    """Examples from the served content (never invented): the first public entry of each type."""
    store, reps = service.store, service.representations
    schemas = spec.components.schemas
    for kind in TYPED:
        public = store.public[kind]
        if not public:
            continue
        entry = public[min(public)]
        name = kind.capitalize()
        envelope = reps.envelope(entry, DEFAULT_FORMATS)
        schemas[f"{name}Envelope"]["example"] = envelope
        schemas[f"{name}Summary"]["example"] = reps.summary(entry)
        items = [reps.summary(public[slug]) for slug in sorted(public)[:2]]
        total = len(public)
        meta = {"total": total, "page": 1, "per_page": 2, "pages": -(-total // 2)}
        schemas[f"{name}List"]["example"] = {"items": items, "meta": meta}
    schemas["SiteEnvelope"]["example"] = {"data": reps.site()}


def document(api, app) -> None:
    spec = api.spec
    for name, schema in _extra_schemas().items():
        if name not in spec.components.schemas:
            spec.components.schema(name, schema=schema)
    for name, header in HEADERS.items():
        spec.components.header(name, header)
    for name, scheme in SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)
    # No requirement ({}) or either key form: a key is optional everywhere.
    spec.options["security"] = [{}, {"ApiKey": []}, {"Bearer": []}]
    spec.options["servers"] = [
        {
            "url": app.config["PUBLIC_API_URL"].rstrip("/") or "/",
            "description": "This deployment (PUBLIC_API_URL, else the host that served this)",
        }
    ]
    for name, response in spec.components.responses.items():
        if "content" not in response:  # 1xx-3xx components carry no problem body
            continue
        headers = [*ERROR_HEADERS, *_ERROR_EXTRA.get(name, ())]
        if name == api.DEFAULT_ERROR_RESPONSE_NAME:
            response["description"] = (
                "Any other error, as problem+json: 405 (with Allow), 414 (a URL longer than "
                f"{MAX_URL_LENGTH} characters), 500"
            )
        response["headers"] = {h: {"$ref": f"#/components/headers/{h}"} for h in headers}
    _examples(spec, app.extensions["content"])
    _precise(spec.components.schemas)
