"""One problem+json error shape on every endpoint family (404, 400, 405, 500)."""

import pytest
from flask import Flask

from api import create_app

from .conftest import PACK
from .helpers import assert_problem

FAMILIES = [
    "/v1/articles",
    "/v1/conditions",
    "/v1/treatments",
    "/v1/tags",
    "/v1/site",
]
DETAILS = [
    "/v1/articles/knee-pain-basics",
    "/v1/conditions/knee-pain",
    "/v1/treatments/walking",
    "/v1/tags/pain",
    "/v1/conditions/knee-pain/sections/overview",
]


@pytest.mark.parametrize("path", FAMILIES + DETAILS)
def test_unknown_parameter_is_400_problem(client, path):
    body = assert_problem(client.get(f"{path}?bogus=1"), 400)
    assert body["errors"] == [{"location": "query", "field": "bogus", "message": "Unknown field."}]
    assert body["instance"] == path


@pytest.mark.parametrize("path", FAMILIES + DETAILS)
def test_post_is_405_with_allow(client, path):
    response = client.post(path)
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize(
    "path",
    [
        "/v1/articles/nope",
        "/v1/conditions/nope",
        "/v1/treatments/nope",
        "/v1/tags/nope",
        "/v1/treatments/walking/sections/nope",
        "/v1/nothing-here",
        "/nothing",
    ],
)
def test_unknown_paths_are_404_problem(client, path):
    assert_problem(client.get(path), 404)


def test_unhandled_exception_is_500_problem_without_traceback(tmp_path, caplog):
    app: Flask = create_app({"CONTENT_DIR": str(PACK)})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/boom")
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert body["detail"] == "The server failed to handle this request; it has been logged."
    assert "secret internal detail" in caplog.text  # logged for operators, not shown


def test_openapi_documents_errors_as_problem_json(client):
    spec = client.get("/openapi.json").get_json()
    responses = spec["components"]["responses"]
    assert "application/problem+json" in responses["NOT_FOUND"]["content"]
    assert set(spec["components"]["schemas"]["Problem"]["required"]) == {
        "type",
        "title",
        "status",
        "detail",
    }
    detail = spec["paths"]["/v1/articles/{slug}"]["get"]["responses"]
    assert {"200", "400", "404"} <= set(detail)
