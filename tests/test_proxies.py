"""TRUSTED_PROXIES: Werkzeug's ProxyFix for that many proxies; without it, X-Forwarded-* are
ignored. Vary names every request header a response depends on; bad keys and unrouted requests
count against the client's rate limit."""

import pytest

from api import create_app

from .conftest import LIVE_KEY, LIVE_PARTNERS, PACK


def make(tmp_path, **config):
    settings = {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path), "ACCESS_LOG": False}
    return create_app(settings | {"RATELIMIT_DEFAULT": "2 per minute"} | config).test_client()


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(tmp_path):
    client = make(tmp_path, TRUSTED_PROXIES=1)
    for address in ("203.0.113.1", "203.0.113.2"):
        for _ in range(2):
            ok = client.get("/v1/site", headers={"X-Forwarded-For": address})
            assert ok.status_code == 200
    assert client.get("/v1/site", headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 429
    assert client.get("/v1/site", headers={"X-Forwarded-For": "203.0.113.3"}).status_code == 200


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(tmp_path):
    client = make(tmp_path)
    for address in ("203.0.113.1", "203.0.113.2"):
        assert client.get("/v1/site", headers={"X-Forwarded-For": address}).status_code == 200
    assert client.get("/v1/site", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429


def test_a_trusted_proxys_host_and_prefix_make_the_links(tmp_path):
    client = make(tmp_path, TRUSTED_PROXIES=1, RATELIMIT_DEFAULT="100 per minute")
    forwarded = {"X-Forwarded-Host": "api.clinic.example", "X-Forwarded-Proto": "https"}
    feed = client.get("/v1/feed.json", headers=forwarded | {"X-Forwarded-Prefix": "/content"})
    assert feed.get_json()["feed_url"] == "https://api.clinic.example/content/v1/feed.json"
    # another host is another key of the memo: each gets its own links
    other = client.get("/v1/feed.json", headers={"X-Forwarded-Host": "api2.clinic.example"})
    assert other.get_json()["feed_url"] == "http://api2.clinic.example/v1/feed.json"


def test_invalid_keys_count_against_the_clients_budget(tmp_path):
    client = make(tmp_path)
    for n in range(2):
        refused = client.get("/v1/site", headers={"X-API-Key": f"ck_guess-{n}"})
        assert refused.status_code == 401
    limited = client.get("/v1/site", headers={"X-API-Key": "ck_guess-3"})
    assert limited.status_code == 429
    assert limited.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("request_", [("GET", "/v1/nope"), ("POST", "/v1/articles")])
def test_unrouted_requests_count(tmp_path, request_):
    client = make(tmp_path)
    method, path = request_
    statuses = [client.open(path, method=method).status_code for _ in range(3)]
    assert statuses[:2] == [404, 404] if method == "GET" else [405, 405]
    assert statuses[2] == 429


def test_vary_names_every_header_a_response_depends_on(tmp_path):
    client = make(tmp_path, RATELIMIT_DEFAULT="100 per minute", PARTNER_KEYS=LIVE_PARTNERS)
    public = client.get("/v1/articles")
    vary = {v.strip() for v in public.headers["Vary"].split(",")}
    assert {"Authorization", "X-API-Key", "Accept-Encoding"} <= vary
    assert "Origin" not in vary  # with CORS "*" the answer is the same for every origin...
    assert public.headers["Access-Control-Allow-Origin"] == "*"  # ...even without an Origin
    keyed = client.get("/v1/articles", headers={"X-API-Key": LIVE_KEY})
    assert keyed.status_code == 200 and keyed.headers["Cache-Control"] == "private, no-store"
    bad = client.get("/v1/articles", headers={"X-API-Key": "ck_wrong"})
    assert bad.status_code == 401 and "X-API-Key" in bad.headers["Vary"]
    not_modified = client.get("/v1/articles", headers={"If-None-Match": public.headers["ETag"]})
    assert not_modified.status_code == 304
    assert not_modified.headers["Vary"] == public.headers["Vary"]
    assert not_modified.headers["Access-Control-Allow-Origin"] == "*"


def test_an_origin_list_varies_on_origin_everywhere(tmp_path):
    client = make(tmp_path, CORS_ORIGINS=["https://www.clinic.example"])
    for headers in ({}, {"Origin": "https://evil.example"}):
        response = client.get("/v1/nope", headers=headers)
        assert "Origin" in response.headers["Vary"]
        assert "Access-Control-Allow-Origin" not in response.headers


def test_trusted_proxies_must_not_be_negative(tmp_path):
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        make(tmp_path, TRUSTED_PROXIES=-1)
