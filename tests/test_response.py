"""delivery/response.py: the headers the server is handed are Werkzeug's, pair for pair, and a
304 carries what RFC 9110 §15.4.5 asks for."""

import pytest
from flask import Response
from werkzeug.test import EnvironBuilder

from api.delivery.response import OMITTED_FROM_304, ApiResponse

from .conftest import PACK


def _responses():
    """(name, make) for responses of every shape get_wsgi_headers treats differently."""
    body = b'{"a": 1}'
    kept = [("Content-Type", "application/json"), ("ETag", '"t"'), ("Vary", "Origin")]
    return [
        ("200 bytes", lambda cls: cls(body, headers=kept)),
        ("200 no length", lambda cls: _without_length(cls([body, b"2"], headers=kept))),
        ("200 str parts", lambda cls: _without_length(cls(["é", "x"], headers=kept))),
        ("200 generator", lambda cls: cls((part for part in [body]), headers=kept)),
        ("200 location", lambda cls: cls(body, headers={"Location": "/v1/é"})),
        ("301", lambda cls: cls(b"", status=301, headers={"Location": "/v1/x"})),
        ("content-location", lambda cls: cls(body, headers={"Content-Location": "/ü"})),
        ("204", lambda cls: cls(b"", status=204)),
        ("304 location", lambda cls: cls(body, status=304, headers={"Location": "/x"})),
        ("404 problem", lambda cls: cls(body, status=404, mimetype="application/problem+json")),
        ("no auto length", lambda cls: _no_auto_length(cls([body], headers=kept))),
    ]


def _without_length(response):
    del response.headers["Content-Length"]
    return response


def _no_auto_length(response):
    response.automatically_set_content_length = False
    return _without_length(response)


@pytest.mark.parametrize("make", [m for _, m in _responses()], ids=[n for n, _ in _responses()])
def test_the_servers_headers_are_werkzeugs(make):
    environ = EnvironBuilder("/v1/x").get_environ()
    ours = make(ApiResponse).get_wsgi_headers(environ)
    theirs = make(Response).get_wsgi_headers(environ)
    assert ours.to_wsgi_list() == theirs.to_wsgi_list()


def test_a_304_leaves_out_only_the_representations_metadata():
    headers = [
        ("Content-Type", "application/json"),
        ("ETag", '"t"'),
        ("Cache-Control", "public, max-age=300"),
        ("Vary", "Accept-Encoding"),
        ("Expires", "Thu, 01 Jan 2037 00:00:00 GMT"),
        ("Last-Modified", "Sun, 29 Nov 2026 18:00:00 GMT"),
        ("X-API-Version", "1"),
        ("X-Content-Type-Options", "nosniff"),
        ("Access-Control-Allow-Origin", "*"),
        ("Deprecation", "@1700000000"),
        ("RateLimit", '"default";r=1;t=60'),
        ("X-Request-ID", "abc"),
    ]
    environ = EnvironBuilder("/v1/x").get_environ()
    ours = ApiResponse(b"body", status=304, headers=headers).get_wsgi_headers(environ)
    theirs = Response(b"body", status=304, headers=headers).get_wsgi_headers(environ)
    removed = [pair for pair in theirs.to_wsgi_list() if pair not in ours.to_wsgi_list()]
    assert [name for name, _ in removed] == ["X-API-Version", "X-Content-Type-Options"]
    assert ours.to_wsgi_list() == [
        pair for pair in headers if pair[0].lower() not in OMITTED_FROM_304
    ]


@pytest.fixture
def deprecated_client(tmp_path):
    from api import create_app

    config = {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path), "ACCESS_LOG": False}
    config |= {"V1_DEPRECATION": "2026-01-01T00:00:00Z", "V1_SUNSET": "2099-01-01T00:00:00Z"}
    config |= {"V1_DEPRECATION_LINK": "https://example.org/migrate"}
    return create_app(config).test_client()


@pytest.mark.parametrize("path", ["/v1/site", "/v1/conditions?per_page=2"])
def test_an_apps_304_carries_what_a_cache_and_a_script_need(deprecated_client, path):
    """Over the whole path (memo hit, every hook): the 304 repeats the 200's validators,
    caching, CORS, version-lifecycle, rate-limit and request-id headers and nothing that
    describes the body it does not carry."""
    full = deprecated_client.get(path)
    for revalidation in range(2):  # the first fills the memo's finished copy, the second uses it
        response = deprecated_client.get(path, headers={"If-None-Match": full.headers["ETag"]})
        assert response.status_code == 304 and response.data == b""
        for name in ("ETag", "Cache-Control", "Vary", "Deprecation", "Sunset", "Link"):
            assert response.headers[name] == full.headers[name], (revalidation, name)
        for name in ("Access-Control-Allow-Origin", "Access-Control-Expose-Headers"):
            assert response.headers[name] == full.headers[name], (revalidation, name)
        assert response.headers["RateLimit-Policy"] == full.headers["RateLimit-Policy"]
        left = int(full.headers["RateLimit-Remaining"]) - 1 - revalidation  # counted, each one
        assert response.headers["RateLimit"].startswith(f'"default";r={left};t=')
        assert response.headers["X-Request-ID"] != full.headers["X-Request-ID"]
        for name in ("Content-Type", "Content-Length", "Last-Modified", "X-API-Version"):
            assert name not in response.headers, (revalidation, name)
        for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"):
            assert name not in response.headers, (revalidation, name)  # RateLimit's numbers
        assert "X-Content-Type-Options" not in response.headers


@pytest.mark.parametrize("path", ["/v1/site", "/v1/conditions?per_page=2"])
def test_a_checked_answer_sends_what_werkzeugs_method_would(deprecated_client, path, monkeypatch):
    """ApiResponse.checked (a memo hit from the finished copy, headers checked when kept) hands
    its headers over as they are: the same as Werkzeug's own get_wsgi_headers on the same
    response, and on a 304 the same less the representation's metadata."""
    seen = []
    ours = ApiResponse.get_wsgi_headers

    def spy(self, environ):
        sent = ours(self, environ).to_wsgi_list()
        theirs = Response.get_wsgi_headers(self, environ).to_wsgi_list()
        seen.append((self.checked, self.status_code, sent, theirs))
        return ours(self, environ)

    monkeypatch.setattr(ApiResponse, "get_wsgi_headers", spy)
    tag = deprecated_client.get(path).headers["ETag"]
    for _ in range(2):  # the first fills the finished copy
        deprecated_client.get(path)
        deprecated_client.get(path, headers={"If-None-Match": tag})
    checked = [(status, sent, theirs) for flag, status, sent, theirs in seen if flag]
    assert [status for status, _, _ in checked] == [200, 304, 200, 304]
    assert all(sent == theirs for _, sent, theirs in checked)
    # a 304 sends the 200's headers, in the same order, less the representation's metadata
    full, not_modified = checked[0][1], checked[1][1]
    expected = [name for name, _ in full if name.lower() not in OMITTED_FROM_304]
    assert [name for name, _ in not_modified] == expected
    assert "X-API-Version" in dict(full) and "Content-Length" in dict(full)


def test_a_304s_headers_are_prepared_only_for_names_werkzeug_leaves_alone():
    from api.delivery.response import not_modified_headers

    pairs = (
        ("Content-Type", "application/json"),
        ("Content-Length", "12"),
        ("ETag", '"abc"'),
        ("X-API-Version", "1"),
        ("Vary", "Accept-Encoding"),
    )
    assert not_modified_headers(pairs) == (("ETag", '"abc"'), ("Vary", "Accept-Encoding"))
    assert not_modified_headers(pairs[:1] + pairs[2:]) is None  # no Content-Length
    assert not_modified_headers((*pairs, ("Content-Location", "/v1/x"))) is None  # rewritten
