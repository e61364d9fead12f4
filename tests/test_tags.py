"""/v1/tags: taxonomy with counts of public entries only."""

from .helpers import assert_problem


def test_tag_list_counts_exclude_drafts(client):
    items = client.get("/v1/tags").get_json()["items"]
    counts = {t["slug"]: t["count"] for t in items}
    # pain: 1 public article (draft + scheduled excluded), 1 condition, 2 treatments
    assert counts == {"mood": 3, "pain": 4, "unused": 0}
    assert items[0] == {
        "slug": "mood",
        "label": "Mood",
        "description": "Mood topics.",
        "count": 3,
        "url": "/v1/tags/mood",
    }


def test_tag_sort_by_count(client):
    items = client.get("/v1/tags?sort=-count").get_json()["items"]
    assert [t["slug"] for t in items] == ["pain", "mood", "unused"]


def test_tag_detail_lists_entries(client):
    data = client.get("/v1/tags/mood").get_json()["data"]
    assert data["count"] == 3
    assert [(e["type"], e["slug"]) for e in data["entries"]] == [
        ("article", "low-mood-and-sleep"),
        ("condition", "low-mood"),
        ("treatment", "walking"),
    ]


def test_unknown_tag_and_parameters(client):
    assert_problem(client.get("/v1/tags/no-such-tag"), 404)
    assert_problem(client.get("/v1/tags/mood?page=2"), 400)
