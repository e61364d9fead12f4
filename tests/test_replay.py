"""delivery/replay.py: repeats of public content responses are answered without running Flask,
with the same bytes and headers as the full path, and the per-request parts redone."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from api import create_app
from api.delivery.replay import Entry, ReplayCache

from .conftest import LIVE_KEY, LIVE_PARTNERS, PACK

PER_REQUEST = {"x-request-id", "ratelimit", "ratelimit-remaining", "ratelimit-reset"}
URLS = [
    "/v1/articles/knee-pain-basics",
    "/v1/articles?per_page=2&sort=-published",
    "/v1/conditions/knee-pain?format=blocks",
    "/v1/conditions/knee-pain/sections/symptoms",
    "/v1/search?q=knee",
    "/v1/tags",
    "/v1/site",
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("replay-index"))


def make(index_dir, **settings):
    """An app of its own (its own rate-limit counters), with a counter of full-path requests."""
    config = {"TESTING": True, "CONTENT_DIR": str(PACK), "INDEX_DIR": index_dir}
    app = create_app(config | settings)
    app.full_path_requests = 0

    def _count():
        app.full_path_requests += 1

    app.before_request_funcs.setdefault(None, []).insert(0, _count)  # before any hook can abort
    return app


def stable(headers) -> dict:
    return {k.lower(): v for k, v in headers.items() if k.lower() not in PER_REQUEST}


def test_a_repeat_is_replayed_with_the_same_body_and_headers(index_dir):
    app = make(index_dir)
    client = app.test_client()
    for url in URLS:
        for headers in ({}, {"Accept-Encoding": "gzip"}, {"Origin": "https://a.example"}):
            first = client.get(url, headers=headers)
            assert first.status_code == 200, url
            before = app.full_path_requests
            second = client.get(url, headers=headers)
            assert app.full_path_requests == before, f"{url} {headers} ran Flask again"
            assert second.status_code == 200
            assert second.data == first.data
            assert stable(second.headers) == stable(first.headers)
            assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]
            assert {k.lower() for k, _ in second.headers} == {k.lower() for k, _ in first.headers}


def test_gzip_and_identity_are_separate_entries(index_dir):
    client = make(index_dir).test_client()
    url = "/v1/articles/knee-pain-basics"
    plain = client.get(url)
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    again = client.get(url)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in again.headers
    assert again.data == plain.data
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'


def test_replayed_304_matches_the_full_paths_304(index_dir):
    app = make(index_dir)
    client = app.test_client()
    url = "/v1/conditions/knee-pain"
    etag = client.get(url).headers["ETag"]
    # the full path's 304, from a second app that has not seen the URL
    full = make(index_dir).test_client().get(url, headers={"If-None-Match": etag})
    before = app.full_path_requests
    for value in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        replayed = client.get(url, headers={"If-None-Match": value})
        assert replayed.status_code == 304, value
        assert replayed.data == b""
        assert stable(replayed.headers) == stable(full.headers)
    assert app.full_path_requests == before
    changed = client.get(url, headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == etag


def test_a_304_from_the_full_path_fills_the_cache(index_dir):
    app = make(index_dir)
    url = "/v1/treatments/walking"
    etag = make(index_dir).test_client().get(url).headers["ETag"]
    client = app.test_client()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    before = app.full_path_requests
    response = client.get(url)
    assert response.status_code == 200 and response.headers["ETag"] == etag
    assert app.full_path_requests == before


def test_the_host_is_part_of_the_key(index_dir):
    client = make(index_dir).test_client()
    url = "/v1/feed.json"
    first = client.get(url, base_url="http://one.example").get_json()
    other = client.get(url, base_url="https://two.example").get_json()
    assert first["feed_url"].startswith("http://one.example/")
    assert other["feed_url"].startswith("https://two.example/")


def test_head_is_replayed_without_a_body(index_dir):
    app = make(index_dir)
    client = app.test_client()
    url = "/v1/articles/knee-pain-basics"
    get = client.get(url)
    head = client.head(url)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert stable(head.headers) == stable(get.headers)


def test_rate_limit_counts_replayed_requests_in_flask_limiters_storage(index_dir):
    app = make(index_dir, RATELIMIT_DEFAULT="3 per minute")
    client = app.test_client()
    url = "/v1/articles/knee-pain-basics"
    answers = [client.get(url) for _ in range(2)]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1"]
    assert answers[1].headers["RateLimit-Policy"] == '"default";q=3;w=60'
    assert answers[1].headers["RateLimit"].startswith('"default";r=1;t=')
    # a 304 is not counted, on either path
    not_modified = client.get(url, headers={"If-None-Match": answers[0].headers["ETag"]})
    assert not_modified.status_code == 304
    assert not_modified.headers["RateLimit-Remaining"] == "1"
    assert client.get(url).headers["RateLimit-Remaining"] == "0"
    over = client.get(url)
    assert over.status_code == 429
    assert over.mimetype == "application/problem+json"
    assert over.get_json()["status"] == 429 and "Retry-After" in over.headers
    # another client has its own budget
    other = client.get(url, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200 and other.headers["RateLimit-Remaining"] == "2"


def test_access_log_line_for_a_replayed_request(index_dir, capfd):
    client = make(index_dir).test_client()
    client.get("/v1/site?x=secret")  # a 400: strict parameters
    client.get("/v1/site")
    capfd.readouterr()
    response = client.get("/v1/site", headers={"X-Request-ID": "trace-42"})
    assert response.headers["X-Request-ID"] == "trace-42"
    (line,) = capfd.readouterr().err.splitlines()
    logged = __import__("json").loads(line)
    assert logged["path"] == "/v1/site" and logged["status"] == 200
    assert logged["method"] == "GET" and logged["request_id"] == "trace-42"
    assert logged["duration_ms"] >= 0


def test_errors_probes_and_private_answers_are_never_replayed(index_dir, tmp_path):
    keys = tmp_path / "partners.yaml"
    app = make(index_dir, PARTNER_KEYS=LIVE_PARTNERS, PARTNER_KEYS_FILE=str(keys))
    client = app.test_client()
    for url, headers, status in [
        ("/v1/articles/nope", {}, 404),
        ("/v1/articles?bogus=1", {}, 400),
        ("/healthz", {}, 200),
        ("/readyz", {}, 200),
        ("/v1/articles/knee-pain-basics", {"X-API-Key": LIVE_KEY}, 200),
        ("/v1/articles/knee-pain-basics", {"X-API-Key": "wrong"}, 401),
    ]:
        for _ in range(2):
            before = app.full_path_requests
            assert client.get(url, headers=headers).status_code == status
            assert app.full_path_requests == before + 1, url
    # a keyed request never receives the anonymous answer, even once that is cached
    client.get("/v1/articles/knee-pain-basics")
    keyed = client.get("/v1/articles/knee-pain-basics", headers={"X-API-Key": LIVE_KEY})
    assert keyed.headers["Cache-Control"] == "private, no-store"


def test_a_version_is_not_replayed_past_its_sunset(index_dir):
    sunset = datetime.now(UTC) + timedelta(seconds=1.5)
    app = make(index_dir, V1_DEPRECATION="2026-01-01T00:00:00Z", V1_SUNSET=sunset.isoformat())
    client = app.test_client()
    first = client.get("/v1/site")
    assert first.status_code == 200 and "Sunset" in first.headers
    assert client.get("/v1/site").headers["Deprecation"] == first.headers["Deprecation"]
    time.sleep(max(0.0, (sunset - datetime.now(UTC)).total_seconds()) + 0.1)
    gone = client.get("/v1/site")
    assert gone.status_code == 410
    assert gone.mimetype == "application/problem+json"


def test_turned_off_with_zero(index_dir):
    app = make(index_dir, RESPONSE_CACHE_MB=0)
    assert "replay" not in app.extensions
    client = app.test_client()
    client.get("/v1/site")
    before = app.full_path_requests
    client.get("/v1/site")
    assert app.full_path_requests == before + 1


def entry(size: int) -> Entry:
    return Entry([], [], b"x" * size, "e", "/p", float("inf"))


def test_cache_is_bounded_in_bytes_least_recently_used_first():
    cache = ReplayCache(max_bytes=1000)
    for name in "abcd":
        cache.put((name,), entry(100))
    assert cache.get(("a",)) is not None  # a is now the most recent
    for name in "efghijk":
        cache.put((name,), entry(100))
    assert cache.bytes == 1000
    assert cache.get(("b",)) is None and cache.get(("a",)) is not None
    cache.put(("huge",), entry(900))  # over an eighth of the budget: never kept
    assert cache.get(("huge",)) is None and cache.bytes == 1000


def test_live_repeat_has_the_same_headers(live_server):
    url = live_server + "/v1/articles/knee-pain-basics"
    first = requests.get(url, headers={"Accept-Encoding": "gzip"}, timeout=10)
    # two workers: enough repeats that both have answered once and then replayed
    later = [requests.get(url, headers={"Accept-Encoding": "gzip"}, timeout=10) for _ in range(6)]
    expected = {k: v for k, v in stable(first.headers).items() if k != "date"}
    for response in later:
        assert response.content == first.content
        assert {k: v for k, v in stable(response.headers).items() if k != "date"} == expected


def test_an_origin_allow_list_keeps_each_origins_answer(index_dir):
    app = make(index_dir, CORS_ORIGINS=["https://a.example"])
    client = app.test_client()
    for _ in range(2):
        allowed = client.get("/v1/site", headers={"Origin": "https://a.example"})
        foreign = client.get("/v1/site", headers={"Origin": "https://b.example"})
        none = client.get("/v1/site")
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://a.example"
        assert "Access-Control-Allow-Origin" not in foreign.headers
        assert "Access-Control-Allow-Origin" not in none.headers
        for response in (allowed, foreign, none):
            assert "Origin" in response.headers["Vary"]
    assert len(app.extensions["replay"].cache.entries) == 3
