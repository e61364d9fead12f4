"""The OpenAPI document is a contract: valid, complete, snapshotted, and fuzzed by schemathesis."""

import json
import os
import re
import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate

from api import create_app

from .conftest import PACK, ROOT

SNAPSHOT = ROOT / "tests" / "snapshots" / "openapi.json"


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/openapi.json").get_json()


def test_document_validates(spec):
    validate(spec)


def test_every_route_is_documented(app, spec):
    documented = {path for path in spec["paths"]}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static",) or rule.rule.startswith(("/openapi.json", "/docs")):
            continue
        # <slug> and <any(a, b):type> both become {name}
        routed.add(re.sub(r"<(?:[^>:]*:)?(\w+)>", r"{\1}", rule.rule))
    assert routed == documented


def test_every_operation_documents_its_errors(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # path-level parameters, not an operation
                continue
            responses = operation["responses"]
            assert "200" in responses, (method, path)
            assert "default" in responses, (method, path)  # 405/500 and anything unlisted
            assert "400" in responses or not operation.get("parameters"), (method, path)


def test_problem_schema_is_documented(spec):
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["properties"]) == {"type", "title", "status", "detail", "instance", "errors"}
    default = spec["components"]["responses"]["DEFAULT_ERROR"]
    assert default["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }


def test_snapshot(spec):
    """Fails when the document changes; refresh with UPDATE_SNAPSHOTS=1 after reviewing the diff."""
    rendered = json.dumps(spec, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.write_text(rendered)
    assert rendered == SNAPSHOT.read_text(), "OpenAPI changed: review and run UPDATE_SNAPSHOTS=1"


def test_docs_page(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert "redoc" in response.get_data(as_text=True).lower()


# schemathesis runs its default checks against every documented operation, in-process.
_app = create_app({"CONTENT_DIR": str(PACK), "ACCESS_LOG": False, "INDEX_DIR": tempfile.mkdtemp()})
schema = schemathesis.openapi.from_wsgi("/openapi.json", _app)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis(case):
    excluded = []
    if case.path == "/oembed" and (case.query or {}).get("format") == "xml":
        # oEmbed 1.0 §2.3.4 requires 501 Not Implemented for an unsupported format
        excluded = [schemathesis.checks.not_a_server_error]
    # schemathesis asks for gzip in-process but does not decode it: ask for the plain body
    case.call_and_validate(headers={"Accept-Encoding": "identity"}, excluded_checks=excluded)
