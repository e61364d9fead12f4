"""Live responses against the OpenAPI document: every operation, with fields/include/format
variants and each error status, validated with additionalProperties: false enforced on every
object schema (so a key the document does not name fails), and every header sent documented."""

import copy
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from openapi_schema_validator import OAS30Validator

from .conftest import LIVE_PARTNERS

# (path, expected status): every documented operation, its variants and its errors.
MATRIX = [
    ("/v1/articles", 200),
    ("/v1/articles?fields=title,url", 200),
    ("/v1/articles?tag=pain&sort=title&per_page=1", 200),
    ("/v1/articles?page=99", 200),
    ("/v1/articles?colour=red", 400),
    ("/v1/articles/knee-pain-basics", 200),
    ("/v1/articles/knee-pain-basics?include=conditions,treatments", 200),
    ("/v1/articles/knee-pain-basics?fields=title,body,related", 200),
    ("/v1/articles/knee-pain-basics?format=blocks", 200),
    ("/v1/articles/knee-pain-basics?format=html,text,blocks&include=conditions", 200),
    ("/v1/articles/knee-basics", 301),
    ("/v1/articles/knee-pain-basics/sections/treatment?format=html,text,blocks", 200),
    ("/v1/articles/knee-basics/sections/treatment", 301),
    ("/v1/articles/no-such-article", 404),
    ("/v1/articles/knee-pain-basics?include=tags", 400),
    ("/v1/articles/_bulk?slug=knee-pain-basics,no-such-article", 200),
    ("/v1/articles/_bulk?slug=Not_A_Slug", 400),
    ("/v1/conditions/_bulk?slug=knee-pain,low-mood&format=blocks", 200),
    ("/v1/treatments/_bulk?slug=walking", 200),
    ("/v1/conditions", 200),
    ("/v1/conditions?fields=also_known_as", 200),
    ("/v1/conditions/knee-pain", 200),
    ("/v1/conditions/knee-pain?include=articles,treatments,conditions", 200),
    ("/v1/conditions/knee-pain?fields=quick_facts,json_ld", 200),
    ("/v1/conditions/low-mood?format=blocks&include=treatments", 200),
    ("/v1/conditions/knee-pain/sections/symptoms", 200),
    ("/v1/conditions/knee-pain/sections/symptoms?format=blocks", 200),
    ("/v1/conditions/knee-pain/sections/no-such-key", 404),
    ("/v1/treatments", 200),
    ("/v1/treatments?kind=procedure&fields=kind", 200),
    ("/v1/treatments/knee-injection", 200),
    ("/v1/treatments/walking?include=articles,conditions&format=text,blocks", 200),
    ("/v1/treatments/knee-injection?fields=side_effects,evidence_notes,what_to_expect", 200),
    ("/v1/treatments/old-remedy", 410),
    ("/v1/treatments/walking/sections/overview", 200),
    ("/v1/treatments/walking/sections/overview?colour=red", 400),
    ("/v1/tags", 200),
    ("/v1/tags/pain", 200),
    ("/v1/tags/unused", 200),
    ("/v1/tags/no-such-tag", 404),
    ("/v1/site", 200),
    ("/v1/search?q=knee", 200),
    ("/v1/search?q=kne&type=condition&type=treatment", 200),
    ("/v1/search?q=knee%20pain&tag=pain&per_page=1&page=2", 200),
    ("/v1/search?q=zzzzqqq", 200),
    ("/v1/search?q=", 400),
    ("/v1/search/suggest?q=kn", 200),
    ("/v1/search/suggest?q=kn&limit=99", 400),
    ("/v1/changes", 200),
    ("/v1/changes?since=0000000000000000", 200),
    ("/v1/changes?since=nope", 400),
    ("/v1/changes?per_page=1", 200),
    ("/v1/feed.json", 200),
    ("/v1/feed.atom", 200),
    ("/v1/embed/condition/knee-pain", 200),
    ("/v1/embed/article/knee-pain-basics?section=no-such-key", 404),
    ("/sitemap.xml", 200),
    ("/oembed?url=" + quote("https://clinic.test/conditions/knee-pain"), 200),
    ("/oembed?url=" + quote("https://clinic.test/conditions/knee-pain") + "&format=xml", 501),
    ("/oembed?url=" + quote("https://elsewhere.test/x"), 404),
    ("/healthz", 200),
    ("/readyz", 200),
    ("/v1/nothing-here", 404),
]
# Headers HTTP itself owns (framing and representation), not the API's documented ones.
_HTTP_HEADERS = {"content-type", "content-length", "content-encoding", "date", "server"}


def _strict(node):
    """Every object schema closed: additionalProperties false unless it declares a map."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _strict(value) for key, value in node.items()}
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    return node


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/openapi.json").get_json()


@pytest.fixture(scope="module")
def strict_document(document):
    return _strict(copy.deepcopy(document))


def _resolve(document, node):
    while "$ref" in node:
        section, kind, name = node["$ref"].split("/")[1:]
        node = document[section][kind][name]
    return node


def _operation(document, path):
    """The documented operation and path parameters for a concrete path."""
    segments = path.split("?")[0].strip("/").split("/")
    for template, operations in document["paths"].items():
        parts = template.strip("/").split("/")
        if len(parts) == len(segments) and all(
            p == s or (p.startswith("{") and p.endswith("}"))
            for p, s in zip(parts, segments, strict=True)
        ):
            return operations["get"]
    return None


def check(document, strict, response, path) -> dict:
    """Validates one live response against the document; returns the documented response."""
    operation = _operation(document, path)
    responses = operation["responses"] if operation else document["components"]["responses"]
    if operation is None:  # no route: the API-wide problem
        documented = _resolve(document, {"$ref": "#/components/responses/NOT_FOUND"})
    else:
        status = str(response.status_code)
        assert status in responses or "default" in responses, (path, status)
        documented = _resolve(document, responses.get(status, responses.get("default")))
    media = response.headers.get("Content-Type", "").split(";")[0]
    if response.status_code in (301, 304):  # no body
        assert "content" not in documented
    else:
        assert media in documented["content"], (path, media, list(documented["content"]))
        schema = documented["content"][media].get("schema")
        if media.endswith("json"):
            body = response.get_json(force=True)
            if schema is not None:
                validator = OAS30Validator({**schema, "components": strict["components"]})
                errors = sorted(validator.iter_errors(body), key=str)
                assert not errors, (path, [e.message for e in errors[:5]])
        elif media.endswith("xml"):
            ET.fromstring(response.get_data())  # well-formed
    documented_headers = {name.lower() for name in documented.get("headers", {})}
    sent = {name.lower() for name in response.headers.keys()} - _HTTP_HEADERS
    assert sent <= documented_headers, (path, sorted(sent - documented_headers))
    for name, header in documented.get("headers", {}).items():
        if _resolve(document, header).get("required"):
            assert name in response.headers, (path, name)
    return documented


@pytest.mark.parametrize(("path", "status"), MATRIX)
def test_live_response_matches_the_document(client, document, strict_document, path, status):
    response = client.get(path)
    assert response.status_code == status, (path, response.get_data(as_text=True)[:300])
    check(document, strict_document, response, path)


def test_not_modified_matches_the_document(client, document, strict_document):
    """Each operation's 304 (a revalidation with the ETag it sent) is documented with the
    headers it repeats."""
    seen = set()
    for path, status in MATRIX:
        operation = _operation(document, path)
        if status != 200 or operation is None or operation["operationId"] in seen:
            continue
        seen.add(operation["operationId"])
        etag = client.get(path).headers["ETag"]
        response = client.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 304, path
        assert response.get_data() == b""
        check(document, strict_document, response, path)
    assert len(seen) == sum("get" in ops for ops in document["paths"].values())


def test_the_matrix_covers_every_operation_and_documented_status(document):
    covered = {}
    for path, status in MATRIX:
        operation = _operation(document, path)
        if operation is not None:
            covered.setdefault(operation["operationId"], set()).add(str(status))
    for template, operations in document["paths"].items():
        operation_id = operations["get"]["operationId"]
        assert operation_id in covered, template
        assert "200" in covered[operation_id], template


def test_method_not_allowed_and_bad_key_match_the_document(client, document, strict_document):
    response = client.post("/v1/site")
    assert response.status_code == 405
    check(document, strict_document, response, "/v1/site")
    response = client.get("/v1/site", headers={"X-API-Key": "ck_live-not-a-key"})
    assert response.status_code == 401
    check(document, strict_document, response, "/v1/site")
    response = client.get("/v1/site", headers={"Authorization": "Bearer ck_live-not-a-key"})
    assert response.status_code == 401


def test_rate_limited_response_matches_the_document(tmp_path, document, strict_document):
    from api import create_app

    from .conftest import PACK

    limited = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(PACK),
            "INDEX_DIR": str(tmp_path),
            "RATELIMIT_DEFAULT": "1 per minute",
            "ACCESS_LOG": False,
            "PARTNER_KEYS": LIVE_PARTNERS,
        }
    ).test_client()
    assert limited.get("/v1/site").status_code == 200
    response = limited.get("/v1/site")
    assert response.status_code == 429
    documented = check(document, strict_document, response, "/v1/site")
    assert "Retry-After" in documented["headers"]


def test_examples_are_valid_responses(document, strict_document):
    """Examples come from the served content and validate like live responses."""
    schemas = document["components"]["schemas"]
    with_examples = [name for name, schema in schemas.items() if "example" in schema]
    assert {"ConditionEnvelope", "TreatmentList", "ArticleSummary", "SiteEnvelope"} <= set(
        with_examples
    )
    for name in with_examples:
        schema = {
            "$ref": f"#/components/schemas/{name}",
            "components": strict_document["components"],
        }
        errors = list(OAS30Validator(schema).iter_errors(schemas[name]["example"]))
        assert not errors, (name, [e.message for e in errors[:5]])


def test_the_strict_check_catches_an_undocumented_key(client, document, strict_document):
    """The check itself can fail: a body with one extra key is rejected."""
    response = client.get("/v1/conditions/knee-pain?include=treatments")
    body = response.get_json()
    body["data"]["related"]["treatments"][0]["dosage"] = "invented"
    schema = _resolve(document, _operation(document, "/v1/conditions/x")["responses"]["200"])
    schema = schema["content"]["application/json"]["schema"]
    validator = OAS30Validator({**schema, "components": strict_document["components"]})
    assert list(validator.iter_errors(body))


def test_every_bundled_entry_matches_the_document(bundled_app):
    """The clinic's real content, every public entry with every format and every relation
    included, and its sections: the shapes patients' apps will actually receive."""
    from schemas.common import COLLECTIONS, RELATIONS

    client = bundled_app.test_client()
    document = client.get("/openapi.json").get_json()
    strict = _strict(copy.deepcopy(document))
    store = bundled_app.extensions["content"].store
    checked = 0
    for entry in store.public_entries():
        base = f"/v1/{COLLECTIONS[entry.type]}/{entry.slug}"
        include = ",".join(RELATIONS[entry.type])
        paths = [base, f"{base}?format=html,text,blocks&include={include}"]
        paths += [f"{base}/sections/{s.key}?format=blocks" for s in entry.body.sections]
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            check(document, strict, response, path)
            checked += 1
    assert checked > 21  # 21 entries in the pack, most with sections
    for name, schema in document["components"]["schemas"].items():
        if "example" in schema:
            root = {"$ref": f"#/components/schemas/{name}", "components": strict["components"]}
            assert not list(OAS30Validator(root).iter_errors(schema["example"])), name
