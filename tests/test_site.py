"""/v1/site: settings from content/site.yaml."""

from .helpers import FIXTURE_CRISIS_LINE, FIXTURE_EMERGENCY, assert_problem


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


def test_site_serves_urgent_help_practical_questions_and_what_to_confirm(client):
    data = client.get("/v1/site").get_json()["data"]
    assert data["urgent_help"] == [FIXTURE_EMERGENCY, FIXTURE_CRISIS_LINE]
    assert data["practical_questions"] == [
        {
            "key": "cost",
            "question": "What does it cost?",
            "answer": None,
            "placeholder": True,
            "note": "Placeholder.",
        }
    ]
    assert data["to_confirm"] == [{"field": "licence", "note": "The clinic confirms its licence."}]


def test_bundled_site_has_the_national_services_and_placeholders(bundled_client):
    data = bundled_client.get("/v1/site").get_json()["data"]
    reach = {s["key"]: (s["call"], s["text"]) for s in data["urgent_help"]}
    assert reach == {
        "emergency-911": ("911", None),
        "crisis-988": ("988", "988"),
        "maternal-mental-health-hotline": ("1-833-852-6262", "1-833-852-6262"),
        "samhsa-helpline": ("1-800-662-4357", None),
    }
    for service in data["urgent_help"]:
        assert service["label"] and service["how_to_reach"] and service["when_to_use"]
    questions = {q["key"]: q for q in data["practical_questions"]}
    assert set(questions) == {"cost", "insurance", "referral"}
    for question in questions.values():  # never a guessed figure: the clinic answers these
        assert question["placeholder"] is True and question["answer"] is None
        assert question["note"].startswith("Placeholder:")
    assert {c["field"] for c in data["to_confirm"]} == {"name", "base_url", "licence"}
