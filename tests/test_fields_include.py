"""`fields=` sparse fieldsets and `include=` expansion."""

from .helpers import assert_problem


def test_list_fields(client):
    items = client.get("/v1/articles?fields=title,url").get_json()["items"]
    assert items[0] == {
        "type": "article",
        "slug": "low-mood-and-sleep",
        "title": "Low mood and sleep",
        "url": "/v1/articles/low-mood-and-sleep",
    }


def test_detail_fields(client):
    data = client.get("/v1/treatments/walking?fields=kind,side_effects").get_json()["data"]
    assert set(data) == {"type", "slug", "kind", "side_effects"}


def test_unknown_field_lists_valid_ones(client):
    body = assert_problem(client.get("/v1/articles?fields=title,colour"), 400)
    (error,) = body["errors"]
    assert error["field"] == "fields"
    assert error["message"].startswith("unknown: colour; valid values are type, slug, title")
    # type-specific: `kind` belongs to treatments only
    assert_problem(client.get("/v1/conditions/knee-pain?fields=kind"), 400)
    assert client.get("/v1/treatments/walking?fields=kind").status_code == 200


def test_include_expands_one_level(client):
    plain = client.get("/v1/articles/knee-pain-basics").get_json()["data"]["related"]
    assert "body" not in plain["conditions"][0]
    data = client.get("/v1/articles/knee-pain-basics?include=conditions").get_json()["data"]
    condition = data["related"]["conditions"][0]
    assert condition["slug"] == "knee-pain"
    assert condition["body"]["html"].startswith('<h2 id="overview">')
    # one level: the embedded condition's own relations stay summaries
    assert "body" not in condition["related"]["treatments"][0]
    # not included: still summaries
    assert "body" not in data["related"]["treatments"][0]


def test_include_respects_format_and_fields(client):
    response = client.get(
        "/v1/articles/knee-pain-basics?include=treatments&format=text&fields=related"
    )
    data = response.get_json()["data"]
    assert set(data) == {"type", "slug", "related"}
    assert set(data["related"]["treatments"][0]["body"]) == {"text", "toc"}


def test_unknown_include_is_400(client):
    body = assert_problem(client.get("/v1/articles/knee-pain-basics?include=articles"), 400)
    assert "valid values are conditions, treatments" in body["errors"][0]["message"]
