"""The change feed: everything first, then only what changed, removals included."""

import shutil

from api import create_app

from .conftest import PACK
from .helpers import assert_problem


def test_first_sync_lists_everything(client):
    body = client.get("/v1/changes").get_json()
    upserts = [(i["type"], i["slug"]) for i in body["items"] if i["change"] == "upsert"]
    assert ("article", "knee-pain-basics") in upserts
    assert ("article", "draft-article") not in upserts
    removals = {(i["slug"], i["moved_to"]) for i in body["items"] if i["change"] == "remove"}
    assert removals == {("knee-basics", "/v1/articles/knee-pain-basics"), ("old-remedy", None)}
    assert len(body["meta"]["cursor"]) == 16
    again = client.get(f"/v1/changes?since={body['meta']['cursor']}").get_json()
    assert again["items"] == [] and again["meta"]["cursor"] == body["meta"]["cursor"]


def test_changes_since_an_earlier_state(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(PACK, content)
    config = {"CONTENT_DIR": str(content), "INDEX_DIR": str(tmp_path / "index")}
    cursor = create_app(config).test_client().get("/v1/changes").get_json()["meta"]["cursor"]
    # edit one article, unpublish one treatment, publish a new condition
    article = content / "articles" / "low-mood-and-sleep.md"
    article.write_text(article.read_text().replace("are linked.", "are closely linked."))
    injection = content / "treatments" / "knee-injection.md"
    injection.write_text(injection.read_text().replace("status: published", "status: draft"))
    new = content / "conditions" / "neck-pain.md"
    new.write_text(
        (content / "conditions" / "low-mood.md").read_text().replace("Low mood", "Neck pain")
    )
    client = create_app(config).test_client()
    body = client.get(f"/v1/changes?since={cursor}").get_json()
    assert body["meta"]["reset"] is False
    changes = {(i["change"], i["type"], i["slug"]) for i in body["items"]}
    assert ("upsert", "article", "low-mood-and-sleep") in changes
    assert ("upsert", "condition", "neck-pain") in changes
    assert ("remove", "treatment", "knee-injection") in changes
    # knee-pain lost a related treatment: its representation changed too
    assert ("upsert", "condition", "knee-pain") in changes
    assert body["meta"]["cursor"] != cursor


def test_a_changed_urgent_help_service_changes_the_pages_that_show_it(tmp_path):
    """A deploy that corrects a help line in site.yaml reaches offline copies, and a rollback
    to the old site.yaml changes the same pages back."""
    content = tmp_path / "content"
    shutil.copytree(PACK, content)
    config = {"CONTENT_DIR": str(content), "INDEX_DIR": str(tmp_path / "index")}
    first = create_app(config).test_client()
    cursor = first.get("/v1/changes").get_json()["meta"]["cursor"]
    site = content / "site.yaml"
    original = site.read_text()
    site.write_text(original.replace("Call or text 111", "Call or text 112"))
    client = create_app(config).test_client()
    body = client.get(f"/v1/changes?since={cursor}").get_json()
    assert {(i["change"], i["type"], i["slug"]) for i in body["items"]} == {
        ("upsert", "condition", "low-mood")  # the only page declaring that line
    }
    detail = client.get("/v1/conditions/low-mood").get_json()["data"]
    assert detail["urgent_help"][0]["how_to_reach"] == "Call or text 112"
    site.write_text(original)  # roll back
    back = create_app(config).test_client()
    since = body["meta"]["cursor"]
    rolled = back.get(f"/v1/changes?since={since}").get_json()
    assert [i["slug"] for i in rolled["items"]] == ["low-mood"]
    detail = back.get("/v1/conditions/low-mood").get_json()["data"]
    assert detail["urgent_help"][0]["how_to_reach"] == "Call or text 111"


def test_unknown_cursor_resets_and_malformed_is_400(client):
    everything = client.get("/v1/changes").get_json()
    assert everything["meta"]["reset"] is True
    body = client.get("/v1/changes?since=0123456789abcdef").get_json()
    assert body["meta"]["reset"] is True and body["items"] == everything["items"]
    current = client.get(f"/v1/changes?since={everything['meta']['cursor']}").get_json()
    assert current["meta"]["reset"] is False
    assert_problem(client.get("/v1/changes?since=not-a-cursor"), 400)
