"""Offline sync across content edits: per-entry versions and ETags, the paged change feed, bulk
details, and a mirror built from deltas that equals a fresh sync byte for byte."""

import shutil

import orjson
import pytest

from api import create_app
from api.v1.entries import BULK_MAX

from .conftest import PACK
from .helpers import assert_problem

COLLECTIONS = {"article": "articles", "condition": "conditions", "treatment": "treatments"}


def sync(client, mirror: dict, cursor: str | None, per_page: int = 2) -> str:
    """What an app does: page through /v1/changes, fetch upserts in bulk; returns the cursor."""
    url = f"/v1/changes?per_page={per_page}" + (f"&since={cursor}" if cursor else "")
    wanted: dict[str, list[str]] = {}
    requests = 0
    while url:
        page = client.get(url).get_json()
        requests += 1
        if page["meta"]["reset"]:
            mirror.clear()
        for item in page["items"]:
            key = (item["type"], item["slug"])
            if item["change"] == "remove":
                mirror.pop(key, None)
            else:
                wanted.setdefault(item["type"], []).append(item["slug"])
        url, cursor = page["meta"]["next"], page["meta"]["cursor"]
    for kind, slugs in wanted.items():
        for start in range(0, len(slugs), BULK_MAX):
            chunk = ",".join(slugs[start : start + BULK_MAX])
            body = client.get(f"/v1/{COLLECTIONS[kind]}/_bulk?slug={chunk}").get_json()
            assert body["meta"]["missing"] == []
            for item in body["items"]:
                mirror[(kind, item["data"]["slug"])] = orjson.dumps(item)
    return cursor


def detail_bodies(client) -> dict:
    """Every public entry's detail response, as the detail endpoint serves it."""
    everything = client.get("/v1/changes?per_page=1000").get_json()["items"]
    return {
        (i["type"], i["slug"]): client.get(i["url"], headers={"Accept-Encoding": "identity"}).data
        for i in everything
        if i["change"] == "upsert"
    }


@pytest.fixture
def pack(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(PACK, content)
    return content


def start(pack, tmp_path):
    """A fresh app on the pack as it is now: a deploy (or a restart after an edit)."""
    config = {"CONTENT_DIR": str(pack), "INDEX_DIR": str(tmp_path / "index"), "ACCESS_LOG": False}
    return create_app(config | {"RATELIMIT_DEFAULT": "100000 per minute"}).test_client()


def edit(path, old, new):
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


def test_a_mirror_from_deltas_equals_a_fresh_sync(pack, tmp_path):
    client = start(pack, tmp_path)
    mirror: dict = {}
    cursor = sync(client, mirror, None)
    assert mirror == {k: v for k, v in detail_bodies(client).items()}
    # an edit, a retitle seen in related summaries, an unpublish, a rename and a relation change
    edit(pack / "articles/low-mood-and-sleep.md", "are linked.", "are closely linked.")
    edit(pack / "conditions/low-mood.md", "name: Low mood", "name: Persistent low mood")
    edit(pack / "treatments/knee-injection.md", "status: published", "status: draft")
    edit(
        pack / "treatments/walking.md",
        "conditions: [knee-pain, low-mood]",
        "conditions: [knee-pain]",
    )
    (pack / "articles/knee-pain-basics.md").rename(pack / "articles/knee-pain-guide.md")
    edit(pack / "articles/knee-pain-guide.md", "slug: knee-pain-basics", "slug: knee-pain-guide")
    edit(pack / "redirects.yaml", "to: articles/knee-pain-basics", "to: articles/knee-pain-guide")
    with (pack / "redirects.yaml").open("a") as redirects:
        redirects.write("- from: articles/knee-pain-basics\n  to: articles/knee-pain-guide\n")
        redirects.write("  date: 2026-11-29\n")
    client = start(pack, tmp_path)
    before = dict(mirror)
    cursor = sync(client, mirror, cursor)
    fresh: dict = {}
    sync(client, fresh, None)
    assert mirror == fresh  # byte for byte, every entry
    assert fresh == detail_bodies(client)
    assert ("article", "knee-pain-basics") not in mirror
    assert ("treatment", "knee-injection") not in mirror
    # the article lists low-mood: its related summary changed, so it was re-fetched
    assert mirror[("article", "low-mood-and-sleep")] != before[("article", "low-mood-and-sleep")]
    again = client.get(f"/v1/changes?since={cursor}").get_json()
    assert again["items"] == [] and again["meta"]["next"] is None


def test_an_entrys_etag_and_version_change_only_with_its_representation(pack, tmp_path):
    client = start(pack, tmp_path)
    paths = [
        "/v1/conditions/knee-pain",
        "/v1/articles/low-mood-and-sleep",
        "/v1/conditions/low-mood",
    ]
    before = {p: client.get(p) for p in paths}
    # an unrelated edit: knee-pain does not show low-mood-and-sleep's body
    edit(pack / "articles/low-mood-and-sleep.md", "are linked.", "are closely linked.")
    client = start(pack, tmp_path)
    after = {p: client.get(p) for p in paths}
    knee, article = "/v1/conditions/knee-pain", "/v1/articles/low-mood-and-sleep"
    assert after[knee].headers["ETag"] == before[knee].headers["ETag"]
    assert after[knee].get_json()["meta"]["version"] == before[knee].get_json()["meta"]["version"]
    revalidated = client.get(knee, headers={"If-None-Match": before[knee].headers["ETag"]})
    assert revalidated.status_code == 304
    assert after[article].headers["ETag"] != before[article].headers["ETag"]
    assert (
        after[article].get_json()["meta"]["version"]
        != before[article].get_json()["meta"]["version"]
    )


def test_changes_are_paged_with_a_token_that_keeps_its_state(pack, tmp_path):
    client = start(pack, tmp_path)
    first = client.get("/v1/changes?per_page=3").get_json()
    assert len(first["items"]) == 3 and first["meta"]["next"]
    total, items, url = first["meta"]["total"], list(first["items"]), first["meta"]["next"]
    # a deploy in the middle of the sync: the remaining pages still describe the first state
    edit(pack / "articles/low-mood-and-sleep.md", "are linked.", "are closely linked.")
    client = start(pack, tmp_path)
    while url:
        page = client.get(url).get_json()
        assert page["meta"]["cursor"] == first["meta"]["cursor"]
        items += page["items"]
        url = page["meta"]["next"]
    assert len(items) == total == len({(i["type"], i["slug"]) for i in items})
    assert_problem(client.get("/v1/changes?page_token=0123456789abcdef.3"), 404)
    assert_problem(client.get("/v1/changes?page_token=nonsense"), 400)
    assert_problem(client.get("/v1/changes?per_page=1001"), 400)


def test_bulk_details(client):
    body = client.get("/v1/conditions/_bulk?slug=low-mood,nope,knee-pain,low-mood").get_json()
    assert [i["data"]["slug"] for i in body["items"]] == ["low-mood", "knee-pain"]
    assert body["meta"]["missing"] == ["nope"]
    single = client.get("/v1/conditions/low-mood", headers={"Accept-Encoding": "identity"})
    assert orjson.dumps(body["items"][0]) == single.data
    blocks = client.get("/v1/conditions/_bulk?slug=low-mood&format=blocks").get_json()
    assert set(blocks["items"][0]["data"]["body"]) == {"blocks", "toc"}
    too_many = ",".join(f"s{n}" for n in range(BULK_MAX + 1))
    assert_problem(client.get(f"/v1/conditions/_bulk?slug={too_many}"), 400)
    assert_problem(client.get("/v1/conditions/_bulk?slug=../etc"), 400)
    assert_problem(client.get("/v1/conditions/_bulk"), 400)
    draft = client.get("/v1/articles/_bulk?slug=draft-article").get_json()
    assert draft["items"] == [] and draft["meta"]["missing"] == ["draft-article"]


def test_a_deploy_that_changes_the_output_code_changes_every_version(pack, tmp_path, monkeypatch):
    client = start(pack, tmp_path)
    cursor = client.get("/v1/changes").get_json()["meta"]["cursor"]
    before = client.get("/v1/conditions/knee-pain").get_json()["meta"]["version"]
    monkeypatch.setattr("api.code_fingerprint", lambda: "another-release")
    monkeypatch.setattr("api.representations.code_fingerprint", lambda: "another-release")
    client = start(pack, tmp_path)  # same content, same index directory, new code
    assert client.get("/v1/conditions/knee-pain").get_json()["meta"]["version"] != before
    changed = client.get(f"/v1/changes?since={cursor}").get_json()
    upserts = {i["slug"] for i in changed["items"] if i["change"] == "upsert"}
    everything = client.get("/v1/changes").get_json()["items"]
    assert upserts == {i["slug"] for i in everything if i["change"] == "upsert"}
