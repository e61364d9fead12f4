"""/v1/articles: lists, filters, sorting, pagination edges, detail and relations."""

import pytest

from .helpers import assert_problem, slugs


def test_list_envelope_and_summaries(client):
    response = client.get("/v1/articles")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.get_json()
    assert body["meta"] == {"total": 2, "page": 1, "per_page": 20, "pages": 1}
    first = body["items"][0]
    assert first == {
        "type": "article",
        "slug": "low-mood-and-sleep",
        "title": "Low mood and sleep",
        "summary": "How sleep and mood affect each other.",
        "url": "/v1/articles/low-mood-and-sleep",
        "tags": [{"slug": "mood", "label": "Mood"}],
        "published": "2026-03-05",
        "updated": "2026-03-05",
        "reading_time": 1,
    }


def test_drafts_and_scheduled_are_not_listed(client):
    assert slugs(client.get("/v1/articles")) == ["low-mood-and-sleep", "knee-pain-basics"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tag=pain", ["knee-pain-basics"]),
        ("tag=mood", ["low-mood-and-sleep"]),
        ("tag=unused", []),
        ("condition=knee-pain", ["knee-pain-basics"]),
        ("treatment=walking", ["knee-pain-basics"]),
        ("condition=knee-pain&tag=mood", []),
        ("condition=no-such-condition", []),
    ],
)
def test_filters(client, query, expected):
    assert slugs(client.get(f"/v1/articles?{query}")) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["knee-pain-basics", "low-mood-and-sleep"]),
        ("-title", ["low-mood-and-sleep", "knee-pain-basics"]),
        ("published", ["knee-pain-basics", "low-mood-and-sleep"]),
        ("-updated", ["low-mood-and-sleep", "knee-pain-basics"]),
    ],
)
def test_sorting(client, sort, expected):
    assert slugs(client.get(f"/v1/articles?sort={sort}")) == expected


def test_pagination_links_and_edges(client):
    first = client.get("/v1/articles?per_page=1&sort=title")
    assert first.get_json()["meta"] == {"total": 2, "page": 1, "per_page": 1, "pages": 2}
    assert first.headers["Link"] == (
        '</v1/articles?sort=title&page=1&per_page=1>; rel="first", '
        '</v1/articles?sort=title&page=2&per_page=1>; rel="last", '
        '</v1/articles?sort=title&page=2&per_page=1>; rel="next"'
    )
    second = client.get("/v1/articles?per_page=1&sort=title&page=2")
    assert slugs(second) == ["low-mood-and-sleep"]
    assert 'rel="prev"' in second.headers["Link"] and 'rel="next"' not in second.headers["Link"]
    beyond = client.get("/v1/articles?per_page=1&page=9")
    assert beyond.status_code == 200 and beyond.get_json()["items"] == []
    assert '</v1/articles?page=2&per_page=1>; rel="prev"' in beyond.headers["Link"]
    assert client.get("/v1/articles?per_page=100").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=1e9", "page"),
        ("page=99999999999999999999", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("sort=summary", "sort"),
        ("tag=Not_A_Slug", "tag"),
        ("unknown=1", "unknown"),
    ],
)
def test_bad_list_parameters_are_400(client, query, field):
    body = assert_problem(client.get(f"/v1/articles?{query}"), 400)
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["errors"][0]["location"] == "query"


def test_detail(client):
    response = client.get("/v1/articles/knee-pain-basics")
    assert response.status_code == 200
    body = response.get_json()
    data = body["data"]
    assert data["title"] == "Knee pain basics"
    assert data["body"]["html"].startswith("<p>Intro paragraph about knees.</p>")
    assert "Knee pain has many causes." in data["body"]["text"]
    assert "blocks" not in data["body"]  # only on request
    assert data["body"]["toc"] == [
        {"key": "what-it-is", "title": "What it is", "level": 2},
        {"key": "treatment", "title": "Treatment", "level": 2},
    ]
    assert data["sections"][0] == {
        "key": "what-it-is",
        "title": "What it is",
        "url": "/v1/articles/knee-pain-basics/sections/what-it-is",
    }
    assert data["faq"] == [
        {
            "question": "Does walking help?",
            "answer": {
                "html": "<p>Often, <strong>gentle</strong> walking helps.</p>\n",
                "text": "Often, gentle walking helps.",
            },
        }
    ]
    assert data["review"] == {
        "status": "not-reviewed",
        "last_reviewed": None,
        "next_review_due": None,
        "reviewer": None,
    }
    assert [c["slug"] for c in data["related"]["conditions"]] == ["knee-pain"]
    assert [t["slug"] for t in data["related"]["treatments"]] == ["walking"]
    assert body["meta"]["disclaimer"] == "Fixture disclaimer: educational only."
    assert body["meta"]["canonical_url"] == "https://clinic.test/articles/knee-pain-basics"
    assert body["meta"]["licence"]["name"] == "CC BY-NC-ND 4.0"


def test_detail_formats(client):
    data = client.get("/v1/articles/knee-pain-basics?format=blocks").get_json()["data"]
    assert set(data["body"]) == {"blocks", "toc"}
    assert data["body"]["blocks"][0] == {
        "type": "paragraph",
        "children": [{"type": "text", "text": "Intro paragraph about knees."}],
    }
    assert set(data["faq"][0]["answer"]) == {"blocks"}
    assert_problem(client.get("/v1/articles/knee-pain-basics?format=pdf"), 400)


def test_draft_is_404_like_unknown_slug(client):
    draft = assert_problem(client.get("/v1/articles/draft-article"), 404)
    unknown = assert_problem(client.get("/v1/articles/no-such-article"), 404)
    assert set(draft) == set(unknown)
    assert draft["detail"] == "No article has the slug 'draft-article'."
    assert_problem(client.get("/v1/articles/scheduled-article"), 404)


@pytest.mark.parametrize("slug", ["..%2F..%2Fetc%2Fpasswd", "%2e%2e", "x" * 2000, "KNEE"])
def test_hostile_slugs_are_404(client, slug):
    assert_problem(client.get(f"/v1/articles/{slug}"), 404)


def test_section_endpoint(client):
    response = client.get("/v1/articles/knee-pain-basics/sections/treatment")
    data = response.get_json()["data"]
    assert data["key"] == "treatment"
    assert data["entry"]["slug"] == "knee-pain-basics"
    assert data["content"]["html"] == (
        '<p>See <a href="/v1/treatments/walking" rel="noopener noreferrer">walking</a>.</p>\n'
    )
    body = assert_problem(client.get("/v1/articles/knee-pain-basics/sections/nope"), 404)
    assert "what-it-is, treatment" in body["detail"]
