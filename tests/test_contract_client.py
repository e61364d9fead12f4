"""A Python client generated from /openapi.json (openapi-python-client, offline) parses the live
responses of the contract matrix exactly: round-trips them, and leaves nothing in
`additional_properties` (the symptom of a document that does not name what is sent)."""

import importlib
import json
import subprocess
import sys

import attrs
import pytest

from .test_contract import MATRIX, _operation, _resolve

PACKAGE = "clinic_client"
# Media types the generator does not know are read as text, as the document says they are.
CONFIG = {
    "post_hooks": [],  # no formatter run: the generated code is imported, not committed
    "content_type_overrides": {
        "application/atom+xml": "text/plain",
        "application/xml": "text/plain",
    },
}


@pytest.fixture(scope="module")
def generated(app, tmp_path_factory):
    """The generated package's models, imported from a temporary directory."""
    root = tmp_path_factory.mktemp("client")
    (root / "openapi.json").write_bytes(app.test_client().get("/openapi.json").get_data())
    (root / "config.json").write_text(json.dumps(CONFIG))
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate"]
        + ["--path", "openapi.json", "--meta", "none", "--output-path", PACKAGE]
        + ["--config", "config.json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(f"{PACKAGE}.models")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _leftovers(value, where="") -> list[str]:
    """Paths of every non-empty additional_properties in a parsed model tree."""
    found = []
    if isinstance(value, list):
        for i, item in enumerate(value):
            found += _leftovers(item, f"{where}[{i}]")
    elif hasattr(value, "to_dict"):
        extra = getattr(value, "additional_properties", None)
        if extra and value.__class__.__name__ not in _MAPS:
            found.append(f"{where}: {sorted(extra)}")
        for field in attrs.fields(type(value)):  # generated models are attrs classes
            if field.name != "additional_properties":
                found += _leftovers(getattr(value, field.name), f"{where}.{field.name}")
    return found


# Objects the document declares as maps (facet counts by tag): keys are data.
_MAPS = {"FacetsTag"}


def _model(generated, document, path, status):
    operation = _operation(document, path)
    responses = operation["responses"] if operation else {}
    documented = _resolve(
        document, responses.get(str(status), {"$ref": "#/components/responses/NOT_FOUND"})
    )
    content = documented.get("content", {})
    if "application/json" in content:
        ref = content["application/json"]["schema"]["$ref"]
    elif "application/problem+json" in content:
        ref = content["application/problem+json"]["schema"]["$ref"]
    else:
        return None
    return getattr(generated, ref.rsplit("/", 1)[1])


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/openapi.json").get_json()


@pytest.mark.parametrize(("path", "status"), MATRIX)
def test_generated_client_parses_every_response(client, generated, document, path, status):
    model = _model(generated, document, path, status)
    if model is None:  # feeds, sitemap, embed card, redirects: not JSON objects
        return
    response = client.get(path)
    assert response.status_code == status
    body = response.get_json(force=True)
    parsed = model.from_dict(body)
    assert _leftovers(parsed) == [], path
    assert parsed.to_dict() == body, path


def test_leftovers_are_found(generated):
    """The check can fail: an undocumented key is reported where it lands."""
    problem = generated.Problem.from_dict(
        {"type": "about:blank", "title": "x", "status": 400, "detail": "y", "extra": 1}
    )
    assert _leftovers(problem) == [": ['extra']"] or problem.to_dict() != {
        "type": "about:blank",
        "title": "x",
        "status": 400,
        "detail": "y",
        "extra": 1,
    }


def test_generated_client_over_http(generated, live_server):
    """The closing note's example: a condition with include=, and a search, over real HTTP."""
    from clinic_client import Client
    from clinic_client.api.conditions import get_condition
    from clinic_client.api.search import search
    from clinic_client.models import ConditionDetail, SearchResult, TreatmentDetail

    # closed when done: an open keep-alive socket would warn (-W error) in a later test
    with Client(base_url=live_server) as api:
        envelope = get_condition.sync(client=api, slug="knee-pain", include="treatments")
        assert isinstance(envelope.data, ConditionDetail)
        assert envelope.data.title and envelope.meta.disclaimer
        treatments = envelope.data.related.treatments
        assert treatments and all(isinstance(t, TreatmentDetail) for t in treatments)
        assert all(t.body.html for t in treatments)  # embedded whole, bodies kept
        result = search.sync(client=api, q="knee")
        assert isinstance(result, SearchResult)
        assert result.meta.total == len(result.items) > 0
        assert result.items[0].url.startswith("/v1/")
        assert result.meta.suggestion is None
        typo = search.sync(client=api, q="kne")
        assert typo.meta.suggestion is None or typo.meta.suggestion.query
