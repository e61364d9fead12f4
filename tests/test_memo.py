"""The memo (delivery/memo.py): one request path, representations kept per URL, bounded in
bytes, thread-safe, never keyed by what a client can forge."""

import gzip
import json
import threading

import pytest

from api import create_app
from api.delivery.memo import Memo, Representation, _key_size, _size
from api.lru import LRU

from .conftest import PACK

DETAIL = "/v1/articles/knee-pain-basics"


@pytest.fixture
def limited_app(tmp_path):
    return create_app(
        {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path), "RATELIMIT_DEFAULT": "5 per minute"}
    )


def test_a_memoised_answer_runs_every_hook(limited_app, capfd):
    client = limited_app.test_client()
    capfd.readouterr()
    first = client.get(DETAIL, headers={"X-Request-ID": "one"})
    again = client.get(DETAIL, headers={"X-Request-ID": "two"})
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines()]
    assert [line["memo"] for line in lines] == ["miss", "hit"]
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["X-Request-ID"] == "two"  # request id hook ran
    assert first.headers["RateLimit-Remaining"] == "4"
    assert again.headers["RateLimit-Remaining"] == "3"  # the limiter counted it
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    assert again.headers["X-API-Version"] == "1"
    revalidated = client.get(DETAIL, headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304
    assert revalidated.headers["RateLimit"].startswith('"default";r=2;')  # counted too
    for _ in range(3):
        client.get(DETAIL)
    limited = client.get(DETAIL)  # a memoised URL is limited like any other
    assert limited.status_code == 429
    assert limited.headers["Content-Type"] == "application/problem+json"


def test_errors_previews_and_invalid_queries_are_never_kept(limited_app):
    client = limited_app.test_client()
    memo = limited_app.extensions["memo"]
    assert client.get("/v1/articles?page=0").status_code == 400
    assert client.get("/v1/articles/nope").status_code == 404
    client.get("/v1/articles/draft-article?preview=forged")
    assert len(memo.cache) == 0
    client.get(DETAIL)
    assert len(memo.cache) == 1


def test_forged_host_and_script_name_never_reach_a_body(client):
    forged = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    oembed = "/oembed?url=https://clinic.test/conditions/knee-pain"
    for path in ("/v1/feed.atom", "/v1/feed.json", oembed):
        poisoned = client.get(path, headers=forged, environ_overrides={"SCRIPT_NAME": "/evil"})
        assert poisoned.status_code == 200
        assert b"evil" not in poisoned.data, path
        clean = client.get(path)
        assert b"evil" not in clean.data and clean.data == poisoned.data
    renamed = client.get("/v1/articles/knee-basics", environ_overrides={"SCRIPT_NAME": "/evil"})
    assert renamed.status_code == 301
    assert renamed.headers["Location"] == "/v1/articles/knee-pain-basics"


def test_public_api_url_is_used_for_absolute_links(tmp_path):
    app = create_app(
        {
            "CONTENT_DIR": str(PACK),
            "INDEX_DIR": str(tmp_path),
            "PUBLIC_API_URL": "https://api.clinic.example/",
        }
    )
    feed = app.test_client().get("/v1/feed.json", headers={"Host": "evil.example"}).get_json()
    assert feed["feed_url"] == "https://api.clinic.example/v1/feed.json"


def test_bounded_in_bytes_counting_headers():
    memo = Memo(40_000)
    headers = (("Content-Type", "application/json"), ("Link", "x" * 500))
    for n in range(100):
        key = ("/p", b"q" * 300 + str(n).encode(), "")
        memo.put(key, Representation(b"y" * 1000, "tag", headers, key_bytes=_key_size(key)))
    assert memo.cache.currsize <= 40_000
    # each item counts its body, headers, key and tag as Python objects, and the cache's own
    # bookkeeping: over 2,000 bytes, so at most 19 of them fit, not 40_000 // 1000
    size = _size(memo.cache.get(key))
    assert size > 1000 + 500 + 300 + 300
    assert len(memo.cache) == 40_000 // size
    memo.put(("/huge", b"", ""), Representation(b"z" * 5000, "t", ()))  # > 1/8: not kept
    assert memo.get(("/huge", b"", "")) is None


def test_lru_is_thread_safe_under_eviction():
    cache = LRU(50, getsizeof=lambda v: 1)
    errors = []

    def worker(offset):
        try:
            for n in range(5000):
                key = (offset + n) % 120
                cache.get_or(key, lambda key=key: key)
        except Exception as exc:  # noqa: BLE001 - any exception is the failure
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i * 7,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(cache) <= 50


def test_threaded_requests_with_a_tiny_memo(tmp_path):
    app = create_app(
        {
            "CONTENT_DIR": str(PACK),
            "INDEX_DIR": str(tmp_path),
            "RESPONSE_MEMO_MB": 0.02,  # ~20 KB: constant eviction
            "RATELIMIT_DEFAULT": "100000 per minute",
            "ACCESS_LOG": False,
        }
    )
    paths = ["/v1/articles", "/v1/conditions", "/v1/treatments", DETAIL, "/v1/tags", "/v1/site"]
    statuses = []

    def worker():
        client = app.test_client()
        for n in range(60):
            statuses.append(client.get(paths[n % len(paths)]).status_code)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 360


# Headers set per request or per answer: everything else must be the same on a miss, a hit
# and a hit that starts from the URL's finished copy.
PER_REQUEST = {"X-Request-ID", "RateLimit", "RateLimit-Remaining", "RateLimit-Reset"}
KEY = "ck_memo-partner"


def _stable(response) -> list:
    return sorted((n, v) for n, v in response.headers.items() if n not in PER_REQUEST)


def _finished_app(tmp_path, **extra):
    from api.partners.keys import hash_key

    partners = [{"name": "memo", "key_sha256": hash_key(KEY)}]
    config = {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path), "ACCESS_LOG": False}
    config |= {"PARTNER_KEYS": json.dumps(partners), "PARTNER_KEYS_FILE": ""}
    return create_app(config | {"RATELIMIT_DEFAULT": "1000 per minute"} | extra)


def _entry(app, path: str, query: bytes = b""):
    from api.delivery.urls import LOCAL_BASE

    return app.extensions["memo"].get((path, query, LOCAL_BASE))


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://a.example"},
        {"Accept-Encoding": "gzip"},
        {"Accept-Encoding": "gzip", "Origin": "https://b.example"},
    ],
)
@pytest.mark.parametrize("path", [DETAIL, "/v1/articles?per_page=2"])
def test_a_finished_hit_sends_what_the_full_path_sends(tmp_path, headers, path):
    app = _finished_app(tmp_path)
    client = app.test_client()
    miss = client.get(path, headers=headers)
    first_hit = client.get(path, headers=headers)
    finished_hit = client.get(path, headers=headers)
    assert miss.status_code == first_hit.status_code == finished_hit.status_code == 200
    assert _stable(miss) == _stable(first_hit) == _stable(finished_hit)
    assert miss.data == first_hit.data == finished_hit.data
    assert finished_hit.headers["Access-Control-Allow-Origin"] == "*"
    assert finished_hit.headers["X-Content-Type-Options"] == "nosniff"
    assert int(finished_hit.headers["RateLimit-Remaining"]) == 997  # counted every time
    assert finished_hit.headers["X-Request-ID"] != first_hit.headers["X-Request-ID"]
    base, _, query = path.partition("?")
    entry = _entry(app, base, query.encode())
    if miss.headers.get("Content-Encoding") == "gzip":  # gzip answers never fill the copy
        assert entry.finished is None
    else:
        assert ("ETag", miss.headers["ETag"]) in entry.finished
    revalidated = client.get(path, headers=headers | {"If-None-Match": miss.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.data == b""
    assert revalidated.headers["ETag"] == miss.headers["ETag"]


def test_keyed_and_private_network_requests_never_use_the_finished_copy(tmp_path):
    app = _finished_app(tmp_path)
    client = app.test_client()
    for _ in range(3):
        anonymous = client.get(DETAIL)
    keyed = client.get(DETAIL, headers={"X-API-Key": KEY})
    assert keyed.status_code == 200 and keyed.data == anonymous.data
    assert keyed.headers["Cache-Control"] == "private, no-store"
    assert anonymous.headers["Cache-Control"].startswith("public, ")
    assert keyed.headers["ETag"] == anonymous.headers["ETag"]
    probe = {"Origin": "https://a.example", "Access-Control-Request-Private-Network": "true"}
    answer = client.get(DETAIL, headers=probe)
    assert answer.headers["Access-Control-Allow-Private-Network"] == "false"  # flask-cors ran
    assert client.get(DETAIL).headers.get("Access-Control-Allow-Private-Network") is None
    # a keyed first request leaves no private header in the copy anonymous requests get
    fresh = _finished_app(tmp_path / "fresh").test_client()
    fresh.get(DETAIL, headers={"X-API-Key": KEY})
    fresh.get(DETAIL, headers={"X-API-Key": KEY})
    for _ in range(2):
        assert fresh.get(DETAIL).headers["Cache-Control"].startswith("public, ")


def test_an_origin_list_is_answered_per_origin_on_finished_hits(tmp_path):
    allowed = "https://www.clinic.example"
    app = _finished_app(tmp_path, CORS_ORIGINS=[allowed])
    client = app.test_client()
    # the first answers carry an echoed origin: never copied
    for _ in range(2):
        echoed = client.get(DETAIL, headers={"Origin": allowed})
        assert echoed.headers["Access-Control-Allow-Origin"] == allowed
    assert _entry(app, DETAIL).finished is None
    for _ in range(3):  # then anonymous answers without Origin fill and use the copy
        plain = client.get(DETAIL)
        assert "Access-Control-Allow-Origin" not in plain.headers
        assert "Origin" in plain.headers["Vary"]
    finished = _entry(app, DETAIL).finished
    assert finished is not None
    assert not any(name.startswith("Access-Control-") for name, _ in finished)
    again = client.get(DETAIL, headers={"Origin": allowed})
    assert again.headers["Access-Control-Allow-Origin"] == allowed
    assert "Origin" in again.headers["Vary"] and again.headers["Vary"].count("Origin") == 1
    other = client.get(DETAIL, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    assert _stable(plain) == _stable(other)


def test_werkzeug_headers_keep_their_pairs_in_list():
    """response.kept_headers (the memo's finished copies, the copy handed to the server) puts
    pairs into Werkzeug's private `Headers._list` (Werkzeug is pinned exactly in
    requirements.lock): this fails if that storage changes."""
    from werkzeug.datastructures import Headers

    from api.delivery.response import kept_headers

    pairs = (("Content-Type", "application/json"), ("Vary", "Origin"), ("Link", "<a>"))
    assert Headers(list(pairs))._list == list(pairs)
    headers = kept_headers(pairs)
    assert list(headers.items()) == list(pairs) and headers["vary"] == "Origin"
    headers.add("Link", "<b>")
    headers["Content-Type"] = "text/plain"
    assert headers.getlist("Link") == ["<a>", "<b>"] and headers["Content-Type"] == "text/plain"
    assert kept_headers(pairs)["Content-Type"] == "application/json"  # each answer its own copy


@pytest.mark.parametrize("origin", [{}, {"Origin": "https://a.example"}])
def test_a_url_only_ever_revalidated_fills_and_uses_the_finished_copy(tmp_path, origin):
    """A worker whose clients only revalidate a URL (an app refreshing its offline cache after
    a deploy) must take the finished path too: the 304 made from the kept 200 fills the copy,
    and the 304s answered from it carry the same headers as the first."""
    etag = _finished_app(tmp_path / "tag").test_client().get(DETAIL).headers["ETag"]
    app = _finished_app(tmp_path)  # a fresh worker: nothing kept yet
    client = app.test_client()
    asked = origin | {"If-None-Match": etag}
    first = client.get(DETAIL, headers=asked)  # the view runs; answered 304
    assert first.status_code == 304 and first.data == b""
    finished = _entry(app, DETAIL).finished
    assert finished is not None and ("ETag", etag) in finished
    assert not any(name.lower() in {"content-encoding", "x-request-id"} for name, _ in finished)
    assert not any(name.startswith("RateLimit") for name, _ in finished)
    later = [client.get(DETAIL, headers=asked) for _ in range(2)]
    assert [r.status_code for r in later] == [304, 304]
    assert _stable(first) == _stable(later[0]) == _stable(later[1])
    assert [r.headers["RateLimit"].split(";")[1] for r in later] == ["r=998", "r=997"]
    assert "Content-Type" not in later[1].headers and "Last-Modified" not in later[1].headers
    full = client.get(DETAIL)  # and a 200 from the copy is the whole representation
    fresh = _finished_app(tmp_path / "fresh").test_client().get(DETAIL)
    assert full.status_code == 200 and full.data == fresh.data
    # Last-Modified: when each app first served this content version (a second apart, maybe)
    assert full.headers["Last-Modified"] and fresh.headers["Last-Modified"]
    moment = {"Last-Modified"}
    assert [h for h in _stable(full) if h[0] not in moment] == [
        h for h in _stable(fresh) if h[0] not in moment
    ]


def test_a_finished_copy_answers_gzip_and_its_304_like_the_full_path(tmp_path):
    """The finished copy is identity-coded: a gzip request answered from it (compressed per
    request) and its revalidation send what a worker without the copy sends."""
    zipping = {"Accept-Encoding": "gzip"}
    fresh = _finished_app(tmp_path / "fresh").test_client()
    expected = fresh.get(DETAIL, headers=zipping)
    expected_304 = fresh.get(DETAIL, headers=zipping | {"If-None-Match": expected.headers["ETag"]})
    app = _finished_app(tmp_path)
    client = app.test_client()
    for _ in range(2):  # identity answers fill the copy
        client.get(DETAIL)
    assert _entry(app, DETAIL).not_modified is not None
    zipped = client.get(DETAIL, headers=zipping)
    assert zipped.headers["Content-Encoding"] == "gzip"
    # the same body (a gzip stream carries the second it was made in: compare what it holds)
    assert gzip.decompress(zipped.data) == gzip.decompress(expected.data)
    moment = {"Last-Modified"}  # when each app first served this content version
    assert [h for h in _stable(zipped) if h[0] not in moment] == [
        h for h in _stable(expected) if h[0] not in moment
    ]
    again = client.get(DETAIL, headers=zipping | {"If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == expected_304.status_code == 304
    assert _stable(again) == _stable(expected_304)
    assert "Content-Encoding" not in again.headers and "Content-Length" not in again.headers
