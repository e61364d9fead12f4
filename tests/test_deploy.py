"""The production set-up of deploy/, for real: redis-server, two gunicorn replicas (sync workers,
TRUSTED_PROXIES=1, limits in Redis) and nginx rendered from deploy/nginx.conf, each on a free
port with its own files (deploy/local.py). `make test` installs nginx and redis-server first
(deploy/install-deps.sh), so nothing here is skipped for a missing binary.

The tests that stop and kill a replica run last in this module: the ones before need both.
"""

import gzip
import hashlib
import http.client
import json
import re
import threading
import time
from urllib.parse import urlsplit

import pytest

from benchmarks.slow_clients import SlowClients, normal_clients
from deploy import local
from deploy.render import render

from .conftest import PACK

LIMITED_KEY = "ck_live-deploy-limited"  # 5 per minute: the limit counted across replicas
LOAD_KEY = "ck_live-deploy-load"  # unlimited in practice: load that must reach the replicas
PARTNERS = json.dumps(
    [
        {"name": n, "key_sha256": hashlib.sha256(k.encode()).hexdigest(), "rate_limit": limit}
        for n, k, limit in (
            ("limited", LIMITED_KEY, "5 per minute"),
            ("load", LOAD_KEY, "1000000000 per minute"),
        )
    ]
)
MAX_AGE = 3  # seconds: short, so that expiry is observable in a test
DETAIL = "/v1/conditions/knee-pain"
ORIGINS = ("https://site.example", "https://app.example")


def replica_env(stack_or_directory) -> dict:
    directory = getattr(stack_or_directory, "directory", stack_or_directory)
    return {
        "CONTENT_DIR": str(PACK),
        "INDEX_DIR": str(directory / "index"),
        "PARTNER_KEYS": PARTNERS,
        "RATELIMIT_DEFAULT": "100000 per minute",
        "CACHE_MAX_AGE": str(MAX_AGE),
        "CORS_ORIGINS": ",".join(ORIGINS),  # a list: responses vary on Origin
        "ACCESS_LOG": "false",
    }


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    directory = tmp_path_factory.mktemp("deploy")
    started = local.start(replica_env(directory), replicas=2, workers=1, directory=directory)
    yield started
    started.stop()


def get(url: str, headers: dict | None = None, method: str = "GET", body: bytes | None = None):
    """(status, headers with lower-case names, raw body) of one request on a new connection."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        target = parts.path + ("?" + parts.query if parts.query else "")
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_rendered_configuration_is_complete_and_valid(stack):
    text = (stack.directory / "nginx.conf").read_text()
    assert not re.search(r"@[A-Z_]+@", text)
    for replica in stack.replicas:
        assert f"server 127.0.0.1:{replica.port} max_fails=1" in text
    with pytest.raises(ValueError, match="upstream"):
        render([])


def test_second_request_is_a_cache_hit_with_the_replicas_etag(stack):
    direct = [get(replica.url + DETAIL) for replica in stack.replicas]
    assert [status for status, _, _ in direct] == [200, 200]
    etag = direct[0][1]["etag"]
    assert direct[1][1]["etag"] == etag and direct[0][2] == direct[1][2]  # either replica

    first = get(stack.url + DETAIL)
    second = get(stack.url + DETAIL)
    assert first[1]["x-cache-status"] == "MISS"
    assert second[1]["x-cache-status"] == "HIT"
    assert first[1]["etag"] == second[1]["etag"] == etag
    assert first[2] == second[2] == direct[0][2]
    assert second[1]["cache-control"] == f"public, max-age={MAX_AGE}, stale-while-revalidate=60"


def test_gzip_is_a_cached_variant_of_its_own(stack):
    path = "/v1/conditions/low-mood"
    plain = get(stack.url + path)
    zipped = [get(stack.url + path, {"Accept-Encoding": "gzip"}) for _ in range(2)]
    direct = get(stack.replicas[1].url + path, {"Accept-Encoding": "gzip"})
    assert [z[1]["x-cache-status"] for z in zipped] == ["MISS", "HIT"]  # Vary: Accept-Encoding
    assert zipped[1][1]["content-encoding"] == "gzip"
    assert zipped[1][1]["etag"] == direct[1]["etag"] == plain[1]["etag"][:-1] + ':gzip"'
    assert gzip.decompress(zipped[1][2]) == plain[2]
    again = get(stack.url + path)  # a client without gzip still gets the identity body
    assert again[1]["x-cache-status"] == "HIT" and "content-encoding" not in again[1]
    assert again[2] == plain[2]


def test_each_origin_gets_its_own_cached_variant(stack):
    path = "/v1/articles/low-mood-and-sleep"
    site, app = ({"Origin": origin} for origin in ORIGINS)
    answers = [
        get(stack.url + path, headers)
        for headers in (site, app, site, {"Origin": "https://evil.example"}, {}, app)
    ]
    assert [h["x-cache-status"] for _, h, _ in answers] == [
        "MISS",
        "MISS",
        "HIT",
        "MISS",
        "MISS",
        "HIT",
    ]
    allowed = [h.get("access-control-allow-origin") for _, h, _ in answers]
    assert allowed == [ORIGINS[0], ORIGINS[1], ORIGINS[0], None, None, ORIGINS[1]]
    assert all("Origin" in h["vary"] for _, h, _ in answers)


def test_revalidation_through_the_cache_is_a_304(stack):
    path = "/v1/treatments/walking"
    status, headers, _ = get(stack.url + path)
    assert status == 200
    etag = headers["etag"]
    for tag in (etag, f"W/{etag}", f'"nope", {etag}'):
        status, headers, body = get(stack.url + path, {"If-None-Match": tag})
        assert status == 304 and body == b""
        assert headers["etag"] == etag
        assert headers["x-cache-status"] == "HIT"  # answered by nginx from its copy
    status, _, _ = get(stack.url + path, {"If-None-Match": '"another"'})
    assert status == 200


def test_cache_obeys_max_age(stack):
    path = "/v1/treatments/knee-injection"
    assert get(stack.url + path)[1]["x-cache-status"] == "MISS"
    assert get(stack.url + path)[1]["x-cache-status"] == "HIT"
    time.sleep(MAX_AGE + 1.5)
    # past max-age: served stale while nginx revalidates (the API's stale-while-revalidate)
    expired = get(stack.url + path)[1]["x-cache-status"]
    assert expired in {"STALE", "UPDATING", "REVALIDATED", "EXPIRED"}, expired


def test_errors_and_keyed_answers_are_never_served_from_the_cache(stack):
    for _ in range(2):
        status, headers, body = get(stack.url + "/v1/conditions/no-such-page")
        assert status == 404 and headers["x-cache-status"] == "MISS"
        assert headers["content-type"] == "application/problem+json"
        assert json.loads(body)["status"] == 404
    path = "/v1/articles/knee-pain-basics"
    get(stack.url + path)
    assert get(stack.url + path)[1]["x-cache-status"] == "HIT"
    status, headers, _ = get(stack.url + path, {"X-API-Key": LOAD_KEY})
    assert status == 200 and headers["x-cache-status"] == "BYPASS"
    assert headers["cache-control"] == "private, no-store"
    # a wrong key reaches the API (401) even though the URL is cached for everyone else
    status, headers, body = get(stack.url + path, {"X-API-Key": "ck_live-wrong"})
    assert status == 401 and json.loads(body)["status"] == 401
    status, _, _ = get(stack.url + path, {"Authorization": "Bearer ck_live-wrong"})
    assert status == 401


def test_a_rate_limit_is_exact_across_two_replicas(stack):
    a, b = stack.replicas
    answers = [get((a, b)[i % 2].url + "/v1/site", {"X-API-Key": LIMITED_KEY}) for i in range(8)]
    assert [status for status, _, _ in answers] == [200] * 5 + [429] * 3
    assert [h["ratelimit-remaining"] for _, h, _ in answers[:5]] == ["4", "3", "2", "1", "0"]
    problem = json.loads(answers[5][2])
    assert problem["status"] == 429 and int(answers[5][1]["retry-after"]) >= 1
    status, _, _ = get(stack.url + "/v1/articles", {"X-API-Key": LIMITED_KEY})
    assert status == 429  # and through nginx, whichever replica it picks


def test_the_client_address_is_the_one_nginx_saw(stack):
    """X-Forwarded-For as nginx passes it, read by ProxyFix (TRUSTED_PROXIES=1): entries a client
    writes itself do not buy it a fresh anonymous budget; nginx's own entry is believed."""

    def remaining(url, forwarded):
        status, headers, _ = get(url, {"X-Forwarded-For": forwarded})
        assert status == 200 and headers.get("x-cache-status", "MISS") == "MISS"
        return int(headers["ratelimit-remaining"])

    def four_in_a_row(attempt):
        # distinct searches: each one reaches a replica (never a cached or replayed answer)
        urls = [f"{stack.url}/v1/search?q=knee{attempt}x{i}" for i in range(4)]
        return [remaining(url, f"10.9.8.{i}") for i, url in enumerate(urls)]

    # one client (127.0.0.1, as nginx saw it), whatever it claims; a second try only if the
    # limit's window happened to end in the middle of the first
    counts = four_in_a_row(0)
    if counts != [counts[0] - i for i in range(4)]:
        counts = four_in_a_row(1)
    assert counts == [counts[0] - i for i in range(4)]
    # a request from the proxy itself, naming a client: that client's own, fresh budget
    fresh = remaining(f"{stack.replicas[0].url}/v1/search?q=walk", "203.0.113.7")
    assert fresh == 100000 - 1


def test_nginx_refusals_are_problem_json(stack):
    status, headers, body = get(stack.url + "/v1/site?q=" + "x" * 5000)
    assert status == 414 and headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 414
    status, headers, body = get(stack.url + "/v1/site", method="GET", body=b"x" * 4096)
    assert status == 413 and json.loads(body)["title"] == "Content Too Large"
    status, headers, body = get(stack.url + "/v1/site", {"X-Big": "y" * 5000})
    assert status == 431 and headers["content-type"] == "application/problem+json"


def test_no_replica_answering_is_a_503_problem(tmp_path):
    alone = local.Stack(tmp_path)
    alone.start_nginx(upstreams=[f"127.0.0.1:{local.free_port()}"])  # nothing listens there
    try:
        status, headers, body = get(alone.url + "/v1/site")
    finally:
        alone.stop()
    assert status == 503 and headers["content-type"] == "application/problem+json"
    assert headers["retry-after"] == "5" and headers["cache-control"] == "no-store"
    assert json.loads(body)["status"] == 503


def test_slow_clients_do_not_starve_normal_clients_through_nginx(stack):
    host, port = "127.0.0.1", stack.nginx_port
    paths = ["/v1/site", DETAIL, "/v1/articles", "/v1/search?q=knee", "/v1/treatments/walking"]
    with SlowClients(host, port, 30):
        result = normal_clients(host, port, paths, 4, 4.0, {"X-API-Key": LOAD_KEY})
    assert result["failures"] == []
    assert len(result["latencies"]) > 20


def test_slow_clients_do_not_starve_make_run(live_server):
    """gunicorn as `make run` serves it (gunicorn.conf.py's defaults, no proxy): 30 connections
    trickling headers hold no worker. With sync workers every normal request here failed."""
    parts = urlsplit(live_server)
    paths = ["/v1/site", "/v1/articles", "/v1/conditions/knee-pain", "/v1/search?q=knee"]
    with SlowClients(parts.hostname, parts.port, 30):
        result = normal_clients(parts.hostname, parts.port, paths, 4, 4.0)
    assert result["failures"] == []
    assert len(result["latencies"]) > 20


def load_while(stack, action, seconds: float = 4.0) -> dict:
    """Keyed requests (never from the cache: each reaches a replica) from 4 clients through
    nginx for `seconds`, with `action` run 1.5 s in."""
    paths = ["/v1/site", DETAIL, "/v1/articles", "/v1/search?q=knee", "/v1/treatments/walking"]
    timer = threading.Timer(1.5, action)
    timer.start()
    result = normal_clients(
        "127.0.0.1", stack.nginx_port, paths, 4, seconds, {"X-API-Key": LOAD_KEY}
    )
    timer.join()
    result["errors"] = (stack.directory / "nginx-logs" / "error.log").read_text()[-3000:]
    return result


def test_a_replica_stopped_mid_load_costs_no_client_request(stack):
    """A deploy or a scale-down: the replica is stopped (SIGTERM) while requests flow; nginx
    sends what it refuses to the other one and every client request succeeds."""
    replica = stack.replicas[1]
    result = load_while(stack, replica.stop)
    assert replica.process.poll() is not None  # it did stop mid-load
    assert result["failures"] == [], result["errors"]
    assert len(result["latencies"]) > 20
    restarted = stack.start_replica(replica_env(stack), workers=1, port=replica.port)
    assert stack.replicas[1] is restarted
    time.sleep(5.5)  # nginx's fail_timeout: the restarted replica is back in rotation after it


def test_a_replica_killed_mid_load_costs_no_client_request(stack):
    """A crash (SIGKILL to the master and its worker at once). nginx retries a request on the
    other replica only while it has forwarded nothing of the answer; a sync worker's output is
    held by the kernel until its response is whole and reset if it dies (gunicorn.conf.py), so
    a crash mid-write leaves nginx nothing forwarded: every client request succeeds."""
    replica = stack.replicas[1]
    result = load_while(stack, replica.kill)
    assert replica.process.poll() is not None  # it did die mid-load
    assert len(result["latencies"]) > 20
    assert result["failures"] == [], result["errors"]
    status, headers, _ = get(stack.url + "/v1/site", {"X-API-Key": LOAD_KEY})
    assert status == 200


def test_one_vary_header_whatever_the_origin(stack):
    """nginx reads one Vary header: a second one (flask-cors's own `Vary: Origin`) made it file
    an allowed origin's copy under another variant rule than the others', so they missed."""
    for headers in ({}, {"Origin": ORIGINS[0]}, {"Origin": "https://evil.example"}):
        connection = http.client.HTTPConnection("127.0.0.1", stack.replicas[0].port, timeout=10)
        try:
            connection.request("GET", "/v1/site", headers=headers)
            response = connection.getresponse()
            response.read()
            varies = [v for k, v in response.getheaders() if k.lower() == "vary"]
        finally:
            connection.close()
        assert varies == ["Authorization, X-API-Key, Accept-Encoding, Origin"], headers
