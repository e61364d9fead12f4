"""oEmbed 1.0 provider, embed cards, and schema.org JSON-LD."""

from html.parser import HTMLParser

import pytest

from .helpers import assert_problem

PAGE = "https://clinic.test/conditions/knee-pain"


def test_oembed_rich_response(client):
    response = client.get("/oembed", query_string={"url": PAGE, "maxwidth": 400})
    assert response.status_code == 200
    body = response.get_json()
    # oEmbed 1.0 §2.3.4: version and type; rich requires html, width and height
    assert body["version"] == "1.0" and body["type"] == "rich"
    assert body["title"] == "Knee pain"
    assert body["provider_name"] == "Test Clinic"
    assert body["provider_url"] == "https://clinic.test"
    assert body["width"] == 400 and body["height"] == 420
    assert body["cache_age"] == 300
    assert body["html"].startswith(
        '<iframe src="http://localhost:8000/v1/embed/condition/knee-pain"'
    )
    assert body["license"] == "CC BY-NC-ND 4.0" and body["attribution"]


@pytest.mark.parametrize(
    "url",
    [
        "https://clinic.test/conditions/nope",
        "https://clinic.test/articles/draft-article",
        "https://evil.example/conditions/knee-pain",
        "https://clinic.test/about",
    ],
)
def test_oembed_unknown_url_is_404(client, url):
    assert_problem(client.get("/oembed", query_string={"url": url}), 404)


def test_oembed_xml_is_501(client):
    assert_problem(client.get("/oembed", query_string={"url": PAGE, "format": "xml"}), 501)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_embed_card(client):
    response = client.get("/v1/embed/condition/knee-pain?section=symptoms")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors *" in csp
    html = response.get_data(as_text=True)
    assert "<h1>Knee pain</h1>" in html
    assert "<li>Aching</li>" in html
    assert "Not yet clinically reviewed" in html
    assert "Fixture disclaimer: educational only." in html
    assert "Content by Test Clinic." in html
    parser = _Tags()
    parser.feed(html)
    assert ("a", {"href": PAGE, "target": "_blank", "rel": "noopener"}) in parser.tags
    assert not any(tag == "script" for tag, _ in parser.tags)


def test_embed_errors(client):
    assert_problem(client.get("/v1/embed/condition/nope"), 404)
    assert_problem(client.get("/v1/embed/condition/knee-pain?section=nope"), 404)
    assert_problem(client.get("/v1/embed/article/draft-article"), 404)
    assert client.get("/v1/embed/page/knee-pain").status_code == 404


@pytest.mark.parametrize(
    ("path", "types", "about"),
    [
        ("/v1/conditions/knee-pain", "MedicalWebPage", "MedicalCondition"),
        ("/v1/treatments/walking", "MedicalWebPage", "MedicalTherapy"),
        ("/v1/articles/knee-pain-basics", ["MedicalWebPage", "Article"], "MedicalCondition"),
    ],
)
def test_json_ld(client, path, types, about):
    document = client.get(f"{path}?fields=json_ld").get_json()["data"]["json_ld"]
    assert document["@context"] == "https://schema.org"
    assert document["@type"] == types
    described = document["about"] if isinstance(document["about"], dict) else document["about"][0]
    assert described["@type"] == about
    assert document["publisher"] == {
        "@type": "MedicalOrganization",
        "name": "Test Clinic",
        "url": "https://clinic.test",
    }
    assert document["license"] == "https://creativecommons.org/licenses/by-nc-nd/4.0/"
    assert document["dateModified"] and document["url"].startswith("https://clinic.test/")
    assert "lastReviewed" not in document  # not reviewed: never invented


def test_json_ld_review_when_recorded(client):
    document = client.get("/v1/articles/low-mood-and-sleep").get_json()["data"]["json_ld"]
    assert document["lastReviewed"] == "2026-03-01"
    assert document["reviewedBy"] == {"@type": "Person", "name": "Placeholder Reviewer"}
