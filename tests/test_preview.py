"""Preview tokens: a signed, scoped, expiring token shows one draft, privately."""

import os
import subprocess
import sys

import pytest

from api import create_app
from api.partners.preview import make_token

from .conftest import PACK, ROOT
from .helpers import assert_problem

SECRET = "test-preview-secret"


@pytest.fixture
def preview_client(tmp_path):
    config = {
        "CONTENT_DIR": str(PACK),
        "INDEX_DIR": str(tmp_path),
        "PREVIEW_SECRET": SECRET,
        "ACCESS_LOG": False,
    }
    return create_app(config).test_client()


def test_valid_token_shows_the_draft_privately(preview_client):
    token = make_token(SECRET, "article", "draft-article", minutes=5)
    response = preview_client.get(f"/v1/articles/draft-article?preview={token}")
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["title"] == "Draft article about knees"
    assert [c["slug"] for c in data["related"]["conditions"]] == ["knee-pain"]
    assert response.headers["Cache-Control"] == "private, no-store"
    scheduled = make_token(SECRET, "article", "scheduled-article", minutes=5)
    assert (
        preview_client.get(f"/v1/articles/scheduled-article?preview={scheduled}").status_code == 200
    )


@pytest.mark.parametrize(
    "token",
    [
        make_token(SECRET, "article", "knee-pain-basics", minutes=5),  # another entry
        make_token(SECRET, "condition", "draft-article", minutes=5),  # another type
        make_token("other-secret", "article", "draft-article", minutes=5),  # wrong signature
        make_token(SECRET, "article", "draft-article", minutes=-1),  # expired
        "garbage",
    ],
)
def test_wrong_or_expired_token_is_401(preview_client, token):
    response = preview_client.get(f"/v1/articles/draft-article?preview={token}")
    assert_problem(response, 401)
    assert response.headers["Cache-Control"] == "no-store"


def test_without_a_token_drafts_stay_404(preview_client):
    assert_problem(preview_client.get("/v1/articles/draft-article"), 404)


def test_previews_disabled_without_secret(client):
    token = make_token(SECRET, "article", "draft-article", minutes=5)
    body = assert_problem(client.get(f"/v1/articles/draft-article?preview={token}"), 401)
    assert body["detail"] == "Previews are not enabled on this server."


def test_cli_mints_tokens(tmp_path):
    env = {
        **os.environ,
        "CONTENT_DIR": str(PACK),
        "INDEX_DIR": str(tmp_path),
        "PREVIEW_SECRET": SECRET,
        "ACCESS_LOG": "false",
    }
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "wsgi",
        "preview",
        "token",
        "articles/draft-article",
        "--minutes",
        "5",
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    app = create_app(
        {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path), "PREVIEW_SECRET": SECRET}
    )
    assert app.test_client().get(f"/v1/articles/draft-article?preview={token}").status_code == 200
