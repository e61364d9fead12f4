"""Renamed pages answer 301, removed pages 410; redirects.yaml is validated like content."""

import pytest

from api.content.files import ContentErrors
from api.content.loader import load_store

from .helpers import assert_problem


def test_renamed_page_redirects_permanently(client):
    response = client.get("/v1/articles/knee-basics?format=text")
    assert response.status_code == 301
    assert response.headers["Location"] == "/v1/articles/knee-pain-basics?format=text"
    section = client.get("/v1/articles/knee-basics/sections/treatment")
    assert section.status_code == 301
    assert section.headers["Location"] == "/v1/articles/knee-pain-basics/sections/treatment"


def test_removed_page_is_410(client):
    body = assert_problem(client.get("/v1/treatments/old-remedy"), 410)
    assert (
        body["detail"] == "This treatment was removed on 2026-03-01. Replaced by current guidance."
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- from: articles/x\n  to: articles/nope\n  date: 2026-01-01\n", "no article 'nope'"),
        ("- removed: articles/knee-pain-basics\n  date: 2026-01-01\n", "still exists"),
        ("- removed: pages/x\n  date: 2026-01-01\n", "must be <articles|conditions|treatments>"),
        ("- from: articles/x\n  date: 2026-01-01\n", "a rename needs both from and to"),
        ("- removed: articles/x\n", "Missing data for required field."),
    ],
)
def test_bad_redirects_stop_loading(pack_copy, text, message):
    (pack_copy / "redirects.yaml").write_text(text)
    with pytest.raises(ContentErrors) as caught:
        load_store(pack_copy)
    errors = [e for e in caught.value.errors if e.file == "redirects.yaml"]
    assert any(message in e.message for e in errors), errors
