"""Assertions shared by the test modules."""

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status: int) -> dict:
    """The one RFC 9457 error shape, checked the same way for every endpoint family."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.get_json(force=True)
    assert PROBLEM_KEYS <= set(body), body
    assert set(body) <= PROBLEM_KEYS | {"errors"}, body
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in body["detail"]
    for error in body.get("errors", []):
        assert set(error) == {"location", "field", "message"}
    return body


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.get_json()["items"]]


# The fixture pack's urgent-help services (tests/fixtures/pack/site.yaml), as the API serves them.
FIXTURE_CRISIS_LINE = {
    "key": "test-crisis-line",
    "label": "Test crisis line",
    "how_to_reach": "Call or text 111",
    "call": "111",
    "text": "111",
    "url": "https://crisis.test/",
    "when_to_use": "When a fixture reader needs to talk now.",
}
FIXTURE_EMERGENCY = {
    "key": "test-emergency",
    "label": "Test emergency line",
    "how_to_reach": "Call 000-TEST",
    "call": "000",
    "text": None,
    "url": None,
    "when_to_use": "In a fixture emergency.",
}
