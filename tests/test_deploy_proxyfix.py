"""TRUSTED_PROXIES: the client address the app's rate limits count (on every request of the one
path, memoised answers included) is the one the trusted proxy wrote, and nobody else's
X-Forwarded-For."""

import pytest

from api import create_app

from .conftest import PACK


@pytest.fixture(scope="module", params=[0, 1], ids=["direct", "behind-nginx"])
def proxied(request, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(PACK),
            "INDEX_DIR": str(tmp_path_factory.mktemp("index")),
            "RATELIMIT_DEFAULT": "100 per minute",
            "TRUSTED_PROXIES": request.param,
        }
    )
    return request.param, app.test_client()


def remaining(client, forwarded: str) -> int:
    # the same URL every time: from the second request on, the memo answers it
    response = client.get("/v1/site", headers={"X-Forwarded-For": forwarded})
    assert response.status_code == 200
    return int(response.headers["RateLimit-Remaining"])


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(proxied):
    proxies, client = proxied
    first = remaining(client, "198.51.100.1")
    second = remaining(client, "198.51.100.2")  # memoised
    third = remaining(client, "198.51.100.1")  # memoised
    if proxies:  # two clients, as the proxy named them: one budget each
        assert (first, second, third) == (99, 99, 98)
        # nginx appends the address it saw; what the client sent before it is ignored
        assert remaining(client, "203.0.113.9, 192.0.2.50") == 99
        assert remaining(client, "203.0.113.10, 192.0.2.50") == 98
    else:  # a client that writes the header itself is still one client (the socket's address)
        assert (first, second, third) == (99, 98, 97)
