"""/v1/treatments: kind and condition filters, treatment-specific fields."""

import pytest

from .helpers import assert_problem, slugs


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["knee-injection", "walking"]),
        ("kind=lifestyle", ["walking"]),
        ("kind=procedure", ["knee-injection"]),
        ("kind=medication", []),
        ("condition=low-mood", ["walking"]),
        ("condition=knee-pain&sort=-title", ["walking", "knee-injection"]),
        ("sort=kind", ["walking", "knee-injection"]),
    ],
)
def test_filters_and_sorting(client, query, expected):
    assert slugs(client.get(f"/v1/treatments?{query}")) == expected


def test_unknown_kind_is_400(client):
    body = assert_problem(client.get("/v1/treatments?kind=surgery"), 400)
    assert body["errors"][0]["field"] == "kind"


def test_detail_fields(client):
    data = client.get("/v1/treatments/walking").get_json()["data"]
    assert data["kind"] == "lifestyle"
    assert data["how_it_works"] == {
        "html": "<p>Movement keeps joints <em>supple</em>.</p>\n",
        "text": "Movement keeps joints supple.",
    }
    assert data["what_to_expect"] == {
        "session_length": "20 to 30 minutes",
        "series": None,
        "maintenance": "Most days of the week",
    }
    assert data["side_effects"] == [
        {"name": "Muscle soreness", "frequency": "common", "what_to_do": "Start slowly."}
    ]
    assert data["evidence_notes"]["text"] == "Generally supported for many people."
    assert [c["slug"] for c in data["related"]["conditions"]] == ["knee-pain", "low-mood"]
    assert [a["slug"] for a in data["related"]["articles"]] == ["knee-pain-basics"]


def test_treatment_without_evidence_notes(client):
    data = client.get("/v1/treatments/knee-injection").get_json()["data"]
    assert data["evidence_notes"] is None
    assert data["side_effects"] == []
