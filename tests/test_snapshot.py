"""The rendered-store snapshot that makes restarts with unchanged content fast."""

from datetime import date

from api import create_app
from api.content.fingerprint import content_version
from api.content.loader import load_store
from api.content.snapshot import read_snapshot, write_snapshot
from api.search.index import STORE_FILE, index_path

from .conftest import PACK


def test_round_trip_equals_a_fresh_load(tmp_path):
    store = load_store(PACK)
    write_snapshot(store, tmp_path / "s.pickle")
    again = read_snapshot(tmp_path / "s.pickle", store.version, today=store.loaded_on)
    assert again == store
    assert again.entries["article"]["knee-pain-basics"].body.html == (
        store.entries["article"]["knee-pain-basics"].body.html
    )


def test_visibility_is_recomputed_for_the_day_it_is_read(tmp_path):
    store = load_store(PACK)
    write_snapshot(store, tmp_path / "s.pickle")
    later = read_snapshot(tmp_path / "s.pickle", store.version, today=date(3000, 1, 1))
    assert "scheduled-article" in later.public["article"]
    assert "scheduled-article" not in store.public["article"]
    assert "draft-article" not in later.public["article"]


def test_wrong_version_or_damage_means_a_full_load(tmp_path):
    store = load_store(PACK)
    path = tmp_path / "s.pickle"
    write_snapshot(store, path)
    assert read_snapshot(path, "0" * 16) is None
    path.write_bytes(b"not a pickle")
    assert read_snapshot(path, store.version) is None
    assert read_snapshot(tmp_path / "missing.pickle", store.version) is None


def test_app_writes_then_reuses_the_snapshot(tmp_path):
    config = {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path)}
    create_app(config)
    snapshot = index_path(tmp_path, content_version(PACK)) / STORE_FILE
    assert snapshot.is_file()
    written = snapshot.stat().st_mtime_ns
    app = create_app(config)
    assert snapshot.stat().st_mtime_ns == written
    body = app.test_client().get("/v1/articles/knee-pain-basics").get_json()
    assert body["data"]["title"] == "Knee pain basics"


def test_damaged_snapshot_does_not_stop_start_up(tmp_path):
    config = {"CONTENT_DIR": str(PACK), "INDEX_DIR": str(tmp_path)}
    create_app(config)
    (index_path(tmp_path, content_version(PACK)) / STORE_FILE).write_bytes(b"\x80garbage")
    app = create_app(config)
    assert app.test_client().get("/v1/articles").status_code == 200


def test_edited_content_is_noticed_on_restart(pack_copy, tmp_path):
    config = {"CONTENT_DIR": str(pack_copy), "INDEX_DIR": str(tmp_path)}
    before = create_app(config).test_client().get("/v1/articles/knee-pain-basics").get_json()
    path = pack_copy / "articles" / "knee-pain-basics.md"
    path.write_text(path.read_text().replace("title: Knee pain basics", "title: Knee pain, basics"))
    after = create_app(config).test_client().get("/v1/articles/knee-pain-basics").get_json()
    assert before["data"]["title"] == "Knee pain basics"
    assert after["data"]["title"] == "Knee pain, basics"
    assert after["meta"]["version"] != before["meta"]["version"]


def test_last_modified_moves_when_any_content_changes(pack_copy, tmp_path):
    from api.content.snapshot import first_seen

    config = {"CONTENT_DIR": str(pack_copy), "INDEX_DIR": str(tmp_path)}
    app = create_app(config)
    seen = app.extensions["content_seen_at"]
    assert first_seen(tmp_path, load_store(pack_copy).version) == seen  # recorded once
    # a draft becoming public changes lists without touching any published entry's dates
    draft = pack_copy / "articles" / "draft-article.md"
    draft.write_text(draft.read_text().replace("status: draft", "status: published"))
    (tmp_path / "seen.json").write_text('{"' + "0" * 16 + '": "2000-01-01T00:00:00+00:00"}')
    again = create_app(config)
    assert again.extensions["content_seen_at"] > seen.replace(year=2000)
    response = again.test_client().get(
        "/v1/articles", headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}
    )
    assert response.status_code == 200
