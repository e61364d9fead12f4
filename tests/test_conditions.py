"""/v1/conditions: list, filters, detail with sections, quick facts and reverse relations."""

import pytest

from .helpers import assert_problem, slugs


def test_list_sorted_by_title_with_also_known_as(client):
    body = client.get("/v1/conditions").get_json()
    assert [i["slug"] for i in body["items"]] == ["knee-pain", "low-mood"]
    assert body["items"][0]["also_known_as"] == ["Gonalgia"]
    assert "body" not in body["items"][0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("tag=mood", ["low-mood"]), ("treatment=knee-injection", ["knee-pain"])],
)
def test_filters(client, query, expected):
    assert slugs(client.get(f"/v1/conditions?{query}")) == expected


def test_condition_filter_is_not_a_parameter_of_conditions(client):
    assert_problem(client.get("/v1/conditions?condition=knee-pain"), 400)


def test_detail_with_reverse_relations(client):
    data = client.get("/v1/conditions/knee-pain").get_json()["data"]
    assert data["title"] == "Knee pain"
    assert data["quick_facts"] == [
        {
            "label": "How common",
            "value": "Very common in adults",
            "source": "Fixture",
            "source_url": None,
        }
    ]
    assert [s["key"] for s in data["sections"]] == ["overview", "symptoms", "when-to-seek-help"]
    # declared by the article and treatments, resolved back onto the condition
    assert [a["slug"] for a in data["related"]["articles"]] == ["knee-pain-basics"]
    assert sorted(t["slug"] for t in data["related"]["treatments"]) == ["knee-injection", "walking"]
    assert [c["slug"] for c in data["related"]["conditions"]] == ["low-mood"]


def test_related_conditions_are_symmetric(client):
    data = client.get("/v1/conditions/low-mood").get_json()["data"]
    assert [c["slug"] for c in data["related"]["conditions"]] == ["knee-pain"]
    assert [a["slug"] for a in data["related"]["articles"]] == ["low-mood-and-sleep"]


def test_section_by_key(client):
    data = client.get("/v1/conditions/knee-pain/sections/symptoms?format=text").get_json()["data"]
    assert data["title"] == "Symptoms"
    assert data["content"] == {"text": "Aching\n\nSwelling"}
    assert_problem(client.get("/v1/conditions/knee-pain/sections/causes"), 404)
    assert_problem(client.get("/v1/conditions/no-such/sections/symptoms"), 404)
