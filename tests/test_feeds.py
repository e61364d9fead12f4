"""JSON Feed 1.1, Atom 1.0 and the sitemap: structure per spec, drafts absent."""

from xml.etree import ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HIDDEN = ("draft-article", "scheduled-article")


def test_json_feed(client):
    response = client.get("/v1/feed.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/feed+json"
    feed = response.get_json(force=True)
    # JSON Feed 1.1 required top-level fields, and per item: id plus content_html or content_text
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and feed["items"]
    assert feed["feed_url"].endswith("/v1/feed.json")
    for item in feed["items"]:
        assert item["id"] and (item.get("content_html") or item.get("content_text"))
        assert item["url"].startswith("https://clinic.test/articles/")
    ids = [item["id"] for item in feed["items"]]
    assert ids == [
        "https://clinic.test/articles/low-mood-and-sleep",
        "https://clinic.test/articles/knee-pain-basics",
    ]  # newest first, drafts and scheduled absent
    assert feed["items"][0]["date_published"] == "2026-03-05T00:00:00Z"
    assert feed["_licence"]["name"] == "CC BY-NC-ND 4.0"
    assert feed["_attribution"] == "Content by Test Clinic."


def test_atom_feed(client):
    response = client.get("/v1/feed.atom")
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    # RFC 4287 §4.1.1: a feed has id, title, updated, an author; each entry id, title, updated
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("/v1/feed.atom")
    assert "CC BY-NC-ND 4.0" in feed.find(f"{ATOM}rights").text
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}id").text for e in entries] == [
        "https://clinic.test/articles/low-mood-and-sleep",
        "https://clinic.test/articles/knee-pain-basics",
    ]
    for entry in entries:
        for tag in ("id", "title", "updated", "summary", "link"):
            assert entry.find(f"{ATOM}{tag}") is not None, tag
    assert not any(h in response.get_data(as_text=True) for h in HIDDEN)


def test_sitemap_lists_every_public_page(client):
    response = client.get("/sitemap.xml")
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    urlset = ET.fromstring(response.data)
    pages = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod").text for u in urlset}
    assert pages == {
        "https://clinic.test/articles/knee-pain-basics": "2026-02-01",
        "https://clinic.test/articles/low-mood-and-sleep": "2026-03-05",
        "https://clinic.test/conditions/knee-pain": "2026-01-05",
        "https://clinic.test/conditions/low-mood": "2026-01-06",
        "https://clinic.test/treatments/knee-injection": "2026-01-08",
        "https://clinic.test/treatments/walking": "2026-01-07",
    }


def test_feeds_are_cacheable(client):
    response = client.get("/v1/feed.atom")
    assert response.headers["ETag"] and response.headers["Cache-Control"].startswith("public")
    again = client.get("/v1/feed.atom", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
