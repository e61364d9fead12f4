"""Long URLs: up to MAX_URL_LENGTH served, beyond it a 414 problem+json from the app, both
in-process and through real gunicorn (whose own request-line limit is higher)."""

import http.client
import socket
from urllib.parse import urlsplit

import pytest

from api.limits import MAX_URL_LENGTH

from .helpers import assert_problem


def _padded(prefix: str, length: int) -> str:
    """A URL of exactly `length` characters: prefix plus an ignored-length query value."""
    return prefix + "a" * (length - len(prefix))


def test_a_url_at_the_limit_reaches_the_views(client):
    url = _padded("/v1/search?q=", MAX_URL_LENGTH)
    body = assert_problem(client.get(url), 400)  # the view's own check: q is too long
    assert body["errors"][0]["field"] == "q"


def test_a_url_past_the_limit_is_a_414_problem(client):
    url = _padded("/v1/search?q=", MAX_URL_LENGTH + 1)
    response = client.get(url)
    body = assert_problem(response, 414)
    assert str(MAX_URL_LENGTH) in body["detail"] and str(MAX_URL_LENGTH + 1) in body["detail"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Request-ID"]


def _raw(base: str, request: bytes) -> tuple[int, str, bytes]:
    """Status, content type and body of one raw HTTP/1.1 exchange with the live server."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.getheader("Content-Type", ""), response.read()


@pytest.mark.parametrize("length", [4000, MAX_URL_LENGTH + 1, 8000])
def test_gunicorn_passes_long_urls_to_the_app(live_server, length):
    """Up to gunicorn's request-line limit every answer is the app's (problem+json)."""
    url = _padded("/v1/search?q=", length)
    status, content_type, body = _raw(
        live_server, f"GET {url} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    assert content_type == "application/problem+json", body[:200]
    assert status == (400 if length <= MAX_URL_LENGTH else 414)


def test_what_gunicorn_answers_itself(live_server):
    """Past gunicorn's limits the app is never called: the README's deployment notes say so.
    These pin what gunicorn sends, so the README stays true when gunicorn changes."""
    line = _padded("/v1/search?q=", 9000)
    status, content_type, _ = _raw(live_server, f"GET {line} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert (status, content_type.split(";")[0]) == (414, "text/html")
    big_header = b"GET /v1/site HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n"
    status, content_type, _ = _raw(live_server, big_header)
    assert (status, content_type.split(";")[0]) == (431, "text/html")
    status, content_type, _ = _raw(live_server, b"NOT A REQUEST LINE\r\n\r\n")
    assert (status, content_type.split(";")[0]) == (400, "text/html")
