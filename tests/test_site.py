"""/v1/site: settings from content/site.yaml."""

from .helpers import assert_problem


def test_site(client):
    data = client.get("/v1/site").get_json()["data"]
    assert data["name"] == "Test Clinic"
    assert data["calls_to_action"][0]["placeholder"] is True
    assert data["disclaimer"] == "Fixture disclaimer: educational only."
    assert len(data["version"]) == 16


def test_site_url_setting_overrides_base_url(tmp_path):
    from api import create_app

    from .conftest import PACK

    app = create_app({"CONTENT_DIR": str(PACK), "SITE_URL": "https://www.example.org/"})
    client = app.test_client()
    assert client.get("/v1/site").get_json()["data"]["base_url"] == "https://www.example.org"
    meta = client.get("/v1/articles/knee-pain-basics").get_json()["meta"]
    assert meta["canonical_url"] == "https://www.example.org/articles/knee-pain-basics"


def test_site_rejects_parameters(client):
    assert_problem(client.get("/v1/site?x=1"), 400)
