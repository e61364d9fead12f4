"""Partner keys and rate limits: 401 for bad keys, per-key limits, 429 with Retry-After."""

import json
import os
import subprocess
import sys
import threading
import time

import pytest
import requests
import yaml

from api import create_app
from api.partners.keys import hash_key

from .conftest import LIVE_KEY, PACK, ROOT
from .helpers import assert_problem

GOOD, OTHER, REVOKED = "ck_good-key", "ck_other-key", "ck_revoked-key"
PARTNERS = [
    {"name": "good", "key_sha256": hash_key(GOOD), "rate_limit": "3 per minute"},
    {"name": "other", "key_sha256": hash_key(OTHER), "origins": ["https://other.example"]},
    {"name": "gone", "key_sha256": hash_key(REVOKED), "revoked": True},
]


@pytest.fixture
def partner_client(tmp_path):
    app = create_app(
        {
            "CONTENT_DIR": str(PACK),
            "INDEX_DIR": str(tmp_path),
            "ACCESS_LOG": False,
            "PARTNER_KEYS": json.dumps(PARTNERS),
            "PARTNER_KEYS_FILE": "",
            "RATELIMIT_DEFAULT": "5 per minute",
        }
    )
    return app.test_client()


@pytest.mark.parametrize(
    "headers",
    [
        {"X-API-Key": "ck_wrong"},
        {"Authorization": "Bearer ck_wrong"},
        {"X-API-Key": REVOKED},
        {"Authorization": f"Bearer {REVOKED}"},
    ],
)
@pytest.mark.parametrize("path", ["/v1/articles", "/v1/site", "/v1/search?q=knee"])
def test_bad_or_revoked_key_is_401_even_on_public_endpoints(partner_client, headers, path):
    response = partner_client.get(path, headers=headers)
    body = assert_problem(response, 401)
    assert body["detail"] == "The API key is not valid or has been revoked."
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="clinic-content-api"'


@pytest.mark.parametrize("header", ["X-API-Key", "Authorization"])
def test_valid_key_is_served_privately(partner_client, header):
    value = GOOD if header == "X-API-Key" else f"Bearer {GOOD}"
    response = partner_client.get("/v1/site", headers={header: value})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["RateLimit-Policy"] == '"default";q=3;w=60'


def test_key_origin_restriction(partner_client):
    allowed = partner_client.get(
        "/v1/site", headers={"X-API-Key": OTHER, "Origin": "https://other.example"}
    )
    assert allowed.status_code == 200
    denied = partner_client.get(
        "/v1/site", headers={"X-API-Key": OTHER, "Origin": "https://evil.example"}
    )
    assert_problem(denied, 403)


def test_limits_are_per_key_and_per_ip(partner_client):
    for remaining in (2, 1, 0):
        response = partner_client.get("/v1/site", headers={"X-API-Key": GOOD})
        assert response.status_code == 200
        assert response.headers["RateLimit-Remaining"] == str(remaining)
        assert response.headers["RateLimit"] == f'"default";r={remaining};t=60'
    limited = partner_client.get("/v1/site", headers={"X-API-Key": GOOD})
    body = assert_problem(limited, 429)
    assert "3 per 1 minute" in body["detail"]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["Cache-Control"] == "no-store"
    # the other key and anonymous clients are unaffected by this burst
    assert partner_client.get("/v1/site", headers={"X-API-Key": OTHER}).status_code == 200
    anonymous = partner_client.get("/v1/site")
    assert anonymous.status_code == 200
    assert anonymous.headers["RateLimit-Limit"] == "5"
    assert anonymous.headers["Cache-Control"].startswith("public")


def test_every_answer_counts_revalidations_and_errors_included(partner_client):
    """A 304 is an answer like any other: a client cannot revalidate (or probe for 404s)
    without limit."""
    first = partner_client.get("/v1/articles")
    assert first.headers["RateLimit-Remaining"] == "4"
    etag = {"If-None-Match": first.headers["ETag"]}
    again = partner_client.get("/v1/articles", headers=etag)
    # a 304 carries the IETF fields only (the older trio repeats RateLimit's numbers)
    assert again.status_code == 304 and again.headers["RateLimit"].startswith('"default";r=3;')
    assert "RateLimit-Remaining" not in again.headers
    missing = partner_client.get("/v1/articles/no-such-page")
    assert missing.status_code == 404 and missing.headers["RateLimit-Remaining"] == "2"
    for remaining in ("1", "0"):
        again = partner_client.get("/v1/articles", headers=etag)
        assert again.status_code == 304
        assert again.headers["RateLimit"].startswith(f'"default";r={remaining};')
    assert_problem(partner_client.get("/v1/articles", headers=etag), 429)


def test_concurrent_requests_of_one_client_never_pass_the_limit_together(partner_client):
    """Ten requests of one client at once, held together right after the limiter: only the
    limit's 5 get through. (Reading the window first and counting after the answer let all
    ten through: each read 5 units left before any was counted.)"""
    app = partner_client.application
    limits = app.extensions["rate_limits"]
    held = threading.Barrier(5, timeout=10)

    def hold():
        try:
            held.wait()
        except threading.BrokenBarrierError:
            pass  # fewer than 5 got here: the assertion below says so

    check = limits.check

    def check_then_hold(here, req):
        refused = check(here, req)
        if refused is None:
            hold()
        return refused

    limits.check = check_then_hold  # what the before hook calls (api/delivery/__init__.py)
    statuses = []

    def fetch():
        statuses.append(app.test_client().get("/v1/conditions").status_code)

    threads = [threading.Thread(target=fetch) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200] * 5 + [429] * 5


def test_two_limits_headers_follow_the_finest_until_one_is_used_up(tmp_path, monkeypatch):
    """Several limits: each is read once before the answer and hit once after it; the headers
    show the finest limit's numbers after this request, or the used-up one's on a 429; a window
    that ends between two requests starts again from the full quota."""
    import time as clock

    now = [1_000_000.0]
    monkeypatch.setattr(clock, "time", lambda: now[0])
    config = {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path), "ACCESS_LOG": False}
    app = create_app(config | {"RATELIMIT_DEFAULT": "3 per second; 4 per minute"})
    client = app.test_client()
    for remaining in (2, 1, 0):
        response = client.get("/v1/site")
        assert response.status_code == 200
        assert response.headers["RateLimit-Policy"] == '"default";q=3;w=1'
        assert response.headers["RateLimit"] == f'"default";r={remaining};t=1'
    limited = client.get("/v1/site")  # the second's 3 are used up, the minute's 4 are not
    assert_problem(limited, 429)
    assert limited.headers["RateLimit-Remaining"] == "0"
    assert limited.headers["Retry-After"] == "1"
    now[0] += 1.5  # a new second: the per-second window starts again; the minute's goes on
    after = client.get("/v1/site")
    assert after.status_code == 200 and after.headers["RateLimit"] == '"default";r=2;t=1'
    limited = client.get("/v1/site")  # the minute's 4th was that one
    assert_problem(limited, 429)
    assert limited.headers["RateLimit-Policy"] == '"default";q=4;w=60'
    assert limited.headers["RateLimit"] == '"default";r=0;t=59'


def test_probes_are_not_limited(partner_client):
    for _ in range(10):
        assert partner_client.get("/healthz").status_code == 200


def test_rate_limit_over_real_http(live_server):
    headers = {"X-API-Key": LIVE_KEY}
    statuses = [
        requests.get(f"{live_server}/v1/site", headers=headers, timeout=10) for _ in range(4)
    ]
    # in-memory storage counts per worker (documented): 2 workers allow up to 2 × 3
    statuses += [
        requests.get(f"{live_server}/v1/site", headers=headers, timeout=10) for _ in range(4)
    ]
    codes = [r.status_code for r in statuses]
    assert codes[:3] == [200, 200, 200] and 429 in codes
    limited = next(r for r in statuses if r.status_code == 429)
    assert limited.headers["Content-Type"] == "application/problem+json"
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["RateLimit-Remaining"] == "0"
    # another client is not throttled by this key's burst
    assert requests.get(f"{live_server}/v1/site", timeout=10).status_code == 200


def test_cli_issues_hashed_keys_and_lists_without_keys(tmp_path):
    keys_file = tmp_path / "partners.yaml"
    env = {
        **os.environ,
        "CONTENT_DIR": str(PACK),
        "INDEX_DIR": str(tmp_path / "index"),
        "PARTNER_KEYS_FILE": str(keys_file),
        "ACCESS_LOG": "false",
    }

    def flask(*args):
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "partners", *args]
        return subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    issued = flask("issue", "Group X", "--origin", "https://x.example", "--limit", "10 per minute")
    assert issued.returncode == 0, issued.stderr
    key = issued.stdout.strip().splitlines()[-1]
    assert key.startswith("ck_") and len(key) > 40
    stored = keys_file.read_text()
    assert key not in stored
    (entry,) = yaml.safe_load(stored)
    assert entry["key_sha256"] == hash_key(key) and entry["origins"] == ["https://x.example"]
    listed = flask("list")
    assert "Group X\tactive\t10 per minute\thttps://x.example" in listed.stdout
    assert key not in listed.stdout
    assert flask("revoke", "Group X").returncode == 0
    assert yaml.safe_load(keys_file.read_text())[0]["revoked"] is True


@pytest.mark.parametrize(
    "uri, strategy",
    [
        ("local://", "fixed-window"),  # incr_with_expiry: one storage call per limit
        ("memory://", "fixed-window"),  # limits' own storage: incr, then get_expiry (as Redis)
        ("memory://", "moving-window"),  # any other strategy: its own hit and window stats
    ],
)
def test_every_storage_and_strategy_counts_the_same(tmp_path, uri, strategy):
    config = {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path), "ACCESS_LOG": False}
    config |= {"RATELIMIT_STORAGE_URI": uri, "RATELIMIT_STRATEGY": strategy}
    app = create_app(config | {"RATELIMIT_DEFAULT": "3 per minute"})
    client = app.test_client()
    etag = client.get("/v1/site").headers["ETag"]
    assert client.get("/v1/site").headers["RateLimit-Remaining"] == "1"
    revalidated = client.get("/v1/site", headers={"If-None-Match": etag})
    assert revalidated.status_code == 304
    assert revalidated.headers["RateLimit"] == '"default";r=0;t=60'
    limited = client.get("/v1/site")
    assert_problem(limited, 429)
    assert limited.headers["RateLimit-Remaining"] == "0"
    assert 59 <= int(limited.headers["Retry-After"]) <= 60
    app.extensions["rate_limits"].storage.reset()
    deadline = time.monotonic() + 5  # memory://'s expiry timer ends once nothing is stored
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.01)
