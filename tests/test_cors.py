"""CORS: any origin by default over real HTTP; an allow-list echoes and varies on Origin."""

import pytest

from api import create_app

from .conftest import PACK

ORIGIN = "https://www.clinic.example"


def test_default_allows_any_origin_without_credentials(live_server):
    import requests

    response = requests.get(live_server + "/v1/articles", headers={"Origin": ORIGIN}, timeout=10)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Link", "Retry-After", "RateLimit", "Deprecation", "Sunset"} <= exposed
    assert "Origin" not in response.headers["Vary"]  # nothing is echoed, nothing varies


def test_preflight(live_server):
    import requests

    response = requests.options(
        live_server + "/v1/search?q=knee",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "X-API-Key, If-None-Match",
        },
        timeout=10,
    )
    assert response.status_code == 200  # Flask's own OPTIONS answer, with Allow
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    allowed = {h.strip() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"X-API-Key", "If-None-Match"} <= allowed  # the requested ones (flask-cors)
    assert response.headers["Access-Control-Max-Age"] == "86400"


@pytest.fixture
def listed_client(tmp_path):
    app = create_app(
        {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path), "CORS_ORIGINS": [ORIGIN]}
    )
    return app.test_client()


def test_allow_list_echoes_allowed_origin(listed_client):
    response = listed_client.get("/v1/articles", headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response.headers["Vary"] and "Accept-Encoding" in response.headers["Vary"]


def test_allow_list_denies_other_origins_but_still_varies(listed_client):
    response = listed_client.get("/v1/articles", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers["Vary"]
    preflight = listed_client.options(
        "/v1/articles",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Origin" in preflight.headers["Vary"]


def test_304_keeps_cors_headers(listed_client):
    first = listed_client.get("/v1/site", headers={"Origin": ORIGIN})
    again = listed_client.get(
        "/v1/site", headers={"Origin": ORIGIN, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in again.headers["Vary"]


def test_cors_origins_from_environment(monkeypatch):
    from api.config import from_environment

    overrides = from_environment({"CORS_ORIGINS": "https://a.example, https://b.example"})
    assert overrides["CORS_ORIGINS"] == ["https://a.example", "https://b.example"]
