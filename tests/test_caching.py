"""HTTP caching over real HTTP (gunicorn): ETag, 304, Last-Modified, Cache-Control, Vary, gzip,
HEAD. Every GET family is checked, lists and search included."""

import gzip

import pytest
import requests

PATHS = [
    "/v1/articles",
    "/v1/articles/knee-pain-basics",
    "/v1/conditions/knee-pain/sections/symptoms",
    "/v1/treatments?kind=lifestyle",
    "/v1/tags",
    "/v1/tags/pain",
    "/v1/site",
    "/v1/search?q=knee",
    "/v1/search/suggest?q=kn",
]
PLAIN = {"Accept-Encoding": "identity"}


def get(base, path, **headers):
    return requests.get(base + path, headers={**PLAIN, **headers}, timeout=10)


@pytest.mark.parametrize("path", PATHS)
def test_success_headers(live_server, path):
    response = get(live_server, path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert response.headers["Cache-Control"] == "public, max-age=300, stale-while-revalidate=60"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Last-Modified"].endswith(" GMT")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # the same request gets the same tag (a tag is a property of the representation)
    assert get(live_server, path).headers["ETag"] == etag


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("form", ["strong", "weak", "list", "star"])
def test_if_none_match_gives_304_with_headers(live_server, path, form):
    first = get(live_server, path)
    etag = first.headers["ETag"]
    sent = {"strong": etag, "weak": f"W/{etag}", "list": f'"nope", {etag}', "star": "*"}[form]
    response = get(live_server, path, **{"If-None-Match": sent})
    assert response.status_code == 304
    assert response.content == b""
    # RFC 9110 §15.4.5: a 304 repeats what a cache needs to update its stored response
    for header in ("ETag", "Cache-Control", "Vary"):
        assert response.headers[header] == first.headers[header], header


def test_non_matching_etag_gives_200(live_server):
    response = get(live_server, "/v1/articles", **{"If-None-Match": '"other"'})
    assert response.status_code == 200 and response.json()["items"]


def test_if_modified_since(live_server):
    first = get(live_server, "/v1/articles/knee-pain-basics")
    assert first.headers["Last-Modified"].endswith(" GMT")
    same = get(
        live_server,
        "/v1/articles/knee-pain-basics",
        **{"If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert same.status_code == 304
    older = get(
        live_server,
        "/v1/articles/knee-pain-basics",
        **{"If-Modified-Since": "Thu, 01 Jan 2026 00:00:00 GMT"},
    )
    assert older.status_code == 200
    # If-None-Match wins over If-Modified-Since when both are sent
    both = get(
        live_server,
        "/v1/articles/knee-pain-basics",
        **{"If-Modified-Since": first.headers["Last-Modified"], "If-None-Match": '"other"'},
    )
    assert both.status_code == 200


def test_last_modified_is_when_this_content_version_was_first_served(live_server):
    # one time for every content response: it moves whenever any content changes
    dates = {get(live_server, path).headers["Last-Modified"] for path in PATHS}
    assert len(dates) == 1


def test_gzip_is_its_own_representation(live_server):
    plain = get(live_server, "/v1/articles/knee-pain-basics")
    zipped = requests.get(
        live_server + "/v1/articles/knee-pain-basics",
        headers={"Accept-Encoding": "gzip"},
        stream=True,
        timeout=10,
    )
    raw = zipped.raw.read(decode_content=False)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(raw) == plain.content
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + ':gzip"'
    again = requests.get(
        live_server + "/v1/articles/knee-pain-basics",
        headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]},
        timeout=10,
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "accept, coded",
    [
        (None, False),
        ("identity", False),
        ("br", False),
        ("*", True),
        ("GZIP", True),
        ("br;q=1.0, gzip;q=0.5", True),
    ],
)
def test_gzip_when_the_request_accepts_it_and_vary_always(live_server, accept, coded):
    """flask-compress is called only when Accept-Encoding names gzip or `*` (delivery hook,
    caching.may_encode); every answer still says it varies on Accept-Encoding, the memo's
    finished copy (the second request) too."""
    url = live_server + "/v1/articles/knee-pain-basics"
    for _ in range(2):
        response = requests.get(url, headers={"Accept-Encoding": accept}, stream=True, timeout=10)
        raw = response.raw.read(decode_content=False)
        assert response.status_code == 200
        assert response.headers.get("Content-Encoding") == ("gzip" if coded else None)
        assert raw[:2] == b"\x1f\x8b" if coded else raw.startswith(b"{")
        assert response.headers["Vary"] == "Authorization, X-API-Key, Accept-Encoding"
        assert response.headers["ETag"].endswith(':gzip"') == coded


def test_small_bodies_are_not_compressed(live_server):
    response = requests.get(
        live_server + "/v1/search/suggest?q=zzz", headers={"Accept-Encoding": "gzip"}, timeout=10
    )
    assert "Content-Encoding" not in response.headers


@pytest.mark.parametrize("path", PATHS + ["/v1/articles/nope"])
def test_head_equals_get_without_body(live_server, path):
    got = get(live_server, path)
    head = requests.head(live_server + path, headers=PLAIN, timeout=10)
    assert head.status_code == got.status_code
    assert head.content == b""
    for header in ("Content-Type", "Content-Length", "ETag", "Cache-Control", "Link"):
        assert head.headers.get(header) == got.headers.get(header), header


def test_options_and_405_carry_allow(live_server):
    options = requests.options(live_server + "/v1/articles", timeout=10)
    assert set(options.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    post = requests.post(live_server + "/v1/articles", timeout=10)
    assert post.status_code == 405
    assert post.headers["Content-Type"] == "application/problem+json"
    assert set(post.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_errors_are_not_cached(live_server):
    response = get(live_server, "/v1/articles/nope")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
