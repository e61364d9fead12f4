"""The real server: gunicorn with several workers, over HTTP."""

import concurrent.futures

import requests

from .conftest import start_gunicorn
from .test_loader import install


def test_serves_over_http(live_server):
    response = requests.get(f"{live_server}/v1/articles", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert [i["slug"] for i in response.json()["items"]] == [
        "low-mood-and-sleep",
        "knee-pain-basics",
    ]


def test_concurrent_searches_across_workers_agree(live_server):
    queries = ["knee", "kne", "walking", "mood sleep", '"knee pain"', "knee pian"] * 8

    def run(query):
        response = requests.get(f"{live_server}/v1/search", params={"q": query}, timeout=10)
        assert response.status_code == 200, response.text
        return query, [item["slug"] for item in response.json()["items"]]

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, queries))
    by_query = {}
    for query, slugs in results:
        by_query.setdefault(query, set()).add(tuple(slugs))
    assert all(len(answers) == 1 for answers in by_query.values()), by_query
    assert (
        by_query["knee"] == {("knee-pain", "knee-pain-basics", "knee-injection")}
        or len(next(iter(by_query["knee"]))) == 3
    )


def test_invalid_content_stops_start_up_listing_every_error(pack_copy, tmp_path):
    install(pack_copy, "article_missing_title.md", "treatment_bad_kind.md")
    env = {"CONTENT_DIR": str(pack_copy), "INDEX_DIR": str(tmp_path / "index")}
    process, base = start_gunicorn(env)
    _, stderr = process.communicate(timeout=30)
    assert base is None and process.returncode != 0
    assert "Refusing to start: 2 content error(s)" in stderr
    assert "articles/article_missing_title.md:2: title: Missing data for required field." in stderr
    assert "treatments/treatment_bad_kind.md:8: kind: Must be one of" in stderr
