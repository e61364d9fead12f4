"""/healthz and /readyz, request ids and the JSON access log."""

import json

import pytest


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_reports_store_and_index(client, app):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body == {
        "status": "ready",
        "content_version": app.extensions["content"].store.version,
        "entries": 6,
        "indexed": 6,
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_when_the_index_disagrees(tmp_path):
    import shutil

    from api import create_app
    from api.content.loader import load_store
    from api.search.index import open_or_build

    from .conftest import PACK

    app = create_app({"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path / "a")})
    # swap in an index built from different content (one article removed)
    other = tmp_path / "other"
    shutil.copytree(PACK, other)
    (other / "articles" / "low-mood-and-sleep.md").unlink()
    app.extensions["content"].search = open_or_build(load_store(other), tmp_path / "b")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["detail"] == "The search index holds 5 documents, the store 6."


def test_request_id_echoed_or_generated(client):
    assert client.get("/v1/site", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == (
        "abc-123"
    )
    generated = client.get("/v1/site", headers={"X-Request-ID": "bad id <script>"}).headers[
        "X-Request-ID"
    ]
    assert len(generated) == 32 and generated != "bad id"
    assert client.get("/v1/nope").headers["X-Request-ID"]


def test_a_supplied_id_with_a_line_break_is_replaced():
    """The id goes into the headers without Werkzeug checking it again (response.add_checked):
    a final newline, which `$` would have let through, gets a fresh id instead."""
    from api.delivery.access_log import request_id

    assert request_id("abc-123") == "abc-123"
    for bad in ("abc\n", "abc\r\nSet-Cookie: x=1", "", "a" * 129):
        assert len(fresh := request_id(bad)) == 32 and fresh != bad


def test_access_log_is_one_json_line_without_query_string(client, capfd):
    capfd.readouterr()
    client.get("/v1/search?q=secret+words", headers={"X-Request-ID": "req-1"})
    (line,) = capfd.readouterr().err.splitlines()
    entry = json.loads(line)
    assert set(entry) == {"method", "path", "status", "duration_ms", "request_id", "memo"}
    assert entry["memo"] in ("hit", "miss")  # a search page is made from content
    assert entry["method"] == "GET" and entry["path"] == "/v1/search"
    assert entry["status"] == 200 and entry["request_id"] == "req-1"
    assert entry["duration_ms"] > 0
    assert "secret" not in line


@pytest.mark.parametrize("method", ["GET", "DELETE", 'BR"EW'])
@pytest.mark.parametrize("path", ["/v1/articles", '/v1/a"b\\c\n\u00e9', "/\u2028x"])
def test_access_log_lines_are_json_whatever_the_path_and_method(capfd, method, path):
    """The line is formatted directly (access_log.write): a path or method a client chose is
    still one valid JSON line, with its characters as sent."""
    import time

    from api.delivery.access_log import write

    capfd.readouterr()
    write(method, path, 404, time.perf_counter(), "abc-1", None)
    write(method, path, 200, time.perf_counter(), "abc-2", "hit")
    lines = capfd.readouterr().err.split("\n")  # splitlines() would also split at U+2028
    first, second = (json.loads(line) for line in lines[:-1])
    assert lines[-1] == ""
    assert first == {
        "method": method,
        "path": path,
        "status": 404,
        "duration_ms": first["duration_ms"],
        "request_id": "abc-1",
    }
    assert second["memo"] == "hit" and second["status"] == 200 and second["path"] == path
    assert 0 <= first["duration_ms"] < 1000


def test_gunicorn_configuration():
    import runpy

    from .conftest import ROOT

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["preload_app"] is True
    assert settings["workers"] >= 1 and settings["graceful_timeout"] > 0
    assert settings["bind"].startswith("127.0.0.1:")


def test_hooks_resolve_flasks_context_proxies_once(app):
    """The hot hooks (request id, key check, rate limit, memo, 304) read g and request through
    Flask's documented `_get_current_object()`, once per hook: if Werkzeug's proxies lose it,
    this fails before any request does."""
    from flask import g, request

    with app.test_request_context("/v1/site?x=1", headers={"X-Request-ID": "abc"}):
        g.marker = 1
        here, req = g._get_current_object(), request._get_current_object()
        assert here.marker == 1 and here.get("marker") == 1 and type(here) is not type(g)
        assert (req.path, req.query_string, req.environ["HTTP_X_REQUEST_ID"]) == (
            "/v1/site",
            b"x=1",
            "abc",
        )
