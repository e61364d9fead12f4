"""Urgent help: site.yaml's services, shown on the pages that declare them, over HTTP.

A detail carries `urgent_help` (the page's services, whole, in the page's order); an embed card
shows them right under the title, before the summary or section; `/v1/site` lists them all.
"""

import re

import pytest

from .helpers import FIXTURE_CRISIS_LINE

# Pages whose readers may be in crisis or at risk of overdose, and the services each must show.
MUST_SHOW = {
    "/v1/conditions/depression": {"crisis-988", "emergency-911"},
    "/v1/conditions/treatment-resistant-depression": {"crisis-988", "emergency-911"},
    "/v1/conditions/anxiety": {"crisis-988", "emergency-911"},
    "/v1/conditions/ptsd": {"crisis-988", "emergency-911"},
    "/v1/conditions/postpartum-depression": {
        "crisis-988",
        "emergency-911",
        "maternal-mental-health-hotline",
    },
    "/v1/treatments/ketamine-infusion-therapy": {"crisis-988", "emergency-911"},
    "/v1/treatments/esketamine-nasal-spray": {"crisis-988", "emergency-911"},
    "/v1/treatments/opioid-pain-relievers": {"emergency-911", "samhsa-helpline", "crisis-988"},
    "/v1/articles/how-ketamine-infusion-therapy-works": {"crisis-988", "emergency-911"},
    "/v1/articles/is-ketamine-infusion-therapy-right-for-me": {"crisis-988", "emergency-911"},
    "/v1/articles/preparing-for-your-first-infusion": {"crisis-988", "emergency-911"},
    "/v1/articles/getting-help-now": {
        "emergency-911",
        "crisis-988",
        "maternal-mental-health-hotline",
        "samhsa-helpline",
    },
}


def test_detail_carries_the_declared_services_whole_and_in_order(client):
    data = client.get("/v1/conditions/low-mood").get_json()["data"]
    assert [s["key"] for s in data["urgent_help"]] == ["test-crisis-line", "test-emergency"]
    assert data["urgent_help"][0] == FIXTURE_CRISIS_LINE


def test_detail_without_services_has_an_empty_list(client):
    assert client.get("/v1/conditions/knee-pain").get_json()["data"]["urgent_help"] == []


def test_urgent_help_is_a_sparse_field(client):
    body = client.get("/v1/conditions/low-mood?fields=urgent_help").get_json()
    assert set(body["data"]) == {"type", "slug", "urgent_help"}
    assert len(body["data"]["urgent_help"]) == 2


def test_embed_card_shows_services_above_the_summary(client):
    html = client.get("/v1/embed/condition/low-mood").get_data(as_text=True)
    title, urgent, summary = (
        html.index("<h1>Low mood</h1>"),
        html.index('class="cca-urgent"'),
        html.index("<p>Feeling down for a while.</p>"),
    )
    assert title < urgent < summary
    assert "<strong>Test crisis line</strong>: Call or text 111." in html
    assert html.index("Test crisis line") < html.index("Test emergency line")  # page's order


def test_embed_card_of_a_section_still_leads_with_services(client):
    html = client.get("/v1/embed/condition/low-mood?section=overview").get_data(as_text=True)
    assert html.index('class="cca-urgent"') < html.index("<h2>Overview</h2>")


def test_embed_card_without_services_has_no_block(client):
    html = client.get("/v1/embed/condition/knee-pain").get_data(as_text=True)
    assert 'class="cca-urgent"' not in html and "Need help now?" not in html


@pytest.mark.parametrize("path", sorted(MUST_SHOW))
def test_bundled_pages_show_urgent_help(bundled_client, path):
    data = bundled_client.get(path).get_json()["data"]
    assert MUST_SHOW[path] <= {s["key"] for s in data["urgent_help"]}
    for service in data["urgent_help"]:
        assert service["how_to_reach"] and service["when_to_use"]
    kind, slug = re.match(r"/v1/(\w+)s/(.+)", path).groups()
    card = bundled_client.get(f"/v1/embed/{kind}/{slug}").get_data(as_text=True)
    assert card.index('class="cca-urgent"') < card.index(f"<p>{_escaped(data['summary'])}</p>")
    if "crisis-988" in MUST_SHOW[path]:
        assert "988 Suicide &amp; Crisis Lifeline" in card


def _escaped(text: str) -> str:
    from html import escape

    return escape(text)
