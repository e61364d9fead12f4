"""Version header, configured deprecation (RFC 9745 / RFC 8594) and 410 after the sunset."""

from api import create_app

from .conftest import PACK
from .helpers import assert_problem


def make(tmp_path, **settings):
    config = {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path), **settings}
    return create_app(config).test_client()


def test_version_header_on_v1_only(client):
    assert client.get("/v1/articles").headers["X-API-Version"] == "1"
    assert client.get("/v1/articles/nope").headers["X-API-Version"] == "1"
    assert "X-API-Version" not in client.get("/healthz").headers
    assert "Deprecation" not in client.get("/v1/articles").headers


def test_configured_deprecation_adds_headers(tmp_path):
    client = make(
        tmp_path,
        V1_DEPRECATION="2026-01-01T00:00:00Z",
        V1_SUNSET="2999-01-01T00:00:00Z",
        V1_DEPRECATION_LINK="https://docs.example/migrate-to-v2",
    )
    response = client.get("/v1/articles?per_page=1")
    assert response.status_code == 200
    assert response.headers["Deprecation"] == "@1767225600"
    assert response.headers["Sunset"] == "Tue, 01 Jan 2999 00:00:00 GMT"
    link = response.headers["Link"]
    assert 'rel="first"' in link  # pagination links are kept
    assert '<https://docs.example/migrate-to-v2>; rel="deprecation"; type="text/html"' in link
    assert '<https://docs.example/migrate-to-v2>; rel="sunset"' in link
    assert "Deprecation" not in client.get("/readyz").headers


def test_after_sunset_v1_answers_410(tmp_path):
    client = make(
        tmp_path,
        V1_DEPRECATION="2020-01-01T00:00:00Z",
        V1_SUNSET="2021-01-01T00:00:00Z",
        V1_DEPRECATION_LINK="https://docs.example/migrate-to-v2",
    )
    for path in ("/v1/articles", "/v1/articles/knee-pain-basics", "/v1/search?q=knee"):
        response = client.get(path)
        body = assert_problem(response, 410)
        assert "retired" in body["detail"]
        assert response.headers["Sunset"] == "Fri, 01 Jan 2021 00:00:00 GMT"
        assert 'rel="deprecation"' in response.headers["Link"]
    assert client.get("/healthz").status_code == 200
