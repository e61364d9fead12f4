"""Patient queries over the clinic's own pack (benchmarks/questions.CLINIC): the page a person
typing them expects is in the top 3."""

import pytest

from benchmarks.questions import CLINIC


@pytest.mark.parametrize(("query", "expected"), CLINIC, ids=[q for q, _ in CLINIC])
def test_expected_page_in_top_3(bundled_client, query, expected):
    response = bundled_client.get("/v1/search", query_string={"q": query})
    assert response.status_code == 200
    top = [item["slug"] for item in response.get_json()["items"][:3]]
    assert set(top) & set(expected), (query, top)


def test_every_expected_page_exists(bundled_app):
    """A renamed page must fail here, not silently turn a query's expectation into nothing."""
    public = bundled_app.extensions["content"].store.public
    slugs = {slug for pages in public.values() for slug in pages}
    assert {page for _, expected in CLINIC for page in expected} <= slugs
    assert len(CLINIC) >= 30
