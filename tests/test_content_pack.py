"""The clinic's bundled content: complete, careful, and served."""

import re

import pytest

from api.content.loader import load_store
from api.content.relations import is_public

from .conftest import ROOT

STORE = load_store(ROOT / "content")
REQUIRED = {
    "article": {
        "how-ketamine-infusion-therapy-works",
        "what-is-chronic-pain-syndrome",
        "crps-types-1-and-2",
    },
    "condition": {"depression", "anxiety", "ptsd", "chronic-pain-syndrome", "crps"},
    "treatment": {
        "ketamine-infusion-therapy",
        "esketamine-nasal-spray",
        "talk-therapy",
        "physical-therapy",
        "over-the-counter-pain-relievers",
        "opioid-pain-relievers",
        "reducing-caffeine",
        "healthy-eating",
        "light-exercise",
        "meditation-yoga-and-tai-chi",
    },
}
ENTRIES = [e for by_slug in STORE.entries.values() for e in by_slug.values()]
PHONE = re.compile(r"\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b")
# the only phone numbers a page may print: the national services of site.yaml's urgent_help
NATIONAL = {re.sub(r"\D", "", s["call"] or "")[-10:] for s in STORE.site.urgent_help}


def _phones(text: str) -> set[str]:
    return {re.sub(r"\D", "", m.group(0)) for m in PHONE.finditer(text)}


@pytest.mark.parametrize("kind", sorted(REQUIRED))
def test_seed_topics_are_covered(kind):
    assert REQUIRED[kind] <= set(STORE.public[kind])


def test_tags_are_the_seed_tags():
    assert {t.label for t in STORE.tags.values()} == {
        "Anxiety",
        "Chronic Pain",
        "Depression",
        "Ketamine",
        "PTSD",
    }


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.type}:{e.slug}")
def test_entries_are_unreviewed_and_invent_nobody(entry):
    assert entry.review.status == "not-reviewed"
    assert entry.review.reviewer is None and entry.review.last_reviewed is None
    assert _phones(entry.body.text) <= NATIONAL, _phones(entry.body.text) - NATIONAL
    assert is_public(entry, STORE.loaded_on)


def test_conditions_have_core_sections():
    for condition in STORE.public["condition"].values():
        keys = {s.key for s in condition.body.sections}
        assert {"overview", "symptoms", "treatment-options", "when-to-seek-help"} <= keys, (
            condition.slug
        )


def test_site_placeholders_are_marked():
    site = STORE.site
    assert site.disclaimer
    assert site.licence["name"]
    for cta in site.calls_to_action:
        assert cta["placeholder"] is True and cta["phone"] is None


def test_bundled_articles_are_served(bundled_client):
    body = bundled_client.get("/v1/articles").get_json()
    assert body["meta"]["total"] == len(STORE.public["article"])
    crps = bundled_client.get("/v1/conditions/crps").get_json()
    assert "crps-types-1-and-2" in [a["slug"] for a in crps["data"]["related"]["articles"]]
    assert crps["meta"]["disclaimer"] == STORE.site.disclaimer


def test_links_are_site_paths_not_api_paths():
    # pages are read on the clinic's site, in partners' embeds and in apps: links name the
    # website's pages (/conditions/crps), which the canonical URLs use too
    for entry in ENTRIES:
        assert "/v1/" not in entry.body.html, entry.slug
        assert 'href="/' in entry.body.html or "href" not in entry.body.html
