"""api/sessions.py: every request gets the same null session, nothing can be stored in it, and
no answer sets a cookie."""

import pytest
from flask import session
from flask.sessions import NullSession

from api import create_app

from .conftest import PACK


@pytest.fixture
def sessionless_app(tmp_path):
    app = create_app({"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path), "ACCESS_LOG": False})
    seen = []

    @app.get("/__session-probe")
    def probe():
        seen.append(session._get_current_object())
        try:
            session["who"] = "anyone"
        except RuntimeError as exc:
            return {"refused": str(exc)}
        return {"refused": None}

    app.seen = seen
    return app


def test_every_request_shares_one_null_session_that_refuses_changes(sessionless_app):
    client = sessionless_app.test_client()
    first = client.get("/__session-probe", headers={"Cookie": "session=forged"})
    second = client.get("/__session-probe")
    assert first.status_code == second.status_code == 200
    assert "secret key" in first.json["refused"]
    assert second.json["refused"] and "who" not in sessionless_app.seen[0]
    one, other = sessionless_app.seen
    assert one is other and isinstance(one, NullSession)


@pytest.mark.parametrize("path", ["/v1/site", "/v1/articles", "/v1/nothing-here", "/healthz"])
def test_no_answer_sets_a_cookie(sessionless_app, path):
    response = sessionless_app.test_client().get(path, headers={"Cookie": "session=x"})
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
