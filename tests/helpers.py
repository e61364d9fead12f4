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
